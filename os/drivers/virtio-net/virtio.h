/* SPDX-License-Identifier: MIT */
/* virtio 1.x over PCI: the register and ring layouts the driver relies on.
 *
 * Written from the virtio 1.2 specification (sections 2.7 "Split
 * Virtqueues", 4.1 "Virtio Over PCI Bus", 5.1 "Network Device"). All
 * fields are little-endian, which is the CPU's on x86_64, so the structs use
 * plain fixed-width types. Only what a modern (non-legacy) network driver
 * over PCI needs is here; offsets are checked with static asserts.
 */
#ifndef VIRTIO_H
#define VIRTIO_H

#include <kide/types.h>

/* ---- PCI identity and capabilities (4.1.2, 4.1.4) --------------------------- */
#define VIRTIO_PCI_VENDOR        0x1af4
#define VIRTIO_PCI_DEVICE_NET    0x1041 /* 0x1040 + device id 1: modern only */
#define VIRTIO_PCI_DEVICE_NET_TR 0x1000 /* transitional: accepted if it has the modern caps */

#define PCI_CFG_VENDOR   0x00
#define PCI_CFG_DEVICE   0x02
#define PCI_CFG_COMMAND  0x04
#define PCI_CFG_STATUS   0x06
#define PCI_CFG_CAP_PTR  0x34
#define PCI_STATUS_CAPS  0x10 /* the status register says a capability list exists */
#define PCI_CAP_VENDOR   0x09 /* vendor-specific capability: virtio's */
#define PCI_CAP_MSIX     0x11
#define PCI_CMD_MEM      0x02 /* memory space decoding */
#define PCI_CMD_MASTER   0x04 /* bus mastering (DMA) */
#define PCI_CMD_INTX_OFF 0x400

/* struct virtio_pci_cap: bytes in configuration space */
#define VIRTIO_CAP_TYPE        3 /* cfg_type */
#define VIRTIO_CAP_BAR         4
#define VIRTIO_CAP_OFFSET      8
#define VIRTIO_CAP_LENGTH      12
#define VIRTIO_CAP_NOTIFY_MULT 16 /* struct virtio_pci_notify_cap: notify_off_multiplier */
#define VIRTIO_CAP_MIN_LEN     16

enum virtio_cap_type {
    VIRTIO_PCI_CAP_COMMON_CFG = 1,
    VIRTIO_PCI_CAP_NOTIFY_CFG = 2,
    VIRTIO_PCI_CAP_ISR_CFG = 3,
    VIRTIO_PCI_CAP_DEVICE_CFG = 4,
    VIRTIO_PCI_CAP_PCI_CFG = 5,
};

/* ---- struct virtio_pci_common_cfg: byte offsets (4.1.4.3) ------------------- */
#define VCC_DEVICE_FEATURE_SELECT 0x00 /* 32 */
#define VCC_DEVICE_FEATURE        0x04 /* 32, read-only */
#define VCC_DRIVER_FEATURE_SELECT 0x08 /* 32 */
#define VCC_DRIVER_FEATURE        0x0c /* 32 */
#define VCC_CONFIG_MSIX_VECTOR    0x10 /* 16 */
#define VCC_NUM_QUEUES            0x12 /* 16, read-only */
#define VCC_DEVICE_STATUS         0x14 /* 8 */
#define VCC_CONFIG_GENERATION     0x15 /* 8, read-only */
#define VCC_QUEUE_SELECT          0x16 /* 16 */
#define VCC_QUEUE_SIZE            0x18 /* 16 */
#define VCC_QUEUE_MSIX_VECTOR     0x1a /* 16 */
#define VCC_QUEUE_ENABLE          0x1c /* 16 */
#define VCC_QUEUE_NOTIFY_OFF      0x1e /* 16, read-only */
#define VCC_QUEUE_DESC            0x20 /* 64 */
#define VCC_QUEUE_DRIVER          0x28 /* 64 */
#define VCC_QUEUE_DEVICE          0x30 /* 64 */
#define VCC_SIZE                  0x38 /* what a 1.0 device provides at least */
#define VIRTIO_MSI_NO_VECTOR      0xffff

