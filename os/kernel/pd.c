/* SPDX-License-Identifier: MIT */
/* Protection domains: creation, quota, teardown, TLB shoot-down; see pd.h.
 *
 * Costs: a PD takes four pages of its own quota at creation (the PD page, the
 * top-level page table, two capability-directory pages). Teardown is
 * proportional to what the PD holds and delegated.
 */
#include "pd.h"
#include "kernel.h"
#include "cap.h"
#include "ec.h"
#include "sm.h"
#include "lock.h"
#include "dma.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/paging.h"
#include <kide/status.h>

void cap_space_free(struct pd *pd);
void *pool_take_page(void);

static struct pd *dirty_list;

bool quota_charge(struct pd *pd, u64 pages)
{
    if (pd->quota_limit - pd->quota_used < pages)
        return false;
    pd->quota_used += pages;
    return true;
}

void quota_uncharge(struct pd *pd, u64 pages)
{
    assert(pd->quota_used >= pages);
    pd->quota_used -= pages;
}

/* Build a PD in a fresh page; it pays for itself from its own quota. */
static struct pd *pd_new(u64 quota, int *rc)
{
    struct pd *pd = pool_take_page();
    if (!pd) {
        *rc = KIDE_QUOTA;
        return NULL;
    }
    pd->quota_limit = quota;
    pd->quota_used = 1;
    kobj_init(&pd->obj, KOBJ_PD, pd);
    pd->pml4 = kpage_alloc(pd);
    pd->cap_dir[0] = kpage_alloc(pd);
    pd->cap_dir[1] = kpage_alloc(pd);
    assert(pd->pml4 && pd->cap_dir[0] && pd->cap_dir[1]); /* quota >= PD_MIN_QUOTA */
    paging_init_pd(pd->pml4);
    return pd;
}

struct pd *pd_create_root(u64 quota)
{
    int rc;
    struct pd *pd = pd_new(quota, &rc);
    if (!pd)
        panic("no memory for the root PD");
    return pd;
}

struct pd *pd_create(struct pd *parent, u64 quota, struct sm *notify, int *rc)
{
    if (quota < PD_MIN_QUOTA) {
        *rc = KIDE_BAD_PARAM;
        return NULL;
    }
    if (parent->quota_limit - parent->quota_used < quota) {
        *rc = KIDE_QUOTA;
        return NULL;
    }
    struct pd *pd = pd_new(quota, rc);
    if (!pd)
        return NULL;
    parent->quota_limit -= quota;
    pd->quota_parent = parent;
    kobj_get(&parent->obj);
    if (notify) {
        pd->notify = notify;
        kobj_get(&notify->obj);
    }
    return pd;
}

void pd_retire(struct pd *pd)
{
    pd->dead = true;
    while (pd->ecs)
        ec_kill(pd->ecs);
    cap_clear(pd);
    dma_pd_retire(pd); /* its devices are blocked before its memory goes */
    space_clear(pd, SPACE_MEM);
    space_clear(pd, SPACE_IO);
    pd_mark_dirty(pd);
    tlb_flush_dirty(); /* no CPU keeps the dead PD's tables loaded */
    if (pd->notify) {
        kobj_put(&pd->notify->obj);
        pd->notify = NULL;
    }
}

void pd_free(struct pd *pd)
{
    assert(pd->dead || !pd->quota_parent);
    if (pd->tlb_dirty) /* it must not stay on the dirty list once freed */
        tlb_flush_dirty();
    pt_destroy(pd);
    cap_space_free(pd);
    if (pd->iobm) {
        kpage_free(pd, pd->iobm);
        kpage_free(pd, pd->iobm_hi);
    }
    kpage_free(pd, pd->pml4);
    for (unsigned i = 0; i < KIDE_MAX_CPUS; i++)
        if (cpus[i].iobm_pd == pd)
            cpus[i].iobm_pd = NULL;
    assert(pd->quota_used == 1); /* only the PD page itself is left */
    struct pd *parent = pd->quota_parent;
    if (parent) {
        parent->quota_limit += pd->quota_limit;
        kobj_put(&parent->obj);
    }
    extern void pool_give_page(void *);
    pool_give_page(pd);
}

void pd_mark_dirty(struct pd *pd)
{
    if (pd->tlb_dirty)
        return;
    pd->tlb_dirty = true;
    pd->dirty_next = dirty_list;
    dirty_list = pd;
}

void tlb_flush_dirty(void)
{
    dma_flush(); /* frames taken from a PD are out of its devices' reach first */
    if (!dirty_list) {
        mem_release_flushed(); /* empty by its invariant (mem.c) */
        return;
    }
    struct cpu *self = this_cpu();
    bool wait = false;
    for (unsigned i = 0; i < cpu_count; i++) {
        struct cpu *c = &cpus[i];
        if (!c->online && c != self)
            continue;
        bool hit = false;
        for (struct pd *pd = dirty_list; pd; pd = pd->dirty_next)
            if (c->loaded_pd == pd || c->iobm_pd == pd)
                hit = true;
        if (!hit)
            continue;
        __atomic_store_n(&c->flush_pending, 1, __ATOMIC_RELEASE);
        if (c == self) {
            flush_handle();
        } else {
            lapic_ipi(c->apic_id, VEC_FLUSH);
            wait = true;
        }
    }
    u64 token = lock_hold_exclude_begin();
    while (wait) {
        wait = false;
        for (unsigned i = 0; i < cpu_count; i++)
            if (__atomic_load_n(&cpus[i].flush_pending, __ATOMIC_ACQUIRE))
                wait = true;
        cpu_pause();
    }
    lock_hold_exclude_end(token);
    while (dirty_list) {
        struct pd *pd = dirty_list;
        dirty_list = pd->dirty_next;
        pd->tlb_dirty = false;
        pd->dirty_next = NULL;
    }
    mem_release_flushed();
}
