/* SPDX-License-Identifier: MIT */
/* krt allocators: capability selectors and RAM pages of the root.
 *
 * Selectors: a bitmap over the 65536 slots; allocations are naturally
 * aligned blocks of 2^order (first fit), so ranges can be delegated and
 * revoked with a single CRD.
 * Pages: the root's RAM is identity-mapped (boot.h), so a page's address is
 * its physical address and the root can fill a child's pages directly. The
 * allocator bumps through boot info mem[] and keeps freed pages on a list
 * threaded through the pages themselves. It never hands out a reserved page
 * (a boot module, low memory, the root's own image, stack or boot-info page:
 * the base library's base_root_reserved, which core uses too), and it checks
 * every fresh page with lookup (mapped, identity) before handing it out.
 */
#include <krt.h>

const struct kide_boot_info *krt_bootinfo;

/* ---- selectors ---- */
static u64 sel_map[KIDE_CAP_SLOTS / 64];

static bool sel_used(kide_sel s)
{
    return sel_map[s / 64] >> (s % 64) & 1;
}

static void sel_mark(kide_sel s, u64 n, bool used)
{
    for (u64 i = 0; i < n; i++) {
        if (used)
            sel_map[(s + i) / 64] |= 1ull << ((s + i) % 64);
        else
            sel_map[(s + i) / 64] &= ~(1ull << ((s + i) % 64));
    }
}

kide_sel krt_sel_alloc(unsigned order)
{
    u64 n = 1ull << order;
    for (u64 s = BASE_ALIGN_UP(KIDE_ROOT_SEL_FREE, n); s + n <= KIDE_CAP_SLOTS; s += n) {
        if (n >= 64 && sel_map[s / 64] != 0)
            continue;
        bool free = true;
        for (u64 i = 0; i < n && free; i++)
            free = !sel_used(s + i);
        if (free) {
            sel_mark(s, n, true);
            return s;
        }
    }
    return 0;
}

void krt_sel_free(kide_sel sel, unsigned order)
{
    if (sel >= KIDE_ROOT_SEL_FREE && sel + (1ull << order) <= KIDE_CAP_SLOTS)
        sel_mark(sel, 1ull << order, false);
}

/* ---- pages ---- */
static unsigned mem_idx; /* mem[] range being bumped through */
static u64 mem_cursor;   /* next candidate page in it */
static u64 free_list;    /* freed pages, linked through their first word */
static u64 free_count;

u64 krt_phys_of(u64 va)
{
    return base_phys_of(va);
}

void krt_root_init(const struct kide_boot_info *bi)
{
    if (bi->magic != KIDE_BOOT_MAGIC)
        base_panic("boot info magic %lx, expected %lx", bi->magic, (u64)KIDE_BOOT_MAGIC);
    krt_bootinfo = bi;
    sel_mark(0, KIDE_ROOT_SEL_FREE, true);
    base_root_reserve(bi);
    mem_idx = 0;
    mem_cursor = 0;
}

static u64 bump(void)
{
    const struct kide_boot_info *bi = krt_bootinfo;
    while (mem_idx < bi->mem_count && mem_idx < KIDE_BOOT_MAX_MEM) {
        u64 start = BASE_ALIGN_UP(bi->mem[mem_idx].phys, 4096);
        u64 end = BASE_ALIGN_DOWN(bi->mem[mem_idx].phys + bi->mem[mem_idx].size, 4096);
        if (mem_cursor < start)
            mem_cursor = start;
        while (mem_cursor < end && mem_cursor < 0x4000000000ull) {
            u64 pa = mem_cursor;
            mem_cursor += 4096;
            /* Defensive: only pages the kernel says the root holds, identity-mapped. */
            if (base_root_reserved(pa))
                continue;
            u64 ph = krt_phys_of(pa);
            if (ph == pa)
                return pa;
            static unsigned complaints;
            if (complaints++ < 3)
                printf("krt: RAM page %lx from boot info: lookup says %lx; skipped\n", pa, ph);
        }
        mem_idx++;
        mem_cursor = 0;
    }
    return 0;
}

u64 krt_page_alloc(void)
{
    u64 pa;
    if (!krt_bootinfo)
        return 0;
    if (free_list) {
        pa = free_list;
        free_list = *(u64 *)pa;
        free_count--;
    } else {
        pa = bump();
        if (!pa)
            return 0;
    }
    memset((void *)pa, 0, 4096);
    return pa;
}

void krt_page_free(u64 pa)
{
    if (!pa)
        return;
    *(u64 *)pa = free_list;
    free_list = pa;
    free_count++;
}

u64 krt_pages_free(void)
{
    return free_count;
}

u64 krt_pages_available(void)
{
    const struct kide_boot_info *bi = krt_bootinfo;
    u64 n = free_count;
    if (!bi)
        return 0;
    /* Pages the bump allocator has not reached yet (without probing them). */
    for (unsigned i = mem_idx; i < bi->mem_count && i < KIDE_BOOT_MAX_MEM; i++) {
        u64 start = BASE_ALIGN_UP(bi->mem[i].phys, 4096);
        u64 end = BASE_ALIGN_DOWN(bi->mem[i].phys + bi->mem[i].size, 4096);
        if (i == mem_idx && mem_cursor > start)
            start = mem_cursor;
        if (end > 0x4000000000ull)
            end = 0x4000000000ull;
        for (u64 pa = start; pa < end; pa += 4096)
            n += !base_root_reserved(pa);
    }
    return n;
}
