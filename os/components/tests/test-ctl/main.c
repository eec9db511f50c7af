/* SPDX-License-Identifier: MIT */
/* test-ctl: drives CONTROL, CONFIG and LOGS of the management session.
 *
 * Scenario tests/mgmt-control. The driver holds its habitat's "Hoitaja"
 * session and its siblings are test-talker instances:
 *   talk  (3 lines, restart always, heartbeat): its lines are read with LOGS;
 *         stopped (report `stopped`, no restart and no heartbeat fault for two
 *         heartbeat periods, a STOPPED event, its lines still readable, a second
 *         stop rejected), started (restarts unchanged), restarted (restarts + 1,
 *         the new life's lines follow with higher sequence numbers);
 *   flood (many lines): more than its ring holds, so a read from 0 reports lost lines;
 *   crash (one line, then a fault): its last line is read after it faulted.
 * CONFIG is read whole, its generation checked against the report, and applied
 * back unchanged as the next generation: nothing may change (no child result).
 * Bad names, unknown actions and flags are refused.
 */
#include "test.h"

#define WHAT "mgmt-control"

static struct kide_env *env;
static struct t_mgmt mg;
static char report[65536], conf[65536], result[16384];
static struct kide_json_tok tok[T_TOKENS];
static struct kide_json_doc doc;
static struct kide_mgmt_logs_rep logs; /* 3.9 KiB: off the stack */

static void read_report(void)
{
    kide_u64 len;
    int rc = t_mgmt_report(&mg, report, sizeof(report), &len);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "reading the report: %s", t_status(rc));
    if (t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "the report is not JSON");
}

static void child_str(const char *name, const char *path, char *buf, kide_u64 size)
{
    int c = t_report_child(&doc, name);
    if (c < 0 || t_json_str(&doc, c, path, buf, size) < 0)
        kide_snprintf(buf, size, "%s", c < 0 ? "absent" : "none");
}

static kide_u64 child_u64(const char *name, const char *path)
{
    kide_u64 v;
    int c = t_report_child(&doc, name);
    if (c < 0 || t_json_u64(&doc, c, path, &v) < 0)
        t_fail(env, WHAT, "report: %s has no integer %s", name, path);
    return v;
}

/* Poll the report until child `name` is in `state`, at most ms. */
static void wait_state(const char *name, const char *state, kide_u64 ms)
{
    char s[32];
    kide_u64 deadline = kide_now_ns() + ms * 1000000ull;
    for (;;) {
        read_report();
        child_str(name, "state", s, sizeof(s));
        if (t_streq(s, state))
            return;
        if (kide_now_ns() >= deadline)
            t_fail(env, WHAT, "%s did not become %s within %llu ms (it is %s)", name, state,
                   (unsigned long long)ms, s);
        kide_sleep_ms(50);
    }
}

static int control(kide_u64 action, const char *name, char *verdict, kide_u64 size)
{
    struct kide_mgmt_control_req req = {.action = action};
    struct kide_mgmt_control_rep rep;
    KIDE_WIRE_STR(req.child, name, t_strlen(name));
    int rc = kide_mgmt_control(mg.s.pt, &req, &rep);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "CONTROL %llu %s: %s", (unsigned long long)action, name, t_status(rc));
    kide_snprintf(verdict, size, "%s", rep.verdict.bytes);
    return (int)rep.done;
}

static void expect_control(kide_u64 action, const char *name, int done, const char *want)
{
    char v[KIDE_MGMT_VERDICT_MAX];
    int d = control(action, name, v, sizeof(v));
    if (d != done || !t_startswith(v, want))
        t_fail(env, WHAT, "CONTROL %llu %s: done %d verdict '%s', expected %d '%s'",
               (unsigned long long)action, name, d, v, done, want);
    kide_log(env, "ctl: %s: %s", name, v);
}

static int logs_read(const char *name, kide_u64 after, kide_u64 flags)
{
    struct kide_mgmt_logs_req req = {.after = after, .flags = flags};
    KIDE_WIRE_STR(req.name, name, t_strlen(name));
    return kide_mgmt_logs(mg.s.pt, &req, &logs);
}

/* In the last LOGS reply: the seq of the first line starting with prefix (0: none). */
static kide_u64 find_line(const char *prefix, kide_u64 *first_seq)
{
    kide_u64 off = 0, found = 0;
    struct kide_log_line l;
    const char *text;
    char buf[KIDE_LOG_LINE_MAX + 1];
    int rc;
    *first_seq = 0;
    while ((rc = kide_logs_next(&logs, &off, &l, &text)) == 1) {
        if (!*first_seq)
            *first_seq = l.seq;
        kide_u64 n = l.len;
        for (kide_u64 i = 0; i < n; i++)
            buf[i] = text[i];
        buf[n] = 0;
        if (!found && t_startswith(buf, prefix))
            found = l.seq;
    }
    if (rc < 0)
        t_fail(env, WHAT, "a LOGS reply holds a malformed record at byte %llu",
               (unsigned long long)off);
    return found;
}

