/* SPDX-License-Identifier: MIT */
/* rtr packets: header parsing, checksums and rewriting of Ethernet, ARP and IPv4 frames.
 *
 * Parsing trusts nothing: every length and header length is checked against
 * the bytes present before a field behind it is read, the IPv4 header
 * checksum is verified, and a frame is trimmed to the IPv4 total length
 * (Ethernet pads short frames). Rewriting keeps every checksum right by the
 * incremental update of RFC 1624 (eqn. 3), so a rewrite costs O(1) whatever
 * the payload; a UDP checksum of 0 (none) stays 0, and a computed 0 is sent
 * as 0xffff (RFC 768).
 */
#include "rtr_internal.h"

u32 rtr_csum_add(u32 sum, const u8 *p, u32 n)
{
    u32 i;
    for (i = 0; i + 1 < n; i += 2) {
        sum += get16(p + i);
        sum = (sum & 0xffff) + (sum >> 16);
    }
    if (n & 1)
        sum += (u32)p[n - 1] << 8;
    return sum;
}

u16 rtr_csum_fold(u32 sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (u16)~sum;
}

void rtr_csum_replace16(u8 *field, u16 old, u16 new_)
{
    /* HC' = ~(~HC + ~m + m') */
    u32 sum = (u16)~get16(field) + (u32)(u16)~old + new_;
    put16(field, rtr_csum_fold(sum));
}

/* Replace a 32-bit value covered by the checksum at field (two 16-bit words). */
static void csum_replace32(u8 *field, u32 old, u32 new_)
{
    rtr_csum_replace16(field, (u16)(old >> 16), (u16)(new_ >> 16));
    rtr_csum_replace16(field, (u16)old, (u16)new_);
}

int rtr_pkt_eth(struct pkt *p, u8 *f, u32 len)
{
    memset(p, 0, sizeof(*p));
    if (len < ETH_HLEN || len > RTR_FRAME_MAX)
        return -1;
    p->f = f;
    p->len = len;
    p->type = get16(f + 12);
    return 0;
}

/* The transport header: present and long enough for what the router reads. */
static int parse_l4(struct pkt *p)
{
    const u8 *t = p->f + p->l4;
    switch (p->proto) {
    case RTR_TCP: {
        u32 off;
        if (p->l4len < TCP_HLEN)
            return RTR_DROP_MALFORMED;
        off = (u32)(t[12] >> 4) * 4;
        if (off < TCP_HLEN || off > p->l4len)
            return RTR_DROP_MALFORMED;
        p->flags = t[13];
        break;
    }
    case RTR_UDP: {
        u32 ulen;
        if (p->l4len < UDP_HLEN)
            return RTR_DROP_MALFORMED;
        ulen = get16(t + 4);
        if (ulen < UDP_HLEN || ulen > p->l4len)
            return RTR_DROP_MALFORMED;
        break;
    }
    case RTR_ICMP:
        if (p->l4len < ICMP_HLEN)
            return RTR_DROP_MALFORMED;
        p->icmp_type = t[0];
        /* Only echo carries an id the router can map; errors quote headers it would
         * have to translate too, and are not supported. */
        if (t[0] != ICMP_ECHO && t[0] != ICMP_ECHO_REPLY)
            return RTR_DROP_UNSUPPORTED;
        p->sport = get16(t + 4);
        return RTR_OK;
    default:
        return RTR_DROP_UNSUPPORTED;
    }
    p->sport = get16(t);
    p->dport = get16(t + 2);
    return RTR_OK;
}

