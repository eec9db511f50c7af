/* SPDX-License-Identifier: MIT */
/* Shared dataspaces, client side: attaching pages a server sends in a reply.
 *
 * The reply carries one memory item per page (the server shares RAM core
 * mapped page by page). The receive window is a fresh, naturally aligned
 * range of the attach region, never reused, so an item can never land on
 * something the component already has. Detaching revokes the client's own
 * copies only; the server's copy, and other clients', stay.
 */
#include <kide/base.h>
#include "rt.h"

static kide_u64 attach_next = RT_ATTACH_VA; /* guarded by rt_env.misc_mx */

static int order_of(kide_u64 pages)
{
    if (!pages || pages > KIDE_DS_MAX_PAGES || (pages & (pages - 1)))
        return -1;
    int order = 0;
    while ((1ull << order) < pages)
        order++;
    return order;
}

int kide_msg_call_attach(struct kide_msg *m, kide_sel pt, kide_u64 pages, void **addr,
                         kide_u64 *got)
{
    int order = order_of(pages);
    if (addr)
        *addr = NULL;
    if (got)
        *got = 0;
    if (order < 0 || !addr || !got)
        return KIDE_BAD_PARAM;
    kide_u64 size = pages * 4096;
    kide_mutex_lock(&rt_env.misc_mx);
    kide_u64 va = (attach_next + size - 1) & ~(size - 1);
    int room = va + size <= RT_ATTACH_VA_END;
    if (room)
        attach_next = va + size;
    kide_mutex_unlock(&rt_env.misc_mx);
    if (!room)
        return KIDE_QUOTA;
    int st = rt_msg_call_window(m, pt, KIDE_CRD(KIDE_CRD_MEM, va >> 12, (unsigned)order, 0), 0, 0);
    kide_u64 items = m->items;
    if (st == KIDE_OK && items) {
        *addr = (void *)va;
        *got = items;
    }
    return st;
}

int kide_ds_detach(struct kide_env *env, void *addr, kide_u64 pages)
{
    int order = order_of(pages);
    kide_u64 va = (kide_u64)addr;
    (void)env;
    if (order < 0 || va < RT_ATTACH_VA || va >= RT_ATTACH_VA_END || (va & (pages * 4096 - 1)))
        return KIDE_BAD_PARAM;
    return kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_MEM, va >> 12, (unsigned)order, 0));
}
