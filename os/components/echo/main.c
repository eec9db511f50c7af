/* SPDX-License-Identifier: MIT */
/* echo: a TCP and UDP echo server on the habitat's TCP/IP stack.
 *
 * Sessions used: "Socket" (os/abi/kide/socket.h, the habitat's `net`)
 * through os/lib/socket. Config: {"port": 7} (1..65535; default 7). It
 * listens on the port for TCP and binds it for UDP, then echoes: every
 * byte a connection sends comes back on it, in order; every datagram goes
 * back to its sender. A connection whose peer closed is closed once
 * everything it sent went back. At most CONN_MAX connections at once
 * (more wait in the listener's backlog).
 *
 * The socket service is started beside it: a session open answered
 * NOT_FOUND (not announced yet) is retried (kide_sock_open) for at most
 * OPEN_WAIT_MS, answering the parent's signals meanwhile. A port in use
 * (ADDR_IN_USE) is retried for at most IN_USE_WAIT_MS: when echo itself was
 * restarted, the stack closes the old instance's sockets only once it got
 * hoitaja's close notice, which may come after the new instance listens.
 *
 * When the stack goes away (restarted; the library marks the session lost
 * at the first call that finds it gone), every connection handle is void:
 * they are forgotten without a call, the session is re-opened with the
 * same wait as at start, and the listener and the UDP socket are set up
 * again (restart below).
 *
 * Loop: POLL every socket, serve the ready ones, and when nothing could be
 * done wait on the session's notification semaphore (a socket became
 * ready) at most WAIT_MS, then answer the parent's signals. A connection
 * holds at most CONN_BUF bytes not yet sent back; while it does, nothing
 * more is read from it (the stack's window then slows the peer).
 */
#include <kide/component.h>
#include <kide/socket_client.h>
#include <kide/sys.h>

#define CONN_MAX       8
#define CONN_BUF       16384
#define WAIT_MS        100
#define BACKLOG        4
#define OPEN_WAIT_MS   30000 /* how long the socket service may take to appear */
#define IN_USE_WAIT_MS 10000 /* how long the port may stay taken by our old instance */

struct conn {
    int used;
    kide_u64 handle;
    int peer_closed;
    kide_u32 off, len; /* bytes [off, len) of buf still to send back */
    kide_u64 echoed;   /* bytes sent back so far (logged at the close) */
    kide_u8 buf[CONN_BUF];
};

static struct kide_sock_client sc;
static struct conn conns[CONN_MAX];
static kide_u8 dgram[KIDE_SOCK_DGRAM_MAX];
static kide_u64 listener, udp;
static struct kide_env *env_;

static kide_u64 read_port(struct kide_env *env)
{
    char err[120];
    kide_u64 port;
    if (kide_sock_config_port(env, 7, &port, err, sizeof err) != 0) {
        kide_log(env, "echo: %s", err);
        kide_exit(env, 2);
    }
    return port;
}

static void conn_close(struct conn *c)
{
    kide_sock_drop(&sc, c->handle);
    c->used = 0;
    kide_log(env_, "echo: connection closed after %lu bytes echoed", (unsigned long)c->echoed);
}

/* Move what a connection can move: send back what it holds, read more when it
 * holds nothing. Returns 1 if anything moved. */
