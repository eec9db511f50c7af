/* SPDX-License-Identifier: MIT */
/* Starts of `pkg:` children asked for by the main thread (decision 0022).
 *
 * Starting a `pkg:` child calls its package store (a sibling, a tenant's
 * component) many times: a session open, OPEN, READ per chunk (pkgload.c).
 * Each call has a deadline (calls.c) that only the main thread polices, so
 * the main thread must never make one: while it waits nobody would time it
 * out, and a store that never answers would stop the habitat's supervision
 * (exits, faults, restarts, heartbeats, reports).
 *
 * So the main thread only asks (hj_pkg_start_ask: the boot start and every
 * restart by the policy): it marks the child waiting (state restarting,
 * pkg_due_ns = the time by which the start must be taken) and ups the
 * store's signal semaphore. The store's runtime answers a signal with
 * KIDE_PARENT_PENDING on its parent portal; the handler EC that serves it,
 * on the store's CPU (where a sibling session to it must be made anyway),
 * runs the start (hj_pkg_start_pending), each call into the store with the
 * deadline the main thread polices. A store that misses it is faulted
 * ("session call timed out") and restarted by its policy; the start fails
 * with the reason and is tried again by the child's policy.
 *
 * Invariants (which thread may block on what):
 *  - the main thread never calls a child's portal, here neither: it only
 *    signals the store (core) and checks the waiting children's due time;
 *  - a handler EC calls the store only from the store's own PENDING call,
 *    so the store's work is done on the store's time, and a store that never
 *    asks gets nothing started: the main thread fails the waiting start at
 *    pkg_due_ns ("did not take the start") and the policy tries again;
 *  - pkg_due_ns != 0 only while the slot waits (state restarting, no
 *    account); hj_child_start and hj_child_stop clear it, so a start or stop
 *    from an apply or the management session meanwhile wins and the store's
 *    next PENDING finds nothing.
 * Callers hold hj.lock.
 */
#include "glue.h"

#include <kide/pkg.h>
#include <kide/sys.h>

#define MS 1000000ull

/* The sibling slot child s's Pkg route names, or NULL (why says so). */
static struct hj_slot *store_of(struct hj_slot *s, char *why, kide_u64 size)
{
    const char *pkg = s->cfg.binary + 4; /* after "pkg:" (hj_binary_check) */
    const struct hj_route *r = hj_route_find(&s->cfg, KIDE_PKG_SERVICE);
    if (!r || r->to != HJ_TO_CHILD) {
        hj_snprintf(why, size,
                    "package %s: route service Pkg to the sibling that keeps the store "
                    "(to: child)",
                    pkg);
        return NULL;
    }
    int i = hj_config_find(&hj.cfg, r->child);
    struct hj_slot *st = i >= 0 ? hj.slot[i] : NULL;
    int up = st && st->live && st->state == HJ_ST_RUNNING;
    for (unsigned k = 0; up && k < st->nannounced; k++)
        if (!strcmp(st->announced[k].service, KIDE_PKG_SERVICE))
            return st;
    hj_snprintf(why, size,
                "package %s: no Pkg session at '%s': %s (not running, or Pkg not "
                "announced yet)",
                pkg, r->child, hj_status_name(KIDE_NOT_FOUND));
    return NULL;
}

/* The start ran (handler EC): say how it went, as the main thread would have.
 * overtaken: an apply or an operator stopped or started s meanwhile (the lock
 * was released), so its policy does not restart it: whoever did decides. */
static void started(struct hj_slot *s, int st, const char *why, int overtaken)
{
    if (st != KIDE_OK && overtaken) {
        hj_say("child %s: start failed: %s", s->cfg.name, why);
        return;
    }
    if (st != KIDE_OK) {
        hj_child_start_failed(s, why, kide_now_ns());
        return;
    }
    hj_say("child %s: started", s->cfg.name);
    /* restarts counts the tries after the boot one (hj_child_timers) */
    if (s->restarts)
        hj_event(KIDE_EV_RESTARTED, s->cfg.name, s->restarts, 0);
    else
        hj_event(KIDE_EV_STARTED, s->cfg.name, 0, 0);
}

void hj_pkg_start_ask(struct hj_slot *s, kide_u64 now)
{
    char why[160];
    struct hj_slot *store = store_of(s, why, sizeof(why));
    if (!store) {
        s->state = HJ_ST_STOPPED; /* as a failed hj_child_start leaves it; the policy decides */
        hj_child_start_failed(s, why, now);
        return;
    }
    s->state = HJ_ST_RESTARTING;
    s->restart_at_ns = ~0ull; /* the due time below ends the wait, not the restart timer */
    s->pkg_due_ns = now + HJ_PKG_TAKE_MS * MS;
    struct kide_core_chan ch = hj_own_chan(store);
    kide_own_signal(&ch);
}

kide_u64 hj_pkg_start_due(struct hj_slot *s, kide_u64 now)
{
    if (!s->pkg_due_ns)
        return ~0ull;
    if (now < s->pkg_due_ns)
        return s->pkg_due_ns;
    char why[160];
    s->pkg_due_ns = 0;
    s->state = HJ_ST_STOPPED; /* as a failed hj_child_start leaves it; the policy decides */
    hj_snprintf(why, sizeof(why),
                "package %s: the store did not take the start within %u ms (it answered no "
                "signal: is its main thread serving?)",
                s->cfg.binary + 4, HJ_PKG_TAKE_MS);
    hj_child_start_failed(s, why, now);
    return s->state == HJ_ST_RESTARTING ? s->restart_at_ns : ~0ull;
}

void hj_pkg_start_pending(struct hj_slot *store)
{
    char why[160];
    /* The lock is released in every start: re-read the table each round. A
     * slot is taken once (pkg_due_ns cleared first), and one removed
     * meanwhile stays allocated while its start's calls name it. */
    for (unsigned i = 0; i < hj.cfg.nchildren && store->live; i++) {
        struct hj_slot *s = hj.slot[i];
        if (!s || s->removed || !s->pkg_due_ns || s->state != HJ_ST_RESTARTING)
            continue;
        const struct hj_route *r = hj_route_find(&s->cfg, KIDE_PKG_SERVICE);
        if (!r || r->to != HJ_TO_CHILD || strcmp(r->child, store->cfg.name))
            continue;
        s->pkg_due_ns = 0;
        /* A start bumps epoch once, its failure's stop once more: anything
         * else means someone else stopped or started s meanwhile. */
        kide_u64 epoch = s->epoch;
        int st = hj_child_start(s, why, sizeof(why));
        started(s, st, why, s->epoch != epoch + (st == KIDE_OK ? 1 : 2));
    }
}
