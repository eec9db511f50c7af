/* SPDX-License-Identifier: MIT */
/* backend_mgmt.c: the real backend, over the habitat's management session
 * (<kide/mgmt_client.h>). The agent holds this one session and nothing
 * more: what it can see and change is what hoitaja's session reaches, its
 * own habitat (and, in the root habitat, the habitats that are its children).
 *
 * Every reply was checked by the client library before it is read here;
 * what is copied out is bounded by the caller's buffers again.
 */
#include <kide/component.h>
#include <kide/core_client.h> /* kide_logs_next */
#include <kide/mgmt_client.h>

#include "backend_mgmt.h"

static kide_u64 m_now(void *ctx)
{
    (void)ctx;
    return kide_now_ns();
}

static int from_status(struct kagent_mgmt *m, int st, const char *what)
{
    if (st == KIDE_OK)
        return KAGENT_B_OK;
    snprintf(m->why, sizeof m->why, "%s: %s", what, kide_status_name(st));
    if (st == KIDE_OVERFLOW)
        return KAGENT_B_TOOLARGE;
    if (st == KIDE_BUSY)
        return KAGENT_B_BUSY;
    return KAGENT_B_ERROR;
}

static int m_report(void *ctx, char *buf, __SIZE_TYPE__ cap, __SIZE_TYPE__ *len)
{
    struct kagent_mgmt *m = ctx;
    kide_u64 n = 0;
    int st = kide_mgmt_read_all(m->pt, KIDE_MGMT_REPORT, buf, cap, &n);
    *len = (__SIZE_TYPE__)n;
    return from_status(m, st, "hoitaja's REPORT");
}

/* CONFIG: the configuration in force, chunk by chunk from one snapshot (offset 0
 * takes it and says its generation). */
static int m_config(void *ctx, char *buf, __SIZE_TYPE__ cap, __SIZE_TYPE__ *len, kide_u64 *gen)
{
    struct kagent_mgmt *m = ctx;
    kide_u64 off = 0;
    *len = 0;
    for (;;) {
        struct kide_mgmt_read_req req = {.offset = off};
        int st = kide_mgmt_config(m->pt, &req, &m->cfg);
        if (st != KIDE_OK)
            return from_status(m, st, "hoitaja's CONFIG");
        if (off == 0)
            *gen = m->cfg.generation;
        kide_u64 n = m->cfg.chunk.len;
        if (m->cfg.total + 1 > cap || off + n > m->cfg.total || (n == 0 && off < m->cfg.total)) {
            snprintf(m->why, sizeof m->why,
                     "the configuration in force (%lu bytes) is larger "
                     "than the agent's buffer",
                     (unsigned long)m->cfg.total);
            return KAGENT_B_TOOLARGE;
        }
        memcpy(buf + off, m->cfg.chunk.bytes, n);
        off += n;
        if (off >= m->cfg.total) {
            buf[off] = 0;
            *len = (__SIZE_TYPE__)off;
            return KAGENT_B_OK;
        }
    }
}

static int m_apply(void *ctx, const char *cfg, __SIZE_TYPE__ len, kide_u64 generation, int partial,
                   char *result, __SIZE_TYPE__ cap, __SIZE_TYPE__ *rlen)
{
    struct kagent_mgmt *m = ctx;
    struct kide_mgmt_apply_req req = {.generation = generation, .partial = partial ? 1 : 0};
    struct kide_mgmt_apply_rep rep = {0};
    kide_u64 n = 0;
    *rlen = 0;
    result[0] = 0;
    int st = kide_mgmt_upload_all(m->pt, cfg, len);
    if (st == KIDE_BUSY)
        return from_status(m, st, "another management session's apply is under way");
    if (st != KIDE_OK)
        return from_status(m, st, "hoitaja's UPLOAD");
    st = kide_mgmt_apply(m->pt, &req, &rep);
    if (st != KIDE_OK && st != KIDE_STALE && st != KIDE_INVALID)
        return from_status(m, st, "hoitaja's APPLY");
    /* The result says what happened, also for a rejection (its status is the reason). */
    int rst = kide_mgmt_read_all(m->pt, KIDE_MGMT_RESULT, result, cap, &n);
    if (rst == KIDE_OK)
        *rlen = (__SIZE_TYPE__)n;
    else if (st == KIDE_OK)
        return from_status(m, rst, "hoitaja's RESULT");
    if (st == KIDE_STALE)
        return KAGENT_B_STALE;
    if (st == KIDE_INVALID) {
        if (!*rlen) {
            int k = snprintf(result, cap, "{\"status\": \"rejected by hoitaja (no reason)\"}");
            *rlen = k > 0 && (__SIZE_TYPE__)k < cap ? (__SIZE_TYPE__)k : 0;
        }
        return KAGENT_B_INVALID;
    }
    return KAGENT_B_OK;
}

static int m_events(void *ctx, kide_u64 after, struct kide_mgmt_event *ev, unsigned max,
                    unsigned *count, kide_u64 *first, kide_u64 *lost)
{
    struct kagent_mgmt *m = ctx;
    struct kide_mgmt_events_req req = {.after = after};
    int st = kide_mgmt_events(m->pt, &req, &m->ev);
    *count = 0;
    if (st != KIDE_OK)
        return from_status(m, st, "hoitaja's EVENTS");
    /* The library checked count against the reply; the copy is bounded by max too. */
    unsigned n = m->ev.count < max ? (unsigned)m->ev.count : max;
    memcpy(ev, m->ev.ev, n * sizeof *ev);
    *count = n;
    *first = m->ev.first;
    *lost = m->ev.lost;
    return KAGENT_B_OK;
}

