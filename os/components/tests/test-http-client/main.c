/* SPDX-License-Identifier: MIT */
/* test-http-client: requests to http-status through the habitat's own stack.
 *
 * Sessions used: "Socket" (its habitat's `net`). Config: {"server":
 * "10.0.9.1", "port": 80, "timeout_ms": 60000}. It opens the socket
 * session (retrying NOT_FOUND every 50 ms), connects (retrying while the
 * server's side is not up: REFUSED, UNREACHABLE, TIMED_OUT), then on one
 * kept-alive connection: GET / (200, JSON naming the component), GET
 * /healthz (200, "ok"), GET /nope (404), and a malformed request line
 * (400, then the server closes). On a second connection a head of
 * BIG_HEAD bytes (431, closed). Every answer's status line,
 * Content-Length and body are checked. Every wait is for a condition (the
 * notification semaphore, then POLL) bounded by the one deadline. Ends
 * with "PASS net-http", or "FAIL net-http: <why>" and exit code 1.
 */
#include "test.h"
#include <kide/base.h>
#include <kide/socket_client.h>
#include <kide/sys.h>

#define RETRY_MS 500
#define ANS_MAX  2048
#define BIG_HEAD 5000

static struct kide_env *env_;
static struct kide_sock_client sc;
static kide_sel sm;
static kide_u64 deadline;
static char ans[ANS_MAX + 1];
static char big[BIG_HEAD];

/* The first occurrence of W in S, or NULL. */
static char *find(char *s, const char *w)
{
    kide_u64 n = strlen(w);
    for (; *s; s++)
        if (!strncmp(s, w, n))
            return s;
    return 0;
}

/* Cut S to at most N bytes (for a log line). */
static char *clip(char *s, kide_u64 n)
{
    if (strlen(s) > n)
        s[n] = 0;
    return s;
}

#define fail(...) t_fail(env_, "net-http", __VA_ARGS__)

static void wait_ready(const char *what)
{
    kide_u64 now = kide_now_ns(), until = now + RETRY_MS * 1000000ull;
    if (now >= deadline)
        fail("timed out %s", what);
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, until < deadline ? until : deadline);
}

static kide_u64 poll_one(kide_u64 h)
{
    struct kide_sock_poll_req req = {.count = 1, .handles = {h}};
    struct kide_sock_poll_rep rep = {0};
    int st = kide_sock_poll(&sc, &req, &rep);
    if (st != KIDE_OK)
        fail("POLL: %s", kide_status_name(st));
    return rep.events[0];
}

static kide_u64 sock_err(kide_u64 h)
{
    struct kide_sock_handle_req req = {h};
    struct kide_sock_status_rep rep = {0};
    return kide_sock_status(&sc, &req, &rep) == KIDE_OK ? rep.err : KIDE_SOCK_ERR_COUNT;
}

static void sock_close(kide_u64 h)
{
    struct kide_sock_handle_req req = {h};
    struct kide_sock_err_rep rep = {0};
    kide_sock_close(&sc, &req, &rep);
}

static int retry_err(kide_u64 err)
{
    return err == KIDE_SOCK_REFUSED || err == KIDE_SOCK_UNREACHABLE || err == KIDE_SOCK_TIMED_OUT;
}

/* Connect, retrying while the server's side is not there yet. */
static kide_u64 tcp_open(kide_u64 remote)
{
    for (;;) {
        struct kide_sock_connect_req req = {remote};
        struct kide_sock_open_rep rep = {0};
        int st = kide_sock_tcp_connect(&sc, &req, &rep);
        if (st == KIDE_OK && retry_err(rep.err)) {
            wait_ready("connecting");
            continue;
        }
        if (st != KIDE_OK || (rep.err != KIDE_SOCK_OK && rep.err != KIDE_SOCK_IN_PROGRESS))
            fail("CONNECT: %s, socket error %u", kide_status_name(st), (unsigned)rep.err);
        kide_u64 ev;
        while (!((ev = poll_one(rep.handle)) & (KIDE_SOCK_WRITABLE | KIDE_SOCK_ERROR)))
            wait_ready("connecting");
        if (!(ev & KIDE_SOCK_ERROR))
            return rep.handle;
        kide_u64 err = sock_err(rep.handle);
        sock_close(rep.handle);
        if (!retry_err(err))
            fail("connection failed: socket error %u", (unsigned)err);
        wait_ready("connecting");
    }
}

