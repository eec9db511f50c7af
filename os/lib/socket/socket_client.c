/* SPDX-License-Identifier: MIT */
/* The client library of the socket session (kide/socket_client.h), over
 * libkide's marshalling (kide_msg): a request struct's words are put in
 * order, the reply's result words are copied into the typed reply (missing
 * ones zero, and an OK reply without all of them is KIDE_BAD_PARAM). Data
 * is copied into and out of the shared buffer at offset 0, after the reply
 * was checked against what was asked.
 */
#include "kide/socket_client.h" /* beside this file: kide_library adds no include path for itself */

/* memcpy and memset: the base library's on the target, the C library's in the host test. */
void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n);
void *memset(void *dst, int c, __SIZE_TYPE__ n);

/* Call with m built; copy the reply's first rep_words result words into rep. */
static int finish(struct kide_sock_client *c, struct kide_msg *m, kide_sel send, void *rep,
                  unsigned rep_words)
{
    int st = c->lost      ? KIDE_ABORTED
             : c->ch.call ? c->ch.call(&c->ch, m, send)
                          : kide_msg_call_cap(m, c->ch.pt, 0, send, 0);

    if (c->lost)
        m->n = 0;
    else if (kide_sock_gone(st))
        c->lost = 1; /* the stack is gone, its buffer with it */
    unsigned have = m->n > 1 ? m->n - 1 : 0;
    unsigned n = have < rep_words ? have : rep_words;

    if (rep_words) {
        memcpy(rep, m->w + 1, (kide_u64)n * 8);
        memset((kide_u64 *)rep + n, 0, (kide_u64)(rep_words - n) * 8);
    }
    if (st == KIDE_OK && have < rep_words)
        return KIDE_BAD_PARAM;
    return st;
}

/* An operation whose request and reply are whole words. */
static int words(struct kide_sock_client *c, kide_u64 op, const void *req, unsigned req_words,
                 void *rep, unsigned rep_words)
{
    struct kide_msg m;
    const kide_u64 *w = req;

    kide_msg_begin(&m, op);
    for (unsigned i = 0; i < req_words; i++)
        kide_msg_put(&m, w[i]);
    return finish(c, &m, 0, rep, rep_words);
}

#define WORDS(x) ((unsigned)(sizeof(x) / 8))

int kide_sock_gone(int status)
{
    return status == KIDE_ABORTED || status == KIDE_BAD_CAP;
}

int kide_sock_buffer(struct kide_sock_client *c)
{
    struct kide_msg m;
    struct kide_sock_buffer_rep rep = {0};
    void *addr = 0;
    kide_u64 got = 0, pages = KIDE_SOCK_BUF_SIZE / 4096;
    int st;

    if (c->lost)
        return KIDE_ABORTED;
    kide_msg_begin(&m, KIDE_SOCK_BUFFER);
    st = c->ch.attach ? c->ch.attach(&c->ch, &m, pages, &addr, &got)
                      : kide_msg_call_attach(&m, c->ch.pt, pages, &addr, &got);
    if (kide_sock_gone(st))
        c->lost = 1;
    if (st != KIDE_OK)
        return st;
    if (m.n > 1)
        rep.size = m.w[1];
    if (got != pages || rep.size != KIDE_SOCK_BUF_SIZE || !addr)
        return KIDE_BAD_PARAM;
    c->buf = addr;
    c->size = rep.size;
    return KIDE_OK;
}

int kide_sock_notify(struct kide_sock_client *c, kide_sel sm)
{
    struct kide_msg m;

    kide_msg_begin(&m, KIDE_SOCK_NOTIFY);
    return finish(c, &m, sm, 0, 0);
}

int kide_sock_tcp_connect(struct kide_sock_client *c, const struct kide_sock_connect_req *req,
                          struct kide_sock_open_rep *rep)
{
    return words(c, KIDE_SOCK_TCP_CONNECT, req, WORDS(*req), rep, WORDS(*rep));
}

int kide_sock_tcp_listen(struct kide_sock_client *c, const struct kide_sock_listen_req *req,
                         struct kide_sock_open_rep *rep)
{
    return words(c, KIDE_SOCK_TCP_LISTEN, req, WORDS(*req), rep, WORDS(*rep));
}

int kide_sock_tcp_accept(struct kide_sock_client *c, const struct kide_sock_handle_req *req,
                         struct kide_sock_accept_rep *rep)
{
    return words(c, KIDE_SOCK_TCP_ACCEPT, req, WORDS(*req), rep, WORDS(*rep));
}

int kide_sock_tcp_send(struct kide_sock_client *c, kide_u64 handle, const void *data, kide_u64 len,
                       struct kide_sock_send_rep *rep)
{
    struct kide_sock_io_req req = {.handle = handle, .offset = 0, .len = len};
    int st;

