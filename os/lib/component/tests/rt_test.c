/* SPDX-License-Identifier: MIT */
/* The runtime's test under core: booted as the root habitat (module "hoitaja").
 *
 * It exercises every part of libkide.a that needs core: logging, the heap and
 * dataspaces against the RAM quota, selectors, semaphores, the handler EC
 * with raw portals (strings, capabilities both ways, malformed requests),
 * and the server and client side of sessions against a fake parent: a raw
 * portal of this component that rt_env.parent is aimed at. One handler EC
 * serves both the fake parent and the service, so the test drives the
 * service's root portal itself instead of letting the fake parent forward.
 * Lines: "rt-test: <test>: FAIL ..." on a failure, then
 * "rt-test: <n> passed, <m> failed"; exit code 0 when all passed.
 */
#include <kide/json.h>
#include "rt_test.h"

struct kide_env *E;
const char *cur;
int passed, failed;

static kide_u64 used(void)
{
    struct kide_quota q;
    return kide_quota(E, &q) == KIDE_OK ? q.ram_used : ~0ull;
}

static void t_env(void)
{
    const struct kide_json_doc *doc;
    char err[100], g[16];
    /* Booted as the root habitat: core gives it no parent portal. */
    CHECK(!kide_has_parent(E));
    CHECK(kide_info(E) && kide_info(E)->magic == KIDE_COMP_INFO_MAGIC);
    CHECK(kide_name(E)[0] && kide_args(E));
    CHECK(kide_config_doc(E, &doc, err, sizeof(err)) == 0);
    int i = kide_json_find(doc, 0, "greeting");
    CHECK(i > 0 && kide_json_get_string(doc, i, g, sizeof(g)) == 2 && !strcmp(g, "rt"));
    const struct kide_json_doc *again;
    CHECK(kide_config_doc(E, &again, 0, 0) == 0 && again == doc);
}

static void t_log(void)
{
    char long_line[700];
    memset(long_line, 'x', sizeof(long_line) - 1);
    long_line[sizeof(long_line) - 1] = 0;
    kide_log(E, "rt-test: cut after 480 bytes: %s", long_line);
    kide_log(E, "rt-test: two\nrt-test: lines\n");
    /* a runtime call between reading reply words leaves the reply intact */
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_CORE_QUOTA);
    CHECK(kide_msg_call(&m, KIDE_COMP_SEL_CORE, 0) == KIDE_OK);
    kide_u64 quota = kide_msg_get(&m);
    kide_log(E, "rt-test: quota %lu", quota);
    kide_u64 rused = kide_msg_get(&m);
    CHECK(!m.bad && quota == kide_info(E)->ram_quota && rused > 0);
    char buf[16];
    CHECK(kide_snprintf(buf, sizeof(buf), "%s-%d", "ab", 12) == 5 && !strcmp(buf, "ab-12"));
    CHECK(!strcmp(kide_status_name(KIDE_DENIED), "DENIED"));
}

static void t_heap(void)
{
    static void *p[2000];
    rt_heap_release();
    kide_u64 base = used();
    for (int i = 0; i < 2000; i++) {
        p[i] = kide_malloc((kide_u64)(i % 300) + 1);
        CHECK(p[i]);
        memset(p[i], i, (kide_u64)(i % 300) + 1);
    }
    void *big = kide_malloc(1 << 20);
    CHECK(big);
    memset(big, 1, 1 << 20);
    CHECK(used() > base + (1 << 20));
    for (int i = 0; i < 2000; i++) {
        CHECK(((unsigned char *)p[i])[0] == (unsigned char)i);
        kide_free(p[i]);
    }
    kide_free(big);
    /* Large blocks (every fifth 50000 bytes) among small ones: 16-byte aligned,
     * neither overlapping the other. */
    static unsigned char *q[300];
    for (int i = 0; i < 300; i++) {
        kide_u64 n = (i % 5) ? 100 : 50000;
        q[i] = kide_malloc(n);
        CHECK(q[i] && ((kide_u64)q[i] & 15) == 0);
        memset(q[i], i, n);
    }
    for (int i = 0; i < 300; i++) {
        kide_u64 n = (i % 5) ? 100 : 50000;
        CHECK(q[i][0] == (unsigned char)i && q[i][n - 1] == (unsigned char)i);
        kide_free(q[i]);
    }
    rt_heap_release();
    CHECK(used() == base);
}

