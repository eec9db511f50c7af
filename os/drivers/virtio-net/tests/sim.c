/* SPDX-License-Identifier: MIT */
/* A simulated virtio-net PCI device (see sim.h): registers, rings, DMA, interrupts.
 *
 * The device keeps its own state privately (last_avail, used_idx, the
 * descriptors it holds) and reaches the driver's rings only through the
 * device addresses the driver registered, translated with bounds checks as
 * an IOMMU would: a wrong address is a misuse, never a stray access.
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <kide/status.h>

#include "sim.h"
#include "../virtio.h"

static void misuse(struct sim *s, const char *why)
{
    s->misuse++;
    s->misuse_why = why;
}

/* ---- configuration space ------------------------------------------------------ */
static void put(kide_u8 *p, kide_u32 off, unsigned w, kide_u32 v)
{
    for (unsigned i = 0; i < w; i++)
        p[off + i] = (kide_u8)(v >> (8 * i));
}

static void add_cap(struct sim *s, kide_u8 at, kide_u8 next, kide_u8 type, kide_u32 off,
                    kide_u32 len, kide_u8 clen)
{
    put(s->cfg, at, 1, PCI_CAP_VENDOR);
    put(s->cfg, at + 1, 1, next);
    put(s->cfg, at + 2, 1, clen);
    put(s->cfg, at + 3, 1, type);
    put(s->cfg, at + 4, 1, SIM_BAR);
    put(s->cfg, at + 8, 4, off);
    put(s->cfg, at + 12, 4, len);
}

static kide_u32 cfg_read(struct vio_access *a, kide_u32 off, unsigned w)
{
    struct sim *s = a->priv;
    if (off + w > sizeof(s->cfg))
        return 0xffffffffu;
    kide_u32 v = 0;
    for (unsigned i = 0; i < w; i++)
        v |= (kide_u32)s->cfg[off + i] << (8 * i);
    return v;
}

static void cfg_write(struct vio_access *a, kide_u32 off, unsigned w, kide_u32 v)
{
    struct sim *s = a->priv;
    if (off != PCI_CFG_COMMAND || w != 2)
        misuse(s, "configuration write other than the command register");
    else
        put(s->cfg, off, w, v);
}

/* ---- DMA ----------------------------------------------------------------------- */
static int dma_alloc(struct vio_access *a, kide_u64 size, struct vio_dma *d)
{
    struct sim *s = a->priv;
    size = (size + 4095) & ~4095ull;
    for (int i = 0; i < SIM_DMA_MAX; i++) {
        if (s->dma[i].va)
            continue;
        void *va = aligned_alloc(4096, size);
        if (!va)
            return KIDE_QUOTA;
        memset(va, 0, size);
        s->dma[i] = (struct sim_dma){.va = va, .pa = s->next_pa, .size = size};
        s->next_pa += size + 0x100000; /* a gap: an overrun is untranslatable */
        *d = (struct vio_dma){.va = va, .pa = s->dma[i].pa, .size = size};
        return KIDE_OK;
    }
    return KIDE_QUOTA;
}

static void dma_free(struct vio_access *a, struct vio_dma *d)
{
    struct sim *s = a->priv;
    for (int i = 0; i < SIM_DMA_MAX; i++)
        if (s->dma[i].va && s->dma[i].va == d->va) {
            free(s->dma[i].va);
            s->dma[i] = (struct sim_dma){0};
            *d = (struct vio_dma){0};
            return;
        }
    misuse(s, "dma_free of memory that was not allocated");
}

void *sim_va(struct sim *s, kide_u64 pa, kide_u64 len)
{
    for (int i = 0; i < SIM_DMA_MAX; i++) {
        struct sim_dma *d = &s->dma[i];
        if (d->va && pa >= d->pa && len <= d->size && pa - d->pa <= d->size - len)
            return (kide_u8 *)d->va + (pa - d->pa);
    }
    return 0;
}

/* ---- the rings ------------------------------------------------------------------ */
struct rings {
    struct virtq_desc *desc;
    struct virtq_avail *avail;
    struct virtq_used *used;
};

