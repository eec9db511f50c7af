/* SPDX-License-Identifier: MIT */
/* test-acct: CPU time in the report agrees with the kernel's SC counters.
 *
 * Scenario tests/accounting. Two checks, each within `tol_permille` (10 =
 * 1 %):
 *  1. core's account total against the raw per-thread SC counters: the
 *     checker starts test-burner as its own sub-account, waits until its
 *     CPU time stops moving (it burned `burn_ms` and blocked), and compares
 *     KIDE_OWN_STATE w10 (the account's CPU ns) with the sum of
 *     KIDE_OWN_THREADS (each thread's SC counter as the kernel keeps it).
 *     It also checks the burner really got about `burn_ms`.
 *  2. hoitaja's report against core: the sibling `burn` (a hoitaja child,
 *     test-burner with service Acct) burned and blocked; the checker compares
 *     the report's cpu.ns of `burn` with what core tells the burner itself
 *     (KIDE_CORE_QUOTA w5, asked through its Acct service). A component
 *     cannot read another account's counters, so this proves hoitaja reports
 *     core's number for the child, not an estimate of its own.
 */
#include "test.h"

#define WHAT "accounting"

static char report[65536];
static struct kide_json_tok tok[T_TOKENS];
static struct kide_env *env;

static kide_u64 diff(kide_u64 a, kide_u64 b)
{
    return a > b ? a - b : b - a;
}

static void check_close(const char *what, kide_u64 a, kide_u64 b, kide_u64 tol_permille)
{
    kide_u64 d = diff(a, b);
    kide_log(env, "acct: %s: %llu ns vs %llu ns (diff %llu ns)", what, (unsigned long long)a,
             (unsigned long long)b, (unsigned long long)d);
    if (d * 1000 > a * tol_permille)
        t_fail(env, WHAT, "%s: %llu ns vs %llu ns differ by more than %llu permille", what,
               (unsigned long long)a, (unsigned long long)b, (unsigned long long)tol_permille);
}

static void check_sub(kide_u64 burn_ms, kide_u64 tol)
{
    struct t_sub sub;
    struct kide_own_state_rep w;
    kide_u64 prev = ~0ull, ns[KIDE_CORE_MAX_THREADS], sum = 0;
    unsigned n;
    int rc = t_sub_create(&sub, "burner", 2u << 20, 64, 100, 64);
    if (rc == KIDE_OK) {
        char cfg[64];
        kide_snprintf(cfg, sizeof(cfg), "{\"burn_ms\": %llu}", (unsigned long long)burn_ms);
        rc = t_sub_start(&sub, "test-burner", cfg);
    }
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "starting the burner sub-account: %s", t_status(rc));
    kide_u64 deadline = kide_now_ns() + 60000000000ull;
    /* Stable: two reads 200 ms apart agree, after it burned its amount. */
    for (;;) {
        if ((rc = t_sub_state(&sub, &w)) != KIDE_OK)
            t_fail(env, WHAT, "OWN_STATE: %s", t_status(rc));
        if (w.state != KIDE_ACC_RUNNING)
            t_fail(env, WHAT, "the burner is in state %llu", (unsigned long long)w.state);
        if (w.cpu_ns == prev && w.cpu_ns >= burn_ms * 1000000ull)
            break;
        if (kide_now_ns() > deadline)
            t_fail(env, WHAT, "the burner's CPU time never settled (%llu ns)",
                   (unsigned long long)w.cpu_ns);
        prev = w.cpu_ns;
        kide_sleep_ms(200);
    }
    if ((rc = t_sub_threads(&sub, ns, KIDE_CORE_MAX_THREADS, &n)) != KIDE_OK || n == 0)
        t_fail(env, WHAT, "OWN_THREADS: %s, %u threads", t_status(rc), n);
    for (unsigned i = 0; i < n; i++)
        sum += ns[i];
    check_close("account total vs SC counters", w.cpu_ns, sum, tol);
    /* It stops within one loop step (well under 100 ms) past burn_ms. */
    if (w.cpu_ns > burn_ms * 1000000ull + 100000000ull)
        t_fail(env, WHAT, "the burner used %llu ns for a %llu ms burn",
               (unsigned long long)w.cpu_ns, (unsigned long long)burn_ms);
    t_sub_destroy(&sub);
}

static kide_u64 ask_burner(struct kide_session *s)
{
    struct kide_msg m;
    kide_msg_begin(&m, 1);
    int rc = kide_msg_call(&m, s->pt, 0);
    kide_u64 v = kide_msg_get(&m);
    if (rc != KIDE_OK || m.bad)
        t_fail(env, WHAT, "asking the burner: %s", t_status(rc));
    return v;
}

static void check_report(const char *name, kide_u64 tol)
{
    struct t_mgmt mg;
    struct kide_session s;
    kide_u64 deadline = kide_now_ns() + 60000000000ull;
    int rc;
    /* The burner announces Acct only after it burned and blocked. */
    while ((rc = kide_session_open(env, "Acct", "", 0, &s)) == KIDE_NOT_FOUND &&
           kide_now_ns() < deadline)
        kide_sleep_ms(100);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "session to the burner's Acct: %s", t_status(rc));
    if ((rc = t_mgmt_open(env, &mg, 10000)) != KIDE_OK)
        t_fail(env, WHAT, "opening the Hoitaja session: %s", t_status(rc));
    kide_u64 core_ns = ask_burner(&s), len, rep_ns;
    if ((rc = t_mgmt_report(&mg, report, sizeof(report), &len)) != KIDE_OK)
        t_fail(env, WHAT, "reading the report: %s", t_status(rc));
    kide_u64 core_ns2 = ask_burner(&s);
    struct kide_json_doc doc;
    if (t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "the report is not JSON");
    int c = t_report_child(&doc, name);
    if (c < 0 || t_json_u64(&doc, c, "cpu.ns", &rep_ns) < 0)
        t_fail(env, WHAT, "no cpu.ns for %s in the report", name);
    if (core_ns != core_ns2)
        t_fail(env, WHAT, "the blocked burner's CPU time moved: %llu -> %llu",
               (unsigned long long)core_ns, (unsigned long long)core_ns2);
    check_close("hoitaja report vs core", core_ns, rep_ns, tol);
}

void kide_main(struct kide_env *e)
{
    env = e;
    kide_u64 burn_ms = t_cfg_u64(env, "burn_ms", 1000);
    kide_u64 tol = t_cfg_u64(env, "tol_permille", 10);
    char sibling[40];
    t_cfg_str(env, "sibling", "burn", sibling, sizeof(sibling));

    check_sub(burn_ms, tol);
    kide_log(env, "PASS accounting: core account vs SC counters");
    check_report(sibling, tol);
    kide_log(env, "PASS accounting: report vs core");
    t_pass(env, WHAT);
    t_idle(env);
}
