/* SPDX-License-Identifier: MIT */
/* vnet-qemu: the driver's device logic against QEMU's real virtio-net device.
 *
 * Until the platform session exists, this root task (on the kernel-test
 * runtime, krt) gives the driver a struct vio_access of its own: PCI
 * configuration space through ports 0xcf8/0xcfc (the root holds every I/O
 * port), BAR registers through the virtio PCI_CFG capability's window in
 * configuration space (virtio 1.2, 4.1.4.9: no IO_MEM mapping needed), DMA
 * memory from the root's RAM, which it holds at virtual == physical address,
 * and the device's INTx line as the GSI semaphore the kernel gives the root.
 * QEMU runs with `-netdev user` (slirp), whose gateway 10.0.2.2 answers ARP:
 * the test sends requests and waits for the replies. Each check prints a
 * "ktest: NAME: ok|FAIL" line that os/tools/qemu-run.sh counts.
 *
 * With `iommu=1` (make vnet-iommu-test: q35 with intel-iommu) the device is
 * assigned to a PD of its own, `dma_pd`, that holds exactly the DMA pages
 * (dma_alloc delegates them there): the same checks then prove that the
 * device works through its DMA domain, and the iommu-* checks that it
 * cannot write a page dma_pd never had, nor one it had and lost.
 */
#include <krt.h>
#include <kide/status.h>
#include "../../vnet.h"

#define PCI_ADDR 0xcf8
#define PCI_DATA 0xcfc
#define MY_IP    0x0f02000au /* 10.0.2.15, in network byte order as stored */
#define GW_IP    0x0202000au /* 10.0.2.2 */
#define BURST    1000u

static const u8 qemu_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

struct qdev {
    u32 bdf;     /* bus/device/function as in the 0xcf8 address */
    u32 window;  /* the PCI_CFG capability's offset */
    kide_sel sm; /* the INTx GSI's semaphore */
    u64 irqs;
    kide_sel sleep;
};

static struct qdev qd;
static kide_sel dma_pd; /* iommu=1: the PD whose RAM the device may reach */
static struct vio_access acc;
static struct vnet net;
static unsigned failed;

static u32 pci_read(u32 bdf, u32 off, unsigned w)
{
    if (off + w > 256)
        return 0xffffffffu;
    base_outl(PCI_ADDR, 0x80000000u | bdf | (off & 0xfc));
    u32 v = base_inl(PCI_DATA) >> (8 * (off & 3));
    return w == 4 ? v : v & ((1u << (8 * w)) - 1);
}

static void pci_write(u32 bdf, u32 off, unsigned w, u32 v)
{
    base_outl(PCI_ADDR, 0x80000000u | bdf | (off & 0xfc));
    if (w == 4)
        base_outl(PCI_DATA, v);
    else if (w == 2)
        base_outw((u16)(PCI_DATA + (off & 2)), (u16)v);
    else
        base_outb((u16)(PCI_DATA + (off & 3)), (u8)v);
}

static kide_u32 cfg_read(struct vio_access *a, kide_u32 off, unsigned w)
{
    (void)a;
    return pci_read(qd.bdf, off, w);
}

static void cfg_write(struct vio_access *a, kide_u32 off, unsigned w, kide_u32 v)
{
    (void)a;
    pci_write(qd.bdf, off, w, v);
}

/* Point the PCI_CFG window at `width` bytes of BAR `bar` at `off`. */
static void window(unsigned bar, u64 off, unsigned width)
{
    pci_write(qd.bdf, qd.window + 4, 1, bar);
    pci_write(qd.bdf, qd.window + 8, 4, (u32)off);
    pci_write(qd.bdf, qd.window + 12, 4, width);
}

static kide_u32 mmio_read(struct vio_access *a, unsigned bar, kide_u64 off, unsigned w)
{
    (void)a;
    window(bar, off, w);
    u32 v = pci_read(qd.bdf, qd.window + 16, 4);
    return w == 4 ? v : v & ((1u << (8 * w)) - 1);
}

static void mmio_write(struct vio_access *a, unsigned bar, kide_u64 off, unsigned w, kide_u32 v)
{
    (void)a;
    window(bar, off, w);
    pci_write(qd.bdf, qd.window + 16, w, v);
}

