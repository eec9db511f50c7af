/* SPDX-License-Identifier: MIT */
/* os/net: what the stack says about its DHCP client.
 *
 * lwIP's client runs on its own (DISCOVER, REQUEST, renewal at half the
 * lease, rebinding, starting over when the lease ends); it says nothing. A
 * habitat's operator needs two lines: which address the stack got (address,
 * prefix, gateway: the router's answer for this habitat), and, when nothing
 * answers, that nothing did and what to configure instead. The check runs
 * every round of the main loop under the stack's lock and only compares the
 * interface's address with the one last reported, so it costs nothing and
 * needs no callback from inside lwIP. Invariant: a line is produced once
 * per change (a lease, its loss) and the late line once per wait for a lease.
 */
#include "dhcp_watch.h"

#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"

#include <kide/component.h>

void net_dhcp_watch_start(struct net_dhcp_watch *w, kide_u64 now_ns, kide_u32 timeout_ms)
{
    w->timeout_ns = (kide_u64)timeout_ms * 1000000;
    w->deadline_ns = now_ns + w->timeout_ns;
    w->addr = 0;
}

static unsigned prefix_len(kide_u32 mask_net)
{
    kide_u32 m = lwip_ntohl(mask_net);
    unsigned n = 0;

    while (n < 32 && (m & (0x80000000u >> n)))
        n++;
    return n;
}

int net_dhcp_watch_check(struct net_dhcp_watch *w, struct netif *nif, kide_u64 now_ns, char *line,
                         kide_u64 len)
{
    kide_u32 addr = dhcp_supplied_address(nif) ? ip4_addr_get_u32(netif_ip4_addr(nif)) : 0;
    char a[16], g[16];

    if (addr && addr != w->addr) {
        w->addr = addr;
        ip4addr_ntoa_r(netif_ip4_addr(nif), a, sizeof a);
        ip4addr_ntoa_r(netif_ip4_gw(nif), g, sizeof g);
        kide_snprintf(line, len, "net: DHCP: %s/%u gateway %s", a,
                      prefix_len(ip4_addr_get_u32(netif_ip4_netmask(nif))), g);
        return 1;
    }
    if (!addr && w->addr) {
        /* The lease ended (not renewed) or the server refused it: lwIP
         * starts over; a new deadline for the next lease. */
        w->addr = 0;
        w->deadline_ns = now_ns + w->timeout_ns;
        kide_snprintf(line, len, "net: DHCP: lease lost (not renewed or refused): asking again");
        return 1;
    }
    if (!addr && w->deadline_ns && now_ns >= w->deadline_ns) {
        w->deadline_ns = 0;
        kide_snprintf(line, len,
                      "net: DHCP: no answer in %llu s: give this stack a static address "
                      "(config address \"a.b.c.d/len\", gateway) or have the router serve "
                      "this habitat (habitats[].dhcp: true); still asking",
                      (unsigned long long)(w->timeout_ns / 1000000000u));
        return 1;
    }
    return 0;
}
