/* SPDX-License-Identifier: MIT */
/* test-idle: a component that does nothing but answer its parent.
 *
 * Used where a scenario needs a long-lived, quiet child (reconfiguration,
 * accounting): it logs one line and serves signals (heartbeats, yields)
 * forever, so its CPU time stays what start-up cost.
 */
#include "test.h"

void kide_main(struct kide_env *env)
{
    kide_log(env, "idle: up");
    t_idle(env);
}
