/* SPDX-License-Identifier: MIT */
/* Where the base library's crt0 enters the component runtime (kide/base.h).
 *
 * Core starts a component's main EC at _start with RDI = 0 (a thread) and
 * every handler EC's portals with RDI = the portal id; nothing ever starts a
 * component as the root task. A handler replies with base_reply; if that
 * keeps failing, it ends the component (exit code 1) rather than spin.
 */
#include <kide/base.h>
#include "rt.h"

void base_entry_root(const struct kide_boot_info *bi)
{
    (void)bi;
    base_panic("kide: a component is not a root task: boot it under core");
}

void base_entry_thread(struct kide_utcb *utcb)
{
    (void)utcb; /* the main EC's UTCB is KIDE_COMP_UTCB */
    rt_main();
}

void base_entry_portal(u64 id, u64 msg, struct kide_utcb *utcb)
{
    utcb->msg = 0;
    rt_portal_entry(id, msg, utcb);
    base_reply(utcb);
    kide_exit(&rt_env, 1);
}
