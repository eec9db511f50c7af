/* SPDX-License-Identifier: MIT */
/* Signals: yield requests and heartbeats, and the main loop kide_serve.
 *
 * Core and the parent up the component's signal semaphore; the semaphore
 * says only "look". The runtime then asks the parent what it wants
 * (KIDE_PARENT_PENDING: heartbeat, yield) and core how much RAM the owner
 * wants back (KIDE_CORE_QUOTA w6), core first (see rt_handle_signal). For a yield it runs the
 * component's on_yield callback and then returns every wholly free heap chunk to core; core notices
 * the freed RAM itself. A component without a parent (the root habitat's hoitaja) gets BAD_CAP from
 * PENDING, which is simply "nothing".
 */
#include <kide/base.h>
#include "rt.h"

void kide_on_yield(struct kide_env *env, void (*fn)(struct kide_env *env, kide_u64 bytes))
{
    env->on_yield = fn;
}

void rt_handle_signal(struct kide_env *env)
{
    /* Core's yield request first: a parent waiting for this RAM (a live
     * shrink) may be busy in its only handler EC and cannot answer PENDING
     * until the RAM arrives. */
    struct kide_quota q;
    if (kide_quota(env, &q) != KIDE_OK)
        q.yield_request = 0;
    bool yielded = false;
    if (q.yield_request) {
        if (env->on_yield)
            env->on_yield(env, q.yield_request);
        rt_heap_release();
        yielded = true;
    }
    kide_u64 want = 0;
    struct kide_parent_chan ch = {.pt = env->parent};
    struct kide_parent_pending_rep rep; /* a reply without w1 reads as 0 */
    if (kide_parent_pending(&ch, &rep) == KIDE_OK)
        want = rep.want;
    if (want & KIDE_PARENT_WANT_HEARTBEAT)
        kide_parent_alive(&ch);
    if ((want & KIDE_PARENT_WANT_YIELD) && !yielded) {
        if (env->on_yield)
            env->on_yield(env, 0);
        rt_heap_release();
    }
}

/* deadline 0: wait forever. */
static int wait_until(struct kide_env *env, kide_u64 deadline)
{
    int st = kide_ctrl_sm(KIDE_CTRL_SM_DOWN, KIDE_COMP_SEL_SIGNAL, deadline);
    if (st == KIDE_TIMEOUT)
        return 0;
    if (st != KIDE_OK) {
        /* No signal semaphore: wait on the private one so a loop never spins. */
        if (env->sleep_sm)
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, env->sleep_sm, deadline);
        return 0;
    }
    rt_handle_signal(env);
    return 1;
}

int kide_wait_signal(struct kide_env *env, kide_u64 ms)
{
    if (ms > (1ull << 40))
        ms = 1ull << 40;
    return wait_until(env, kide_now_ns() + ms * 1000000ull);
}

void kide_serve(struct kide_env *env)
{
    for (;;)
        wait_until(env, 0);
}
