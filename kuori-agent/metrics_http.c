/* SPDX-License-Identifier: MIT */
/* metrics_http.c: see metrics_http.h. One request per connection: the answer
 * says `Connection: close` and the connection closes once it is sent
 * (Prometheus opens one per scrape anyway). The request head is parsed by
 * http-status's bounded parser (library kide-http). */
#include <kide/component.h>

#include "metrics_http.h"

static void mc_close(struct kmetrics *m, struct kmetrics_conn *c)
{
    kide_sock_drop(m->sc, c->handle);
    c->used = 0;
}

static void answer(struct kagent *a, struct kmetrics *m, struct kmetrics_conn *c, int code,
                   int head_only)
{
    static char page[KMETRICS_PAGE];
    long blen = 0;
    const char *reason = "OK", *type = "text/plain; version=0.0.4; charset=utf-8";
    if (code == 200) {
        __SIZE_TYPE__ len = 0;
        if (a->be->report(a->be->ctx, a->report, sizeof a->report, &len) != KAGENT_B_OK ||
            (blen = kagent_metrics(a, a->report, len, page, sizeof page)) < 0)
            code = 503;
    }
    if (code != 200) {
        reason = code == 404   ? "Not Found"
                 : code == 405 ? "Method Not Allowed"
                 : code == 503 ? "Service Unavailable"
                 : code == 431 ? "Request Header Fields Too Large"
                               : "Bad Request";
        type = "text/plain";
        blen = snprintf(page, sizeof page, "%d %s\n", code, reason);
    }
    int n = snprintf(c->out, sizeof c->out,
                     "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %ld\r\n"
                     "Connection: close\r\n\r\n",
                     code, reason, type, blen);
    c->out_len = (kide_u32)n;
    if (!head_only) {
        memcpy(c->out + n, page, (__SIZE_TYPE__)blen); /* n < 256, blen <= KMETRICS_PAGE */
        c->out_len += (kide_u32)blen;
    }
    c->out_off = 0;
    m->scrapes += code == 200;
}

static int mc_serve(struct kagent *a, struct kmetrics *m, struct kmetrics_conn *c)
{
    if (c->out_len) {
        struct kide_sock_send_rep r;
        if (kide_sock_tcp_send(m->sc, c->handle, c->out + c->out_off, c->out_len - c->out_off,
                               &r) != KIDE_OK ||
            (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
            mc_close(m, c);
            return 1;
        }
        c->out_off += (kide_u32)r.accepted;
        if (c->out_off >= c->out_len) {
            mc_close(m, c);
            return 1;
        }
        return r.accepted > 0;
    }
    struct kide_sock_recv_rep r;
    if (kide_sock_tcp_recv(m->sc, c->handle, c->in + c->in_len, HTTP_HEAD_MAX - c->in_len, &r) !=
                KIDE_OK ||
        (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
        mc_close(m, c);
        return 1;
    }
    if (r.err == KIDE_SOCK_OK && r.len > 0) {
        c->in_len += (kide_u32)r.len;
        struct http_req req;
        enum http_parse_result pr = http_parse(c->in, c->in_len, &req);
        if (pr == HTTP_PARSE_INCOMPLETE)
            return 1;
        if (pr != HTTP_PARSE_OK)
            answer(a, m, c, pr == HTTP_PARSE_TOO_LARGE ? 431 : 400, 0);
        else if (req.method == HTTP_OTHER)
            answer(a, m, c, 405, 0);
        else if (strcmp(req.path, "/metrics"))
            answer(a, m, c, 404, req.method == HTTP_HEAD);
        else
            answer(a, m, c, 200, req.method == HTTP_HEAD);
        return 1;
    }
    if (kide_now_ns() - c->opened_ns > KMETRICS_IDLE_NS) {
        mc_close(m, c);
        return 1;
    }
    return 0;
}

int kmetrics_serve(struct kagent *a, struct kmetrics *m)
{
    int moved = 0;
    for (unsigned i = 0; i < KMETRICS_CONNS; i++) {
        struct kmetrics_conn *c = &m->conns[i];
        if (!c->used) {
            struct kide_sock_handle_req h = {m->listener};
            struct kide_sock_accept_rep r;
            if (kide_sock_tcp_accept(m->sc, &h, &r) != KIDE_OK || r.err != KIDE_SOCK_OK)
                continue;
            c->used = 1;
            c->handle = r.handle;
            c->opened_ns = kide_now_ns();
            c->in_len = c->out_off = c->out_len = 0;
            moved = 1;
        }
        moved |= mc_serve(a, m, c);
    }
    return moved;
}

void kmetrics_reset(struct kmetrics *m)
{
    for (unsigned i = 0; i < KMETRICS_CONNS; i++)
        m->conns[i].used = 0;
}
