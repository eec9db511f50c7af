/* SPDX-License-Identifier: MIT */
/* os/net: one socket session over lwIP's raw API (net/session.h).
 *
 * A socket's states: free (kind 0) -> UDP, LISTEN, or TCP (CONNECTING ->
 * OPEN -> PEER_CLOSED, or FAILED from any). Connections a listener accepted
 * are sockets from the start, marked unaccepted and listed in the
 * listener's pending array until ACCEPT hands them out, so their data is
 * queued and counted like any other. Invariant: a socket whose pcb lwIP
 * freed (on_err) has tcp == NULL; nothing calls lwIP on it again. Every
 * lwIP callback's argument is the socket, never the session.
 *
 * Every request is validated here once, before it touches a socket:
 * the word count, the handle (in range, in use, of the right kind), the
 * buffer range (offset <= size and len <= size - offset), the address word,
 * the backlog and the poll count.
 */
#include "net/session.h"

#include "lwip/pbuf.h"
#include "lwip/tcp.h"
#include "lwip/udp.h"

#include <string.h>

#define REPLY(...)                                                                                 \
    do {                                                                                           \
        const uint64_t words_[] = {__VA_ARGS__};                                                   \
        memcpy(rep, words_, sizeof words_);                                                        \
        *nrep = (unsigned)(sizeof words_ / 8);                                                     \
    } while (0)

static void notify(struct net_sock *k)
{
    if (k->session->notify)
        k->session->notify(k->session->notify_ctx);
}

static uint64_t addr_of(const ip_addr_t *ip, u16_t port)
{
    return KIDE_SOCK_ADDR(lwip_ntohl(ip_2_ip4(ip)->addr), port);
}

static void ip_of(uint64_t a, ip_addr_t *ip)
{
    ip_addr_set_zero_ip4(ip);
    ip_2_ip4(ip)->addr = lwip_htonl(KIDE_SOCK_ADDR_IP(a));
}

static int sock_alloc(struct net_session *s, uint8_t kind)
{
    for (int h = 0; h < (int)KIDE_SOCK_MAX; h++)
        if (!s->socks[h].kind) {
            memset(&s->socks[h], 0, sizeof s->socks[h]);
            s->socks[h].kind = kind;
            s->socks[h].session = s;
            return h;
        }
    return -1;
}

/* The socket HANDLE names, if it is in use and of KIND (0: any). */
static struct net_sock *sock_get(struct net_session *s, uint64_t handle, uint8_t kind)
{
    struct net_sock *k;

    if (handle >= KIDE_SOCK_MAX)
        return NULL;
    k = &s->socks[handle];
    if (!k->kind || k->unaccepted || (kind && k->kind != kind))
        return NULL;
    return k;
}

static uint8_t err_of(err_t e)
{
    switch (e) {
    case ERR_RST:
        return KIDE_SOCK_RESET;
    case ERR_ABRT:
    case ERR_CLSD:
        return KIDE_SOCK_CLOSED;
    case ERR_RTE:
        return KIDE_SOCK_UNREACHABLE;
    case ERR_USE:
        return KIDE_SOCK_ADDR_IN_USE;
    case ERR_MEM:
    case ERR_BUF:
        return KIDE_SOCK_NO_BUFFERS;
    case ERR_CONN:
        return KIDE_SOCK_NOT_CONNECTED;
    default:
        return KIDE_SOCK_TIMED_OUT;
    }
}

/* ---- lwIP callbacks ---- */

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    struct net_sock *k = arg;

    (void)pcb, (void)err;
    if (!p) {
        if (k->state == KIDE_SOCK_S_OPEN)
            k->state = KIDE_SOCK_S_PEER_CLOSED;
        notify(k);
        return ERR_OK;
    }
    if (k->rx && (unsigned)k->rx->tot_len + p->tot_len > 0xffff)
        return ERR_MEM; /* lwIP keeps p as refused data and offers it again */
    if (k->rx)
        pbuf_cat(k->rx, p);
    else
        k->rx = p;
    notify(k);
    return ERR_OK;
}

