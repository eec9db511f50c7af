/* SPDX-License-Identifier: MIT */
/* Kide ABI: the socket session of os/net (service "Socket"), one lwIP
 * instance per habitat (docs/network.md, docs/formats/socket.md).
 *
 * A client opens a session to "Socket" through its parent, donating at
 * least KIDE_SOCK_SESSION_RAM. The session owns up to KIDE_SOCK_MAX sockets
 * and one shared buffer of KIDE_SOCK_BUF_SIZE bytes that the server
 * allocates from the donation and shares on KIDE_SOCK_BUFFER. Data never
 * travels in the UTCB: SEND and SENDTO name a range [offset, offset + len)
 * of the shared buffer that the client filled, RECV and RECVFROM one the
 * server fills. The buffer belongs to the client except during its own
 * call, so the server copies once each way and keeps no pointer into it.
 *
 * Back-pressure. The server buffers at most what lwIP's windows allow:
 * SEND takes as many bytes as the connection's send buffer has room for
 * and says how many (`accepted`); when it has none, the socket result is
 * KIDE_SOCK_WOULD_BLOCK and nothing is taken. Received data is acknowledged
 * to the peer only when RECV hands it to the client, so a client that does
 * not read closes the peer's window instead of growing the server's memory.
 * POLL says which sockets are readable or writable; a semaphore the client
 * gives with KIDE_SOCK_NOTIFY is upped when one becomes so, so a client
 * blocks on its semaphore, never in the server.
 *
 * Wire format as in core.h: words[0] = operation, then the request struct's
 * words; reply words[0] = enum kide_status, then the reply struct's words.
 * The status says whether the request was understood (KIDE_OK, or
 * KIDE_BAD_PARAM for an unknown handle, a range outside the buffer, a field
 * out of range); what happened to the socket is the reply's first word,
 * `err` (enum kide_sock_err). Every request struct here is whole words, laid
 * out as on the wire (static asserts below), and the client library
 * (<kide/socket_client.h>, os/lib/socket) packs them; nobody writes these
 * words by hand. IPv4 addresses are in host order (10.0.0.1 = 0x0a000001).
 */
#ifndef KIDE_SOCKET_H
#define KIDE_SOCKET_H

#include "types.h"

#define KIDE_SOCK_SERVICE "Socket"

/* ---- limits and costs -------------------------------------------------------- */
#define KIDE_SOCK_BUF_SIZE    0x10000u /**< the shared buffer: 64 KiB (16 pages) */
#define KIDE_SOCK_MAX         64u      /**< sockets per session */
#define KIDE_SOCK_POLL_MAX    32u      /**< sockets one POLL asks about */
#define KIDE_SOCK_DGRAM_MAX   65507u   /**< the largest UDP payload over IPv4 */
#define KIDE_SOCK_BACKLOG_MAX 16u      /**< pending connections a listener holds */
/** RAM a session needs donated: the shared buffer plus the server's
 *  per-session state (socket table, receive queues' bookkeeping). The
 *  stack's own buffers are not per session: they are os/net's fixed pools,
 *  so a session cannot make the stack grow. */
#define KIDE_SOCK_SESSION_RAM (KIDE_SOCK_BUF_SIZE + 0x2000u)

