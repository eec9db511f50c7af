/* SPDX-License-Identifier: MIT */
/* Shared helpers of the scenario test components: see test.h.
 *
 * Costs: every helper is one or a few IPCs to core or the parent; report
 * reads copy the snapshot in KIDE_MGMT_CHUNK_MAX pieces. Nothing here keeps
 * state between calls except the management session the caller holds.
 */
#include "test.h"

#include <kide/base.h> /* vsnprintf: the runtime's formatter, for t_fail's va_list */

/* ---- small helpers -------------------------------------------------------- */
kide_u64 t_strlen(const char *s)
{
    kide_u64 n = 0;
    while (s[n])
        n++;
    return n;
}

int t_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

int t_startswith(const char *s, const char *prefix)
{
    while (*prefix)
        if (*s++ != *prefix++)
            return 0;
    return 1;
}

static void copy_str(char *dst, kide_u64 size, const char *src)
{
    kide_u64 i = 0;
    if (!size)
        return;
    for (; src[i] && i + 1 < size; i++)
        dst[i] = src[i];
    dst[i] = 0;
}

kide_u64 t_median(kide_u64 *v, unsigned n)
{
    /* Insertion sort: n is at most a few hundred samples. */
    for (unsigned i = 1; i < n; i++) {
        kide_u64 x = v[i];
        unsigned j = i;
        for (; j > 0 && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
    return n ? v[n / 2] : 0;
}

const char *t_status(int st)
{
    return kide_status_name(st);
}

/* ---- results ----------------------------------------------------------- */
void t_fail(struct kide_env *env, const char *what, const char *fmt, ...)
{
    char why[320];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    __builtin_va_end(ap);
    kide_log(env, "FAIL %s: %s", what, why);
    kide_exit(env, 1);
}

void t_pass(struct kide_env *env, const char *what)
{
    kide_log(env, "PASS %s", what);
}

void t_idle(struct kide_env *env)
{
    kide_serve(env);
}

/* ---- configuration ------------------------------------------------------ */
static const struct kide_json_doc *config(struct kide_env *env)
{
    const struct kide_json_doc *doc;
    char err[160];
    if (kide_config_doc(env, &doc, err, sizeof(err)) < 0)
        t_fail(env, "config", "%s", err);
    return doc;
}

kide_u64 t_cfg_u64(struct kide_env *env, const char *key, kide_u64 def)
{
    const struct kide_json_doc *doc = config(env);
    int i = kide_json_find(doc, 0, key);
    kide_u64 v;
    if (i < 0)
        return def;
    if (kide_json_get_u64(doc, i, &v) < 0)
        t_fail(env, "config", "'%s' must be a non-negative integer", key);
    return v;
}

void t_cfg_str(struct kide_env *env, const char *key, const char *def, char *buf, kide_u64 size)
{
    const struct kide_json_doc *doc = config(env);
    int i = kide_json_find(doc, 0, key);
    if (i < 0) {
        copy_str(buf, size, def);
        return;
    }
    if (kide_json_get_string(doc, i, buf, size) < 0)
        t_fail(env, "config", "'%s' must be a string of at most %llu bytes", key,
               (unsigned long long)size - 1);
}

/* ---- core: self and owner sessions -------------------------------------- */
int t_core_stats(struct t_stats *s)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_CORE_STATS);
    int rc = kide_msg_call(&m, KIDE_COMP_SEL_CORE, 0);
    if (rc != KIDE_OK)
        return rc;
    s->free_ram = kide_msg_get(&m);
    s->total_ram = kide_msg_get(&m);
    s->free_kpages = kide_msg_get(&m);
    s->accounts = kide_msg_get(&m);
    return m.bad ? KIDE_BAD_PARAM : KIDE_OK;
}

/* The caller's children semaphore: one selector for the component's life.
 * core creates the semaphore there on the first CORE_CHILD and finds it
 * there on later ones. */
