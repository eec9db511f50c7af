/* SPDX-License-Identifier: MIT */
/* The heap: kide_malloc and friends over RAM from core.
 *
 * Small blocks (up to LARGE_MIN bytes) live in 64 KiB chunks, each a run of
 * blocks tiling the chunk exactly. A block has a 16-byte header: its size
 * with flags, the size of the block before it (0 for the first), and its
 * chunk. Free blocks sit on one first-fit list across all chunks and are
 * merged with free neighbours on free, so a chunk with no live block is
 * exactly one free block; rt_heap_release() (run on a yield request) gives
 * such chunks back. Larger blocks get their own mapping, returned on free.
 * Costs: malloc walks the free list (first fit); free is O(1).
 * Failure to get RAM (quota) makes malloc return NULL; nothing aborts.
 * Freeing a pointer that is not a live block (a bad or a double free) is
 * ignored, so one misuse cannot corrupt the heap, and counted (bad_frees);
 * a debug build also reports it (rt_heap_misuse), naming the address.
 * The backend (rt_heap_map/unmap/lock/unlock) is ram.c in a component and a
 * fake in the host tests.
 */
#include "rt.h"

#define CHUNK_SIZE  0x10000u
#define LARGE_MIN   0x4000u /* requests above this get their own mapping */
#define MIN_BLOCK   32u
#define F_USED      1u
#define F_LARGE     2u
#define FLAGS       15u
#define CHUNK_MAGIC 0x6b6964656368756eull /* "kidechun" */
#define MAX_REQUEST (1ull << 40)

struct chunk;

struct blk {
    kide_u32 size; /* bytes including the header | F_* (small blocks) */
    kide_u32 prev; /* size of the block before it in the chunk, 0 for the first */
    union {
        struct chunk *chunk; /* small blocks */
        kide_u64 map_size;   /* large blocks: bytes mapped, header included */
    };
};

struct fblk {
    struct blk h;
    struct fblk *next, *prev;
};

struct chunk {
    struct chunk *next, *prev;
    kide_u64 magic;
    kide_u64 live; /* used blocks */
    kide_u64 pad[4];
};

_Static_assert(sizeof(struct blk) == 16, "16-byte block header keeps payloads aligned");
_Static_assert(sizeof(struct chunk) == 64, "chunk header keeps blocks 16-byte aligned");

static struct chunk *chunks;
static struct fblk *free_list;
static struct kide_heap_stats stats;

static kide_u32 bsize(const struct blk *b)
{
    return b->size & ~FLAGS;
}
static char *chunk_end(const struct chunk *c)
{
    return (char *)c + CHUNK_SIZE;
}

static struct blk *next_blk(struct blk *b)
{
    char *n = (char *)b + bsize(b);
    return n < chunk_end(b->chunk) ? (struct blk *)n : 0;
}

static void list_add(struct fblk *f)
{
    f->prev = 0;
    f->next = free_list;
    if (free_list)
        free_list->prev = f;
    free_list = f;
}

static void list_del(struct fblk *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        free_list = f->next;
    if (f->next)
        f->next->prev = f->prev;
}

static int chunk_new(void)
{
    void *p;
    if (rt_heap_map(CHUNK_SIZE, &p) != 0)
        return -1;
    struct chunk *c = p;
    c->magic = CHUNK_MAGIC;
    c->live = 0;
    c->prev = 0;
    c->next = chunks;
    if (chunks)
        chunks->prev = c;
    chunks = c;
    struct fblk *f = (struct fblk *)(c + 1);
    f->h.size = CHUNK_SIZE - sizeof(struct chunk);
    f->h.prev = 0;
    f->h.chunk = c;
    list_add(f);
    stats.chunks++;
    stats.chunk_bytes += CHUNK_SIZE;
    return 0;
}

static void *large_alloc(kide_u64 n)
{
    kide_u64 size = (n + sizeof(struct blk) + 4095) & ~4095ull;
    void *p;
    if (rt_heap_map(size, &p) != 0)
        return 0;
    struct blk *b = p;
    b->size = F_LARGE | F_USED;
    b->prev = 0;
    b->map_size = size;
    stats.large++;
    stats.large_bytes += size;
    return b + 1;
}

