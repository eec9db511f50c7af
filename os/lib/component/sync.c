/* SPDX-License-Identifier: MIT */
/* Shared: the runtime's one environment, semaphores, locks and time.
 *
 * Locks are semaphores of count 1 (a spinning waiter could starve a
 * lower-priority holder on the same CPU); a lock without a semaphore, as
 * before start-up finished, is a no-op because only one thread runs then.
 * A semaphore's kernel object comes from the backend (rt_sm_make).
 */
#include <kide/base.h>
#include "rt.h"

struct kide_env rt_env;

int kide_sm_create(struct kide_env *env, kide_u64 count, kide_sel *sel)
{
    *sel = 0;
    kide_sel s = kide_sel_alloc(0);
    if (!s)
        return KIDE_QUOTA;
    (void)env; /* the one environment */
    int st = rt_sm_make(s, count);
    if (st != KIDE_OK) {
        kide_sel_free(s, 0);
        return st;
    }
    *sel = s;
    return KIDE_OK;
}

int kide_mutex_init(struct kide_env *env, struct kide_mutex *mx)
{
    return kide_sm_create(env, 1, &mx->sm);
}

void kide_mutex_lock(struct kide_mutex *mx)
{
    if (mx->sm)
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, mx->sm, 0);
}

void kide_mutex_unlock(struct kide_mutex *mx)
{
    if (mx->sm)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, mx->sm, 0);
}

kide_u64 kide_now_ns(void)
{
    kide_u64 ns = 0;
    kide_clock(&ns);
    return ns;
}

void kide_sleep_ms(kide_u64 ms)
{
    if (ms > (1ull << 40))
        ms = 1ull << 40;
    kide_u64 deadline = kide_now_ns() + ms * 1000000ull;
    if (!rt_env.sleep_sm)
        return;
    /* Nobody ups the sleep semaphore: each down ends at its deadline. */
    while (kide_now_ns() < deadline &&
           kide_ctrl_sm(KIDE_CTRL_SM_DOWN, rt_env.sleep_sm, deadline) == KIDE_OK)
        ;
}
