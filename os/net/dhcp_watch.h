/* SPDX-License-Identifier: MIT */
/* os/net: what the stack says about its DHCP client (dhcp_watch.c). */
#ifndef NET_DHCP_WATCH_H
#define NET_DHCP_WATCH_H

#include "lwip/netif.h"

#include <kide/base.h>

#define NET_DHCP_TIMEOUT_MS  30000u /**< default: no lease by then is reported */
#define NET_DHCP_TIMEOUT_MAX 3600000u

struct net_dhcp_watch {
    kide_u64 deadline_ns; /**< the lease is due by then; 0: reported late already */
    kide_u64 timeout_ns;
    kide_u32 addr; /**< the address last reported (network order), 0: none */
};

/** Start watching at now for a lease within timeout_ms. */
void net_dhcp_watch_start(struct net_dhcp_watch *w, kide_u64 now_ns, kide_u32 timeout_ms);

/** Under the stack's lock, after lwIP's timers: 1 with a line to log in line
 *  (the lease, its loss, or no lease by the deadline), else 0. */
int net_dhcp_watch_check(struct net_dhcp_watch *w, struct netif *nif, kide_u64 now_ns, char *line,
                         kide_u64 len);

#endif
