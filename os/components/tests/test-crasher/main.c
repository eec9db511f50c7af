/* SPDX-License-Identifier: MIT */
/* test-crasher: dereferences NULL on purpose.
 *
 * Scenario tests/faults. hoitaja must report the page fault at address 0
 * and restart the child with back-off; the sibling keeps running. After
 * `delay_ms` (default 0) the crasher reads address 0, which no component
 * maps (programs are linked at 0x4000000000).
 */
#include "test.h"

void kide_main(struct kide_env *env)
{
    kide_u64 delay = t_cfg_u64(env, "delay_ms", 0);
    kide_log(env, "crasher: started, faulting in %llu ms", (unsigned long long)delay);
    if (delay)
        kide_sleep_ms(delay);
    volatile kide_u64 *null = (volatile kide_u64 *)0;
    kide_u64 v = *null; /* the fault under test */
    t_fail(env, "crasher", "reading address 0 returned %llu instead of faulting",
           (unsigned long long)v);
}