static void t_quota(void)
{
    static void *p[1024];
    int n = 0;
    kide_u64 base = used();
    while (n < 1024 && (p[n] = kide_malloc(8 << 20)))
        n++;
    CHECK(n > 0 && n < 1024); /* ended by the quota, with NULL */
    void *ds;
    CHECK(kide_ram_alloc(E, 64 << 20, &ds) == KIDE_QUOTA);
    while (n)
        kide_free(p[--n]);
    CHECK(used() == base);
}

static void t_ram(void)
{
    kide_u64 base = used();
    char *ds;
    CHECK(kide_ram_alloc(E, 3 * 4096 - 5, (void **)&ds) == KIDE_OK);
    /* Three pages, plus at most one page of core's records of them, which
     * the account pays for too (docs/core.md, "Page records"). */
    CHECK(used() >= base + 3 * 4096 && used() <= base + 4 * 4096);
    CHECK(ds[0] == 0 && ds[3 * 4096 - 1] == 0);
    ds[0] = 1, ds[3 * 4096 - 1] = 2;
    CHECK(kide_ram_free(E, ds, 3 * 4096) == KIDE_OK);
    CHECK(used() == base);
    void *x;
    CHECK(kide_ram_alloc(E, 0, &x) == KIDE_BAD_PARAM);
    CHECK(kide_ram_free(E, (void *)0x1000, 4096) == KIDE_BAD_ADDR);
    CHECK(kide_ram_free(E, ds + 1, 4096) == KIDE_BAD_PARAM);
}

/** The kernel's rights of this component's page at p, 0 when unmapped. */
static unsigned page_perm(const void *p)
{
    kide_u64 found = 0, info = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_MEM, (kide_u64)p >> 12, 0, 0), &found, &info) != KIDE_OK ||
        KIDE_CRD_KIND(found) != KIDE_CRD_MEM)
        return 0;
    return KIDE_CRD_PERM(found) & KIDE_MEM_RWX;
}

static int protect(void *p, kide_u64 bytes, kide_u64 perm)
{
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_ram_protect_req req = {(kide_u64)p, bytes, perm};
    return kide_core_ram_protect(&ch, &req);
}

