/* SPDX-License-Identifier: MIT */
/* backend_mgmt.h: the backend over hoitaja's management session (Kide only). */
#ifndef KAGENT_BACKEND_MGMT_H
#define KAGENT_BACKEND_MGMT_H

#include <kide/component.h>
#include <kide/mgmt_client.h>

#include "kagent.h"

struct kagent_mgmt {
    struct kide_session session; /**< "Hoitaja", routed to the habitat's hoitaja */
    kide_sel pt;
    char why[160];                   /**< the last failure, for error messages */
    struct kide_mgmt_events_rep ev;  /**< one EVENTS reply (2.7 KiB, not on the stack) */
    struct kide_mgmt_config_rep cfg; /**< one CONFIG reply */
    struct kide_mgmt_logs_rep logs;  /**< one LOGS reply */
};

/** Open the management session and fill be. KIDE_OK or the session's status. */
int kagent_mgmt_open(struct kide_env *env, struct kagent_mgmt *m, struct kagent_backend *be);
/** Subscribe to events: *sm is the semaphore hoitaja ups once per event. */
int kagent_mgmt_subscribe(struct kide_env *env, struct kagent_mgmt *m, kide_sel *sm);

#endif
