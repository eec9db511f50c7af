/* SPDX-License-Identifier: MIT */
/* core's lock, timed: every hold is measured with the TSC.
 *
 * One lock (a semaphore) guards all of core's data; every portal call takes it
 * and long operations let it go between steps (RAM_ALLOC, RAM_FREE, DESTROY:
 * docs/core.md). hold_drop measures each hold and keeps the longest with the
 * operation that made it (STATS w6). In the checking build (CORE_LOCK_CHECK,
 * the core that core-test and core-fuzz boot) a hold over HOLD_BOUND_MS fails
 * the run: core prints "core: FAIL: lock held N ms by OP" and stops the
 * machine, so a new unbounded path under the lock cannot go unnoticed; each new
 * longest hold from HOLD_SAY_MS on is said.
 */
#include "core.h"

static kide_sel lock;
static u64 tsc_per_ms = 1; /* calibrated against the kernel's clock at boot */
static u64 taken_at, longest;
static const char *longest_op = "none";

#define HOLD_SAY_MS 50

static inline u64 tsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64)hi << 32 | lo;
}

int hold_init(void)
{
    u64 t0 = base_now(), c0 = tsc();
    while (base_now() - t0 < 10 * BASE_MS)
        base_pause();
    u64 ticks = (tsc() - c0) / 10;
    tsc_per_ms = ticks ? ticks : 1;
    return kide_sm_create(&rt_env, 1, &lock) == KIDE_OK ? KIDE_OK : KIDE_QUOTA;
}

void hold_take(void)
{
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, lock, 0);
    taken_at = tsc();
}

void hold_drop(const char *op)
{
    u64 held = tsc() - taken_at;
    if (held > longest) {
        longest = held;
        longest_op = op;
    }
    kide_ctrl_sm(KIDE_CTRL_SM_UP, lock, 0);
#ifdef CORE_LOCK_CHECK
    if (held == longest && held / tsc_per_ms >= HOLD_SAY_MS)
        printf("core: longest hold of its lock so far: %lu ms by %s\n", held / tsc_per_ms, op);
    if (held / tsc_per_ms > HOLD_BOUND_MS) {
        printf("core: FAIL: lock held %lu ms by %s (bound %u ms)\n", held / tsc_per_ms, op,
               HOLD_BOUND_MS);
        base_exit_qemu(BASE_QEMU_FAILURE);
    }
#endif
}

u64 hold_longest_us(const char **op)
{
    if (op)
        *op = longest_op;
    return longest * 1000 / tsc_per_ms;
}