static int m_control(void *ctx, enum kagent_control what, const char *component, char *verdict,
                     __SIZE_TYPE__ cap)
{
    struct kagent_mgmt *m = ctx;
    struct kide_mgmt_control_req req = {.action = what == KAGENT_START  ? KIDE_CTL_START
                                                  : what == KAGENT_STOP ? KIDE_CTL_STOP
                                                                        : KIDE_CTL_RESTART};
    struct kide_mgmt_control_rep rep;
    KIDE_WIRE_STR(req.child, component, strlen(component));
    int st = kide_mgmt_control(m->pt, &req, &rep);
    if (st == KIDE_NOT_FOUND) {
        snprintf(m->why, sizeof m->why, "no child '%s'", component);
        return KAGENT_B_NOTFOUND;
    }
    if (st != KIDE_OK)
        return from_status(m, st, "hoitaja's CONTROL");
    kide_u64 n = rep.verdict.len < cap - 1 ? rep.verdict.len : cap - 1;
    memcpy(verdict, rep.verdict.bytes, n);
    verdict[n] = 0;
    for (kide_u64 i = 0; i < n; i++) /* hoitaja's text, printable for the JSON writer */
        if (verdict[i] < 0x20 || verdict[i] > 0x7e)
            verdict[i] = '?';
    return KAGENT_B_OK;
}

/* LOGS: the lines after `after` (the newest `tail` when after is 0) as a JSON array. */
static int m_logs(void *ctx, const char *component, kide_u64 after, unsigned tail, char *buf,
                  __SIZE_TYPE__ cap, __SIZE_TYPE__ *len, kide_u64 *lost)
{
    struct kagent_mgmt *m = ctx;
    struct kide_mgmt_logs_req req = {.after = after, .flags = 0};
    struct kide_json_writer w;
    KIDE_WIRE_STR(req.name, component, strlen(component));
    *lost = 0;
    int st = kide_mgmt_logs(m->pt, &req, &m->logs);
    if (st == KIDE_NOT_FOUND) {
        snprintf(m->why, sizeof m->why, "no child '%s', or it logged nothing yet", component);
        return KAGENT_B_NOTFOUND;
    }
    if (st != KIDE_OK)
        return from_status(m, st, "hoitaja's LOGS");
    if (after == 0 && m->logs.next > 1 + (kide_u64)tail) { /* only the newest `tail` */
        req.after = m->logs.next - 1 - tail;
        if ((st = kide_mgmt_logs(m->pt, &req, &m->logs)) != KIDE_OK)
            return from_status(m, st, "hoitaja's LOGS");
    }
    kide_json_writer_init(&w, buf, cap);
    kide_json_begin_array(&w);
    for (int round = 0; round < 8 && m->logs.count; round++) {
        kide_u64 off = 0;
        struct kide_log_line line;
        const char *text;
        *lost += m->logs.lost;
        while (kide_logs_next(&m->logs, &off, &line, &text) == 1) {
            char t[KIDE_LOG_LINE_MAX + 1];
            kide_u64 n = line.len < KIDE_LOG_LINE_MAX ? line.len : KIDE_LOG_LINE_MAX;
            for (kide_u64 i = 0; i < n; i++)
                t[i] = text[i] >= 0x20 && text[i] <= 0x7e ? text[i] : '?';
            t[n] = 0;
            kide_json_begin_object(&w);
            kide_json_member_u64(&w, "seq", line.seq);
            kide_json_member_u64(&w, "time_ns", line.time_ns);
            kide_json_member_string(&w, "text", t);
            kide_json_end_object(&w);
            req.after = line.seq;
        }
        if (w.len > cap / 2 || kide_mgmt_logs(m->pt, &req, &m->logs) != KIDE_OK)
            break; /* the rest comes with the next read (follow) */
    }
    kide_json_end_array(&w);
    long n = kide_json_writer_finish(&w);
    if (n < 0) {
        snprintf(m->why, sizeof m->why, "the log lines do not fit the agent's buffer");
        return KAGENT_B_TOOLARGE;
    }
    *len = (__SIZE_TYPE__)n;
    return KAGENT_B_OK;
}

static const char *m_why(void *ctx)
{
    return ((struct kagent_mgmt *)ctx)->why;
}

int kagent_mgmt_open(struct kide_env *env, struct kagent_mgmt *m, struct kagent_backend *be)
{
    memset(m, 0, sizeof *m);
    int st = kide_session_open(env, "Hoitaja", "", 0, &m->session);
    if (st != KIDE_OK)
        return st;
    m->pt = m->session.pt;
    be->ctx = m;
    be->now_ns = m_now;
    be->report = m_report;
    be->config = m_config;
    be->apply = m_apply;
    be->events = m_events;
    be->control = m_control;
    be->logs = m_logs;
    be->why = m_why;
    return KIDE_OK;
}

int kagent_mgmt_subscribe(struct kide_env *env, struct kagent_mgmt *m, kide_sel *sm)
{
    (void)env;
    kide_sel rcv = kide_sel_alloc(0), got = 0;
    if (!rcv)
        return KIDE_QUOTA;
    int st = kide_mgmt_subscribe(m->pt, rcv, &got);
    if (st == KIDE_OK && !got)
        st = KIDE_BAD_PARAM;
    *sm = got;
    return st;
}
