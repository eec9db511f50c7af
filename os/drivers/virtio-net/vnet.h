/* SPDX-License-Identifier: MIT */
/* virtio-net: the device logic of the driver, independent of how it reaches
 * the device (struct vio_access).
 *
 * Features: VIRTIO_F_VERSION_1 (required), VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS,
 * VIRTIO_F_RING_EVENT_IDX and VIRTIO_F_ACCESS_PLATFORM when the device offers
 * them; nothing else (no checksum or segmentation offload, no mergeable rx
 * buffers, no control queue, one queue pair). Why: docs/network.md.
 */
#ifndef VNET_H
#define VNET_H

#include "vio_pci.h"
#include "virtq.h"

#define VNET_BUF_SIZE  2048u /**< bytes per rx and tx buffer, virtio_net_hdr included */
#define VNET_FRAME_MIN 14u   /**< an Ethernet header */
#define VNET_FRAME_MAX 1518u /**< 1514 + a VLAN tag; the MTU is 1500 */
#define VNET_RX_BATCH  16u   /**< rx buffers are re-posted this many at a time */

/** Features the driver accepts, and the one it requires. */
#define VNET_FEATURES_WANT                                                                         \
    (VIRTIO_BIT(VIRTIO_NET_F_MAC) | VIRTIO_BIT(VIRTIO_NET_F_STATUS) |                              \
     VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) | VIRTIO_BIT(VIRTIO_F_ACCESS_PLATFORM))
#define VNET_FEATURES_NEED VIRTIO_BIT(VIRTIO_F_VERSION_1)

/** What vnet_irq found. */
#define VNET_EV_RX   1u /**< rx frames are ready (call vnet_rx) */
#define VNET_EV_TX   2u /**< tx buffers came back */
#define VNET_EV_LINK 4u /**< the link state changed (n->link_up) */

struct vnet_stats {
    kide_u64 tx_frames, rx_frames; /**< frames sent and delivered */
    kide_u64 tx_kicks, rx_kicks;   /**< notifications to the device */
    kide_u64 irqs;                 /**< interrupts handled */
    kide_u64 isr_irqs;   /**< without MSI-X: wake-ups whose ISR read said the device interrupted */
    kide_u64 rx_bad_len; /**< rx completions with an impossible length (dropped) */
    kide_u64 link_changes; /**< link state changes seen */
    kide_u64 resets;       /**< resets after the device broke the protocol */
};

struct vnet {
    struct vio_access *a;
    struct vio_pci pci;
    struct virtq rx, tx;  /**< queue 0 and queue 1 */
    kide_u64 features;    /**< negotiated */
    kide_u8 mac[6];       /**< from the device, or locally administered if it has none */
    int link_up;          /**< 1: link up (always, without VIRTIO_NET_F_STATUS) */
    int up;               /**< 1 between a successful vnet_init and vnet_fini */
    int broken;           /**< the device broke the protocol: only vnet_reset helps */
    kide_u16 rx_unposted; /**< rx buffers delivered and not yet re-posted */
    const char *why;      /**< after a failure: the reason, for the log */
    struct vnet_stats st;
};

/** Bring the device up: probe the transport, reset, negotiate, set up the rx and
 *  tx queues, read MAC and link, DRIVER_OK, post every rx buffer.
 *  -> KIDE_OK | KIDE_BAD_PARAM (an unusable or unsupported device: n->why) |
 *  KIDE_QUOTA (DMA memory) | KIDE_TIMEOUT (the device did not reset). */
int vnet_init(struct vnet *n, struct vio_access *a);
/** Reset the device and free its DMA memory. */
void vnet_fini(struct vnet *n);
/** vnet_fini, then vnet_init again (after n->broken). Counted in st.resets. */
int vnet_reset(struct vnet *n);

/** Queue one frame for sending (copied; not sent before vnet_tx_flush).
 *  -> KIDE_OK | KIDE_BUSY (no free tx buffer) | KIDE_BAD_PARAM (length) |
 *  KIDE_ABORTED (broken or down). */
int vnet_tx(struct vnet *n, const void *frame, kide_u32 len);
/** Hand queued frames to the device with at most one notification.
 *  -> KIDE_OK | KIDE_ABORTED. */
int vnet_tx_flush(struct vnet *n);
/** Take back the tx buffers the device is done with; returns free tx buffers,
 *  or -1 if the device broke the protocol (n->broken). */
int vnet_tx_reclaim(struct vnet *n);

/** Called by vnet_rx for every frame received (valid only during the call). */
typedef void (*vnet_rx_fn)(void *arg, const kide_u8 *frame, kide_u32 len);
/** Deliver up to `max` received frames to fn and re-post their buffers in batches
 *  of VNET_RX_BATCH (at once when the device runs low). Returns frames delivered,
 *  or -1 if the device broke the protocol (n->broken, n->why). */
int vnet_rx(struct vnet *n, vnet_rx_fn fn, void *arg, int max);

/** After an interrupt: read why (ISR), follow a configuration change (link state,
 *  DEVICE_NEEDS_RESET) and say what is ready: VNET_EV_* bits. Queue interrupts stay
 *  off until the next vnet_arm, so a burst costs one interrupt. */
unsigned vnet_irq(struct vnet *n);
/** Before sleeping: ask for the next rx interrupt, and for a tx interrupt when the
 *  tx ring is at least three quarters full (nothing else needs one). Returns 1 if
 *  work arrived meanwhile (do not sleep). */
int vnet_arm(struct vnet *n);

#endif
