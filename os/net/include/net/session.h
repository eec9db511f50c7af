/* SPDX-License-Identifier: MIT */
/* os/net: one socket session over lwIP's raw API (os/abi/kide/socket.h).
 *
 * The server's logic without the runtime: a session is a table of
 * KIDE_SOCK_MAX sockets and the shared buffer; net_session_call decodes one
 * request's words, checks every field once (handles, buffer ranges, address
 * words, counts), runs the operation on lwIP and encodes the reply's words.
 * The component (os/net/main.c, next step) only moves words between the
 * kide_rpc and this function, so the host tests drive exactly what clients
 * will.
 *
 * Memory: the session struct (about 9 KiB) comes with the session's
 * donation; a socket's queued data is lwIP's own pbufs, bounded per TCP
 * connection by its window (received data is acknowledged only when RECV
 * takes it; a chain is never let past 0xffff bytes, lwIP keeps the rest as
 * refused data and offers it again) and per UDP socket by
 * NET_SESSION_DGRAMS datagrams (more are dropped and counted).
 * Not thread-safe: the caller serialises every call into lwIP.
 */
#ifndef NET_SESSION_H
#define NET_SESSION_H

#include <kide/socket.h>
#include <kide/status.h>

#include <stddef.h>
#include <stdint.h>

#define NET_SESSION_DGRAMS 8 /**< datagrams queued per UDP socket */

struct pbuf;
struct tcp_pcb;
struct udp_pcb;
struct net_session;

/** One socket. */
struct net_sock {
    uint8_t kind;        /**< 0 free, NET_SOCK_TCP, NET_SOCK_LISTEN, NET_SOCK_UDP */
    uint8_t state;       /**< enum kide_sock_state */
    uint8_t unaccepted;  /**< a connection a listener holds until ACCEPT */
    uint8_t err;         /**< enum kide_sock_err: why it failed */
    struct tcp_pcb *tcp; /**< TCP and listeners: lwIP's pcb (NULL once lwIP freed it) */
    struct udp_pcb *udp; /**< UDP */
    struct pbuf *rx;     /**< TCP: received, unread data (one chain, at most 0xffff bytes) */
    uint16_t backlog;    /**< listeners: pending connections allowed */
    uint16_t npending;   /**< listeners: connections waiting for ACCEPT */
    uint16_t pending[KIDE_SOCK_BACKLOG_MAX]; /**< listeners: their handles, oldest first */
    struct {
        struct pbuf *p;
        uint64_t from;           /**< KIDE_SOCK_ADDR */
    } dq[NET_SESSION_DGRAMS];    /**< UDP: received datagrams */
    uint8_t dhead, dn;           /**< UDP: queue position and length */
    uint64_t drops;              /**< UDP: datagrams dropped for a full queue */
    struct net_session *session; /**< the owner (lwIP's callback argument is the socket) */
};

enum { NET_SOCK_TCP = 1, NET_SOCK_LISTEN = 2, NET_SOCK_UDP = 3 };

/** A session. */
struct net_session {
    struct net_sock socks[KIDE_SOCK_MAX];
    uint8_t *buf;              /**< the shared buffer */
    size_t size;               /**< its size (KIDE_SOCK_BUF_SIZE) */
    void (*notify)(void *ctx); /**< called when a socket may have become ready */
    void *notify_ctx;
};

/** Start session S over the shared buffer BUF of SIZE bytes. */
void net_session_init(struct net_session *s, uint8_t *buf, size_t size);

/** End session S: every connection is aborted, every socket and queued
 *  buffer freed. */
void net_session_fini(struct net_session *s);

/** One request: operation OP with NREQ request words REQ (the words after
 *  words[0]). Writes the reply's result words to REP (room for
 *  KIDE_SOCK_POLL_MAX words) and their number to *NREP. Returns the status:
 *  KIDE_OK, or KIDE_BAD_PARAM for anything malformed (nothing is changed
 *  then). BUFFER and NOTIFY carry capabilities and are the component's. */
int net_session_call(struct net_session *s, uint64_t op, const uint64_t *req, unsigned nreq,
                     uint64_t *rep, unsigned *nrep);

#endif
