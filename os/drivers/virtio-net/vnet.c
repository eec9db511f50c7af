/* SPDX-License-Identifier: MIT */
/* virtio-net: bring-up, transmit, receive and interrupts of one device.
 *
 * States: down (after vnet_fini or a failed vnet_init), up, broken (up, but
 * the device broke the ring protocol: every data call fails with
 * KIDE_ABORTED until vnet_reset). Queue 0 receives, queue 1 transmits; both
 * use VNET_BUF_SIZE buffers, one per descriptor, each starting with the
 * 12-byte virtio_net_hdr (all zero on transmit: no offloads). Costs: a
 * frame is copied once each way (between the caller and the DMA buffer);
 * the device is notified at most once per vnet_tx_flush and per rx refill
 * batch, and only if it asked to be (EVENT_IDX or its NO_NOTIFY flag).
 * Interrupts: off from vnet_irq until vnet_arm, which asks for the next rx
 * frame and, when the tx ring is three quarters full, for tx progress.
 * Invariant: the device only ever sees DMA addresses of this driver's own
 * buffers; what it writes back (used ids, lengths, indices) is checked by
 * virtq_collect and vnet_rx before use.
 */
#include <kide/status.h>
#include "vnet.h"

#define COLLECT_MAX 32
#define HDR         ((kide_u32)sizeof(struct virtio_net_hdr))

static const kide_u8 fallback_mac[6] = {0x02, 0x4b, 0x69, 0x64, 0x65, 0x01}; /* local: "Kide" */

static void notify(struct vnet *n, struct virtq *q)
{
    vio_wr(&n->pci, &n->pci.notify, q->notify_off, 2, q->index);
}

static int fail(struct vnet *n, int st, const char *why)
{
    n->why = why;
    return st;
}

static void wr64(struct vnet *n, kide_u32 off, kide_u64 v)
{
    vio_wr(&n->pci, &n->pci.common, off, 4, (kide_u32)v);
    vio_wr(&n->pci, &n->pci.common, off + 4, 4, (kide_u32)(v >> 32));
}

/* Select queue `index`, size it, allocate and register its rings, enable it. */
static int setup_queue(struct vnet *n, struct virtq *q, kide_u16 index)
{
    struct vio_pci *p = &n->pci;
    vio_wr(p, &p->common, VCC_QUEUE_SELECT, 2, index);
    kide_u32 size = vio_rd(p, &p->common, VCC_QUEUE_SIZE, 2);
    if (size == 0 || (size & (size - 1)))
        return fail(n, KIDE_BAD_PARAM, "a queue is missing or its size is not a power of two");
    if (size > VIRTQ_SIZE_MAX) {
        size = VIRTQ_SIZE_MAX;
        vio_wr(p, &p->common, VCC_QUEUE_SIZE, 2, size);
    }
    kide_u64 noff = (kide_u64)vio_rd(p, &p->common, VCC_QUEUE_NOTIFY_OFF, 2) * p->notify_mult;
    if (noff + 2 > p->notify.len)
        return fail(n, KIDE_BAD_PARAM, "a queue's notify address lies outside its region");
    int event_idx = !!(n->features & VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX));
    int st = virtq_alloc(q, n->a, index, (kide_u16)size, VNET_BUF_SIZE, event_idx);
    if (st != KIDE_OK)
        return fail(n, st, "no DMA memory for a queue");
    q->notify_off = noff;
    wr64(n, VCC_QUEUE_DESC, q->desc_pa);
    wr64(n, VCC_QUEUE_DRIVER, q->avail_pa);
    wr64(n, VCC_QUEUE_DEVICE, q->used_pa);
    if (n->a->msix) {
        vio_wr(p, &p->common, VCC_QUEUE_MSIX_VECTOR, 2, 0);
        if (vio_rd(p, &p->common, VCC_QUEUE_MSIX_VECTOR, 2) != 0)
            return fail(n, KIDE_BAD_PARAM, "the device refused MSI-X vector 0 for a queue");
    }
    vio_wr(p, &p->common, VCC_QUEUE_ENABLE, 2, 1);
    return KIDE_OK;
}

/* MAC and link state from the device configuration. */
static int read_config(struct vnet *n)
{
    if (n->features & VIRTIO_BIT(VIRTIO_NET_F_MAC)) {
        int st = vio_pci_device_cfg(&n->pci, VNET_CFG_MAC, n->mac, 6);
        if (st != KIDE_OK)
            return fail(n, st, n->pci.why);
    } else {
        __builtin_memcpy(n->mac, fallback_mac, 6);
    }
    n->link_up = 1;
    if (n->features & VIRTIO_BIT(VIRTIO_NET_F_STATUS)) {
        kide_u16 status;
        int st = vio_pci_device_cfg(&n->pci, VNET_CFG_STATUS, &status, 2);
        if (st != KIDE_OK)
            return fail(n, st, n->pci.why);
        n->link_up = !!(status & VIRTIO_NET_S_LINK_UP);
    }
    return KIDE_OK;
}

