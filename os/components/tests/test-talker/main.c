/* SPDX-License-Identifier: MIT */
/* test-talker: logs known lines, then idles (or faults).
 *
 * Scenario tests/mgmt-control. Logs "talker: line <i> of <n>" for i = 1..n
 * as fast as core takes them (a flood when n is large: most lines miss the
 * console's rate limit but all reach the component's log ring), then
 * "talker: done <n>", and idles answering its parent (heartbeats), or with
 * `fault` reads address 0 right after its last line (last words of a crash).
 */
#include "test.h"

void kide_main(struct kide_env *env)
{
    kide_u64 n = t_cfg_u64(env, "lines", 3);
    kide_u64 fault = t_cfg_u64(env, "fault", 0);
    for (kide_u64 i = 1; i <= n; i++)
        kide_log(env, "talker: line %llu of %llu", (unsigned long long)i, (unsigned long long)n);
    kide_log(env, "talker: done %llu", (unsigned long long)n);
    if (fault) {
        volatile kide_u64 *null = (volatile kide_u64 *)0;
        kide_u64 v = *null; /* the fault under test */
        t_fail(env, "talker", "reading address 0 returned %llu instead of faulting",
               (unsigned long long)v);
    }
    t_idle(env);
}
