/* SPDX-License-Identifier: MIT */
/* http-status: a tiny HTTP/1.1 status server on the habitat's TCP/IP stack.
 *
 * Sessions used: "Socket" (os/abi/kide/socket.h, the habitat's `net`)
 * through os/lib/socket. Config: {"port": 80} (1..65535; default 80).
 * GET / answers a JSON status page (component name, uptime, RAM and caps
 * quota and use from kide_quota, requests served), GET /healthz answers
 * "ok", any other path 404, any other method 405, a malformed head 400, a
 * head over HTTP_HEAD_MAX bytes 431 (http_parse.c decides). HEAD is GET
 * without the body. Keep-alive is honoured (HTTP/1.1 by default, 1.0 on
 * request); pipelined requests are answered in order.
 *
 * Bounds: at most CONN_MAX connections (more wait in the backlog); each
 * holds at most HTTP_HEAD_MAX bytes of request and OUT_MAX of answer; while
 * an answer is unsent nothing more is read (the stack's window slows the
 * peer); a connection idle for IDLE_MS, or that sends a head too slowly,
 * is closed, so a silent client cannot hold a slot for ever. After a 400
 * or 431 the connection lingers: what the client still sends is read and
 * dropped until it closes or for at most LINGER_MS, then it is closed
 * (closing with unread data would reset the connection, and the client
 * could lose the answer).
 *
 * When the stack restarts, the session is re-opened and the port listened
 * on again; the old connections are forgotten (restart below). A port in
 * use is retried for at most IN_USE_WAIT_MS (after a restart of http-status
 * itself the stack may not have closed the old instance's listener yet).
 *
 * Loop: as echo's: accept, serve every connection, and when nothing moved
 * wait on the session's notification semaphore at most WAIT_MS.
 */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/socket_client.h>
#include <kide/sys.h>

#include "http_parse.h"

#define CONN_MAX       8
#define OUT_MAX        1024
#define WAIT_MS        100
#define IDLE_MS        10000
#define LINGER_MS      2000 /* how long input is drained after a 400 or 431 */
#define BACKLOG        8
#define OPEN_WAIT_MS   30000 /* how long the socket service may take to appear */
#define IN_USE_WAIT_MS 10000 /* how long the port may stay taken by our old instance */

/** One client connection. */
struct conn {
    int used;                  /**< the slot is taken */
    kide_u64 handle;           /**< the socket */
    int closing;               /**< close once out is sent */
    int linger;                /**< after out is sent, drain input before closing */
    kide_u64 linger_until;     /**< when draining ends (0: not draining yet) */
    kide_u64 last_ns;          /**< when bytes last moved */
    kide_u32 in_len;           /**< bytes of in[] received, not yet answered */
    kide_u32 out_off, out_len; /**< bytes [out_off, out_len) of out[] still to send */
    kide_u8 in[HTTP_HEAD_MAX]; /**< the request head(s) received */
    char out[OUT_MAX];         /**< the answer being sent */
};

static struct kide_sock_client sc;
static struct conn conns[CONN_MAX];
static kide_u64 listener, start_ns, served;
static struct kide_env *env_;

static kide_u64 read_port(struct kide_env *env)
{
    char err[120];
    kide_u64 port;
    if (kide_sock_config_port(env, 80, &port, err, sizeof err) != 0) {
        kide_log(env, "http-status: %s", err);
        kide_exit(env, 2);
    }
    return port;
}

static void conn_close(struct conn *c)
{
    kide_sock_drop(&sc, c->handle);
    c->used = 0;
}

/* The status page into BODY; returns its length. */
static int status_body(char *body, kide_u64 cap)
{
    struct kide_quota q = {0};
    kide_quota(env_, &q);
    return snprintf(body, cap,
                    "{\"component\":\"%s\",\"uptime_ms\":%lu,\"ram_quota\":%lu,\"ram_used\":%lu,"
                    "\"caps_quota\":%lu,\"caps_used\":%lu,\"requests\":%lu}\n",
                    kide_name(env_), (unsigned long)((kide_now_ns() - start_ns) / 1000000),
                    (unsigned long)q.ram_quota, (unsigned long)q.ram_used,
                    (unsigned long)q.caps_quota, (unsigned long)q.caps_used, (unsigned long)served);
}

