/* SPDX-License-Identifier: MIT */
/* stream.c: the ops that open streams (watch, events, logs), cancel, and
 * what a stream sends as time passes (kagent_stream_tick, called by conn.c).
 *
 * A stream message is dropped, never waited for, when the client's queue has
 * no room (conn.c, kagent_queue_stream): watch samples are cumulative, events
 * and log lines carry their sequence numbers, so the client sees the gap. */
#include "reply.h"

#define EVENTS_BATCHES 4 /* backend calls per events request or tick: up to 128 events */

static struct kagent_stream *stream_new(struct kagent_conn *c, const struct kagent_req *r)
{
    for (unsigned i = 0; i < KAGENT_STREAMS; i++)
        if (!c->streams[i].used) {
            struct kagent_stream *s = &c->streams[i];
            memset(s, 0, sizeof *s);
            s->used = 1;
            s->op = r->op;
            s->id = r->id;
            return s;
        }
    kagent_reply_error(c, r->id, KERR_BUSY,
                       "this connection has 4 streams open: cancel one, or open a connection");
    return 0;
}

static void begin_stream_msg(struct kagent *a, struct kide_json_writer *w,
                             const struct kagent_stream *s)
{
    kide_json_writer_init(w, a->reply, sizeof a->reply);
    kide_json_begin_object(w);
    kide_json_member_u64(w, "id", s->id);
    kide_json_member_string(w, "stream", kagent_op_name(s->op));
    kide_json_key(w, "data");
}

static void end_stream_msg(struct kagent *a, struct kagent_conn *c, struct kide_json_writer *w,
                           struct kagent_stream *s)
{
    kide_json_end_object(w);
    long n = kide_json_writer_finish(w);
    if (n < 0 || kagent_queue_stream(c, a->reply, (kide_u32)n) < 0)
        s->dropped++;
}

static const char *event_type(kide_u64 t)
{
    switch (t) {
    case KIDE_EV_STARTED:
        return "started";
    case KIDE_EV_EXITED:
        return "exited";
    case KIDE_EV_FAULTED:
        return "faulted";
    case KIDE_EV_RESTARTED:
        return "restarted";
    case KIDE_EV_QUOTA:
        return "quota";
    case KIDE_EV_APPLIED:
        return "applied";
    case KIDE_EV_REMOVED:
        return "removed";
    case KIDE_EV_STOPPED:
        return "stopped";
    }
    return "other";
}

static void write_event(struct kide_json_writer *w, const struct kide_mgmt_event *ev)
{
    char child[sizeof ev->child + 1];
    memcpy(child, ev->child, sizeof ev->child);
    child[sizeof ev->child] = 0; /* hoitaja NUL-terminates; a copy never trusts it */
    for (char *p = child; *p; p++)
        if (*p < 0x20 || *p > 0x7e)
            *p = '?';
    kide_json_begin_object(w);
    kide_json_member_u64(w, "seq", ev->seq);
    kide_json_member_u64(w, "time_ns", ev->time_ns);
    kide_json_member_string(w, "type", event_type(ev->type));
    kide_json_member_string(w, "component", child);
    switch (ev->type) {
    case KIDE_EV_EXITED:
        kide_json_member_u64(w, "code", ev->a);
        break;
    case KIDE_EV_FAULTED:
        kide_json_member_u64(w, "vector", ev->a);
        kide_json_member_u64(w, "address", ev->b);
        break;
    case KIDE_EV_RESTARTED:
        kide_json_member_u64(w, "restarts", ev->a);
        break;
    case KIDE_EV_QUOTA:
        kide_json_member_u64(w, "ram", ev->a);
        kide_json_member_u64(w, "cpu", ev->b);
        break;
    case KIDE_EV_APPLIED:
        kide_json_member_u64(w, "generation", ev->a);
        break;
    case KIDE_EV_STARTED:
    case KIDE_EV_REMOVED:
    case KIDE_EV_STOPPED:
        break;
    default:
        kide_json_member_u64(w, "code", ev->type);
        break;
    }
    kide_json_end_object(w);
}

