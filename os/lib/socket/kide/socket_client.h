/* SPDX-License-Identifier: MIT */
/* The client library of the socket session (os/abi/kide/socket.h): one
 * function per operation, typed request in, typed reply out, the status
 * returned (KIDE_OK when the server understood the request; the socket's
 * own result is rep->err).
 *
 * Data goes through the session's shared buffer: the send functions copy
 * the caller's bytes into it and the receive functions copy out of it, at
 * most KIDE_SOCK_BUF_SIZE a call, so a caller never handles offsets. A
 * reply is checked before it is believed: a server that claims to have
 * taken or delivered more than was asked, or whose reply is short, gets
 * KIDE_BAD_PARAM and no copy. Not thread-safe: one client per thread.
 *
 * When the stack goes away (restarted, faulted, removed) its portal and the
 * shared buffer (its pages) go with it. A call then answers KIDE_ABORTED
 * (the stack's threads are stopped) or KIDE_BAD_CAP (its portal is
 * revoked): the session is marked lost (c->lost, kide_sock_gone) and no
 * later call touches the buffer or calls again, each answering
 * KIDE_ABORTED at once. Every handle of the old session is void. The
 * client re-opens with kide_sock_reopen and sets its sockets up again.
 * The buffer is touched only right after a call answered (copy out) or
 * when the last call answered (copy in), so the stack must go away within
 * that gap, with the client preempted across its whole teardown, for a
 * copy to fault.
 */
#ifndef KIDE_SOCKET_CLIENT_H
#define KIDE_SOCKET_CLIENT_H

#include <kide/component.h>
#include <kide/socket.h>

/** How calls travel. NULL functions: the runtime's kide_msg_call_cap and
 *  kide_msg_call_attach on `pt`; a test puts its fake server here. */
struct kide_sock_chan {
    kide_sel pt; /**< the session portal */
    /** Call with m built; send capability `send` if non-zero. As kide_msg_call_cap. */
    int (*call)(const struct kide_sock_chan *ch, struct kide_msg *m, kide_sel send);
    /** Call with m built and attach the shared pages. As kide_msg_call_attach. */
    int (*attach)(const struct kide_sock_chan *ch, struct kide_msg *m, kide_u64 pages, void **addr,
                  kide_u64 *got);
    void *ctx; /**< the transport's own */
};

/** A session's client side. */
struct kide_sock_client {
    struct kide_sock_chan ch;
    kide_u8 *buf;                /**< the shared buffer (NULL before kide_sock_buffer) */
    kide_u64 size;               /**< its size in bytes */
    int lost;                    /**< 1: a call found the stack gone; nothing is touched any more */
    struct kide_session session; /**< the session kide_sock_open opened (for closing) */
};

/** 1 when `status` from a call says the stack went away (KIDE_ABORTED,
 *  KIDE_BAD_CAP): re-open the session with kide_sock_reopen. */
int kide_sock_gone(int status);
/** Forget a session (lost or not): detach the buffer, drop *sm (set to 0),
 *  close the parent session; c is zeroed except for its channel hooks. */
void kide_sock_release(struct kide_env *env, struct kide_sock_client *c, kide_sel *sm);
/** kide_sock_release, then kide_sock_open with the same wait. */
int kide_sock_reopen(struct kide_env *env, struct kide_sock_client *c, kide_sel *sm,
                     kide_u64 wait_ms);

/** Open the "Socket" session for c: NOT_FOUND (the stack has not announced it
 *  yet) is retried for up to wait_ms; then the shared buffer is attached and a
 *  fresh semaphore *sm is given to the server for notifications (NOTIFY).
 *  -> KIDE_OK or the status of the step that failed (socket_open.c). */
int kide_sock_open(struct kide_env *env, struct kide_sock_client *c, kide_sel *sm,
                   kide_u64 wait_ms);
