/* SPDX-License-Identifier: MIT */
/* The socket side of the scenario test components (tsock.c): one "Socket"
 * session, the run's one deadline, and the waits and TCP steps the network
 * tests share (connect with retries, poll one handle, send everything).
 *
 * Every wait is for a condition (the session's notification semaphore, then
 * POLL) bounded by a deadline; a step that cannot go on ends the component
 * with "FAIL <what>: <why>" (t_fail), the same lines the tests printed
 * before these helpers were shared. Link the library test-sock before
 * test-common and kide-socket.
 */
#ifndef KIDE_TSOCK_H
#define KIDE_TSOCK_H

#include <kide/component.h>
#include <kide/socket_client.h>

struct t_sock {
    struct kide_env *env;
    const char *what; /**< the test's name in its FAIL line */
    struct kide_sock_client sc;
    kide_sel sm;       /**< the session's notification semaphore */
    kide_u64 deadline; /**< the run's deadline (kide_now_ns) */
};

/** Read the config's "server" (default "10.0.9.1") into server, "port"
 *  (default def_port) and "timeout_ms" (60000: the deadline from now),
 *  open the Socket session (retrying NOT_FOUND until the deadline) and
 *  return the server's address (KIDE_SOCK_ADDR). FAILs on a bad config or
 *  no session. */
kide_u64 t_sock_setup(struct t_sock *t, struct kide_env *env, const char *what, kide_u64 def_port,
                      char *server, kide_u64 size);

/** Wait for the next notification or ms, whichever is first, and not past
 *  until; FAIL "timed out <doing>" when until or the run's deadline has
 *  passed. */
void t_sock_wait(struct t_sock *t, kide_u64 ms, kide_u64 until, const char *doing);

/** POLL one handle: its events (FAIL on a session error). */
kide_u64 t_sock_poll1(struct t_sock *t, kide_u64 h);

/** A handle's pending socket error (KIDE_SOCK_ERR_COUNT if STATUS failed). */
kide_u64 t_sock_err(struct t_sock *t, kide_u64 h);

/** Close a handle (errors ignored: the handle is gone either way). */
void t_sock_close(struct t_sock *t, kide_u64 h);

/** Connect to remote, retrying every retry_ms while the server's side is not
 *  there yet (REFUSED, UNREACHABLE, TIMED_OUT, and RESET when
 *  retry_reset), until `until`: the connected handle. */
kide_u64 t_sock_connect(struct t_sock *t, kide_u64 remote, kide_u64 retry_ms, kide_u64 until,
                        int retry_reset);

/** Send all len bytes of data on h, waiting (retry_ms at a time, until the
 *  deadline) while the stack's buffer is full. */
void t_sock_send_all(struct t_sock *t, kide_u64 h, const void *data, kide_u32 len,
                     kide_u64 retry_ms);

#endif