/* Read `name`'s lines after `after` until one starts with prefix, at most ms: its seq. */
static kide_u64 wait_line(const char *name, kide_u64 after, const char *prefix, kide_u64 ms)
{
    kide_u64 deadline = kide_now_ns() + ms * 1000000ull, first;
    for (;;) {
        int rc = logs_read(name, after, 0);
        if (rc != KIDE_OK)
            t_fail(env, WHAT, "LOGS %s: %s", name, t_status(rc));
        kide_u64 seq = find_line(prefix, &first);
        if (seq)
            return seq;
        /* A full chunk: read on from its last line. */
        if (logs.count && logs.lines.len > KIDE_LOGS_CHUNK_MAX / 2) {
            kide_u64 off = 0;
            struct kide_log_line l;
            const char *t;
            while (kide_logs_next(&logs, &off, &l, &t) == 1)
                after = l.seq;
            continue;
        }
        if (kide_now_ns() >= deadline)
            t_fail(env, WHAT, "%s logged no line '%s...' within %llu ms (next seq %llu)", name,
                   prefix, (unsigned long long)ms, (unsigned long long)logs.next);
        kide_sleep_ms(50);
    }
}

static int has_event(kide_u64 type, const char *child)
{
    struct kide_mgmt_events_req req = {.after = 0};
    struct kide_mgmt_events_rep rep;
    for (;;) {
        if (kide_mgmt_events(mg.s.pt, &req, &rep) != KIDE_OK || !rep.count)
            return 0;
        for (kide_u64 i = 0; i < rep.count; i++)
            if (rep.ev[i].type == type && t_streq(rep.ev[i].child, child))
                return 1;
        req.after = rep.ev[rep.count - 1].seq;
    }
}

static void test_control(void)
{
    kide_u64 seq = wait_line("talk", 0, "talker: done", 10000);
    kide_u64 first;
    find_line("talker: line 1 of 3", &first);
    if (first != 1 || seq != 4 || logs.lost)
        t_fail(env, WHAT, "talk's lines: first seq %llu, done at %llu, lost %llu (want 1, 4, 0)",
               (unsigned long long)first, (unsigned long long)seq, (unsigned long long)logs.lost);
    kide_log(env, "ctl: talk logged %llu lines", (unsigned long long)seq);
    wait_state("talk", "running", 5000);
    kide_u64 hb = child_u64("talk", "restarts");
    expect_control(KIDE_CTL_STOP, "talk", 1, "stopped");
    read_report();
    char s[32];
    child_str("talk", "state", s, sizeof(s));
    if (!t_streq(s, "stopped"))
        t_fail(env, WHAT, "after stop, talk is %s", s);
    /* Two heartbeat periods (500 ms each) and more: neither its policy (always) nor
     * a missed heartbeat may bring it back. A check of a duration, not a wait for
     * something to happen. */
    kide_sleep_ms(1500);
    read_report();
    child_str("talk", "state", s, sizeof(s));
    if (!t_streq(s, "stopped") || child_u64("talk", "restarts") != hb)
        t_fail(env, WHAT, "1.5 s after stop, talk is %s with %llu restarts (was %llu)", s,
               (unsigned long long)child_u64("talk", "restarts"), (unsigned long long)hb);
    if (!has_event(KIDE_EV_STOPPED, "talk"))
        t_fail(env, WHAT, "no STOPPED event for talk");
    expect_control(KIDE_CTL_STOP, "talk", 0, "rejected: already stopped");
    /* Its lines outlive its account. */
    if (wait_line("talk", 0, "talker: done", 1000) != seq)
        t_fail(env, WHAT, "talk's lines changed while it was stopped");
    expect_control(KIDE_CTL_START, "talk", 1, "started");
    wait_state("talk", "running", 5000);
    if (child_u64("talk", "restarts") != hb)
        t_fail(env, WHAT, "start counted a restart");
    expect_control(KIDE_CTL_START, "talk", 0, "rejected: already running");
    kide_u64 seq2 = wait_line("talk", seq, "talker: done", 10000);
    expect_control(KIDE_CTL_RESTART, "talk", 1, "restarted");
    wait_state("talk", "running", 5000);
    if (child_u64("talk", "restarts") != hb + 1)
        t_fail(env, WHAT, "restart: restarts %llu, expected %llu",
               (unsigned long long)child_u64("talk", "restarts"), (unsigned long long)hb + 1);
    /* The new life's lines continue the ring's numbers. */
    kide_u64 seq3 = wait_line("talk", seq2, "talker: done", 10000);
    if (seq2 != 2 * seq || seq3 != 3 * seq)
        t_fail(env, WHAT, "talk's later lives logged done at %llu and %llu, expected %llu, %llu",
               (unsigned long long)seq2, (unsigned long long)seq3, (unsigned long long)2 * seq,
               (unsigned long long)3 * seq);
    expect_control(KIDE_CTL_STOP, "nope", 0, "rejected: no child 'nope'");
    expect_control(9, "talk", 0, "rejected: unknown action");
    expect_control(KIDE_CTL_STOP, "driver", 0, "rejected: a child cannot stop itself");
}

