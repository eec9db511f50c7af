/* SPDX-License-Identifier: MIT */
/* Calls to core's self session, the thread's own UTCB, semaphores and locks.
 *
 * rt_core() is how the runtime talks to core on behalf of the component
 * (log, RAM, quota, semaphores, handlers). It saves and restores the part of
 * the UTCB it uses, so a runtime call in the middle of reading a reply (a
 * kide_log between two kide_msg_get) never destroys the caller's message.
 * Locks are semaphores of count 1 (a spinning waiter could starve a
 * lower-priority holder on the same CPU); a lock without a semaphore, as
 * before start-up finished, is a no-op because only one thread runs then.
 */
#include <kide/base.h>
#include "rt.h"

#define SAVE_WORDS 64u

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

int rt_core(const kide_u64 *req, unsigned n, kide_u64 *res, unsigned nres)
{
    struct kide_utcb *u = rt_utcb();
    kide_u64 saved[SAVE_WORDS], msg = u->msg, rcv = u->rcv_crd;
    if (n == 0 || n > SAVE_WORDS)
        return KIDE_BAD_PARAM;
    memcpy(saved, u->words, sizeof(saved));
    memcpy(u->words, req, n * 8);
    u->msg = KIDE_MSG(n, 0);
    u->rcv_crd = 0;
    int st = kide_call(kide_core_portal());
    unsigned got = st == KIDE_OK ? KIDE_MSG_UNTYPED(u->msg) : 0;
    if (got > SAVE_WORDS)
        got = SAVE_WORDS;
    for (unsigned i = 0; i < nres; i++)
        res[i] = i < got ? u->words[i] : 0;
    if (st == KIDE_OK)
        st = got == 0 || u->words[0] > 0xffff ? KIDE_BAD_PARAM : (int)u->words[0];
    memcpy(u->words, saved, sizeof(saved));
    u->msg = msg;
    u->rcv_crd = rcv;
    return st;
}

int kide_sm_create(struct kide_env *env, kide_u64 count, kide_sel *sel)
{
    *sel = 0;
    kide_sel s = kide_sel_alloc(0);
    if (!s)
        return KIDE_QUOTA;
    kide_u64 req[3] = {KIDE_CORE_SM, s, count}, res[1];
    (void)env; /* the one environment: core charges the semaphore to this component */
    int st = rt_core(req, 3, res, 1);
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
