/* SPDX-License-Identifier: MIT */
/* rtr DHCP: a minimal DHCP server (RFC 2131) that hands each habitat its configured address.
 *
 * A habitat's link holds one client, so there is no pool and no lease table:
 * DISCOVER gets an OFFER of the configured address, REQUEST gets an ACK if it
 * asks for that address (else a NAK), INFORM for that address an ACK (for
 * another it is dropped as spoofed); RELEASE and DECLINE are
 * taken note of and need no answer. The client's hardware address must be the
 * habitat's MAC. Replies go to the habitat's MAC and to 255.255.255.255 (the
 * client may have no address yet), with the subnet mask, router, lease time,
 * server identifier and, when configured, a DNS server. Options are read with
 * every length checked against the message; no option is trusted beyond the
 * message type, the requested address and the server identifier.
 */
#include "rtr_internal.h"

#define BOOTP_LEN    236u /**< fixed BOOTP fields, before the magic cookie */
#define DHCP_MIN     (BOOTP_LEN + 4u)
#define DHCP_MAGIC   0x63825363u
#define DHCP_REPLY   300u /**< BOOTP payload size of a reply (the BOOTP minimum) */
#define DHCPDISCOVER 1u
#define DHCPOFFER    2u
#define DHCPREQUEST  3u
#define DHCPDECLINE  4u
#define DHCPACK      5u
#define DHCPNAK      6u
#define DHCPRELEASE  7u
#define DHCPINFORM   8u

_Bool rtr_dhcp_is(const struct pkt *p)
{
    return p->proto == RTR_UDP && p->sport == 68 && p->dport == 67;
}

/* What the router reads of a client's options. */
struct dhcp_opts {
    u32 type;      /**< message type, 0 if absent */
    u32 requested; /**< option 50, 0 if absent */
    u32 server;    /**< option 54, 0 if absent */
};

static int parse_opts(const u8 *m, u32 len, struct dhcp_opts *o)
{
    u32 i = DHCP_MIN;
    memset(o, 0, sizeof(*o));
    while (i < len && m[i] != 255) {
        u32 code = m[i], olen;
        if (code == 0) {
            i++;
            continue;
        }
        if (i + 2 > len || i + 2 + m[i + 1] > len)
            return -1;
        olen = m[i + 1];
        if (code == 53 && olen == 1)
            o->type = m[i + 2];
        else if (code == 50 && olen == 4)
            o->requested = get32(m + i + 2);
        else if (code == 54 && olen == 4)
            o->server = get32(m + i + 2);
        i += 2 + olen;
    }
    return o->type ? 0 : -1;
}

static u32 put_opt32(u8 *o, u32 code, u32 v)
{
    o[0] = (u8)code;
    o[1] = 4;
    put32(o + 2, v);
    return 6;
}

/* The reply's options after the cookie; returns their length. */
static u32 reply_opts(const struct rtr *r, const struct rtr_hab_cfg *hc, u32 type, _Bool inform,
                      u8 *o)
{
    u32 n = 0;
    o[n++] = 53;
    o[n++] = 1;
    o[n++] = (u8)type;
    n += put_opt32(o + n, 54, hc->gateway);
    if (type != DHCPNAK) {
        if (!inform)
            n += put_opt32(o + n, 51, RTR_DHCP_LEASE);
        n += put_opt32(o + n, 1, rtr_mask(hc->prefix));
        n += put_opt32(o + n, 3, hc->gateway);
        if (r->cfg.dns)
            n += put_opt32(o + n, 6, r->cfg.dns);
    }
    o[n++] = 255;
    return n;
}

/* Build and send the reply of the given type to the request m. */
static void reply(struct rtr *r, int slot, const u8 *m, u32 type, _Bool inform)
{
    const struct rtr_hab_cfg *hc = &r->cfg.hab[slot];
    u8 *f = r->out, *ip = f + ETH_HLEN, *udp = ip + IP_HLEN, *b = udp + UDP_HLEN;
    u32 sum, ulen = UDP_HLEN + DHCP_REPLY, tot = IP_HLEN + ulen;
    memset(f, 0, ETH_HLEN + tot);
    memcpy(f, hc->mac, 6);
    memcpy(f + 6, r->cfg.router_mac, 6);
    put16(f + 12, ETH_TYPE_IPV4);
    ip[0] = 0x45;
    put16(ip + 2, tot);
    ip[8] = 64;
    ip[9] = RTR_UDP;
    put32(ip + 12, hc->gateway);
    put32(ip + 16, 0xffffffffu);
    put16(ip + 10, rtr_csum_fold(rtr_csum_add(0, ip, IP_HLEN)));
    put16(udp, 67);
    put16(udp + 2, 68);
    put16(udp + 4, ulen);
    b[0] = 2;
    b[1] = 1;
    b[2] = 6;
    memcpy(b + 4, m + 4, 4);   /* xid */
    memcpy(b + 10, m + 10, 2); /* flags */
    if (inform)
        memcpy(b + 12, m + 12, 4); /* ciaddr */
    else if (type != DHCPNAK)
        put32(b + 16, hc->addr); /* yiaddr */
    memcpy(b + 28, m + 28, 16);  /* chaddr */
    put32(b + BOOTP_LEN, DHCP_MAGIC);
    reply_opts(r, hc, type, inform, b + DHCP_MIN);
    /* The UDP checksum over the pseudo-header and the datagram. */
    sum = rtr_csum_add(0, ip + 12, 8);
    sum += RTR_UDP + ulen;
    sum = rtr_csum_add(sum, udp, ulen);
    put16(udp + 6, rtr_csum_fold(sum) ? rtr_csum_fold(sum) : 0xffff);
    rtr_send(r, slot, f, ETH_HLEN + tot);
}

int rtr_dhcp_input(struct rtr *r, int slot, const struct pkt *p)
{
    const struct rtr_hab_cfg *hc = &r->cfg.hab[slot];
    const u8 *m = p->f + p->l4 + UDP_HLEN;
    u32 len = get16(p->f + p->l4 + 4) - UDP_HLEN, want;
    struct dhcp_opts o;
    if (p->src != 0 && p->src != hc->addr)
        return RTR_DROP_SPOOFED;
    if (len < DHCP_MIN || m[0] != 1 || m[1] != 1 || m[2] != 6 || get32(m + BOOTP_LEN) != DHCP_MAGIC)
        return RTR_DROP_MALFORMED;
    if (memcmp(m + 28, hc->mac, 6))
        return RTR_DROP_SPOOFED;
    if (parse_opts(m, len, &o) < 0)
        return RTR_DROP_MALFORMED;
    switch (o.type) {
    case DHCPDISCOVER:
        reply(r, slot, m, DHCPOFFER, 0);
        break;
    case DHCPREQUEST:
        if (o.server && o.server != hc->gateway)
            return RTR_DROP_NOT_ROUTED;
        want = o.requested ? o.requested : get32(m + 12);
        reply(r, slot, m, want == hc->addr ? DHCPACK : DHCPNAK, 0);
        break;
    case DHCPINFORM:
        /* The ACK echoes ciaddr: only the habitat's own address is
         * acknowledged, never another habitat's. */
        if (get32(m + 12) != hc->addr)
            return RTR_DROP_SPOOFED;
        reply(r, slot, m, DHCPACK, 1);
        break;
    case DHCPRELEASE:
    case DHCPDECLINE:
        break;
    default:
        return RTR_DROP_MALFORMED;
    }
    return RTR_ANSWERED;
}
