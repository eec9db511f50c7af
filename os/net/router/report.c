/* SPDX-License-Identifier: MIT */
/* rtr state: counters, the report for the state report, and the invariants the fuzzer checks.
 *
 * Every frame a port receives ends in exactly one of forwarded, answered,
 * dropped (by reason) or still queued; rtr_check_invariants checks that sum
 * and that every table and queue is within its configured bound.
 */
#include "rtr_internal.h"

static const char *const drop_names[RTR_DROP_COUNT] = {
        [RTR_DROP_MALFORMED] = "malformed",
        [RTR_DROP_SPOOFED] = "spoofed",
        [RTR_DROP_NOT_ROUTED] = "not_routed",
        [RTR_DROP_UNSUPPORTED] = "unsupported",
        [RTR_DROP_TTL] = "ttl",
        [RTR_DROP_ISOLATION] = "isolation",
        [RTR_DROP_NO_MAPPING] = "no_mapping",
        [RTR_DROP_NAT_FULL] = "nat_full",
        [RTR_DROP_QUEUE_FULL] = "queue_full",
        [RTR_DROP_NO_NEIGHBOUR] = "no_neighbour",
        [RTR_DROP_RECONFIGURED] = "reconfigured",
};

const char *rtr_drop_name(int reason)
{
    return reason >= 0 && reason < RTR_DROP_COUNT ? drop_names[reason] : "?";
}

const struct rtr_counters *rtr_counters(const struct rtr *r, int port)
{
    if (port == RTR_UPLINK)
        return &r->up;
    if (port < 0 || port >= (int)RTR_HABITATS_MAX || !r->cfg.hab[port].used)
        return NULL;
    return &r->hab[port].c;
}

int rtr_slot(const struct rtr *r, const char *name)
{
    for (u32 s = 0; s < RTR_HABITATS_MAX; s++)
        if (r->cfg.hab[s].used && !strcmp(r->cfg.hab[s].name, name))
            return (int)s;
    return -1;
}

kide_u32 rtr_nat_used(const struct rtr *r, int slot)
{
    return slot >= 0 && slot < (int)RTR_HABITATS_MAX ? r->hab[slot].nat_used : 0;
}

kide_u32 rtr_queue_room(const struct rtr *r, int slot)
{
    if (slot < 0 || slot >= (int)RTR_HABITATS_MAX || !r->cfg.hab[slot].used)
        return 0;
    u32 q = r->cfg.hab[slot].queue, n = r->hab[slot].qlen;
    return n < q ? q - n : 0;
}

static void report_port(struct kide_json_writer *w, const struct rtr_counters *c, u32 nat,
                        u32 queued)
{
    kide_json_begin_object(w);
    kide_json_member_u64(w, "rx", c->rx);
    kide_json_member_u64(w, "tx", c->tx);
    kide_json_member_u64(w, "forwarded", c->forwarded);
    kide_json_member_u64(w, "answered", c->answered);
    kide_json_member_u64(w, "nat_entries", nat);
    kide_json_member_u64(w, "queued", queued);
    kide_json_member_object(w, "dropped");
    for (int i = 0; i < RTR_DROP_COUNT; i++)
        kide_json_member_u64(w, drop_names[i], c->drops[i]);
    kide_json_end_object(w);
    kide_json_end_object(w);
}

void rtr_report(const struct rtr *r, struct kide_json_writer *w)
{
    kide_json_begin_object(w);
    kide_json_key(w, "uplink");
    report_port(w, &r->up, 0, 0);
    kide_json_member_object(w, "habitats");
    for (u32 s = 0; s < RTR_HABITATS_MAX; s++) {
        if (!r->cfg.hab[s].used)
            continue;
        kide_json_key(w, r->cfg.hab[s].name);
        report_port(w, &r->hab[s].c, r->hab[s].nat_used, r->hab[s].qlen);
    }
    kide_json_end_object(w);
    kide_json_end_object(w);
}

/* rx = forwarded + answered + drops + queued. */
static _Bool balanced(const struct rtr_counters *c, u32 queued)
{
    u64 sum = c->forwarded + c->answered + queued;
    for (int i = 0; i < RTR_DROP_COUNT; i++)
        sum += c->drops[i];
    return sum == c->rx;
}

static int check_hab(const struct rtr *r, u32 s, const char **why)
{
    const struct rtr_hab *h = &r->hab[s];
    const struct rtr_hab_cfg *hc = &r->cfg.hab[s];
    u32 used = 0;
    for (u32 i = 0; i < RTR_NAT_PER_HAB; i++) {
        const struct rtr_nat *e = &h->nat[i];
        if (!e->used)
            continue;
        used++;
        if (i >= hc->nat_max)
            return *why = "NAT entry beyond nat_max", -1;
        if (!e->fwd && e->out_port != RTR_NAT_PORT_BASE + s * RTR_NAT_PER_HAB + i)
            return *why = "NAT entry outside its habitat's port block", -1;
    }
    if (used != h->nat_used)
        return *why = "nat_used differs from the entries in use", -1;
    if (h->qlen > (hc->used ? hc->queue : 0) || h->qhead >= RTR_QUEUE_MAX)
        return *why = "queue over its bound", -1;
    if (!balanced(&h->c, h->qlen))
        return *why = "habitat counters do not add up", -1;
    return 0;
}

int rtr_check_invariants(const struct rtr *r, const char **why)
{
    if (!balanced(&r->up, 0))
        return *why = "uplink counters do not add up", -1;
    for (u32 s = 0; s < RTR_HABITATS_MAX; s++)
        if (check_hab(r, s, why) < 0)
            return -1;
    return 0;
}
