/* SPDX-License-Identifier: MIT */
/* ACPI DMAR (Intel VT-d 4.1, chapter 8): where the DMA remapping units are.
 *
 * The parser depends on nothing but the ABI types, so the host tests
 * (os/kernel/tests/host/test_dmar.c) run it on crafted tables. Only DRHD
 * units of PCI segment 0 are kept (Kide's platform driver enumerates one
 * segment); device scopes and RMRRs are not used (docs/kernel.md, "IOMMU").
 */
#ifndef KIDE_ARCH_DMAR_H
#define KIDE_ARCH_DMAR_H

#include <kide/types.h>

#define DMAR_MAX_UNITS 4 /**< DRHD units kept (more are counted in dropped) */

/** What the DMAR says; all zero: no DMAR (no IOMMU). */
struct dmar_info {
    unsigned haw;   /**< host address width in bits (the table's field + 1) */
    unsigned units; /**< DRHD units in unit[] */
    struct {
        kide_u64 base; /**< register page, page-aligned, non-zero */
        kide_u8 flags; /**< bit 0: INCLUDE_PCI_ALL */
    } unit[DMAR_MAX_UNITS];
    unsigned dropped;   /**< DRHDs beyond DMAR_MAX_UNITS */
    unsigned other_seg; /**< DRHDs of another PCI segment (ignored) */
    unsigned rmrrs;     /**< RMRR structures (reported, not honoured) */
    unsigned bad;       /**< structures too short for their type, or with a bad base */
};

/** Parse a DMAR of `len` bytes (the whole table, header included) into *out,
 *  which it zeroes first. The walk stops at a structure shorter than 4
 *  bytes or running past the table. */
void dmar_parse(const void *table, kide_u64 len, struct dmar_info *out);

/** A physical range [start, end) the kernel knows is not a VT-d unit. */
struct dmar_range {
    kide_u64 start, end;
};

/** Drop (count in bad) every unit whose register page overlaps one of the n
 *  ranges (RAM, firmware memory, other known registers) or repeats an earlier
 *  unit's page: programming it would write into that memory. The kept units
 *  stay in their order. */
void dmar_drop_overlaps(struct dmar_info *d, const struct dmar_range *r, unsigned n);

#endif
