/* SPDX-License-Identifier: MIT */
/* os/lib/nic: the client side of a NIC session (<kide/nic.h>) for components.
 *
 * nic_client_open opens the session through the parent, donating the RAM
 * both rings need, attaches the two rings the server shares and fetches the
 * two semaphores; after that no call goes to the server: frames go through
 * the rings, wake-ups through the semaphores, one per batch at most.
 * Single-threaded per session: one thread sends and receives (or one sends
 * and another receives, each ring having one producer and one consumer).
 *
 * A server that goes away (it faulted, was restarted or removed) takes the
 * rings with it: they are its pages, revoked with its account, and touching
 * them then faults the client. So the client asks before it touches:
 * nic_client_check calls the server (KIDE_NIC_INFO, no lock there) and a
 * status that says the server is gone (ABORTED: its threads are stopped,
 * which core does before it frees the pages; BAD_CAP: the portal is revoked)
 * marks the session lost. A lost session touches nothing any more: the data
 * calls return NIC_RING_BROKEN or nothing, nic_client_wait returns at once.
 * The owner then closes it (nic_client_close; the parent's close of a
 * session whose server is gone is harmless) and re-opens with
 * nic_client_reopen on nic_retry's back-off. Residual race: a check passes,
 * the server is stopped and its pages freed, and only then does the client
 * touch the ring (it was preempted in between for the whole teardown);
 * docs/network.md, "Restarts".
 */
#ifndef NIC_CLIENT_H
#define NIC_CLIENT_H

#include <kide/component.h>
#include "nic_retry.h"
#include "nic_ring.h"

struct nic_client {
    struct kide_session session;   /**< the "Nic" session */
    struct kide_nic_info_rep info; /**< MAC, link at open, MTU, geometry */
    struct nic_ring tx;            /**< producer side */
    struct nic_ring rx;            /**< consumer side */
    void *tx_mem, *rx_mem;         /**< the attached rings */
    kide_u64 window;               /**< pages reserved for each attachment */
    kide_sel server_sm;            /**< SM_UP: wake the server */
    kide_sel client_sm;            /**< SM_DOWN: woken by the server */
    kide_u32 link_gen;             /**< the rx header's link_gen last seen */
    int lost;                      /**< 1: the server is gone; the rings are never touched again */
    kide_sel notify_sm; /**< the caller's own semaphore given by nic_client_notify (0: none);
                         *  nic_client_reopen gives it to the new server again */
};

/** Open a NIC session with `slots` per ring (0: the default), attach both rings,
 *  get both semaphores. -> KIDE_OK | the parent's or the server's status
 *  (KIDE_QUOTA: not enough RAM to donate) | KIDE_BAD_PARAM (the server's answer
 *  does not fit the protocol: geometry out of range, too few pages shared). */
int nic_client_open(struct kide_env *env, struct nic_client *c, kide_u32 slots);
/** Close the session; the rings and semaphores go with it. A closed (zeroed)
 *  client counts as lost: the data calls below touch nothing. Only the caller's
 *  notification semaphore (nic_client_notify) is remembered, for nic_client_reopen. */
void nic_client_close(struct kide_env *env, struct nic_client *c);

/** Ask the server whether it is still there (one call, KIDE_NIC_INFO) before
 *  touching the rings. -> KIDE_OK | the status that says it is gone (the
 *  session is then lost: see nic_client_lost). A closed session is lost. */
int nic_client_check(struct nic_client *c);
/** 1 when the session is lost (a check or a wait found the server gone) or closed. */
int nic_client_lost(const struct nic_client *c);
/** Close c (lost or not) and open a fresh session, if r says an attempt is due.
 *  -> KIDE_OK (c is open; r is reset) | KIDE_BUSY (not due yet: nothing done) |
 *  nic_client_open's status (r schedules the next attempt). */
int nic_client_reopen(struct kide_env *env, struct nic_client *c, kide_u32 slots,
                      struct nic_retry *r);

/** Queue a frame (copied). -> NIC_RING_OK | NIC_RING_EMPTY (tx ring full: flush, wait)
 *  | NIC_RING_BAD_LEN | NIC_RING_BROKEN. */
int nic_client_send(struct nic_client *c, const void *frame, kide_u32 len);
/** Free tx slots now (0 when the session is lost or closed). */
kide_u32 nic_client_space(struct nic_client *c);
/** Take the next received frame into buf. -> as nic_ring_get. */
int nic_client_recv(struct nic_client *c, void *buf, kide_u32 cap, kide_u32 *len);
/** Publish what was sent and received since the last flush; wake the server
 *  once if it waits. */
void nic_client_flush(struct nic_client *c);
/** Wait until a frame arrived, tx space freed up or the link changed, at most until
 *  `deadline_ns` (kernel clock; 0: no deadline). -> KIDE_OK | KIDE_TIMEOUT |
 *  KIDE_ABORTED (the session is lost: at once, or when the server went away). Not
 *  after nic_client_notify (the server then ups the caller's semaphore instead). */
int nic_client_wait(struct nic_client *c, kide_u64 deadline_ns);
/** Give the server `sm` (SM_UP is delegated) to up instead of the session's client
 *  semaphore: a component that waits for several things waits on one semaphore of its
 *  own. Remembered (also for a lost or closed session: -> KIDE_ABORTED):
 *  nic_client_reopen gives it to the next server. -> KIDE_OK | the server's status
 *  (one that says it is gone makes the session lost). */
int nic_client_notify(struct nic_client *c, kide_sel sm);
/** For a caller that waits on its own semaphore: publish (as nic_client_flush), then
 *  tell the server to wake it after the next frame it produces (and after tx space
 *  frees up if the tx ring is full). -> 1: nothing is pending, sleep; 0: there is,
 *  do not. Either way nic_client_wait_done follows. */
int nic_client_wait_prepare(struct nic_client *c);
/** After a wait (or a decision not to wait): withdraw what wait_prepare announced. */
void nic_client_wait_done(struct nic_client *c);
/** The link state now (from the rx ring header; informational, not trusted for
 *  anything but display), and whether it changed since the last call. */
int nic_client_link(struct nic_client *c, int *changed);

#endif
