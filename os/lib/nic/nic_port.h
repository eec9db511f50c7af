/* SPDX-License-Identifier: MIT */
/* os/lib/nic: the server's side of one NIC session's two rings.
 *
 * Without the runtime, so host tests drive it directly: a struct nic_port
 * consumes the client's tx ring and produces into its rx ring, keeps the
 * session's counters (KIDE_NIC_STATS) and tells the client of link changes.
 * What moves frames between ports and a device is the server's own
 * (os/drivers/virtio-net/nic_pump.c, os/components/tests/nic-wire).
 */
#ifndef NIC_PORT_H
#define NIC_PORT_H

#include <kide/nic.h>
#include "nic_ring.h"

/** The server's side of one session. */
struct nic_port {
    int used;                      /**< 1: a live session */
    struct nic_ring tx;            /**< consumer: frames from the client */
    struct nic_ring rx;            /**< producer: frames to the client */
    struct kide_nic_ring_hdr *rxh; /**< the rx ring's header, for the link fields */
    kide_u32 link_gen;             /**< link changes told so far */
    int wake;                      /**< the client must be woken after this round */
    struct kide_nic_stats_rep st;  /**< counters (KIDE_NIC_STATS) */
};

/** Set up a port on two formatted rings of `slots` slots, `bytes` bytes each.
 *  -> NIC_RING_OK | NIC_RING_BAD_PARAM. */
int nic_port_init(struct nic_port *p, void *tx_mem, void *rx_mem, kide_u64 bytes, kide_u32 slots,
                  int link_up);
/** One frame to the client (copied; counted). -> NIC_RING_OK | NIC_RING_EMPTY (rx ring
 *  full; not counted, the caller decides: drop and count with nic_port_drop, or keep) |
 *  NIC_RING_BAD_LEN | NIC_RING_BROKEN (the port is skipped for good). */
int nic_port_put(struct nic_port *p, const void *frame, kide_u32 len);
/** Count a frame dropped because the client's rx ring was full. */
void nic_port_drop(struct nic_port *p);
/** The client's next tx frame in place (as nic_ring_peek): bad lengths are skipped and
 *  counted (tx_bad), a broken ring counted once (ring_bad). -> NIC_RING_OK (then call
 *  nic_port_next after using it) | NIC_RING_EMPTY (nothing, or the ring is broken). */
int nic_port_peek(struct nic_port *p, const kide_u8 **data, kide_u32 *len);
/** Done with the frame from nic_port_peek; `sent`: 1 counts it in tx_frames, 0 in tx_bad. */
void nic_port_next(struct nic_port *p, int sent);
/** Tell the client the link is now `up` (its rx header; woken at the next publish). */
void nic_port_link(struct nic_port *p, int up);
/** Publish the progress on both rings; 1 if the client must be woken now. */
int nic_port_publish(struct nic_port *p);

#endif
