/* SPDX-License-Identifier: MIT */
/* RAM of accounts: every page core hands out is recorded with its owner.
 *
 * core holds all RAM identity-mapped (boot.h), so a page's address is its
 * physical address and core fills a component's pages (ELF segments, info,
 * config) directly. The records live in core's own pages, 255 per page, so
 * bookkeeping grows with use and is returned when the account goes away; its
 * cost is core's, about 0.4% of what an account maps.
 *
 * Freeing revokes the page: the kernel removes it from the component and
 * from anyone the component passed it to, on every CPU, before the page is
 * reused.
 *
 * Pages come from pages.c by the account's NUMA policy (ram_node,
 * ram_strict); ram_on_node counts them by the node they lie in (the report's
 * proof of where an account's RAM is). Records follow the policy but never
 * strictly: they are core's.
 */
#include "core.h"

struct page_rec {
    u64 va;
    u64 pa; /* page address | KIDE_MEM_* in the low bits */
};

#define RECS_PER_BLOCK 255
#define REC_SHARED     8ull /* a boot-module page: not ours to free, not charged */

struct page_block {
    struct page_block *next;
    u64 count;
    struct page_rec rec[RECS_PER_BLOCK];
};
_Static_assert(sizeof(struct page_block) <= 4096, "one page per block");

static struct page_rec *rec_find(struct account *a, u64 va)
{
    for (struct page_block *b = a->pages; b; b = b->next)
        for (u64 i = 0; i < b->count; i++)
            if (b->rec[i].va == va)
                return &b->rec[i];
    return NULL;
}

bool mem_has(struct account *a, u64 va)
{
    return rec_find(a, va) != NULL;
}

void *mem_ptr(struct account *a, u64 va)
{
    struct page_rec *r = rec_find(a, KRT_ALIGN_DOWN(va, 4096));
    return r ? (void *)((r->pa & ~4095ull) + (va & 4095)) : NULL;
}

static int rec_add(struct account *a, u64 va, u64 pa)
{
    struct page_block *b = a->pages;
    if (!b || b->count == RECS_PER_BLOCK) {
        b = (struct page_block *)pages_alloc(a->ram_node, false, a->cpu);
        if (!b)
            return KIDE_QUOTA;
        b->next = a->pages;
        a->pages = b;
    }
    b->rec[b->count++] = (struct page_rec){va, pa};
    return KIDE_OK;
}

/** Remove r by moving the head block's last record into its place. */
static void rec_remove(struct account *a, struct page_rec *r)
{
    struct page_block *h = a->pages;
    *r = h->rec[--h->count];
    if (h->count == 0) {
        a->pages = h->next;
        pages_free((u64)h);
    }
}

/* Return one of the account's pages: revoked everywhere, then free again. */
static void page_release(struct account *a, u64 pa)
{
    /* Not SELF: core keeps its identity mapping; every derived copy goes. */
    kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
    a->ram_on_node[pages_node_of(pa)] -= 4096;
    a->ram_used -= 4096;
    pages_free(pa);
}

int mem_alloc(struct account *a, u64 va, u64 bytes, unsigned perm)
{
    if (!bytes || (va | bytes) & 4095 || va + bytes < va)
        return KIDE_BAD_PARAM;
    u64 pages = bytes / 4096;
    if (a->ram_used + bytes > a->ram_quota || a->ram_used + bytes < a->ram_used)
        return KIDE_QUOTA;
    for (u64 i = 0; i < pages; i++)
        if (mem_has(a, va + i * 4096))
            return KIDE_BUSY;
    perm = (perm & KIDE_MEM_RWX) | KIDE_MEM_R;
    for (u64 i = 0; i < pages; i++) {
        u64 pa = pages_alloc(a->ram_node, a->ram_strict, a->cpu);
        if (!pa) {
            /* Quotas never exceed RAM: only a strict node policy or core's records fail. */
            if (a->ram_strict && a->ram_node >= 0)
                krt_printf("core: %s: no free RAM left on node %d (strict RAM node policy); "
                           "%lu bytes not mapped\n",
                           a->label, a->ram_node, bytes - i * 4096);
            mem_free(a, va, i * 4096);
            return KIDE_QUOTA;
        }
        a->ram_on_node[pages_node_of(pa)] += 4096;
        a->ram_used += 4096;
        int st = kide_delegate(acc_sel(a, ACC_PD), KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, perm),
                               (va >> 12) + i);
        if (st == KIDE_OK)
            st = rec_add(a, va + i * 4096, pa | perm);
        if (st != KIDE_OK) {
            page_release(a, pa);
            mem_free(a, va, i * 4096);
            return st;
        }
    }
    return KIDE_OK;
}

u64 mem_free(struct account *a, u64 va, u64 bytes)
{
    u64 freed = 0;
    if (va + bytes < va)
        return 0;
    struct page_block *b = a->pages;
    while (b) {
        bool removed = false;
        for (u64 i = 0; i < b->count; i++) {
            struct page_rec *r = &b->rec[i];
            if (r->va >= va && r->va + 4096 <= va + bytes && !(r->pa & REC_SHARED)) {
                page_release(a, r->pa & ~4095ull);
                freed += 4096;
                rec_remove(a, r);
                removed = true;
                break;
            }
        }
        /* rec_remove may have freed the head block; restart from the head. */
        b = removed ? a->pages : b->next;
    }
    return freed;
}

void mem_free_all(struct account *a)
{
    while (a->pages) {
        struct page_block *b = a->pages;
        for (u64 i = 0; i < b->count; i++) {
            /* A shared page's mapping went with the PD; others keep theirs. */
            if (b->rec[i].pa & REC_SHARED)
                continue;
            page_release(a, b->rec[i].pa & ~4095ull);
        }
        a->pages = b->next;
        pages_free((u64)b);
    }
}

int mem_map_rom(struct account *a, u64 va, u64 phys, u64 bytes, unsigned perm)
{
    perm = (perm & (KIDE_MEM_R | KIDE_MEM_X)) | KIDE_MEM_R; /* never writable */
    u64 pages = KRT_ALIGN_UP(bytes, 4096) / 4096;
    if ((va | phys) & 4095 || !pages)
        return KIDE_BAD_PARAM;
    for (u64 i = 0; i < pages; i++)
        if (mem_has(a, va + i * 4096))
            return KIDE_BAD_ADDR;
    for (u64 i = 0; i < pages; i++) {
        u64 pa = phys + i * 4096;
        int st = kide_delegate(acc_sel(a, ACC_PD), KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, perm),
                               (va >> 12) + i);
        if (st == KIDE_OK)
            st = rec_add(a, va + i * 4096, pa | perm | REC_SHARED);
        if (st != KIDE_OK)
            return st; /* mapped pages stay recorded and go with the account */
    }
    return KIDE_OK;
}

u64 mem_ram_free_bytes(void)
{
    return pages_free_all_bytes();
}