/* ---- servers (socket_server.c) -------------------------------------------- */
/** The config's "port" (1..65535; def when absent) into *port. -> 0, or -1
 *  with the reason in err ("config: port: expected 1..65535", or the
 *  config's own error). */
int kide_sock_config_port(struct kide_env *env, kide_u64 def, kide_u64 *port, char *err,
                          kide_u64 errlen);
/** LISTEN on port (any address), repeated every 50 ms while the port is in
 *  use (ADDR_IN_USE: an old instance of the caller may still hold it) and
 *  kide_now_ns() < until. -> the last call's status, its reply in *rep. */
int kide_sock_listen_wait(struct kide_env *env, struct kide_sock_client *c, kide_u64 port,
                          kide_u64 backlog, kide_u64 until, struct kide_sock_open_rep *rep);
/** The same for a UDP BIND. */
int kide_sock_bind_wait(struct kide_env *env, struct kide_sock_client *c, kide_u64 port,
                        kide_u64 until, struct kide_sock_open_rep *rep);
/** CLOSE handle, its error ignored (the handle is gone either way). */
void kide_sock_drop(struct kide_sock_client *c, kide_u64 handle);

/** Parse a dotted IPv4 address "a.b.c.d" (each part 0..255, at most three
 *  digits, nothing after it) into *ip in host order. -> 0, or -1 (untouched). */
int kide_sock_ip_parse(const char *s, kide_u32 *ip);
/** BUFFER: attach the shared buffer (c->buf, c->size). */
int kide_sock_buffer(struct kide_sock_client *c);
/** NOTIFY: the server ups semaphore `sm` when a socket becomes ready. */
int kide_sock_notify(struct kide_sock_client *c, kide_sel sm);
int kide_sock_tcp_connect(struct kide_sock_client *c, const struct kide_sock_connect_req *req,
                          struct kide_sock_open_rep *rep);
int kide_sock_tcp_listen(struct kide_sock_client *c, const struct kide_sock_listen_req *req,
                         struct kide_sock_open_rep *rep);
int kide_sock_tcp_accept(struct kide_sock_client *c, const struct kide_sock_handle_req *req,
                         struct kide_sock_accept_rep *rep);
/** SEND: offer LEN bytes of DATA (at most the buffer's size go in one call);
 *  rep->accepted says how many were taken. */
int kide_sock_tcp_send(struct kide_sock_client *c, kide_u64 handle, const void *data, kide_u64 len,
                       struct kide_sock_send_rep *rep);
/** RECV: up to CAP bytes into DATA; rep->len says how many arrived. */
int kide_sock_tcp_recv(struct kide_sock_client *c, kide_u64 handle, void *data, kide_u64 cap,
                       struct kide_sock_recv_rep *rep);
int kide_sock_close(struct kide_sock_client *c, const struct kide_sock_handle_req *req,
                    struct kide_sock_err_rep *rep);
int kide_sock_udp_bind(struct kide_sock_client *c, const struct kide_sock_bind_req *req,
                       struct kide_sock_open_rep *rep);
/** SENDTO: one datagram of LEN (<= KIDE_SOCK_DGRAM_MAX) bytes to REMOTE. */
int kide_sock_udp_sendto(struct kide_sock_client *c, kide_u64 handle, kide_u64 remote,
                         const void *data, kide_u64 len, struct kide_sock_err_rep *rep);
/** RECVFROM: the oldest datagram, cut to CAP bytes, into DATA. */
int kide_sock_udp_recvfrom(struct kide_sock_client *c, kide_u64 handle, void *data, kide_u64 cap,
                           struct kide_sock_recvfrom_rep *rep);
/** POLL: req->count (1..KIDE_SOCK_POLL_MAX) handles; rep->events for each. */
int kide_sock_poll(struct kide_sock_client *c, const struct kide_sock_poll_req *req,
                   struct kide_sock_poll_rep *rep);
int kide_sock_status(struct kide_sock_client *c, const struct kide_sock_handle_req *req,
                     struct kide_sock_status_rep *rep);

#endif