static err_t on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
    (void)pcb, (void)len;
    notify(arg);
    return ERR_OK;
}

static void on_err(void *arg, err_t e)
{
    struct net_sock *k = arg;

    k->tcp = NULL; /* lwIP freed the pcb */
    k->err = k->state == KIDE_SOCK_S_CONNECTING && e == ERR_RST ? KIDE_SOCK_REFUSED : err_of(e);
    k->state = KIDE_SOCK_S_FAILED;
    notify(k);
}

static void tcp_hook(struct net_sock *k, struct tcp_pcb *pcb)
{
    k->tcp = pcb;
    tcp_arg(pcb, k);
    tcp_recv(pcb, on_recv);
    tcp_sent(pcb, on_sent);
    tcp_err(pcb, on_err);
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct net_sock *k = arg;

    (void)pcb, (void)err;
    k->state = KIDE_SOCK_S_OPEN;
    notify(k);
    return ERR_OK;
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    struct net_sock *l = arg;
    int h;

    if (err != ERR_OK || !pcb)
        return ERR_VAL; /* lwIP could not make the pcb: nothing to undo */
    if (l->npending >= l->backlog || (h = sock_alloc(l->session, NET_SOCK_TCP)) < 0) {
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    l->session->socks[h].state = KIDE_SOCK_S_OPEN;
    l->session->socks[h].unaccepted = 1;
    tcp_hook(&l->session->socks[h], pcb);
    tcp_backlog_delayed(pcb); /* counted against the backlog until ACCEPT */
    l->pending[l->npending++] = (uint16_t)h;
    notify(l);
    return ERR_OK;
}

static void on_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *ip, u16_t port)
{
    struct net_sock *k = arg;

    (void)pcb;
    if (k->dn == NET_SESSION_DGRAMS) {
        k->drops++;
        pbuf_free(p);
        return;
    }
    k->dq[(k->dhead + k->dn) % NET_SESSION_DGRAMS].p = p;
    k->dq[(k->dhead + k->dn) % NET_SESSION_DGRAMS].from = addr_of(ip, port);
    k->dn++;
    notify(k);
}

/* ---- freeing ---- */

static void sock_free(struct net_session *s, int h, int abort_conn)
{
    struct net_sock *k = &s->socks[h];

    for (unsigned i = 0; k->kind == NET_SOCK_LISTEN && i < k->npending; i++)
        sock_free(s, k->pending[i], 1);
    if (k->tcp && k->kind == NET_SOCK_LISTEN) {
        tcp_arg(k->tcp, NULL);
        tcp_accept(k->tcp, NULL);
        tcp_close(k->tcp); /* a listener's close always succeeds */
    } else if (k->tcp) {
        tcp_arg(k->tcp, NULL);
        tcp_recv(k->tcp, NULL);
        tcp_sent(k->tcp, NULL);
        tcp_err(k->tcp, NULL);
        if (abort_conn || tcp_close(k->tcp) != ERR_OK)
            tcp_abort(k->tcp);
    }
    if (k->udp)
        udp_remove(k->udp);
    if (k->rx)
        pbuf_free(k->rx);
    for (; k->dn; k->dn--, k->dhead = (uint8_t)((k->dhead + 1) % NET_SESSION_DGRAMS))
        pbuf_free(k->dq[k->dhead].p);
    memset(k, 0, sizeof *k);
}

void net_session_init(struct net_session *s, uint8_t *buf, size_t size)
{
    memset(s, 0, sizeof *s);
    s->buf = buf;
    s->size = size;
}

void net_session_fini(struct net_session *s)
{
    for (int h = 0; h < (int)KIDE_SOCK_MAX; h++)
        if (s->socks[h].kind && !s->socks[h].unaccepted)
            sock_free(s, h, 1);
}

/* ---- operations: each gets validated words ---- */

