/* SPDX-License-Identifier: MIT */
/* Page-table construction and walks; see paging.h. */
#include "paging.h"
#include "cpu.h"
#include "../../kernel.h"
#include "../../mem.h"
#include "../../pd.h"
#include <kide/syscall.h>

extern u64 boot_pml4[]; /* physical address (linked in the boot section) */
u64 kernel_pml4_phys;
extern bool cpu_has_nx;

static u64 *kpml4(void)
{
    return phys_to_virt(kernel_pml4_phys);
}

static bool is_ram(const struct boot_mem_range *ram, unsigned n, u64 a, u64 b)
{
    for (unsigned i = 0; i < n; i++)
        if (a < ram[i].end && b > ram[i].start)
            return true;
    return false;
}

void paging_init(const struct boot_mem_range *ram, unsigned n)
{
    kernel_pml4_phys = (u64)boot_pml4;
    u64 top = 4ul << 30;
    for (unsigned i = 0; i < n; i++)
        if (ram[i].end > top)
            top = ram[i].end;
    if (top > DIRECT_MAP_MAX)
        top = DIRECT_MAP_MAX;

    /* The boot mapping still covers the first GiB, where early pages live. */
    u64 *pml4 = (u64 *)((u64)boot_pml4 + KERNEL_VBASE);
    u64 pdpt = early_alloc_page();
    pml4[256] = pdpt | PTE_P | PTE_W;
    u64 *pdpt_v = (u64 *)(pdpt + KERNEL_VBASE);
    for (u64 gb = 0; gb < top; gb += 1ul << 30) {
        u64 pd = early_alloc_page();
        pdpt_v[gb >> 30] = pd | PTE_P | PTE_W;
        u64 *pd_v = (u64 *)(pd + KERNEL_VBASE);
        for (unsigned i = 0; i < 512; i++) {
            u64 a = gb + ((u64)i << 21);
            if (a >= top)
                break;
            bool r = is_ram(ram, n, a, a + (2ul << 20));
            if (!r && a >= (4ul << 30))
                continue;
            pd_v[i] = a | PTE_P | PTE_W | PTE_PS | PTE_G | (r ? 0 : PTE_PCD | PTE_PWT) |
                      (cpu_has_nx ? PTE_NX : 0);
        }
    }
    write_cr3(kernel_pml4_phys);
}

void paging_init_pd(u64 *pml4)
{
    for (unsigned i = 256; i < 512; i++)
        pml4[i] = kpml4()[i];
}

/* Walk to the 4 KiB leaf entry of va; allocate missing tables charged to pd
 * if alloc. Only user addresses are walked: the upper half is the kernel's
 * (shared, built of 2 MiB pages) and is never changed through a PD. A large-page
 * entry is a leaf, not a table; descending into it would treat a page of RAM
 * as a page table, so the walk stops there and reports no entry. */
static u64 *walk(struct pd *pd, u64 va, bool alloc, int *rc)
{
    if (va >= KIDE_USER_END) {
        if (rc)
            *rc = KIDE_BAD_ADDR;
        return NULL;
    }
    u64 *t = pd->pml4;
    for (int shift = 39; shift > 12; shift -= 9) {
        u64 *e = &t[(va >> shift) & 511];
        if ((*e & PTE_P) && (*e & PTE_PS) && shift != 39) {
            if (rc)
                *rc = KIDE_BAD_ADDR;
            return NULL;
        }
        if (!(*e & PTE_P)) {
            if (!alloc)
                return NULL;
            void *n = kpage_alloc(pd);
            if (!n) {
                *rc = KIDE_QUOTA;
                return NULL;
            }
            *e = virt_to_phys(n) | PTE_P | PTE_W | PTE_U;
        }
        t = phys_to_virt(*e & PTE_ADDR);
    }
    return &t[(va >> 12) & 511];
}

int pt_map(struct pd *pd, u64 va, u64 pa, unsigned perms)
{
    int rc = KIDE_OK;
    u64 *e = walk(pd, va, true, &rc);
    if (!e)
        return rc;
    *e = pa | PTE_P | PTE_U | ((perms & KIDE_MEM_W) ? PTE_W : 0) |
         ((perms & KIDE_MEM_DEV) ? PTE_PCD | PTE_PWT : 0) |
         ((!(perms & KIDE_MEM_X) && cpu_has_nx) ? PTE_NX : 0);
    return KIDE_OK;
}

void pt_unmap(struct pd *pd, u64 va)
{
    u64 *e = walk(pd, va, false, NULL);
    if (e)
        *e = 0;
}

u64 pt_query(struct pd *pd, u64 va)
{
    u64 *e = walk(pd, va, false, NULL);
    return (e && (*e & PTE_P)) ? (*e & PTE_ADDR) : 0;
}

static void free_level(struct pd *pd, u64 *t, int level)
{
    for (unsigned i = 0; i < 512; i++) {
        if (!(t[i] & PTE_P))
            continue;
        u64 *next = phys_to_virt(t[i] & PTE_ADDR);
        if (level > 1)
            free_level(pd, next, level - 1);
        if (level > 0)
            kpage_free(pd, next);
        t[i] = 0;
    }
}

void pt_destroy(struct pd *pd)
{
    /* Levels: PML4 entries point to PDPTs (3 levels of tables below). */
    for (unsigned i = 0; i < 256; i++) {
        if (!(pd->pml4[i] & PTE_P))
            continue;
        u64 *pdpt = phys_to_virt(pd->pml4[i] & PTE_ADDR);
        free_level(pd, pdpt, 2);
        kpage_free(pd, pdpt);
        pd->pml4[i] = 0;
    }
}
