/* SPDX-License-Identifier: MIT */
/* Kernel memory: boot-time bump allocator, page pool, per-PD slabs.
 *
 * The pool is a singly linked free list threaded through the direct map;
 * allocation and free are O(1). A slab page starts with a header; its
 * objects follow at the class size. Invariant: a slab page is on its
 * cache's partial list iff it has a free object.
 */
#include "kernel.h"
#include "mem.h"
#include "pd.h"

/* The poisoning build (KIDE_POISON, `make -C os kernel-poison`, used by the
 * fuzz runs): free pages and free slab objects are filled with POISON_BYTE
 * (all but their first word, the free-list link), and every allocation
 * first checks that the pattern is intact. A write through a dangling
 * pointer then panics at the next allocation of that memory, naming it,
 * and a read through one sees a pattern that no valid pointer or count
 * has, so it faults or fails loudly instead of working by chance. */
#ifdef KIDE_POISON
#define POISON_BYTE 0x6b
static void poison(void *p, size_t len)
{
    memset((char *)p + 8, POISON_BYTE, len - 8);
}

/* Offset of the first byte past the link word that is not POISON_BYTE, or len. */
static size_t poison_broken_at(const void *p, size_t len)
{
    const u8 *b = p;
    for (size_t i = 8; i < len; i++)
        if (b[i] != POISON_BYTE)
            return i;
    return len;
}

static void poison_check(const void *p, size_t len, const char *what)
{
    size_t at = poison_broken_at(p, len);
    if (at < len)
        panic("poison: free %s %p (%lu bytes) was written after it was freed: byte %lu is %x", what,
              p, (u64)len, (u64)at, ((const u8 *)p)[at]);
}
#else
static void poison(void *p, size_t len)
{
    (void)p, (void)len;
}
static void poison_check(const void *p, size_t len, const char *what)
{
    (void)p, (void)len, (void)what;
}
#endif

static u64 early_next;
static u64 early_limit = 1ul << 30; /* reachable through the boot mapping */
static u64 pool_head;               /* physical address of the first free page */
static u64 pool_total, pool_free;

void mem_early_init(u64 first_free_phys)
{
    early_next = ALIGN_UP(first_free_phys, PAGE_SIZE);
}

u64 early_alloc_page(void)
{
    if (early_next + PAGE_SIZE > early_limit)
        panic("out of early boot memory");
    u64 p = early_next;
    early_next += PAGE_SIZE;
    memset((void *)(p + KERNEL_VBASE), 0, PAGE_SIZE);
    return p;
}

u64 early_alloc_end(void)
{
    return early_next;
}

u64 pool_add(u64 start, u64 end)
{
    u64 n = 0;
    for (u64 p = ALIGN_UP(start, PAGE_SIZE); p + PAGE_SIZE <= end; p += PAGE_SIZE, n++) {
        *(u64 *)phys_to_virt(p) = pool_head;
        poison(phys_to_virt(p), PAGE_SIZE);
        pool_head = p;
    }
    pool_total += n;
    pool_free += n;
    return n;
}

u64 pool_pages(void)
{
    return pool_total;
}
u64 pool_free_pages(void)
{
    return pool_free;
}

void *pool_take_page(void)
{
    if (!pool_head)
        return NULL;
    u64 p = pool_head;
    void *v = phys_to_virt(p);
    poison_check(v, PAGE_SIZE, "page");
    pool_head = *(u64 *)v;
    pool_free--;
    memset(v, 0, PAGE_SIZE);
    return v;
}

void pool_give_page(void *v)
{
    poison(v, PAGE_SIZE);
    *(u64 *)v = pool_head;
    pool_head = virt_to_phys(v);
    pool_free++;
}

void *kpage_alloc(struct pd *pd)
{
    if (!quota_charge(pd, 1))
        return NULL;
    void *v = pool_take_page();
    if (!v)
        quota_uncharge(pd, 1); /* defensive: quotas never exceed the pool */
    return v;
}

void kpage_free(struct pd *pd, void *page)
{
    pool_give_page(page);
    quota_uncharge(pd, 1);
}

/* Pages that were mapped in a user space and are waiting for the shoot-down
 * that makes them unreachable, linked through their first word. Invariant:
 * a page is on this list only while a PD that mapped it is on the dirty list
 * (pd.c), so the next tlb_flush_dirty() covers it and then releases it. One
 * shoot-down thus serves every page freed in the same kernel entry, instead
 * of one IPI round per page. */
static void *flush_pending;

void kpage_free_after_flush(struct pd *pd, void *page)
{
    quota_uncharge(pd, 1);
    *(void **)page = flush_pending;
    flush_pending = page;
}

void mem_release_flushed(void)
{
    while (flush_pending) {
        void *p = flush_pending;
        flush_pending = *(void **)p;
        pool_give_page(p);
    }
}

/* --- slabs ------------------------------------------------------------- */

struct slab_page {
    struct slab_page *next, *prev; /**< partial list links */
    void *free;                    /**< free objects, linked through their first word */
    u32 inuse;
    u32 cls;
};

static unsigned class_of(size_t size)
{
    unsigned c = 0;
    while ((64u << c) < size)
        c++;
    return c;
}

static void partial_remove(struct slab_cache *sc, struct slab_page *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        sc->partial = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->next = p->prev = NULL;
}

static void partial_push(struct slab_cache *sc, struct slab_page *p)
{
    p->prev = NULL;
    p->next = sc->partial;
    if (sc->partial)
        sc->partial->prev = p;
    sc->partial = p;
}

void *kmalloc(struct pd *pd, size_t size)
{
    assert(size <= 2048);
    unsigned cls = class_of(size);
    size_t osize = 64u << cls;
    struct slab_cache *sc = &pd->slabs[cls];
    struct slab_page *p = sc->partial;
    if (!p) {
        p = kpage_alloc(pd);
        if (!p)
            return NULL;
        p->cls = cls;
        /* Objects start after the header, at a multiple of their size. */
        for (size_t off = ALIGN_UP(sizeof(*p), osize); off + osize <= PAGE_SIZE; off += osize) {
            void **o = (void **)((char *)p + off);
            *o = p->free;
            poison(o, osize);
            p->free = o;
        }
        partial_push(sc, p);
    }
    void **o = p->free;
    poison_check(o, osize, "kernel object");
    p->free = *o;
    p->inuse++;
    if (!p->free)
        partial_remove(sc, p);
    memset(o, 0, osize);
    return o;
}

void kfree(struct pd *pd, void *obj)
{
    struct slab_page *p = (struct slab_page *)((u64)obj & ~(PAGE_SIZE - 1));
    struct slab_cache *sc = &pd->slabs[p->cls];
    bool was_full = p->free == NULL;
#ifdef KIDE_POISON
    /* A live object that is all poison past its first word has been freed
     * already (no kernel object is 0x6b bytes throughout). */
    if (poison_broken_at(obj, 64u << p->cls) == (64u << p->cls))
        panic("poison: kernel object %p (%u bytes) freed twice", obj, 64u << p->cls);
#endif
    poison(obj, 64u << p->cls);
    *(void **)obj = p->free;
    p->free = obj;
    p->inuse--;
    if (was_full)
        partial_push(sc, p);
    if (p->inuse == 0) {
        partial_remove(sc, p);
        kpage_free(pd, p);
    }
}