static int conn_serve(struct conn *c)
{
    int moved = 0;
    if (c->off < c->len) {
        struct kide_sock_send_rep r;
        if (kide_sock_tcp_send(&sc, c->handle, c->buf + c->off, c->len - c->off, &r) != KIDE_OK ||
            (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
            conn_close(c);
            return 1;
        }
        c->off += (kide_u32)r.accepted;
        c->echoed += r.accepted;
        moved = r.accepted > 0;
    }
    if (c->off < c->len)
        return moved;
    c->off = c->len = 0;
    if (c->peer_closed) {
        conn_close(c);
        return 1;
    }
    struct kide_sock_recv_rep r;
    if (kide_sock_tcp_recv(&sc, c->handle, c->buf, CONN_BUF, &r) != KIDE_OK) {
        conn_close(c);
        return 1;
    }
    if (r.err == KIDE_SOCK_OK) {
        c->len = (kide_u32)r.len;
        return 1;
    }
    if (r.err == KIDE_SOCK_CLOSED) {
        c->peer_closed = 1;
        conn_close(c);
        return 1;
    }
    if (r.err != KIDE_SOCK_WOULD_BLOCK)
        conn_close(c);
    return moved || r.err != KIDE_SOCK_WOULD_BLOCK;
}

static int accept_one(struct kide_env *env)
{
    struct kide_sock_handle_req h = {listener};
    struct kide_sock_accept_rep r;
    int free = -1;
    for (int i = 0; i < CONN_MAX && free < 0; i++)
        if (!conns[i].used)
            free = i;
    if (free < 0 || kide_sock_tcp_accept(&sc, &h, &r) != KIDE_OK || r.err != KIDE_SOCK_OK)
        return 0;
    conns[free] = (struct conn){.used = 1, .handle = r.handle};
    kide_u32 ip = KIDE_SOCK_ADDR_IP(r.remote);
    kide_log(env, "echo: connection from %u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 255,
             (ip >> 8) & 255, ip & 255, KIDE_SOCK_ADDR_PORT(r.remote));
    return 1;
}

static int udp_serve(void)
{
    struct kide_sock_recvfrom_rep r;
    struct kide_sock_err_rep e;
    if (kide_sock_udp_recvfrom(&sc, udp, dgram, sizeof dgram, &r) != KIDE_OK ||
        r.err != KIDE_SOCK_OK)
        return 0;
    kide_sock_udp_sendto(&sc, udp, r.remote, dgram, r.len, &e);
    return 1;
}

/* Listen on TCP and bind UDP on the port: 0, or 1 with the reason logged. */
static int listen_on(struct kide_env *env, kide_u64 port)
{
    struct kide_sock_open_rep lrep = {0}, brep = {0};
    kide_u64 until = kide_now_ns() + IN_USE_WAIT_MS * 1000000ull;
    /* ADDR_IN_USE: after a restart of ours the stack may not have closed the
     * old instance's session yet (its close notice comes on its next round). */
    int st = kide_sock_listen_wait(env, &sc, port, BACKLOG, until, &lrep);
    if (st == KIDE_OK && lrep.err == KIDE_SOCK_OK)
        st = kide_sock_bind_wait(env, &sc, port, until, &brep);
    if (st != KIDE_OK || lrep.err != KIDE_SOCK_OK || brep.err != KIDE_SOCK_OK) {
        kide_log(env, "echo: cannot listen on port %u: %s, socket error %u", (unsigned)port,
                 kide_status_name(st), (unsigned)(lrep.err != KIDE_SOCK_OK ? lrep.err : brep.err));
        return 1;
    }
    listener = lrep.handle;
    udp = brep.handle;
    kide_log(env, "echo: listening on TCP and UDP port %u", (unsigned)port);
    return 0;
}

/* The stack went away: forget its handles, open a session with the new one
 * and listen again. Ends the component when that fails (its restart policy
 * decides what next). */
static void restart(struct kide_env *env, kide_u64 port, kide_sel *sm)
{
    unsigned dropped = 0;
    for (int i = 0; i < CONN_MAX; i++) {
        dropped += (unsigned)conns[i].used;
        conns[i].used = 0;
    }
    kide_log(env,
             "echo: the socket session is lost (the stack went away): %u connections dropped, "
             "re-opening",
             dropped);
    int st = kide_sock_reopen(env, &sc, sm, OPEN_WAIT_MS);
    if (st != KIDE_OK) {
        kide_log(env, "echo: no socket session: %s", kide_status_name(st));
        kide_exit(env, 1);
    }
    if (listen_on(env, port))
        kide_exit(env, 1);
}

static void serve(struct kide_env *env, kide_u64 port, kide_sel sm)
{
    for (;;) {
        int moved = 0;
        while (accept_one(env))
            moved = 1;
        while (udp_serve())
            moved = 1;
        for (int i = 0; i < CONN_MAX; i++)
            if (conns[i].used)
                moved |= conn_serve(&conns[i]);
        if (sc.lost) {
            restart(env, port, &sm);
            continue;
        }
        if (!moved)
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, kide_now_ns() + WAIT_MS * 1000000ull);
        kide_wait_signal(env, 0);
    }
}

void kide_main(struct kide_env *env)
{
    env_ = env;
    kide_u64 port = read_port(env);
    kide_sel sm = 0;
    int st = kide_sock_open(env, &sc, &sm, OPEN_WAIT_MS);
    if (st != KIDE_OK) {
        kide_log(env, "echo: no socket session: %s", kide_status_name(st));
        kide_exit(env, 1);
    }
    if (listen_on(env, port))
        kide_exit(env, 1);
    serve(env, port, sm);
}
