/* SPDX-License-Identifier: MIT */
/* virtio-net on Kide: device access through the platform session.
 *
 *   cfg_read/cfg_write  the platform session's configuration-space calls for
 *                       the one function it grants (it refuses the registers it
 *                       owns: BARs, expansion ROM);
 *   bar[], bar_size[]   each memory BAR the session grants, mapped uncacheable
 *                       (up to KIDE_PLATFORM_BAR_PAGES pages of it: a virtio
 *                       BAR is 16 KiB);
 *   dma_alloc/dma_free  RAM from core (charged to the driver) with the physical
 *                       address of each page, read back with lookup: RAM is
 *                       contiguous only virtually, so vio_dma.pages lists them.
 *                       Without an IOMMU these are the device's addresses too
 *                       (bus-master DMA is not confined: docs/network.md);
 *   irq_wait            a down with a deadline on the semaphore of MSI-X entry 0
 *                       (or MSI), which the platform driver programmed, or of the
 *                       INTx line (a device without MSI-X: vnet_irq reads the ISR
 *                       register, which lowers the line; the next down unmasks
 *                       it at the I/O APIC, so a line is never unmasked while
 *                       this device still asserts it for an interrupt we took);
 *                       the component's main loop instead waits on the same
 *                       semaphore through os/lib/nic (kide_access_irq_sm), as
 *                       its NIC clients up it too.
 */
#include <kide/base.h>
#include <kide/component.h>
#include "platform_client.h"
#include "kide_access.h"

#define PAGE         4096ull
#define OPEN_WAIT_NS 30000000000ull /**< how long the Platform service may take to appear */

static struct kide_platform platform;
static kide_sel irq_sm;
static kide_u64 intx_gsi; /* non-zero: irq_sm is this INTx line (only the line ups it) */
static int intx_seen;     /* INTx interrupts taken, counted up to 2 */

static kide_u32 cfg_read(struct vio_access *a, kide_u32 off, unsigned width)
{
    (void)a;
    kide_u64 v = 0;
    if (kide_platform_cfg_read(&platform, off, width, &v) != KIDE_OK)
        return 0xffffffffu;
    return (kide_u32)v;
}

static void cfg_write(struct vio_access *a, kide_u32 off, unsigned width, kide_u32 v)
{
    (void)a;
    kide_platform_cfg_write(&platform, off, width, v);
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

/** The physical address of the page at va (mapped RAM of this component), or 0. */
static kide_u64 phys_of(const void *va)
{
    kide_u64 page = (kide_u64)va / PAGE, found = 0, info = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_MEM, page, 0, 0), &found, &info) != KIDE_OK ||
        KIDE_CRD_KIND(found) != KIDE_CRD_MEM || !info)
        return 0;
    return (info + (page - KIDE_CRD_BASE(found))) * PAGE;
}

static int dma_alloc(struct vio_access *a, kide_u64 size, struct vio_dma *d)
{
    struct kide_env *env = a->priv;
    kide_u64 n = (size + PAGE - 1) / PAGE;
    kide_u64 *pages = kide_calloc(n, sizeof(*pages));
    void *va = 0;
    if (!pages)
        return KIDE_QUOTA;
    int st = kide_ram_alloc(env, n * PAGE, &va);
    for (kide_u64 i = 0; st == KIDE_OK && i < n; i++)
        if (!(pages[i] = phys_of((const char *)va + i * PAGE)))
            st = KIDE_BAD_ADDR; /* not RAM of ours: never hand the device a guess */
    if (st != KIDE_OK) {
        if (va)
            kide_ram_free(env, va, n * PAGE);
        kide_free(pages);
        return st;
    }
    *d = (struct vio_dma){.va = va, .pa = pages[0], .size = n * PAGE, .pages = pages};
    return KIDE_OK;
}

static void dma_free(struct vio_access *a, struct vio_dma *d)
{
    if (d->va)
        kide_ram_free(a->priv, d->va, d->size);
    kide_free((void *)d->pages);
    *d = (struct vio_dma){0};
}

kide_sel kide_access_irq_sm(void)
{
    return irq_sm;
}

void kide_access_intx_note(struct kide_env *env, kide_u64 isr_irqs)
{
    /* Said twice: the line works end to end (device, I/O APIC, kernel), and
     * it fired again after the kernel masked it, so a down unmasked it. */
    if (!intx_gsi || intx_seen >= 2 || isr_irqs <= (kide_u64)intx_seen)
        return;
    if (++intx_seen == 1)
        kide_log(env, "virtio-net: first interrupt on INTx GSI %lu", intx_gsi);
    else
        kide_log(env, "virtio-net: INTx unmasked and taken again (GSI %lu)", intx_gsi);
}

static int irq_wait(struct vio_access *a, kide_u64 timeout_ms)
{
    (void)a;
    kide_u64 deadline = timeout_ms ? kide_now_ns() + timeout_ms * 1000000ull : 1;
    return kide_ctrl_sm(KIDE_CTRL_SM_DOWN, irq_sm, deadline) == KIDE_OK;
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

/* Map every memory BAR (as much as one request may: a power of two of pages). */
static int map_bars(struct vio_access *a, const struct kide_platform_info_rep *info)
{
    for (unsigned b = 0; b < VIO_BARS; b++) {
        if (!(info->bar_flags[b] & KIDE_PLATFORM_BAR_MEM) || !info->bar_size[b])
            continue;
        kide_u64 pages = info->bar_size[b] / PAGE, size = 0;
        if (pages > KIDE_PLATFORM_BAR_PAGES)
            pages = KIDE_PLATFORM_BAR_PAGES;
        if (!pages)
            continue; /* a BAR below a page is not mapped: virtio's are larger */
        int st = kide_platform_bar(&platform, b, 0, pages, &a->bar[b], &size);
        if (st != KIDE_OK)
            return st;
        a->bar_size[b] = pages * PAGE;
    }
    return KIDE_OK;
}

int kide_access_open(struct kide_env *env, struct vio_access *a)
{
    struct kide_platform_info_rep info;
    struct kide_platform_irq_rep irq;
    *a = (struct vio_access){.ops = &kide_ops, .priv = env};
    /* The platform driver announces its service once it has enumerated the
     * bus, which may be after we start: NOT_FOUND is retried for a while. */
    int st = kide_platform_open(env, &platform);
    for (kide_u64 end = kide_now_ns() + OPEN_WAIT_NS;
         st == KIDE_NOT_FOUND && kide_now_ns() < end;) {
        kide_sleep_ms(20);
        st = kide_platform_open(env, &platform);
    }
    if (st == KIDE_OK)
        st = kide_platform_info(&platform, &info);
    if (st == KIDE_OK)
        st = map_bars(a, &info);
    if (st == KIDE_OK && !(info.irq_kinds & (KIDE_PLATFORM_IRQ_MSIX | KIDE_PLATFORM_IRQ_MSI |
                                             KIDE_PLATFORM_IRQ_INTX)))
        st = KIDE_DENIED; /* no interrupt the platform session can give */
    if (st == KIDE_OK)
        st = kide_platform_irq(&platform, 0, &irq_sm, &irq);
    if (st == KIDE_OK)
        a->msix = (info.irq_kinds & KIDE_PLATFORM_IRQ_MSIX) != 0;
    if (st == KIDE_OK && (info.irq_kinds & KIDE_PLATFORM_IRQ_INTX)) {
        intx_gsi = info.intx_gsi;
        kide_log(env, "virtio-net: INTx pin %c, GSI %lu (no MSI-X)",
                 (char)('A' + info.intx_pin - 1), info.intx_gsi);
    }
    return st;
}
