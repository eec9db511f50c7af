/* SPDX-License-Identifier: MIT */
/* reply.c: the reply helpers of reply.h. */
#include "reply.h"

void kr_begin(struct kagent *a, struct kide_json_writer *w, kide_u64 id)
{
    kide_json_writer_init(w, a->reply, sizeof a->reply);
    kide_json_begin_object(w);
    kide_json_member_u64(w, "id", id);
    kide_json_member_bool(w, "ok", 1);
    kide_json_member_object(w, "result");
}

void kr_end(struct kagent *a, struct kagent_conn *c, struct kide_json_writer *w, kide_u64 id)
{
    kide_json_end_object(w);
    kide_json_end_object(w);
    long n = kide_json_writer_finish(w);
    if (n == KIDE_JSON_ENOSPC) {
        kagent_reply_error(c, id, KERR_TOO_LARGE,
                           "the reply is larger than the agent's 64 KiB message limit");
        return;
    }
    if (n < 0) {
        kagent_reply_error(c, id, KERR_INTERNAL, "kuori-agent reply.c: the reply did not build");
        return;
    }
    if (kagent_queue(c, a->reply, (kide_u32)n) < 0)
        c->closing = 1; /* unreachable: requests wait for reply room (conn.c) */
}

int kr_parse(struct kagent *a, const char *text, __SIZE_TYPE__ len, struct kide_json_doc *d)
{
    return kide_json_parse(d, text, len, a->tok, KAGENT_REPORT_TOKENS, 0, 0) < 0 ? -1 : 0;
}

void kr_copy(struct kide_json_writer *w, const struct kide_json_doc *d, int obj, const char *key)
{
    int v = kide_json_find(d, obj, key);
    if (v >= 0) {
        kide_json_key(w, key);
        kide_json_value(w, d, v);
    }
}

void kr_member(struct kide_json_writer *w, const struct kide_json_doc *d, int key)
{
    char name[128];
    if (kide_json_get_string(d, key, name, sizeof name) < 0) {
        /* Not a key hoitaja writes (its keys are short names): make the writer's error
         * sticky (a close that does not match) so the caller reports it, never emits it. */
        kide_json_end_array(w);
        return;
    }
    kide_json_key(w, name);
    kide_json_value(w, d, key + 1);
}

kide_u64 kr_u64(const struct kide_json_doc *d, int obj, const char *key, kide_u64 def)
{
    kide_u64 v;
    int t = kide_json_find(d, obj, key);
    return t >= 0 && kide_json_get_u64(d, t, &v) == 0 ? v : def;
}

void kr_backend_error(struct kagent *a, struct kagent_conn *c, kide_u64 id, int st,
                      const char *what)
{
    char msg[256];
    const char *why = a->be->why ? a->be->why(a->be->ctx) : "";
    snprintf(msg, sizeof msg, "%s: %s", what, why && why[0] ? why : "no reason given");
    switch (st) {
    case KAGENT_B_NOTFOUND:
        kagent_reply_error(c, id, KERR_NOT_FOUND, msg);
        break;
    case KAGENT_B_UNAVAILABLE:
        kagent_reply_error(c, id, KERR_UNAVAILABLE, msg);
        break;
    case KAGENT_B_BUSY:
        kagent_reply_error(c, id, KERR_BUSY, msg);
        break;
    case KAGENT_B_TOOLARGE:
        kagent_reply_error(c, id, KERR_TOO_LARGE, msg);
        break;
    default:
        kagent_reply_error(c, id, KERR_INTERNAL, msg);
        break;
    }
}

kide_u64 kr_generation(struct kagent *a, struct kagent_conn *c, kide_u64 id)
{
    __SIZE_TYPE__ len = 0;
    struct kide_json_doc d;
    a->report_len = 0; /* report is overwritten: no watch cache */
    int st = a->be->report(a->be->ctx, a->report, sizeof a->report, &len);
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, id, st, "cannot read the state report");
        return 0;
    }
    kide_u64 g = 0;
    if (kr_parse(a, a->report, len, &d) < 0 || (g = kr_u64(&d, 0, "generation", 0)) == 0) {
        kagent_reply_error(c, id, KERR_INTERNAL, "the state report has no generation");
        return 0;
    }
    return g;
}

void kr_apply(struct kagent *a, struct kagent_conn *c, kide_u64 id, const char *cfg,
              __SIZE_TYPE__ len, kide_u64 generation, int partial)
{
    __SIZE_TYPE__ rlen = 0;
    struct kide_json_doc d;
    struct kide_json_writer w;
    char msg[512];
    if (a->apply_busy) {
        kagent_reply_error(c, id, KERR_BUSY, "another apply is under way: try again");
        return;
    }
    a->apply_busy = 1;
    int st = a->be->apply(a->be->ctx, cfg, len, generation, partial, a->result, sizeof a->result,
                          &rlen);
    a->apply_busy = 0;
    if (st == KAGENT_B_STALE) {
        kide_u64 cur = kr_generation(a, c, id);
        if (!cur)
            return;
        snprintf(msg, sizeof msg,
                 "generation %lu is not the one after the current %lu: read it "
                 "(config) and apply again",
                 (unsigned long)generation, (unsigned long)cur);
        kide_json_writer_init(&w, a->reply, sizeof a->reply);
        kide_json_begin_object(&w);
        kide_json_member_u64(&w, "id", id);
        kide_json_member_bool(&w, "ok", 0);
        kide_json_member_object(&w, "error");
        kide_json_member_string(&w, "code", "stale");
        kide_json_member_string(&w, "message", msg);
        kide_json_member_u64(&w, "current", cur);
        kide_json_end_object(&w);
        kide_json_end_object(&w);
        long n = kide_json_writer_finish(&w);
        if (n > 0)
            kagent_queue(c, a->reply, (kide_u32)n);
        return;
    }
    if (st == KAGENT_B_INVALID) {
        /* hoitaja's text verbatim: its status, else the raw result. */
        const char *text = a->result;
        char status[400];
        if (kr_parse(a, a->result, rlen, &d) == 0 &&
            kide_json_get_string(&d, kide_json_find(&d, 0, "status"), status, sizeof status) > 0)
            text = status;
        kagent_reply_error(c, id, KERR_REJECTED, text);
        return;
    }
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, id, st, "apply failed");
        return;
    }
    if (kr_parse(a, a->result, rlen, &d) < 0 || kide_json_type(&d, 0) != KIDE_JSON_OBJECT) {
        kagent_reply_error(c, id, KERR_INTERNAL, "hoitaja's apply result is not a JSON object");
        return;
    }
    /* The result object verbatim as the reply's result. */
    kide_json_writer_init(&w, a->reply, sizeof a->reply);
    kide_json_begin_object(&w);
    kide_json_member_u64(&w, "id", id);
    kide_json_member_bool(&w, "ok", 1);
    kide_json_key(&w, "result");
    kide_json_value(&w, &d, 0);
    kide_json_end_object(&w);
    long n = kide_json_writer_finish(&w);
    if (n < 0)
        kagent_reply_error(c, id, KERR_TOO_LARGE, "the apply result is larger than 64 KiB");
    else
        kagent_queue(c, a->reply, (kide_u32)n);
}