static int op_connect(struct net_session *s, const uint64_t *req, uint64_t *rep, unsigned *nrep)
{
    ip_addr_t ip;
    struct tcp_pcb *pcb;
    int h;

    if (!KIDE_SOCK_ADDR_VALID(req[0]) || KIDE_SOCK_ADDR_PORT(req[0]) == 0)
        return KIDE_BAD_PARAM;
    if ((h = sock_alloc(s, NET_SOCK_TCP)) < 0) {
        REPLY(KIDE_SOCK_NO_SOCKETS, 0, 0);
        return KIDE_OK;
    }
    if (!(pcb = tcp_new())) {
        sock_free(s, h, 1);
        REPLY(KIDE_SOCK_NO_BUFFERS, 0, 0);
        return KIDE_OK;
    }
    tcp_hook(&s->socks[h], pcb);
    s->socks[h].state = KIDE_SOCK_S_CONNECTING;
    ip_of(req[0], &ip);
    err_t e = tcp_connect(pcb, &ip, KIDE_SOCK_ADDR_PORT(req[0]), on_connected);
    if (e != ERR_OK) {
        sock_free(s, h, 1);
        REPLY(err_of(e), 0, 0);
        return KIDE_OK;
    }
    REPLY(KIDE_SOCK_IN_PROGRESS, (uint64_t)h, addr_of(&pcb->local_ip, pcb->local_port));
    return KIDE_OK;
}

static int op_listen(struct net_session *s, const uint64_t *req, uint64_t *rep, unsigned *nrep)
{
    ip_addr_t ip;
    struct tcp_pcb *pcb, *lpcb;
    err_t e;
    int h;

    if (!KIDE_SOCK_ADDR_VALID(req[0]) || req[1] < 1 || req[1] > KIDE_SOCK_BACKLOG_MAX)
        return KIDE_BAD_PARAM;
    if ((h = sock_alloc(s, NET_SOCK_LISTEN)) < 0) {
        REPLY(KIDE_SOCK_NO_SOCKETS, 0, 0);
        return KIDE_OK;
    }
    ip_of(req[0], &ip);
    /* SO_REUSEADDR: the port's old connections in TIME_WAIT (a server that
     * restarted) do not keep it; a second listener still gets ERR_USE. */
    if ((pcb = tcp_new()))
        ip_set_option(pcb, SOF_REUSEADDR);
    if (!pcb || (e = tcp_bind(pcb, &ip, KIDE_SOCK_ADDR_PORT(req[0]))) != ERR_OK ||
        !(lpcb = tcp_listen_with_backlog_and_err(pcb, (u8_t)req[1], &e))) {
        if (pcb)
            tcp_close(pcb); /* never connected: close frees it at once */
        sock_free(s, h, 1);
        REPLY(pcb ? err_of(e) : KIDE_SOCK_NO_BUFFERS, 0, 0);
        return KIDE_OK;
    }
    s->socks[h].tcp = lpcb;
    s->socks[h].state = KIDE_SOCK_S_LISTEN;
    s->socks[h].backlog = (uint16_t)req[1];
    tcp_arg(lpcb, &s->socks[h]);
    tcp_accept(lpcb, on_accept);
    REPLY(KIDE_SOCK_OK, (uint64_t)h, addr_of(&lpcb->local_ip, lpcb->local_port));
    return KIDE_OK;
}

static int op_accept(struct net_session *s, struct net_sock *l, uint64_t *rep, unsigned *nrep)
{
    struct net_sock *k;
    uint16_t h;

    if (l->npending == 0) {
        REPLY(KIDE_SOCK_WOULD_BLOCK, 0, 0);
        return KIDE_OK;
    }
    h = l->pending[0];
    memmove(l->pending, l->pending + 1, --l->npending * sizeof l->pending[0]);
    k = &s->socks[h];
    k->unaccepted = 0;
    if (k->tcp)
        tcp_backlog_accepted(k->tcp);
    REPLY(KIDE_SOCK_OK, h, k->tcp ? addr_of(&k->tcp->remote_ip, k->tcp->remote_port) : 0);
    return KIDE_OK;
}

