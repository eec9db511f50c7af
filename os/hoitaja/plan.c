/* SPDX-License-Identifier: MIT */
/* hoitaja reconfiguration plan: the differential between running and new configuration.
 *
 * Each child of either configuration is classified by comparing its fields:
 * what core can change in place (RAM and caps quota, CPU quota and
 * priority) and what only hoitaja keeps (restart policy, back-off,
 * heartbeat) is an update; anything the running program was built from
 * (binary, args, routes, provides, devices, config, habitat) or where it runs
 * (cpu.affinity, ram_node) needs a restart: core grants the device right and
 * sets the CPU only before START, and a RAM node applies to pages yet to come,
 * so only a fresh load puts all of the child there. A child that takes its
 * configuration live (config_live on both sides) gets a changed `config` as an
 * update (HJ_UPD_CONFIG) when nothing else forces a restart. The steps come
 * out in the order that frees quota before it is needed: removals, updates
 * that shrink, restarts (their old account goes first), other updates,
 * additions. Pure: no allocation, O(n^2) name lookups over at most 256+256.
 */
#include "hoitaja.h"

static int same_provides(const struct hj_child_cfg *a, const struct hj_child_cfg *b)
{
    if (a->nprovides != b->nprovides)
        return 0;
    /* The order of `provides` means nothing: compare as sets (both are duplicate-free). */
    for (kide_u32 i = 0; i < a->nprovides; i++)
        if (!hj_provides(b, a->provides[i]))
            return 0;
    return 1;
}

static int same_routes(const struct hj_child_cfg *a, const struct hj_child_cfg *b)
{
    if (a->nroutes != b->nroutes)
        return 0;
    /* First match wins, so the order matters. */
    for (kide_u32 i = 0; i < a->nroutes; i++) {
        const struct hj_route *x = &a->routes[i], *y = &b->routes[i];
        if (x->to != y->to || strcmp(x->service, y->service) || strcmp(x->child, y->child))
            return 0;
    }
    return 1;
}

static int same_text(const char *a, kide_u32 alen, const char *b, kide_u32 blen)
{
    if (!a || !b)
        return a == b;
    return alen == blen && !memcmp(a, b, alen);
}

static void classify(const struct hj_child_cfg *a, const struct hj_child_cfg *b, struct hj_step *s)
{
    if (strcmp(a->binary, b->binary) || a->devices != b->devices || a->platform != b->platform ||
        a->affinity != b->affinity || a->has_ram_node != b->has_ram_node ||
        a->ram_node != b->ram_node || strcmp(a->args, b->args) || !same_routes(a, b) ||
        !same_provides(a, b) || a->config_live != b->config_live ||
        (!a->config_live && !same_text(a->config, a->config_len, b->config, b->config_len)) ||
        !same_text(a->habitat, a->habitat_len, b->habitat, b->habitat_len)) {
        s->act = HJ_ACT_RESTART;
        return;
    }
    s->upd = 0;
    /* A config_live child takes a new `config` while it runs (mgmt.c, live.c). */
    if (!same_text(a->config, a->config_len, b->config, b->config_len))
        s->upd |= HJ_UPD_CONFIG;
    if (a->ram != b->ram)
        s->upd |= HJ_UPD_RAM;
    if (a->caps != b->caps)
        s->upd |= HJ_UPD_CAPS;
    if (a->cpu_quota != b->cpu_quota || a->priority != b->priority)
        s->upd |= HJ_UPD_CPU;
    if (a->policy != b->policy || a->backoff_ms != b->backoff_ms ||
        a->max_backoff_ms != b->max_backoff_ms || a->heartbeat_ms != b->heartbeat_ms)
        s->upd |= HJ_UPD_POLICY;
    s->act = s->upd ? HJ_ACT_UPDATE : HJ_ACT_NONE;
}

/* Execution group of a step: lower runs first. */
static int group(const struct hj_step *s, const struct hj_config *cur, const struct hj_config *next)
{
    switch (s->act) {
    case HJ_ACT_REMOVE:
        return 0;
    case HJ_ACT_UPDATE: {
        const struct hj_child_cfg *a = &cur->child[s->old_idx], *b = &next->child[s->new_idx];
        /* Shrinking first frees quota (RAM, caps, and the CPU percent that
         * core sums per CPU) for the growing ones; an update that grows any of
         * them waits with the others. */
        int shrinks = b->ram < a->ram || b->caps < a->caps || b->cpu_quota < a->cpu_quota;
        int grows = b->ram > a->ram || b->caps > a->caps || b->cpu_quota > a->cpu_quota;
        return shrinks && !grows ? 1 : 3;
    }
    case HJ_ACT_RESTART:
        return 2;
    default:
        return 4;
    }
}

int hj_plan(const struct hj_config *cur, const struct hj_config *next, struct hj_step *steps)
{
    struct hj_step s;
    int n = 0;
    /* Emit group by group; inside a group, the configuration's own order. */
    for (int g = 0; g <= 4; g++) {
        for (kide_u32 i = 0; g == 0 && i < cur->nchildren; i++)
            if (hj_config_find(next, cur->child[i].name) < 0)
                steps[n++] = (struct hj_step){HJ_ACT_REMOVE, 0, (int)i, -1};
        for (kide_u32 j = 0; g > 0 && j < next->nchildren; j++) {
            int i = hj_config_find(cur, next->child[j].name);
            s = (struct hj_step){HJ_ACT_ADD, 0, i, (int)j};
            if (i >= 0)
                classify(&cur->child[i], &next->child[j], &s);
            if (s.act != HJ_ACT_NONE && group(&s, cur, next) == g)
                steps[n++] = s;
        }
    }
    return n;
}

const char *hj_act_result(kide_u8 act)
{
    switch (act) {
    case HJ_ACT_ADD:
        return "added";
    case HJ_ACT_REMOVE:
        return "removed";
    case HJ_ACT_RESTART:
        return "restarted";
    case HJ_ACT_UPDATE:
        return "applied";
    default:
        return "unchanged";
    }
}