int rtr_pkt_ip(struct pkt *p)
{
    const u8 *ip = p->f + ETH_HLEN;
    u32 avail = p->len - ETH_HLEN, ihl, tot;
    if (p->type != ETH_TYPE_IPV4)
        return RTR_DROP_NOT_ROUTED;
    if (avail < IP_HLEN || ip[0] >> 4 != 4)
        return RTR_DROP_MALFORMED;
    ihl = (u32)(ip[0] & 0xf) * 4;
    tot = get16(ip + 2);
    if (ihl < IP_HLEN || tot < ihl || tot > avail)
        return RTR_DROP_MALFORMED;
    if (rtr_csum_fold(rtr_csum_add(0, ip, ihl)) != 0)
        return RTR_DROP_MALFORMED;
    /* Options (source routes, router alert) are not forwarded: nothing the
     * habitats' stacks need sends them, and they would have to be checked too. */
    if (ihl != IP_HLEN)
        return RTR_DROP_UNSUPPORTED;
    /* Fragments are dropped: the router translates ports, which only the first
     * fragment carries; lwIP sends whole datagrams up to the MTU. */
    if ((get16(ip + 6) & 0x3fff) != 0)
        return RTR_DROP_UNSUPPORTED;
    p->len = ETH_HLEN + tot;
    p->proto = ip[9];
    p->src = get32(ip + 12);
    p->dst = get32(ip + 16);
    p->l4 = ETH_HLEN + ihl;
    p->l4len = tot - ihl;
    return parse_l4(p);
}

/* The offset of the transport checksum, or 0 when the packet has none to update. */
static u32 l4_csum_off(const struct pkt *p)
{
    switch (p->proto) {
    case RTR_TCP:
        return p->l4 + 16;
    case RTR_UDP:
        return get16(p->f + p->l4 + 6) ? p->l4 + 6 : 0;
    default:
        return p->l4 + 2;
    }
}

void rtr_pkt_rewrite(struct pkt *p, int which, u32 addr, u16 port)
{
    u8 *ip = p->f + ETH_HLEN;
    u32 aoff = which ? 16 : 12, old = get32(ip + aoff), cs = l4_csum_off(p);
    u32 poff = p->proto == RTR_ICMP ? 4 : which ? 2 : 0;
    u16 oldport = get16(p->f + p->l4 + poff);
    put32(ip + aoff, addr);
    csum_replace32(ip + 10, old, addr);
    /* ICMP's checksum covers no pseudo-header: only the id matters to it. */
    if (cs && p->proto != RTR_ICMP)
        csum_replace32(p->f + cs, old, addr);
    put16(p->f + p->l4 + poff, port);
    if (cs)
        rtr_csum_replace16(p->f + cs, oldport, port);
    if (p->proto == RTR_UDP && cs && get16(p->f + cs) == 0)
        put16(p->f + cs, 0xffff);
    if (which)
        p->dst = addr, p->dport = port;
    else
        p->src = addr, p->sport = port;
    if (p->proto == RTR_ICMP)
        p->sport = port, p->dport = 0;
}

void rtr_pkt_ttl(struct pkt *p)
{
    u8 *ip = p->f + ETH_HLEN;
    u16 old = get16(ip + 8);
    ip[8]--;
    rtr_csum_replace16(ip + 10, old, get16(ip + 8));
}

void rtr_pkt_macs(struct pkt *p, const u8 *dst, const u8 *src)
{
    memcpy(p->f, dst, 6);
    memcpy(p->f + 6, src, 6);
}

u32 rtr_arp_build(u8 *out, u32 op, const u8 *sha, u32 spa, const u8 *tha, u32 tpa)
{
    static const u8 bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    u8 *a = out + ETH_HLEN;
    memcpy(out, op == 1 ? bcast : tha, 6);
    memcpy(out + 6, sha, 6);
    put16(out + 12, ETH_TYPE_ARP);
    put16(a, 1);
    put16(a + 2, ETH_TYPE_IPV4);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, sha, 6);
    put32(a + 14, spa);
    if (op == 1)
        memset(a + 18, 0, 6);
    else
        memcpy(a + 18, tha, 6);
    put32(a + 24, tpa);
    /* Pad to the Ethernet minimum (60 bytes without FCS). */
    memset(out + ETH_HLEN + ARP_LEN, 0, 60 - ETH_HLEN - ARP_LEN);
    return 60;
}
