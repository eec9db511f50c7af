/* SPDX-License-Identifier: MIT */
/* virtio-net on Kide: device access through the platform session.
 *
 * WAITING FOR THE PLATFORM SESSION (os/drivers/platform, IO_MEM and MSI in
 * core, being written in parallel). This file is the only one that will
 * change when it lands; until then kide_access_open answers KIDE_NOT_FOUND
 * and the component says so and exits. What each operation will be:
 *
 *   cfg_read/cfg_write  the platform session's configuration-space calls for
 *                       the one function it granted (it refuses the registers
 *                       it owns: BARs, MSI, the reset path);
 *   bar[], bar_size[]   each memory BAR the session grants, mapped uncacheable
 *                       (IO_MEM); mmio_read/mmio_write are the volatile
 *                       accessors of vio_access.h on them (done below already);
 *   dma_alloc/dma_free  RAM from the session (charged to the driver) with its
 *                       device address: the physical one, or the IOMMU's
 *                       where the platform confines the device's DMA;
 *   irq_wait            a down with a deadline on the interrupt semaphore the
 *                       session hands out (MSI or MSI-X when the device has it:
 *                       msix = 1, one vector; INTx otherwise).
 */
#include <kide/base.h>
#include "kide_access.h"

static kide_u32 cfg_read(struct vio_access *a, kide_u32 off, unsigned width)
{
    (void)a, (void)off, (void)width;
    return 0xffffffffu; /* platform session: configuration read */
}

static void cfg_write(struct vio_access *a, kide_u32 off, unsigned width, kide_u32 v)
{
    (void)a, (void)off, (void)width, (void)v; /* platform session: configuration write */
}

static kide_u32 mmio_read(struct vio_access *a, unsigned bar, kide_u64 off, unsigned width)
{
    if (bar >= VIO_BARS || !a->bar[bar] || off + width > a->bar_size[bar])
        return 0xffffffffu;
    return vio_mmio_read(a, bar, off, width);
}

static void mmio_write(struct vio_access *a, unsigned bar, kide_u64 off, unsigned width, kide_u32 v)
{
    if (bar < VIO_BARS && a->bar[bar] && off + width <= a->bar_size[bar])
        vio_mmio_write(a, bar, off, width, v);
}

static int dma_alloc(struct vio_access *a, kide_u64 size, struct vio_dma *d)
{
    (void)a, (void)size, (void)d;
    return KIDE_NOT_FOUND; /* platform session: DMA memory with its device address */
}

static void dma_free(struct vio_access *a, struct vio_dma *d)
{
    (void)a;
    *d = (struct vio_dma){0};
}

static int irq_wait(struct vio_access *a, kide_u64 timeout_ms)
{
    (void)a;
    kide_sleep_ms(timeout_ms); /* platform session: down on the interrupt semaphore */
    return 0;
}

static const struct vio_access_ops kide_ops = {
        .cfg_read = cfg_read,
        .cfg_write = cfg_write,
        .mmio_read = mmio_read,
        .mmio_write = mmio_write,
        .dma_alloc = dma_alloc,
        .dma_free = dma_free,
        .irq_wait = irq_wait,
};

int kide_access_open(struct kide_env *env, struct vio_access *a)
{
    (void)env;
    *a = (struct vio_access){.ops = &kide_ops};
    return KIDE_NOT_FOUND; /* no platform session yet */
}
