/* SPDX-License-Identifier: MIT */
/* ACPI SRAT: which NUMA node each CPU and each RAM range belongs to.
 *
 * The parser depends on nothing but the ABI types, so the host tests
 * (os/kernel/tests/host/test_srat.c) run it on crafted tables. Nodes are the
 * firmware's proximity domains renumbered 0 .. nodes - 1 in ascending order;
 * at most KIDE_BOOT_MAX_NODES are kept (the smallest domains), entries of
 * further domains count as node 0 and are counted in `folded`.
 */
#ifndef KIDE_ARCH_SRAT_H
#define KIDE_ARCH_SRAT_H

#include <kide/types.h>
#include <kide/boot.h>

#define SRAT_MAX_MEM  64 /**< memory affinity ranges kept (more are counted in mem_dropped) */
#define SRAT_MAX_CPUS 64 /**< CPU affinity entries kept (APIC ids beyond are node 0) */

/** What the SRAT says; all zero: no SRAT (one node). */
struct srat_info {
    unsigned nodes;                       /**< 0: no usable SRAT; else 1..KIDE_BOOT_MAX_NODES */
    kide_u32 domain[KIDE_BOOT_MAX_NODES]; /**< proximity domain of node i, ascending */
    unsigned mem_count;                   /**< ranges in mem[] */
    struct {
        kide_u64 start, end; /**< [start, end), end > start */
        kide_u8 node;
    } mem[SRAT_MAX_MEM];
    unsigned cpu_count; /**< entries in cpu[] */
    struct {
        kide_u32 apic_id;
        kide_u8 node;
    } cpu[SRAT_MAX_CPUS];
    unsigned folded;      /**< entries whose domain was beyond the kept nodes */
    unsigned mem_dropped; /**< memory entries beyond SRAT_MAX_MEM */
    unsigned cpu_dropped; /**< CPU entries beyond SRAT_MAX_CPUS */
    unsigned bad;         /**< entries too short for their type (skipped) */
};

/** The topology of this machine (filled by acpi_init; zero without an SRAT). */
extern struct srat_info srat;

/** Parse an SRAT of `len` bytes (the whole table, header included) into *out,
 *  which it zeroes first. A table shorter than its header yields no nodes. */
void srat_parse(const void *table, kide_u64 len, struct srat_info *out);

/** The node of the CPU with this (x2)APIC id (0 if the SRAT does not list it). */
unsigned srat_node_of_cpu(const struct srat_info *s, kide_u32 apic_id);

/** The first piece of [start, end) that lies in one node: returns the piece's
 *  end (> start when end > start) and its node in *node. RAM no SRAT range
 *  covers is node 0. */
kide_u64 srat_piece(const struct srat_info *s, kide_u64 start, kide_u64 end, unsigned *node);

#endif
