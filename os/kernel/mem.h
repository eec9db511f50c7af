/* SPDX-License-Identifier: MIT */
/* Kernel memory: the page pool, charged allocations and per-PD slabs.
 *
 * All kernel objects live in a pool of RAM reserved at boot. Every page taken
 * from the pool is charged to exactly one PD's quota (pd.h), so the sum of
 * quotas bounds the pool's use and no PD can starve another. Small objects
 * come from per-PD slabs: a slab page belongs to one PD, which makes the
 * charge exact (never more pages in use than charged).
 */
#ifndef KIDE_MEM_H
#define KIDE_MEM_H

#include "types.h"
#include "arch/x86_64/layout.h"

struct pd;

static inline void *phys_to_virt(u64 p)
{
    return (void *)(p + DIRECT_MAP);
}
static inline u64 virt_to_phys(const void *v)
{
    u64 a = (u64)v;
    return a >= KERNEL_VBASE ? a - KERNEL_VBASE : a - DIRECT_MAP;
}

/** Early boot: take zeroed pages from the first GiB, below the pool. */
u64 early_alloc_page(void);
void mem_early_init(u64 first_free_phys);
/** Hand [start, end) to the pool; returns pages added. */
u64 pool_add(u64 start, u64 end);
/** Total pool pages, and free pages now. */
u64 pool_pages(void);
u64 pool_free_pages(void);

/** A zeroed page from the pool charged to pd, or NULL (quota or pool empty). */
void *kpage_alloc(struct pd *pd);
void kpage_free(struct pd *pd, void *page);
/** Uncharge a page that was mapped in user space now, and return it to the
 *  pool after the next tlb_flush_dirty() (the caller marked its PD dirty). */
void kpage_free_after_flush(struct pd *pd, void *page);
/** Return the pages kpage_free_after_flush() held (tlb_flush_dirty calls it). */
void mem_release_flushed(void);

#define SLAB_CLASSES 6 /* 64 .. 2048 bytes */

/** Slab cache of one size class in one PD. */
struct slab_cache {
    struct slab_page *partial; /**< pages with at least one free object */
};

/** Object of at most 2048 bytes from pd's slabs, zeroed, or NULL. */
void *kmalloc(struct pd *pd, size_t size);
void kfree(struct pd *pd, void *obj);

/** Charge and uncharge quota pages without allocating (pd.c implements). */
bool quota_charge(struct pd *pd, u64 pages);
void quota_uncharge(struct pd *pd, u64 pages);

#endif