static int rings(struct sim *s, struct sim_queue *q, struct rings *r)
{
    r->desc = sim_va(s, q->desc, 16ull * q->size);
    r->avail = sim_va(s, q->driver, 6 + 2ull * q->size);
    r->used = sim_va(s, q->device, 6 + 8ull * q->size);
    if (!r->desc || !r->avail || !r->used) {
        misuse(s, "a ring address is not DMA memory of the driver");
        return -1;
    }
    return 0;
}

static int event_idx(struct sim *s)
{
    return !!(s->driver_features & VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
}

/* The next available descriptor, or NULL. */
static struct virtq_desc *pop(struct sim *s, struct sim_queue *q, struct rings *r, kide_u16 *id)
{
    kide_u16 idx = atomic_load_explicit((_Atomic kide_u16 *)&r->avail->idx, memory_order_acquire);
    if ((kide_u16)(idx - q->last_avail) > q->size) {
        misuse(s, "avail idx moved more than the queue size");
        return 0;
    }
    if (idx == q->last_avail)
        return 0;
    *id = r->avail->ring[q->last_avail % q->size];
    q->last_avail++;
    if (event_idx(s)) /* notify me about the next one */
        *(volatile kide_u16 *)&r->used->ring[q->size] = q->last_avail;
    if (*id >= q->size || q->held[*id]) {
        misuse(s, *id >= q->size ? "avail entry out of range" : "descriptor made available twice");
        return 0;
    }
    q->held[*id] = 1;
    return &r->desc[*id];
}

static void push(struct sim_queue *q, struct rings *r, kide_u16 id, kide_u32 len)
{
    r->used->ring[q->used_idx % q->size] = (struct virtq_used_elem){.id = id, .len = len};
    q->used_idx++;
    q->held[id] = 0;
    atomic_store_explicit((_Atomic kide_u16 *)&r->used->idx, q->used_idx, memory_order_release);
}

/* Interrupt if the driver asked: like QEMU, with EVENT_IDX the window is from the
 * used index at the previous check to now, and the very first check always
 * interrupts. */
static void interrupt(struct sim *s, struct sim_queue *q, struct rings *r, kide_u16 old)
{
    if (old == q->used_idx)
        return;
    atomic_thread_fence(memory_order_seq_cst);
    int need;
    if (event_idx(s)) {
        kide_u16 ev = *(volatile kide_u16 *)&r->avail->ring[q->size];
        need = !q->signalled_valid || virtq_need_event(ev, q->used_idx, q->signalled);
        q->signalled_valid = 1;
        q->signalled = q->used_idx;
    } else {
        need = !(*(volatile kide_u16 *)&r->avail->flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
    }
    /* INTx is a level: while the ISR bit is still set the line is already high. */
    if (need && (s->acc.msix || !(s->isr & VIRTIO_ISR_QUEUE))) {
        s->isr |= VIRTIO_ISR_QUEUE;
        s->irq = 1;
        s->irqs++;
        q->irqs++;
    }
}

static int running(struct sim *s, struct sim_queue *q)
{
    return (s->status & VIRTIO_STATUS_DRIVER_OK) && q->enable;
}

static void tx_one(struct sim *s, struct virtq_desc *d)
{
    const kide_u8 *b = d->len >= 12 ? sim_va(s, d->addr, d->len) : 0;
    if (d->flags & (VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT))
        misuse(s, "tx descriptor with WRITE or NEXT");
    else if (!b || d->len > 12 + SIM_FRAME_MAX)
        misuse(s, "tx descriptor outside DMA memory or too long");
    else {
        static const kide_u8 zero[12];
        if (memcmp(b, zero, 12))
            misuse(s, "tx virtio_net_hdr not zero without offloads");
        s->last_tx_len = d->len - 12;
        memcpy(s->last_tx, b + 12, s->last_tx_len);
        for (kide_u32 i = 0; i < s->last_tx_len; i++)
            s->tx_sum += s->last_tx[i];
        s->tx_frames++;
    }
}

void sim_run(struct sim *s)
{
    struct sim_queue *q = &s->q[1];
    struct rings r;
    if (!running(s, q) || rings(s, q, &r))
        return;
    kide_u16 old = q->used_idx, id;
    struct virtq_desc *d;
    while ((d = pop(s, q, &r, &id))) {
        tx_one(s, d);
        push(q, &r, id, 0);
    }
    interrupt(s, q, &r, old);
}

int sim_rx(struct sim *s, const void *frame, kide_u32 len)
{
    struct sim_queue *q = &s->q[0];
    struct rings r;
    kide_u16 id, old = q->used_idx;
    struct virtq_desc *d;
    if (!running(s, q) || rings(s, q, &r) || !(d = pop(s, q, &r, &id))) {
        s->rx_no_buffer++;
        return -1;
    }
    kide_u8 *b = sim_va(s, d->addr, d->len);
    if (!(d->flags & VIRTQ_DESC_F_WRITE) || !b || d->len < 12 + len) {
        misuse(s, "rx descriptor not writable, outside DMA memory or too short");
        push(q, &r, id, 0);
        return -1;
    }
    struct virtio_net_hdr h = {.num_buffers = 1};
    memcpy(b, &h, 12);
    memcpy(b + 12, frame, len);
    push(q, &r, id, s->rx_len_lie ? s->rx_len_lie : 12 + len);
    s->rx_frames++;
    interrupt(s, q, &r, old);
    return 0;
}

void sim_used_raw(struct sim *s, int qi, kide_u32 id, kide_u32 len, kide_u16 bump)
{
    struct sim_queue *q = &s->q[qi];
    struct rings r;
    if (rings(s, q, &r))
        return;
    r.used->ring[q->used_idx % q->size] = (struct virtq_used_elem){.id = id, .len = len};
    q->used_idx += bump;
    atomic_store_explicit((_Atomic kide_u16 *)&r.used->idx, q->used_idx, memory_order_release);
}

void sim_link(struct sim *s, int up)
{
    s->net_status = up ? VIRTIO_NET_S_LINK_UP : 0;
    s->generation++;
    s->isr |= VIRTIO_ISR_CONFIG;
    s->irq = 1;
    s->irqs++;
}

/* ---- registers -------------------------------------------------------------------- */
static struct sim_queue *selq(struct sim *s)
{
    return s->qsel < SIM_QUEUES ? &s->q[s->qsel] : 0;
}

static void reset(struct sim *s)
{
    for (int i = 0; i < SIM_QUEUES; i++) {
        kide_u64 kicks = s->q[i].kicks, irqs = s->q[i].irqs;
        s->q[i] = (struct sim_queue){.size = s->qmax, .max = s->qmax, .msix = VIRTIO_MSI_NO_VECTOR};
        s->q[i].kicks = kicks;
        s->q[i].irqs = irqs;
    }
    s->status = 0;
    s->isr = 0;
    s->driver_features = 0;
    s->config_vector = VIRTIO_MSI_NO_VECTOR;
    s->resets++;
}

static kide_u32 common_read(struct sim *s, kide_u64 off)
{
    struct sim_queue *q = selq(s);
    switch (off) {
    case VCC_DEVICE_FEATURE_SELECT:
        return s->dfsel;
    case VCC_DEVICE_FEATURE:
        return s->dfsel < 2 ? (kide_u32)(s->features >> (32 * s->dfsel)) : 0;
    case VCC_DRIVER_FEATURE_SELECT:
        return s->drfsel;
    case VCC_DRIVER_FEATURE:
        return s->drfsel < 2 ? (kide_u32)(s->driver_features >> (32 * s->drfsel)) : 0;
    case VCC_CONFIG_MSIX_VECTOR:
        return s->config_vector;
    case VCC_NUM_QUEUES:
        return SIM_QUEUES;
    case VCC_DEVICE_STATUS:
        return s->status;
    case VCC_CONFIG_GENERATION:
        return s->generation;
    case VCC_QUEUE_SELECT:
        return s->qsel;
    case VCC_QUEUE_SIZE:
        return q ? q->size : 0;
    case VCC_QUEUE_MSIX_VECTOR:
        return q ? q->msix : VIRTIO_MSI_NO_VECTOR;
    case VCC_QUEUE_ENABLE:
        return q ? q->enable : 0;
    case VCC_QUEUE_NOTIFY_OFF:
        return s->qsel;
    default:
        misuse(s, "read of a common configuration register the driver does not need");
    }
    return 0;
}

static void set_status(struct sim *s, kide_u8 v)
{
    if (v == 0) {
        reset(s);
        return;
    }
    if ((s->status & v) != s->status)
        misuse(s, "device status bits cleared without a reset");
    if ((v & VIRTIO_STATUS_FEATURES_OK) && !(s->status & VIRTIO_STATUS_FEATURES_OK)) {
        if (s->driver_features & ~s->features)
            misuse(s, "driver accepted features the device does not offer");
        if (s->refuse_features || (s->driver_features & ~s->features))
            v &= (kide_u8)~VIRTIO_STATUS_FEATURES_OK;
    }
    if ((v & VIRTIO_STATUS_DRIVER_OK) && !(v & VIRTIO_STATUS_FEATURES_OK))
        misuse(s, "DRIVER_OK without FEATURES_OK");
    s->status = v;
}

static void queue_write(struct sim *s, struct sim_queue *q, kide_u64 off, kide_u32 v)
{
    if (q->enable && off != VCC_QUEUE_MSIX_VECTOR) {
        misuse(s, "queue register written while the queue is enabled");
        return;
    }
    int hi = (off & 7) == 4;
    kide_u64 *a = off < VCC_QUEUE_DRIVER   ? &q->desc
                  : off < VCC_QUEUE_DEVICE ? &q->driver
                                           : &q->device;
    switch (off) {
    case VCC_QUEUE_SIZE:
        if (!v || v > q->max || (v & (v - 1)))
            misuse(s, "queue size not a power of two up to the maximum");
        else
            q->size = (kide_u16)v;
        return;
    case VCC_QUEUE_MSIX_VECTOR:
        q->msix = s->refuse_msix ? VIRTIO_MSI_NO_VECTOR : (kide_u16)v;
        return;
    case VCC_QUEUE_ENABLE:
        if (v != 1)
            misuse(s, "queue_enable written with other than 1");
        q->enable = 1;
        struct rings r;
        rings(s, q, &r);
        return;
    default:
        *a = hi ? (*a & 0xffffffffu) | (kide_u64)v << 32 : (*a & ~0xffffffffull) | v;
    }
}

static void common_write(struct sim *s, kide_u64 off, kide_u32 v)
{
    struct sim_queue *q = selq(s);
    switch (off) {
    case VCC_DEVICE_FEATURE_SELECT:
        s->dfsel = v;
        return;
    case VCC_DRIVER_FEATURE_SELECT:
        s->drfsel = v;
        return;
    case VCC_DRIVER_FEATURE:
        if (s->status & VIRTIO_STATUS_FEATURES_OK)
            misuse(s, "features written after FEATURES_OK");
        else if (s->drfsel < 2)
            s->driver_features = (s->driver_features & ~(0xffffffffull << (32 * s->drfsel))) |
                                 (kide_u64)v << (32 * s->drfsel);
        return;
    case VCC_CONFIG_MSIX_VECTOR:
        s->config_vector = s->refuse_msix ? VIRTIO_MSI_NO_VECTOR : (kide_u16)v;
        return;
    case VCC_DEVICE_STATUS:
        set_status(s, (kide_u8)v);
        return;
    case VCC_QUEUE_SELECT:
        s->qsel = (kide_u16)v;
        return;
    default:
        if (off < VCC_QUEUE_SIZE || off >= VCC_SIZE || off == VCC_QUEUE_NOTIFY_OFF || !q)
            misuse(s, "write of a read-only or unknown common register");
        else
            queue_write(s, q, off, v);
    }
}

static kide_u32 mmio_read(struct vio_access *a, unsigned bar, kide_u64 off, unsigned w)
{
    struct sim *s = a->priv;
    if (bar != SIM_BAR || off + w > SIM_BAR_SIZE) {
        misuse(s, "register read outside the BAR");
        return 0xffffffffu;
    }
    if (off < SIM_ISR)
        return common_read(s, off);
    if (off == SIM_ISR) {
        kide_u32 v = s->isr;
        s->isr = 0;
        return v;
    }
    if (off >= SIM_DEVCFG && off + w <= SIM_DEVCFG + 10) {
        kide_u8 b[10] = {0};
        memcpy(b, s->mac, 6);
        put(b, 6, 2, s->net_status);
        put(b, 8, 2, 1); /* max_virtqueue_pairs */
        kide_u32 v = 0;
        for (unsigned i = 0; i < w; i++)
            v |= (kide_u32)b[off - SIM_DEVCFG + i] << (8 * i);
        return v;
    }
    misuse(s, "register read of nothing");
    return 0;
}

static void mmio_write(struct vio_access *a, unsigned bar, kide_u64 off, unsigned w, kide_u32 v)
{
    struct sim *s = a->priv;
    if (bar != SIM_BAR || off + w > SIM_BAR_SIZE) {
        misuse(s, "register write outside the BAR");
        return;
    }
    if (off < SIM_ISR) {
        common_write(s, off, v);
        return;
    }
    if (off >= SIM_NOTIFY && off < SIM_NOTIFY + SIM_QUEUES * SIM_NOTIFY_MULT && w == 2) {
        kide_u64 qi = (off - SIM_NOTIFY) / SIM_NOTIFY_MULT;
        if (v != qi || !(s->status & VIRTIO_STATUS_DRIVER_OK))
            misuse(s, "notify with a wrong queue index or before DRIVER_OK");
        s->q[qi].kicks++;
        return;
    }
    misuse(s, "register write of nothing");
}

static int irq_wait(struct vio_access *a, kide_u64 timeout_ms)
{
    struct sim *s = a->priv;
    (void)timeout_ms;
    sim_run(s);
    int was = s->irq;
    s->irq = 0;
    return was;
}

static const struct vio_access_ops sim_ops = {
        .cfg_read = cfg_read,
        .cfg_write = cfg_write,
        .mmio_read = mmio_read,
        .mmio_write = mmio_write,
        .dma_alloc = dma_alloc,
        .dma_free = dma_free,
        .irq_wait = irq_wait,
};

void sim_init(struct sim *s, kide_u64 features)
{
    memset(s, 0, sizeof(*s));
    s->acc.ops = &sim_ops;
    s->acc.priv = s;
    s->acc.bar_size[SIM_BAR] = SIM_BAR_SIZE;
    s->features = features;
    s->qmax = 256;
    s->next_pa = 0x40000000ull;
    static const kide_u8 mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
    memcpy(s->mac, mac, 6);
    s->net_status = VIRTIO_NET_S_LINK_UP;
    put(s->cfg, PCI_CFG_VENDOR, 2, VIRTIO_PCI_VENDOR);
    put(s->cfg, PCI_CFG_DEVICE, 2, VIRTIO_PCI_DEVICE_NET);
    put(s->cfg, PCI_CFG_STATUS, 2, PCI_STATUS_CAPS);
    put(s->cfg, PCI_CFG_CAP_PTR, 1, 0x40);
    add_cap(s, 0x40, 0x50, VIRTIO_PCI_CAP_COMMON_CFG, SIM_COMMON, VCC_SIZE, 16);
    add_cap(s, 0x50, 0x68, VIRTIO_PCI_CAP_NOTIFY_CFG, SIM_NOTIFY, 0x1000, 20);
    put(s->cfg, 0x50 + VIRTIO_CAP_NOTIFY_MULT, 4, SIM_NOTIFY_MULT);
    add_cap(s, 0x68, 0x78, VIRTIO_PCI_CAP_ISR_CFG, SIM_ISR, 1, 16);
    add_cap(s, 0x78, 0x00, VIRTIO_PCI_CAP_DEVICE_CFG, SIM_DEVCFG, 10, 16);
    reset(s);
    s->resets = 0;
}

int sim_fini(struct sim *s)
{
    int leaked = 0;
    for (int i = 0; i < SIM_DMA_MAX; i++)
        if (s->dma[i].va) {
            free(s->dma[i].va);
            s->dma[i].va = 0;
            leaked++;
        }
    return leaked;
}
