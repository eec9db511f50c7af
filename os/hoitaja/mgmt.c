/* SPDX-License-Identifier: MIT */
/* hoitaja management session ("Hoitaja"): report, upload, apply, result, events,
 * control (control.c), the configuration in force, a child's log lines.
 *
 * A session is a raw portal on the runtime's handler EC whose object is
 * its struct hj_mgmt. A configuration arrives in chunks (in order, at most
 * KIDE_MGMT_CONFIG_MAX bytes), then APPLY runs the live reconfiguration
 * right there: stale generation and invalid documents are rejected before
 * anything changes; otherwise the plan (plan.c) is executed step by step and
 * every changed child gets a result. The report is a snapshot taken at
 * offset 0 and read in chunks. Runs with hj.lock held; it never calls a
 * child's portal (stopping a client leaves its servers' closes to
 * session.c), so a hung server cannot stall an apply.
 */
#include "glue.h"
#include <kide/mgmt.h>
#include <kide/syscall.h>

#define MS 1000000ull

/* ---- reports -------------------------------------------------------------- */

/* Fresh numbers of every child; returns an array of hj.cfg.nchildren (heap). */
static struct hj_status *snapshot(kide_u64 now, struct hj_habitat_status *h)
{
    struct kide_quota q;
    unsigned n = hj.cfg.nchildren;
    struct hj_status *st = hj_malloc((n ? n : 1) * sizeof(*st));
    if (!st)
        return NULL;
    for (unsigned i = 0; i < n; i++) {
        hj_child_poll(hj.slot[i], now);
        hj_child_status(hj.slot[i], now, &st[i]);
    }
    memset(h, 0, sizeof(*h));
    h->label = hj.label;
    h->generation = hj.cfg.generation;
    h->seq = ++hj.report_seq;
    h->time_ns = now;
    if (kide_quota(hj.env, &q) == KIDE_OK) {
        h->ram_quota = q.ram_quota, h->ram_used = q.ram_used;
        h->caps_quota = q.caps_quota, h->caps_used = q.caps_used;
    }
    return st;
}

static void status_out(void *ctx, const char *line)
{
    (void)ctx;
    kide_log(hj.env, "report: %s", line);
}

/* The statuses this console tick prints, within HJ_STATUS_CONSOLE_BYTES
 * (hj_status_pick): every child's with `all` (a full report), else the fresh
 * ones. Those left out that are fresh stay so, and status_dirty says a later
 * tick prints them. */
static void pick_statuses(int all, int *pick)
{
    static kide_u32 len[HJ_CHILDREN_MAX];
    static int fresh[HJ_CHILDREN_MAX];
    unsigned n = hj.cfg.nchildren;
    for (unsigned i = 0; i < n; i++) {
        struct hj_slot *s = hj.slot[i];
        len[i] = s ? s->status_len : 0;
        fresh[i] = s && s->status_len && (all || s->status_new);
    }
    hj_status_pick(len, fresh, n, &hj.status_next, pick);
    hj.status_dirty = 0;
    for (unsigned i = 0; i < n; i++) {
        if (pick[i])
            hj.slot[i]->status_new = 0;
        else if (hj.slot[i] && hj.slot[i]->status_new)
            hj.status_dirty = 1;
    }
}

void hj_report_console(kide_u64 now)
{
    struct hj_habitat_status h;
    char line[400];
    static int pick[HJ_CHILDREN_MAX];
    struct hj_status *st = snapshot(now, &h);
    if (!st)
        return;
    pick_statuses(1, pick);
    hj_report_sum_line(&h, st, hj.cfg.nchildren, line, sizeof(line));
    kide_log(hj.env, "report: %s", line);
    for (unsigned i = 0; i < hj.cfg.nchildren; i++) {
        hj_report_line(&st[i], line, sizeof(line));
        kide_log(hj.env, "report: %s", line);
        if (pick[i])
            hj_report_status_lines(&st[i], line, sizeof(line), status_out, NULL);
    }
    hj_free(st);
}

void hj_report_status_console(kide_u64 now)
{
    char line[400];
    static int pick[HJ_CHILDREN_MAX];
    pick_statuses(0, pick);
    for (unsigned i = 0; i < hj.cfg.nchildren; i++) {
        if (!pick[i])
            continue;
        struct hj_status st;
        hj_child_status(hj.slot[i], now, &st);
        hj_report_status_lines(&st, line, sizeof(line), status_out, NULL);
    }
}

