/* SPDX-License-Identifier: MIT */
/* test-reconf: drives live reconfiguration through the management session.
 *
 * Scenario tests/reconfig. The driver holds its habitat's "Hoitaja" session
 * and applies partial configurations, one change each, checking the result
 * of every child (KIDE_MGMT_RESULT) and the state report after it:
 *   add a child -> added and running;   remove it -> removed and gone;
 *   RAM up -> applied;   RAM down on a child that yields -> applied;
 *   RAM down on a child that keeps its memory -> rejected, quota unchanged;
 *   CPU quota -> applied in place (restarts unchanged, still running);
 *   binary -> restarted;   the same generation again -> KIDE_STALE;
 *   an invalid child -> KIDE_INVALID, nothing changed.
 * The child objects below repeat the scenario's children field by field
 * (with kide-scenario's defaults), because any other difference, even an
 * omitted config, would be a change of its own and restart the child.
 */
#include "test.h"

#include <kide/base.h> /* vsnprintf, for step_failed's va_list */

#define WHAT "reconfig"
#define MiB  (1024ull * 1024ull)

struct child {
    const char *name, *binary;
    kide_u64 ram, caps, cpu, hold, rounds;
};

static struct t_mgmt mg;
static char report[65536], result[16384], cfg[8192];
static struct kide_json_tok tok[T_TOKENS];
static struct kide_json_doc doc;
static kide_u64 gen = 1;
static struct kide_env *env;
static unsigned failures;
static char first_failure[200];

/* A step that went wrong: noted, and the sequence goes on, so one run shows
 * every broken step; the end of kide_main turns any into FAIL. */
__attribute__((format(printf, 1, 2))) static void step_failed(const char *fmt, ...)
{
    char why[200];
    __builtin_va_list ap;
    __builtin_va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    __builtin_va_end(ap);
    kide_log(env, "reconf: step failed: %s", why);
    if (!failures++)
        kide_snprintf(first_failure, sizeof(first_failure), "%s", why);
}

static void write_child(struct kide_json_writer *w, const struct child *c)
{
    kide_json_begin_object(w);
    kide_json_member_string(w, "name", c->name);
    kide_json_member_string(w, "binary", c->binary);
    kide_json_member_u64(w, "ram", c->ram);
    kide_json_member_u64(w, "caps", c->caps);
    kide_json_member_object(w, "cpu");
    kide_json_member_u64(w, "quota", c->cpu);
    kide_json_member_u64(w, "priority", 64);
    kide_json_end_object(w);
    kide_json_key(w, "provides"), kide_json_begin_array(w), kide_json_end_array(w);
    kide_json_key(w, "routes"), kide_json_begin_array(w), kide_json_end_array(w);
    kide_json_member_object(w, "restart");
    kide_json_member_string(w, "policy", "never");
    kide_json_member_u64(w, "backoff_ms", 100);
    kide_json_member_u64(w, "max_backoff_ms", 10000);
    kide_json_end_object(w);
    kide_json_member_u64(w, "heartbeat_ms", 0);
    kide_json_member_object(w, "config");
    if (c->hold)
        kide_json_member_u64(w, "hold", c->hold);
    if (c->rounds)
        kide_json_member_u64(w, "rounds", c->rounds);
    kide_json_end_object(w);
    kide_json_end_object(w);
}

/* A partial configuration naming one child (or removing it). */
static void build(kide_u64 g, const struct child *c, const char *remove)
{
    struct kide_json_writer w;
    kide_json_writer_init(&w, cfg, sizeof(cfg));
    kide_json_begin_object(&w);
    kide_json_member_u64(&w, "generation", g);
    kide_json_key(&w, "children"), kide_json_begin_array(&w);
    if (c)
        write_child(&w, c);
    if (remove) {
        kide_json_begin_object(&w);
        kide_json_member_string(&w, "name", remove);
        kide_json_member_bool(&w, "remove", 1);
        kide_json_end_object(&w);
    }
    kide_json_end_array(&w);
    kide_json_end_object(&w);
    if (kide_json_writer_finish(&w) < 0)
        t_fail(env, WHAT, "building the configuration failed");
}