static kide_sel children_sm;

int t_sub_create(struct t_sub *sub, const char *name, kide_u64 ram, kide_u64 caps, kide_u64 cpu,
                 kide_u64 prio)
{
    struct kide_msg m;
    if (!children_sm && !(children_sm = kide_sel_alloc(0)))
        return KIDE_QUOTA;
    if (!(sub->owner = kide_sel_alloc(1)))
        return KIDE_QUOTA;
    sub->pd = sub->owner + 1;
    kide_msg_begin(&m, KIDE_CORE_CHILD);
    kide_msg_put(&m, sub->owner);
    kide_msg_put(&m, sub->pd);
    kide_msg_put(&m, children_sm);
    kide_msg_put(&m, ram);
    kide_msg_put(&m, caps);
    kide_msg_put(&m, cpu);
    kide_msg_put(&m, prio);
    kide_msg_put_str(&m, name);
    int rc = kide_msg_call(&m, KIDE_COMP_SEL_CORE, 0);
    if (rc == KIDE_OK)
        sub->id = kide_msg_get(&m);
    else
        kide_sel_free(sub->owner, 1);
    return rc;
}

static int owner_call(struct t_sub *sub, struct kide_msg *m)
{
    return kide_msg_call(m, sub->owner, 0);
}

int t_sub_start(struct t_sub *sub, const char *binary, const char *config_json)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_OWN_LOAD);
    kide_msg_put_str(&m, binary);
    int rc = owner_call(sub, &m);
    if (rc != KIDE_OK)
        return rc;
    if (config_json) {
        kide_u64 len = t_strlen(config_json);
        for (kide_u64 off = 0; off < len; off += KIDE_CORE_CHUNK_MAX) {
            kide_u64 n = len - off < KIDE_CORE_CHUNK_MAX ? len - off : KIDE_CORE_CHUNK_MAX;
            kide_msg_begin(&m, KIDE_OWN_CONFIG);
            kide_msg_put(&m, len);
            kide_msg_put(&m, off);
            kide_msg_put_bytes(&m, config_json + off, n);
            if ((rc = owner_call(sub, &m)) != KIDE_OK)
                return rc;
        }
    }
    kide_msg_begin(&m, KIDE_OWN_START);
    return owner_call(sub, &m);
}

int t_sub_state(struct t_sub *sub, kide_u64 w[15])
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_OWN_STATE);
    int rc = owner_call(sub, &m);
    if (rc != KIDE_OK)
        return rc;
    for (int i = 0; i < 15; i++)
        w[i] = kide_msg_get(&m);
    return KIDE_OK;
}

int t_sub_threads(struct t_sub *sub, kide_u64 *ns, unsigned max, unsigned *n)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_OWN_THREADS);
    int rc = owner_call(sub, &m);
    if (rc != KIDE_OK)
        return rc;
    kide_u64 count = kide_msg_get(&m);
    *n = 0;
    for (kide_u64 i = 0; i < count && i < max; i++)
        ns[(*n)++] = kide_msg_get(&m);
    return m.bad ? KIDE_BAD_PARAM : KIDE_OK;
}

int t_sub_wait_end(struct t_sub *sub, kide_u64 ms, kide_u64 w[15])
{
    kide_u64 deadline = kide_now_ns() + ms * 1000000ull;
    for (;;) {
        int rc = t_sub_state(sub, w);
        if (rc != KIDE_OK)
            return rc;
        if (w[0] == KIDE_ACC_EXITED || w[0] == KIDE_ACC_FAULTED)
            return KIDE_OK;
        /* core ups the children semaphore when any sub-account ends: wait
         * for that, bounded by the deadline, then look again. */
        if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, children_sm, deadline) == KIDE_TIMEOUT &&
            kide_now_ns() >= deadline) {
            if (t_sub_state(sub, w) == KIDE_OK &&
                (w[0] == KIDE_ACC_EXITED || w[0] == KIDE_ACC_FAULTED))
                return KIDE_OK;
            return KIDE_TIMEOUT;
        }
    }
}

