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
#include "tsock.h"
#include <kide/base.h>

#define RETRY_MS 500
#define ANS_MAX  2048
#define BIG_HEAD 5000

static struct t_sock ts;
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

#define fail(...) t_fail(ts.env, "net-http", __VA_ARGS__)

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
        int st = kide_sock_tcp_recv(&ts.sc, h, ans + got, ANS_MAX - got, &r);
        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            fail("RECV: %s, socket error %u after %u bytes", kide_status_name(st), (unsigned)r.err,
                 got);
        got += (kide_u32)r.len;
        if (!r.len)
            t_sock_wait(&ts, RETRY_MS, ts.deadline, "waiting for the answer");
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
    t_sock_send_all(&ts, h, req, len, RETRY_MS);
    int got = get_answer(h, closing, &body);
    if (got != code || strncmp(body, want, strlen(want)) != 0)
        fail("got %d \"%s\", expected %d \"%s\"", got, clip(body, 60), code, want);
    char line[40];
    kide_u32 n = 0;
    while (n < sizeof line - 1 && req[n] != '\r')
        line[n] = req[n], n++;
    line[n] = 0;
    kide_log(ts.env, "http-client: %d for %s", code, line);
}

void kide_main(struct kide_env *env)
{
    char server[40];
    kide_u64 remote = t_sock_setup(&ts, env, "net-http", 80, server, sizeof server);
    kide_u64 h = t_sock_connect(&ts, remote, RETRY_MS, ts.deadline, 0);
    kide_log(env, "http-client: connected to %s:%u", server, (unsigned)KIDE_SOCK_ADDR_PORT(remote));
    static const char r1[] = "GET / HTTP/1.1\r\nHost: kide\r\n\r\n";
    static const char r2[] = "GET /healthz HTTP/1.1\r\nHost: kide\r\n\r\n";
    static const char r3[] = "GET /nope HTTP/1.1\r\nHost: kide\r\n\r\n";
    static const char r4[] = "GET  /bad\r\n\r\n";
    request(h, r1, sizeof r1 - 1, 200, "{\"component\":\"", 0);
    request(h, r2, sizeof r2 - 1, 200, "ok", 0);
    request(h, r3, sizeof r3 - 1, 404, "404", 0);
    request(h, r4, sizeof r4 - 1, 400, "400", 1);
    t_sock_close(&ts, h);
    h = t_sock_connect(&ts, remote, RETRY_MS, ts.deadline, 0);
    memset(big, 'a', sizeof big);
    memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
    request(h, big, sizeof big, 431, "431", 1);
    t_sock_close(&ts, h);
    kide_log(env, "PASS net-http");
    kide_exit(env, 0);
}
