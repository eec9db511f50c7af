/* SPDX-License-Identifier: MIT */
/* test-spinner: burns CPU, optionally only for a while.
 *
 * Scenario tests/cpu. The spinner never blocks while it spins, so the CPU
 * time it gets is exactly what the scheduler grants its SC: its quota
 * budget per 10 ms period plus whatever idle time is left. With
 * `idle_after_ms` > 0 it stops after that much wall-clock time and then only
 * waits for signals (the idle phase of the scenario: its share must go to
 * the other spinner).
 */
#include "test.h"

void kide_main(struct kide_env *env)
{
    kide_u64 idle_after = t_cfg_u64(env, "idle_after_ms", 0);
    kide_u64 stop = idle_after ? kide_now_ns() + idle_after * 1000000ull : ~0ull;
    volatile kide_u64 x = 0;

    kide_log(env, "spinner: spinning%s", idle_after ? " for a while" : "");
    while (kide_now_ns() < stop)
        for (int i = 0; i < 10000; i++)
            x = x + 1;
    kide_log(env, "spinner: idle now");
    t_idle(env);
}