/* device_status bits (2.1) */
#define VIRTIO_STATUS_ACKNOWLEDGE        1
#define VIRTIO_STATUS_DRIVER             2
#define VIRTIO_STATUS_DRIVER_OK          4
#define VIRTIO_STATUS_FEATURES_OK        8
#define VIRTIO_STATUS_DEVICE_NEEDS_RESET 64
#define VIRTIO_STATUS_FAILED             128

/* ISR status bits (4.1.4.5): reading the register clears it */
#define VIRTIO_ISR_QUEUE  1
#define VIRTIO_ISR_CONFIG 2

/* ---- feature bits (5.1.3, 6) -------------------------------------------------- */
#define VIRTIO_NET_F_CSUM           0
#define VIRTIO_NET_F_MTU            3
#define VIRTIO_NET_F_MAC            5
#define VIRTIO_NET_F_MRG_RXBUF      15
#define VIRTIO_NET_F_STATUS         16
#define VIRTIO_NET_F_CTRL_VQ        17
#define VIRTIO_NET_F_MQ             22
#define VIRTIO_F_RING_INDIRECT_DESC 28
#define VIRTIO_F_RING_EVENT_IDX     29
#define VIRTIO_F_VERSION_1          32
#define VIRTIO_F_ACCESS_PLATFORM    33
#define VIRTIO_F_RING_PACKED        34
#define VIRTIO_F_IN_ORDER           35
#define VIRTIO_BIT(b)               (1ull << (b))

/* ---- struct virtio_net_config (5.1.4) ----------------------------------------- */
#define VNET_CFG_MAC         0  /* u8[6], valid with VIRTIO_NET_F_MAC */
#define VNET_CFG_STATUS      6  /* 16, valid with VIRTIO_NET_F_STATUS */
#define VNET_CFG_MTU         10 /* 16, valid with VIRTIO_NET_F_MTU */
#define VNET_CFG_MIN         8  /* mac + status: what this driver reads */
#define VIRTIO_NET_S_LINK_UP 1

/** struct virtio_net_hdr (5.1.6): with VIRTIO_F_VERSION_1 it always has num_buffers. */
struct virtio_net_hdr {
    kide_u8 flags;
    kide_u8 gso_type;
    kide_u16 hdr_len;
    kide_u16 gso_size;
    kide_u16 csum_start;
    kide_u16 csum_offset;
    kide_u16 num_buffers;
};
_Static_assert(sizeof(struct virtio_net_hdr) == 12, "virtio_net_hdr");

/* ---- split virtqueue (2.7) ----------------------------------------------------- */
#define VIRTQ_DESC_F_NEXT          1
#define VIRTQ_DESC_F_WRITE         2
#define VIRTQ_AVAIL_F_NO_INTERRUPT 1
#define VIRTQ_USED_F_NO_NOTIFY     1

struct virtq_desc {
    kide_u64 addr; /**< device address of the buffer */
    kide_u32 len;
    kide_u16 flags;
    kide_u16 next;
};
/** The driver area: flags, idx, ring[size], then used_event (with EVENT_IDX). */
struct virtq_avail {
    kide_u16 flags;
    kide_u16 idx;
    kide_u16 ring[];
};
struct virtq_used_elem {
    kide_u32 id; /**< head of the descriptor chain: 32 bits wide, only < size is valid */
    kide_u32 len;
};
/** The device area: flags, idx, ring[size], then avail_event (with EVENT_IDX). */
struct virtq_used {
    kide_u16 flags;
    kide_u16 idx;
    struct virtq_used_elem ring[];
};
_Static_assert(sizeof(struct virtq_desc) == 16, "virtq_desc");
_Static_assert(sizeof(struct virtq_used_elem) == 8, "virtq_used_elem");

/** vring_need_event (2.7.10): must a notification go out, given the other side's
 *  event index, the new index and the index at the last notification? */
static inline int virtq_need_event(kide_u16 event, kide_u16 new_idx, kide_u16 old)
{
    return (kide_u16)(new_idx - event - 1) < (kide_u16)(new_idx - old);
}

#endif
