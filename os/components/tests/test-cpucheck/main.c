/* SPDX-License-Identifier: MIT */
/* test-cpucheck: checks that CPU quotas hold and idle time is passed on.
 *
 * Scenario tests/cpu. Two spinners run in habitats with CPU quota 30 and 70
 * on the same CPU. The checker reads the root habitat's state report
 * through its "Hoitaja" session twice, `window_ms` apart, and computes each
 * spinner's share of the two cpu.ns deltas: they must be `lo_pct` and
 * `hi_pct` within `tol_pct`. The low spinner stops spinning after its
 * `idle_after_ms`; the checker then measures again and the high spinner
 * must get more than `idle_min_pct` of the wall-clock time (soft SCs use
 * idle time). Spinners are found by report path (`lo`, `hi`, e.g.
 * "tenant-lo/spin"); if the root report does not show nested children,
 * the habitat entry ("tenant-lo") stands for its spinner, which is only
 * right if the report counts a habitat's CPU time with its children's.
 *
 * Scenario tests/smp (config `both_min_pct` > 0): the two spinners run on
 * different CPUs; after the first window each must have used at least
 * `both_min_pct` of the wall-clock time, which only two CPUs running at once
 * can give. Ends with "PASS smp".
 */
#include "test.h"

#define WHAT "cpu"

static char report[65536];
static struct kide_json_tok tok[T_TOKENS];
static struct t_mgmt mg;

struct sample {
    kide_u64 t, lo, hi;
};

/* cpu.ns of a report entry, by path, falling back to the habitat entry. */
static kide_u64 cpu_of(struct kide_env *env, struct kide_json_doc *doc, const char *path)
{
    kide_u64 ns;
    int c = t_report_child(doc, path);
    if (c < 0) {
        char top[40];
        unsigned n = 0;
        while (path[n] && path[n] != '/' && n + 1 < sizeof(top))
            top[n] = path[n], n++;
        top[n] = 0;
        c = t_report_child(doc, top);
    }
    if (c < 0 || t_json_u64(doc, c, "cpu.ns", &ns) < 0)
        t_fail(env, WHAT, "no cpu.ns for '%s' in the report", path);
    return ns;
}

static void sample(struct kide_env *env, const char *lo, const char *hi, struct sample *s)
{
    kide_u64 len;
    struct kide_json_doc doc;
    int rc = t_mgmt_report(&mg, report, sizeof(report), &len);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "reading the report: %s", t_status(rc));
    s->t = kide_now_ns();
    if (t_parse(env, &doc, report, len, tok, T_TOKENS) < 0)
        t_fail(env, WHAT, "the report is not JSON");
    s->lo = cpu_of(env, &doc, lo);
    s->hi = cpu_of(env, &doc, hi);
}

static kide_u64 pct(kide_u64 part, kide_u64 whole)
{
    return whole ? part * 100 / whole : 0;
}

