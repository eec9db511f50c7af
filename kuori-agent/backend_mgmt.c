/* SPDX-License-Identifier: MIT */
/* backend_mgmt.c: the real backend, over the habitat's management session
 * (<kide/mgmt_client.h>). The agent holds this one session and nothing
 * more: what it can see and change is what hoitaja's session reaches, its
 * own habitat (and, in the root habitat, the habitats that are its children).
 *
 * config, control and logs need hoitaja's CONFIG, CONTROL and LOGS
 * operations, which this hoitaja does not have yet: they answer
 * KAGENT_B_UNAVAILABLE with that reason (and so do set and habitat-resize,
 * which start from the configuration in force).
 */
#include <kide/component.h>
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

static int m_unavailable(struct kagent_mgmt *m, const char *op)
{
    snprintf(m->why, sizeof m->why,
             "hoitaja has no %s management operation yet (issue 15, "
             "helper hjctl); this agent cannot do it",
             op);
    return KAGENT_B_UNAVAILABLE;
}

static int m_config(void *ctx, char *buf, __SIZE_TYPE__ cap, __SIZE_TYPE__ *len, kide_u64 *gen)
{
    (void)buf;
    (void)cap;
    (void)len;
    (void)gen;
    return m_unavailable(ctx, "CONFIG");
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
    (void)what;
    (void)component;
    (void)verdict;
    (void)cap;
    return m_unavailable(ctx, "CONTROL");
}

static int m_logs(void *ctx, const char *component, kide_u64 after, unsigned tail, char *buf,
                  __SIZE_TYPE__ cap, __SIZE_TYPE__ *len, kide_u64 *lost)
{
    (void)component;
    (void)after;
    (void)tail;
    (void)buf;
    (void)cap;
    (void)len;
    (void)lost;
    return m_unavailable(ctx, "LOGS");
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