/* ---- operations ------------------------------------------------------------------ */
enum kide_sock_op {
    /** Share the session's buffer: -> OK, the pages as a shared dataspace
     *  (kide_msg_call_attach, KIDE_SOCK_BUF_SIZE / 4096 pages, writable),
     *  struct kide_sock_buffer_rep. Again: the same pages again. */
    KIDE_SOCK_BUFFER = 1,
    /** A semaphore as a typed item: upped whenever a socket of the session
     *  becomes readable, writable, or fails. -> OK | BAD_PARAM (no item). */
    KIDE_SOCK_NOTIFY = 2,
    /** struct kide_sock_connect_req -> struct kide_sock_open_rep. The connection
     *  is being set up: err KIDE_SOCK_IN_PROGRESS with the handle; POLL says
     *  WRITABLE once it is open, ERROR if it failed (STATUS says why). */
    KIDE_SOCK_TCP_CONNECT = 3,
    /** struct kide_sock_listen_req -> struct kide_sock_open_rep (err
     *  KIDE_SOCK_ADDR_IN_USE when the port is taken). */
    KIDE_SOCK_TCP_LISTEN = 4,
    /** struct kide_sock_handle_req (a listener) -> struct kide_sock_accept_rep;
     *  err WOULD_BLOCK when no connection waits. */
    KIDE_SOCK_TCP_ACCEPT = 5,
    /** struct kide_sock_io_req -> struct kide_sock_send_rep: take up to len
     *  bytes from the buffer at offset; err WOULD_BLOCK when none fit. */
    KIDE_SOCK_TCP_SEND = 6,
    /** struct kide_sock_io_req -> struct kide_sock_recv_rep: up to len bytes
     *  into the buffer at offset; err WOULD_BLOCK when none wait, CLOSED (len
     *  0) when the peer closed and everything was read. */
    KIDE_SOCK_TCP_RECV = 7,
    /** struct kide_sock_handle_req -> struct kide_sock_err_rep: close the
     *  socket (TCP: FIN after what is queued; the handle is free at once). */
    KIDE_SOCK_CLOSE = 8,
    /** struct kide_sock_bind_req -> struct kide_sock_open_rep (port 0: any;
     *  the reply's `local` names the port chosen). */
    KIDE_SOCK_UDP_BIND = 9,
    /** struct kide_sock_sendto_req -> struct kide_sock_err_rep: one datagram
     *  of len (<= KIDE_SOCK_DGRAM_MAX) bytes from the buffer at offset. */
    KIDE_SOCK_UDP_SENDTO = 10,
    /** struct kide_sock_io_req -> struct kide_sock_recvfrom_rep: the oldest
     *  datagram into the buffer (cut to len, `truncated` says so); err
     *  WOULD_BLOCK when none waits. */
    KIDE_SOCK_UDP_RECVFROM = 11,
    /** struct kide_sock_poll_req -> struct kide_sock_poll_rep: never blocks. */
    KIDE_SOCK_POLL = 12,
    /** struct kide_sock_handle_req -> struct kide_sock_status_rep: the socket's
     *  state, its error and its addresses. */
    KIDE_SOCK_STATUS = 13,
};

/** What happened to the socket (a reply's first word after the status). */
enum kide_sock_err {
    KIDE_SOCK_OK = 0,
    KIDE_SOCK_WOULD_BLOCK = 1,    /**< nothing to take or nothing fits: poll and retry */
    KIDE_SOCK_IN_PROGRESS = 2,    /**< CONNECT started */
    KIDE_SOCK_CLOSED = 3,         /**< the peer closed (RECV after the last byte) */
    KIDE_SOCK_RESET = 4,          /**< the peer reset the connection */
    KIDE_SOCK_REFUSED = 5,        /**< CONNECT: the peer refused */
    KIDE_SOCK_UNREACHABLE = 6,    /**< no route, or ARP got no answer */
    KIDE_SOCK_TIMED_OUT = 7,      /**< retransmissions gave up */
    KIDE_SOCK_ADDR_IN_USE = 8,    /**< LISTEN/BIND: the port is taken */
    KIDE_SOCK_NO_SOCKETS = 9,     /**< the session holds KIDE_SOCK_MAX sockets */
    KIDE_SOCK_NO_BUFFERS = 10,    /**< the stack's pools are exhausted: retry later */
    KIDE_SOCK_NOT_CONNECTED = 11, /**< SEND/RECV on a socket that is not open */
    KIDE_SOCK_WRONG_TYPE = 12,    /**< a TCP operation on a UDP socket or the reverse */
    KIDE_SOCK_ERR_COUNT
};

/** POLL's event bits. */
#define KIDE_SOCK_READABLE 1u /**< RECV/RECVFROM/ACCEPT would not block */
#define KIDE_SOCK_WRITABLE 2u /**< SEND would take at least one byte */
#define KIDE_SOCK_ERROR    4u /**< the socket failed or the peer closed: STATUS says */

/** A socket address: an IPv4 address (host order) and a port in one word. */
#define KIDE_SOCK_ADDR(ip, port) ((kide_u64)(kide_u32)(ip) | (kide_u64)(kide_u16)(port) << 32)
#define KIDE_SOCK_ADDR_IP(a)     ((kide_u32)(a))
#define KIDE_SOCK_ADDR_PORT(a)   ((kide_u16)((a) >> 32))
/** A well-formed address word has nothing above the port. */
#define KIDE_SOCK_ADDR_VALID(a) (((a) >> 48) == 0)

