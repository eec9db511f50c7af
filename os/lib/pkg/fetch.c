/* SPDX-License-Identifier: MIT */
/* One HTTP/1.1 GET over the socket session; see kide/pkg_fetch.h. Every wait
 * is on the session's notify semaphore with the request's deadline, so a
 * registry that stops answering costs at most timeout_ms. */
#include <kide/base.h>
#include <kide/sys.h>
#include "kide/pkg_fetch.h"

#define NS_PER_MS 1000000ull

struct get {
    struct kide_sock_client *c;
    kide_sel sm;
    kide_u64 deadline, handle;
    int connected; /**< handle is a socket of ours (to close) */
    char *err;
    kide_u64 errsize;
};

/* Wait for the next notification, at most until the deadline. */
static int wait_ready(struct get *g, const char *doing)
{
    kide_u64 now = kide_now_ns();
    if (now >= g->deadline) {
        snprintf(g->err, g->errsize, "timed out %s", doing);
        return KIDE_TIMEOUT;
    }
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, g->sm, g->deadline);
    return KIDE_OK;
}

static int sock_fail(struct get *g, const char *what, int st, kide_u64 err)
{
    snprintf(g->err, g->errsize, "%s: %s, socket error %lu", what, kide_status_name(st), err);
    return st != KIDE_OK ? st : KIDE_ABORTED;
}

static int connect_to(struct get *g, const struct pkg_http_req *req)
{
    struct kide_sock_connect_req cr = {KIDE_SOCK_ADDR(req->ip, req->port)};
    struct kide_sock_open_rep rep = {0};
    int st = kide_sock_tcp_connect(g->c, &cr, &rep);
    if (st != KIDE_OK || (rep.err != KIDE_SOCK_OK && rep.err != KIDE_SOCK_IN_PROGRESS))
        return sock_fail(g, "connect", st, rep.err);
    g->handle = rep.handle;
    g->connected = 1;
    for (;;) {
        struct kide_sock_poll_req pr = {.count = 1, .handles = {rep.handle}};
        struct kide_sock_poll_rep pp = {0};
        if ((st = kide_sock_poll(g->c, &pr, &pp)) != KIDE_OK)
            return sock_fail(g, "poll", st, 0);
        if (pp.events[0] & KIDE_SOCK_ERROR)
            return sock_fail(g, "connect (is the registry running?)", KIDE_OK, 0);
        if (pp.events[0] & KIDE_SOCK_WRITABLE)
            return KIDE_OK;
        if ((st = wait_ready(g, "connecting")) != KIDE_OK)
            return st;
    }
}

static int send_all(struct get *g, const char *data, kide_u64 len)
{
    for (kide_u64 sent = 0; sent < len;) {
        struct kide_sock_send_rep r = {0};
        int st = kide_sock_tcp_send(g->c, g->handle, data + sent, len - sent, &r);
        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            return sock_fail(g, "send", st, r.err);
        sent += r.accepted;
        if (!r.accepted && (st = wait_ready(g, "sending the request")) != KIDE_OK)
            return st;
    }
    return KIDE_OK;
}

/* Receive until the head is parsed and head + body are in buf. */
static int receive(struct get *g, kide_u64 max_body, char *buf, kide_u64 cap, kide_u64 *len)
{
    struct pkg_http_head h = {0};
    kide_u64 got = 0;
    int parsed = 0;
    for (;;) {
        if (!parsed) {
            parsed = pkg_http_head_parse(buf, got, max_body, &h, g->err, g->errsize);
            if (parsed < 0)
                return h.status == 404 ? KIDE_NOT_FOUND : KIDE_BAD_PARAM;
        }
        if (parsed && got >= h.head_len + h.content_length)
            break;
        if (got == cap) {
            snprintf(g->err, g->errsize, "the response does not fit %lu bytes", cap);
            return KIDE_BAD_PARAM;
        }
        struct kide_sock_recv_rep r = {0};
        int st = kide_sock_tcp_recv(g->c, g->handle, buf + got, cap - got, &r);
        if (st == KIDE_OK && r.err == KIDE_SOCK_CLOSED) {
            snprintf(g->err, g->errsize, "the registry closed after %lu bytes", got);
            return KIDE_ABORTED;
        }
        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            return sock_fail(g, "recv", st, r.err);
        got += r.len;
        if (!r.len && (st = wait_ready(g, "waiting for the registry")) != KIDE_OK)
            return st;
    }
    /* Anything after Content-Length bytes is ignored (Connection: close). */
    memmove(buf, buf + h.head_len, h.content_length);
    *len = h.content_length;
    return KIDE_OK;
}

static int path_ok(const char *p)
{
    kide_u64 n = strnlen(p, PKG_HTTP_PATH_MAX + 1);
    if (!n || n > PKG_HTTP_PATH_MAX || p[0] != '/')
        return 0;
    for (kide_u64 i = 0; i < n; i++)
        if ((unsigned char)p[i] <= 0x20 || (unsigned char)p[i] >= 0x7f)
            return 0;
    return 1;
}

int pkg_http_get(struct kide_sock_client *c, kide_sel sm, const struct pkg_http_req *req,
                 kide_u64 max_body, void *buf, kide_u64 cap, kide_u64 *len, char *err,
                 kide_u64 errsize)
{
    static char request[PKG_HTTP_PATH_MAX + 256]; /* one fetch at a time per component */
    struct get g = {c, sm, kide_now_ns() + req->timeout_ms * NS_PER_MS, 0, 0, err, errsize};
    *len = 0;
    if (!path_ok(req->path) || !req->host || strnlen(req->host, 128) >= 128 || !req->port ||
        !req->timeout_ms || cap < max_body || cap - max_body < PKG_HTTP_HEAD_MAX) {
        snprintf(err, errsize,
                 "bad request: a path '/...' of printable bytes, a host, a port, "
                 "a timeout, and a buffer of max_body + 8192 bytes");
        return KIDE_BAD_PARAM;
    }
    int n = snprintf(request, sizeof(request),
                     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: kide-pkg\r\nAccept: */*\r\n"
                     "Connection: close\r\n\r\n",
                     req->path, req->host);
    int st = connect_to(&g, req);
    if (st == KIDE_OK)
        st = send_all(&g, request, (kide_u64)n);
    if (st == KIDE_OK)
        st = receive(&g, max_body, buf, cap, len);
    if (g.connected)
        kide_sock_drop(c, g.handle);
    return st;
}
