/* SPDX-License-Identifier: MIT */
/* virtio-net: moving frames between the device and NIC session rings.
 *
 * The data path of nic_server.c without the runtime, so the host tests run
 * it against the simulated device: a struct nic_port is the server's side of
 * one session's two rings.
 */
#ifndef NIC_PUMP_H
#define NIC_PUMP_H

#include <kide/nic.h>
#include "nic_ring.h"
#include "vnet.h"

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
/** Received frames from the device to every live port (up to `max`); -> frames taken
 *  from the device, or -1 if it broke the protocol. */
int nic_pump_rx(struct vnet *n, struct nic_port *ports, int nports, int max);
/** Frames from one port's tx ring to the device, as many as fit. */
void nic_pump_tx(struct vnet *n, struct nic_port *p);
/** Tell a port the link changed. */
void nic_pump_link(struct vnet *n, struct nic_port *p);
/** Publish a port's progress on both rings; 1 if its client must be woken now. */
int nic_pump_publish(struct nic_port *p);

#endif
