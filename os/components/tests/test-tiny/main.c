/* SPDX-License-Identifier: MIT */
/* test-tiny: the smallest component: it ends at once with exit code 0.
 *
 * The cycler starts it 1,000 times to find leaks in core's account life
 * cycle; the component benchmark uses it as the child whose start is timed.
 */
#include <kide/component.h>

void kide_main(struct kide_env *env)
{
    kide_exit(env, 0);
}
