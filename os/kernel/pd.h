/* SPDX-License-Identifier: MIT */
/* Protection domain: capability space + address space + I/O space + quota.
 *
 * States: alive, then dead once its last capability is revoked (teardown
 * stops its ECs and revokes everything it holds and everything it delegated),
 * then freed when nothing charged to it remains. Its quota (pages of kernel
 * memory) was moved to it from the PD that funded its creation and returns
 * there when it is freed. Invariant: quota_used <= quota_limit.
 */
#ifndef KIDE_PD_H
#define KIDE_PD_H

#include "kobj.h"
#include "mem.h"
#include "mdb.h"

struct cap;
struct ec;
struct sm;

struct pd {
    struct kobj obj;
    u64 *pml4;               /**< top-level page table (direct-map address) */
    struct rnode *space[4];  /**< treap roots, indexed by SPACE_MEM / SPACE_IO */
    u8 *iobm;                /**< I/O bitmap ports 0-32767 (1 = denied), or NULL */
    u8 *iobm_hi;             /**< ports 32768-65535 */
    struct cap **cap_dir[2]; /**< 2 x 512 pointers to pages of 64 slots */
    u64 quota_limit;         /**< pages this PD may have charged */
    u64 quota_used;          /**< pages charged now */
    struct pd *quota_parent; /**< where the quota returns (NULL for the root) */
    struct sm *notify;       /**< upped when one of its ECs stops on a fault */
    struct ec *ecs;          /**< ECs running in this PD */
    bool dead;
    bool tlb_dirty; /**< mappings removed since the last shoot-down */
    u16 dma_did;    /**< its DMA domain's id (valid with dma_root) */
    u64 *dma_root;  /**< DMA domain: VT-d second-level table, or NULL (dma.c) */
    struct pd *dirty_next;
    struct slab_cache slabs[SLAB_CLASSES];
};

#define PD_MIN_QUOTA 8

/** Create the root PD at boot with the given quota. */
struct pd *pd_create_root(u64 quota);
/** Create a PD funded by parent; rc receives the status on failure. */
struct pd *pd_create(struct pd *parent, u64 quota, struct sm *notify, int *rc);
void pd_retire(struct pd *pd);
void pd_free(struct pd *pd);

/** Note that pd lost mappings; tlb_flush_dirty() shoots them down. */
void pd_mark_dirty(struct pd *pd);
/** Flush every dirtied address space on every CPU that has it loaded. */
void tlb_flush_dirty(void);

#endif