static void send_all(kide_u64 h, const void *data, kide_u32 len)
{
    kide_u32 sent = 0;
    while (sent < len) {
        struct kide_sock_send_rep r = {0};
        int st = kide_sock_tcp_send(&sc, h, (const kide_u8 *)data + sent, len - sent, &r);
        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            fail("SEND: %s, socket error %u", kide_status_name(st), (unsigned)r.err);
        sent += (kide_u32)r.accepted;
        if (!r.accepted)
            wait_ready("sending");
    }
}

/* Receive into ans until it holds a whole answer (head and Content-Length
 * bytes of body). With CLOSING the answer must say "Connection: close".
 * Returns the status code; *body points at the body. */
static int get_answer(kide_u64 h, int closing, char **body)
{
    kide_u32 got = 0;
    for (;;) {
        ans[got] = 0;
        char *e = find(ans, "\r\n\r\n");
        char *cl = find(ans, "Content-Length: ");
        if (e && cl) {
            kide_u32 n = 0;
            for (cl += 16; *cl >= '0' && *cl <= '9'; cl++)
                n = n * 10 + (kide_u32)(*cl - '0');
            if ((kide_u32)(e + 4 - ans) + n <= got)
                break;
        }
        if (got == ANS_MAX)
            fail("answer longer than %u bytes", ANS_MAX);
        struct kide_sock_recv_rep r = {0};
        int st = kide_sock_tcp_recv(&sc, h, ans + got, ANS_MAX - got, &r);
        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            fail("RECV: %s, socket error %u after %u bytes", kide_status_name(st), (unsigned)r.err,
                 got);
        got += (kide_u32)r.len;
        if (!r.len)
            wait_ready("waiting for the answer");
    }
    if (strncmp(ans, "HTTP/1.1 ", 9) != 0)
        fail("not an HTTP/1.1 answer: %s", clip(ans, 40));
    if (closing && !find(ans, "\r\nConnection: close\r\n"))
        fail("answer without Connection: close: %s", clip(ans, 60));
    *body = find(ans, "\r\n\r\n") + 4;
    return (ans[9] - '0') * 100 + (ans[10] - '0') * 10 + (ans[11] - '0');
}

/* One request on H: expect CODE and a body starting with WANT. */
static void request(kide_u64 h, const char *req, kide_u32 len, int code, const char *want,
                    int closing)
{
    char *body;
    send_all(h, req, len);
    int got = get_answer(h, closing, &body);
    if (got != code || strncmp(body, want, strlen(want)) != 0)
        fail("got %d \"%s\", expected %d \"%s\"", got, clip(body, 60), code, want);
    char line[40];
    kide_u32 n = 0;
    while (n < sizeof line - 1 && req[n] != '\r')
        line[n] = req[n], n++;
    line[n] = 0;
    kide_log(env_, "http-client: %d for %s", code, line);
}

void kide_main(struct kide_env *env)
{
    char server[40];
    env_ = env;
    t_cfg_str(env, "server", "10.0.9.1", server, sizeof server);
    kide_u64 port = t_cfg_u64(env, "port", 80);
    deadline = kide_now_ns() + t_cfg_u64(env, "timeout_ms", 60000) * 1000000;
    kide_u32 ip = 0;
    kide_sock_ip_parse(server, &ip); /* stays 0 (refused below) if malformed */
    if (!ip || !port || port > 65535)
        fail("config: server must be \"a.b.c.d\" and port 1..65535");
    kide_u64 now = kide_now_ns();
    int st = kide_sock_open(env, &sc, &sm, deadline > now ? (deadline - now) / 1000000 : 0);
    if (st != KIDE_OK)
        fail("socket session: %s", kide_status_name(st));
    kide_u64 remote = KIDE_SOCK_ADDR(ip, port);
    kide_u64 h = tcp_open(remote);
    kide_log(env, "http-client: connected to %s:%u", server, (unsigned)port);
    static const char r1[] = "GET / HTTP/1.1\r\nHost: kide\r\n\r\n";
    static const char r2[] = "GET /healthz HTTP/1.1\r\nHost: kide\r\n\r\n";
    static const char r3[] = "GET /nope HTTP/1.1\r\nHost: kide\r\n\r\n";
    static const char r4[] = "GET  /bad\r\n\r\n";
    request(h, r1, sizeof r1 - 1, 200, "{\"component\":\"", 0);
    request(h, r2, sizeof r2 - 1, 200, "ok", 0);
    request(h, r3, sizeof r3 - 1, 404, "404", 0);
    request(h, r4, sizeof r4 - 1, 400, "400", 1);
    sock_close(h);
    h = tcp_open(remote);
    memset(big, 'a', sizeof big);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    request(h, big, sizeof big, 431, "431", 1);
    sock_close(h);
    kide_log(env, "PASS net-http");
    kide_exit(env, 0);
}