static int op_send(struct net_session *s, struct net_sock *k, const uint64_t *req, uint64_t *rep,
                   unsigned *nrep)
{
    uint64_t n;

    if (!k->tcp || k->state != KIDE_SOCK_S_OPEN) {
        REPLY(k->state == KIDE_SOCK_S_FAILED ? k->err : KIDE_SOCK_NOT_CONNECTED, 0);
        return KIDE_OK;
    }
    n = tcp_sndbuf(k->tcp);
    if (n > req[2])
        n = req[2];
    if (n > 0xffff)
        n = 0xffff;
    if (n == 0 || tcp_write(k->tcp, s->buf + req[1], (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK) {
        REPLY(KIDE_SOCK_WOULD_BLOCK, 0);
        return KIDE_OK;
    }
    tcp_output(k->tcp);
    REPLY(KIDE_SOCK_OK, n);
    return KIDE_OK;
}

static int op_recv(struct net_session *s, struct net_sock *k, const uint64_t *req, uint64_t *rep,
                   unsigned *nrep)
{
    uint64_t n = k->rx ? k->rx->tot_len : 0;

    if (n > req[2])
        n = req[2];
    if (n == 0) {
        uint8_t e = k->state == KIDE_SOCK_S_PEER_CLOSED  ? KIDE_SOCK_CLOSED
                    : k->state == KIDE_SOCK_S_FAILED     ? k->err
                    : k->state == KIDE_SOCK_S_CONNECTING ? KIDE_SOCK_NOT_CONNECTED
                                                         : KIDE_SOCK_WOULD_BLOCK;
        REPLY(e, 0);
        return KIDE_OK;
    }
    pbuf_copy_partial(k->rx, s->buf + req[1], (u16_t)n, 0);
    k->rx = pbuf_free_header(k->rx, (u16_t)n);
    if (k->tcp)
        tcp_recved(k->tcp, (u16_t)n); /* the window opens by what the client took */
    REPLY(KIDE_SOCK_OK, n);
    return KIDE_OK;
}

static int op_bind(struct net_session *s, const uint64_t *req, uint64_t *rep, unsigned *nrep)
{
    ip_addr_t ip;
    struct udp_pcb *pcb;
    err_t e;
    int h;

    if (!KIDE_SOCK_ADDR_VALID(req[0]))
        return KIDE_BAD_PARAM;
    if ((h = sock_alloc(s, NET_SOCK_UDP)) < 0) {
        REPLY(KIDE_SOCK_NO_SOCKETS, 0, 0);
        return KIDE_OK;
    }
    ip_of(req[0], &ip);
    if (!(pcb = udp_new()) || (e = udp_bind(pcb, &ip, KIDE_SOCK_ADDR_PORT(req[0]))) != ERR_OK) {
        if (pcb)
            udp_remove(pcb);
        sock_free(s, h, 1);
        REPLY(pcb ? err_of(e) : KIDE_SOCK_NO_BUFFERS, 0, 0);
        return KIDE_OK;
    }
    s->socks[h].udp = pcb;
    s->socks[h].state = KIDE_SOCK_S_UDP;
    udp_recv(pcb, on_udp, &s->socks[h]);
    REPLY(KIDE_SOCK_OK, (uint64_t)h, addr_of(&pcb->local_ip, pcb->local_port));
    return KIDE_OK;
}

static int op_sendto(struct net_session *s, struct net_sock *k, const uint64_t *req, uint64_t *rep,
                     unsigned *nrep)
{
    ip_addr_t ip;
    struct pbuf *p;
    err_t e;

    if (!KIDE_SOCK_ADDR_VALID(req[1]) || req[3] > KIDE_SOCK_DGRAM_MAX)
        return KIDE_BAD_PARAM;
    if (!(p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)req[3], PBUF_RAM))) {
        REPLY(KIDE_SOCK_NO_BUFFERS);
        return KIDE_OK;
    }
    pbuf_take(p, s->buf + req[2], (u16_t)req[3]);
    ip_of(req[1], &ip);
    e = udp_sendto(k->udp, p, &ip, KIDE_SOCK_ADDR_PORT(req[1]));
    pbuf_free(p);
    REPLY(e == ERR_OK ? KIDE_SOCK_OK : err_of(e));
    return KIDE_OK;
}

