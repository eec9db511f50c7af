/* SPDX-License-Identifier: MIT */
/* krt allocators: capability selectors and RAM pages of the root.
 *
 * Selectors: a bitmap over the 65536 slots; allocations are naturally
 * aligned blocks of 2^order (first fit), so ranges can be delegated and
 * revoked with a single CRD.
 * Pages: the root's RAM is identity-mapped (boot.h), so a page's address is
 * its physical address and the root can fill a child's pages directly. The
 * allocator bumps through boot info mem[] and keeps freed pages on a list
 * threaded through the pages themselves. It never hands out a page of a boot
 * module or of the root's own image, stack or boot-info page, and it checks
 * every fresh page with lookup (mapped, identity) before handing it out.
 *
 * Lookup of a memory CRD describes the *holding entry*: r1 is its descriptor
 * (base page and order of the whole mapping the page lies in) and r2 the
 * physical page number of that entry's base, so a page's frame is
 * r2 + (page - base(r1)).
 */
#include <krt.h>

extern char __image_start[], __image_end[];

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
struct range {
    u64 start, end;
};
static struct range excl[KIDE_BOOT_MAX_MODULES + 256];
static unsigned nexcl;
static unsigned mem_idx; /* mem[] range being bumped through */
static u64 mem_cursor;   /* next candidate page in it */
static u64 free_list;    /* freed pages, linked through their first word */
static u64 free_count;

static void exclude(u64 start, u64 end)
{
    start = BASE_ALIGN_DOWN(start, 4096);
    end = BASE_ALIGN_UP(end, 4096);
    for (unsigned i = 0; i < nexcl; i++) {
        if (start <= excl[i].end && end >= excl[i].start) { /* touching: merge */
            excl[i].start = BASE_MIN(excl[i].start, start);
            excl[i].end = end > excl[i].end ? end : excl[i].end;
            return;
        }
    }
    if (nexcl < BASE_ARRAY_SIZE(excl))
        excl[nexcl++] = (struct range){start, end};
    else
        base_panic("krt: too many excluded RAM ranges");
}

u64 krt_phys_of(u64 va)
{
    u64 found = 0, info = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_MEM, va >> 12, 0, 0), &found, &info) != KIDE_OK ||
        KIDE_CRD_KIND(found) != KIDE_CRD_MEM)
        return ~0ull;
    return (info + ((va >> 12) - KIDE_CRD_BASE(found))) << 12;
}

bool krt_root_reserved(u64 pa)
{
    for (unsigned i = 0; i < nexcl; i++)
        if (pa >= excl[i].start && pa < excl[i].end)
            return true;
    return false;
}

static void exclude_root_va(u64 start, u64 end)
{
    for (u64 va = BASE_ALIGN_DOWN(start, 4096); va < end; va += 4096) {
        u64 pa = krt_phys_of(va);
        if (pa != ~0ull)
            exclude(pa, pa + 4096);
    }
}

void krt_root_init(const struct kide_boot_info *bi)
{
    if (bi->magic != KIDE_BOOT_MAGIC)
        base_panic("boot info magic %lx, expected %lx", bi->magic, (u64)KIDE_BOOT_MAGIC);
    krt_bootinfo = bi;
    sel_mark(0, KIDE_ROOT_SEL_FREE, true);
    for (u64 i = 0; i < bi->module_count && i < KIDE_BOOT_MAX_MODULES; i++)
        exclude(bi->modules[i].phys, bi->modules[i].phys + bi->modules[i].size);
    exclude_root_va((u64)__image_start, (u64)__image_end);
    exclude_root_va(KIDE_ROOT_STACK_TOP - KIDE_ROOT_STACK_SIZE, KIDE_ROOT_STACK_TOP);
    exclude_root_va(KIDE_ROOT_BOOTINFO, KIDE_ROOT_BOOTINFO + 4096);
    exclude_root_va(KIDE_ROOT_UTCB, KIDE_ROOT_UTCB + 4096);
    exclude(0, 0x100000); /* never hand out low memory (page 0 is NULL) */
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
            if (krt_root_reserved(pa))
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
            n += !krt_root_reserved(pa);
    }
    return n;
}
