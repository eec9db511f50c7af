/* SPDX-License-Identifier: MIT */
/* os/net: lwIP's Ethernet interface on a link of two functions.
 *
 * The stack sees one Ethernet netif per link. A link is whatever carries
 * frames: in os/net the NIC session (packet rings in shared memory), in the
 * host tests an in-memory wire between two stacks. It is two functions:
 * send_frame hands one frame to the link, receive_frame takes one from it.
 * net_netif_poll drains receive_frame into the stack, at most a budget of
 * frames per call, so one busy link cannot starve the rest of the loop.
 *
 * Input is validated here once: a frame shorter than an Ethernet header or
 * longer than NET_FRAME_MAX is counted as dropped and never reaches lwIP;
 * everything beyond that (addresses, checksums, options) lwIP checks.
 */
#ifndef NET_NETIF_H
#define NET_NETIF_H

#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

#include <stddef.h>
#include <stdint.h>

#define NET_FRAME_MIN 14   /**< an Ethernet header */
#define NET_FRAME_MAX 1518 /**< 1500 bytes of payload, the header and a VLAN tag */
#define NET_MTU       1500

/** A link: how frames leave and arrive. */
struct net_link {
    /** Hand one frame of LEN bytes to the link; 0 sent, -1 dropped (full). */
    int (*send_frame)(void *ctx, const void *frame, size_t len);
    /** Take one frame into BUF (CAP bytes): its length, 0 when none waits. */
    size_t (*receive_frame)(void *ctx, void *buf, size_t cap);
    void *ctx;          /**< passed to both */
    uint8_t mac[6];     /**< the interface's hardware address */
    uint64_t sent;      /**< frames send_frame took */
    uint64_t send_drop; /**< frames send_frame refused */
    uint64_t received;  /**< frames handed to the stack */
    uint64_t bad;       /**< frames refused for their length or for want of a buffer */
};

/** Add NIF on LINK with a static address (IP, MASK, GW), or, when IP is NULL,
 *  with the DHCP client started. The interface is up, its link up and, if
 *  it is the first, the default route. Returns 0, or -1 (lwIP refused). */
int net_netif_add(struct netif *nif, struct net_link *link, const ip4_addr_t *ip,
                  const ip4_addr_t *mask, const ip4_addr_t *gw);

/** Give the frame FRAME of LEN bytes to NIF's stack. 0 taken, -1 refused
 *  (bad length or no receive buffer; counted in link->bad). */
int net_netif_input(struct netif *nif, const void *frame, size_t len);

/** Take up to BUDGET frames from the link's receive_frame into the stack;
 *  the number taken. */
unsigned net_netif_poll(struct netif *nif, unsigned budget);

#endif
