/* SPDX-License-Identifier: MIT */
/* router component: live rules and the status (live.c). */
#ifndef ROUTER_LIVE_H
#define ROUTER_LIVE_H

#include <kide/component.h>
#include "router.h"

/**
 * Take the configuration live (the child's entry says config_live: true) and
 * guard r with the lock below. hab_of[nsessions] maps the downlink sessions to
 * habitat slots; an update that removes or renames a session's habitat unmaps
 * it (-1). Without config_live the router runs as before (restarted on a
 * change); the log says so.
 */
void router_live_start(struct kide_env *env, struct rtr *r, int *hab_of, unsigned nsessions);
/** The lock around everything that touches r: the main loop holds it for a round,
 *  never while it waits or calls its parent. */
void router_lock(void);
void router_unlock(void);
/** At most once a second (now, ms) and only when the counters changed: publish the
 *  status into the parent's report. Takes the lock itself: call it without. */
void router_live_tick(kide_u64 now);

#endif