/* Post every rx buffer and tell the device. */
static void fill_rx(struct vnet *n)
{
    int id;
    while ((id = virtq_get_free(&n->rx)) >= 0)
        virtq_post(&n->rx, (kide_u16)id, VNET_BUF_SIZE, 1);
    if (virtq_publish(&n->rx)) {
        notify(n, &n->rx);
        n->st.rx_kicks++;
    }
    virtq_irq_on(&n->rx, 0);
    virtq_irq_off(&n->tx);
}

/* The device's part of vnet_init, after the transport was found. */
static int bring_up(struct vnet *n)
{
    struct vio_pci *p = &n->pci;
    if (vio_pci_reset(p) != KIDE_OK)
        return fail(n, KIDE_TIMEOUT, p->why);
    vio_pci_set_status(p, VIRTIO_STATUS_ACKNOWLEDGE);
    vio_pci_set_status(p, VIRTIO_STATUS_DRIVER);
    int st = vio_pci_features(p, VNET_FEATURES_WANT, VNET_FEATURES_NEED, &n->features);
    if (st != KIDE_OK)
        return fail(n, st, p->why);
    if (vio_rd(p, &p->common, VCC_NUM_QUEUES, 2) < 2)
        return fail(n, KIDE_BAD_PARAM, "the device has fewer than two queues");
    kide_u16 vec = n->a->msix ? 0 : VIRTIO_MSI_NO_VECTOR;
    vio_wr(p, &p->common, VCC_CONFIG_MSIX_VECTOR, 2, vec);
    if (n->a->msix && vio_rd(p, &p->common, VCC_CONFIG_MSIX_VECTOR, 2) != 0)
        return fail(n, KIDE_BAD_PARAM, "the device refused MSI-X vector 0 for config changes");
    if ((st = setup_queue(n, &n->rx, 0)) != KIDE_OK || (st = setup_queue(n, &n->tx, 1)) != KIDE_OK)
        return st;
    if ((st = read_config(n)) != KIDE_OK)
        return st;
    vio_pci_set_status(p, VIRTIO_STATUS_DRIVER_OK);
    if (vio_pci_status(p) & VIRTIO_STATUS_DEVICE_NEEDS_RESET)
        return fail(n, KIDE_BAD_PARAM, "the device needs a reset right after set-up");
    return KIDE_OK;
}

int vnet_init(struct vnet *n, struct vio_access *a)
{
    struct vnet_stats keep = n->st;
    __builtin_memset(n, 0, sizeof(*n));
    n->a = a;
    n->st = keep;
    int st = vio_pci_probe(&n->pci, a);
    if (st != KIDE_OK)
        return fail(n, st, n->pci.why);
    st = bring_up(n);
    if (st != KIDE_OK) {
        const char *why = n->why;
        vnet_fini(n);
        if (n->pci.common.found) /* the driver gave up on this device */
            vio_pci_set_status(&n->pci, VIRTIO_STATUS_FAILED);
        n->why = why;
        return st;
    }
    n->up = 1;
    fill_rx(n);
    return KIDE_OK;
}

void vnet_fini(struct vnet *n)
{
    if (n->pci.common.found)
        vio_pci_reset(&n->pci); /* the device stops using the rings before they go */
    virtq_free(&n->rx, n->a);
    virtq_free(&n->tx, n->a);
    n->up = 0;
    n->broken = 0;
}

int vnet_reset(struct vnet *n)
{
    vnet_fini(n);
    n->st.resets++;
    return vnet_init(n, n->a);
}

static int broke(struct vnet *n, const char *why)
{
    n->broken = 1;
    n->why = why;
    return -1;
}

int vnet_tx_reclaim(struct vnet *n)
{
    kide_u16 ids[COLLECT_MAX];
    kide_u32 lens[COLLECT_MAX];
    const char *why;
    if (!n->up || n->broken)
        return -1;
    for (;;) {
        int k = virtq_collect(&n->tx, ids, lens, COLLECT_MAX, &why);
        if (k < 0)
            return broke(n, why);
        for (int i = 0; i < k; i++)
            n->tx.free[n->tx.nfree++] = ids[i];
        if (k < COLLECT_MAX)
            return n->tx.nfree;
    }
}

