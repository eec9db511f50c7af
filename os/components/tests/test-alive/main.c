/* SPDX-License-Identifier: MIT */
/* test-alive: the habitat stays alive while a server hangs in a session open.
 *
 * Reads the state report through the management session every 200 ms for
 * at most `window_ms`. Every report must come back within `max_report_ms`
 * (hoitaja's handler may wait for a hung server only until that call's
 * deadline). It passes once the hung server (`hung`) was restarted, the
 * crashing child (`crash`) was restarted at least twice more after that
 * (supervision kept running), and the heartbeat child (`beat`) is running
 * without a restart (its heartbeats were answered meanwhile).
 * Config: `hung` ("hang"), `crash` ("crash"), `beat` ("beat"),
 * `window_ms` (30000), `max_report_ms` (5000).
 */
#include "test.h"

#define WHAT "habitat alive"

static char buf[32768];
static struct kide_json_tok tok[T_TOKENS];

/* restarts (and state) of child `name` in the report; FAIL if absent. */
static kide_u64 restarts_of(struct kide_env *env, const struct kide_json_doc *doc, const char *name,
                            char *state, kide_u64 size)
{
    kide_u64 r = 0;
    int c = t_report_child(doc, name);
    if (c < 0 || t_json_u64(doc, c, "restarts", &r) || t_json_str(doc, c, "state", state, size))
        t_fail(env, WHAT, "child %s is not in the report", name);
    return r;
}

void kide_main(struct kide_env *env)
{
    char hung[40], crash[40], beat[40], st_h[24], st_c[24], st_b[24];
    t_cfg_str(env, "hung", "hang", hung, sizeof(hung));
    t_cfg_str(env, "crash", "crash", crash, sizeof(crash));
    t_cfg_str(env, "beat", "beat", beat, sizeof(beat));
    kide_u64 window = t_cfg_u64(env, "window_ms", 30000);
    kide_u64 max_report = t_cfg_u64(env, "max_report_ms", 5000);
    struct t_mgmt m;
    int st = t_mgmt_open(env, &m, 5000);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "opening the management session: %s", t_status(st));
    kide_u64 end = kide_now_ns() + window * 1000000ull, crash_at_hang = ~0ull, slowest = 0;
    kide_u64 last_h = 0, last_c = 0;
    while (kide_now_ns() < end) {
        kide_u64 len, t0 = kide_now_ns();
        if ((st = t_mgmt_report(&m, buf, sizeof(buf), &len)) != KIDE_OK)
            t_fail(env, WHAT, "reading the report: %s", t_status(st));
        kide_u64 ms = (kide_now_ns() - t0) / 1000000ull;
        if (ms > max_report)
            t_fail(env, WHAT, "the report took %llu ms (at most %llu)", (unsigned long long)ms,
                   (unsigned long long)max_report);
        slowest = ms > slowest ? ms : slowest;
        struct kide_json_doc doc;
        if (t_parse(env, &doc, buf, len, tok, T_TOKENS))
            t_fail(env, WHAT, "the report is not JSON");
        kide_u64 rh = restarts_of(env, &doc, hung, st_h, sizeof(st_h));
        kide_u64 rc = restarts_of(env, &doc, crash, st_c, sizeof(st_c));
        kide_u64 rb = restarts_of(env, &doc, beat, st_b, sizeof(st_b));
        last_h = rh, last_c = rc;
        if (rb != 0 || !t_streq(st_b, "running"))
            t_fail(env, WHAT, "%s is %s with %llu restarts: its heartbeats went unanswered", beat,
                   st_b, (unsigned long long)rb);
        if (rh >= 1 && crash_at_hang == ~0ull)
            crash_at_hang = rc;
        if (crash_at_hang != ~0ull && rc >= crash_at_hang + 2) {
            kide_log(env, "alive: %s restarted %llu times, %s %llu, slowest report %llu ms", hung,
                     (unsigned long long)rh, crash, (unsigned long long)rc,
                     (unsigned long long)slowest);
            t_pass(env, WHAT);
            t_idle(env);
        }
        kide_sleep_ms(200);
    }
    t_fail(env, WHAT, "after %llu ms: %s %s with %llu restarts, %s %s with %llu",
           (unsigned long long)window, hung, st_h, (unsigned long long)last_h, crash, st_c,
           (unsigned long long)last_c);
}