static void read_report(void)
{
    kide_u64 len;
    int rc = t_mgmt_report(&mg, report, sizeof(report), &len);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "reading the report: %s", t_status(rc));
    if (t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "the report is not JSON");
}

/* Apply one change as the next generation; the child's result must start with want. */
static void apply(const char *step, const struct child *c, const char *remove, const char *want)
{
    const char *name = c ? c->name : remove;
    char got[160];
    build(gen + 1, c, remove);
    int rc = t_mgmt_apply(&mg, cfg, gen + 1, 1, result, sizeof(result));
    if (rc != KIDE_OK) {
        step_failed("%s: apply generation %llu: %s (%s)", step, (unsigned long long)gen + 1,
                    t_status(rc), result);
        return;
    }
    gen++;
    struct kide_json_doc rdoc;
    static struct kide_json_tok rtok[1024];
    if (t_parse(env, &rdoc, result, t_strlen(result), rtok, 1024) < 0 ||
        t_result_of(&rdoc, name, got, sizeof(got)) < 0) {
        step_failed("%s: no result for %s in '%s'", step, name, result);
        return;
    }
    if (!t_startswith(got, want)) {
        step_failed("%s: %s: '%s', expected '%s'", step, name, got, want);
        return;
    }
    kide_log(env, "reconf: %s: %s: %s", step, name, got);
}

/* Poll the report until child `name` is in `state` ("" = absent), at most ms. */
static int wait_state(const char *name, const char *state, kide_u64 ms)
{
    kide_u64 deadline = kide_now_ns() + ms * 1000000ull;
    char s[32];
    for (;;) {
        read_report();
        int c = t_report_child(&doc, name);
        if (!*state && c < 0)
            return c;
        if (*state && c >= 0 && t_json_str(&doc, c, "state", s, sizeof(s)) == 0 &&
            t_streq(s, state))
            return c;
        if (kide_now_ns() >= deadline) {
            if (c < 0 || t_json_str(&doc, c, "state", s, sizeof(s)) < 0)
                kide_snprintf(s, sizeof(s), "%s", c < 0 ? "absent" : "no state");
            t_fail(env, WHAT, "%s did not become '%s' in %llu ms (it is '%s')", name,
                   *state ? state : "absent", (unsigned long long)ms, s);
        }
        kide_sleep_ms(50);
    }
}

static kide_u64 field(int c, const char *name, const char *path)
{
    kide_u64 v;
    if (t_json_u64(&doc, c, path, &v) < 0)
        t_fail(env, WHAT, "report: %s has no integer %s", name, path);
    return v;
}

static void expect_field(const char *step, const char *name, const char *path, kide_u64 want)
{
    int c = wait_state(name, "running", 5000);
    kide_u64 v = field(c, name, path);
    if (v != want)
        step_failed("%s: report %s.%s = %llu, expected %llu", step, name, path,
                    (unsigned long long)v, (unsigned long long)want);
}

static void expect_status(const char *step, kide_u64 g, const char *json_gen_note, int want)
{
    int rc = t_mgmt_apply(&mg, cfg, g, 1, result, sizeof(result));
    if (rc != want)
        step_failed("%s: apply returned %s, expected %s (%s)", step, t_status(rc), t_status(want),
                    json_gen_note);
    else
        kide_log(env, "reconf: %s: %s", step, t_status(rc));
}