/* Put the answer to REQ (NULL: the parse failed with CODE) in c->out. */
static void respond(struct conn *c, const struct http_req *req, int code)
{
    char body[512];
    const char *type = "text/plain", *reason;
    int blen;
    if (req && code == 200 && !strcmp(req->path, "/")) {
        blen = status_body(body, sizeof body);
        type = "application/json";
    } else if (req && code == 200 && !strcmp(req->path, "/healthz")) {
        blen = snprintf(body, sizeof body, "ok\n");
    } else {
        if (code == 200)
            code = 404;
        blen = snprintf(body, sizeof body, "%d\n", code);
    }
    reason = code == 200   ? "OK"
             : code == 400 ? "Bad Request"
             : code == 404 ? "Not Found"
             : code == 405 ? "Method Not Allowed"
                           : "Request Header Fields Too Large";
    int keep = req && req->keep_alive && code != 400 && code != 431;
    int head = req && req->method == HTTP_HEAD;
    /* HTTP/1.0 closes unless told otherwise; HTTP/1.1 stays open unless told. */
    const char *conn = !keep             ? "Connection: close\r\n"
                       : req->minor == 0 ? "Connection: keep-alive\r\n"
                                         : "";
    int n = snprintf(c->out, OUT_MAX,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                     "%s\r\n%s",
                     code, reason, type, blen, conn, head ? "" : body);
    c->out_off = 0;
    c->out_len = n < OUT_MAX ? (kide_u32)n : OUT_MAX - 1; /* defensive: bodies are small */
    c->closing = !keep;
    c->linger = code == 400 || code == 431;
    served++;
}

/* Answer the first request in c->in if it is complete. Returns 1 if it did. */
static int conn_parse(struct conn *c)
{
    struct http_req req;
    enum http_parse_result r = http_parse(c->in, c->in_len, &req);
    if (r == HTTP_PARSE_INCOMPLETE)
        return 0;
    if (r == HTTP_PARSE_OK) {
        respond(c, &req, req.method == HTTP_OTHER ? 405 : 200);
        memmove(c->in, c->in + req.head_len, c->in_len - req.head_len);
        c->in_len -= req.head_len;
    } else {
        respond(c, 0, r == HTTP_PARSE_TOO_LARGE ? 431 : 400);
        c->in_len = 0;
    }
    return 1;
}

/* Read and drop what the client still sends after a 400 or 431; close when
 * it closed or LINGER_MS passed. Returns 1 if anything moved. */
static int conn_drain(struct conn *c)
{
    struct kide_sock_recv_rep r;
    kide_u64 now = kide_now_ns();
    if (!c->linger_until)
        c->linger_until = now + LINGER_MS * 1000000ull;
    if (kide_sock_tcp_recv(&sc, c->handle, c->in, HTTP_HEAD_MAX, &r) != KIDE_OK ||
        (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK) || now > c->linger_until) {
        conn_close(c);
        return 1;
    }
    return r.err == KIDE_SOCK_OK && r.len > 0;
}

/* Move what a connection can move: send its answer, else parse what it
 * holds, else read more. Returns 1 if anything moved. */
