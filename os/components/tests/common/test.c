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
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), KIDE_COMP_SEL_CORE);
    struct kide_core_stats_rep rep;
    int rc = kide_core_stats(&ch, &rep);
    if (rc != KIDE_OK)
        return rc;
    s->free_ram = rep.ram_free;
    s->total_ram = rep.ram_total;
    s->free_kpages = rep.caps_free;
    s->accounts = rep.accounts;
    return KIDE_OK;
}

/* The caller's children semaphore: one selector for the component's life.
 * core creates the semaphore there on the first CORE_CHILD and finds it
 * there on later ones. */
static kide_sel children_sm;

int t_sub_create(struct t_sub *sub, const char *name, kide_u64 ram, kide_u64 caps, kide_u64 cpu,
                 kide_u64 prio)
{
    if (!children_sm && !(children_sm = kide_sel_alloc(0)))
        return KIDE_QUOTA;
    if (!(sub->owner = kide_sel_alloc(1)))
        return KIDE_QUOTA;
    sub->pd = sub->owner + 1;
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), KIDE_COMP_SEL_CORE);
    struct kide_core_child_req req = {
            .own_sel = sub->owner,
            .pd_sel = sub->pd,
            .sm_sel = children_sm,
            .ram = ram,
            .caps = caps,
            .cpu_pct = cpu,
            .prio = prio,
    };
    struct kide_core_child_rep rep;
    int rc = KIDE_WIRE_STR(req.name, name, kide_wire_strlen(name));
    if (rc == KIDE_OK)
        rc = kide_core_child(&ch, &req, &rep);
    if (rc == KIDE_OK)
        sub->id = rep.id;
    else
        kide_sel_free(sub->owner, 1);
    return rc;
}

static struct kide_core_chan owner(const struct t_sub *sub)
{
    return kide_core_owner_chan(kide_utcb(), sub->owner);
}

int t_sub_start(struct t_sub *sub, const char *binary, const char *config_json)
{
    struct kide_core_chan ch = owner(sub);
    struct kide_own_load_req load;
    int rc = KIDE_WIRE_STR(load.rom, binary, t_strlen(binary));
    if (rc == KIDE_OK)
        rc = kide_own_load(&ch, &load);
    if (rc != KIDE_OK)
        return rc;
    if (config_json) {
        kide_u64 len = t_strlen(config_json);
        struct kide_own_config_req req;
        for (kide_u64 off = 0; off < len; off += KIDE_CORE_CHUNK_MAX) {
            kide_u64 n = len - off < KIDE_CORE_CHUNK_MAX ? len - off : KIDE_CORE_CHUNK_MAX;
            req.total = len;
            req.offset = off;
            KIDE_WIRE_STR(req.chunk, config_json + off, n);
            if ((rc = kide_own_config(&ch, &req)) != KIDE_OK)
                return rc;
        }
    }
    return kide_own_start(&ch);
}

int t_sub_state(struct t_sub *sub, struct kide_own_state_rep *w)
{
    struct kide_core_chan ch = owner(sub);
    return kide_own_state(&ch, w);
}

int t_sub_threads(struct t_sub *sub, kide_u64 *ns, unsigned max, unsigned *n)
{
    struct kide_core_chan ch = owner(sub);
    struct kide_core_threads_rep rep;
    int rc = kide_own_threads(&ch, &rep);
    if (rc != KIDE_OK)
        return rc;
    *n = 0;
    if (rep.n > KIDE_CORE_MAX_THREADS)
        return KIDE_BAD_PARAM; /* more than a reply holds */
    for (kide_u64 i = 0; i < rep.n && i < max; i++)
        ns[(*n)++] = rep.ns[i];
    return KIDE_OK;
}

int t_sub_wait_end(struct t_sub *sub, kide_u64 ms, struct kide_own_state_rep *w)
{
    kide_u64 deadline = kide_now_ns() + ms * 1000000ull;
    for (;;) {
        int rc = t_sub_state(sub, w);
        if (rc != KIDE_OK)
            return rc;
        if (w->state == KIDE_ACC_EXITED || w->state == KIDE_ACC_FAULTED)
            return KIDE_OK;
        /* core ups the children semaphore when any sub-account ends: wait
         * for that, bounded by the deadline, then look again. */
        if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, children_sm, deadline) == KIDE_TIMEOUT &&
            kide_now_ns() >= deadline) {
            if (t_sub_state(sub, w) == KIDE_OK &&
                (w->state == KIDE_ACC_EXITED || w->state == KIDE_ACC_FAULTED))
                return KIDE_OK;
            return KIDE_TIMEOUT;
        }
    }
}

int t_sub_destroy(struct t_sub *sub)
{
    struct kide_core_chan ch = owner(sub);
    int rc = kide_own_destroy(&ch);
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

int t_mgmt_report(struct t_mgmt *m, char *buf, kide_u64 size, kide_u64 *len)
{
    return kide_mgmt_read_all(m->s.pt, KIDE_MGMT_REPORT, buf, size, len);
}

int t_mgmt_apply(struct t_mgmt *mg, const char *json, kide_u64 gen, int partial, char *res,
                 kide_u64 size)
{
    int rc;
    res[0] = 0;
    if ((rc = kide_mgmt_upload_all(mg->s.pt, json, t_strlen(json))) != KIDE_OK)
        return rc;
    struct kide_mgmt_apply_req req = {.generation = gen, .partial = partial ? 1 : 0};
    struct kide_mgmt_apply_rep rep;
    int st = kide_mgmt_apply(mg->s.pt, &req, &rep);
    /* The result exists for OK and for INVALID (it carries the reason);
     * read it whenever hoitaja has one. */
    if (kide_mgmt_read_all(mg->s.pt, KIDE_MGMT_RESULT, res, size, 0) != KIDE_OK)
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