static int take_report(struct hj_mgmt *m)
{
    struct hj_habitat_status h;
    kide_u64 now = kide_now_ns();
    struct hj_status *st = snapshot(now, &h);
    if (!st)
        return KIDE_QUOTA;
    /* About 400 bytes per child as JSON, and a status of up to 1.3 KiB; grow once if
     * that was short. */
    kide_u64 size = 1024 + 512ull * hj.cfg.nchildren;
    for (unsigned i = 0; i < hj.cfg.nchildren; i++)
        size += hj.slot[i] ? hj.slot[i]->status_len + 16 : 0;
    hj_free(m->report);
    m->report = NULL;
    for (int tries = 0; tries < 2 && !m->report; tries++, size *= 4) {
        if (!(m->report = hj_malloc(size)))
            break;
        m->report_len = hj_report_json(&h, st, hj.cfg.nchildren, m->report, size);
        if (m->report_len < 0) {
            hj_free(m->report);
            m->report = NULL;
        }
    }
    m->report_seq = h.seq;
    hj_free(st);
    return m->report ? KIDE_OK : KIDE_QUOTA;
}

/* ---- live reconfiguration ---------------------------------------------------- */

/** A config_live child's new `config`, handed over after the other steps (live.c). */
struct live_step {
    struct hj_slot *s;
    char *text; /**< owned copy */
    kide_u32 len;
};

struct apply_state {
    kide_u64 gen;
    struct hj_result *res;
    unsigned nres;
    struct live_step *live; /**< one per step at most */
    unsigned nlive;
};

static void result(struct apply_state *a, const char *child, const char *text)
{
    struct hj_result *r = &a->res[a->nres++];
    hj_snprintf(r->child, sizeof(r->child), "%s", child);
    hj_snprintf(r->text, sizeof(r->text), "%s", text);
    hj_say("apply generation %lu: child %s: %s", a->gen, child, text);
}

static void set_result(struct hj_mgmt *m, kide_u64 gen, const char *status,
                       const struct apply_state *a)
{
    hj_free(m->result);
    /* Sized for the worst case: a child's reason of quotes doubles when escaped. */
    kide_u64 size = hj_result_json_size(status, a ? a->res : NULL, a ? a->nres : 0);
    m->result = hj_malloc(size);
    m->result_len = m->result ? hj_result_json(gen, status, a ? a->res : NULL, a ? a->nres : 0,
                                               m->result, size)
                              : -1;
}

static int reject(struct hj_mgmt *m, kide_u64 gen, int st, const char *why)
{
    char status[320];
    hj_snprintf(status, sizeof(status), "rejected: %s", why);
    hj_say("apply generation %lu: %s", gen, status);
    set_result(m, gen, status, NULL);
    return st;
}

