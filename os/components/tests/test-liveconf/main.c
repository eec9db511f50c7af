/* SPDX-License-Identifier: MIT */
/* test-liveconf: hoitaja's live configuration of a child (scenario live-config).
 *
 * Two roles, by config. The *target* ({"v": N}, its entry config_live: true)
 * registers its config portal and publishes the status {"v": N, "applied": k}
 * (k: live configs taken in this life). Its callback takes a new config
 * {"v": N} (applied), refuses {"v": N, "reject": true} with the reason
 * "v N refused on request", and never answers {"v": N, "hang": true}.
 * The *driver* ({"role": "driver"}, a "Hoitaja" route) reconfigures the
 * target with partial configurations that repeat its entry field by field
 * and change only its config, and checks each child result and the report:
 *  1. v 2: "applied", the status says v 2 and the target was not restarted;
 *  2. v 3 rejected by the target: "rejected: v 3 refused on request", v 2 stays;
 *  3. v 4 that the target never answers: "rejected: child did not answer within
 *     1000 ms; config unchanged"; hoitaja faults it and its policy restarts it
 *     with the configuration in force: the new life says v 2, applied 0;
 *  4. v 5: "applied" to the new life.
 * Ends with "PASS live-config" or "FAIL live-config: <why>".
 *
 * Scenario live-slow: the *slow* target ({"role": "slow"}, config_live) serves
 * its config portal itself and answers every KIDE_CFG_CHUNK only after 600 ms
 * (each call within the 1 s deadline). The *slow driver* ({"role":
 * "slow-driver"}) gives it a config of 3 chunks: the whole update must not
 * take longer than hoitaja's deadline (it would stall hoitaja's handler EC, and
 * every sibling's parent call on that CPU, 1 s per chunk, up to 18 s), so
 * the result is "rejected: child did not answer within 1000 ms; config
 * unchanged" and the slow target is faulted and restarted.
 */
#include "test.h"

#include <kide/base.h>
#include <kide/parent_client.h>

#define WHAT what

static const char *what = "live-config";

/* The target's entry as kide-scenario writes it from live-config.yaml, with its config. */
#define TARGET(cfg)                                                                                \
    "{\"generation\":%llu,\"children\":[{\"name\":\"target\",\"binary\":\"test-liveconf\","        \
    "\"ram\":2097152,\"caps\":64,\"cpu\":{\"quota\":10,\"priority\":64},\"provides\":[],"          \
    "\"routes\":[],\"restart\":{\"policy\":\"on-failure\",\"backoff_ms\":100,"                     \
    "\"max_backoff_ms\":10000},\"heartbeat_ms\":0,\"devices\":false,\"config_live\":true,"         \
    "\"config\":" cfg "}]}"

static struct kide_env *env;

/* ---- the target -------------------------------------------------------------- */

static volatile kide_u64 v_now, applied;
static kide_sel changed_sm;

static int on_config(struct kide_env *e, void *ctx, const char *json, kide_u64 len, char *text,
                     kide_u64 size)
{
    static struct kide_json_tok tok[64];
    struct kide_json_doc doc;
    kide_u64 v;
    _Bool b;
    (void)ctx;
    if (kide_json_parse(&doc, json, len, tok, 64, NULL, NULL) != KIDE_JSON_OK ||
        kide_json_get_u64(&doc, kide_json_find(&doc, 0, "v"), &v) < 0) {
        kide_snprintf(text, size, "config: expected {\"v\": N}");
        return -1;
    }
    int h = kide_json_find(&doc, 0, "hang");
    if (h >= 0 && kide_json_get_bool(&doc, h, &b) == 0 && b) {
        kide_log(e, "liveconf: v %llu: not answering", (unsigned long long)v);
        for (;;)
            kide_sleep_ms(1000); /* never answers: the parent's deadline must end this */
    }
    int r = kide_json_find(&doc, 0, "reject");
    if (r >= 0 && kide_json_get_bool(&doc, r, &b) == 0 && b) {
        kide_snprintf(text, size, "v %llu refused on request", (unsigned long long)v);
        return -1;
    }
    v_now = v;
    applied++;
    kide_snprintf(text, size, "v %llu", (unsigned long long)v);
    kide_ctrl_sm(KIDE_CTRL_SM_UP, changed_sm, 0); /* the main thread publishes */
    return 0;
}