void kide_main(struct kide_env *e)
{
    env = e;
    struct child extra = {"extra", "test-idle", 1 * MiB, 64, 5, 0, 0};
    struct child give = {"give", "test-yielder", 4 * MiB, 64, 5, 2 * MiB, 0};
    struct child keep = {"keep", "test-keeper", 4 * MiB, 64, 5, 2 * MiB, 0};
    struct child stable = {"stable", "test-worker", 2 * MiB, 64, 10, 0, 3};

    int rc = t_mgmt_open(env, &mg, 10000);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "opening the Hoitaja session: %s", t_status(rc));
    wait_state("give", "running", 10000);
    wait_state("keep", "running", 10000);
    int c = wait_state("stable", "running", 10000);
    kide_u64 g;
    if (t_json_u64(&doc, 0, "generation", &g) == 0)
        gen = g;

    /* Subscribe to events: the add below must wake us and show up as events. */
    kide_sel ev_sm = kide_sel_alloc(0), got = 0;
    int sst = kide_mgmt_subscribe(mg.s.pt, ev_sm, &got);
    if (sst != KIDE_OK || got != ev_sm)
        step_failed("subscribe: %s, semaphore %s", t_status(sst), got ? "arrived" : "missing");
    struct kide_mgmt_events_req evq = {.after = 0};
    struct kide_mgmt_events_rep evs;
    kide_mgmt_events(mg.s.pt, &evq, &evs);
    kide_u64 ev_next = evs.first + evs.count; /* the next sequence number */

    apply("add", &extra, 0, "added");
    if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, ev_sm, kide_now_ns() + 5000ull * 1000000ull) != KIDE_OK)
        step_failed("events: no wake-up within 5 s of an apply");
    evq.after = ev_next;
    int est = kide_mgmt_events(mg.s.pt, &evq, &evs);
    kide_u64 first = evs.first, count = evs.count;
    int applied = 0;
    for (kide_u64 i = 0; est == KIDE_OK && i < count; i++)
        applied |= evs.ev[i].type == KIDE_EV_APPLIED || evs.ev[i].type == KIDE_EV_STARTED;
    if (est != KIDE_OK || !count || first < ev_next || !applied)
        step_failed("events after the add: %s, %llu from %llu, no started/applied event",
                    t_status(est), (unsigned long long)count, (unsigned long long)first);
    else
        kide_log(env, "events: woken by the apply, %llu new events", (unsigned long long)count);
    wait_state("extra", "running", 10000);
    apply("remove", 0, "extra", "removed");
    wait_state("extra", "", 5000);

    give.ram = 6 * MiB;
    apply("ram up", &give, 0, "applied");
    expect_field("ram up", "give", "ram.quota", give.ram);
    give.ram = 3 * MiB / 2;
    apply("ram down (yields)", &give, 0, "applied");
    expect_field("ram down (yields)", "give", "ram.quota", give.ram);
    keep.ram = 1 * MiB;
    apply("ram down (keeps)", &keep, 0, "rejected");
    expect_field("ram down (keeps)", "keep", "ram.quota", 4 * MiB);

    c = wait_state("stable", "running", 5000);
    kide_u64 restarts = field(c, "stable", "restarts");
    stable.cpu = 20;
    apply("cpu quota", &stable, 0, "applied");
    expect_field("cpu quota", "stable", "cpu.quota", 20);
    expect_field("cpu quota", "stable", "restarts", restarts);

    stable.binary = "test-idle";
    apply("binary", &stable, 0, "restarted");
    wait_state("stable", "running", 10000);

    stable.cpu = 30;
    build(gen, &stable, 0);
    expect_status("stale generation", gen, "the current generation again", KIDE_STALE);
    stable.cpu = 500; /* out of 0..100: the whole configuration must be refused */
    build(gen + 1, &stable, 0);
    expect_status("invalid config", gen + 1, "cpu quota 500", KIDE_INVALID);
    expect_field("invalid config", "stable", "cpu.quota", 20);
    if (failures)
        t_fail(env, WHAT, "%u steps failed, the first: %s", failures, first_failure);
    t_pass(env, WHAT);
    t_idle(env);
}
