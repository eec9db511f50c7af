/* SPDX-License-Identifier: MIT */
/* bench-start: the component benchmark's driver (os/bench/component-run.sh).
 *
 * Start latency. The driver holds its habitat's "Hoitaja" session and
 * provides the service "Bench". Each round it applies a partial
 * configuration that adds child `b` (bench-child, routed Bench -> driver)
 * and measures, with the kernel clock, from just before KIDE_MGMT_UPLOAD to
 * the moment the child's first request reaches the driver: the open of its
 * Bench session, which the parent forwards to the driver's root portal.
 * That span holds hoitaja's parsing and validation of the configuration,
 * the account at core, loading the ELF from ROM, the start, the runtime's
 * set-up in the child and one session open through hoitaja. It then removes
 * the child (not timed) and repeats; min, median and 90th percentile.
 *
 * Memory per idle component. It reads core's free RAM and free kernel
 * pages (KIDE_CORE_STATS), adds `idle` children running test-idle in one
 * partial configuration, waits until the report shows them all running,
 * reads again and divides the difference by their number; it also prints
 * the report's mean ram.used (bytes charged to each child at core) and
 * caps.used (kernel pages charged to each child's PD).
 */
#include "test.h"

#include <kide/sys.h>

#define WHAT       "bench"
#define MAX_ROUNDS 1000u
#define MAX_IDLE   64u

static struct t_mgmt mg;
static char report[65536], result[16384], cfg[32768];
static struct kide_json_tok tok[T_TOKENS];
static struct kide_json_doc doc;
static kide_u64 gen = 1;
static struct kide_env *env;
static kide_sel arrived;         /* upped by the Bench handler */
static volatile kide_u64 t_open; /* kernel clock at the last session open */
static volatile int measuring;
static kide_u64 lat[MAX_ROUNDS];

static void *bench_open(struct kide_env *e, const char *label, const char *args, kide_u64 ram,
                        int *status)
{
    (void)e, (void)label, (void)args, (void)ram, (void)status;
    if (measuring) {
        t_open = kide_now_ns();
        measuring = 0;
        kide_ctrl_sm(KIDE_CTRL_SM_UP, arrived, 0);
    }
    return (void *)1;
}
static void bench_close(struct kide_env *e, void *s)
{
    (void)e, (void)s;
}
static int bench_call(struct kide_env *e, void *s, struct kide_rpc *rpc)
{
    (void)e, (void)s, (void)rpc;
    return KIDE_OK;
}
static const struct kide_service_ops ops = {
        .open = bench_open, .close = bench_close, .call = bench_call};

static void child(struct kide_json_writer *w, const char *name, const char *binary, int route)
{
    kide_json_begin_object(w);
    kide_json_member_string(w, "name", name);
    kide_json_member_string(w, "binary", binary);
    kide_json_member_u64(w, "ram", 1024 * 1024);
    kide_json_member_u64(w, "caps", 32);
    kide_json_member_object(w, "cpu");
    kide_json_member_u64(w, "quota", 1);
    kide_json_end_object(w);
    if (route) {
        kide_json_key(w, "routes"), kide_json_begin_array(w);
        kide_json_begin_object(w);
        kide_json_member_string(w, "service", "Bench");
        kide_json_member_string(w, "to", "child");
        kide_json_member_string(w, "child", kide_name(env));
        kide_json_end_object(w);
        kide_json_end_array(w);
    }
    kide_json_end_object(w);
}

/* Apply children "<prefix><i>" for i < n (binary), or remove them. */
static void apply_n(const char *prefix, unsigned n, const char *binary, int remove, int route)
{
    struct kide_json_writer w;
    kide_json_writer_init(&w, cfg, sizeof(cfg));
    kide_json_begin_object(&w);
    kide_json_member_u64(&w, "generation", gen + 1);
    kide_json_key(&w, "children"), kide_json_begin_array(&w);
    for (unsigned i = 0; i < n; i++) {
        char name[32];
        kide_snprintf(name, sizeof(name), "%s%u", prefix, i);
        if (remove) {
            kide_json_begin_object(&w);
            kide_json_member_string(&w, "name", name);
            kide_json_member_bool(&w, "remove", 1);
            kide_json_end_object(&w);
        } else {
            child(&w, name, binary, route);
        }
    }
    kide_json_end_array(&w);
    kide_json_end_object(&w);
    if (kide_json_writer_finish(&w) < 0)
        t_fail(env, WHAT, "building a configuration failed");
    int rc = t_mgmt_apply(&mg, cfg, gen + 1, 1, result, sizeof(result));
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "apply generation %llu: %s (%s)", (unsigned long long)gen + 1,
               t_status(rc), result);
    gen++;
}

