/* SPDX-License-Identifier: MIT */
/* net_tls.c: the agent port over TLS (net.h), with ktls (<kide/ktls.h>).
 *
 * Per connection the bytes go: socket -> rx -> ktls_feed; ktls_read ->
 * plaintext (pt) -> kagent_conn_input; kagent_conn_output -> ktls_write;
 * ktls_pending -> socket. Each buffer is bounded and a stage that cannot
 * take more leaves the bytes where they are (the TCP window then slows the
 * peer), so one slow client never blocks another.
 *
 * The handshake decides who the client is: a certificate issued by this
 * agent (ktls_peer 1: its CN is the client, its O must be this habitat) or
 * none (0: an enrolment connection). Anything else fails the handshake in
 * ktls, before any message is read. KAGENT_CONNS connections are served;
 * one more slot completes the handshake only to answer `busy` and close,
 * as the protocol says.
 */
#include <kide/ktls.h>

#include "net.h"
#include "token_session.h"

#define SLOTS             (KAGENT_CONNS + 1)
#define RX_MAX            4096
#define PT_MAX            4096
#define BACKLOG           8
#define IN_USE_WAIT_MS    10000
#define AUTHORITY_WAIT_MS 30000

struct slot {
    int used;
    int opened; /* the handshake completed and the core connection is open */
    int ending; /* close_notify sent: flush, then drop the socket */
    kide_u64 handle, started_ns;
    kide_u32 rx_len, pt_len, pt_off;
    kide_u8 rx[RX_MAX];
    kide_u8 pt[PT_MAX];
    struct ktls_server tls;
};

static struct slot slots[SLOTS];
static struct kagent_conn conns[SLOTS];
static struct ktls_identity id;
static struct ktls_rng rng;
static struct kide_sock_client *sc;
static kide_u64 listener, port_;
static struct kide_env *env_;
static struct kagent_crypto crypto;

/* The protocol core's crypto, over ktls (kagent.h, struct kagent_crypto). */
static void c_random(void *ctx, void *out, size_t n)
{
    (void)ctx;
    ktls_rng_bytes(&rng, out, n);
}

static void c_sha256(const void *data, size_t n, kide_u8 out[32])
{
    ktls_sha256(data, n, out);
}

static int c_issue(void *ctx, const kide_u8 *spki, size_t n, const char *cn, const char *org,
                   kide_u8 *out, size_t cap, size_t *len)
{
    (void)ctx;
    return ktls_issue_cert(&id, &rng, spki, n, cn, org, out, cap, len);
}

static int listen_on(struct kide_env *env, const char **why)
{
    struct kide_sock_open_rep r = {0};
    kide_u64 until = kide_now_ns() + IN_USE_WAIT_MS * 1000000ull;
    int st = kide_sock_listen_wait(env, sc, port_, BACKLOG, until, &r);
    if (st != KIDE_OK || r.err != KIDE_SOCK_OK) {
        *why = "cannot listen on the agent port (in use, or the stack refused)";
        return -1;
    }
    listener = r.handle;
    return 0;
}

/* A tenant's agent: register with the token authority, which may still be starting
 * (NOT_FOUND is retried for AUTHORITY_WAIT_MS, as kide_sock_open waits for its stack). */
static void authority(struct kide_env *env, struct kagent *a)
{
    kide_u64 until = kide_now_ns() + AUTHORITY_WAIT_MS * 1000000ull;
    int st;
    while ((st = ktoken_client_open(env, id.fp)) == KIDE_NOT_FOUND && kide_now_ns() < until)
        kide_sleep_ms(200);
    if (st == KIDE_OK) {
        a->token_consume = ktoken_client_consume;
        kide_log(env, "kuori-agent: registered with the token authority");
    } else {
        kide_log(env, "kuori-agent: no token authority (KuoriToken: %s): enrolment unavailable",
                 kide_status_name(st));
    }
}

