/* SPDX-License-Identifier: MIT */
/* os/net: what the stack says about its DHCP client (dhcp_watch.c); without
 * the runtime, so the host test drives it against the router's server. */
#ifndef NET_DHCP_WATCH_H
#define NET_DHCP_WATCH_H

#include "lwip/netif.h"

#include <stddef.h>
#include <stdint.h>

#define NET_DHCP_TIMEOUT_MS  30000u   /**< default: no lease by then is reported */
#define NET_DHCP_TIMEOUT_MAX 3600000u /**< the longest dhcp_timeout_ms */

struct net_dhcp_watch {
    uint64_t deadline_ns; /**< a lease is due by then; 0: reported late already */
    uint64_t timeout_ns;
    uint32_t addr; /**< the address last reported (network order), 0: none */
};

/** Start watching at now for a lease within timeout_ms. */
void net_dhcp_watch_start(struct net_dhcp_watch *w, uint64_t now_ns, uint32_t timeout_ms);

/** Under the stack's lock, after lwIP's timers: 1 with a line to log in line
 *  (the lease, its loss, or no lease by the deadline), else 0. The line is
 *  cut to len - 1 bytes (128 hold the longest). */
int net_dhcp_watch_check(struct net_dhcp_watch *w, struct netif *nif, uint64_t now_ns, char *line,
                         size_t len);

#endif