static void publish(void)
{
    char s[64];
    kide_snprintf(s, sizeof s, "{\"v\":%llu,\"applied\":%llu}", (unsigned long long)v_now,
                  (unsigned long long)applied);
    int st = kide_status_publish(env, s);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "publishing the status: %s", t_status(st));
}

static void target(void)
{
    v_now = t_cfg_u64(env, "v", 0);
    if (kide_sm_create(env, 0, &changed_sm) != KIDE_OK)
        t_fail(env, WHAT, "no semaphore");
    int st = kide_live_config(env, on_config, 0);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "kide_live_config: %s", t_status(st));
    kide_log(env, "liveconf: running with v %llu", (unsigned long long)v_now);
    publish();
    for (;;) {
        /* Publish from here, never from the callback: hoitaja is busy calling us then. */
        if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, changed_sm, kide_now_ns() + 1000000000ull) == KIDE_OK)
            publish();
        kide_wait_signal(env, 0);
    }
}

/* ---- the slow target ------------------------------------------------------------ */

static int slow_portal(struct kide_env *e, void *obj, struct kide_rpc *rpc)
{
    (void)obj;
    if (rpc->op == KIDE_CFG_CHUNK) {
        kide_sleep_ms(600); /* within the deadline of one call, not of three */
        return KIDE_OK;
    }
    if (rpc->op == KIDE_CFG_APPLY) {
        kide_log(e, "liveconf: slow: apply reached");
        kide_msg_put_str(&rpc->out, "");
        return KIDE_OK;
    }
    return KIDE_BAD_PARAM;
}

static void slow(void)
{
    kide_sel pt;
    struct kide_parent_chan ch = {.pt = KIDE_COMP_SEL_PARENT};
    if (kide_portal_create(env, slow_portal, 0, &pt) != KIDE_OK ||
        kide_parent_config_portal(&ch, pt) != KIDE_OK)
        t_fail(env, WHAT, "slow: registering the config portal failed");
    v_now = t_cfg_u64(env, "v", 0);
    publish();
    for (;;)
        kide_wait_signal(env, 1000);
}

/* ---- the driver -------------------------------------------------------------- */

static struct t_mgmt mg;
static char cfg[16384], result[4096], report[65536], pad[8400];
static struct kide_json_tok tok[T_TOKENS];
static struct kide_json_doc doc;

static void apply_to(const char *child, kide_u64 g, const char *fmt, const char *want)
{
    char got[200];
    struct kide_json_doc rdoc;
    kide_snprintf(cfg, sizeof cfg, fmt, (unsigned long long)g, pad);
    int rc = t_mgmt_apply(&mg, cfg, g, 1, result, sizeof result);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "apply generation %llu: %s (%s)", (unsigned long long)g, t_status(rc),
               result);
    if (t_parse(env, &rdoc, result, t_strlen(result), tok, T_TOKENS) < 0 ||
        t_result_of(&rdoc, child, got, sizeof got) < 0)
        t_fail(env, WHAT, "generation %llu: no result for %s in '%s'", (unsigned long long)g, child,
               result);
    if (!t_streq(got, want))
        t_fail(env, WHAT, "generation %llu: %s: '%s', expected '%s'", (unsigned long long)g, child,
               got, want);
    kide_log(env, "liveconf: generation %llu: %s: %s", (unsigned long long)g, child, got);
}

static void apply(kide_u64 g, const char *fmt, const char *want)
{
    apply_to("target", g, fmt, want);
}