/* RAM_FREE of part of an allocation, RAM_PROTECT of pages of one. */
static void t_ram_part(void)
{
    kide_u64 base = used();
    char *ds;
    CHECK(kide_ram_alloc(E, 4 * 4096, (void **)&ds) == KIDE_OK);
    kide_u64 full = used();
    for (int i = 0; i < 4; i++)
        ds[i * 4096] = (char)('a' + i);
    /* The second page alone: unmapped and uncharged, the others stay. */
    CHECK(kide_ram_free(E, ds + 4096, 4096) == KIDE_OK);
    CHECK(used() == full - 4096);
    CHECK(page_perm(ds + 4096) == 0);
    CHECK(page_perm(ds) == (KIDE_MEM_R | KIDE_MEM_W) && ds[0] == 'a' && ds[2 * 4096] == 'c');
    /* Read-only, then no access (contents kept), then read-write again. */
    CHECK(protect(ds + 2 * 4096, 4096, KIDE_MEM_R) == KIDE_OK);
    CHECK(page_perm(ds + 2 * 4096) == KIDE_MEM_R && ds[2 * 4096] == 'c');
    CHECK(page_perm(ds + 3 * 4096) == (KIDE_MEM_R | KIDE_MEM_W));
    CHECK(protect(ds + 2 * 4096, 2 * 4096, 0) == KIDE_OK);
    CHECK(page_perm(ds + 2 * 4096) == 0 && page_perm(ds + 3 * 4096) == 0);
    CHECK(used() == full - 4096); /* still the account's pages */
    CHECK(protect(ds + 2 * 4096, 2 * 4096, KIDE_MEM_R | KIDE_MEM_W) == KIDE_OK);
    CHECK(page_perm(ds + 3 * 4096) == (KIDE_MEM_R | KIDE_MEM_W));
    CHECK(ds[2 * 4096] == 'c' && ds[3 * 4096] == 'd');
    ds[3 * 4096] = 'e';
    CHECK(protect(ds, 4096, KIDE_MEM_R | KIDE_MEM_X) == KIDE_OK);
    CHECK(page_perm(ds) == (KIDE_MEM_R | KIDE_MEM_X));
    /* Refused, nothing changed: a hole (the freed page), not page-aligned, bad rights,
     * too long, outside the windows, core's own mappings. */
    CHECK(protect(ds, 3 * 4096, KIDE_MEM_R) == KIDE_BAD_ADDR);
    CHECK(page_perm(ds) == (KIDE_MEM_R | KIDE_MEM_X));
    CHECK(protect(ds + 1, 4096, KIDE_MEM_R) == KIDE_BAD_PARAM);
    CHECK(protect(ds, 4095, KIDE_MEM_R) == KIDE_BAD_PARAM);
    CHECK(protect(ds, 0, KIDE_MEM_R) == KIDE_BAD_PARAM);
    CHECK(protect(ds, 4096, KIDE_MEM_W) == KIDE_BAD_PARAM);
    CHECK(protect(ds, 4096, 8) == KIDE_BAD_PARAM);
    CHECK(protect(ds, KIDE_CORE_PROTECT_MAX + 4096, KIDE_MEM_R) == KIDE_BAD_PARAM);
    CHECK(protect((void *)KIDE_COMP_INFO, 4096, KIDE_MEM_R) == KIDE_BAD_PARAM);
    CHECK(kide_ram_free(E, ds, 4 * 4096) == KIDE_OK);
    CHECK(used() == base);
    CHECK(protect(ds, 4096, KIDE_MEM_R) == KIDE_BAD_ADDR); /* freed */
}

static void t_sel_sm(void)
{
    kide_sel a = kide_sel_alloc(0), b = kide_sel_alloc(4);
    CHECK(a >= KIDE_COMP_SEL_FREE && b >= KIDE_COMP_SEL_FREE && !(b & 15));
    kide_sel_free(a, 0);
    kide_sel_free(b, 4);
    CHECK(kide_sel_alloc(0) == a);
    kide_sel_free(a, 0);
    kide_sel sm;
    CHECK(kide_sm_create(E, 0, &sm) == KIDE_OK);
    CHECK(kide_ctrl_sm(KIDE_CTRL_SM_UP, sm, 0) == KIDE_OK);
    CHECK(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, kide_now_ns() + 1000000) == KIDE_OK);
    CHECK(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, kide_now_ns() + 1000000) == KIDE_TIMEOUT);
    kide_cap_drop(sm);
    struct kide_mutex mx;
    CHECK(kide_mutex_init(E, &mx) == KIDE_OK);
    kide_mutex_lock(&mx);
    kide_mutex_unlock(&mx);
    kide_mutex_lock(&mx);
    kide_mutex_unlock(&mx);
    kide_cap_drop(mx.sm);
    kide_u64 t0 = kide_now_ns();
    kide_sleep_ms(30);
    CHECK(kide_now_ns() - t0 >= 30000000ull);
    t0 = kide_now_ns();
    CHECK(kide_wait_signal(E, 20) == 0);
    CHECK(kide_now_ns() - t0 >= 20000000ull);
}

/* ---- raw portals ---- */
static kide_sel kept_cap, seen_cap;