static void do_update(struct apply_state *a, struct hj_slot *s, const struct hj_child_cfg *n,
                      kide_u8 upd)
{
    char why[160] = "";
    kide_u64 kept;
    int st;
    /* Shrinks first, so the grows of the same child can use what they free. */
    if ((upd & HJ_UPD_CAPS) && n->caps < s->cfg.caps) {
        if ((st = hj_child_set_caps(s, n->caps)) == KIDE_OK)
            s->cfg.caps = n->caps;
        else
            hj_snprintf(why, sizeof(why), "child uses its kernel memory (%s)", hj_status_name(st));
    }
    if ((upd & HJ_UPD_RAM) && !why[0]) {
        st = hj_child_set_ram(s, n->ram, &kept, 1);
        if (st == KIDE_OK)
            s->cfg.ram = n->ram;
        else if (n->ram < s->cfg.ram)
            hj_snprintf(why, sizeof(why), "child kept %lu bytes", kept);
        else
            hj_snprintf(why, sizeof(why), "the habitat lacks free RAM (%s)", hj_status_name(st));
    }
    if ((upd & HJ_UPD_CAPS) && n->caps > s->cfg.caps && !why[0]) {
        if ((st = hj_child_set_caps(s, n->caps)) == KIDE_OK)
            s->cfg.caps = n->caps;
        else
            hj_snprintf(why, sizeof(why), "the habitat lacks kernel memory (%s)",
                        hj_status_name(st));
    }
    if ((upd & HJ_UPD_CPU) && !why[0]) {
        if ((st = hj_child_set_cpu(s, n->cpu_quota, n->priority)) == KIDE_OK)
            s->cfg.cpu_quota = n->cpu_quota, s->cfg.priority = n->priority;
        else
            hj_snprintf(why, sizeof(why), "core refused the CPU quota (%s)", hj_status_name(st));
    }
    if ((upd & HJ_UPD_POLICY) && !why[0]) {
        s->cfg.policy = n->policy;
        s->cfg.backoff_ms = n->backoff_ms, s->cfg.max_backoff_ms = n->max_backoff_ms;
        if (s->cfg.heartbeat_ms != n->heartbeat_ms)
            s->hb_next_ns = kide_now_ns() + n->heartbeat_ms * MS, s->hb_alive_ns = kide_now_ns();
        s->cfg.heartbeat_ms = n->heartbeat_ms;
    }
    char *text = NULL;
    if ((upd & HJ_UPD_CONFIG) && !why[0] && !(text = hj_malloc(n->config_len + 1)))
        hj_snprintf(why, sizeof(why), "hoitaja is out of memory");
    if (why[0]) {
        char res[200];
        hj_snprintf(res, sizeof(res), "rejected: %s", why);
        result(a, s->cfg.name, res);
        return;
    }
    if (upd & (HJ_UPD_RAM | HJ_UPD_CAPS | HJ_UPD_CPU))
        hj_event(KIDE_EV_QUOTA, s->cfg.name, s->cfg.ram, s->cfg.cpu_quota);
    if (!text) {
        result(a, s->cfg.name, "applied");
        return;
    }
    /* The new config goes to the running child once every other step is done:
     * its result comes then (apply_live). */
    memcpy(text, n->config, n->config_len + 1);
    a->live[a->nlive++] = (struct live_step){s, text, n->config_len};
}

/* Hand the config_live children their new config (hj.cfg is the configuration in
 * force, consistent: each push releases hj.lock while it calls the child). What a
 * child took becomes its configuration in force; a rejection keeps the old text. */
static void apply_live(struct apply_state *a)
{
    char res[HJ_RESULT_TEXT]; /* "rejected: " + a reason of KIDE_VERDICT_MAX bytes: never cut */
    for (unsigned k = 0; k < a->nlive; k++) {
        struct live_step *l = &a->live[k];
        if (hj_live_push(l->s, l->text, l->len, res, sizeof(res)) == 0) {
            int i = hj_config_find(&hj.cfg, l->s->cfg.name);
            char *copy = i >= 0 ? hj_malloc(l->len + 1) : NULL;
            if (copy) {
                memcpy(copy, l->text, l->len + 1);
                hj_free(hj.cfg.child[i].config);
                hj.cfg.child[i].config = copy;
                hj.cfg.child[i].config_len = l->len;
            }
            hj_free(l->s->cfg.config);
            l->s->cfg.config = l->text;
            l->s->cfg.config_len = l->len;
            l->text = NULL;
        }
        result(a, l->s->cfg.name, res);
        hj_free(l->text);
    }
    a->nlive = 0;
}

/* (Re)start slot s from configuration n; the result names what happened. */
static void do_start(struct apply_state *a, struct hj_slot *s, const struct hj_child_cfg *n,
                     const char *ok)
{
    char why[160], text[200];
    struct hj_child_cfg copy;
    if (hj_child_cfg_copy(&copy, n)) {
        result(a, n->name, "rejected: hoitaja is out of memory");
        return;
    }
    hj_child_stop(s);
    hj_child_cfg_free(&s->cfg);
    s->cfg = copy;
    s->backoff.next_ms = 0;
    if (hj_child_start(s, why, sizeof(why)) != KIDE_OK) {
        hj_snprintf(text, sizeof(text), "rejected: %s", why);
        result(a, n->name, text);
        return;
    }
    hj_say("child %s: started", s->cfg.name);
    hj_event(KIDE_EV_STARTED, s->cfg.name, 0, 0);
    result(a, n->name, ok);
}