int vnet_tx(struct vnet *n, const void *frame, kide_u32 len)
{
    if (!n->up || n->broken)
        return KIDE_ABORTED;
    if (len < VNET_FRAME_MIN || len > VNET_FRAME_MAX)
        return KIDE_BAD_PARAM;
    int id = virtq_get_free(&n->tx);
    if (id < 0) {
        if (vnet_tx_reclaim(n) < 0)
            return KIDE_ABORTED;
        if ((id = virtq_get_free(&n->tx)) < 0)
            return KIDE_BUSY;
    }
    kide_u8 *b = virtq_buf(&n->tx, (kide_u16)id);
    __builtin_memset(b, 0, HDR);
    __builtin_memcpy(b + HDR, frame, len);
    virtq_post(&n->tx, (kide_u16)id, HDR + len, 0);
    n->st.tx_frames++;
    return KIDE_OK;
}

int vnet_tx_flush(struct vnet *n)
{
    if (!n->up || n->broken)
        return KIDE_ABORTED;
    if (virtq_publish(&n->tx)) {
        notify(n, &n->tx);
        n->st.tx_kicks++;
    }
    return KIDE_OK;
}

/* Re-post delivered rx buffers once a batch is together or the device runs low. */
static void refill_rx(struct vnet *n)
{
    if (n->rx_unposted < VNET_RX_BATCH && n->rx.inflight >= n->rx.size / 2)
        return;
    n->rx_unposted = 0;
    if (virtq_publish(&n->rx)) {
        notify(n, &n->rx);
        n->st.rx_kicks++;
    }
}

int vnet_rx(struct vnet *n, vnet_rx_fn fn, void *arg, int max)
{
    kide_u16 ids[COLLECT_MAX];
    kide_u32 lens[COLLECT_MAX];
    const char *why;
    int done = 0;
    if (!n->up || n->broken)
        return -1;
    while (done < max) {
        int k = virtq_collect(&n->rx, ids, lens,
                              max - done < COLLECT_MAX ? max - done : COLLECT_MAX, &why);
        if (k < 0)
            return broke(n, why);
        for (int i = 0; i < k; i++) {
            if (lens[i] < HDR + VNET_FRAME_MIN || lens[i] > HDR + VNET_FRAME_MAX) { /* defensive */
                n->st.rx_bad_len++;
            } else {
                fn(arg, virtq_buf(&n->rx, ids[i]) + HDR, lens[i] - HDR);
                n->st.rx_frames++;
            }
            virtq_post(&n->rx, ids[i], VNET_BUF_SIZE, 1);
            n->rx_unposted++;
        }
        done += k;
        if (k == 0)
            break;
    }
    refill_rx(n);
    return done;
}

/* A configuration change: DEVICE_NEEDS_RESET or a new link state. */
static unsigned config_changed(struct vnet *n)
{
    if (vio_pci_status(&n->pci) & VIRTIO_STATUS_DEVICE_NEEDS_RESET) {
        broke(n, "the device set DEVICE_NEEDS_RESET");
        return 0;
    }
    int was = n->link_up;
    if (read_config(n) != KIDE_OK)
        return 0;
    if (n->link_up == was)
        return 0;
    n->st.link_changes++;
    return VNET_EV_LINK;
}

unsigned vnet_irq(struct vnet *n)
{
    if (!n->up || n->broken)
        return 0;
    n->st.irqs++;
    unsigned ev = 0;
    kide_u32 isr = n->a->msix ? VIRTIO_ISR_CONFIG : vio_rd(&n->pci, &n->pci.isr, 0, 1);
    if (!n->a->msix && (isr & (VIRTIO_ISR_QUEUE | VIRTIO_ISR_CONFIG)))
        n->st.isr_irqs++;
    if (isr & VIRTIO_ISR_CONFIG)
        ev |= config_changed(n);
    if (*(volatile kide_u16 *)&n->rx.used->idx != n->rx.last_used)
        ev |= VNET_EV_RX;
    if (*(volatile kide_u16 *)&n->tx.used->idx != n->tx.last_used)
        ev |= VNET_EV_TX;
    /* Quiet until the caller has done the work and arms again (vnet_arm). */
    virtq_irq_off(&n->rx);
    virtq_irq_off(&n->tx);
    return ev;
}

int vnet_arm(struct vnet *n)
{
    if (!n->up || n->broken)
        return 1;
    /* Finished tx buffers are not work: collect them first. Otherwise, once
     * three quarters of the tx ring had been in flight, the buffers the device
     * had finished stayed uncollected until the ring ran out, the check below
     * saw them as pending, and the loop never slept (it spun at its priority,
     * taking the CPU from the habitats: the benchmark's 10 ms tail). */
    if (vnet_tx_reclaim(n) < 0)
        return 1;
    int pending = virtq_irq_on(&n->rx, 0);
    if (n->tx.inflight >= n->tx.size / 4 * 3)
        pending |= virtq_irq_on(&n->tx, n->tx.inflight / 2);
    else
        virtq_irq_off(&n->tx);
    return pending;
}