static int echo(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    char s[64], r[64];
    (void)obj;
    kide_u64 v = kide_msg_get(&rpc->in);
    kide_u64 len = kide_msg_get_str(&rpc->in, s, sizeof(s));
    if (rpc->in.bad)
        return KIDE_BAD_PARAM;
    /* calls from the handler must not disturb the request or the reply */
    kide_msg_put(&rpc->out, v + 1);
    kide_log(env, "rt-test: handler got %lu '%s'", v, s);
    void *junk = kide_malloc(100000);
    kide_free(junk);
    for (kide_u64 i = 0; i < len; i++)
        r[i] = s[len - 1 - i];
    r[len] = 0;
    kide_msg_put_str(&rpc->out, r);
    seen_cap = rpc->cap_in;
    if (rpc->op == 2 && rpc->cap_in) { /* keep it and send it back */
        kept_cap = rpc->cap_in;
        rpc->cap_in = 0;
        rpc->cap_out = kept_cap;
        rpc->cap_perm = KIDE_SM_UP | KIDE_SM_DOWN;
    }
    return KIDE_OK;
}

static void t_portal(void)
{
    kide_sel pt;
    CHECK(kide_portal_create(E, echo, 0, &pt) == KIDE_OK);
    struct kide_msg m;
    kide_msg_begin(&m, 1);
    kide_msg_put(&m, 41);
    kide_msg_put_str(&m, "abcdefghijk");
    CHECK(kide_msg_call(&m, pt, 0) == KIDE_OK);
    char s[64];
    CHECK(kide_msg_get(&m) == 42);
    CHECK(kide_msg_get_str(&m, s, sizeof(s)) == 11 && !strcmp(s, "kjihgfedcba") && !m.bad);
    /* a capability there and back */
    kide_sel sm, back = kide_sel_alloc(0);
    CHECK(kide_sm_create(E, 0, &sm) == KIDE_OK);
    kide_msg_begin(&m, 2);
    kide_msg_put(&m, 0);
    kide_msg_put_str(&m, "");
    CHECK(kide_msg_call_cap(&m, pt, back, sm, KIDE_SM_UP | KIDE_SM_DOWN) == KIDE_OK);
    CHECK(kept_cap && m.rcv == back && m.items == 1);
    CHECK(kide_ctrl_sm(KIDE_CTRL_SM_UP, back, 0) == KIDE_OK);
    CHECK(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, kide_now_ns() + 1000000) == KIDE_OK);
    /* one the handler does not keep is revoked after the call */
    kide_msg_begin(&m, 1);
    kide_msg_put(&m, 0);
    kide_msg_put_str(&m, "");
    CHECK(kide_msg_call_cap(&m, pt, 0, sm, KIDE_SM_UP) == KIDE_OK);
    kide_u64 found = 0, info = 0;
    CHECK(seen_cap && seen_cap != kept_cap);
    CHECK(kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, seen_cap, 0, 0), &found, &info) == KIDE_OK);
    CHECK(KIDE_CRD_KIND(found) == KIDE_CRD_NULL);
    /* malformed: no words, a truncated string */
    struct kide_utcb *u = rt_utcb();
    u->msg = 0;
    CHECK(kide_call(pt) == KIDE_OK && KIDE_MSG_UNTYPED(u->msg) == 1 &&
          u->words[0] == KIDE_BAD_PARAM);
    u->words[0] = 1, u->words[1] = 5, u->words[2] = 100;
    u->msg = KIDE_MSG(3, 0);
    CHECK(kide_call(pt) == KIDE_OK && u->words[0] == KIDE_BAD_PARAM);
    kide_portal_destroy(E, pt);
    kide_msg_begin(&m, 1);
    CHECK(kide_msg_call(&m, pt, 0) == KIDE_BAD_CAP);
    kide_cap_drop(kept_cap);
    kide_cap_drop(back);
    kide_cap_drop(sm);
}

/* ---- a service against a fake parent ---- */
static kide_sel fake_root, give_pt;
static kide_u64 fake_pending, fake_alive, fake_closed, fake_open_status;
static char fake_service[64];