/* Run the plan; afterwards hj.cfg and hj.slot follow `next` (in its order). */
static void execute(struct apply_state *a, struct hj_config *next)
{
    unsigned nmax = hj.cfg.nchildren + next->nchildren;
    struct hj_step *steps = hj_malloc((nmax ? nmax : 1) * sizeof(*steps));
    struct hj_slot **slot = hj_malloc((next->nchildren ? next->nchildren : 1) * sizeof(*slot));
    if (!steps || !slot) {
        hj_free(steps);
        hj_free(slot);
        result(a, "*", "rejected: hoitaja is out of memory");
        return;
    }
    for (unsigned j = 0; j < next->nchildren; j++) {
        int i = hj_config_find(&hj.cfg, next->child[j].name);
        slot[j] = i >= 0 ? hj.slot[i] : NULL;
    }
    int n = hj_plan(&hj.cfg, next, steps);
    for (int k = 0; k < n; k++) {
        struct hj_step *st = &steps[k];
        struct hj_slot *s = st->old_idx >= 0 ? hj.slot[st->old_idx] : NULL;
        const struct hj_child_cfg *nc = st->new_idx >= 0 ? &next->child[st->new_idx] : NULL;
        if (st->act == HJ_ACT_REMOVE) {
            hj_child_stop(s);
            hj_logs_forget(s->cfg.name); /* its last lines go with it */
            hj_say("child %s: removed", s->cfg.name);
            hj_event(KIDE_EV_REMOVED, s->cfg.name, 0, 0);
            result(a, s->cfg.name, "removed");
            hj_slot_retire(s); /* a handler may still be in a call naming it */
            hj.slot[st->old_idx] = NULL;
        } else if (st->act == HJ_ACT_UPDATE) {
            do_update(a, s, nc, st->upd);
        } else if (st->act == HJ_ACT_RESTART) {
            do_start(a, s, nc, "restarted");
        } else if (st->act == HJ_ACT_ADD) {
            s = hj_malloc(sizeof(*s));
            if (!s) {
                result(a, nc->name, "rejected: hoitaja is out of memory");
                continue;
            }
            memset(s, 0, sizeof(*s));
            slot[st->new_idx] = s;
            do_start(a, s, nc, "added");
        }
    }
    /* The configuration in force is what the slots run (rejected parts keep old values). */
    for (unsigned j = 0; j < next->nchildren; j++)
        hj_child_cfg_free(&next->child[j]);
    unsigned m = 0;
    for (unsigned j = 0; j < next->nchildren; j++) {
        if (!slot[j] || hj_child_cfg_copy(&next->child[m], &slot[j]->cfg))
            continue; /* only when out of memory: the child stays unlisted */
        hj.slot[m++] = slot[j];
    }
    next->nchildren = m;
    for (unsigned j = m; j < HJ_CHILDREN_MAX; j++)
        hj.slot[j] = NULL;
    hj_free(steps);
    hj_free(slot);
}

int hj_apply(struct hj_mgmt *m, const char *text, kide_u64 len, kide_u64 gen, int partial)
{
    struct hj_config parsed, next;
    struct hj_error err;
    char why[300];
    if (!hj_generation_ok(hj.cfg.generation, gen)) {
        hj_snprintf(why, sizeof(why), "stale generation %lu, the current one is %lu", gen,
                    hj.cfg.generation);
        return reject(m, gen, KIDE_STALE, why);
    }
    unsigned flags = HJ_PARSE_NO_GEN | (partial ? HJ_PARSE_PARTIAL : 0);
    if (hj_config_parse(text, len, &hj.lim, flags, &parsed, &err)) {
        hj_snprintf(why, sizeof(why), "%s (hint: %s)", err.msg, err.hint);
        return reject(m, gen, KIDE_INVALID, why);
    }
    if (parsed.generation && parsed.generation != gen) {
        hj_config_free(&parsed);
        hj_snprintf(why, sizeof(why), "the document says generation %lu, the call %lu",
                    parsed.generation, gen);
        return reject(m, gen, KIDE_INVALID, why);
    }
    if (partial) {
        int rc = hj_config_merge(&hj.cfg, &parsed, &hj.lim, &next, &err);
        hj_config_free(&parsed);
        if (rc) {
            hj_snprintf(why, sizeof(why), "%s (hint: %s)", err.msg, err.hint);
            return reject(m, gen, KIDE_INVALID, why);
        }
    } else {
        next = parsed;
    }
    struct apply_state a = {.gen = gen};
    unsigned nsteps = hj.cfg.nchildren + next.nchildren + 1;
    a.res = hj_malloc(nsteps * sizeof(*a.res));
    a.live = hj_malloc(nsteps * sizeof(*a.live));
    if (!a.res || !a.live) {
        hj_free(a.res);
        hj_free(a.live);
        hj_config_free(&next);
        return reject(m, gen, KIDE_QUOTA, "hoitaja is out of memory");
    }
    execute(&a, &next);
    hj_config_free(&hj.cfg);
    hj.cfg = next;
    hj.cfg.generation = gen;
    apply_live(&a);
    hj_event(KIDE_EV_APPLIED, NULL, gen, 0);
    hj_say("apply generation %lu: done", gen);
    set_result(m, gen, "done", &a);
    hj_free(a.res);
    hj_free(a.live);
    return KIDE_OK;
}

