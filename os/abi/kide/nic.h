/* SPDX-License-Identifier: MIT */
/* Kide ABI: the NIC session, packet rings in shared memory plus semaphores.
 *
 * A NIC session (service "Nic", served by a network driver such as
 * os/drivers/virtio-net, later by the router) moves Ethernet frames without
 * IPC on the data path. Its pieces:
 *
 *  - two rings, each one dataspace the server allocates from the RAM the
 *    client donated with the session (so every packet buffer is charged to
 *    the client) and shares writable with it (KIDE_NIC_RING):
 *      tx ring: the client produces frames, the server consumes them;
 *      rx ring: the server produces frames, the client consumes them.
 *    A ring is a header page (struct kide_nic_ring_hdr) followed by `slots`
 *    fixed-size slots (struct kide_nic_slot, KIDE_NIC_SLOT_SIZE bytes);
 *    `slots` is a power of two agreed at open time (KIDE_NIC_INFO).
 *  - two semaphores (KIDE_NIC_SM): the *server* semaphore, which the client
 *    ups (SM_UP only) after producing tx frames or freeing rx slots while the
 *    server waits, and the *client* semaphore, which the server ups after
 *    producing rx frames, freeing tx slots, or a link change, while the client
 *    waits. One up per batch, and only when the other side said it waits (the
 *    wait flags below); the waiter re-checks the ring after every wake-up, so
 *    a spurious or missing-by-malice up costs only the peer that caused it.
 *
 * Indices are free-running 32-bit counters: slot = index & (slots - 1), the
 * number of full slots is prod - cons (mod 2^32), never more than slots.
 * Each index and each wait flag has exactly one writer. Neither side trusts
 * anything the other side writes: it keeps its own index privately, reads
 * the peer's index once per batch and rejects it unless 0 <= prod - cons <=
 * slots, and reads a slot's length once and rejects it unless it is at most
 * KIDE_NIC_FRAME_MAX. Memory ordering, the hostile-peer rules and the
 * session's life are in docs/formats/nic-session.md; os/lib/nic is the one
 * implementation of the ring rules.
 *
 * Usable from any CPU: only the session set-up is IPC (on the server's CPU
 * through the handler the parent routed to); the rings and semaphores work
 * across CPUs.
 */
#ifndef KIDE_NIC_H
#define KIDE_NIC_H

#include "types.h"

#define KIDE_NIC_SERVICE "Nic" /**< the service name a NIC driver announces */

/* ---- geometry ---------------------------------------------------------------- */
#define KIDE_NIC_SLOT_SIZE     2048u /**< bytes per slot, header included */
#define KIDE_NIC_SLOT_HDR      8u    /**< len + flags before the frame */
#define KIDE_NIC_FRAME_MAX     (KIDE_NIC_SLOT_SIZE - KIDE_NIC_SLOT_HDR) /**< 2040 bytes */
#define KIDE_NIC_FRAME_MIN     14u   /**< an Ethernet header; shorter frames are refused */
#define KIDE_NIC_RING_HDR_SIZE 4096u /**< the header page before the slots */
#define KIDE_NIC_SLOTS_MIN     4u
#define KIDE_NIC_SLOTS_MAX     64u /**< a ring dataspace is at most 33 pages (<= KIDE_DS_MAX_PAGES) */
#define KIDE_NIC_SLOTS_DEFAULT 32u
/** Bytes of one ring's dataspace with `n` slots. */
#define KIDE_NIC_RING_BYTES(n) (KIDE_NIC_RING_HDR_SIZE + (kide_u64)(n)*KIDE_NIC_SLOT_SIZE)
/** RAM a client donates at least for a session with `n` slots per ring: both rings. */
#define KIDE_NIC_SESSION_RAM(n) (2 * KIDE_NIC_RING_BYTES(n))

#define KIDE_NIC_RING_MAGIC 0x474e4952u /* "RING": written by the server, informational */

/** The header page of a ring. Fields sit on separate 64-byte lines by writer, so a
 *  producer and a consumer on different CPUs do not share a cache line they write. */
struct kide_nic_ring_hdr {
    /* line 0: written by the server once, before sharing; informational only
     * (each side uses the geometry it agreed through KIDE_NIC_INFO). */
    kide_u32 magic;     /**< KIDE_NIC_RING_MAGIC */
    kide_u32 slots;     /**< slots in the ring (a power of two) */
    kide_u32 slot_size; /**< KIDE_NIC_SLOT_SIZE */
    kide_u32 pad0[13];
    /* line 1: written by the producer only */
    kide_u32 prod;      /**< slots produced so far (free-running) */
    kide_u32 prod_wait; /**< 1: the producer waits for space (the consumer ups its peer's
                             semaphore after the next batch it consumes) */
    kide_u32 pad1[14];
    /* line 2: written by the consumer only */
    kide_u32 cons;      /**< slots consumed so far (free-running) */
    kide_u32 cons_wait; /**< 1: the consumer waits for frames (the producer ups after the
                             next batch it produces) */
    kide_u32 pad2[14];
    /* line 3: written by the server only, rx ring only (0 in the tx ring) */
    kide_u32 link_up;  /**< 1 while the link is up */
    kide_u32 link_gen; /**< incremented at every link change (the client semaphore is upped) */
    kide_u32 pad3[14];
};

