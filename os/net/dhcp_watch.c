/* SPDX-License-Identifier: MIT */
/* os/net: what the stack says about its DHCP client (net/dhcp_watch.h).
 *
 * lwIP's client runs on its own (DISCOVER, REQUEST, renewal at half the
 * lease, rebinding, starting over when the lease ends); it says nothing. A
 * habitat's operator needs two lines: which address the stack got (address,
 * prefix, gateway: the router's answer for this habitat), and, when nothing
 * answers, that nothing did and what to configure instead. The check runs
 * every round of the main loop under the stack's lock and only compares the
 * interface's address with the one last reported, so it costs nothing and
 * needs no callback from inside lwIP.
 *
 * Invariants: a lease is reported once (a renewal or a re-confirmation of
 * the same address after a link change says nothing: lwIP keeps the address
 * meanwhile); a loss is reported only when lwIP took the address away (the
 * lease ended unrenewed, or a NAK), and arms a new deadline; the late line
 * comes once per wait for a lease.
 */
#include "net/dhcp_watch.h"

#include "lwip/dhcp.h"
#include "lwip/ip4_addr.h"

/* Line building without a libc printf (the same file serves the OS build). */
struct out {
    char *p, *end; /* end: the last byte, kept for the NUL */
};

static void put(struct out *o, const char *s)
{
    while (*s && o->p < o->end)
        *o->p++ = *s++;
    *o->p = 0;
}

static void put_u(struct out *o, uint64_t v)
{
    char d[21];
    int n = 0;

    do
        d[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 20);
    while (n && o->p < o->end)
        *o->p++ = d[--n];
    *o->p = 0;
}

static void put_ip(struct out *o, const ip4_addr_t *a)
{
    char s[16];

    put(o, ip4addr_ntoa_r(a, s, sizeof s) ? s : "?");
}

void net_dhcp_watch_start(struct net_dhcp_watch *w, uint64_t now_ns, uint32_t timeout_ms)
{
    w->timeout_ns = (uint64_t)timeout_ms * 1000000u;
    w->deadline_ns = now_ns + w->timeout_ns;
    w->addr = 0;
}

static unsigned prefix_len(uint32_t mask_net)
{
    uint32_t m = lwip_ntohl(mask_net);
    unsigned n = 0;

    while (n < 32 && (m & (0x80000000u >> n)))
        n++;
    return n;
}

int net_dhcp_watch_check(struct net_dhcp_watch *w, struct netif *nif, uint64_t now_ns, char *line,
                         size_t len)
{
    uint32_t cur = ip4_addr_get_u32(netif_ip4_addr(nif));
    uint32_t addr = dhcp_supplied_address(nif) ? cur : 0;
    struct out o = {line, line + len - 1};

    if (!len)
        return 0;
    *line = 0;
    if (addr && addr != w->addr) {
        w->addr = addr;
        put(&o, "net: DHCP: ");
        put_ip(&o, netif_ip4_addr(nif));
        put(&o, "/");
        put_u(&o, prefix_len(ip4_addr_get_u32(netif_ip4_netmask(nif))));
        put(&o, " gateway ");
        put_ip(&o, netif_ip4_gw(nif));
        return 1;
    }
    if (!cur && w->addr) {
        w->addr = 0;
        w->deadline_ns = now_ns + w->timeout_ns;
        put(&o, "net: DHCP: lease lost (not renewed, or refused): asking again");
        return 1;
    }
    if (!addr && !w->addr && w->deadline_ns && now_ns >= w->deadline_ns) {
        w->deadline_ns = 0;
        put(&o, "net: DHCP: no answer in ");
        put_u(&o, w->timeout_ns / 1000000000u);
        put(&o, " s: give this stack a static address (config address \"a.b.c.d/len\", "
                "gateway) or have the router serve this habitat (habitats[].dhcp: true); "
                "still asking");
        return 1;
    }
    return 0;
}
