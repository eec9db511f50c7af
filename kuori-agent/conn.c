/* SPDX-License-Identifier: MIT */
/* conn.c: one client connection's plaintext side: input buffer and framing,
 * the output queue, streams and timeouts.
 *
 * Invariants:
 * - in[0..in_len) holds at most one message's worth of unhandled bytes
 *   (4 + KAGENT_REQ_MAX); an oversized length is refused from its header.
 * - A request is handled only while the output queue has room for a whole
 *   reply (KAGENT_REPLY_MAX + 4), so a reply is never dropped or truncated;
 *   a client that does not read stops being served (its bytes wait in the
 *   transport), and nobody else waits for it.
 * - Stream messages are queued only while the queue keeps that reply room
 *   free; otherwise they are dropped and counted (samples are cumulative,
 *   events and log lines carry sequence numbers).
 */
#include "kagent.h"

static kide_u64 now_of(const struct kagent *a)
{
    return a->be->now_ns(a->be->ctx);
}

void kagent_init(struct kagent *a, const struct kagent_backend *be, enum kagent_role role,
                 const char *habitat)
{
    memset(a, 0, sizeof *a);
    a->be = be;
    a->role = role;
    __SIZE_TYPE__ n = strlen(habitat);
    if (n > KAGENT_NAME_MAX)
        n = KAGENT_NAME_MAX;
    memcpy(a->habitat, habitat, n);
    a->habitat[n] = 0;
    memcpy(a->self, "kuori-agent", sizeof "kuori-agent"); /* main.c sets the label's name */
}

void kagent_conn_open(struct kagent *a, struct kagent_conn *c, const char *client)
{
    c->used = 1;
    c->closing = c->hello = 0;
    c->enrol_only = client == 0;
    c->client[0] = 0;
    if (client) {
        __SIZE_TYPE__ n = strlen(client);
        if (n > KAGENT_NAME_MAX)
            n = KAGENT_NAME_MAX;
        memcpy(c->client, client, n);
        c->client[n] = 0;
    }
    c->close_why = 0;
    c->opened_ns = c->last_ns = now_of(a);
    c->req_start_ns = 0;
    c->in_len = c->out_off = c->out_len = 0;
    memset(c->streams, 0, sizeof c->streams);
}

static kide_u32 queued(const struct kagent_conn *c)
{
    return c->out_len - c->out_off;
}

/* Move the unsent bytes to the front so the free room is contiguous. */
static void compact(struct kagent_conn *c)
{
    if (c->out_off) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
}

static int put(struct kagent_conn *c, const char *body, kide_u32 len, kide_u32 limit)
{
    if (queued(c) + 4 + len > limit)
        return -1;
    compact(c);
    kide_u8 *p = c->out + c->out_len;
    p[0] = (kide_u8)(len >> 24);
    p[1] = (kide_u8)(len >> 16);
    p[2] = (kide_u8)(len >> 8);
    p[3] = (kide_u8)len;
    memcpy(p + 4, body, len);
    c->out_len += 4 + len;
    return 0;
}

int kagent_queue(struct kagent_conn *c, const char *body, kide_u32 len)
{
    return put(c, body, len, KAGENT_OUT_MAX);
}

/** A stream message: only if a whole reply still fits after it. */
int kagent_queue_stream(struct kagent_conn *c, const char *body, kide_u32 len)
{
    return put(c, body, len, KAGENT_OUT_MAX - KAGENT_REPLY_MAX - 4);
}

void kagent_reply_error(struct kagent_conn *c, kide_u64 id, enum kagent_err e, const char *msg)
{
    char buf[512];
    struct kide_json_writer w;
    kide_json_writer_init(&w, buf, sizeof buf);
    kide_json_begin_object(&w);
    kide_json_member_u64(&w, "id", id);
    kide_json_member_bool(&w, "ok", 0);
    kide_json_member_object(&w, "error");
    kide_json_member_string(&w, "code", kagent_err_name(e));
    kide_json_member_string(&w, "message", msg);
    kide_json_end_object(&w);
    kide_json_end_object(&w);
    long n = kide_json_writer_finish(&w);
    if (n < 0) { /* a message too long for buf: say so rather than lose the error */
        kide_json_writer_init(&w, buf, sizeof buf);
        kide_json_begin_object(&w);
        kide_json_member_u64(&w, "id", id);
        kide_json_member_bool(&w, "ok", 0);
        kide_json_member_object(&w, "error");
        kide_json_member_string(&w, "code", kagent_err_name(e));
        kide_json_member_string(&w, "message", "(message too long)");
        kide_json_end_object(&w);
        kide_json_end_object(&w);
        n = kide_json_writer_finish(&w);
    }
    if (n > 0 && kagent_queue(c, buf, (kide_u32)n) < 0)
        c->closing = 1; /* cannot happen while requests wait for reply room */
}

