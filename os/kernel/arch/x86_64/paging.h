/* SPDX-License-Identifier: MIT */
/* Page tables: the kernel's direct map and user address spaces.
 *
 * User page tables are 4-level with 4 KiB leaves. Intermediate tables are
 * charged to the PD whose address space they build; they are freed only when
 * the PD is destroyed (unmapping clears leaves and keeps the tables).
 */
#ifndef KIDE_ARCH_PAGING_H
#define KIDE_ARCH_PAGING_H

#include "types.h"

#define PTE_P    0x001ul
#define PTE_W    0x002ul
#define PTE_U    0x004ul
#define PTE_PWT  0x008ul
#define PTE_PCD  0x010ul
#define PTE_PS   0x080ul
#define PTE_G    0x100ul
#define PTE_NX   (1ul << 63)
#define PTE_ADDR 0x000ffffffffff000ul

struct pd;
struct boot_mem_range {
    u64 start, end;
};

extern u64 kernel_pml4_phys;

/** Build the direct map for RAM (and MMIO below 4 GiB, uncached). */
void paging_init(const struct boot_mem_range *ram, unsigned n);
/** Fill a new PD's top-level table with the kernel half. */
void paging_init_pd(u64 *pml4);
/** Map one user page; tables are charged to pd. mem_perms: KIDE_MEM_R/W/X,
 *  and KIDE_MEM_DEV for uncacheable device memory. Returns a kide_status. */
int pt_map(struct pd *pd, u64 va, u64 pa, unsigned mem_perms);
/** Remove one user mapping (no TLB flush; the caller shoots down). */
void pt_unmap(struct pd *pd, u64 va);
/** Physical address mapped at va, or 0. */
u64 pt_query(struct pd *pd, u64 va);
/** Free every user-half table of pd (not the top level). */
void pt_destroy(struct pd *pd);

#endif
