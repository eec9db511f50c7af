/* SPDX-License-Identifier: MIT */
/* ACPI SRAT (ACPI 6.5, 5.2.16): NUMA nodes of CPUs and RAM.
 *
 * The table comes from firmware: every entry is read only when its own
 * length covers the fields read, the walk stops at the first entry whose
 * length is below 2 or runs past the table, and only enabled entries (flags
 * bit 0) count. Two passes over the table: the first collects the proximity
 * domains (keeping the KIDE_BOOT_MAX_NODES smallest, so node numbers follow
 * the firmware's order whatever the entry order), the second records CPUs and
 * RAM ranges by node. Cost: O(entries * KIDE_BOOT_MAX_NODES).
 *
 * Entries (type, length, then):
 *   0 local APIC/SAPIC affinity (16 bytes): domain[7:0] u8 @2, APIC id u8 @3,
 *     flags u32 @4, SAPIC EID u8 @8, domain[31:8] u24 @9 (table revision >= 2)
 *   1 memory affinity (40 bytes): domain u32 @2, base u64 @8, length u64 @16,
 *     flags u32 @28
 *   2 local x2APIC affinity (24 bytes): domain u32 @4, x2APIC id u32 @8,
 *     flags u32 @12
 */
#include "srat.h"

#define SRAT_HDR 48 /* the 36-byte table header, a reserved u32 and a reserved u64 */

struct srat_info srat;

static kide_u64 le(const kide_u8 *p, unsigned n)
{
    kide_u64 v = 0;
    for (unsigned i = n; i-- > 0;)
        v = v << 8 | p[i];
    return v;
}

/** One enabled entry, decoded; false for other types, disabled or short ones. */
struct entry {
    int kind; /* 0 CPU, 1 memory */
    kide_u32 domain, apic_id;
    kide_u64 base, len;
};

static int decode(const kide_u8 *p, unsigned rev, struct entry *e, unsigned *bad)
{
    unsigned len = p[1];
    switch (p[0]) {
    case 0:
        if (len < 16)
            return ++*bad, 0;
        e->kind = 0;
        e->domain = p[2] | (rev >= 2 ? (kide_u32)le(p + 9, 3) << 8 : 0);
        e->apic_id = p[3];
        return le(p + 4, 4) & 1;
    case 1:
        if (len < 40)
            return ++*bad, 0;
        e->kind = 1;
        e->domain = (kide_u32)le(p + 2, 4);
        e->base = le(p + 8, 8);
        e->len = le(p + 16, 8);
        /* empty or wrapping ranges say nothing */
        return (le(p + 28, 4) & 1) && e->len && e->base + e->len > e->base;
    case 2:
        if (len < 24)
            return ++*bad, 0;
        e->kind = 0;
        e->domain = (kide_u32)le(p + 4, 4);
        e->apic_id = (kide_u32)le(p + 8, 4);
        return le(p + 12, 4) & 1;
    default:
        return 0;
    }
}

/** Keep the KIDE_BOOT_MAX_NODES smallest domains, sorted ascending. */
static void add_domain(struct srat_info *s, kide_u32 d)
{
    unsigned i = 0;
    while (i < s->nodes && s->domain[i] < d)
        i++;
    if (i < s->nodes && s->domain[i] == d)
        return;
    if (i >= KIDE_BOOT_MAX_NODES)
        return;
    unsigned last = s->nodes < KIDE_BOOT_MAX_NODES ? s->nodes : KIDE_BOOT_MAX_NODES - 1;
    for (unsigned k = last; k > i; k--)
        s->domain[k] = s->domain[k - 1];
    s->domain[i] = d;
    if (s->nodes < KIDE_BOOT_MAX_NODES)
        s->nodes++;
}

static int node_of_domain(const struct srat_info *s, kide_u32 d)
{
    for (unsigned i = 0; i < s->nodes; i++)
        if (s->domain[i] == d)
            return (int)i;
    return -1;
}

static void record(struct srat_info *s, const struct entry *e)
{
    int n = node_of_domain(s, e->domain);
    if (n < 0) {
        s->folded++;
        n = 0;
    }
    if (e->kind == 0) {
        if (s->cpu_count < SRAT_MAX_CPUS) {
            s->cpu[s->cpu_count].apic_id = e->apic_id;
            s->cpu[s->cpu_count++].node = (kide_u8)n;
        } else {
            s->cpu_dropped++;
        }
    } else if (s->mem_count < SRAT_MAX_MEM) {
        s->mem[s->mem_count].start = e->base;
        s->mem[s->mem_count].end = e->base + e->len;
        s->mem[s->mem_count++].node = (kide_u8)n;
    } else {
        s->mem_dropped++;
    }
}

void srat_parse(const void *table, kide_u64 len, struct srat_info *out)
{
    const kide_u8 *t = table;
    *out = (struct srat_info){0};
    if (!t || len < SRAT_HDR)
        return;
    unsigned rev = t[8], bad = 0;
    for (int pass = 0; pass < 2; pass++) {
        const kide_u8 *p = t + SRAT_HDR, *end = t + len;
        while (end - p >= 2 && p[1] >= 2 && p[1] <= end - p) {
            struct entry e;
            if (decode(p, rev, &e, &bad)) {
                if (pass == 0)
                    add_domain(out, e.domain);
                else
                    record(out, &e);
            }
            p += p[1];
        }
        if (pass == 0)
            out->bad = bad; /* counted once */
    }
}

unsigned srat_node_of_cpu(const struct srat_info *s, kide_u32 apic_id)
{
    for (unsigned i = 0; i < s->cpu_count; i++)
        if (s->cpu[i].apic_id == apic_id)
            return s->cpu[i].node;
    return 0;
}

kide_u64 srat_piece(const struct srat_info *s, kide_u64 start, kide_u64 end, unsigned *node)
{
    kide_u64 next = end; /* where the next SRAT range begins, if start is in none */
    for (unsigned i = 0; i < s->mem_count; i++) {
        if (s->mem[i].start <= start && start < s->mem[i].end) {
            *node = s->mem[i].node;
            return s->mem[i].end < end ? s->mem[i].end : end;
        }
        if (s->mem[i].start > start && s->mem[i].start < next)
            next = s->mem[i].start;
    }
    *node = 0;
    return next;
}
