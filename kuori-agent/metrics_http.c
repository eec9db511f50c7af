/* SPDX-License-Identifier: MIT */
/* metrics_http.c: see metrics_http.h. One request per connection: the answer
 * says `Connection: close`; once it is sent the agent reads (and drops) until
 * the client closes, or KMETRICS_IDLE_NS pass, and then closes (closing with
 * unread input would reset the connection and could cost the client the
 * answer). A scrape counts as served when the client closed after the whole
 * page: the first is logged once. The request head is parsed by
 * http-status's bounded parser (library kide-http). */
#include <kide/component.h>

#include "metrics_http.h"

static void mc_close(struct kmetrics *m, struct kmetrics_conn *c)
{
    kide_sock_drop(m->sc, c->handle);
    c->used = 0;
}

static void answer(struct kagent *a, struct kmetrics_conn *c, int code, int head_only)
{
    static char page[KMETRICS_PAGE];
    long blen = 0;
    const char *reason = "OK", *type = "text/plain; version=0.0.4; charset=utf-8";
    if (code == 200) {
        __SIZE_TYPE__ len = 0;
        a->report_len = 0; /* report is overwritten: no watch cache */
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
    c->page_200 = code == 200;
}

/* After the answer: read and drop until the client closes. */
static int mc_drain(struct kmetrics *m, struct kmetrics_conn *c)
{
    struct kide_sock_recv_rep r;
    if (kide_sock_tcp_recv(m->sc, c->handle, c->in, HTTP_HEAD_MAX, &r) != KIDE_OK ||
        (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
        m->scrapes += c->page_200;
        if (c->page_200 && m->scrapes == 1) /* one line: that scraping works */
            kide_log(m->env, "kuori-agent: first metrics scrape served");
        mc_close(m, c);
        return 1;
    }
    if (kide_now_ns() - c->opened_ns > KMETRICS_IDLE_NS) {
        mc_close(m, c);
        return 1;
    }
    return r.err == KIDE_SOCK_OK && r.len > 0;
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
            c->out_len = c->out_off = 0;
            c->sent = 1;
            c->opened_ns = kide_now_ns(); /* the client has KMETRICS_IDLE_NS to close */
            return 1;
        }
        return r.accepted > 0;
    }
    if (c->sent)
        return mc_drain(m, c);
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
            answer(a, c, pr == HTTP_PARSE_TOO_LARGE ? 431 : 400, 0);
        else if (req.method == HTTP_OTHER)
            answer(a, c, 405, 0);
        else if (strcmp(req.path, "/metrics"))
            answer(a, c, 404, req.method == HTTP_HEAD);
        else
            answer(a, c, 200, req.method == HTTP_HEAD);
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
            c->sent = c->page_200 = 0;
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
