/* SPDX-License-Identifier: MIT */
/* ops.c: the dispatch table (one handler per op) and the ops that only read.
 *
 * Checks made here, in this order, before any handler runs: hello first; an
 * enrolment connection (no client certificate) may only send hello and
 * enrol; operator ops on a tenant's agent are `denied` (the tenant's agent
 * could not do them anyway: its management session reaches only its
 * habitat, so the check only makes the answer clear, it is not the boundary).
 */
#include "reply.h"

typedef void (*kop_fn)(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);

static int op_allowed(const struct kagent *a, const struct kagent_conn *c, enum kagent_op op);

static void kop_hello(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    struct kide_json_writer w;
    if (!(r->versions & (1u << KAGENT_VERSION))) {
        kide_json_writer_init(&w, a->reply, sizeof a->reply);
        kide_json_begin_object(&w);
        kide_json_member_u64(&w, "id", r->id);
        kide_json_member_bool(&w, "ok", 0);
        kide_json_member_object(&w, "error");
        kide_json_member_string(&w, "code", "version");
        kide_json_member_string(&w, "message", "this agent speaks protocol version 1 only");
        kide_json_key(&w, "versions");
        kide_json_begin_array(&w);
        kide_json_u64(&w, KAGENT_VERSION);
        kide_json_end_array(&w);
        kide_json_end_object(&w);
        kide_json_end_object(&w);
        long n = kide_json_writer_finish(&w);
        if (n > 0)
            kagent_queue(c, a->reply, (kide_u32)n);
        return;
    }
    c->hello = 1;
    kr_begin(a, &w, r->id);
    kide_json_member_u64(&w, "version", KAGENT_VERSION);
    kide_json_member_string(&w, "agent", KAGENT_NAME);
    kide_json_member_string(&w, "habitat", a->habitat);
    kide_json_member_string(&w, "role", a->role == KROLE_OPERATOR ? "operator" : "tenant");
    kide_json_key(&w, "client");
    if (c->enrol_only)
        kide_json_null(&w);
    else
        kide_json_string(&w, c->client);
    kide_json_key(&w, "ops");
    kide_json_begin_array(&w);
    for (unsigned op = 0; op < KOP_COUNT; op++)
        if (op_allowed(a, c, (enum kagent_op)op))
            kide_json_string(&w, kagent_op_name((enum kagent_op)op));
    kide_json_end_array(&w);
    kr_end(a, c, &w, r->id);
}

static void kop_state(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    __SIZE_TYPE__ len = 0;
    struct kide_json_doc d;
    struct kide_json_writer w;
    a->report_len = 0; /* report is overwritten: no watch cache */
    int st = a->be->report(a->be->ctx, a->report, sizeof a->report, &len);
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, r->id, st, "cannot read the state report");
        return;
    }
    if (kr_parse(a, a->report, len, &d) < 0) {
        kagent_reply_error(c, r->id, KERR_INTERNAL, "hoitaja's state report is not valid JSON");
        return;
    }
    kr_begin(a, &w, r->id);
    kide_json_key(&w, "report");
    kide_json_value(&w, &d, 0);
    kr_end(a, c, &w, r->id);
}

static void kop_config(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    __SIZE_TYPE__ len = 0;
    kide_u64 gen = 0;
    struct kide_json_doc d;
    struct kide_json_writer w;
    int st = a->be->config(a->be->ctx, a->config, sizeof a->config, &len, &gen);
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, r->id, st, "cannot read the configuration");
        return;
    }
    if (kr_parse(a, a->config, len, &d) < 0) {
        kagent_reply_error(c, r->id, KERR_INTERNAL, "hoitaja's configuration is not valid JSON");
        return;
    }
    kr_begin(a, &w, r->id);
    kide_json_member_u64(&w, "generation", gen);
    kide_json_key(&w, "config");
    kide_json_value(&w, &d, 0);
    kr_end(a, c, &w, r->id);
}

static void kop_control(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    char verdict[256];
    struct kide_json_writer w;
    enum kagent_control what = r->op == KOP_START  ? KAGENT_START
                               : r->op == KOP_STOP ? KAGENT_STOP
                                                   : KAGENT_RESTART;
    int st = a->be->control(a->be->ctx, what, r->component, verdict, sizeof verdict);
    if (st != KAGENT_B_OK) {
        kr_backend_error(a, c, r->id, st, kagent_op_name(r->op));
        return;
    }
    kr_begin(a, &w, r->id);
    kide_json_member_string(&w, "component", r->component);
    kide_json_member_string(&w, "result", verdict);
    kr_end(a, c, &w, r->id);
}

static const kop_fn handlers[KOP_COUNT] = {
        [KOP_HELLO] = kop_hello,        [KOP_ENROL] = kop_enrol,
        [KOP_STATE] = kop_state,        [KOP_CONFIG] = kop_config,
        [KOP_WATCH] = kop_watch,        [KOP_EVENTS] = kop_events,
        [KOP_LOGS] = kop_logs,          [KOP_APPLY] = kop_apply,
        [KOP_START] = kop_control,      [KOP_STOP] = kop_control,
        [KOP_RESTART] = kop_control,    [KOP_SET] = kop_set,
        [KOP_INSTALL] = kop_install,    [KOP_HAB_CREATE] = kop_habitat,
        [KOP_HAB_RESIZE] = kop_habitat, [KOP_HAB_REMOVE] = kop_habitat,
        [KOP_TOKEN_CREATE] = kop_token, [KOP_TOKEN_LIST] = kop_token,
        [KOP_TOKEN_REVOKE] = kop_token, [KOP_CANCEL] = kop_cancel,
};

static int operator_op(enum kagent_op op)
{
    return op >= KOP_HAB_CREATE && op <= KOP_TOKEN_REVOKE;
}

static int op_allowed(const struct kagent *a, const struct kagent_conn *c, enum kagent_op op)
{
    if (c->enrol_only)
        return op == KOP_HELLO || op == KOP_ENROL;
    if (op == KOP_ENROL)
        return 0;
    return !operator_op(op) || a->role == KROLE_OPERATOR;
}

void kagent_dispatch(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r)
{
    char msg[200];
    if (!c->hello && r->op != KOP_HELLO) {
        kagent_reply_error(c, r->id, KERR_HELLO_FIRST, "send hello first");
        return;
    }
    if (!op_allowed(a, c, r->op)) {
        if (c->enrol_only)
            snprintf(msg, sizeof msg,
                     "%s: a connection without a client certificate may only "
                     "send hello and enrol",
                     kagent_op_name(r->op));
        else if (r->op == KOP_ENROL)
            snprintf(msg, sizeof msg, "enrol: this connection is already enrolled as '%s'",
                     c->client);
        else
            snprintf(msg, sizeof msg,
                     "%s is an operator operation; this agent serves habitat "
                     "'%s' as tenant and reaches nothing beyond it",
                     kagent_op_name(r->op), a->habitat);
        kagent_reply_error(c, r->id, KERR_DENIED, msg);
        return;
    }
    handlers[r->op](a, c, r);
}
