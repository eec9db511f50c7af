/* SPDX-License-Identifier: MIT */
/* rtr updates: put a parsed candidate configuration into effect.
 *
 * The candidate (parse.c) is compared with the configuration in effect slot
 * by slot and forward by forward; whatever no longer holds is cleaned up
 * before the candidate becomes the configuration: a removed habitat's slot
 * is wiped (counters, entries, queue), a changed habitat loses its NAT
 * entries and its queued frames (counted as dropped: reconfigured), a
 * removed or changed forward loses the entries it made, and a changed
 * uplink loses every entry and the ARP cache (its address is in all of
 * them). Nothing else is touched: an unchanged habitat's connections go on.
 * rtr_update_all is the all-or-nothing variant a parent's live
 * reconfiguration uses: one verdict for the whole document.
 */
#include "config.h"

/* Drop slot s's queued frames, counted. */
static void drop_queue(struct rtr_hab *h)
{
    h->c.drops[RTR_DROP_RECONFIGURED] += h->qlen;
    h->qlen = 0;
    h->qhead = 0;
}

static _Bool forward_kept(const struct rtr_config *n, const struct rtr_forward_cfg *f)
{
    for (u32 i = 0; i < n->nforward; i++)
        if (rtr_fwd_eq(&n->forward[i], f))
            return 1;
    return 0;
}

static void commit(struct rtr *r)
{
    const struct rtr_config *o = &r->cfg, *n = &r->cand;
    _Bool uplink_changed = !rtr_uplink_eq(&o->uplink, &n->uplink);
    for (u32 s = 0; r->configured && s < RTR_HABITATS_MAX; s++) {
        struct rtr_hab *h = &r->hab[s];
        if (!o->hab[s].used)
            continue;
        if (!n->hab[s].used || strcmp(o->hab[s].name, n->hab[s].name)) {
            memset(h, 0, sizeof(*h));
        } else if (uplink_changed || !rtr_hab_eq(&o->hab[s], &n->hab[s]) ||
                   memcmp(o->router_mac, n->router_mac, 6)) {
            rtr_nat_flush(h, 0, 0);
            drop_queue(h);
        }
    }
    for (u32 i = 0; r->configured && i < o->nforward; i++)
        if (!forward_kept(n, &o->forward[i]))
            rtr_nat_flush(&r->hab[o->forward[i].hab], o->forward[i].proto, o->forward[i].port);
    if (uplink_changed)
        memset(r->neigh, 0, sizeof(r->neigh));
    r->cfg = *n;
    r->configured = 1;
}

int rtr_update(struct rtr *r, const char *json, kide_u32 len, kide_u64 now, struct rtr_verdicts *v,
               struct rtr_error *err)
{
    u32 rejected;
    (void)now;
    if (rtr_parse(r, json, len, v, &rejected, err, NULL) < 0)
        return -1;
    commit(r);
    return rejected ? 1 : 0;
}

int rtr_configure(struct rtr *r, const char *json, kide_u32 len, kide_u64 now,
                  struct rtr_error *err)
{
    u32 rejected;
    (void)now;
    if (rtr_parse(r, json, len, NULL, &rejected, err, err) < 0 || rejected)
        return -1;
    commit(r);
    return 0;
}

int rtr_update_all(struct rtr *r, const char *json, kide_u32 len, kide_u64 now,
                   struct rtr_verdicts *v, struct rtr_error *err)
{
    u32 rejected;
    struct rtr_error first;
    (void)now;
    memset(&first, 0, sizeof(first));
    if (rtr_parse(r, json, len, v, &rejected, err, &first) < 0)
        return -1;
    if (rejected) { /* the first rejection names its item (allow[1]: ...) */
        *err = first;
        return -1;
    }
    commit(r);
    return 0;
}