int t_sub_destroy(struct t_sub *sub)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_OWN_DESTROY);
    int rc = owner_call(sub, &m);
    if (rc == KIDE_OK)
        kide_sel_free(sub->owner, 1); /* core emptied both slots */
    return rc;
}

/* ---- the "Hoitaja" management session ---------------------------------- */
int t_mgmt_open(struct kide_env *env, struct t_mgmt *m, kide_u64 ms)
{
    kide_u64 deadline = kide_now_ns() + ms * 1000000ull;
    int rc;
    /* NOT_FOUND only means "not up yet" while the habitat starts. */
    while ((rc = kide_session_open(env, "Hoitaja", "", 0, &m->s)) == KIDE_NOT_FOUND &&
           kide_now_ns() < deadline)
        kide_sleep_ms(50);
    m->open = rc == KIDE_OK;
    return rc;
}

/* Read a chunked string (report or result) at op into buf. */
static int read_chunked(struct t_mgmt *mg, kide_u64 op, char *buf, kide_u64 size, kide_u64 *len)
{
    kide_u64 off = 0, total = 0;
    do {
        struct kide_msg m;
        const void *p;
        kide_msg_begin(&m, op);
        kide_msg_put(&m, off);
        int rc = kide_msg_call(&m, mg->s.pt, 0);
        if (rc != KIDE_OK)
            return rc;
        total = kide_msg_get(&m);
        if (op == KIDE_MGMT_REPORT)
            (void)kide_msg_get(&m); /* sequence number */
        kide_u64 n = kide_msg_get_bytes(&m, &p, KIDE_MGMT_CHUNK_MAX);
        if (m.bad || total + 1 > size || off + n > total || (n == 0 && off < total))
            return KIDE_OVERFLOW;
        for (kide_u64 i = 0; i < n; i++)
            buf[off + i] = ((const char *)p)[i];
        off += n;
    } while (off < total);
    buf[total] = 0;
    if (len)
        *len = total;
    return KIDE_OK;
}

int t_mgmt_report(struct t_mgmt *m, char *buf, kide_u64 size, kide_u64 *len)
{
    return read_chunked(m, KIDE_MGMT_REPORT, buf, size, len);
}

int t_mgmt_apply(struct t_mgmt *mg, const char *json, kide_u64 gen, int partial, char *res,
                 kide_u64 size)
{
    kide_u64 len = t_strlen(json);
    struct kide_msg m;
    int rc;
    res[0] = 0;
    for (kide_u64 off = 0; off < len; off += KIDE_MGMT_CHUNK_MAX) {
        kide_u64 n = len - off < KIDE_MGMT_CHUNK_MAX ? len - off : KIDE_MGMT_CHUNK_MAX;
        kide_msg_begin(&m, KIDE_MGMT_UPLOAD);
        kide_msg_put(&m, len);
        kide_msg_put(&m, off);
        kide_msg_put_bytes(&m, json + off, n);
        if ((rc = kide_msg_call(&m, mg->s.pt, 0)) != KIDE_OK)
            return rc;
    }
    kide_msg_begin(&m, KIDE_MGMT_APPLY);
    kide_msg_put(&m, gen);
    kide_msg_put(&m, partial ? 1 : 0);
    int st = kide_msg_call(&m, mg->s.pt, 0);
    /* The result exists for OK and for INVALID (it carries the reason);
     * read it whenever hoitaja has one. */
    if (read_chunked(mg, KIDE_MGMT_RESULT, res, size, 0) != KIDE_OK)
        res[0] = 0;
    return st;
}

