/* SPDX-License-Identifier: MIT */
/* A simulated virtio-net PCI device for the driver's host tests.
 *
 * It implements a struct vio_access: configuration space with the four
 * virtio vendor capabilities, BAR 4 with the common configuration, ISR,
 * device configuration and notify registers, DMA memory at made-up device
 * addresses (the driver must hand the device those, never its pointers), and
 * an interrupt line. The device side follows virtio 1.2's split-ring rules:
 * it reads the avail ring at the addresses the driver registered, consumes
 * tx buffers, fills rx buffers, writes used entries, honours and sets the
 * event indices or flags, and raises interrupts only when the driver asked.
 * Every rule the driver breaks is counted in `misuse` with the last one in
 * `misuse_why`. The device runs only when the test calls it (sim_run,
 * sim_rx, or irq_wait), so every test is deterministic.
 */
#ifndef SIM_H
#define SIM_H

#include "../vio_access.h"

#define SIM_BAR         4
#define SIM_BAR_SIZE    0x4000u
#define SIM_COMMON      0x0000u
#define SIM_ISR         0x1000u
#define SIM_DEVCFG      0x2000u
#define SIM_NOTIFY      0x3000u
#define SIM_NOTIFY_MULT 4u
#define SIM_DMA_MAX     16
#define SIM_QUEUES      2
#define SIM_FRAME_MAX   2048u

struct sim_queue {
    kide_u16 size, max; /* current and largest size */
    kide_u16 msix, enable;
    kide_u64 desc, driver, device; /* device addresses */
    kide_u16 last_avail, used_idx; /* device-private */
    kide_u8 held[256];             /* descriptors the device holds */
    kide_u16 signalled;            /* used idx at the last interrupt check (as QEMU keeps it) */
    int signalled_valid;           /* 0 until the first check, which always interrupts */
    kide_u64 kicks;                /* notify writes */
    kide_u64 irqs;                 /* interrupts raised for this queue */
};

struct sim_dma {
    void *va;
    kide_u64 pa, size;
};

struct sim {
    struct vio_access acc;
    kide_u8 cfg[256];  /* configuration space */
    kide_u64 features; /* offered */
    kide_u64 driver_features;
    kide_u32 dfsel, drfsel;
    kide_u16 config_vector, qsel;
    kide_u8 status, generation, isr;
    kide_u8 mac[6];
    kide_u16 net_status;
    kide_u16 qmax;       /* largest queue size offered (256) */
    int refuse_msix;     /* answer every MSI-X vector write with NO_VECTOR */
    int refuse_features; /* clear FEATURES_OK whatever the driver asks */
    kide_u32 rx_len_lie; /* non-zero: report this rx length instead */
    struct sim_queue q[SIM_QUEUES];
    struct sim_dma dma[SIM_DMA_MAX];
    kide_u64 next_pa;
    int irq;       /* pending interrupt */
    kide_u64 irqs; /* interrupts raised */
    kide_u64 resets;
    /* what the device saw */
    kide_u64 tx_frames; /* frames consumed from the tx queue */
    kide_u8 last_tx[SIM_FRAME_MAX];
    kide_u32 last_tx_len;
    kide_u64 tx_sum; /* sum of every tx frame's bytes, for checks */
    kide_u64 rx_frames, rx_no_buffer;
    /* rules the driver broke */
    kide_u64 misuse;
    const char *misuse_why;
};

/** A device with `features` offered, a MAC and the link up. */
void sim_init(struct sim *s, kide_u64 features);
/** Free whatever DMA memory the driver left behind (counted as a leak: returns it). */
int sim_fini(struct sim *s);
/** Run the device: consume every available tx buffer; raise interrupts as asked. */
void sim_run(struct sim *s);
/** Deliver one frame into the next rx buffer. -> 0, or -1: no buffer posted. */
int sim_rx(struct sim *s, const void *frame, kide_u32 len);
/** Change the link state (a configuration change interrupt). */
void sim_link(struct sim *s, int up);
/** Write a raw used entry for queue `qi` (hostile device tests) and bump used idx by
 *  `bump` (0: the entry is written but not published). */
void sim_used_raw(struct sim *s, int qi, kide_u32 id, kide_u32 len, kide_u16 bump);
/** The driver-visible pointer of a device address range, or NULL (bounds checked). */
void *sim_va(struct sim *s, kide_u64 pa, kide_u64 len);

#endif
