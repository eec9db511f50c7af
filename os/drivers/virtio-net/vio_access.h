/* SPDX-License-Identifier: MIT */
/* Device access: how the virtio-net driver reaches its device.
 *
 * The driver's device logic (vio_pci.c, virtq.c, vnet.c) never touches the
 * hardware or the platform directly; it goes through one struct vio_access.
 * Two implementations exist: on Kide the platform session's (kide_access.c:
 * config space through the session, BARs as IO_MEM mappings, DMA memory
 * from RAM with its physical address, the MSI or INTx semaphore), and in the
 * host tests a simulated device (tests/sim.c), which must see every register
 * access: a write of device_feature_select changes what the next read of
 * device_feature returns, and every notify must be counted. That is why BAR
 * registers are read and written through functions rather than by
 * dereferencing the mapping; on Kide those functions are one volatile access
 * to bar[] (vio_mmio_read / vio_mmio_write below), and the driver touches
 * registers only at set-up, on a notification and in the interrupt path.
 * DMA memory (rings and buffers) is plain memory both sides read and write.
 */
#ifndef VIO_ACCESS_H
#define VIO_ACCESS_H

#include <kide/types.h>

#define VIO_BARS 6

/** DMA memory: zeroed and page-aligned. Contiguous for the device if `pages` is
 *  NULL; otherwise page i is at device address pages[i] (RAM from core is
 *  contiguous only virtually). The driver places nothing the device reads as
 *  one piece across a page boundary (descriptor table, each ring, each
 *  buffer), so it needs no more than that: vio_dma_addr. */
struct vio_dma {
    void *va;              /**< where the driver sees it */
    kide_u64 pa;           /**< the device address of its start (physical, or the IOMMU's) */
    kide_u64 size;         /**< bytes (a page multiple) */
    const kide_u64 *pages; /**< device address of each page, or NULL: contiguous */
};

/** The device address of byte `off` of d (off < d->size). */
static inline kide_u64 vio_dma_addr(const struct vio_dma *d, kide_u64 off)
{
    return d->pages ? d->pages[off >> 12] + (off & 4095) : d->pa + off;
}

struct vio_access;

/** The operations of a device access. Every one is required. */
struct vio_access_ops {
    /** Read `width` (1, 2 or 4) bytes of the function's configuration space at
     *  `off`; reads outside the space return all ones. */
    kide_u32 (*cfg_read)(struct vio_access *a, kide_u32 off, unsigned width);
    /** Write configuration space (the platform may refuse registers it owns). */
    void (*cfg_write)(struct vio_access *a, kide_u32 off, unsigned width, kide_u32 v);
    /** Read `width` (1, 2, 4) bytes of BAR `bar` at `off` (< bar_size[bar]). */
    kide_u32 (*mmio_read)(struct vio_access *a, unsigned bar, kide_u64 off, unsigned width);
    /** Write `width` bytes of BAR `bar` at `off`. */
    void (*mmio_write)(struct vio_access *a, unsigned bar, kide_u64 off, unsigned width,
                       kide_u32 v);
    /** Allocate `size` bytes of DMA memory (rounded up to pages) into *d.
     *  -> KIDE_OK | KIDE_QUOTA. */
    int (*dma_alloc)(struct vio_access *a, kide_u64 size, struct vio_dma *d);
    /** Free DMA memory from dma_alloc (d is cleared). */
    void (*dma_free)(struct vio_access *a, struct vio_dma *d);
    /** Wait up to `timeout_ms` for the device's interrupt (0: only look).
     *  -> 1 an interrupt arrived (and is acknowledged at the interrupt controller),
     *  0 none in time. */
    int (*irq_wait)(struct vio_access *a, kide_u64 timeout_ms);
};

/** One device as the driver sees it. Filled by the platform side before vnet_init. */
struct vio_access {
    const struct vio_access_ops *ops;
    volatile void *bar[VIO_BARS]; /**< mapped memory BARs (NULL: not mapped; unused by
                                       the simulator, which serves mmio_read itself) */
    kide_u64 bar_size[VIO_BARS];  /**< bytes of each BAR (0: none) */
    int msix;                     /**< 1: the interrupt is MSI-X vector 0 for everything
                                       (config changes and both queues); 0: INTx or MSI,
                                       and the ISR register says why */
    void *priv;                   /**< the implementation's own state */
};

/** Volatile register access on a mapped BAR: the mmio_read of a platform that maps
 *  BARs (the caller has checked off + width <= bar_size[bar]). */
static inline kide_u32 vio_mmio_read(struct vio_access *a, unsigned bar, kide_u64 off,
                                     unsigned width)
{
    volatile kide_u8 *p = (volatile kide_u8 *)a->bar[bar] + off;
    if (width == 1)
        return *p;
    if (width == 2)
        return *(volatile kide_u16 *)p;
    return *(volatile kide_u32 *)p;
}

/** Volatile register write on a mapped BAR. */
static inline void vio_mmio_write(struct vio_access *a, unsigned bar, kide_u64 off, unsigned width,
                                  kide_u32 v)
{
    volatile kide_u8 *p = (volatile kide_u8 *)a->bar[bar] + off;
    if (width == 1)
        *p = (kide_u8)v;
    else if (width == 2)
        *(volatile kide_u16 *)p = (kide_u16)v;
    else
        *(volatile kide_u32 *)p = v;
}

#endif