/* ---- typed messages ---------------------------------------------------------------- */
struct kide_sock_buffer_rep {
    kide_u64 size; /**< KIDE_SOCK_BUF_SIZE */
};
struct kide_sock_connect_req {
    kide_u64 remote; /**< KIDE_SOCK_ADDR */
};
struct kide_sock_listen_req {
    kide_u64 local;   /**< KIDE_SOCK_ADDR (ip 0: every address of the stack) */
    kide_u64 backlog; /**< 1..KIDE_SOCK_BACKLOG_MAX */
};
struct kide_sock_bind_req {
    kide_u64 local; /**< KIDE_SOCK_ADDR (ip 0: any; port 0: any) */
};
struct kide_sock_handle_req {
    kide_u64 handle;
};
struct kide_sock_io_req {
    kide_u64 handle;
    kide_u64 offset; /**< into the shared buffer */
    kide_u64 len;    /**< bytes to send, or room to receive into */
};
struct kide_sock_sendto_req {
    kide_u64 handle;
    kide_u64 remote; /**< KIDE_SOCK_ADDR */
    kide_u64 offset;
    kide_u64 len;
};
struct kide_sock_poll_req {
    kide_u64 count;                       /**< 1..KIDE_SOCK_POLL_MAX */
    kide_u64 handles[KIDE_SOCK_POLL_MAX]; /**< only `count` travel */
};

struct kide_sock_err_rep {
    kide_u64 err; /**< enum kide_sock_err */
};
struct kide_sock_open_rep {
    kide_u64 err;
    kide_u64 handle; /**< valid when err is OK or IN_PROGRESS */
    kide_u64 local;  /**< the address it is bound to */
};
struct kide_sock_accept_rep {
    kide_u64 err;
    kide_u64 handle; /**< the new connection's */
    kide_u64 remote; /**< its peer */
};
struct kide_sock_send_rep {
    kide_u64 err;
    kide_u64 accepted; /**< bytes taken (0 with WOULD_BLOCK) */
};
struct kide_sock_recv_rep {
    kide_u64 err;
    kide_u64 len; /**< bytes written to the buffer at offset */
};
struct kide_sock_recvfrom_rep {
    kide_u64 err;
    kide_u64 len;
    kide_u64 remote;    /**< the sender */
    kide_u64 truncated; /**< 1: the datagram was longer than len (the rest is dropped) */
};
struct kide_sock_poll_rep {
    kide_u64 events[KIDE_SOCK_POLL_MAX]; /**< KIDE_SOCK_* bits per handle asked */
};
/** STATUS's states. */
enum kide_sock_state {
    KIDE_SOCK_S_UDP = 1,
    KIDE_SOCK_S_LISTEN = 2,
    KIDE_SOCK_S_CONNECTING = 3,
    KIDE_SOCK_S_OPEN = 4,
    KIDE_SOCK_S_PEER_CLOSED = 5,
    KIDE_SOCK_S_FAILED = 6,
};
struct kide_sock_status_rep {
    kide_u64 err;    /**< the socket's own error: OK, or why it failed */
    kide_u64 state;  /**< enum kide_sock_state */
    kide_u64 local;  /**< KIDE_SOCK_ADDR */
    kide_u64 remote; /**< KIDE_SOCK_ADDR (0 for listeners and unconnected UDP) */
};

_Static_assert(sizeof(struct kide_sock_connect_req) == 8, "CONNECT w1");
_Static_assert(sizeof(struct kide_sock_listen_req) == 16, "LISTEN w1, w2");
_Static_assert(sizeof(struct kide_sock_io_req) == 24, "SEND/RECV w1..w3");
_Static_assert(sizeof(struct kide_sock_sendto_req) == 32, "SENDTO w1..w4");
_Static_assert(sizeof(struct kide_sock_poll_req) == 8 * (1 + KIDE_SOCK_POLL_MAX), "POLL");
_Static_assert(sizeof(struct kide_sock_open_rep) == 24, "open reply w1..w3");
_Static_assert(sizeof(struct kide_sock_recvfrom_rep) == 32, "RECVFROM w1..w4");
_Static_assert(sizeof(struct kide_sock_status_rep) == 32, "STATUS w1..w4");
_Static_assert(KIDE_SOCK_BUF_SIZE % 4096 == 0 && KIDE_SOCK_BUF_SIZE / 4096 <= 64,
               "the buffer is whole pages, at most KIDE_DS_MAX_PAGES");
_Static_assert(KIDE_SOCK_DGRAM_MAX <= KIDE_SOCK_BUF_SIZE, "a datagram fits the buffer");

#endif