/* ---- the session ------------------------------------------------------------ *
 * One function per operation (enum kide_mgmt_op), found through ops[] by the op
 * number. Each decodes its request struct (mgmt.h) from the message once
 * (hj_rpc_decode: the words that came, zero beyond; a short message latches
 * rpc->in.bad, which the operations that need every word check) and answers
 * with its reply struct (reply). All run under hj.lock. */

void hj_rpc_decode(struct kide_rpc *rpc, void *req, unsigned words)
{
    struct kide_msg *in = &rpc->in;
    unsigned have = in->n > 1 ? in->n - 1 : 0;
    if (have < words)
        in->bad = 1;
    memset(req, 0, (kide_u64)words * 8);
    memcpy(req, in->w + 1, (kide_u64)(have < words ? have : words) * 8);
}

/** The reply's result words: the struct's first `words`. */
static int reply(struct kide_rpc *rpc, const void *rep, kide_u64 words)
{
    const kide_u64 *w = rep;
    for (kide_u64 i = 0; i < words; i++)
        kide_msg_put(&rpc->out, w[i]);
    return rpc->out.bad ? KIDE_OVERFLOW : KIDE_OK;
}

/** A chunk of buf at off into a reply's string field; its result words. */
static int chunk_at(const char *buf, long len, kide_u64 off, kide_u64 *total, kide_u64 *clen,
                    char *bytes)
{
    if (!buf || len < 0 || off > (kide_u64)len)
        return KIDE_BAD_PARAM;
    kide_u64 n = (kide_u64)len - off;
    if (n > KIDE_MGMT_CHUNK_MAX)
        n = KIDE_MGMT_CHUNK_MAX;
    *total = (kide_u64)len;
    *clen = n;
    memcpy(bytes, buf + off, n);
    memset(bytes + n, 0, (n + 7) / 8 * 8 - n); /* the last word's unused bytes */
    return KIDE_OK;
}

static void free_mgmt(struct hj_mgmt *m)
{
    if (m->events_sm)
        kide_cap_drop(m->events_sm);
    hj_free(m->upload);
    hj_free(m->result);
    hj_free(m->report);
    hj_free(m->config);
    hj_free(m);
}

static int op_report(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    struct kide_mgmt_read_req req;
    struct kide_mgmt_report_rep rep;
    hj_rpc_decode(rpc, &req, 1);
    int st = req.offset == 0 ? take_report(m) : KIDE_OK;
    if (st == KIDE_OK)
        st = chunk_at(m->report, m->report_len, req.offset, &rep.total, &rep.chunk.len,
                      rep.chunk.bytes);
    if (st != KIDE_OK)
        return st;
    rep.seq = m->report_seq;
    return reply(rpc, &rep, 3 + (rep.chunk.len + 7) / 8);
}

static int op_upload(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    /* The header only: the chunk is used where the message put it (the handler's
     * own UTCB, read-only to the client), a 3.9 KiB snapshot of it would only
     * be copied again into m->upload. */
    struct {
        kide_u64 total, offset, len;
    } hdr;
    hj_rpc_decode(rpc, &hdr, 3);
    const char *p = (const char *)(rpc->in.w + 4);
    kide_u64 have = rpc->in.n > 4 ? rpc->in.n - 4 : 0;
    if (rpc->in.bad || hdr.len > KIDE_MGMT_CHUNK_MAX || (hdr.len + 7) / 8 > have ||
        hdr.total > KIDE_MGMT_CONFIG_MAX || hdr.offset > hdr.total ||
        hdr.len > hdr.total - hdr.offset)
        return KIDE_BAD_PARAM;
    if (hdr.offset == 0) {
        hj_free(m->upload);
        m->upload_have = 0;
        m->upload_total = hdr.total;
        if (!(m->upload = hj_malloc(hdr.total ? hdr.total : 1)))
            return KIDE_QUOTA;
    }
    /* Chunks come in order; anything else restarts at offset 0. */
    if (!m->upload || hdr.total != m->upload_total || hdr.offset != m->upload_have)
        return KIDE_BAD_PARAM;
    memcpy(m->upload + hdr.offset, p, hdr.len);
    m->upload_have += hdr.len;
    return KIDE_OK;
}

