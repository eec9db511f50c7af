/* SPDX-License-Identifier: MIT */
/* Calls to core's self session, the thread's own UTCB, semaphores and locks.
 *
 * The runtime talks to core on behalf of the component (log, RAM, quota,
 * semaphores, handlers) through the client library over rt_core_chan(), which
 * saves and restores the part of the UTCB a call uses, so a runtime call in the
 * middle of reading a reply (a kide_log between two kide_msg_get) never
 * destroys the caller's message.
 * Locks are semaphores of count 1 (a spinning waiter could starve a
 * lower-priority holder on the same CPU); a lock without a semaphore, as
 * before start-up finished, is a no-op because only one thread runs then.
 */
#include <kide/base.h>
#include "rt.h"

struct kide_utcb *rt_utcb(void)
{
    kide_u64 sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    if (sp >= RT_STACK_VA && sp < KIDE_COMP_HEAP_END) {
        kide_u64 slot = sp & ~(RT_STACK_SLOT - 1);
        return *(struct kide_utcb **)(slot + RT_STACK_SLOT - 16);
    }
    return (struct kide_utcb *)KIDE_COMP_UTCB;
}

struct kide_utcb *kide_utcb(void)
{
    return rt_utcb();
}

struct kide_core_chan rt_core_chan(void)
{
    struct kide_core_chan ch = kide_core_self_chan(rt_utcb(), kide_core_portal());
    ch.keep = 1;
    return ch;
}

int kide_sm_create(struct kide_env *env, kide_u64 count, kide_sel *sel)
{
    *sel = 0;
    kide_sel s = kide_sel_alloc(0);
    if (!s)
        return KIDE_QUOTA;
    (void)env; /* the one environment: core charges the semaphore to this component */
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_sm_req req = {.sel = s, .count = count};
    int st = kide_core_sm(&ch, &req);
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