static int fake_parent(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    (void)env, (void)obj;
    switch (rpc->op) {
    case KIDE_PARENT_ANNOUNCE:
        kide_msg_get_str(&rpc->in, fake_service, sizeof(fake_service));
        if (rpc->in.bad || !rpc->cap_in)
            return KIDE_BAD_PARAM;
        fake_root = rpc->cap_in;
        rpc->cap_in = 0;
        return KIDE_OK;
    case KIDE_PARENT_OPEN:
        if (fake_open_status != KIDE_OK)
            return (int)fake_open_status;
        kide_msg_put(&rpc->out, 77);
        rpc->cap_out = give_pt;
        return KIDE_OK;
    case KIDE_PARENT_CLOSE:
        fake_closed = kide_msg_get(&rpc->in);
        return KIDE_OK;
    case KIDE_PARENT_PENDING:
        kide_msg_put(&rpc->out, fake_pending);
        return KIDE_OK;
    case KIDE_PARENT_ALIVE:
        fake_alive++;
        return KIDE_OK;
    }
    return KIDE_BAD_PARAM;
}

struct sess {
    kide_u64 calls;
};
static int opened, closed;

static void *s_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                    int *status)
{
    (void)env, (void)ram;
    if (!strcmp(label, "deny")) {
        *status = KIDE_DENIED;
        return 0;
    }
    if (strcmp(args, "x=1"))
        return 0; /* status left alone: the runtime says DENIED */
    opened++;
    return kide_calloc(1, sizeof(struct sess));
}

static void s_close(struct kide_env *env, void *s)
{
    (void)env;
    closed++;
    kide_free(s);
}

static int s_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct sess *s = session;
    (void)env;
    if (rpc->op != 1)
        return KIDE_BAD_PARAM;
    kide_msg_put(&rpc->out, ++s->calls);
    return KIDE_OK;
}

static const struct kide_service_ops ops = {.open = s_open, .close = s_close, .call = s_call};

static int srv_open(kide_sel root, const char *label, const char *args, kide_sel rcv, kide_u64 *sid)
{
    struct kide_parent_chan ch = {.pt = root};
    struct kide_srv_open_req req = {.ram = 0, .label = label, .args = args};
    struct kide_srv_open_rep rep;
    kide_sel got;
    int st = kide_srv_open(&ch, &req, rcv, &rep, &got); /* OK without an id: BAD_PARAM */
    if (st == KIDE_OK) {
        *sid = rep.id;
        if (got != rcv)
            return -1;
    }
    return st;
}

static int hello(kide_sel pt, kide_u64 *n)
{
    struct kide_msg m;
    kide_msg_begin(&m, 1);
    int st = kide_msg_call(&m, pt, 0);
    *n = kide_msg_get(&m);
    return st;
}

static void yielded(struct kide_env *env, kide_u64 bytes)
{
    (void)env, (void)bytes;
    fake_pending = 0;
    opened += 1000;
}

