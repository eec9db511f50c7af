/* SPDX-License-Identifier: MIT */
/* rtr forwarding: frames in from every port, the queues towards the uplink, ARP.
 *
 * A frame from the uplink is translated and handed to its habitat at once. A
 * frame from a habitat is checked (its MAC and IPv4 source must be the
 * habitat's own) and queued; rtr_poll serves the queues round-robin, one frame
 * per non-empty queue in turn, and only then decides where a frame goes (the
 * uplink through NAT, or a sibling an allow rule lets it reach), so a decision
 * always uses the configuration in effect when the frame leaves. A flooding
 * habitat fills its own queue and loses its own frames.
 *
 * The uplink's next hops are resolved by a small ARP cache. The gateway's
 * entry is never evicted, so a habitat sending to many on-link addresses
 * cannot make the others lose the way out. A frame whose next hop is not
 * known yet is dropped (no_neighbour) after one ARP request (at most one per
 * address per RTR_ARP_RETRY ms); TCP and the habitat's stack retry.
 */
#include "rtr_internal.h"

static const u8 bcast_mac[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

void rtr_init(struct rtr *r, rtr_emit_fn emit, void *ctx)
{
    memset(r, 0, sizeof(*r));
    r->emit = emit;
    r->emit_ctx = ctx;
}

static struct rtr_counters *ctr(struct rtr *r, int port)
{
    return port == RTR_UPLINK ? &r->up : &r->hab[port].c;
}

void rtr_send(struct rtr *r, int port, const u8 *f, u32 len)
{
    ctr(r, port)->tx++;
    ctr(r, port)->tx_bytes += len;
    r->sent++;
    if (r->emit)
        r->emit(r->emit_ctx, port, f, len);
}

/* ---- the uplink's ARP cache ------------------------------------------------------ */

static struct rtr_neigh *neigh_find(struct rtr *r, u32 addr)
{
    for (u32 i = 0; i < RTR_NEIGH_MAX; i++)
        if (r->neigh[i].addr == addr && addr)
            return &r->neigh[i];
    return NULL;
}

/* A free entry, else the oldest one that is not the gateway's. */
static struct rtr_neigh *neigh_victim(struct rtr *r)
{
    struct rtr_neigh *v = NULL;
    for (u32 i = 0; i < RTR_NEIGH_MAX; i++) {
        struct rtr_neigh *n = &r->neigh[i];
        if (!n->addr)
            return n;
        if (n->addr != r->cfg.uplink.gateway && (!v || n->when < v->when))
            v = n;
    }
    return v;
}

/* Learn addr's MAC: update an entry, or make one when create is set. */
static void neigh_learn(struct rtr *r, u32 addr, const u8 *mac, u64 now, _Bool create)
{
    struct rtr_neigh *n = neigh_find(r, addr);
    if (!n && create)
        n = neigh_victim(r);
    if (!n || !addr)
        return;
    n->addr = addr;
    n->known = 1;
    memcpy(n->mac, mac, 6);
    n->when = now;
}

/* addr's MAC, or NULL after asking for it (once per RTR_ARP_RETRY). */
static const u8 *neigh_resolve(struct rtr *r, u32 addr, u64 now)
{
    struct rtr_neigh *n = neigh_find(r, addr);
    u32 len;
    if (n && n->known)
        return n->mac;
    if (!n) {
        n = neigh_victim(r);
        if (!n) /* defensive: only the gateway's entry is never a victim */
            return NULL;
        n->addr = addr;
        n->known = 0;
    } else if (now >= n->when && now - n->when < RTR_ARP_RETRY) {
        return NULL;
    }
    n->when = now;
    len = rtr_arp_build(r->out, 1, r->cfg.uplink.mac, r->cfg.uplink.addr, bcast_mac, addr);
    rtr_send(r, RTR_UPLINK, r->out, len);
    return NULL;
}

/* An ARP packet on port: answer a request for the router's address there. */
static int arp_input(struct rtr *r, int port, const struct pkt *p, u64 now)
{
    const u8 *a = p->f + ETH_HLEN;
    const u8 *mac = port == RTR_UPLINK ? r->cfg.uplink.mac : r->cfg.router_mac;
    u32 me = port == RTR_UPLINK ? r->cfg.uplink.addr : r->cfg.hab[port].gateway;
    u32 op, spa, tpa, len;
    u8 sha[6];
    if (p->len < ETH_HLEN + ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_TYPE_IPV4 ||
        a[4] != 6 || a[5] != 4)
        return RTR_DROP_MALFORMED;
    op = get16(a + 6);
    memcpy(sha, a + 8, 6);
    spa = get32(a + 14);
    tpa = get32(a + 24);
    if ((op != 1 && op != 2) || (sha[0] & 1))
        return RTR_DROP_MALFORMED;
    if (port != RTR_UPLINK &&
        (memcmp(sha, r->cfg.hab[port].mac, 6) || (spa != r->cfg.hab[port].addr && spa != 0)))
        return RTR_DROP_SPOOFED;
    if (port == RTR_UPLINK && spa != me)
        neigh_learn(r, spa, sha, now, tpa == me);
    if (tpa != me || (op == 1 && !spa))
        return RTR_DROP_NOT_ROUTED;
    if (op == 1) {
        len = rtr_arp_build(r->out, 2, mac, me, sha, spa);
        rtr_send(r, port, r->out, len);
    }
    return RTR_ANSWERED;
}

/* ---- from the uplink ------------------------------------------------------------- */

/* Whether a is no remote host's address: this network (0/8), loopback, multicast and
 * above, the uplink's own, its network's or its broadcast address. */
static _Bool special(const struct rtr *r, u32 a)
{
    const struct rtr_uplink_cfg *up = &r->cfg.uplink;
    u32 host = a & ~rtr_mask(up->prefix);
    return a >> 24 == 0 || a >> 24 == 127 || a >> 28 >= 0xe || a == up->addr ||
           (rtr_in_net(a, up->addr, up->prefix) && (host == 0 || host == ~rtr_mask(up->prefix)));
}

/* The slot whose network holds a, or -1. */
static int habitat_of(const struct rtr *r, u32 a)
{
    for (u32 t = 0; t < RTR_HABITATS_MAX; t++)
        if (r->cfg.hab[t].used && rtr_in_net(a, r->cfg.hab[t].addr, r->cfg.hab[t].prefix))
            return (int)t;
    return -1;
}

/* The entry of a packet to a port forward, made on a connection's first packet. */
static struct rtr_nat *forward_in(struct rtr *r, const struct pkt *p, u64 now, int *slot, int *why)
{
    const struct rtr_forward_cfg *fw = NULL;
    struct rtr_nat *e;
    u32 nmax;
    for (u32 i = 0; i < r->cfg.nforward && !fw; i++)
        if (r->cfg.forward[i].proto == p->proto && r->cfg.forward[i].port == p->dport)
            fw = &r->cfg.forward[i];
    *why = RTR_DROP_NO_MAPPING;
    if (!fw)
        return NULL;
    nmax = r->cfg.hab[fw->hab].nat_max;
    e = rtr_nat_find(&r->hab[fw->hab], nmax, p->proto, fw->to_port, p->src, p->sport);
    /* The habitat's own connection from to_port to this remote: replies could
     * not be told apart, so the forward yields. */
    if (e && !e->fwd)
        return NULL;
    if (!e) {
        if (p->proto == RTR_TCP && (p->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
            return NULL;
        e = rtr_nat_alloc(&r->hab[fw->hab], nmax, now);
        if (!e) {
            *why = RTR_DROP_NAT_FULL;
            return NULL;
        }
        e->proto = p->proto;
        e->fwd = 1;
        e->in_port = fw->to_port;
        e->out_port = fw->port;
        e->remote = p->src;
        e->remote_port = p->sport;
    }
    *slot = fw->hab;
    r->hab[fw->hab].c.fwd_hits++;
    return e;
}

static int uplink_input(struct rtr *r, struct pkt *p, u64 now)
{
    struct rtr_nat *e;
    int rc, slot = -1;
    _Bool bcast = !memcmp(p->f, bcast_mac, 6);
    if (!bcast && memcmp(p->f, r->cfg.uplink.mac, 6))
        return RTR_DROP_NOT_ROUTED;
    if (p->type == ETH_TYPE_ARP)
        return arp_input(r, RTR_UPLINK, p, now);
    if (bcast)
        return RTR_DROP_NOT_ROUTED;
    rc = rtr_pkt_ip(p);
    if (rc != RTR_OK)
        return rc;
    if (p->dst != r->cfg.uplink.addr)
        return RTR_DROP_NOT_ROUTED;
    /* From outside, nothing may claim to come from a habitat or the router. */
    if (special(r, p->src) || habitat_of(r, p->src) >= 0)
        return RTR_DROP_SPOOFED;
    if (p->proto == RTR_ICMP) {
        if (p->icmp_type != ICMP_ECHO_REPLY)
            return RTR_DROP_UNSUPPORTED;
        e = rtr_nat_inbound(r, RTR_ICMP, p->sport, p->src, 0, &slot);
        rc = RTR_DROP_NO_MAPPING;
    } else {
        e = rtr_nat_inbound(r, p->proto, p->dport, p->src, p->sport, &slot);
        if (!e && p->f[ETH_HLEN + 8] > 1)
            e = forward_in(r, p, now, &slot, &rc);
    }
    if (p->f[ETH_HLEN + 8] <= 1)
        return RTR_DROP_TTL;
    if (!e)
        return rc;
    rtr_nat_touch(e, p->flags, 0, now);
    rtr_pkt_rewrite(p, 1, r->cfg.hab[slot].addr, e->in_port);
    rtr_pkt_ttl(p);
    rtr_pkt_macs(p, r->cfg.hab[slot].mac, r->cfg.router_mac);
    rtr_send(r, slot, p->f, p->len);
    return RTR_FORWARDED;
}

/* ---- from a habitat ---------------------------------------------------------------- */

static int enqueue(struct rtr *r, int slot, const struct pkt *p)
{
    struct rtr_hab *h = &r->hab[slot];
    struct rtr_qframe *q;
    if (h->qlen >= r->cfg.hab[slot].queue)
        return RTR_DROP_QUEUE_FULL;
    q = &h->q[(h->qhead + h->qlen) % RTR_QUEUE_MAX];
    memcpy(q->data, p->f, p->len);
    q->len = (u16)p->len;
    h->qlen++;
    return RTR_QUEUED;
}

static int hab_input(struct rtr *r, int slot, struct pkt *p, u64 now)
{
    const struct rtr_hab_cfg *hc = &r->cfg.hab[slot];
    _Bool bcast = !memcmp(p->f, bcast_mac, 6);
    int rc;
    if (memcmp(p->f + 6, hc->mac, 6))
        return RTR_DROP_SPOOFED;
    if (!bcast && memcmp(p->f, r->cfg.router_mac, 6))
        return RTR_DROP_NOT_ROUTED;
    if (p->type == ETH_TYPE_ARP)
        return arp_input(r, slot, p, now);
    rc = rtr_pkt_ip(p);
    if (rc != RTR_OK)
        return rc;
    if (rtr_dhcp_is(p))
        return hc->dhcp ? rtr_dhcp_input(r, slot, p) : RTR_DROP_NOT_ROUTED;
    if (p->src != hc->addr)
        return RTR_DROP_SPOOFED;
    if (bcast)
        return RTR_DROP_NOT_ROUTED;
    return enqueue(r, slot, p);
}

int rtr_input(struct rtr *r, int port, const u8 *frame, u32 len, u64 now)
{
    struct rtr_counters *c;
    struct pkt p;
    int rc;
    if (port != RTR_UPLINK && (port < 0 || port >= (int)RTR_HABITATS_MAX || !r->cfg.hab[port].used))
        return -1;
    if (!r->configured)
        return -1;
    c = ctr(r, port);
    c->rx++;
    c->rx_bytes += len;
    if (len < ETH_HLEN || len > RTR_FRAME_MAX) {
        rc = RTR_DROP_MALFORMED;
    } else {
        memcpy(r->in, frame, len);
        (void)rtr_pkt_eth(&p, r->in, len);
        rc = port == RTR_UPLINK ? uplink_input(r, &p, now) : hab_input(r, port, &p, now);
    }
    if (rc == RTR_FORWARDED)
        c->forwarded++;
    else if (rc == RTR_ANSWERED)
        c->answered++;
    else if (rc >= 0 && rc < RTR_DROP_COUNT)
        c->drops[rc]++;
    return 0;
}

/* ---- towards the uplink and siblings --------------------------------------------- */

/* Whether an allow rule lets slot s send p to slot t, or t answer s with p. */
static _Bool allowed(const struct rtr *r, u32 s, u32 t, const struct pkt *p)
{
    for (u32 i = 0; i < r->cfg.nrule; i++) {
        const struct rtr_rule_cfg *ru = &r->cfg.rule[i];
        if (ru->proto != RTR_ANY && ru->proto != p->proto)
            continue;
        if (p->proto == RTR_ICMP) {
            if ((ru->from == s && ru->to == t && p->icmp_type == ICMP_ECHO) ||
                (ru->from == t && ru->to == s && p->icmp_type == ICMP_ECHO_REPLY))
                return 1;
            continue;
        }
        if (ru->from == s && ru->to == t && (!ru->port || ru->port == p->dport))
            return 1;
        if (ru->from == t && ru->to == s && (!ru->port || ru->port == p->sport))
            return 1;
    }
    return 0;
}

static int to_sibling(struct rtr *r, u32 s, u32 t, struct pkt *p)
{
    if (!allowed(r, s, t, p))
        return RTR_DROP_ISOLATION;
    if (p->dst != r->cfg.hab[t].addr)
        return RTR_DROP_NOT_ROUTED;
    rtr_pkt_ttl(p);
    rtr_pkt_macs(p, r->cfg.hab[t].mac, r->cfg.router_mac);
    rtr_send(r, (int)t, p->f, p->len);
    return RTR_FORWARDED;
}

static int to_uplink(struct rtr *r, u32 s, struct pkt *p, u64 now)
{
    const struct rtr_uplink_cfg *up = &r->cfg.uplink;
    struct rtr_hab *h = &r->hab[s];
    u32 nmax = r->cfg.hab[s].nat_max;
    u16 rport = p->proto == RTR_ICMP ? 0 : p->dport;
    u32 hop = rtr_in_net(p->dst, up->addr, up->prefix) ? p->dst : up->gateway;
    struct rtr_nat *e = rtr_nat_find(h, nmax, p->proto, p->sport, p->dst, rport);
    const u8 *mac;
    if (!e && p->proto == RTR_ICMP && p->icmp_type != ICMP_ECHO)
        return RTR_DROP_UNSUPPORTED;
    if (!e && p->proto == RTR_TCP && (p->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_SYN)
        return RTR_DROP_NO_MAPPING;
    mac = neigh_resolve(r, hop, now);
    if (!mac)
        return RTR_DROP_NO_NEIGHBOUR;
    if (!e) {
        e = rtr_nat_alloc(h, nmax, now);
        if (!e)
            return RTR_DROP_NAT_FULL;
        e->proto = p->proto;
        e->in_port = p->sport;
        e->out_port = (u16)(RTR_NAT_PORT_BASE + s * RTR_NAT_PER_HAB + (u32)(e - h->nat));
        e->remote = p->dst;
        e->remote_port = rport;
    }
    rtr_nat_touch(e, p->flags, 1, now);
    rtr_pkt_rewrite(p, 0, up->addr, e->out_port);
    rtr_pkt_ttl(p);
    rtr_pkt_macs(p, mac, up->mac);
    rtr_send(r, RTR_UPLINK, p->f, p->len);
    return RTR_FORWARDED;
}

/* Where a queued frame of slot s goes: decided when it leaves. */
static int route_out(struct rtr *r, u32 s, u8 *f, u32 len, u64 now)
{
    const struct rtr_hab_cfg *hc = &r->cfg.hab[s];
    struct pkt p;
    int rc, t;
    if (rtr_pkt_eth(&p, f, len) < 0)
        return RTR_DROP_MALFORMED;
    rc = rtr_pkt_ip(&p);
    if (rc != RTR_OK)
        return rc;
    if (f[ETH_HLEN + 8] <= 1)
        return RTR_DROP_TTL;
    if (rtr_in_net(p.dst, hc->addr, hc->prefix) || special(r, p.dst))
        return RTR_DROP_NOT_ROUTED;
    t = habitat_of(r, p.dst);
    return t >= 0 ? to_sibling(r, s, (u32)t, &p) : to_uplink(r, s, &p, now);
}

kide_u32 rtr_poll(struct rtr *r, kide_u64 now, kide_u32 budget)
{
    u64 start = r->sent;
    u32 idle = 0;
    if (!r->configured || !budget)
        return 0;
    (void)neigh_resolve(r, r->cfg.uplink.gateway, now);
    /* Every frame sent counts, the ARP requests of unresolved next hops too:
     * the caller's ring has room for budget frames. */
    while (r->sent - start < budget && idle < RTR_HABITATS_MAX) {
        u32 s = r->rr;
        struct rtr_hab *h = &r->hab[s];
        struct rtr_qframe *q;
        int rc;
        r->rr = (s + 1) % RTR_HABITATS_MAX;
        if (!r->cfg.hab[s].used || !h->qlen) {
            idle++;
            continue;
        }
        idle = 0;
        q = &h->q[h->qhead];
        h->qhead = (h->qhead + 1) % RTR_QUEUE_MAX;
        h->qlen--;
        rc = route_out(r, s, q->data, q->len, now);
        if (rc == RTR_FORWARDED)
            h->c.forwarded++;
        else if (rc >= 0 && rc < RTR_DROP_COUNT)
            h->c.drops[rc]++;
    }
    return (u32)(r->sent - start);
}

kide_u32 rtr_expire(struct rtr *r, kide_u64 now)
{
    u32 n = 0;
    for (u32 s = 0; s < RTR_HABITATS_MAX; s++)
        for (u32 i = 0; i < RTR_NAT_PER_HAB; i++)
            if (r->hab[s].nat[i].used && rtr_nat_expired(&r->hab[s].nat[i], now)) {
                rtr_nat_free(&r->hab[s], &r->hab[s].nat[i]);
                n++;
            }
    return n;
}