    if (c->lost)
        return KIDE_ABORTED; /* the buffer went with the stack */
    if (!c->buf)
        return KIDE_BAD_PARAM;
    if (req.len > c->size)
        req.len = c->size;
    memcpy(c->buf, data, req.len);
    st = words(c, KIDE_SOCK_TCP_SEND, &req, WORDS(req), rep, WORDS(*rep));
    if (st == KIDE_OK && rep->accepted > req.len)
        return KIDE_BAD_PARAM; /* defensive: the server claims more than it was offered */
    return st;
}

/* A read through the shared buffer (TCP_RECV, UDP_RECVFROM): at most cap bytes,
 * no more than the buffer holds; *len is the reply's length field, which must
 * not exceed what was asked for before anything is copied out. */
static int read_out(struct kide_sock_client *c, kide_u64 op, kide_u64 handle, void *data,
                    kide_u64 cap, void *rep, unsigned rep_words, const kide_u64 *len)
{
    struct kide_sock_io_req req = {.handle = handle, .offset = 0, .len = cap};
    int st;

    if (c->lost)
        return KIDE_ABORTED;
    if (!c->buf)
        return KIDE_BAD_PARAM;
    if (req.len > c->size)
        req.len = c->size;
    st = words(c, op, &req, WORDS(req), rep, rep_words);
    if (st != KIDE_OK)
        return st;
    if (*len > req.len)
        return KIDE_BAD_PARAM; /* defensive: more than there was room for */
    memcpy(data, c->buf, *len);
    return KIDE_OK;
}

int kide_sock_tcp_recv(struct kide_sock_client *c, kide_u64 handle, void *data, kide_u64 cap,
                       struct kide_sock_recv_rep *rep)
{
    return read_out(c, KIDE_SOCK_TCP_RECV, handle, data, cap, rep, WORDS(*rep), &rep->len);
}

int kide_sock_close(struct kide_sock_client *c, const struct kide_sock_handle_req *req,
                    struct kide_sock_err_rep *rep)
{
    return words(c, KIDE_SOCK_CLOSE, req, WORDS(*req), rep, WORDS(*rep));
}

int kide_sock_udp_bind(struct kide_sock_client *c, const struct kide_sock_bind_req *req,
                       struct kide_sock_open_rep *rep)
{
    return words(c, KIDE_SOCK_UDP_BIND, req, WORDS(*req), rep, WORDS(*rep));
}

int kide_sock_udp_sendto(struct kide_sock_client *c, kide_u64 handle, kide_u64 remote,
                         const void *data, kide_u64 len, struct kide_sock_err_rep *rep)
{
    struct kide_sock_sendto_req req = {.handle = handle, .remote = remote, .offset = 0, .len = len};

    if (c->lost)
        return KIDE_ABORTED;
    if (!c->buf || len > KIDE_SOCK_DGRAM_MAX || len > c->size || !KIDE_SOCK_ADDR_VALID(remote))
        return KIDE_BAD_PARAM;
    memcpy(c->buf, data, len);
    return words(c, KIDE_SOCK_UDP_SENDTO, &req, WORDS(req), rep, WORDS(*rep));
}

int kide_sock_udp_recvfrom(struct kide_sock_client *c, kide_u64 handle, void *data, kide_u64 cap,
                           struct kide_sock_recvfrom_rep *rep)
{
    return read_out(c, KIDE_SOCK_UDP_RECVFROM, handle, data, cap, rep, WORDS(*rep), &rep->len);
}

int kide_sock_poll(struct kide_sock_client *c, const struct kide_sock_poll_req *req,
                   struct kide_sock_poll_rep *rep)
{
    unsigned n = (unsigned)req->count;

    if (req->count == 0 || req->count > KIDE_SOCK_POLL_MAX)
        return KIDE_BAD_PARAM;
    memset(rep, 0, sizeof *rep);
    return words(c, KIDE_SOCK_POLL, req, 1 + n, rep, n);
}

int kide_sock_status(struct kide_sock_client *c, const struct kide_sock_handle_req *req,
                     struct kide_sock_status_rep *rep)
{
    return words(c, KIDE_SOCK_STATUS, req, WORDS(*req), rep, WORDS(*rep));
}

int kide_sock_ip_parse(const char *s, kide_u32 *ip)
{
    kide_u32 v = 0;
    for (int part = 0; part < 4; part++) {
        kide_u32 n = 0;
        int digits = 0;
        for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
            n = n * 10 + (kide_u32)(*s - '0');
        if (!digits || n > 255 || (part < 3 && *s++ != '.'))
            return -1;
        v = v << 8 | n;
    }
    if (*s)
        return -1;
    *ip = v;
    return 0;
}
