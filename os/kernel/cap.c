/* SPDX-License-Identifier: MIT */
/* Capability spaces; see cap.h.
 *
 * The directory is two pages of 512 pointers (allocated with the PD); slot
 * pages are allocated on first use and freed with the PD.
 */
#include "cap.h"
#include "kernel.h"
#include "pd.h"
#include "mem.h"
#include <kide/syscall.h>
#include <kide/status.h>

_Static_assert(sizeof(struct cap) <= 64, "64 slots per page");

struct cap *cap_slot(struct pd *pd, u64 sel, bool alloc)
{
    if (sel == 0 || sel >= KIDE_CAP_SLOTS)
        return NULL;
    u64 idx = sel / CAPS_PER_PAGE;
    struct cap **dir = pd->cap_dir[idx / 512];
    struct cap *page = dir[idx % 512];
    if (!page) {
        if (!alloc)
            return NULL;
        page = kpage_alloc(pd);
        if (!page)
            return NULL;
        dir[idx % 512] = page;
    }
    return (struct cap *)((char *)page + (sel % CAPS_PER_PAGE) * 64);
}

struct kobj *cap_get(struct pd *pd, u64 sel, u8 type, u8 need, int *rc)
{
    struct cap *c = cap_slot(pd, sel, false);
    if (!c || !c->obj || (type && c->obj->type != type)) {
        *rc = KIDE_BAD_CAP;
        return NULL;
    }
    if ((c->perms & need) != need) {
        *rc = KIDE_BAD_PERM;
        return NULL;
    }
    return c->obj;
}

int cap_check_free(struct pd *pd, u64 sel)
{
    if (sel == 0 || sel >= KIDE_CAP_SLOTS)
        return KIDE_BAD_CAP;
    struct cap *c = cap_slot(pd, sel, false);
    return (c && c->obj) ? KIDE_BUSY : KIDE_OK;
}

int cap_install(struct pd *pd, u64 sel, struct kobj *o, u8 perms)
{
    struct cap *c = cap_slot(pd, sel, true);
    if (!c)
        return sel && sel < KIDE_CAP_SLOTS ? KIDE_QUOTA : KIDE_BAD_CAP;
    if (c->obj)
        return KIDE_BUSY;
    c->link.kind = MDB_CAP;
    c->obj = o;
    c->perms = perms & KIDE_PERM_ALL;
    kobj_cap_get(o);
    return KIDE_OK;
}

int cap_delegate(struct pd *src, struct pd *dst, u64 base, u8 order, u64 dst_base, u8 mask)
{
    u64 n = 1ul << order;
    if (base + n > KIDE_CAP_SLOTS || dst_base + n > KIDE_CAP_SLOTS)
        return KIDE_BAD_PARAM;
    /* Within one space the ranges must not overlap: the copy would feed on itself. */
    if (src == dst && base < dst_base + n && dst_base < base + n)
        return KIDE_BAD_PARAM;
    /* Check everything first so a failed delegation changes nothing. */
    u64 found = 0;
    for (u64 i = 0; i < n; i++) {
        struct cap *s = cap_slot(src, base + i, false);
        if (!s || !s->obj)
            continue;
        found++;
        if (base + i == 0 || dst_base + i == 0)
            return KIDE_BAD_CAP;
        struct cap *d = cap_slot(dst, dst_base + i, true);
        if (!d)
            return KIDE_QUOTA;
        if (d->obj)
            return KIDE_BUSY;
    }
    if (!found)
        return KIDE_BAD_CAP;
    for (u64 i = 0; i < n; i++) {
        struct cap *s = cap_slot(src, base + i, false);
        if (!s || !s->obj)
            continue;
        struct cap *d = cap_slot(dst, dst_base + i, false); /* allocated above */
        if (!d || d->obj)
            continue; /* defensive: the first pass guarantees an empty slot */
        d->link.kind = MDB_CAP;
        d->obj = s->obj;
        d->perms = s->perms & mask;
        kobj_cap_get(d->obj);
        mdb_link_child(&s->link, &d->link);
    }
    return KIDE_OK;
}

void cap_revoke(struct pd *pd, u64 base, u8 order, bool self)
{
    u64 end = base + (1ul << order);
    if (end > KIDE_CAP_SLOTS)
        end = KIDE_CAP_SLOTS;
    for (u64 sel = base ? base : 1; sel < end; sel++) {
        struct cap *c = cap_slot(pd, sel, false);
        if (!c) {
            sel |= CAPS_PER_PAGE - 1; /* skip a missing page */
            continue;
        }
        if (c->obj)
            mdb_revoke(&c->link, self);
    }
}

void cap_clear(struct pd *pd)
{
    cap_revoke(pd, 0, 16, true);
}

/** Free the slot pages and the directory (PD free; all slots are empty). */
void cap_space_free(struct pd *pd)
{
    for (unsigned d = 0; d < 2; d++) {
        if (!pd->cap_dir[d])
            continue;
        for (unsigned i = 0; i < 512; i++)
            if (pd->cap_dir[d][i])
                kpage_free(pd, pd->cap_dir[d][i]);
        kpage_free(pd, pd->cap_dir[d]);
        pd->cap_dir[d] = NULL;
    }
}

void mdb_destroy_range(struct mdb_link *l);

void mdb_destroy(struct mdb_link *l)
{
    if (l->kind == MDB_RANGE) {
        mdb_destroy_range(l);
        return;
    }
    struct cap *c = container_of(l, struct cap, link);
    struct kobj *o = c->obj;
    c->obj = NULL;
    c->perms = 0;
    if (o)
        kobj_cap_put(o);
}