void kop_watch(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    struct kide_json_writer w;
    struct kagent_stream *s = stream_new(c, r);
    if (!s)
        return;
    s->period_ns = 1000000000ull / r->hz;
    s->due_ns = a->be->now_ns(a->be->ctx); /* the first sample at once */
    s->ncomponents = r->ncomponents;
    memcpy(s->components, r->components, sizeof s->components);
    kr_begin(a, &w, r->id);
    kide_json_member_u64(&w, "hz", r->hz);
    kr_end(a, c, &w, r->id);
}

void kop_events(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    static struct kide_mgmt_event ev[KIDE_MGMT_EVENTS_MAX];
    struct kide_json_writer w;
    struct kagent_stream *s = 0;
    if (r->follow && !(s = stream_new(c, r)))
        return;
    kide_u64 after = r->after, lost = 0;
    kr_begin(a, &w, r->id);
    kide_json_key(&w, "events");
    kide_json_begin_array(&w);
    for (int b = 0; b < EVENTS_BATCHES; b++) {
        unsigned count = 0;
        kide_u64 first = 0, l = 0;
        int st = a->be->events(a->be->ctx, after, ev, KIDE_MGMT_EVENTS_MAX, &count, &first, &l);
        if (st != KAGENT_B_OK) {
            if (s)
                s->used = 0;
            kr_backend_error(a, c, r->id, st, "cannot read the events");
            return;
        }
        lost += l;
        for (unsigned i = 0; i < count && i < KIDE_MGMT_EVENTS_MAX; i++) {
            write_event(&w, &ev[i]);
            after = ev[i].seq;
        }
        if (count < KIDE_MGMT_EVENTS_MAX)
            break;
    }
    kide_json_end_array(&w);
    kide_json_member_u64(&w, "lost", lost);
    kide_json_member_u64(&w, "next", after);
    if (s)
        s->after = after;
    kr_end(a, c, &w, r->id);
}

/* The lines of a logs answer (a JSON array in a->result) into the writer or as stream
 * messages; returns the last sequence number seen (or after). */
static kide_u64 log_lines(struct kagent *a, struct kagent_conn *c, struct kagent_stream *s,
                          struct kide_json_writer *w, const struct kide_json_doc *d, kide_u64 after)
{
    for (int e = kide_json_first(d, 0); e >= 0; e = kide_json_next(d, e)) {
        kide_u64 seq = kr_u64(d, e, "seq", after);
        if (seq > after)
            after = seq;
        if (s) {
            struct kide_json_writer m;
            begin_stream_msg(a, &m, s);
            kide_json_value(&m, d, e);
            end_stream_msg(a, c, &m, s);
        } else {
            kide_json_value(w, d, e);
        }
    }
    return after;
}

void kop_logs(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    struct kide_json_writer w;
    struct kide_json_doc d;
    __SIZE_TYPE__ len = 0;
    kide_u64 lost = 0;
    struct kagent_stream *s = 0;
    if (r->follow && !(s = stream_new(c, r)))
        return;
    int st = a->be->logs(a->be->ctx, r->component, 0, r->tail, a->result, sizeof a->result, &len,
                         &lost);
    if (st == KAGENT_B_OK &&
        (kr_parse(a, a->result, len, &d) < 0 || kide_json_type(&d, 0) != KIDE_JSON_ARRAY))
        st = KAGENT_B_ERROR;
    if (st != KAGENT_B_OK) {
        if (s)
            s->used = 0;
        kr_backend_error(a, c, r->id, st, "logs");
        return;
    }
    kr_begin(a, &w, r->id);
    kide_json_key(&w, "lines");
    kide_json_begin_array(&w);
    kide_u64 last = log_lines(a, c, 0, &w, &d, 0);
    kide_json_end_array(&w);
    kide_json_member_u64(&w, "lost", lost);
    kr_end(a, c, &w, r->id);
    if (s) {
        s->after = last;
        memcpy(s->component, r->component, sizeof s->component);
    }
}

void kop_cancel(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    struct kide_json_writer w;
    for (unsigned i = 0; i < KAGENT_STREAMS; i++) {
        struct kagent_stream *s = &c->streams[i];
        if (s->used && s->id == r->target) {
            s->used = 0;
            kr_begin(a, &w, r->id);
            kr_end(a, c, &w, r->id);
            kide_json_writer_init(&w, a->reply, sizeof a->reply);
            kide_json_begin_object(&w);
            kide_json_member_u64(&w, "id", r->target);
            kide_json_member_string(&w, "end", "cancelled");
            kide_json_end_object(&w);
            long n = kide_json_writer_finish(&w);
            if (n > 0)
                kagent_queue(c, a->reply, (kide_u32)n);
            return;
        }
    }
    kagent_reply_error(c, r->id, KERR_NOT_FOUND, "cancel: no open stream has that id");
}