static void test_config(void)
{
    kide_u64 len;
    int rc = kide_mgmt_read_all(mg.s.pt, KIDE_MGMT_CONFIG, conf, sizeof(conf), &len);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "CONFIG: %s", t_status(rc));
    read_report();
    kide_u64 gen, cgen;
    if (t_json_u64(&doc, 0, "generation", &gen) < 0)
        t_fail(env, WHAT, "the report has no generation");
    if (t_parse(env, &doc, conf, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "CONFIG is not JSON: %.80s", conf);
    if (t_json_u64(&doc, 0, "generation", &cgen) < 0 || cgen != gen)
        t_fail(env, WHAT, "CONFIG generation %llu, the report's %llu", (unsigned long long)cgen,
               (unsigned long long)gen);
    if (t_report_child(&doc, "talk") < 0 || t_report_child(&doc, "flood") < 0)
        t_fail(env, WHAT, "CONFIG lacks a child: %.120s", conf);
    kide_log(env, "ctl: config generation %llu, %llu bytes", (unsigned long long)cgen,
             (unsigned long long)len);
    /* Applied back as it is (the generation inside must then say gen + 1): nothing
     * changes, so no child gets a result. */
    char head[40];
    int hn = kide_snprintf(head, sizeof(head), "{\"generation\":%llu,", (unsigned long long)gen);
    if (!t_startswith(conf, head))
        t_fail(env, WHAT, "CONFIG does not start with %s", head);
    static char back[65536 + 64];
    int bn = kide_snprintf(back, sizeof(back), "{\"generation\":%llu,%s",
                           (unsigned long long)gen + 1, conf + hn);
    if (bn < 0 || (kide_u64)bn >= sizeof(back))
        t_fail(env, WHAT, "CONFIG too long to apply back");
    rc = t_mgmt_apply(&mg, back, gen + 1, 0, result, sizeof(result));
    if (rc == KIDE_OK && t_parse(env, &doc, result, t_strlen(result), tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "the apply result is not JSON");
    char st[64];
    if (rc != KIDE_OK || t_json_str(&doc, 0, "status", st, sizeof(st)) < 0 || !t_streq(st, "done"))
        t_fail(env, WHAT, "applying CONFIG back: %s: %.200s", t_status(rc), result);
    for (const char *p = result; *p; p++)
        if (t_startswith(p, "\"child\""))
            t_fail(env, WHAT, "applying CONFIG back changed a child: %.200s", result);
    kide_log(env, "ctl: config applied back unchanged as generation %llu",
             (unsigned long long)gen + 1);
}

static void test_logs(void)
{
    /* flood logs many more lines than its ring holds. */
    kide_u64 n = t_cfg_u64(env, "flood_lines", 2000);
    char done[40];
    kide_snprintf(done, sizeof(done), "talker: done %llu", (unsigned long long)n);
    wait_line("flood", n, done, 30000);
    int rc = logs_read("flood", 0, 0);
    kide_u64 first;
    find_line("talker:", &first);
    if (rc != KIDE_OK || !logs.lost || first != logs.lost + 1 || logs.next != n + 2)
        t_fail(env, WHAT, "flood: %s, lost %llu, first %llu, next %llu", t_status(rc),
               (unsigned long long)logs.lost, (unsigned long long)first,
               (unsigned long long)logs.next);
    kide_log(env, "ctl: flood lost %llu of %llu lines", (unsigned long long)logs.lost,
             (unsigned long long)n + 1);
    /* Beyond the end: nothing, nothing lost. */
    rc = logs_read("flood", ~0ull >> 1, 0);
    if (rc != KIDE_OK || logs.count || logs.lost)
        t_fail(env, WHAT, "flood after the end: %s, %llu lines, %llu lost", t_status(rc),
               (unsigned long long)logs.count, (unsigned long long)logs.lost);
    /* crash: its last words outlive the fault. */
    wait_state("crash", "faulted", 10000);
    if (!wait_line("crash", 0, "talker: done 1", 1000))
        t_fail(env, WHAT, "crash's last line is gone");
    kide_log(env, "ctl: crash's last line read after its fault");
    if ((rc = logs_read("nope", 0, 0)) != KIDE_NOT_FOUND)
        t_fail(env, WHAT, "LOGS of no child: %s, expected NOT_FOUND", t_status(rc));
    if ((rc = logs_read("talk", 0, KIDE_LOGS_FORGET)) != KIDE_BAD_PARAM)
        t_fail(env, WHAT, "LOGS with flags: %s, expected BAD_PARAM", t_status(rc));
    if ((rc = logs_read("", 0, 0)) != KIDE_BAD_PARAM)
        t_fail(env, WHAT, "LOGS of an empty name: %s, expected BAD_PARAM", t_status(rc));
}

void kide_main(struct kide_env *e)
{
    env = e;
    int rc = t_mgmt_open(env, &mg, 5000);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "opening the management session: %s", t_status(rc));
    test_control();
    test_logs();
    test_config();
    t_pass(env, WHAT);
    t_idle(env);
}
