/* SPDX-License-Identifier: MIT */
/* The client library of the management session (kide/mgmt_client.h).
 *
 * One call moves a typed request into a message and the reply's result words
 * into the typed reply (missing ones zero), over libkide's marshalling
 * (kide_msg, which also receives SUBSCRIBE's semaphore). Replies come from the
 * parent, and still every length in them is checked against the struct and
 * the words that came (kide_mgmt_reply_ok) before a caller reads it.
 */
#include "rt.h"

/* memcpy and memset only: krt's on the target, the C library's in the host tests. */
void *memcpy(void *dst, const void *src, __SIZE_TYPE__ n);
void *memset(void *dst, int c, __SIZE_TYPE__ n);

#include <kide/mgmt_client.h>

static int call(kide_sel pt, kide_u64 op, const void *req, kide_u64 req_words, void *rep,
                kide_u64 rep_words, kide_sel rcv, kide_sel *got)
{
    struct kide_msg m;
    const kide_u64 *w = req;
    kide_msg_begin(&m, op);
    for (kide_u64 i = 0; i < req_words; i++)
        kide_msg_put(&m, w[i]);
    int st = kide_msg_call(&m, pt, rcv);
    kide_u64 have = m.n > 1 ? m.n - 1 : 0;
    if (have > rep_words)
        have = rep_words;
    if (rep_words) {
        memcpy(rep, m.w + 1, have * 8);
        memset((kide_u64 *)rep + have, 0, (rep_words - have) * 8);
    }
    if (got)
        *got = m.rcv;
    if (st == KIDE_OK && rep_words && !kide_mgmt_reply_ok(op, rep, m.n > 1 ? m.n - 1 : 0))
        return KIDE_BAD_PARAM;
    return st;
}

/* A trailing string whose length word is result word `at`. */
static int str_fits(kide_u64 have, kide_u64 at, kide_u64 len, kide_u64 max)
{
    return len <= max && have > at && (len + 7) / 8 <= have - at - 1;
}

int kide_mgmt_reply_ok(kide_u64 op, const void *rep, kide_u64 have)
{
    switch (op) {
    case KIDE_MGMT_REPORT: {
        const struct kide_mgmt_report_rep *r = rep;
        return str_fits(have, 2, r->chunk.len, KIDE_MGMT_CHUNK_MAX);
    }
    case KIDE_MGMT_RESULT: {
        const struct kide_mgmt_result_rep *r = rep;
        return str_fits(have, 1, r->chunk.len, KIDE_MGMT_CHUNK_MAX);
    }
    case KIDE_MGMT_EVENTS: {
        const struct kide_mgmt_events_rep *r = rep;
        return have >= 3 && r->count <= KIDE_MGMT_EVENTS_MAX &&
               r->count * KIDE_MGMT_EVENT_WORDS <= have - 3;
    }
    case KIDE_MGMT_CONTROL: {
        const struct kide_mgmt_control_rep *r = rep;
        return str_fits(have, 1, r->verdict.len, KIDE_MGMT_VERDICT_MAX - 1);
    }
    case KIDE_MGMT_CONFIG: {
        const struct kide_mgmt_config_rep *r = rep;
        return str_fits(have, 2, r->chunk.len, KIDE_MGMT_CHUNK_MAX);
    }
    case KIDE_MGMT_LOGS: {
        const struct kide_mgmt_logs_rep *r = rep;
        return str_fits(have, 3, r->lines.len, KIDE_LOGS_CHUNK_MAX);
    }
    default:
        return 1;
    }
}

/* The bytes of a request that travel: the struct up to its string, then the string's words. */
#define STR_WORDS(t, f, len)                                                                       \
    ((__builtin_offsetof(t, f.bytes) +                                                             \
      ((len) > sizeof(((t *)0)->f.bytes) ? sizeof(((t *)0)->f.bytes) : ((len) + 7) / 8 * 8)) /     \
     8)

int kide_mgmt_report(kide_sel pt, const struct kide_mgmt_read_req *req,
                     struct kide_mgmt_report_rep *rep)
{
    return call(pt, KIDE_MGMT_REPORT, req, sizeof(*req) / 8, rep, sizeof(*rep) / 8, 0, 0);
}

int kide_mgmt_upload(kide_sel pt, const struct kide_mgmt_upload_req *req)
{
    return call(pt, KIDE_MGMT_UPLOAD, req,
                STR_WORDS(struct kide_mgmt_upload_req, chunk, req->chunk.len), 0, 0, 0, 0);
}

int kide_mgmt_apply(kide_sel pt, const struct kide_mgmt_apply_req *req,
                    struct kide_mgmt_apply_rep *rep)
{
    return call(pt, KIDE_MGMT_APPLY, req, sizeof(*req) / 8, rep, sizeof(*rep) / 8, 0, 0);
}