/** One slot: a frame and its length. The rest of the slot is unused. */
struct kide_nic_slot {
    kide_u32 len;   /**< frame bytes in data (KIDE_NIC_FRAME_MIN..KIDE_NIC_FRAME_MAX) */
    kide_u32 flags; /**< 0; reserved (checksum offload later) */
    kide_u8 data[KIDE_NIC_FRAME_MAX];
};

_Static_assert(sizeof(struct kide_nic_ring_hdr) == 256, "nic ring header: four lines");
_Static_assert(sizeof(struct kide_nic_ring_hdr) <= KIDE_NIC_RING_HDR_SIZE, "fits its page");
_Static_assert(sizeof(struct kide_nic_slot) == KIDE_NIC_SLOT_SIZE, "nic slot size");
_Static_assert(KIDE_NIC_RING_BYTES(KIDE_NIC_SLOTS_MAX) <= 64u * 4096u,
               "a ring is one shared dataspace (KIDE_DS_MAX_PAGES)");

/* ---- session operations (calls on the session portal) ------------------------------
 * Session args: "" or "slots=<n>" (n a power of two, KIDE_NIC_SLOTS_MIN..MAX; default
 * KIDE_NIC_SLOTS_DEFAULT) for both rings. The donation must be at least
 * KIDE_NIC_SESSION_RAM(n), else the open is refused with KIDE_QUOTA. */
enum kide_nic_op {
    /** -> OK, struct kide_nic_info_rep. */
    KIDE_NIC_INFO = 1,
    /** w1 = enum kide_nic_ring_id -> OK, w1 = pages, + the ring's pages shared writable
     *  (kide_msg_call_attach). Asking again shares the same pages again. | BAD_PARAM. */
    KIDE_NIC_RING = 2,
    /** w1 = enum kide_nic_sm_id -> OK + the semaphore as a typed item (set rcv_crd):
     *  the server semaphore with SM_UP only, the client semaphore with SM_DOWN. | BAD_PARAM. */
    KIDE_NIC_SM = 3,
    /** -> OK, struct kide_nic_stats_rep: the session's counters. */
    KIDE_NIC_STATS = 4,
    /** + a semaphore as a typed item (SM_UP is all the server needs) -> OK: from now on
     *  the server ups this semaphore where it upped the client semaphore, so a client
     *  that waits for several things (a router: its own clients too; a stack: socket
     *  requests) sleeps on one semaphore of its own. Given again: replaces the last
     *  one. | BAD_PARAM (no capability came). */
    KIDE_NIC_NOTIFY = 5,
};

enum kide_nic_ring_id {
    KIDE_NIC_RING_TX = 0, /**< client produces, server consumes */
    KIDE_NIC_RING_RX = 1, /**< server produces, client consumes */
};

enum kide_nic_sm_id {
    KIDE_NIC_SM_SERVER = 0, /**< the client ups it (tx frames produced, rx slots freed) */
    KIDE_NIC_SM_CLIENT = 1, /**< the client downs it (rx frames, tx space, link change) */
};

struct kide_nic_info_rep {
    kide_u64 mac;       /**< MAC address, byte i in bits 8i..8i+7 (mac[0] lowest) */
    kide_u64 link_up;   /**< 1: link up now (the rx ring header tracks changes) */
    kide_u64 mtu;       /**< largest payload (1500 for virtio-net without VIRTIO_NET_F_MTU) */
    kide_u64 slots;     /**< slots per ring, both rings */
    kide_u64 slot_size; /**< KIDE_NIC_SLOT_SIZE */
};

struct kide_nic_ring_req {
    kide_u64 ring; /**< enum kide_nic_ring_id */
};
struct kide_nic_ring_rep {
    kide_u64 pages; /**< pages shared: KIDE_NIC_RING_BYTES(slots) / 4096 */
};
struct kide_nic_sm_req {
    kide_u64 sm; /**< enum kide_nic_sm_id */
};

struct kide_nic_stats_rep {
    kide_u64 tx_frames;  /**< frames the server took from the tx ring */
    kide_u64 rx_frames;  /**< frames the server put into the rx ring */
    kide_u64 rx_dropped; /**< frames dropped because the rx ring was full */
    kide_u64 tx_bad;     /**< tx slots refused (bad length) */
    kide_u64 ring_bad;   /**< times the client's index was out of range (the session is broken) */
};

#define KIDE_NIC_WORDS_(t) (sizeof(struct t) / 8)
_Static_assert(KIDE_NIC_WORDS_(kide_nic_info_rep) == 5, "INFO w1..w5");
_Static_assert(KIDE_NIC_WORDS_(kide_nic_ring_req) == 1, "RING w1");
_Static_assert(KIDE_NIC_WORDS_(kide_nic_ring_rep) == 1, "RING w1");
_Static_assert(KIDE_NIC_WORDS_(kide_nic_sm_req) == 1, "SM w1");
_Static_assert(KIDE_NIC_WORDS_(kide_nic_stats_rep) == 5, "STATS w1..w5");

#endif