static int op_recvfrom(struct net_session *s, struct net_sock *k, const uint64_t *req,
                       uint64_t *rep, unsigned *nrep)
{
    struct pbuf *p;
    uint64_t n, from;

    if (k->dn == 0) {
        REPLY(KIDE_SOCK_WOULD_BLOCK, 0, 0, 0);
        return KIDE_OK;
    }
    p = k->dq[k->dhead].p;
    from = k->dq[k->dhead].from;
    k->dhead = (uint8_t)((k->dhead + 1) % NET_SESSION_DGRAMS);
    k->dn--;
    n = p->tot_len < req[2] ? p->tot_len : req[2];
    pbuf_copy_partial(p, s->buf + req[1], (u16_t)n, 0);
    REPLY(KIDE_SOCK_OK, n, from, p->tot_len > n);
    pbuf_free(p);
    return KIDE_OK;
}

static uint64_t events_of(struct net_sock *k)
{
    uint64_t ev = 0;

    switch (k->kind) {
    case NET_SOCK_LISTEN:
        ev = k->npending ? KIDE_SOCK_READABLE : 0;
        break;
    case NET_SOCK_UDP:
        ev = KIDE_SOCK_WRITABLE | (k->dn ? KIDE_SOCK_READABLE : 0);
        break;
    default:
        if (k->rx || k->state == KIDE_SOCK_S_PEER_CLOSED)
            ev |= KIDE_SOCK_READABLE;
        if (k->tcp && k->state == KIDE_SOCK_S_OPEN && tcp_sndbuf(k->tcp) > 0)
            ev |= KIDE_SOCK_WRITABLE;
        if (k->state == KIDE_SOCK_S_FAILED || k->state == KIDE_SOCK_S_PEER_CLOSED)
            ev |= KIDE_SOCK_ERROR;
    }
    return ev;
}

static int op_poll(struct net_session *s, const uint64_t *req, unsigned nreq, uint64_t *rep,
                   unsigned *nrep)
{
    uint64_t count = req[0];

    if (count < 1 || count > KIDE_SOCK_POLL_MAX || nreq < 1 + count)
        return KIDE_BAD_PARAM;
    for (unsigned i = 0; i < count; i++)
        if (!sock_get(s, req[1 + i], 0))
            return KIDE_BAD_PARAM;
    for (unsigned i = 0; i < count; i++)
        rep[i] = events_of(sock_get(s, req[1 + i], 0));
    *nrep = (unsigned)count;
    return KIDE_OK;
}

static int op_status(struct net_sock *k, uint64_t *rep, unsigned *nrep)
{
    uint64_t local = 0, remote = 0;

    if (k->tcp) {
        local = addr_of(&k->tcp->local_ip, k->tcp->local_port);
        if (k->kind == NET_SOCK_TCP)
            remote = addr_of(&k->tcp->remote_ip, k->tcp->remote_port);
    } else if (k->udp) {
        local = addr_of(&k->udp->local_ip, k->udp->local_port);
    }
    REPLY(k->err, k->state, local, remote);
    return KIDE_OK;
}

/* The words each operation needs (after the op word). */
static unsigned need(uint64_t op)
{
    switch (op) {
    case KIDE_SOCK_TCP_CONNECT:
    case KIDE_SOCK_TCP_ACCEPT:
    case KIDE_SOCK_CLOSE:
    case KIDE_SOCK_UDP_BIND:
    case KIDE_SOCK_POLL:
    case KIDE_SOCK_STATUS:
        return 1;
    case KIDE_SOCK_TCP_LISTEN:
        return 2;
    case KIDE_SOCK_TCP_SEND:
    case KIDE_SOCK_TCP_RECV:
    case KIDE_SOCK_UDP_RECVFROM:
        return 3;
    case KIDE_SOCK_UDP_SENDTO:
        return 4;
    default:
        return 0;
    }
}

