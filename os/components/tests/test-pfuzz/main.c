/* SPDX-License-Identifier: MIT */
/* test-pfuzz: fuzzes hoitaja's parent and management protocols from a child.
 *
 * `rounds` times (2000) it picks, from a seeded PRNG (`seed`, 1), one of:
 * an open of a service its routes send to misbehaving servers (one that
 * never answers, one that answers nonsense) or to a sane one, to the
 * management session, to a denied or unknown name, with odd donations, long
 * args and label suffixes; a close or upgrade of a real, stale or made-up
 * handle; an announce with and without a capability; ALIVE, PENDING, an
 * unknown op, an oversized message; a status of junk, deep or too long JSON,
 * and a config portal (the child is not config_live); a call on one of its sessions; or a
 * management request with random words (reports at odd offsets, uploads of
 * junk, applies of junk with the right and wrong generations, events,
 * subscribe, control of made-up, bad and real children with any action (never
 * of the heartbeat child), the configuration at odd offsets, log lines of any
 * child after any sequence number with any flags). Capabilities it does not expect are planted
 * along (its own semaphore as a typed item). Every call must come back: the scenario's timeout
 * catches a hoitaja that hangs, and at the end a report must come back within `max_report_ms`
 * (5000) and list every child (`children`), and the heartbeat child (`beat`) must be running
 * unrestarted. Logs the number of calls per status class, then `PASS parent fuzz`.
 */
#include "test.h"
#include <kide/syscall.h>

#define WHAT "parent fuzz"
#define MAXS 48u
#define JUNK 300u

struct sess {
    kide_sel pt;
    kide_u64 handle;
};

static struct sess sess[MAXS];
static unsigned nsess;
static kide_u64 rng;
static char junk[JUNK + 1];
static char report[32768];
static struct kide_json_tok tok[T_TOKENS];
static kide_u64 n_ok, n_err;

static kide_u64 rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* A random string of up to max bytes (no NUL) in junk. */
static const char *junk_str(unsigned max)
{
    unsigned n = (unsigned)(rnd() % (max + 1));
    for (unsigned i = 0; i < n; i++)
        junk[i] = (char)(1 + rnd() % 255);
    junk[n] = 0;
    return junk;
}

static const char *service(void)
{
    static const char *names[] = {"Hang", "Plant", "Echo", "Hoitaja", "Nope", "", "*"};
    kide_u64 k = rnd() % 9;
    return k < 7 ? names[k] : junk_str(40);
}

static kide_u64 amount(void)
{
    static const kide_u64 v[] = {0, 0, 4096, 65536, ~0ull, 1ull << 40, 1};
    return v[rnd() % 7];
}

static kide_u64 handle(void)
{
    if (nsess && rnd() % 2)
        return sess[rnd() % nsess].handle;
    return rnd() % 3 ? rnd() & 0xffffffffffull : rnd();
}

static void count(int st)
{
    if (st == KIDE_OK)
        n_ok++;
    else
        n_err++;
}

static void forget(unsigned i)
{
    kide_cap_drop(sess[i].pt);
    sess[i] = sess[--nsess];
}

static void fuzz_open(kide_sel sm)
{
    struct kide_msg m;
    kide_sel rcv = kide_sel_alloc(0);
    if (!rcv)
        return;
    kide_msg_begin(&m, KIDE_PARENT_OPEN);
    kide_msg_put(&m, amount());
    kide_msg_put_str(&m, service());
    kide_msg_put_str(&m, rnd() % 4 ? "" : junk_str(JUNK));
    if (rnd() % 4 == 0)
        kide_msg_put_str(&m, junk_str(120));
    int st = kide_msg_call_cap(&m, KIDE_COMP_SEL_PARENT, rcv, rnd() % 8 ? 0 : sm, KIDE_SM_UP);
    kide_u64 h = kide_msg_get(&m);
    count(st);
    if (st == KIDE_OK && m.rcv == rcv && nsess < MAXS) {
        sess[nsess++] = (struct sess){rcv, h};
        return;
    }
    kide_cap_drop(rcv); /* frees the selector, with whatever landed there */
}

static void fuzz_close(void)
{
    struct kide_msg m;
    kide_u64 h = handle();
    kide_msg_begin(&m, KIDE_PARENT_CLOSE);
    kide_msg_put(&m, h);
    int st = kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0);
    count(st);
    for (unsigned i = 0; st == KIDE_OK && i < nsess; i++)
        if (sess[i].handle == h) {
            forget(i);
            break;
        }
}

