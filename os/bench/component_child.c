/* SPDX-License-Identifier: MIT */
/* bench-child: the child whose start the component benchmark times.
 *
 * Its first action is opening a session to "Bench" (the driver, through
 * hoitaja): that open arriving at the driver ends the measured span. Then
 * it only answers its parent until it is removed.
 */
#include <kide/component.h>

void kide_main(struct kide_env *env)
{
    struct kide_session s;
    if (kide_session_open(env, "Bench", "", 0, &s) != 0)
        kide_log(env, "bench-child: no Bench session");
    kide_serve(env);
}