/* The words of each operation's reply (socket.h's reply structs). */
static unsigned reply_words(uint64_t op)
{
    switch (op) {
    case KIDE_SOCK_CLOSE:
    case KIDE_SOCK_UDP_SENDTO:
        return 1;
    case KIDE_SOCK_TCP_SEND:
    case KIDE_SOCK_TCP_RECV:
        return 2;
    case KIDE_SOCK_UDP_RECVFROM:
    case KIDE_SOCK_STATUS:
        return 4;
    default:
        return 3;
    }
}

/* Is [off, off + len) inside the shared buffer? */
static int in_buf(const struct net_session *s, uint64_t off, uint64_t len)
{
    return s->buf && off <= s->size && len <= s->size - off;
}

int net_session_call(struct net_session *s, uint64_t op, const uint64_t *req, unsigned nreq,
                     uint64_t *rep, unsigned *nrep)
{
    struct net_sock *k = NULL;
    uint8_t kind = op == KIDE_SOCK_TCP_ACCEPT                                   ? NET_SOCK_LISTEN
                   : op == KIDE_SOCK_TCP_SEND || op == KIDE_SOCK_TCP_RECV       ? NET_SOCK_TCP
                   : op == KIDE_SOCK_UDP_SENDTO || op == KIDE_SOCK_UDP_RECVFROM ? NET_SOCK_UDP
                                                                                : 0;

    *nrep = 0;
    if (need(op) == 0 || nreq < need(op))
        return KIDE_BAD_PARAM;
    if (op == KIDE_SOCK_TCP_ACCEPT || op == KIDE_SOCK_TCP_SEND || op == KIDE_SOCK_TCP_RECV ||
        op == KIDE_SOCK_CLOSE || op == KIDE_SOCK_UDP_SENDTO || op == KIDE_SOCK_UDP_RECVFROM ||
        op == KIDE_SOCK_STATUS) {
        if (!(k = sock_get(s, req[0], 0)))
            return KIDE_BAD_PARAM;
        if (kind && k->kind != kind) {
            *nrep = reply_words(op);
            memset(rep, 0, *nrep * sizeof *rep);
            rep[0] = KIDE_SOCK_WRONG_TYPE;
            return KIDE_OK;
        }
    }
    if ((op == KIDE_SOCK_TCP_SEND || op == KIDE_SOCK_TCP_RECV || op == KIDE_SOCK_UDP_RECVFROM) &&
        !in_buf(s, req[1], req[2]))
        return KIDE_BAD_PARAM;
    if (op == KIDE_SOCK_UDP_SENDTO && !in_buf(s, req[2], req[3]))
        return KIDE_BAD_PARAM;

    switch (op) {
    case KIDE_SOCK_TCP_CONNECT:
        return op_connect(s, req, rep, nrep);
    case KIDE_SOCK_TCP_LISTEN:
        return op_listen(s, req, rep, nrep);
    case KIDE_SOCK_TCP_ACCEPT:
        return op_accept(s, k, rep, nrep);
    case KIDE_SOCK_TCP_SEND:
        return op_send(s, k, req, rep, nrep);
    case KIDE_SOCK_TCP_RECV:
        return op_recv(s, k, req, rep, nrep);
    case KIDE_SOCK_CLOSE:
        sock_free(s, (int)req[0], 0);
        REPLY(KIDE_SOCK_OK);
        return KIDE_OK;
    case KIDE_SOCK_UDP_BIND:
        return op_bind(s, req, rep, nrep);
    case KIDE_SOCK_UDP_SENDTO:
        return op_sendto(s, k, req, rep, nrep);
    case KIDE_SOCK_UDP_RECVFROM:
        return op_recvfrom(s, k, req, rep, nrep);
    case KIDE_SOCK_POLL:
        return op_poll(s, req, nreq, rep, nrep);
    default: /* KIDE_SOCK_STATUS: need() knows no other */
        return op_status(k, rep, nrep);
    }
}
