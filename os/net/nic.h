/* SPDX-License-Identifier: MIT */
/* os/net: the NIC session as the stack sees it (nic.c).
 *
 * nic_open opens a NIC session (os/lib/nic's client: packet rings in shared
 * memory plus two semaphores) and fills a struct net_link with it: sending
 * puts a frame into the tx ring, receiving takes one from the rx ring.
 * Without a session (no route, the server refused) the link is the stand-in
 * on which nothing arrives and every frame is dropped (counted in the
 * link's send_drop), so the component still starts and serves sockets on
 * its own addresses.
 *
 * Threads: the rings have one producer and one consumer each; the callers
 * (main loop and session handler of main.c) hold one lock around every
 * call here. The sleep itself is main.c's, on the stack's one wake-up
 * semaphore, which nic_notify gives to the session's server.
 */
#ifndef NET_NIC_H
#define NET_NIC_H

#include "net/netif.h"

#include <kide/component.h>

/** Open the NIC session and fill LINK's functions, context and MAC.
 *  Returns KIDE_OK, or a status saying why not (the link is then the
 *  stand-in: nothing arrives, everything sent is dropped). */
int nic_open(struct kide_env *env, struct net_link *link);
/** Start a round of the main loop or a socket request, under the lock: the
 *  first touch of the rings after it asks the server whether it is still
 *  there (the rings go with it). */
void nic_begin(void);
/** Publish the frames sent and the rx slots freed since the last call; the
 *  server is woken once if it waits. Under the lock. */
void nic_flush(void);
/** The link state now, and in *changed whether it changed since the last call.
 *  Under the lock. Without a session: up, never changing. */
int nic_link(int *changed);
/** Have the server up `sm` (the stack's wake-up semaphore) for rx frames and link
 *  changes, instead of the session's client semaphore. Before any wait. Without a
 *  session: KIDE_OK, nothing to tell. */
int nic_notify(kide_sel sm);
/** Before sleeping, under the lock: announce the wait for rx frames. Returns 1
 *  when the caller may sleep (on the semaphore given to nic_notify, without the
 *  lock, then nic_woken under it), 0 when frames are already waiting. */
int nic_wait_prepare(void);
/** After the sleep, under the lock: withdraw the wait flag. */
void nic_woken(void);
/** 1 when a NIC session is open. */
int nic_present(void);

/* Restarts of the NIC server (see nic.c): the main thread's sequence is
 * nic_gone -> nic_drop (under the lock), nic_release, then nic_reopen until
 * KIDE_OK (without the lock), then nic_attach (under the lock). */
/** Under the lock: 1 when a check found the session's server gone. */
int nic_gone(void);
/** Under the lock: stop using the session; LINK becomes the stand-in. */
void nic_drop(struct net_link *link);
/** Main thread, after nic_drop, without the lock: close the lost session. */
void nic_release(struct kide_env *env);
/** Main thread, without the lock, after nic_release: try to open a fresh
 *  session if the back-off says so. -> KIDE_OK | KIDE_BUSY (not due) | why not. */
int nic_reopen(struct kide_env *env);
/** Under the lock, after nic_reopen succeeded: LINK uses the new session
 *  (functions and MAC; the caller gives the MAC to lwIP). */
void nic_attach(struct net_link *link);

#endif
