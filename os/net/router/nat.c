/* SPDX-License-Identifier: MIT */
/* rtr NAT: the connection table, one fixed block of entries per habitat.
 *
 * Habitat slot s owns entries 0 .. nat_max-1 of its block, and entry i owns the
 * uplink port (ICMP: echo id) RTR_NAT_PORT_BASE + s * RTR_NAT_PER_HAB + i. A
 * reply therefore finds its entry in O(1) from its destination port, a
 * habitat can exhaust only its own block, and no two habitats ever share an
 * uplink port. An outbound packet finds its entry by a scan of its habitat's
 * block (at most RTR_NAT_PER_HAB compares). Entries made by a port forward
 * keep the forward's port as their uplink port and are found by the same scan.
 * Mappings are endpoint-dependent: a reply must come from the remote address
 * and port the entry was made for.
 *
 * TCP state is what expiry needs and no more: whether the other side
 * answered, a FIN each way, a RST. Invariant: h->nat_used equals the number
 * of used entries in h->nat.
 */
#include "rtr_internal.h"

enum { TCP_REPLIED = 1, TCP_FIN_OUT = 2, TCP_FIN_IN = 4, TCP_RESET = 8 };

struct rtr_nat *rtr_nat_find(struct rtr_hab *h, u32 nmax, u8 proto, u16 in_port, u32 remote,
                             u16 rport)
{
    for (u32 i = 0; i < nmax; i++) {
        struct rtr_nat *e = &h->nat[i];
        if (e->used && e->proto == proto && e->in_port == in_port && e->remote == remote &&
            e->remote_port == rport)
            return e;
    }
    return NULL;
}

_Bool rtr_nat_expired(const struct rtr_nat *e, u64 now)
{
    u64 to;
    if (e->proto == RTR_UDP)
        to = RTR_TO_UDP;
    else if (e->proto == RTR_ICMP)
        to = RTR_TO_ICMP;
    else if ((e->state & TCP_RESET) ||
             (e->state & (TCP_FIN_OUT | TCP_FIN_IN)) == (TCP_FIN_OUT | TCP_FIN_IN))
        to = RTR_TO_TCP_CLOSED;
    else if (!(e->state & TCP_REPLIED) || (e->state & (TCP_FIN_OUT | TCP_FIN_IN)))
        to = RTR_TO_TCP_TRANS;
    else
        to = RTR_TO_TCP_EST;
    /* A clock that went back keeps the entry: now - last would wrap. */
    return now > e->last && now - e->last >= to;
}

void rtr_nat_free(struct rtr_hab *h, struct rtr_nat *e)
{
    if (e->used)
        h->nat_used--;
    memset(e, 0, sizeof(*e));
}

/* The oldest TCP entry nobody answered yet (a SYN flood's), or NULL. */
static struct rtr_nat *unanswered(struct rtr_hab *h, u32 nmax)
{
    struct rtr_nat *v = NULL;
    for (u32 i = 0; i < nmax; i++) {
        struct rtr_nat *e = &h->nat[i];
        if (e->used && e->proto == RTR_TCP && !(e->state & TCP_REPLIED) &&
            (!v || e->last < v->last))
            v = e;
    }
    return v;
}

struct rtr_nat *rtr_nat_alloc(struct rtr_hab *h, u32 nmax, u64 now)
{
    struct rtr_nat *free_ = NULL;
    if (h->nat_used >= nmax) {
        for (u32 i = 0; i < nmax; i++)
            if (h->nat[i].used && rtr_nat_expired(&h->nat[i], now))
                rtr_nat_free(h, &h->nat[i]);
    }
    /* Still full: a connection that never got an answer makes room, so SYNs
     * to a forward cannot hold the habitat's block for RTR_TO_TCP_TRANS. */
    if (h->nat_used >= nmax && (free_ = unanswered(h, nmax)) != NULL) {
        rtr_nat_free(h, free_);
        free_ = NULL;
    }
    for (u32 i = 0; i < nmax && !free_; i++)
        if (!h->nat[i].used)
            free_ = &h->nat[i];
    if (free_) {
        free_->used = 1;
        h->nat_used++;
    }
    return free_;
}

struct rtr_nat *rtr_nat_inbound(struct rtr *r, u8 proto, u16 port, u32 remote, u16 rport, int *slot)
{
    u32 s, i;
    struct rtr_nat *e;
    if (port < RTR_NAT_PORT_BASE || port >= RTR_NAT_PORT_END)
        return NULL;
    s = (port - RTR_NAT_PORT_BASE) / RTR_NAT_PER_HAB;
    i = (port - RTR_NAT_PORT_BASE) % RTR_NAT_PER_HAB;
    if (!r->cfg.hab[s].used || i >= r->cfg.hab[s].nat_max)
        return NULL;
    e = &r->hab[s].nat[i];
    if (!e->used || e->fwd || e->proto != proto || e->remote != remote || e->remote_port != rport)
        return NULL;
    *slot = (int)s;
    return e;
}

void rtr_nat_touch(struct rtr_nat *e, u8 tcp_flags, _Bool outbound, u64 now)
{
    e->last = now;
    if (e->proto != RTR_TCP)
        return;
    /* A new SYN from the opening side reuses a closed entry for a new connection. */
    if ((tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && outbound != (_Bool)e->fwd)
        e->state = 0;
    /* The side that did not open the entry answered: an outbound packet of a
     * forward's entry, an inbound one of the habitat's own connection. */
    if (outbound == (_Bool)e->fwd)
        e->state |= TCP_REPLIED;
    if (tcp_flags & TCP_FIN)
        e->state |= outbound ? TCP_FIN_OUT : TCP_FIN_IN;
    if (tcp_flags & TCP_RST)
        e->state |= TCP_RESET;
}

void rtr_nat_flush(struct rtr_hab *h, u8 proto, u16 fwd_port)
{
    for (u32 i = 0; i < RTR_NAT_PER_HAB; i++) {
        struct rtr_nat *e = &h->nat[i];
        if (e->used && (!fwd_port || (e->fwd && e->proto == proto && e->out_port == fwd_port)))
            rtr_nat_free(h, e);
    }
}