/* Poll the report (bounded) until the child runs with status v, applied and restarts. */
static void wait_child(const char *child, kide_u64 v, kide_u64 n_applied, kide_u64 restarts)
{
    kide_u64 until = kide_now_ns() + 10000ull * 1000000ull, gv = ~0ull, ga = ~0ull, gr = ~0ull;
    char state[32] = "?";
    for (;;) {
        kide_u64 len;
        if (t_mgmt_report(&mg, report, sizeof report, &len) != KIDE_OK ||
            t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
            t_fail(env, WHAT, "reading the report failed");
        int c = t_report_child(&doc, child);
        if (c >= 0) {
            t_json_str(&doc, c, "state", state, sizeof state);
            t_json_u64(&doc, c, "status.v", &gv);
            t_json_u64(&doc, c, "status.applied", &ga);
            t_json_u64(&doc, c, "restarts", &gr);
        }
        if (t_streq(state, "running") && gv == v && ga == n_applied && gr == restarts)
            return;
        if (kide_now_ns() >= until)
            t_fail(env, WHAT,
                   "%s: %s, status v %lld applied %lld, restarts %lld; expected running, v "
                   "%llu applied %llu, restarts %llu",
                   child, state, (long long)gv, (long long)ga, (long long)gr, (unsigned long long)v,
                   (unsigned long long)n_applied, (unsigned long long)restarts);
        kide_sleep_ms(50); /* the report is read again: polling, bounded */
    }
}

static void wait_target(kide_u64 v, kide_u64 n_applied, kide_u64 restarts)
{
    wait_child("target", v, n_applied, restarts);
}

/* The slow target's entry as kide-scenario writes it from live-slow.yaml; %s: pad. */
#define SLOW                                                                                       \
    "{\"generation\":%llu,\"children\":[{\"name\":\"slow\",\"binary\":\"test-liveconf\","          \
    "\"ram\":2097152,\"caps\":64,\"cpu\":{\"quota\":10,\"priority\":64},\"provides\":[],"          \
    "\"routes\":[],\"restart\":{\"policy\":\"on-failure\",\"backoff_ms\":100,"                     \
    "\"max_backoff_ms\":10000},\"heartbeat_ms\":0,\"devices\":false,\"config_live\":true,"         \
    "\"config\":{\"role\":\"slow\",\"v\":2,\"pad\":[%s]}}]}"

static void slow_driver(void)
{
    int st = t_mgmt_open(env, &mg, 10000);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "opening the Hoitaja session: %s", t_status(st));
    /* 40 strings of 200 bytes (the config parser bounds each string): 3 chunks. */
    unsigned n = 0;
    for (unsigned i = 0; i < 40; i++) {
        if (i)
            pad[n++] = ',';
        pad[n++] = '"';
        memset(pad + n, 'x', 200);
        n += 200;
        pad[n++] = '"';
    }
    pad[n] = 0;
    wait_child("slow", 1, 0, 0);
    kide_u64 t0 = kide_now_ns();
    apply_to("slow", 2, SLOW, "rejected: child did not answer within 1000 ms; config unchanged");
    kide_u64 ms = (kide_now_ns() - t0) / 1000000;
    if (ms > 1800) /* the update's deadline (1 s) plus hoitaja's supervision round */
        t_fail(env, WHAT, "the update of the slow child took %llu ms", (unsigned long long)ms);
    wait_child("slow", 1, 0, 1); /* faulted, restarted with the configuration in force */
    t_pass(env, WHAT);
    for (;;)
        kide_wait_signal(env, 1000);
}

static void driver(void)
{
    int st = t_mgmt_open(env, &mg, 10000);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "opening the Hoitaja session: %s", t_status(st));
    wait_target(1, 0, 0);
    apply(2, TARGET("{\"v\":2}"), "applied");
    wait_target(2, 1, 0); /* taken live: not restarted */
    apply(3, TARGET("{\"v\":3,\"reject\":true}"), "rejected: v 3 refused on request");
    wait_target(2, 1, 0);
    apply(4, TARGET("{\"v\":4,\"hang\":true}"),
          "rejected: child did not answer within 1000 ms; config unchanged");
    wait_target(2, 0, 1); /* faulted, restarted with the configuration in force */
    apply(5, TARGET("{\"v\":5}"), "applied");
    wait_target(5, 1, 1);
    t_pass(env, WHAT);
    for (;;)
        kide_wait_signal(env, 1000);
}

void kide_main(struct kide_env *e)
{
    char role[16];
    env = e;
    t_cfg_str(env, "role", "target", role, sizeof role);
    if (t_streq(role, "driver"))
        driver();
    if (t_streq(role, "slow-driver") || t_streq(role, "slow"))
        what = "live-slow";
    if (t_streq(role, "slow-driver"))
        slow_driver();
    if (t_streq(role, "slow"))
        slow();
    target();
}