static void read_report(void)
{
    kide_u64 len;
    int rc = t_mgmt_report(&mg, report, sizeof(report), &len);
    if (rc != KIDE_OK || t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "reading the report: %s", t_status(rc));
}

static void measure_start(unsigned rounds)
{
    for (unsigned r = 0; r < rounds; r++) {
        measuring = 1;
        kide_u64 t0 = kide_now_ns();
        apply_n("b", 1, "bench-child", 0, 1);
        if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, arrived, kide_now_ns() + 10000000000ull) != KIDE_OK)
            t_fail(env, WHAT, "round %u: the child's session never arrived", r);
        lat[r] = t_open - t0;
        apply_n("b", 1, 0, 1, 0);
    }
    kide_u64 sorted_min, med, p90;
    t_median(lat, rounds); /* sorts */
    sorted_min = lat[0], med = lat[rounds / 2], p90 = lat[rounds * 9 / 10];
    kide_log(env, "bench: component_start min=%llu median=%llu p90=%llu n=%u unit=ns",
             (unsigned long long)sorted_min, (unsigned long long)med, (unsigned long long)p90,
             rounds);
}

static void measure_idle(unsigned n)
{
    struct t_stats a, b;
    if (t_core_stats(&a) != KIDE_OK)
        t_fail(env, WHAT, "KIDE_CORE_STATS failed");
    apply_n("idle", n, "test-idle", 0, 0);
    kide_u64 deadline = kide_now_ns() + 30000000000ull, ram = 0, caps = 0;
    for (;;) {
        unsigned up = 0;
        ram = caps = 0;
        read_report();
        for (unsigned i = 0; i < n; i++) {
            char name[32], st[32];
            kide_u64 r = 0, c = 0;
            kide_snprintf(name, sizeof(name), "idle%u", i);
            int e = t_report_child(&doc, name);
            if (e >= 0 && t_json_str(&doc, e, "state", st, sizeof(st)) == 0 &&
                t_streq(st, "running") && t_json_u64(&doc, e, "ram.used", &r) == 0 &&
                t_json_u64(&doc, e, "caps.used", &c) == 0)
                up++, ram += r, caps += c;
        }
        if (up == n)
            break;
        if (kide_now_ns() > deadline)
            t_fail(env, WHAT, "only %u of %u idle children came up", up, n);
        kide_sleep_ms(20);
    }
    if (t_core_stats(&b) != KIDE_OK)
        t_fail(env, WHAT, "KIDE_CORE_STATS failed");
    kide_log(env,
             "bench: idle_component core_ram_bytes=%llu core_kpages=%llu ram_used_bytes=%llu "
             "caps_used_pages=%llu n=%u",
             (unsigned long long)((a.free_ram - b.free_ram) / n),
             (unsigned long long)((a.free_kpages - b.free_kpages) / n),
             (unsigned long long)(ram / n), (unsigned long long)(caps / n), n);
    apply_n("idle", n, 0, 1, 0);
}

void kide_main(struct kide_env *e)
{
    env = e;
    unsigned rounds = (unsigned)t_cfg_u64(env, "rounds", 100);
    unsigned idle = (unsigned)t_cfg_u64(env, "idle", 10);
    if (rounds == 0 || rounds > MAX_ROUNDS || idle == 0 || idle > MAX_IDLE)
        t_fail(env, WHAT, "rounds must be 1..%u and idle 1..%u", MAX_ROUNDS, MAX_IDLE);
    int rc = kide_sm_create(env, 0, &arrived);
    if (rc == KIDE_OK)
        rc = kide_service_announce(env, "Bench", &ops);
    if (rc == KIDE_OK)
        rc = t_mgmt_open(env, &mg, 10000);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "setting up: %s", t_status(rc));
    read_report();
    kide_u64 g;
    if (t_json_u64(&doc, 0, "generation", &g) == 0)
        gen = g;
    measure_start(rounds);
    measure_idle(idle);
    kide_log(env, "bench: done");
    t_idle(env);
}