int knet_start(struct kide_env *env, struct kagent *a, struct kide_sock_client *c, kide_u64 port,
               const kide_u8 seed[32], const char **why)
{
    env_ = env;
    sc = c;
    port_ = port;
    /* The RNG mixes the hardware's randomness with the seed; without hardware
     * randomness ktls refuses, and so does the agent (ktls.h). */
    if (ktls_rng_init(&rng, seed, 32, why) != 0)
        return -1;
    int e = ktls_identity_from_seed(&id, seed, a->habitat);
    if (e != 0) {
        *why = ktls_strerror(e);
        return -1;
    }
    char fp[2 * KTLS_FP_LEN + 1];
    for (unsigned i = 0; i < KTLS_FP_LEN; i++) {
        fp[2 * i] = "0123456789abcdef"[id.fp[i] >> 4];
        fp[2 * i + 1] = "0123456789abcdef"[id.fp[i] & 15];
    }
    fp[2 * KTLS_FP_LEN] = 0;
    kide_log(env, "kuori-agent: certificate fingerprint sha256:%s", fp);
    crypto.random = c_random;
    crypto.sha256 = c_sha256;
    crypto.issue = c_issue;
    memcpy(crypto.fp, id.fp, sizeof crypto.fp);
    if (a->role == KROLE_OPERATOR) {
        /* The token authority: before the crypto, so the store is locked from the start. */
        int ts = ktoken_server_start(env, a);
        if (ts != KIDE_OK)
            kide_log(env,
                     "kuori-agent: no KuoriToken service (%s): tenant habitats cannot "
                     "enrol (provide KuoriToken in the root habitat)",
                     kide_status_name(ts));
    } else {
        authority(env, a);
    }
    kagent_set_crypto(a, &crypto);
    if (a->role == KROLE_OPERATOR) {
        /* The operator's first token, on the operator's console, once per start. */
        char text[KTOK_TEXT_MAX], tid[9];
        if (kagent_token_create(a, a->habitat, 3600, text, tid) == 0)
            kide_log(env, "kuori-agent: operator token (one enrolment, valid 1 h): %s", text);
    }
    if (listen_on(env, why))
        return -1;
    kide_log(env, "kuori-agent: serving habitat '%s' as %s on TCP port %u (TLS)", a->habitat,
             a->role == KROLE_OPERATOR ? "operator" : "tenant", (unsigned)port);
    return 0;
}

static void slot_drop(struct slot *s, struct kagent_conn *c, const char *why)
{
    if (why && *why)
        kide_log(env_, "kuori-agent: connection closed: %s", why);
    kide_sock_drop(sc, s->handle);
    s->used = 0;
    c->used = 0;
}

static int open_conns(void)
{
    int n = 0;
    for (unsigned i = 0; i < SLOTS; i++)
        n += slots[i].used && slots[i].opened && !conns[i].closing;
    return n;
}

/* The handshake just completed: who is it? */
static void slot_opened(struct kagent *a, struct slot *s, struct kagent_conn *c)
{
    char cn[KTLS_NAME_MAX + 1], org[KTLS_NAME_MAX + 1];
    unsigned char fp[KTLS_FP_LEN];
    int p = ktls_peer(&s->tls, cn, org, fp);
    int busy = open_conns() >= (int)KAGENT_CONNS; /* the others: this one is not opened yet */
    s->opened = 1;
    if (p == 1 && strcmp(org, a->habitat)) {
        /* Issued by this agent for another habitat cannot happen (O is always ours);
         * refuse rather than trust it. */
        kagent_conn_open(a, c, 0);
        kagent_reply_error(c, 0, KERR_DENIED, "the certificate is not for this habitat");
        c->closing = 1;
        return;
    }
    kagent_conn_open(a, c, p == 1 ? cn : 0);
    if (busy) {
        kagent_reply_error(c, 0, KERR_BUSY, "the agent serves 8 connections: try again later");
        c->closing = 1;
        c->close_why = "busy";
    }
}