static void close_with(struct kagent_conn *c, kide_u64 id, enum kagent_err e, const char *msg,
                       const char *why)
{
    if (e != KERR_NONE)
        kagent_reply_error(c, id, e, msg);
    c->closing = 1;
    c->in_len = 0;
    c->close_why = why;
}

/* Handle the whole requests in in[] while a reply fits. */
static void process(struct kagent *a, struct kagent_conn *c)
{
    while (!c->closing) {
        kide_u32 len = 0;
        enum kagent_frame f = kagent_frame_next(c->in, c->in_len, &len);
        if (f == KFRAME_NEED_MORE)
            return;
        if (f == KFRAME_TOO_LARGE) {
            close_with(c, 0, KERR_TOO_LARGE, "a request is at most 65536 bytes", "too large");
            return;
        }
        if (f == KFRAME_EMPTY) {
            close_with(c, 0, KERR_BAD_REQUEST, "a message of length 0", "empty message");
            return;
        }
        if (queued(c) + KAGENT_REPLY_MAX + 4 > KAGENT_OUT_MAX)
            return; /* the client is not reading: wait until it does */
        struct kagent_req req;
        char msg[200];
        enum kagent_err e = kagent_req_decode((const char *)c->in + 4, len, &req, msg, sizeof msg);
        if (e == KERR_TOO_LARGE) {
            close_with(c, req.id, e, msg, "request beyond limits");
            return;
        }
        if (e != KERR_NONE)
            kagent_reply_error(c, req.id, e, msg);
        else
            kagent_dispatch(a, c, &req);
        kide_u32 used = 4 + len;
        memmove(c->in, c->in + used, c->in_len - used);
        c->in_len -= used;
        c->last_ns = now_of(a);
        c->req_start_ns = c->in_len ? c->last_ns : 0;
    }
}

kide_u32 kagent_conn_input(struct kagent *a, struct kagent_conn *c, const void *in, kide_u32 n)
{
    if (c->closing)
        return n; /* nothing more is read: drop it */
    kide_u32 room = (kide_u32)sizeof c->in - c->in_len;
    kide_u32 take = n < room ? n : room;
    if (take) {
        if (!c->in_len)
            c->req_start_ns = now_of(a);
        memcpy(c->in + c->in_len, in, take);
        c->in_len += take;
        c->last_ns = now_of(a);
    }
    process(a, c);
    return take;
}

const kide_u8 *kagent_conn_output(struct kagent_conn *c, kide_u32 *n)
{
    *n = queued(c);
    return *n ? c->out + c->out_off : 0;
}

void kagent_conn_sent(struct kagent_conn *c, kide_u32 n)
{
    if (n > queued(c))
        n = queued(c);
    c->out_off += n;
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
}

int kagent_conn_done(const struct kagent_conn *c)
{
    return !c->used || (c->closing && queued(c) == 0);
}

kide_u64 kagent_conn_tick(struct kagent *a, struct kagent_conn *c, kide_u64 now)
{
    kide_u64 next = ~0ull;
    if (!c->used || c->closing)
        return next;
    process(a, c); /* requests that waited for reply room */
    /* `now` may be a little older than what the connection recorded (a caller takes
     * the clock once per round): never let that wrap into a timeout. */
    if (c->req_start_ns && now > c->req_start_ns && now - c->req_start_ns > KAGENT_REQ_NS) {
        close_with(c, 0, KERR_NONE, 0, "slow: a request did not arrive within 10 s");
        return next;
    }
    int streams = 0;
    for (unsigned i = 0; i < KAGENT_STREAMS; i++) {
        struct kagent_stream *s = &c->streams[i];
        if (!s->used)
            continue;
        streams++;
        kagent_stream_tick(a, c, s, now);
        if (s->op == KOP_WATCH && s->due_ns < next)
            next = s->due_ns;
    }
    if (!streams && now > c->last_ns && now - c->last_ns > KAGENT_IDLE_NS) {
        close_with(c, 0, KERR_NONE, 0, "idle for 300 s");
        return next;
    }
    kide_u64 idle = c->last_ns + KAGENT_IDLE_NS + 1;
    kide_u64 slow = c->req_start_ns ? c->req_start_ns + KAGENT_REQ_NS + 1 : ~0ull;
    if (!streams && idle < next)
        next = idle;
    if (slow < next)
        next = slow;
    return next;
}