static int conn_serve(struct conn *c)
{
    if (c->out_off < c->out_len) {
        struct kide_sock_send_rep r;
        if (kide_sock_tcp_send(&sc, c->handle, c->out + c->out_off, c->out_len - c->out_off, &r) !=
                    KIDE_OK ||
            (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
            conn_close(c);
            return 1;
        }
        c->out_off += (kide_u32)r.accepted;
        if (r.accepted)
            c->last_ns = kide_now_ns();
        if (c->out_off < c->out_len)
            return r.accepted > 0;
        if (c->closing && !c->linger) {
            conn_close(c);
            return 1;
        }
    }
    if (c->closing)
        return conn_drain(c);
    if (conn_parse(c))
        return 1;
    struct kide_sock_recv_rep r;
    if (kide_sock_tcp_recv(&sc, c->handle, c->in + c->in_len, HTTP_HEAD_MAX - c->in_len, &r) !=
                KIDE_OK ||
        (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
        conn_close(c); /* closed by the peer, or broken */
        return 1;
    }
    if (r.err == KIDE_SOCK_OK && r.len > 0) {
        c->in_len += (kide_u32)r.len;
        c->last_ns = kide_now_ns();
        return 1;
    }
    if (kide_now_ns() - c->last_ns > IDLE_MS * 1000000ull) {
        conn_close(c); /* idle, or a head sent too slowly */
        return 1;
    }
    return 0;
}

static int accept_one(void)
{
    struct kide_sock_handle_req h = {listener};
    struct kide_sock_accept_rep r;
    int free = -1;
    for (int i = 0; i < CONN_MAX && free < 0; i++)
        if (!conns[i].used)
            free = i;
    if (free < 0 || kide_sock_tcp_accept(&sc, &h, &r) != KIDE_OK || r.err != KIDE_SOCK_OK)
        return 0;
    struct conn *c = &conns[free];
    c->used = 1;
    c->handle = r.handle;
    c->closing = c->linger = 0;
    c->linger_until = 0;
    c->in_len = c->out_off = c->out_len = 0;
    c->last_ns = kide_now_ns();
    return 1;
}

/* Listen on the port: 0, or 1 with the reason logged. */
static int listen_on(struct kide_env *env, kide_u64 port)
{
    struct kide_sock_open_rep lrep = {0};
    kide_u64 until = kide_now_ns() + IN_USE_WAIT_MS * 1000000ull;
    /* ADDR_IN_USE: after a restart of ours the stack may not have closed the
     * old instance's session yet (its close notice comes on its next round). */
    int st = kide_sock_listen_wait(env, &sc, port, BACKLOG, until, &lrep);
    if (st != KIDE_OK || lrep.err != KIDE_SOCK_OK) {
        kide_log(env, "http-status: cannot listen on port %u: %s, socket error %u", (unsigned)port,
                 kide_status_name(st), (unsigned)lrep.err);
        return 1;
    }
    listener = lrep.handle;
    kide_log(env, "http-status: listening on TCP port %u", (unsigned)port);
    return 0;
}

/* The stack went away (the library marked the session lost): its handles
 * are void, so they are forgotten without a call; open a session with the
 * stack that comes back and listen again, or end (the restart policy
 * decides what next). */
static void restart(struct kide_env *env, kide_u64 port, kide_sel *sm)
{
    for (int i = 0; i < CONN_MAX; i++)
        conns[i].used = 0;
    kide_log(env, "http-status: the socket session is lost (the stack went away): re-opening");
    int st = kide_sock_reopen(env, &sc, sm, OPEN_WAIT_MS);
    if (st != KIDE_OK) {
        kide_log(env, "http-status: no socket session: %s", kide_status_name(st));
        kide_exit(env, 1);
    }
    if (listen_on(env, port))
        kide_exit(env, 1);
}

static void serve(struct kide_env *env, kide_u64 port, kide_sel sm)
{
    for (;;) {
        int moved = 0;
        while (accept_one())
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
    start_ns = kide_now_ns();
    kide_u64 port = read_port(env);
    kide_sel sm = 0;
    int st = kide_sock_open(env, &sc, &sm, OPEN_WAIT_MS);
    if (st != KIDE_OK) {
        kide_log(env, "http-status: no socket session: %s", kide_status_name(st));
        kide_exit(env, 1);
    }
    if (listen_on(env, port))
        kide_exit(env, 1);
    serve(env, port, sm);
}