int kide_mgmt_result(kide_sel pt, const struct kide_mgmt_read_req *req,
                     struct kide_mgmt_result_rep *rep)
{
    return call(pt, KIDE_MGMT_RESULT, req, sizeof(*req) / 8, rep, sizeof(*rep) / 8, 0, 0);
}

int kide_mgmt_events(kide_sel pt, const struct kide_mgmt_events_req *req,
                     struct kide_mgmt_events_rep *rep)
{
    return call(pt, KIDE_MGMT_EVENTS, req, sizeof(*req) / 8, rep, sizeof(*rep) / 8, 0, 0);
}

int kide_mgmt_control(kide_sel pt, const struct kide_mgmt_control_req *req,
                      struct kide_mgmt_control_rep *rep)
{
    int st = call(pt, KIDE_MGMT_CONTROL, req,
                  STR_WORDS(struct kide_mgmt_control_req, child, req->child.len), rep,
                  sizeof(*rep) / 8, 0, 0);
    rep->verdict.bytes[rep->verdict.len < KIDE_MGMT_VERDICT_MAX ? rep->verdict.len
                                                                : KIDE_MGMT_VERDICT_MAX - 1] = 0;
    return st;
}

int kide_mgmt_config(kide_sel pt, const struct kide_mgmt_read_req *req,
                     struct kide_mgmt_config_rep *rep)
{
    return call(pt, KIDE_MGMT_CONFIG, req, sizeof(*req) / 8, rep, sizeof(*rep) / 8, 0, 0);
}

int kide_mgmt_logs(kide_sel pt, const struct kide_mgmt_logs_req *req,
                   struct kide_mgmt_logs_rep *rep)
{
    return call(pt, KIDE_MGMT_LOGS, req, STR_WORDS(struct kide_mgmt_logs_req, name, req->name.len),
                rep, sizeof(*rep) / 8, 0, 0);
}

int kide_mgmt_subscribe(kide_sel pt, kide_sel rcv, kide_sel *got)
{
    return call(pt, KIDE_MGMT_SUBSCRIBE, 0, 0, 0, 0, rcv, got);
}

int kide_mgmt_read_all(kide_sel pt, kide_u64 op, char *buf, kide_u64 size, kide_u64 *len)
{
    /* On the stack (3.9 KiB; threads have 64 KiB), not the heap: a client's RAM
     * use does not change by reading a report. One reply serves both ops. */
    union {
        struct kide_mgmt_report_rep report;
        struct kide_mgmt_result_rep result;
        struct kide_mgmt_config_rep config;
    } rep;
    kide_u64 off = 0, total = 0;
    int st = op == KIDE_MGMT_REPORT || op == KIDE_MGMT_RESULT || op == KIDE_MGMT_CONFIG
                     ? KIDE_OK
                     : KIDE_BAD_PARAM;
    while (st == KIDE_OK) {
        struct kide_mgmt_read_req req = {.offset = off};
        const char *bytes;
        kide_u64 n;
        if (op == KIDE_MGMT_REPORT) {
            st = kide_mgmt_report(pt, &req, &rep.report);
            total = rep.report.total, n = rep.report.chunk.len, bytes = rep.report.chunk.bytes;
        } else if (op == KIDE_MGMT_CONFIG) {
            st = kide_mgmt_config(pt, &req, &rep.config);
            total = rep.config.total, n = rep.config.chunk.len, bytes = rep.config.chunk.bytes;
        } else {
            st = kide_mgmt_result(pt, &req, &rep.result);
            total = rep.result.total, n = rep.result.chunk.len, bytes = rep.result.chunk.bytes;
        }
        if (st != KIDE_OK)
            break;
        if (total >= size || off + n > total || (n == 0 && off < total)) { /* no wrap at ~0 */
            st = KIDE_OVERFLOW;
            break;
        }
        memcpy(buf + off, bytes, n);
        off += n;
        if (off >= total) {
            buf[total] = 0;
            if (len)
                *len = total;
            break;
        }
    }
    return st;
}

int kide_mgmt_upload_all(kide_sel pt, const char *text, kide_u64 len)
{
    struct kide_mgmt_upload_req req; /* on the stack, as in kide_mgmt_read_all */
    int st = KIDE_OK;
    for (kide_u64 off = 0; st == KIDE_OK && off < len; off += KIDE_MGMT_CHUNK_MAX) {
        kide_u64 n = len - off < KIDE_MGMT_CHUNK_MAX ? len - off : KIDE_MGMT_CHUNK_MAX;
        req.total = len;
        req.offset = off;
        KIDE_WIRE_STR(req.chunk, text + off, n);
        st = kide_mgmt_upload(pt, &req);
    }
    return st;
}
