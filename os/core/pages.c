/* SPDX-License-Identifier: MIT */
/* core's RAM, page by page, kept per NUMA node.
 *
 * The kernel hands the root its RAM as ranges that each lie in one node
 * (boot info mem[] and mem_node[]; without an SRAT everything is node 0).
 * core is the only user of that RAM (its runtime has no page allocator of
 * its own), so a page is never handed out twice. Per node, pages come from
 * a free list threaded through freed pages, else from a bump cursor through
 * the node's ranges. Every fresh page is checked: not one the root must keep
 * (base_root_reserved: boot modules, low memory, core's own image, stack,
 * boot info, UTCB) and identity-mapped in core (lookup). Invariant: free[n] counts exactly the
 * pages pages_alloc can still hand out from node n (free list plus ranges
 * not yet reached, minus excluded pages), so the report costs O(nodes).
 */
#include "core.h"

#define USER_LIMIT 0x4000000000ull /* programs are linked at 256 GiB: RAM above is not ours */

static struct {
    u64 start, end, cursor; /* page-aligned; cursor: next candidate */
    unsigned node;
} ranges[KIDE_BOOT_MAX_MEM];
static unsigned nranges, nnodes;
static u64 free_list[KIDE_BOOT_MAX_NODES];
static u64 free_pages[KIDE_BOOT_MAX_NODES];
static u64 total_pages[KIDE_BOOT_MAX_NODES];
static u8 cpu_node[KIDE_MAX_CPUS];

void pages_init(const struct kide_boot_info *bi)
{
    /* Defensive: the boot info is the kernel's, but a node number beyond
     * node_count would index past the per-node arrays. */
    nnodes = bi->node_count >= 1 && bi->node_count <= KIDE_BOOT_MAX_NODES ? (unsigned)bi->node_count
                                                                          : 1;
    for (unsigned c = 0; c < KIDE_MAX_CPUS; c++)
        cpu_node[c] = c < KIDE_BOOT_MAX_CPUS && bi->cpu_node[c] < nnodes ? bi->cpu_node[c] : 0;
    for (u64 i = 0; i < bi->mem_count && i < KIDE_BOOT_MAX_MEM; i++) {
        u64 start = BASE_ALIGN_UP(bi->mem[i].phys, 4096);
        u64 end = BASE_ALIGN_DOWN(bi->mem[i].phys + bi->mem[i].size, 4096);
        end = BASE_MIN(end, USER_LIMIT);
        if (end <= start)
            continue;
        unsigned n = bi->mem_node[i] < nnodes ? bi->mem_node[i] : 0;
        ranges[nranges].start = ranges[nranges].cursor = start;
        ranges[nranges].end = end;
        ranges[nranges++].node = n;
        for (u64 pa = start; pa < end; pa += 4096)
            total_pages[n] += !base_root_reserved(pa);
        free_pages[n] = total_pages[n];
    }
}

unsigned pages_nodes(void)
{
    return nnodes;
}

unsigned pages_cpu_node(unsigned cpu)
{
    return cpu < KIDE_MAX_CPUS ? cpu_node[cpu] : 0;
}

u64 pages_free_bytes(unsigned node)
{
    return node < nnodes ? free_pages[node] * 4096 : 0;
}

u64 pages_total_bytes(unsigned node)
{
    return node < nnodes ? total_pages[node] * 4096 : 0;
}

unsigned pages_node_of(u64 pa)
{
    for (unsigned i = 0; i < nranges; i++)
        if (pa >= ranges[i].start && pa < ranges[i].end)
            return ranges[i].node;
    return 0; /* defensive: every page core hands out lies in a range */
}

/* A fresh page of node n from its ranges, or 0. */
static u64 bump(unsigned n)
{
    for (unsigned i = 0; i < nranges; i++) {
        if (ranges[i].node != n)
            continue;
        while (ranges[i].cursor < ranges[i].end) {
            u64 pa = ranges[i].cursor;
            ranges[i].cursor += 4096;
            if (base_root_reserved(pa))
                continue;
            u64 ph = base_phys_of(pa);
            if (ph == pa)
                return pa;
            free_pages[n]--, total_pages[n]--; /* counted, but not usable */
            static unsigned complaints;
            if (complaints++ < 3)
                printf("core: RAM page %lx from boot info: lookup says %lx; skipped\n", pa, ph);
        }
    }
    return 0;
}

/* A page of zeroes in 512 stores, not a 4,096-byte loop: zeroing is most of
 * what a RAM_ALLOC costs per page. */
static void zero_page(u64 pa)
{
    u64 count = 512, *dst = (u64 *)pa;
    __asm__ volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(0ull) : "memory");
}

static u64 take(unsigned n)
{
    if (!free_pages[n])
        return 0;
    u64 pa = free_list[n];
    if (pa)
        free_list[n] = *(u64 *)pa;
    else if (!(pa = bump(n)))
        return 0;
    free_pages[n]--;
    zero_page(pa);
    return pa;
}

u64 pages_alloc(int node, bool strict, unsigned near_cpu)
{
    unsigned first =
            node >= 0 && (unsigned)node < nnodes ? (unsigned)node : pages_cpu_node(near_cpu);
    u64 pa = take(first);
    if (pa || (strict && node >= 0))
        return pa;
    for (unsigned n = 0; n < nnodes && !pa; n++)
        if (n != first)
            pa = take(n);
    return pa;
}

void pages_free(u64 pa)
{
    if (!pa)
        return;
    unsigned n = pages_node_of(pa);
    *(u64 *)pa = free_list[n];
    free_list[n] = pa;
    free_pages[n]++;
}

u64 pages_free_all_bytes(void)
{
    u64 s = 0;
    for (unsigned n = 0; n < nnodes; n++)
        s += free_pages[n];
    return s * 4096;
}