static int op_apply(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    struct kide_mgmt_apply_req req;
    hj_rpc_decode(rpc, &req, 2);
    if (rpc->in.bad || req.partial > 1 || !m->upload || m->upload_have != m->upload_total)
        return KIDE_BAD_PARAM;
    /* One apply at a time: handing a config to a child releases hj.lock (live.c). */
    if (hj.applying)
        return KIDE_BUSY;
    hj.applying = 1;
    m->busy = 1;
    int st = hj_apply(m, m->upload, m->upload_total, req.generation, (int)req.partial);
    hj.applying = 0;
    m->busy = 0;
    if (m->closed) { /* the session ended meanwhile: nobody reads the result */
        free_mgmt(m);
        return KIDE_ABORTED;
    }
    struct kide_mgmt_apply_rep rep = {m->result_len > 0 ? (kide_u64)m->result_len : 0};
    reply(rpc, &rep, 1);
    return st;
}

static int op_result(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    struct kide_mgmt_read_req req;
    struct kide_mgmt_result_rep rep;
    hj_rpc_decode(rpc, &req, 1);
    int st = chunk_at(m->result, m->result_len, req.offset, &rep.total, &rep.chunk.len,
                      rep.chunk.bytes);
    return st != KIDE_OK ? st : reply(rpc, &rep, 2 + (rep.chunk.len + 7) / 8);
}

static int op_subscribe(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    int st = m->events_sm ? KIDE_OK : kide_sm_create(hj.env, 0, &m->events_sm);
    if (st == KIDE_OK) {
        rpc->cap_out = m->events_sm;
        rpc->cap_perm = KIDE_SM_DOWN;
    }
    return st;
}

static int op_events(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    struct kide_mgmt_events_req req;
    struct kide_mgmt_events_rep rep;
    (void)m;
    hj_rpc_decode(rpc, &req, 1);
    rep.count = hj_events_read(&hj.events, req.after, rep.ev, KIDE_MGMT_EVENTS_MAX, &rep.first,
                               &rep.lost);
    return reply(rpc, &rep, 3 + rep.count * KIDE_MGMT_EVENT_WORDS);
}

/* A child's name from a request's string field: NUL-terminated into name (HJ_NAME_MAX + 1
 * bytes), or -1 when it is missing, too long or not in the message. */
static int child_name(struct kide_rpc *rpc, unsigned at, kide_u64 len, const char *bytes,
                      char *name)
{
    unsigned have = rpc->in.n > 1 ? rpc->in.n - 1 : 0;
    if (rpc->in.bad || !len || len > HJ_NAME_MAX || at >= have || (len + 7) / 8 > have - at - 1)
        return -1;
    memcpy(name, bytes, len);
    name[len] = 0;
    return strlen(name) == len ? 0 : -1; /* no NUL inside */
}

static int op_control(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    struct kide_mgmt_control_req req;
    struct kide_mgmt_control_rep rep;
    char name[HJ_NAME_MAX + 1];
    int bad = rpc->in.bad;
    hj_rpc_decode(rpc, &req, sizeof(req) / 8);
    rpc->in.bad = bad; /* the name's words travel only as far as its length: child_name */
    if (child_name(rpc, 1, req.child.len, req.child.bytes, name))
        return KIDE_BAD_PARAM;
    /* Exclusive with an apply: one may have released hj.lock (live.c). */
    if (hj.applying)
        return KIDE_BUSY;
    memset(&rep, 0, sizeof(rep));
    rep.done = (kide_u64)hj_control(m->client, req.action, name, rep.verdict.bytes,
                                    sizeof(rep.verdict.bytes));
    rep.verdict.len = strlen(rep.verdict.bytes);
    return reply(rpc, &rep, 2 + (rep.verdict.len + 7) / 8);
}

static int take_config(struct hj_mgmt *m)
{
    kide_u64 size = 1024;
    for (unsigned i = 0; i < hj.cfg.nchildren; i++)
        size += 4096 + hj.cfg.child[i].config_len + hj.cfg.child[i].habitat_len;
    hj_free(m->config);
    m->config = hj_malloc(size);
    if (!m->config)
        return KIDE_QUOTA;
    m->config_len = hj_config_json(&hj.cfg, hj.lim.home_cpu, m->config, size);
    m->config_gen = hj.cfg.generation;
    if (m->config_len < 0) {
        hj_free(m->config);
        m->config = NULL;
        return KIDE_QUOTA;
    }
    return KIDE_OK;
}