static void fuzz_misc(kide_sel sm)
{
    struct kide_msg m;
    int st;
    switch (rnd() % 7) {
    case 0:
        kide_msg_begin(&m, KIDE_PARENT_UPGRADE);
        kide_msg_put(&m, handle());
        kide_msg_put(&m, amount());
        st = kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0);
        break;
    case 1:
        kide_msg_begin(&m, KIDE_PARENT_ANNOUNCE);
        kide_msg_put_str(&m, service());
        st = kide_msg_call_cap(&m, KIDE_COMP_SEL_PARENT, 0, rnd() % 2 ? sm : 0, KIDE_SM_UP);
        break;
    case 2:
        kide_msg_begin(&m, rnd() % 2 ? KIDE_PARENT_ALIVE : KIDE_PARENT_PENDING);
        st = kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0);
        break;
    case 3: /* unknown op, random words */
        kide_msg_begin(&m, rnd() % 2 ? rnd() % 16 : rnd());
        for (unsigned n = (unsigned)(rnd() % 40); n; n--)
            kide_msg_put(&m, rnd());
        st = kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0);
        break;
    case 4: /* a request with no words at all after the op, for every op */
        kide_msg_begin(&m, 1 + rnd() % 8);
        st = kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0);
        break;
    case 5: /* a status of junk or of deep, long or odd JSON; a config portal it may not have */
        if (rnd() % 4 == 0) {
            kide_msg_begin(&m, KIDE_PARENT_CONFIG_PORTAL);
            st = kide_msg_call_cap(&m, KIDE_COMP_SEL_PARENT, 0, rnd() % 2 ? sm : 0, KIDE_SM_UP);
            break;
        }
        kide_msg_begin(&m, KIDE_PARENT_STATUS);
        switch (rnd() % 4) {
        case 0:
            kide_msg_put_str(&m, junk_str(JUNK));
            break;
        case 1:
            kide_msg_put_str(&m, "{\"a\":[[[[[[[[[[1]]]]]]]]]]}");
            break;
        case 2:
            kide_msg_put_str(&m, "{\"ok\":1,\"s\":\"\\u0000\\n\"}");
            break;
        default: /* longer than KIDE_STATUS_MAX */
            kide_msg_put(&m, KIDE_STATUS_MAX + 1 + rnd() % 64);
            for (unsigned n = (KIDE_STATUS_MAX + 72) / 8; n; n--)
                kide_msg_put(&m, 0x2020202020202020ull);
            break;
        }
        st = kide_msg_call(&m, KIDE_COMP_SEL_PARENT, 0);
        break;
    default: /* one of its sessions, random op and words */
        if (!nsess)
            return;
        kide_msg_begin(&m, rnd() % 8);
        for (unsigned n = (unsigned)(rnd() % 8); n; n--)
            kide_msg_put(&m, rnd() % 4 ? rnd() % 4096 : rnd());
        st = kide_msg_call(&m, sess[rnd() % nsess].pt, 0);
        break;
    }
    count(st);
}

/* A child's name for CONTROL and LOGS: real ones (never the heartbeat child for
 * CONTROL: the end checks it ran unrestarted), made-up, malformed, too long; or a
 * length word that promises more bytes than come. */
static void put_child(struct kide_msg *m, int control)
{
    static const char *names[] = {"hang", "plant", "echo", "fuzz", "beat", "nope", "", "A"};
    kide_u64 k = rnd() % 11;
    if (k == 10) {
        kide_msg_put(m, rnd() % 3 ? 1 + rnd() % 64 : rnd());
        return;
    }
    const char *name = k < 8    ? names[k]
                       : k == 8 ? junk_str(40)
                                : "abcdefghijklmnopqrstuvwxyz0123456";
    if (control && t_streq(name, "beat"))
        name = "nope";
    kide_msg_put_str(m, name);
}

