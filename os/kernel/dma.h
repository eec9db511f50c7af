/* SPDX-License-Identifier: MIT */
/* DMA domains: what an assigned device may reach.
 *
 * A PD gets a DMA domain when the first device is assigned to it
 * (assign_dev). The domain maps, at I/O address == physical address, exactly
 * the RAM frames the PD holds in its memory space (not device memory, not
 * kernel pages), readable, and writable where the PD may write: space.c
 * keeps it in step on every map, rights change and unmap. Removals are
 * flushed from the IOTLBs before the kernel entry that made them ends
 * (tlb_flush_dirty), so a frame a PD lost is out of reach of its devices
 * before its owner can hand it to anyone else. Page tables are charged to
 * the PD; they and its devices' assignments go when the PD dies.
 */
#ifndef KIDE_DMA_H
#define KIDE_DMA_H

#include "types.h"

struct pd;
struct rnode;

/** Find the IOMMUs (after acpi_init, before the pool takes the early pages). */
void dma_init(void);
/** Number of DMA remapping units in use (0: no IOMMU, DMA is not confined). */
unsigned dma_units(void);
/** Add node n's frames to its PD's domain, if it has one; KIDE_QUOTA or
 *  KIDE_OVERFLOW on failure, with nothing added. */
int dma_node_add(const struct rnode *n);
/** Remove node n's frames (with rights `perms`) from its PD's domain. */
void dma_node_remove(const struct rnode *n, u8 perms);
/** Node n's rights change from old to n->perms: adjust the domain. */
void dma_node_rights(const struct rnode *n, u8 old);
/** Assign the device whose ECAM page the caller holds at user page `cfg` to
 *  pd's domain (creating it), or block it (pd NULL). r_units: dma_units(). */
int dma_assign(struct pd *caller, u64 cfg, struct pd *pd);
/** PD teardown: block its devices, free its domain. */
void dma_pd_retire(struct pd *pd);
/** Complete the IOTLB invalidations the removals since the last call need. */
void dma_flush(void);

#endif
