/* SPDX-License-Identifier: MIT */
/* rtr status: the component's status object and the summary of a live update.
 *
 * rtr_status writes the counters a parent's state report shows for the router
 * (hoitaja's children[].status, KIDE_PARENT_STATUS): per port rx/tx frames and
 * bytes, the drops by reason that are not zero, and per habitat the NAT
 * entries in use and the frames port forwards took in. Compact on purpose:
 * the parent keeps at most KIDE_STATUS_MAX bytes and prints it on the console;
 * rtr_report has the full per-port object. The writer is bounded: habitats
 * that do not fit are left out and counted ("omitted": n), never cut; a buffer
 * too small even for the uplink is an error (the caller publishes nothing).
 */
#include "rtr_internal.h"

static void port_status(struct kide_json_writer *w, const struct rtr_counters *c, _Bool hab,
                        u32 nat)
{
    kide_json_begin_object(w);
    kide_json_member_u64(w, "rx", c->rx);
    kide_json_member_u64(w, "tx", c->tx);
    kide_json_member_u64(w, "rx_bytes", c->rx_bytes);
    kide_json_member_u64(w, "tx_bytes", c->tx_bytes);
    if (hab) {
        kide_json_member_u64(w, "nat", nat);
        kide_json_member_u64(w, "fwd_hits", c->fwd_hits);
    }
    _Bool any = 0;
    for (int i = 0; i < RTR_DROP_COUNT; i++)
        any |= c->drops[i] != 0;
    if (any) {
        kide_json_member_object(w, "drops");
        for (int i = 0; i < RTR_DROP_COUNT; i++)
            if (c->drops[i])
                kide_json_member_u64(w, rtr_drop_name(i), c->drops[i]);
        kide_json_end_object(w);
    }
    kide_json_end_object(w);
}

/* The object with the first `limit` habitats; "omitted": how many more there are. */
static long status_upto(const struct rtr *r, char *buf, kide_u32 size, u32 limit)
{
    struct kide_json_writer w;
    u32 shown = 0, omitted = 0;
    kide_json_writer_init(&w, buf, size);
    kide_json_begin_object(&w);
    kide_json_key(&w, "uplink");
    port_status(&w, &r->up, 0, 0);
    for (u32 s = 0; s < RTR_HABITATS_MAX; s++) {
        if (!r->cfg.hab[s].used)
            continue;
        if (shown == limit) {
            omitted++;
            continue;
        }
        kide_json_key(&w, r->cfg.hab[s].name);
        port_status(&w, &r->hab[s].c, 1, r->hab[s].nat_used);
        shown++;
    }
    if (omitted)
        kide_json_member_u64(&w, "omitted", omitted);
    kide_json_end_object(&w);
    return kide_json_writer_finish(&w);
}

long rtr_status(const struct rtr *r, char *buf, kide_u32 size)
{
    long n = KIDE_JSON_ENOSPC;
    /* As many habitats as fit, in slot order; the rest are counted, never cut. */
    for (int limit = (int)RTR_HABITATS_MAX; limit >= 0 && n == KIDE_JSON_ENOSPC; limit--)
        n = status_upto(r, buf, size, (u32)limit);
    return n;
}

static const char *change_name(u8 change)
{
    switch (change) {
    case RTR_ADDED:
        return "added";
    case RTR_CHANGED:
        return "changed";
    case RTR_REMOVED:
        return "removed";
    default:
        return "unchanged";
    }
}

kide_u32 rtr_verdicts_summary(const struct rtr_verdicts *v, char *buf, kide_u32 size)
{
    u32 n = 0, shown = 0, used = 0;
    if (!size)
        return 0;
    buf[0] = 0;
    for (u32 i = 0; i < v->n; i++)
        n += v->v[i].change != RTR_UNCHANGED;
    for (u32 i = 0; i < v->n; i++) {
        const struct rtr_verdict *x = &v->v[i];
        if (x->change == RTR_UNCHANGED)
            continue;
        char item[128];
        int k = snprintf(item, sizeof(item), "%s%s %s", shown ? ", " : "", x->item,
                         change_name(x->change));
        /* Room for this item and, if more follow, the tail. */
        u32 need = (u32)k + (shown + 1 < n ? 24 : 0);
        if (k < 0 || (u32)k >= sizeof(item) || used + need >= size)
            break;
        memcpy(buf + used, item, (u32)k + 1);
        used += (u32)k;
        shown++;
    }
    if (shown < n && shown)
        snprintf(buf + used, size - used, ", and %u more", n - shown);
    else if (shown < n)
        snprintf(buf, size, "%u changes", n);
    return n;
}