static int op_config(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    struct kide_mgmt_read_req req;
    struct kide_mgmt_config_rep rep;
    hj_rpc_decode(rpc, &req, 1);
    int st = req.offset == 0 ? take_config(m) : KIDE_OK;
    if (st == KIDE_OK)
        st = chunk_at(m->config, m->config_len, req.offset, &rep.total, &rep.chunk.len,
                      rep.chunk.bytes);
    if (st != KIDE_OK)
        return st;
    rep.generation = m->config_gen;
    return reply(rpc, &rep, 3 + (rep.chunk.len + 7) / 8);
}

/* Relayed from core (KIDE_CORE_LOGS names the child's account, live or ended): hoitaja
 * keeps no lines itself. Only this habitat's children: a grandchild's lines are its
 * nested habitat's to give. The core call reuses this handler's UTCB, so the request
 * is snapshotted first and the reply built after. */
static int op_logs(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    struct kide_mgmt_logs_req req;
    struct kide_mgmt_logs_rep rep; /* 3.9 KiB on the stack: threads have 64 KiB */
    char name[HJ_NAME_MAX + 1];
    (void)m;
    int bad = rpc->in.bad;
    hj_rpc_decode(rpc, &req, sizeof(req) / 8);
    rpc->in.bad = bad; /* as in op_control */
    if (child_name(rpc, 2, req.name.len, req.name.bytes, name) || req.flags)
        return KIDE_BAD_PARAM;
    if (hj_config_find(&hj.cfg, name) < 0)
        return KIDE_NOT_FOUND;
    struct kide_core_chan core = kide_core_self_chan(kide_utcb(), kide_core_portal());
    int st = kide_core_logs(&core, &req, &rep);
    if (st == KIDE_NOT_FOUND) { /* a child of ours that never logged (or was stopped before) */
        memset(&rep, 0, 4 * 8);
        rep.next = 1;
    } else if (st != KIDE_OK) {
        return st;
    }
    return reply(rpc, &rep, 4 + (rep.lines.len + 7) / 8);
}

static int (*const ops[])(struct hj_mgmt *m, struct kide_rpc *rpc) = {
        [KIDE_MGMT_REPORT] = op_report,   [KIDE_MGMT_UPLOAD] = op_upload,
        [KIDE_MGMT_APPLY] = op_apply,     [KIDE_MGMT_RESULT] = op_result,
        [KIDE_MGMT_EVENTS] = op_events,   [KIDE_MGMT_SUBSCRIBE] = op_subscribe,
        [KIDE_MGMT_CONTROL] = op_control, [KIDE_MGMT_CONFIG] = op_config,
        [KIDE_MGMT_LOGS] = op_logs,
};

static int mgmt_call(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    struct hj_session *ss = obj;
    int st = KIDE_BAD_PARAM;
    (void)env;
    kide_mutex_lock(&hj.lock);
    if (rpc->op < sizeof(ops) / sizeof(ops[0]) && ops[rpc->op])
        st = ops[rpc->op](ss->mgmt, rpc);
    kide_mutex_unlock(&hj.lock);
    return st;
}

int hj_mgmt_open(struct hj_session *ss, kide_sel *pt)
{
    struct hj_mgmt *m = hj_malloc(sizeof(*m));
    if (!m)
        return KIDE_QUOTA;
    memset(m, 0, sizeof(*m));
    m->client = ss->client;
    ss->mgmt = m;
    /* Served on the client's CPU (IPC never crosses CPUs). */
    int st = kide_portal_create_on(hj.env, ss->client->cfg.affinity, mgmt_call, ss, pt);
    if (st != KIDE_OK) {
        hj_free(m);
        ss->mgmt = NULL;
    }
    return st;
}

void hj_mgmt_close(struct hj_session *ss)
{
    struct hj_mgmt *m = ss->mgmt;
    kide_portal_destroy(hj.env, ss->pt);
    ss->pt = 0;
    if (m && m->busy)
        m->closed = 1; /* its apply is in a call to a child: it frees m when it ends */
    else if (m)
        free_mgmt(m);
    ss->mgmt = NULL;
}
