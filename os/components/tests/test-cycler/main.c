/* SPDX-License-Identifier: MIT */
/* test-cycler: 1,000 start/stop cycles of a child must leak nothing.
 *
 * Scenario tests/faults. The cycler creates a sub-account (KIDE_CORE_CHILD),
 * loads `binary` (test-tiny, which exits at once), starts it, waits for the
 * exit, destroys it, `cycles` times. Before and after it compares core's
 * free RAM and free kernel pages and live accounts (KIDE_CORE_STATS) and its
 * own RAM and caps use (KIDE_CORE_QUOTA): all must be exactly equal. One
 * warm-up cycle runs before the baseline because the first CORE_CHILD
 * creates objects that live on by design (the children semaphore, the
 * capability-table page of the selectors used).
 */
#include "test.h"

#define WHAT "start/stop cycles"

/* Fault injection (config `leak_cycle`): skip the destroy of that cycle, to
 * show the leak check bites. 0 (the default) never skips. */
static kide_u64 leak_cycle;

static void one_cycle(struct kide_env *env, const char *binary, kide_u64 i)
{
    struct t_sub sub;
    struct kide_own_state_rep w;
    int rc = t_sub_create(&sub, "tiny", 1u << 20, 32, 10, 64);
    if (rc != KIDE_OK)
        t_fail(env, WHAT, "cycle %llu: CORE_CHILD: %s", (unsigned long long)i, t_status(rc));
    if ((rc = t_sub_start(&sub, binary, 0)) != KIDE_OK)
        t_fail(env, WHAT, "cycle %llu: loading/starting %s: %s", (unsigned long long)i, binary,
               t_status(rc));
    if ((rc = t_sub_wait_end(&sub, 10000, &w)) != KIDE_OK)
        t_fail(env, WHAT, "cycle %llu: the child did not end: %s", (unsigned long long)i,
               t_status(rc));
    if (w.state != KIDE_ACC_EXITED || w.exit_code != 0)
        t_fail(env, WHAT, "cycle %llu: child state %llu code %llu (fault vector %llu at %#llx)",
               (unsigned long long)i, (unsigned long long)w.state, (unsigned long long)w.exit_code,
               (unsigned long long)w.fault_vector, (unsigned long long)w.fault_addr);
    if (i == leak_cycle && i) {
        kide_log(env, "cycler: cycle %llu: not destroying the child (leak_cycle)",
                 (unsigned long long)i);
        return;
    }
    if ((rc = t_sub_destroy(&sub)) != KIDE_OK)
        t_fail(env, WHAT, "cycle %llu: DESTROY: %s", (unsigned long long)i, t_status(rc));
}

static void measure(struct kide_env *env, struct t_stats *s, struct kide_quota *q)
{
    if (t_core_stats(s) != KIDE_OK || kide_quota(env, q) != KIDE_OK)
        t_fail(env, WHAT, "reading core's numbers failed");
}

void kide_main(struct kide_env *env)
{
    kide_u64 cycles = t_cfg_u64(env, "cycles", 1000);
    leak_cycle = t_cfg_u64(env, "leak_cycle", 0);
    char binary[40];
    t_cfg_str(env, "binary", "test-tiny", binary, sizeof(binary));
    struct t_stats s0, s1;
    struct kide_quota q0, q1;

    one_cycle(env, binary, 0);
    /* Our first line takes our log ring (16 KiB of our quota, docs/core.md "Log rings"):
     * before the numbers are taken, so the cycles alone are measured. */
    kide_log(env, "cycler: %llu cycles of %s", (unsigned long long)cycles, binary);
    measure(env, &s0, &q0);
    kide_u64 t0 = kide_now_ns();
    for (kide_u64 i = 1; i <= cycles; i++) {
        one_cycle(env, binary, i);
        if (i % 100 == 0) {
            measure(env, &s1, &q1);
            kide_log(env, "cycler: %llu cycles, core free RAM %llu (start %llu)",
                     (unsigned long long)i, (unsigned long long)s1.free_ram,
                     (unsigned long long)s0.free_ram);
        }
    }
    measure(env, &s1, &q1);
    kide_log(env, "cycler: %llu cycles in %llu ms", (unsigned long long)cycles,
             (unsigned long long)((kide_now_ns() - t0) / 1000000));
    if (s1.free_ram != s0.free_ram || s1.free_kpages != s0.free_kpages ||
        s1.accounts != s0.accounts)
        t_fail(env, WHAT,
               "core free RAM %llu -> %llu, free kernel pages %llu -> %llu, "
               "accounts %llu -> %llu",
               (unsigned long long)s0.free_ram, (unsigned long long)s1.free_ram,
               (unsigned long long)s0.free_kpages, (unsigned long long)s1.free_kpages,
               (unsigned long long)s0.accounts, (unsigned long long)s1.accounts);
    if (q1.ram_used != q0.ram_used || q1.caps_used != q0.caps_used)
        t_fail(env, WHAT, "own RAM used %llu -> %llu, caps used %llu -> %llu",
               (unsigned long long)q0.ram_used, (unsigned long long)q1.ram_used,
               (unsigned long long)q0.caps_used, (unsigned long long)q1.caps_used);
    t_pass(env, WHAT);
    t_idle(env);
}
