/* SPDX-License-Identifier: MIT */
/* Component backend: calls to core's self session, the thread's own UTCB and
 * semaphores made by core.
 *
 * The runtime talks to core on behalf of the component (log, RAM, quota,
 * semaphores, handlers) through the client library over rt_core_chan(), which
 * saves and restores the part of the UTCB a call uses, so a runtime call in the
 * middle of reading a reply (a kide_log between two kide_msg_get) never
 * destroys the caller's message.
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
    kide_u64 utcb = rt_thread_utcb(sp);
    return (struct kide_utcb *)(utcb ? utcb : KIDE_COMP_UTCB);
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

int rt_sm_make(kide_sel sel, kide_u64 count)
{
    /* core charges the semaphore to this component */
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_sm_req req = {.sel = sel, .count = count};
    return kide_core_sm(&ch, &req);
}
