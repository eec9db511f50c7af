/* SPDX-License-Identifier: MIT */
/* os/lib/nic: the server side of NIC sessions (<kide/nic.h>) for components.
 *
 * nic_server_start announces "Nic"; the runtime's handler EC then opens,
 * serves and closes sessions (the rings are allocated from the RAM the
 * client donated, the client semaphore is the session's, the server
 * semaphore is one for all sessions). The component's main loop moves the
 * frames: nic_server_begin locks the table and hands out the ports (one
 * struct nic_port per session slot, `used` when live), nic_server_end
 * publishes what moved and wakes each client at most once, and
 * nic_server_wait sleeps until a client produced or freed something (and,
 * with nic_server_wait_also, until the component's own NIC client session
 * has news: a router's uplink). One server per component (the state is
 * static).
 */
#ifndef NIC_SERVER_H
#define NIC_SERVER_H

#include <kide/component.h>
#include "nic_client.h"
#include "nic_port.h"

#define NIC_SESSIONS_MAX 8 /**< sessions at once */

struct nic_server_cfg {
    const char *name;    /**< log prefix ("virtio-net") */
    kide_u8 mac[6];      /**< the MAC told to clients (KIDE_NIC_INFO) */
    int mac_per_session; /**< 1: session slot i gets mac with i xor-ed into its last byte */
    int link_up;         /**< the link at start */
    unsigned sessions;   /**< sessions at once, 1..NIC_SESSIONS_MAX (0: the maximum) */
    /** Optional admission by label (the router: one session per configured habitat).
     *  Called by the handler EC with the table locked, before anything is
     *  allocated, with the slot the session would get and the ports (to see
     *  which are live); -> KIDE_OK with the session's MAC in mac, or the status
     *  the open is refused with. NULL: every session is admitted. */
    int (*admit)(void *ctx, const char *label, unsigned slot, const struct nic_port *ports,
                 kide_u8 mac[6]);
    void *admit_ctx; /**< admit's first argument */
    /** The server semaphore, or 0 to create one. A component whose main loop has
     *  another event source that ups a semaphore of its own (the virtio-net driver:
     *  its interrupt semaphore) gives it here, so that one wait sees both. It must
     *  carry SM_DOWN and SM_UP (clients get it with SM_UP only); it stays the
     *  component's. */
    kide_sel sm;
};

/** Announce "Nic" serving `cfg` (copied). -> KIDE_OK or why not. */
int nic_server_start(struct kide_env *env, const struct nic_server_cfg *cfg);
/** Lock the session table for one round of the data path; -> the ports
 *  (NIC_SESSIONS_MAX of them; only `used` ones are live). */
struct nic_port *nic_server_begin(void);
/** Within a round: the link is now `up`; every session is told. */
void nic_server_link(int up);
/** End the round: publish every live port, wake its client if it waits, unlock. */
void nic_server_end(void);
/** The server semaphore (cfg.sm or the one created): what the component's own NIC
 *  client sessions are told to up (nic_client_notify), so nic_server_wait_also sees
 *  them too. */
kide_sel nic_server_sm(void);
/** Sleep until a client produced tx frames or freed rx slots, at most until
 *  `deadline_ns` (kernel clock). `rx_waits`: bit i set when the caller holds a frame
 *  for port i whose rx ring is full (then freed rx slots wake it too).
 *  -> KIDE_OK | KIDE_TIMEOUT. Not within a round. */
int nic_server_wait(kide_u64 deadline_ns, unsigned rx_waits);
/** As nic_server_wait, and also until `also` (a NIC client session of this component
 *  that was given nic_server_sm() with nic_client_notify) received a frame, freed tx
 *  space while its tx ring was full, or saw a link change. NULL: as nic_server_wait.
 *  Its rings are not touched after the sleep (their server may have gone meanwhile):
 *  the caller calls nic_client_wait_done(also) after its next nic_client_check. */
int nic_server_wait_also(kide_u64 deadline_ns, unsigned rx_waits, struct nic_client *also);

#endif
