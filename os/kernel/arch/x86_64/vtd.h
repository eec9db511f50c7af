/* SPDX-License-Identifier: MIT */
/* Intel VT-d DMA remapping units: legacy-mode root and context tables,
 * register-based invalidation, fault reporting.
 *
 * Every unit gets the same context entries: a device's requests reach
 * exactly one unit (the one whose scope holds it), and programming the
 * others too spares a device-scope parser (docs/decisions/0015). Invariant:
 * a device's context entry is either not present (its DMA is blocked and
 * faults) or points at the second-level table of the one PD it is assigned
 * to (dma.c); nothing else is ever written there.
 */
#ifndef KIDE_ARCH_VTD_H
#define KIDE_ARCH_VTD_H

#include "types.h"
#include "dmar.h"

struct pd;

#define VEC_IOMMU 0xf3 /* fault events of every unit */

/* Second-level page-table entry bits (VT-d 9.8). */
#define SL_R (1ul << 0)
#define SL_W (1ul << 1)

/** Enable every usable unit of the DMAR with an empty root table (every
 *  device blocked) and fault events on VEC_IOMMU to the boot CPU. Returns
 *  the units enabled; *levels: second-level table depth every unit takes
 *  (3 or 4), *domains: domain ids every unit has. */
unsigned vtd_init(const struct dmar_info *d, unsigned *levels, unsigned *domains);
/** Point device sid's context entry at second-level table `table` (physical)
 *  with domain id did, or mark it not present if table is 0, in every unit;
 *  then invalidate context caches and IOTLBs. A bus's first assignment
 *  allocates its context table, charged to `charge`: KIDE_QUOTA if it cannot
 *  pay (nothing changed then). */
int vtd_context(u16 sid, u64 table, u16 did, unsigned levels, struct pd *charge);
/** Global IOTLB invalidation on every unit; returns when it is complete. */
void vtd_flush_iotlb(void);
/** Make a table entry the kernel wrote visible to units that do not snoop. */
void vtd_clflush(const void *p);
/** The same for a whole (freshly zeroed) table page. */
void vtd_clflush_page(const void *p);
/** Whether units cache not-present entries (CAP.CM): then adding a mapping
 *  needs an invalidation too. */
bool vtd_caching_mode(void);
/** The fault event: report and clear every unit's fault records. */
void vtd_fault(void);

#endif
