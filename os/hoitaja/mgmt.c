/* SPDX-License-Identifier: MIT */
/* hoitaja management session ("Hoitaja"): report, upload, apply, result, events.
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

void hj_report_console(kide_u64 now)
{
    struct hj_habitat_status h;
    char line[400];
    struct hj_status *st = snapshot(now, &h);
    if (!st)
        return;
    hj_report_sum_line(&h, st, hj.cfg.nchildren, line, sizeof(line));
    kide_log(hj.env, "report: %s", line);
    for (unsigned i = 0; i < hj.cfg.nchildren; i++) {
        hj_report_line(&st[i], line, sizeof(line));
        kide_log(hj.env, "report: %s", line);
    }
    hj_free(st);
}

static int take_report(struct hj_mgmt *m)
{
    struct hj_habitat_status h;
    kide_u64 now = kide_now_ns();
    struct hj_status *st = snapshot(now, &h);
    if (!st)
        return KIDE_QUOTA;
    /* About 400 bytes per child as JSON; grow once if that was short. */
    kide_u64 size = 1024 + 512ull * hj.cfg.nchildren;
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

/* Reply with total, [extra], then the chunk of buf at the offset. */
static int chunk(struct kide_rpc *rpc, const char *buf, long len, kide_u64 off, int with_seq,
                 kide_u64 seq)
{
    if (!buf || len < 0 || off > (kide_u64)len)
        return KIDE_BAD_PARAM;
    kide_u64 n = (kide_u64)len - off;
    if (n > KIDE_MGMT_CHUNK_MAX)
        n = KIDE_MGMT_CHUNK_MAX;
    kide_msg_put(&rpc->out, (kide_u64)len);
    if (with_seq)
        kide_msg_put(&rpc->out, seq);
    kide_msg_put_bytes(&rpc->out, buf + off, n);
    return rpc->out.bad ? KIDE_OVERFLOW : KIDE_OK;
}

/* ---- live reconfiguration ---------------------------------------------------- */

struct apply_state {
    kide_u64 gen;
    struct hj_result *res;
    unsigned nres;
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
    kide_u64 size = 512 + 256ull * (a ? a->nres : 0);
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
    if (why[0]) {
        char text[200];
        hj_snprintf(text, sizeof(text), "rejected: %s", why);
        result(a, s->cfg.name, text);
        return;
    }
    if (upd & (HJ_UPD_RAM | HJ_UPD_CAPS | HJ_UPD_CPU))
        hj_event(KIDE_EV_QUOTA, s->cfg.name, s->cfg.ram, s->cfg.cpu_quota);
    result(a, s->cfg.name, "applied");
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
    a.res = hj_malloc((hj.cfg.nchildren + next.nchildren + 1) * sizeof(*a.res));
    if (!a.res) {
        hj_config_free(&next);
        return reject(m, gen, KIDE_QUOTA, "hoitaja is out of memory");
    }
    execute(&a, &next);
    hj_config_free(&hj.cfg);
    hj.cfg = next;
    hj.cfg.generation = gen;
    hj_event(KIDE_EV_APPLIED, NULL, gen, 0);
    hj_say("apply generation %lu: done", gen);
    set_result(m, gen, "done", &a);
    hj_free(a.res);
    return KIDE_OK;
}

/* ---- the session ------------------------------------------------------------ */

static int upload(struct hj_mgmt *m, struct kide_rpc *rpc)
{
    const void *p;
    kide_u64 total = kide_msg_get(&rpc->in), off = kide_msg_get(&rpc->in);
    kide_u64 n = kide_msg_get_bytes(&rpc->in, &p, KIDE_MGMT_CHUNK_MAX);
    if (rpc->in.bad || total > KIDE_MGMT_CONFIG_MAX || off > total || n > total - off)
        return KIDE_BAD_PARAM;
    if (off == 0) {
        hj_free(m->upload);
        m->upload_have = 0;
        m->upload_total = total;
        if (!(m->upload = hj_malloc(total ? total : 1)))
            return KIDE_QUOTA;
    }
    /* Chunks come in order; anything else restarts at offset 0. */
    if (!m->upload || total != m->upload_total || off != m->upload_have)
        return KIDE_BAD_PARAM;
    memcpy(m->upload + off, p, n);
    m->upload_have += n;
    return KIDE_OK;
}

static int mgmt_call(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    struct hj_session *ss = obj;
    struct hj_mgmt *m = ss->mgmt;
    int st = KIDE_BAD_PARAM;
    (void)env;
    kide_mutex_lock(&hj.lock);
    kide_u64 w1 = kide_msg_get(&rpc->in);
    switch (rpc->op) {
    case KIDE_MGMT_REPORT:
        st = w1 == 0 ? take_report(m) : KIDE_OK;
        if (st == KIDE_OK)
            st = chunk(rpc, m->report, m->report_len, w1, 1, m->report_seq);
        break;
    case KIDE_MGMT_UPLOAD:
        rpc->in.pos = 1;
        st = upload(m, rpc);
        break;
    case KIDE_MGMT_APPLY: {
        kide_u64 partial = kide_msg_get(&rpc->in);
        if (rpc->in.bad || partial > 1 || !m->upload || m->upload_have != m->upload_total)
            break;
        st = hj_apply(m, m->upload, m->upload_total, w1, (int)partial);
        kide_msg_put(&rpc->out, m->result_len > 0 ? (kide_u64)m->result_len : 0);
        break;
    }
    case KIDE_MGMT_RESULT:
        st = chunk(rpc, m->result, m->result_len, w1, 0, 0);
        break;
    case KIDE_MGMT_SUBSCRIBE:
        st = m->events_sm ? KIDE_OK : kide_sm_create(hj.env, 0, &m->events_sm);
        if (st == KIDE_OK) {
            rpc->cap_out = m->events_sm;
            rpc->cap_perm = KIDE_SM_DOWN;
        }
        break;
    case KIDE_MGMT_EVENTS: {
        struct kide_mgmt_event ev[KIDE_MGMT_EVENTS_MAX];
        kide_u64 first, lost;
        unsigned n = hj_events_read(&hj.events, w1, ev, KIDE_MGMT_EVENTS_MAX, &first, &lost);
        kide_msg_put(&rpc->out, first);
        kide_msg_put(&rpc->out, n);
        kide_msg_put(&rpc->out, lost);
        for (unsigned i = 0; i < n; i++) {
            kide_u64 w[KIDE_MGMT_EVENT_WORDS];
            memcpy(w, &ev[i], sizeof(w));
            for (unsigned k = 0; k < KIDE_MGMT_EVENT_WORDS; k++)
                kide_msg_put(&rpc->out, w[k]);
        }
        st = rpc->out.bad ? KIDE_OVERFLOW : KIDE_OK;
        break;
    }
    default:
        break;
    }
    kide_mutex_unlock(&hj.lock);
    return st;
}

int hj_mgmt_open(struct hj_session *ss, kide_sel *pt)
{
    struct hj_mgmt *m = hj_malloc(sizeof(*m));
    if (!m)
        return KIDE_QUOTA;
    memset(m, 0, sizeof(*m));
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
    if (m) {
        if (m->events_sm)
            kide_cap_drop(m->events_sm);
        hj_free(m->upload);
        hj_free(m->result);
        hj_free(m->report);
        hj_free(m);
    }
    ss->mgmt = NULL;
}