static void fuzz_mgmt(struct t_mgmt *mg, kide_u64 gen)
{
    struct kide_msg m;
    kide_sel rcv = 0;
    kide_u64 op = 1 + rnd() % 10;
    kide_msg_begin(&m, op);
    switch (op) {
    case KIDE_MGMT_REPORT:
    case KIDE_MGMT_RESULT:
    case KIDE_MGMT_EVENTS:
        kide_msg_put(&m, rnd() % 3 ? rnd() % 8192 : rnd());
        break;
    case KIDE_MGMT_UPLOAD: {
        kide_u64 total = rnd() % 3 ? rnd() % 600 : rnd() % (KIDE_MGMT_CONFIG_MAX + 2);
        kide_msg_put(&m, total);
        kide_msg_put(&m, rnd() % 2 ? 0 : rnd() % (total + 2));
        kide_msg_put_str(&m, rnd() % 3 ? "{\"generation\": " : junk_str(200));
        break;
    }
    case KIDE_MGMT_APPLY: /* junk only: never a configuration that parses */
        kide_msg_put(&m, rnd() % 2 ? gen + 1 : rnd());
        kide_msg_put(&m, rnd() % 3);
        break;
    case KIDE_MGMT_SUBSCRIBE:
        rcv = kide_sel_alloc(0);
        break;
    case KIDE_MGMT_CONTROL:
        kide_msg_put(&m, rnd() % 4 ? rnd() % 5 : rnd());
        put_child(&m, 1);
        break;
    case KIDE_MGMT_CONFIG:
        kide_msg_put(&m, rnd() % 3 ? rnd() % 2048 : rnd());
        break;
    case KIDE_MGMT_LOGS:
        kide_msg_put(&m, rnd() % 3 ? rnd() % 64 : rnd() % 2 ? ~0ull : rnd());
        kide_msg_put(&m, rnd() % 4 ? 0 : rnd() % 3);
        put_child(&m, 0);
        break;
    default:
        for (unsigned n = (unsigned)(rnd() % 10); n; n--)
            kide_msg_put(&m, rnd());
        break;
    }
    int st = kide_msg_call(&m, mg->s.pt, rcv);
    count(st);
    if (rcv)
        kide_cap_drop(rcv);
}

void kide_main(struct kide_env *env)
{
    kide_u64 rounds = t_cfg_u64(env, "rounds", 2000);
    kide_u64 max_report = t_cfg_u64(env, "max_report_ms", 5000);
    rng = t_cfg_u64(env, "seed", 1) * 0x9e3779b97f4a7c15ull | 1;
    char kids[200];
    t_cfg_str(env, "children", "hang,plant,echo,fuzz", kids, sizeof(kids));
    kide_sel sm;
    struct t_mgmt mg;
    int st = kide_sm_create(env, 0, &sm);
    if (st == KIDE_OK)
        st = t_mgmt_open(env, &mg, 5000);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "setting up: %s", t_status(st));
    for (kide_u64 i = 0; i < rounds; i++) {
        kide_u64 k = rnd() % 16;
        if (k < 4)
            fuzz_open(sm);
        else if (k < 7)
            fuzz_close();
        else if (k < 11)
            fuzz_misc(sm);
        else
            fuzz_mgmt(&mg, 1);
        if (nsess == MAXS)
            forget((unsigned)(rnd() % nsess));
        if (i % 500 == 499)
            kide_log(env, "pfuzz: %llu rounds, %llu OK, %llu refused", (unsigned long long)i + 1,
                     (unsigned long long)n_ok, (unsigned long long)n_err);
    }
    /* The habitat still answers, and still knows its children. */
    kide_u64 len, t0 = kide_now_ns();
    if ((st = t_mgmt_report(&mg, report, sizeof(report), &len)) != KIDE_OK)
        t_fail(env, WHAT, "the final report: %s", t_status(st));
    kide_u64 ms = (kide_now_ns() - t0) / 1000000ull;
    struct kide_json_doc doc;
    if (ms > max_report || t_parse(env, &doc, report, len, tok, T_TOKENS))
        t_fail(env, WHAT, "the final report took %llu ms or is not JSON", (unsigned long long)ms);
    for (char *p = kids, *q; *p; p = q) {
        for (q = p; *q && *q != ','; q++)
            ;
        int last = !*q;
        *q = 0;
        if (t_report_child(&doc, p) < 0)
            t_fail(env, WHAT, "child %s is missing from the report", p);
        q += !last;
    }
    /* A child with heartbeats was never taken for dead meanwhile. */
    char beat[40], state[24] = "";
    kide_u64 restarts = 0;
    t_cfg_str(env, "beat", "beat", beat, sizeof(beat));
    int b = t_report_child(&doc, beat);
    if (b < 0 || t_json_u64(&doc, b, "restarts", &restarts) ||
        t_json_str(&doc, b, "state", state, sizeof(state)) || restarts ||
        !t_streq(state, "running"))
        t_fail(env, WHAT, "%s is %s with %llu restarts: its heartbeats went unanswered", beat,
               state, (unsigned long long)restarts);
    kide_log(env, "pfuzz: %llu calls answered OK, %llu refused", (unsigned long long)n_ok,
             (unsigned long long)n_err);
    t_pass(env, WHAT);
    t_idle(env);
}