/* Move what one slot can move. Returns 1 if anything moved. */
static int slot_pump(struct kagent *a, struct slot *s, struct kagent_conn *c)
{
    int moved = 0;
    /* socket -> rx */
    if (s->rx_len < RX_MAX && !s->ending) {
        struct kide_sock_recv_rep r;
        if (kide_sock_tcp_recv(sc, s->handle, s->rx + s->rx_len, RX_MAX - s->rx_len, &r) !=
                    KIDE_OK ||
            (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
            slot_drop(s, c, s->opened ? "" : "closed during the handshake");
            return 1;
        }
        if (r.err == KIDE_SOCK_OK && r.len) {
            s->rx_len += (kide_u32)r.len;
            moved = 1;
        }
    }
    /* rx -> engine */
    if (s->rx_len) {
        size_t took = ktls_feed(&s->tls, s->rx, s->rx_len);
        if (took) {
            memmove(s->rx, s->rx + took, s->rx_len - took);
            s->rx_len -= (kide_u32)took;
            moved = 1;
        }
    }
    enum ktls_state st = ktls_state_of(&s->tls);
    if (st == KTLS_FAILED) {
        kide_log(env_, "kuori-agent: TLS handshake or record failed: %s", ktls_error(&s->tls));
        slot_drop(s, c, "");
        return 1;
    }
    if (st == KTLS_OPEN && !s->opened) {
        slot_opened(a, s, c);
        moved = 1;
    }
    if (s->opened && !s->ending) {
        /* engine -> plaintext -> core */
        if (s->pt_off == s->pt_len) { /* all handed on: read the next plaintext */
            s->pt_len = (kide_u32)ktls_read(&s->tls, s->pt, PT_MAX);
            s->pt_off = 0;
        }
        if (s->pt_off < s->pt_len) {
            kide_u32 took = kagent_conn_input(a, c, s->pt + s->pt_off, s->pt_len - s->pt_off);
            s->pt_off += took;
            moved |= took > 0;
        }
        /* core -> engine */
        kide_u32 n;
        const kide_u8 *out = kagent_conn_output(c, &n);
        if (n) {
            size_t took = ktls_write(&s->tls, out, n);
            if (took) {
                kagent_conn_sent(c, (kide_u32)took);
                ktls_flush(&s->tls);
                moved = 1;
            }
        }
        if (kagent_conn_done(c)) {
            if (c->close_why)
                kide_log(env_, "kuori-agent: closing a connection: %s", c->close_why);
            ktls_close(&s->tls);
            s->ending = 1;
            s->started_ns = kide_now_ns();
        }
    }
    /* engine -> socket */
    size_t pn;
    const void *p = ktls_pending(&s->tls, &pn);
    if (p && pn) {
        struct kide_sock_send_rep r;
        if (kide_sock_tcp_send(sc, s->handle, p, pn, &r) != KIDE_OK ||
            (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK)) {
            slot_drop(s, c, "");
            return 1;
        }
        if (r.accepted) {
            ktls_sent(&s->tls, r.accepted);
            moved = 1;
        }
    } else if (s->ending || st == KTLS_CLOSED) {
        slot_drop(s, c, "");
        return 1;
    }
    /* A handshake, or the last flush, may take at most the request deadline. */
    if ((!s->opened || s->ending) && kide_now_ns() - s->started_ns > KAGENT_REQ_NS) {
        slot_drop(s, c, s->opened ? "close did not flush" : "handshake too slow");
        return 1;
    }
    return moved;
}

static int accept_one(void)
{
    for (unsigned i = 0; i < SLOTS; i++) {
        if (slots[i].used)
            continue;
        struct kide_sock_handle_req h = {listener};
        struct kide_sock_accept_rep r;
        if (kide_sock_tcp_accept(sc, &h, &r) != KIDE_OK || r.err != KIDE_SOCK_OK)
            return 0;
        struct slot *s = &slots[i];
        s->used = 1;
        s->opened = s->ending = 0;
        s->handle = r.handle;
        s->started_ns = kide_now_ns();
        s->rx_len = s->pt_len = s->pt_off = 0;
        ktls_server_start(&s->tls, &id, &rng);
        return 1;
    }
    return 0;
}

int knet_serve(struct kide_env *env, struct kagent *a, kide_u64 *next)
{
    (void)env;
    int moved = 0;
    while (accept_one())
        moved = 1;
    kide_u64 soon = ~0ull;
    for (unsigned i = 0; i < SLOTS; i++) {
        if (!slots[i].used)
            continue;
        moved |= slot_pump(a, &slots[i], &conns[i]);
        if (slots[i].used && slots[i].opened && !slots[i].ending) {
            kide_u64 t = kagent_conn_tick(a, &conns[i], kide_now_ns());
            if (t < soon)
                soon = t;
            /* What the tick queued goes out in the same round. */
            moved |= slot_pump(a, &slots[i], &conns[i]) && slots[i].used;
        }
    }
    *next = soon;
    return moved;
}

int knet_following(void)
{
    for (unsigned i = 0; i < SLOTS; i++)
        for (unsigned k = 0; slots[i].used && k < KAGENT_STREAMS; k++)
            if (conns[i].streams[k].used && conns[i].streams[k].op != KOP_WATCH)
                return 1;
    return 0;
}

int knet_restart(struct kide_env *env, const char **why)
{
    for (unsigned i = 0; i < SLOTS; i++)
        slots[i].used = conns[i].used = 0;
    return listen_on(env, why);
}