static void t_service(void)
{
    kide_sel parent;
    struct kide_session s;
    CHECK(kide_service_announce(E, "Demo", &ops) == KIDE_NOT_FOUND); /* no parent */
    CHECK(kide_session_open(E, "Demo", 0, 0, &s) == KIDE_NOT_FOUND);
    CHECK(kide_portal_create(E, fake_parent, 0, &parent) == KIDE_OK);
    E->parent = parent;
    CHECK(kide_service_announce(E, "", &ops) == KIDE_BAD_PARAM);
    CHECK(kide_service_announce(E, "Demo", &ops) == KIDE_OK);
    CHECK(fake_root && !strcmp(fake_service, "Demo"));

    kide_sel sp = kide_sel_alloc(0);
    kide_u64 sid = 0, n = 0;
    CHECK(srv_open(fake_root, "tester", "x=1", sp, &sid) == KIDE_OK && opened == 1);
    CHECK(hello(sp, &n) == KIDE_OK && n == 1);
    CHECK(hello(sp, &n) == KIDE_OK && n == 2);
    kide_u64 dummy;
    CHECK(srv_open(fake_root, "deny", "x=1", kide_sel_alloc(0), &dummy) == KIDE_DENIED);
    CHECK(srv_open(fake_root, "tester", "nope", kide_sel_alloc(0), &dummy) == KIDE_DENIED);

    /* the client side, with the fake parent handing out the same session */
    give_pt = sp;
    CHECK(kide_session_open(E, "Demo", "x=1", 4096, &s) == KIDE_OK);
    CHECK(s.pt && s.handle == 77 && s.donated == 4096);
    CHECK(hello(s.pt, &n) == KIDE_OK && n == 3);
    kide_session_close(E, &s);
    CHECK(fake_closed == 77 && !s.pt);
    struct kide_session s2;
    give_pt = 0; /* OK without a portal: malformed, closed again */
    fake_closed = 0;
    CHECK(kide_session_open(E, "Demo", 0, 0, &s2) == KIDE_BAD_PARAM && fake_closed == 77);
    fake_open_status = KIDE_DENIED;
    CHECK(kide_session_open(E, "Demo", 0, 0, &s2) == KIDE_DENIED);
    fake_open_status = KIDE_OK;
    char big[300];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    CHECK(kide_session_open(E, "Demo", big, 0, &s2) == KIDE_BAD_PARAM);

    /* malformed requests to the root portal */
    struct kide_msg m;
    kide_msg_begin(&m, 99);
    CHECK(kide_msg_call(&m, fake_root, 0) == KIDE_BAD_PARAM);
    kide_msg_begin(&m, KIDE_SRV_OPEN);
    kide_msg_put(&m, 0);
    kide_msg_put(&m, 1000); /* a label longer than the message */
    CHECK(kide_msg_call(&m, fake_root, 0) == KIDE_BAD_PARAM);
    struct kide_parent_chan root = {.pt = fake_root};
    CHECK(kide_srv_close(&root, &(struct kide_srv_close_req){.id = sid + 256}) == KIDE_BAD_PARAM);
    kide_msg_begin(&m, 2); /* unknown session op */
    CHECK(kide_msg_call(&m, sp, 0) == KIDE_BAD_PARAM);

    /* close: the session's portal is gone */
    CHECK(kide_srv_close(&root, &(struct kide_srv_close_req){.id = sid}) == KIDE_OK && closed == 1);
    CHECK(hello(sp, &n) == KIDE_BAD_CAP);
    CHECK(kide_srv_close(&root, &(struct kide_srv_close_req){.id = sid}) ==
          KIDE_BAD_PARAM); /* twice */

    /* a yield request and a heartbeat through the parent */
    void *p[64];
    for (int i = 0; i < 64; i++)
        p[i] = kide_malloc(8000);
    for (int i = 0; i < 64; i++)
        kide_free(p[i]);
    struct kide_heap_stats before, after;
    kide_heap_stats(&before);
    kide_on_yield(E, yielded);
    fake_pending = KIDE_PARENT_WANT_YIELD | KIDE_PARENT_WANT_HEARTBEAT;
    rt_handle_signal(E);
    kide_heap_stats(&after);
    CHECK(opened == 1001 && fake_alive == 1);
    CHECK(after.chunks < before.chunks);
    E->parent = KIDE_COMP_SEL_PARENT;
}

void kide_main(struct kide_env *env)
{
    static const struct {
        const char *name;
        void (*fn)(void);
    } tests[] = {{"env", t_env},
                 {"log", t_log},
                 {"heap", t_heap},
                 {"quota", t_quota},
                 {"ram", t_ram},
                 {"ram-part", t_ram_part},
                 {"sel-sm", t_sel_sm},
                 {"portal", t_portal},
                 {"service", t_service},
                 {"threads", t_threads},
                 {"thread-limit", t_thread_limit},
                 {"thread-bad", t_thread_bad},
                 {"low-window", t_low_window},
                 {"exit-signal", t_exit_signal},
                 {"thread-fault", t_thread_fault},
                 {"cpu-split", t_cpu_split}};
    E = env;
    if (kide_has_parent(env) || kide_args(env)[0])
        rt_child_main(env); /* one of the tests' sub-accounts (rt_threads.c) */
    for (unsigned i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
        int before = failed;
        cur = tests[i].name;
        tests[i].fn();
        if (failed == before) {
            passed++;
            kide_log(env, "rt-test: %s: ok", cur);
        }
    }
    kide_log(env, "rt-test: %d passed, %d failed", passed, failed);
    kide_exit(env, failed ? 1 : 0);
}