void kide_main(struct kide_env *env)
{
    char lo[64], hi[64];
    t_cfg_str(env, "lo", "tenant-lo/spin", lo, sizeof(lo));
    t_cfg_str(env, "hi", "tenant-hi/spin", hi, sizeof(hi));
    kide_u64 settle = t_cfg_u64(env, "settle_ms", 1000);
    kide_u64 window = t_cfg_u64(env, "window_ms", 5000);
    kide_u64 lo_pct = t_cfg_u64(env, "lo_pct", 30), hi_pct = t_cfg_u64(env, "hi_pct", 70);
    kide_u64 tol = t_cfg_u64(env, "tol_pct", 5);
    kide_u64 idle_at = t_cfg_u64(env, "lo_idle_after_ms", 0);
    kide_u64 idle_min = t_cfg_u64(env, "idle_min_pct", 80);
    kide_u64 start = kide_now_ns();
    struct sample a, b;

    int rc = t_mgmt_open(env, &mg, 10000);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "opening the Hoitaja session: %s", t_status(rc));
    /* Let both spinners start and the first period boundaries pass. */
    kide_sleep_ms(settle);
    sample(env, lo, hi, &a);
    kide_sleep_ms(window);
    sample(env, lo, hi, &b);
    kide_u64 dlo = b.lo - a.lo, dhi = b.hi - a.hi, dt = b.t - a.t;
    kide_u64 both = t_cfg_u64(env, "both_min_pct", 0);
    if (both) {
        kide_log(env, "smp: %s %llu ms, %s %llu ms in %llu ms: %llu%% / %llu%% of the time", lo,
                 (unsigned long long)(dlo / 1000000), hi, (unsigned long long)(dhi / 1000000),
                 (unsigned long long)(dt / 1000000), (unsigned long long)pct(dlo, dt),
                 (unsigned long long)pct(dhi, dt));
        if (pct(dlo, dt) < both || pct(dhi, dt) < both)
            t_fail(env, "smp",
                   "%s got %llu%%, %s %llu%% of the time; expected both %llu%% or more "
                   "(two CPUs at once)",
                   lo, (unsigned long long)pct(dlo, dt), hi, (unsigned long long)pct(dhi, dt),
                   (unsigned long long)both);
        t_pass(env, "smp");
        t_idle(env);
    }
    kide_u64 plo = pct(dlo, dlo + dhi), phi = pct(dhi, dlo + dhi);
    kide_log(env, "cpu: busy phase: %s %llu ms, %s %llu ms in %llu ms: %llu%% / %llu%%", lo,
             (unsigned long long)(dlo / 1000000), hi, (unsigned long long)(dhi / 1000000),
             (unsigned long long)(dt / 1000000), (unsigned long long)plo, (unsigned long long)phi);
    if ((dlo + dhi) * 10 < dt)
        t_fail(env, WHAT,
               "the report shows %s and %s using %llu ms of %llu ms: without "
               "nested children in the report, a habitat's entry must count its children's "
               "CPU time, and it does not",
               lo, hi, (unsigned long long)((dlo + dhi) / 1000000),
               (unsigned long long)(dt / 1000000));
    if (plo + tol < lo_pct || plo > lo_pct + tol || phi + tol < hi_pct || phi > hi_pct + tol)
        t_fail(env, WHAT, "shares %llu%%/%llu%%, expected %llu%%/%llu%% +-%llu",
               (unsigned long long)plo, (unsigned long long)phi, (unsigned long long)lo_pct,
               (unsigned long long)hi_pct, (unsigned long long)tol);
    kide_log(env, "PASS cpu quota shares");
    if (!idle_at) {
        t_pass(env, WHAT);
        t_idle(env);
    }
    /* Wait until the low spinner has gone idle (its own clock started a
     * little after ours), plus two seconds of margin for its start. */
    kide_u64 idle_ns = idle_at * 1000000ull + 2000000000ull;
    kide_u64 now = kide_now_ns();
    if (now - start < idle_ns)
        kide_sleep_ms((idle_ns - (now - start)) / 1000000);
    sample(env, lo, hi, &a);
    kide_sleep_ms(window);
    sample(env, lo, hi, &b);
    dlo = b.lo - a.lo, dhi = b.hi - a.hi, dt = b.t - a.t;
    kide_log(env, "cpu: idle phase: %s %llu ms, %s %llu ms in %llu ms", lo,
             (unsigned long long)(dlo / 1000000), hi, (unsigned long long)(dhi / 1000000),
             (unsigned long long)(dt / 1000000));
    if (pct(dhi, dt) < idle_min)
        t_fail(env, WHAT, "with %s idle, %s got %llu%% of the CPU, expected more than %llu%%", lo,
               hi, (unsigned long long)pct(dhi, dt), (unsigned long long)idle_min);
    kide_log(env, "PASS cpu idle time used");
    t_pass(env, WHAT);
    t_idle(env);
}
