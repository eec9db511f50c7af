/* SPDX-License-Identifier: MIT */
/* The root task's reserved pages: what it must never hand out as RAM.
 *
 * Low memory (below 1 MiB; page 0 is NULL), every boot module, and the pages
 * of the root's own image, stack, boot-info page and UTCB. The root's RAM is
 * identity-mapped (boot.h), but its image is not, so those pages are found
 * with lookup. Shared by core (pages.c) and the kernel-test runtime (mem.c).
 *
 * Lookup of a memory CRD describes the *holding entry*: r1 is its descriptor
 * (base page and order of the whole mapping the page lies in) and r2 the
 * physical page number of that entry's base, so a page's frame is
 * r2 + (page - base(r1)).
 */
#include <kide/base.h>

extern char __image_start[], __image_end[];

struct range {
    u64 start, end;
};
static struct range excl[KIDE_BOOT_MAX_MODULES + 256];
static unsigned nexcl;

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

u64 base_phys_of(u64 va)
{
    u64 found = 0, info = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_MEM, va >> 12, 0, 0), &found, &info) != KIDE_OK ||
        KIDE_CRD_KIND(found) != KIDE_CRD_MEM)
        return ~0ull;
    return (info + ((va >> 12) - KIDE_CRD_BASE(found))) << 12;
}

bool base_root_reserved(u64 pa)
{
    for (unsigned i = 0; i < nexcl; i++)
        if (pa >= excl[i].start && pa < excl[i].end)
            return true;
    return false;
}

static void exclude_root_va(u64 start, u64 end)
{
    for (u64 va = BASE_ALIGN_DOWN(start, 4096); va < end; va += 4096) {
        u64 pa = base_phys_of(va);
        if (pa != ~0ull)
            exclude(pa, pa + 4096);
    }
}

void base_root_reserve(const struct kide_boot_info *bi)
{
    for (u64 i = 0; i < bi->module_count && i < KIDE_BOOT_MAX_MODULES; i++)
        exclude(bi->modules[i].phys, bi->modules[i].phys + bi->modules[i].size);
    exclude_root_va((u64)__image_start, (u64)__image_end);
    exclude_root_va(KIDE_ROOT_STACK_TOP - KIDE_ROOT_STACK_SIZE, KIDE_ROOT_STACK_TOP);
    exclude_root_va(KIDE_ROOT_BOOTINFO, KIDE_ROOT_BOOTINFO + 4096);
    exclude_root_va(KIDE_ROOT_UTCB, KIDE_ROOT_UTCB + 4096);
    exclude(0, 0x100000); /* never hand out low memory (page 0 is NULL) */
}