static void *small_alloc(kide_u64 n)
{
    kide_u32 need = (kide_u32)((n + 15) & ~15ull) + (kide_u32)sizeof(struct blk);
    if (need < MIN_BLOCK)
        need = MIN_BLOCK;
    for (int tries = 0; tries < 2; tries++) {
        for (struct fblk *f = free_list; f; f = f->next) {
            kide_u32 have = bsize(&f->h);
            if (have < need)
                continue;
            list_del(f);
            struct blk *b = &f->h;
            if (have - need >= MIN_BLOCK) {
                struct fblk *rest = (struct fblk *)((char *)b + need);
                rest->h.size = have - need;
                rest->h.prev = need;
                rest->h.chunk = b->chunk;
                struct blk *after = next_blk(&rest->h);
                if (after)
                    after->prev = have - need;
                list_add(rest);
                have = need;
            }
            b->size = have | F_USED;
            b->chunk->live++;
            return b + 1;
        }
        if (chunk_new() != 0)
            return 0;
    }
    return 0;
}

void *kide_malloc(kide_u64 n)
{
    if (n > MAX_REQUEST)
        return 0;
    rt_heap_lock();
    void *p = n > LARGE_MIN ? large_alloc(n) : small_alloc(n ? n : 1);
    if (p)
        stats.live++;
    rt_heap_unlock();
    return p;
}

/* A header that could be ours: used, sane flags, and (small) in a live chunk. */
static int valid(const struct blk *b)
{
    if (((kide_u64)b & 15) || !(b->size & F_USED))
        return 0;
    if (b->size & F_LARGE)
        return b->map_size >= 4096 && !(b->map_size & 4095);
    const struct chunk *c = b->chunk;
    return c && !((kide_u64)c & 15) && (const char *)b >= (const char *)(c + 1) &&
           (const char *)b + bsize(b) <= chunk_end(c) && c->magic == CHUNK_MAGIC;
}

void kide_free(void *p)
{
    if (!p)
        return;
    struct blk *b = (struct blk *)p - 1;
    rt_heap_lock();
    if (!valid(b)) {
        stats.bad_frees++;
        rt_heap_unlock();
        if (RT_DEBUG)
            rt_heap_misuse("kide_free", p);
        return;
    }
    stats.live--;
    if (b->size & F_LARGE) {
        kide_u64 size = b->map_size;
        b->size = 0;
        stats.large--;
        stats.large_bytes -= size;
        rt_heap_unmap(b, size);
        rt_heap_unlock();
        return;
    }
    b->size &= ~F_USED;
    b->chunk->live--;
    struct blk *n = next_blk(b);
    if (n && !(n->size & F_USED)) {
        list_del((struct fblk *)n);
        b->size += bsize(n);
    }
    if (b->prev) {
        struct blk *pb = (struct blk *)((char *)b - b->prev);
        if (!(pb->size & F_USED)) {
            list_del((struct fblk *)pb);
            pb->size += bsize(b);
            b = pb;
        }
    }
    n = next_blk(b);
    if (n)
        n->prev = bsize(b);
    list_add((struct fblk *)b);
    rt_heap_unlock();
}

void *kide_calloc(kide_u64 n, kide_u64 size)
{
    if (size && n > MAX_REQUEST / size)
        return 0;
    void *p = kide_malloc(n * size);
    if (p)
        __builtin_memset(p, 0, n * size);
    return p;
}

void *kide_realloc(void *p, kide_u64 n)
{
    if (!p)
        return kide_malloc(n);
    if (!n) {
        kide_free(p);
        return 0;
    }
    struct blk *b = (struct blk *)p - 1;
    rt_heap_lock();
    int ok = valid(b);
    kide_u64 have = !ok                   ? 0
                    : (b->size & F_LARGE) ? b->map_size - sizeof(*b)
                                          : bsize(b) - sizeof(*b);
    if (!ok)
        stats.bad_frees++;
    rt_heap_unlock();
    if (!ok) {
        if (RT_DEBUG)
            rt_heap_misuse("kide_realloc", p);
        return 0;
    }
    if (n <= have)
        return p;
    void *q = kide_malloc(n);
    if (q) {
        __builtin_memcpy(q, p, have);
        kide_free(p);
    }
    return q;
}

kide_u64 rt_heap_release(void)
{
    kide_u64 freed = 0;
    rt_heap_lock();
    struct chunk *c = chunks;
    while (c) {
        struct chunk *next = c->next;
        if (!c->live) {
            list_del((struct fblk *)(c + 1));
            if (c->prev)
                c->prev->next = c->next;
            else
                chunks = c->next;
            if (c->next)
                c->next->prev = c->prev;
            c->magic = 0;
            stats.chunks--;
            stats.chunk_bytes -= CHUNK_SIZE;
            rt_heap_unmap(c, CHUNK_SIZE);
            freed += CHUNK_SIZE;
        }
        c = next;
    }
    rt_heap_unlock();
    return freed;
}

void kide_heap_stats(struct kide_heap_stats *st)
{
    rt_heap_lock();
    *st = stats;
    rt_heap_unlock();
}