/* Physically contiguous pages: krt's allocator hands out ascending pages, so
 * take pages until a run of the size needed is together (the rest is left). */
static int dma_alloc(struct vio_access *a, kide_u64 size, struct vio_dma *d)
{
    (void)a;
    u64 pages = (size + 4095) / 4096, start = 0, have = 0;
    while (have < pages) {
        u64 pa = krt_page_alloc();
        if (!pa)
            return KIDE_QUOTA;
        if (have && pa == start + have * 4096) {
            have++;
        } else {
            start = pa;
            have = 1;
        }
    }
    for (u64 i = 0; dma_pd && i < pages; i++) {
        u64 pg = (start >> 12) + i;
        int st = kide_delegate(dma_pd, KIDE_CRD(KIDE_CRD_MEM, pg, 0, KIDE_MEM_R | KIDE_MEM_W), pg);
        if (st != KIDE_OK)
            return st;
    }
    *d = (struct vio_dma){.va = (void *)start, .pa = start, .size = pages * 4096};
    return KIDE_OK;
}

static void dma_free(struct vio_access *a, struct vio_dma *d)
{
    (void)a;
    for (u64 off = 0; off < d->size; off += 4096) {
        if (dma_pd) /* out of the device's reach before anyone else gets it */
            kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, (d->pa + off) >> 12, 0, 0));
        krt_page_free(d->pa + off);
    }
    *d = (struct vio_dma){0};
}

static int irq_wait(struct vio_access *a, kide_u64 ms)
{
    (void)a;
    if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, qd.sm, base_now() + ms * BASE_MS) == KIDE_OK) {
        qd.irqs++;
        return 1;
    }
    return 0;
}

static const struct vio_access_ops qemu_ops = {
        .cfg_read = cfg_read,
        .cfg_write = cfg_write,
        .mmio_read = mmio_read,
        .mmio_write = mmio_write,
        .dma_alloc = dma_alloc,
        .dma_free = dma_free,
        .irq_wait = irq_wait,
};

static void check(const char *name, int ok)
{
    printf("ktest: %s: %s\n", name, ok ? "ok" : "FAIL");
    failed += !ok;
}

/* ---- finding the device ---------------------------------------------------------- */
static int find_device(void)
{
    for (u32 dev = 0; dev < 32; dev++) {
        u32 bdf = dev << 11;
        u32 id = pci_read(bdf, 0, 4);
        if ((id & 0xffff) == VIRTIO_PCI_VENDOR &&
            ((id >> 16) == VIRTIO_PCI_DEVICE_NET || (id >> 16) == VIRTIO_PCI_DEVICE_NET_TR)) {
            qd.bdf = bdf;
            return 0;
        }
    }
    return -1;
}

/* BAR sizes by the usual probe (all ones, read back, restore), 32-bit memory BARs
 * and the low half of 64-bit ones. */
static void size_bars(void)
{
    for (unsigned i = 0; i < VIO_BARS; i++) {
        u32 off = 0x10 + 4 * i, old = pci_read(qd.bdf, off, 4);
        if (old & 1)
            continue; /* an I/O BAR */
        pci_write(qd.bdf, off, 4, 0xffffffffu);
        u32 mask = pci_read(qd.bdf, off, 4) & ~0xfu;
        pci_write(qd.bdf, off, 4, old);
        acc.bar_size[i] = mask ? (u64)(~mask + 1) : 0;
        if (((old >> 1) & 3) == 2)
            i++; /* 64-bit: the next BAR is its upper half */
    }
}

static int find_window(void)
{
    u32 p = pci_read(qd.bdf, PCI_CFG_CAP_PTR, 1) & 0xfc;
    for (int n = 0; p >= 0x40 && n < 48; n++, p = pci_read(qd.bdf, p + 1, 1) & 0xfc)
        if (pci_read(qd.bdf, p, 1) == PCI_CAP_VENDOR &&
            pci_read(qd.bdf, p + VIRTIO_CAP_TYPE, 1) == VIRTIO_PCI_CAP_PCI_CFG) {
            qd.window = p;
            return 0;
        }
    return -1;
}