/* ---- reading reports and results --------------------------------------- */
int t_parse(struct kide_env *env, struct kide_json_doc *doc, const char *buf, kide_u64 len,
            struct kide_json_tok *tok, kide_u64 ntok)
{
    struct kide_json_error err;
    int rc = kide_json_parse(doc, buf, len, tok, ntok, 0, &err);
    if (rc < 0) {
        char msg[128];
        kide_json_error_format(&err, msg, sizeof(msg));
        kide_log(env, "json: %s", msg);
    }
    return rc;
}

/* The "children" array of a report level: obj.children or obj.habitat.children. */
static int children_of(const struct kide_json_doc *doc, int obj)
{
    int c = kide_json_find(doc, obj, "children");
    if (c >= 0 && kide_json_type(doc, c) == KIDE_JSON_ARRAY)
        return c;
    int h = kide_json_find(doc, obj, "habitat");
    if (h < 0)
        return -1;
    c = kide_json_find(doc, h, "children");
    return c >= 0 && kide_json_type(doc, c) == KIDE_JSON_ARRAY ? c : -1;
}

int t_report_child(const struct kide_json_doc *doc, const char *path)
{
    int level = 0;
    char part[40];
    while (*path) {
        kide_u64 n = 0;
        while (*path && *path != '/' && n + 1 < sizeof(part))
            part[n++] = *path++;
        part[n] = 0;
        if (*path == '/')
            path++;
        int arr = children_of(doc, level), found = -1;
        if (arr < 0)
            return -1;
        for (int c = kide_json_first(doc, arr); c >= 0; c = kide_json_next(doc, c)) {
            int nm = kide_json_find(doc, c, "name");
            if (nm >= 0 && kide_json_str_eq(doc, nm, part)) {
                found = c;
                break;
            }
        }
        if (found < 0)
            return -1;
        level = found;
    }
    return level;
}

static int find_path(const struct kide_json_doc *doc, int obj, const char *path)
{
    char part[40];
    while (*path && obj >= 0) {
        kide_u64 n = 0;
        while (*path && *path != '.' && n + 1 < sizeof(part))
            part[n++] = *path++;
        part[n] = 0;
        if (*path == '.')
            path++;
        obj = kide_json_find(doc, obj, part);
    }
    return obj;
}

int t_json_u64(const struct kide_json_doc *doc, int obj, const char *path, kide_u64 *out)
{
    int i = find_path(doc, obj, path);
    return i >= 0 && kide_json_get_u64(doc, i, out) == 0 ? 0 : -1;
}

int t_json_str(const struct kide_json_doc *doc, int obj, const char *path, char *buf, kide_u64 size)
{
    int i = find_path(doc, obj, path);
    return i >= 0 && kide_json_get_string(doc, i, buf, size) >= 0 ? 0 : -1;
}

int t_result_of(const struct kide_json_doc *doc, const char *name, char *buf, kide_u64 size)
{
    for (kide_u32 o = 0; o < doc->ntok; o++) {
        if (doc->tok[o].type != KIDE_JSON_OBJECT)
            continue;
        int has = 0;
        for (int k = kide_json_first(doc, o); k >= 0; k = kide_json_next(doc, k))
            if (kide_json_type(doc, k + 1) == KIDE_JSON_STRING &&
                kide_json_str_eq(doc, k + 1, name))
                has = 1;
        if (!has) {
            /* Layout {"<name>": "<result>"}: the name is a key. */
            for (int k = kide_json_first(doc, o); k >= 0; k = kide_json_next(doc, k))
                if (kide_json_str_eq(doc, k, name) &&
                    kide_json_get_string(doc, k + 1, buf, size) >= 0)
                    return 0;
            continue;
        }
        for (int k = kide_json_first(doc, o); k >= 0; k = kide_json_next(doc, k)) {
            if (kide_json_type(doc, k + 1) != KIDE_JSON_STRING ||
                kide_json_str_eq(doc, k + 1, name))
                continue;
            if (kide_json_get_string(doc, k + 1, buf, size) >= 0)
                return 0;
        }
    }
    return -1;
}