/* End stream s with a reason (the backend failed). */
static void stream_end(struct kagent *a, struct kagent_conn *c, struct kagent_stream *s,
                       const char *why)
{
    struct kide_json_writer w;
    kide_json_writer_init(&w, a->reply, sizeof a->reply);
    kide_json_begin_object(&w);
    kide_json_member_u64(&w, "id", s->id);
    kide_json_member_string(&w, "end", why);
    kide_json_end_object(&w);
    long n = kide_json_writer_finish(&w);
    if (n > 0)
        kagent_queue(c, a->reply, (kide_u32)n);
    s->used = 0;
}

static void tick_watch(struct kagent *a, struct kagent_conn *c, struct kagent_stream *s,
                       kide_u64 now)
{
    struct kide_json_writer w;
    struct kide_json_doc d;
    __SIZE_TYPE__ len = 0;
    if (now < s->due_ns)
        return;
    s->due_ns += s->period_ns;
    if (s->due_ns <= now) /* late (a slow tick): no burst to catch up */
        s->due_ns = now + s->period_ns;
    if (a->report_len && now >= a->report_ns && now - a->report_ns < s->period_ns / 2) {
        len = a->report_len;
    } else if (a->be->report(a->be->ctx, a->report, sizeof a->report, &len) == KAGENT_B_OK) {
        a->report_len = len;
        a->report_ns = now;
    } else {
        a->report_len = 0;
        len = 0;
    }
    if (!len || kr_parse(a, a->report, len, &d) < 0) {
        a->report_len = 0;
        stream_end(a, c, s, "the state report cannot be read");
        return;
    }
    begin_stream_msg(a, &w, s);
    kagent_watch_sample(&w, &d, s, ++s->after);
    end_stream_msg(a, c, &w, s);
}

static void tick_events(struct kagent *a, struct kagent_conn *c, struct kagent_stream *s)
{
    static struct kide_mgmt_event ev[KIDE_MGMT_EVENTS_MAX];
    for (int b = 0; b < EVENTS_BATCHES; b++) {
        unsigned count = 0;
        kide_u64 first = 0, lost = 0;
        if (a->be->events(a->be->ctx, s->after, ev, KIDE_MGMT_EVENTS_MAX, &count, &first, &lost) !=
            KAGENT_B_OK) {
            stream_end(a, c, s, "the events cannot be read");
            return;
        }
        for (unsigned i = 0; i < count && i < KIDE_MGMT_EVENTS_MAX; i++) {
            struct kide_json_writer w;
            begin_stream_msg(a, &w, s);
            write_event(&w, &ev[i]);
            end_stream_msg(a, c, &w, s);
            s->after = ev[i].seq;
        }
        if (count < KIDE_MGMT_EVENTS_MAX)
            return;
    }
}

static void tick_logs(struct kagent *a, struct kagent_conn *c, struct kagent_stream *s)
{
    struct kide_json_doc d;
    __SIZE_TYPE__ len = 0;
    kide_u64 lost = 0;
    if (a->be->logs(a->be->ctx, s->component, s->after, 1000, a->result, sizeof a->result, &len,
                    &lost) != KAGENT_B_OK ||
        kr_parse(a, a->result, len, &d) < 0 || kide_json_type(&d, 0) != KIDE_JSON_ARRAY) {
        stream_end(a, c, s, "the log cannot be read");
        return;
    }
    s->after = log_lines(a, c, s, 0, &d, s->after);
}

void kagent_stream_tick(struct kagent *a, struct kagent_conn *c, struct kagent_stream *s,
                        kide_u64 now)
{
    if (s->op == KOP_WATCH)
        tick_watch(a, c, s, now);
    else if (s->op == KOP_EVENTS)
        tick_events(a, c, s);
    else if (s->op == KOP_LOGS)
        tick_logs(a, c, s);
}