static int setup(void)
{
    if (find_device() || find_window())
        return -1;
    size_bars();
    acc.ops = &qemu_ops;
    u32 line = pci_read(qd.bdf, 0x3c, 1);
    printf("vnet-qemu: device at %02x:%02x.%x, window at 0x%x, INTx line %u, BAR4 0x%lx bytes\n",
           qd.bdf >> 16, (qd.bdf >> 11) & 31, (qd.bdf >> 8) & 7, qd.window, line,
           (unsigned long)acc.bar_size[4]);
    qd.sleep = krt_sm_create(0);
    if (line < KIDE_ROOT_GSIS) {
        qd.sm = KIDE_ROOT_SEL_GSI + line;
        /* PCI INTx: level triggered; QEMU's IOAPIC sees the PIIX's line active high. */
        int st = kide_assign_gsi(1, qd.sm, 0, NULL, NULL);
        if (st != KIDE_OK)
            printf("vnet-qemu: assign_gsi %u: %d\n", line, st);
    }
    return 0;
}

/* ---- ARP ----------------------------------------------------------------------------- */
static u32 arp_request(u8 *f)
{
    memset(f, 0, 60);
    memset(f, 0xff, 6);
    memcpy(f + 6, net.mac, 6);
    f[12] = 0x08, f[13] = 0x06;                       /* ARP */
    f[14] = 0, f[15] = 1, f[16] = 0x08, f[17] = 0x00; /* Ethernet, IPv4 */
    f[18] = 6, f[19] = 4, f[20] = 0, f[21] = 1;       /* request */
    memcpy(f + 22, net.mac, 6);
    u32 me = MY_IP, gw = GW_IP;
    memcpy(f + 28, &me, 4);
    memcpy(f + 38, &gw, 4);
    return 60;
}

static u64 replies;

static void on_frame(void *arg, const kide_u8 *f, kide_u32 len)
{
    (void)arg;
    u32 spa, tpa;
    if (len < 42 || f[12] != 0x08 || f[13] != 0x06 || f[21] != 2)
        return;
    memcpy(&spa, f + 28, 4);
    memcpy(&tpa, f + 38, 4);
    if (spa == GW_IP && tpa == MY_IP && !memcmp(f + 32, net.mac, 6) && !memcmp(f, net.mac, 6))
        replies++;
}

/* Receive until `want` replies arrived or `ms` passed. */
static int wait_replies(u64 want, u64 ms)
{
    u64 end = base_now() + ms * BASE_MS;
    while (replies < want && base_now() < end) {
        if (!vnet_arm(&net))
            acc.ops->irq_wait(&acc, 10);
        vnet_irq(&net);
        if (vnet_rx(&net, on_frame, 0, 256) < 0)
            return -1;
    }
    return replies >= want ? 0 : -1;
}

static int send_arps(u32 n, u32 batch)
{
    u8 f[60];
    for (u32 i = 0; i < n;) {
        for (u32 k = 0; k < batch && i < n; k++, i++) {
            int st;
            while ((st = vnet_tx(&net, f, arp_request(f))) == KIDE_BUSY) {
                vnet_tx_flush(&net);
                vnet_rx(&net, on_frame, 0, 256);
            }
            if (st != KIDE_OK)
                return -1;
        }
        vnet_tx_flush(&net);
        vnet_rx(&net, on_frame, 0, 256);
    }
    return 0;
}

/* One request with the rx interrupt armed and nothing else pending: the reply
 * must arrive as an interrupt that says "rx". */
static int irq_phase(void)
{
    while (vnet_rx(&net, on_frame, 0, 256) > 0)
        ;
    vnet_tx_reclaim(&net);
    vnet_irq(&net); /* reads the ISR: the line goes low */
    while (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, qd.sm, base_now()) == KIDE_OK)
        ; /* counts from earlier interrupts nobody waited for */
    u64 before = qd.irqs, r = replies;
    if (vnet_arm(&net))
        return -1;
    u8 f[60];
    vnet_tx(&net, f, arp_request(f)); /* not send_arps: it polls rx, taking the reply */
    vnet_tx_flush(&net);
    /* Wait for interrupts until one says "rx": an INTx line may be shared, so an
     * interrupt may also find nothing (the ISR reads 0). */
    unsigned ev = 0;
    for (int i = 0; i < 300 && !(ev & VNET_EV_RX); i++)
        if (acc.ops->irq_wait(&acc, 10))
            ev |= vnet_irq(&net);
    vnet_rx(&net, on_frame, 0, 256);
    printf("vnet-qemu: irq phase: %lu interrupt(s), events %u, %lu reply\n",
           (unsigned long)(qd.irqs - before), ev, (unsigned long)(replies - r));
    return qd.irqs > before && (ev & VNET_EV_RX) && replies > r ? 0 : -1;
}

/* Wait until the link is `up` (QEMU's set_link, sent by tests/qemu/link.py). */
static int link_phase(int up)
{
    printf("vnet-qemu: waiting for link %s\n", up ? "up" : "down");
    unsigned ev = 0;
    for (int i = 0; i < 1000 && !((ev & VNET_EV_LINK) && net.link_up == up); i++) {
        vnet_arm(&net);
        if (acc.ops->irq_wait(&acc, 10))
            ev |= vnet_irq(&net);
        vnet_rx(&net, on_frame, 0, 256);
    }
    return (ev & VNET_EV_LINK) && net.link_up == up ? 0 : -1;
}

/* ---- DMA confinement (iommu=1) -------------------------------------------------------- */

/* Assign the device to a new PD: from now on its DMA reaches only what that
 * PD holds (the DMA pages dma_alloc gives it). */
static int iommu_assign(const struct kide_boot_info *bi)
{
    kide_u64 units = 0;
    u64 bus = qd.bdf >> 16, devfn = (qd.bdf >> 8) & 0xff;
    u64 cfg = bi->ecam_phys + ((bus - bi->ecam_bus_start) << 20) + (devfn << 12);
    dma_pd = krt_sel_alloc(0);
    int st = kide_create_pd(dma_pd, KIDE_ROOT_SEL_PD, 64, 0);
    if (st == KIDE_OK)
        st = kide_assign_dev(KIDE_ASSIGN_DEV_PD, dma_pd, cfg, &units);
    printf("vnet-qemu: assign %02lx:%02lx.%lx (ECAM page 0x%lx) to a PD of its own: status %d, "
           "%lu IOMMU unit(s)\n",
           (unsigned long)bus, (unsigned long)(devfn >> 3), (unsigned long)(devfn & 7),
           (unsigned long)cfg, st, (unsigned long)units);
    return st == KIDE_OK && units > 0 ? 0 : -1;
}

#define PATTERN 0x5a

static int page_is_pattern(u64 pa)
{
    const volatile u8 *p = (const volatile u8 *)pa;
    for (unsigned i = 0; i < 4096; i++)
        if (p[i] != PATTERN)
            return 0;
    return 1;
}

/* Fill page pa (the root's, at virtual == physical) with the pattern, point
 * every posted receive buffer of a freshly reset device at it and have an ARP
 * reply arrive. Waits (5 s at most) until the device completed a receive
 * buffer (its used index moved: the rings are the device's to write). QEMU
 * completes a buffer whose DMA the IOMMU refused as if it had written it
 * (the data goes nowhere), so "completed, page unchanged" is "refused".
 * Returns 1: written, 0: refused (untouched), -1: no completion. */
static int rx_into(u64 pa)
{
    memset((void *)pa, PATTERN, 4096);
    if (vnet_reset(&net) != KIDE_OK)
        return -1;
    for (unsigned i = 0; i < net.rx.size; i++)
        net.rx.desc[i].addr = pa; /* the device reads them when a frame arrives */
    volatile struct virtq_used *used = net.rx.used;
    kide_u16 idx0 = used->idx;
    u8 f[60];
    vnet_tx(&net, f, arp_request(f));
    vnet_tx_flush(&net);
    u64 end = base_now() + 5000 * BASE_MS;
    while (used->idx == idx0 && base_now() < end)
        krt_sm_wait(qd.sleep, 10); /* a poll interval: the condition is re-read */
    int done = used->idx != idx0, written = !page_is_pattern(pa);
    printf("vnet-qemu: rx into 0x%lx: %s\n", (unsigned long)pa,
           !done     ? "no completion"
           : written ? "written"
                     : "completed, page unchanged (refused)");
    return !done ? -1 : written ? 1 : 0;
}

static void iommu_phase(void)
{
    /* A page the device's PD never had. */
    u64 secret = krt_page_alloc();
    check("iommu-foreign-page", secret && rx_into(secret) == 0);
    /* A page it had: written; once revoked: refused. */
    u64 given = krt_page_alloc();
    int st = kide_delegate(dma_pd, KIDE_CRD(KIDE_CRD_MEM, given >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                           given >> 12);
    check("iommu-given-page", given && st == KIDE_OK && rx_into(given) == 1);
    kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, given >> 12, 0, 0));
    check("iommu-revoked-page", rx_into(given) == 0);
    /* A read-only page: the device may read it, not write it. */
    st = kide_delegate(dma_pd, KIDE_CRD(KIDE_CRD_MEM, given >> 12, 0, KIDE_MEM_R), given >> 12);
    check("iommu-readonly-page", st == KIDE_OK && rx_into(given) == 0);
    kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, given >> 12, 0, 0));
    /* And the device still works with its own buffers. */
    u64 r = replies;
    check("iommu-after",
          vnet_reset(&net) == KIDE_OK && send_arps(1, 1) == 0 && wait_replies(r + 1, 5000) == 0);
}

void krt_root_main(const struct kide_boot_info *bi)
{
    krt_root_init(bi);
    if (setup() != 0) {
        check("vnet-find", 0);
        base_exit_qemu(BASE_QEMU_FAILURE);
    }
    int iommu = (int)base_cmdline_num(bi->modules[0].cmdline, "iommu", 0);
    if (iommu && iommu_assign(bi) != 0) {
        check("iommu-assign", 0);
        base_exit_qemu(BASE_QEMU_FAILURE);
    }
    int st = vnet_init(&net, &acc);
    if (st != KIDE_OK)
        printf("vnet-qemu: vnet_init: %s\n", net.why);
    printf("vnet-qemu: features 0x%lx, mac %02x:%02x:%02x:%02x:%02x:%02x, link %s\n",
           (unsigned long)net.features, net.mac[0], net.mac[1], net.mac[2], net.mac[3], net.mac[4],
           net.mac[5], net.link_up ? "up" : "down");
    check("vnet-init", st == KIDE_OK && !memcmp(net.mac, qemu_mac, 6) && net.link_up &&
                               (net.features & VIRTIO_BIT(VIRTIO_F_VERSION_1)));
    if (st != KIDE_OK)
        base_exit_qemu(BASE_QEMU_FAILURE);
    check("vnet-arp", send_arps(1, 1) == 0 && wait_replies(1, 5000) == 0);
    u64 k0 = net.st.tx_kicks;
    int ok = send_arps(BURST, 32) == 0 && wait_replies(1 + BURST, 20000) == 0;
    printf("vnet-qemu: burst: %u requests, %lu replies, %lu tx notifications, %lu rx refill "
           "notifications, %lu interrupts\n",
           BURST, (unsigned long)replies - 1, (unsigned long)(net.st.tx_kicks - k0),
           (unsigned long)net.st.rx_kicks, (unsigned long)qd.irqs);
    check("vnet-burst", ok && net.st.tx_kicks - k0 < BURST);
    check("vnet-irq", irq_phase() == 0);
    st = vnet_reset(&net);
    u64 r = replies;
    check("vnet-reset", st == KIDE_OK && send_arps(1, 1) == 0 && wait_replies(r + 1, 5000) == 0);
    if (iommu)
        iommu_phase();
    if (base_cmdline_num(bi->modules[0].cmdline, "link", 0)) {
        check("vnet-link-down", link_phase(0) == 0);
        check("vnet-link-up", link_phase(1) == 0);
        u64 r2 = replies;
        check("vnet-link-arp", send_arps(1, 1) == 0 && wait_replies(r2 + 1, 5000) == 0);
    }
    vnet_fini(&net);
    printf("vnet-qemu: %u failed\n", failed);
    base_exit_qemu(failed ? BASE_QEMU_FAILURE : BASE_QEMU_SUCCESS);
}
