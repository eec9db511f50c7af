/* SPDX-License-Identifier: MIT */
/* hoitaja live configuration and component status: a child's config portal and
 * what it publishes.
 *
 * A child whose entry says `config_live: true` may register a config portal
 * (KIDE_PARENT_CONFIG_PORTAL). A reconfiguration that changes only its
 * `config` (plan.c: HJ_UPD_CONFIG) then hands the new text to the running
 * child instead of restarting it (hj_live_push): KIDE_CFG_CHUNK calls in order,
 * then KIDE_CFG_APPLY, which the child answers with its verdict. Each call is
 * made like any call into a child (calls.c): by the apply's handler EC, without
 * hj.lock, with a deadline the main thread polices (HJ_LIVE_CALL_MS for all
 * chunks together, and again for the apply: live_call); a child
 * that misses it is faulted ("config update timed out", the only way to end a
 * call the kernel gives) and restarted by its policy with the configuration in
 * force, which keeps the old text. Invariants: the caller (mgmt.c) runs one
 * apply at a time (hj.applying) with the configuration in force already
 * consistent (the other steps done), so releasing the lock in between exposes
 * no half-applied state; the text is the caller's copy, not the child's
 * memory; a child that restarts meanwhile (epoch) is not told the rest.
 * IPC never crosses CPUs: the child's portal is on its CPU, so the apply must
 * run there too (the management session's CPU); otherwise it is rejected.
 *
 * Status (KIDE_PARENT_STATUS): one JSON object per child, checked and made
 * canonical by hj_status_check, kept in the slot's fixed buffer (no allocation:
 * part of the slot hoitaja already pays for), overwritten by every publish and
 * printed on the console with the next report tick (at most once a second).
 */
#include "glue.h"

#include <kide/sys.h>

/** One push: the child, and the end of the phase the next call belongs to. */
struct push {
    struct hj_slot *s;
    kide_u64 end_ns;
};

/* Each call gets what is left of its phase's deadline (at least 1 ms): the
 * chunks of one update share HJ_LIVE_CALL_MS, the apply has its own. A child
 * answering every call just in time would otherwise hold this handler EC (and
 * every sibling's parent call queued on it) for 1 s per chunk, 19 s for a
 * config of KIDE_LIVE_CONFIG_MAX bytes. */
static int live_call(const struct kide_parent_chan *ch, struct kide_msg *m, kide_sel rcv,
                     kide_sel send, unsigned perm)
{
    const struct push *p = ch->ctx;
    kide_u64 now = kide_now_ns();
    kide_u64 ms = p->end_ns > now ? (p->end_ns - now + 999999) / 1000000 : 1;
    (void)perm;
    if (send)
        return KIDE_BAD_PARAM;
    return hj_call_deadline(NULL, p->s, m, ch->pt, rcv, ms, "config update timed out");
}

/* Whether s is still the life that was called (and its portal still there). */
static int same_life(const struct hj_slot *s, kide_u64 epoch)
{
    return s->epoch == epoch && s->live && s->cfg_pt;
}

int hj_live_push(struct hj_slot *s, const char *text, kide_u32 len, char *res, kide_u64 size)
{
    if (!s->live || s->state != HJ_ST_RUNNING) {
        /* Not running: the configuration in force changes, and its next start takes it. */
        hj_snprintf(res, size, "applied");
        return 0;
    }
    if (!s->cfg_pt) {
        hj_snprintf(res, size,
                    "rejected: child has not taken its configuration live (no config portal: "
                    "kide_live_config); config unchanged");
        return -1;
    }
    if (len > KIDE_LIVE_CONFIG_MAX) {
        hj_snprintf(res, size,
                    "rejected: config is %u bytes, a live one at most %u; config "
                    "unchanged",
                    len, KIDE_LIVE_CONFIG_MAX);
        return -1;
    }
    unsigned cpu = kide_cpu(hj.env);
    if (cpu != s->cfg.affinity) {
        hj_snprintf(res, size,
                    "rejected: child runs on CPU %u, the management session on CPU %u (calls "
                    "never cross CPUs); config unchanged",
                    s->cfg.affinity, cpu);
        return -1;
    }
    kide_u64 epoch = s->epoch;
    struct push push = {s, kide_now_ns() + HJ_LIVE_CALL_MS * 1000000ull};
    struct kide_parent_chan ch = {.pt = s->cfg_pt, .call = live_call, .ctx = &push};
    int st = KIDE_OK;
    for (kide_u32 off = 0; st == KIDE_OK && (off < len || off == 0);) {
        kide_u32 n = len - off < KIDE_CFG_CHUNK_MAX ? len - off : KIDE_CFG_CHUNK_MAX;
        struct kide_cfg_chunk_req req = {
                .total = len, .offset = off, .chunk = text + off, .len = n};
        st = kide_cfg_chunk(&ch, &req);
        if (!same_life(s, epoch) && st != KIDE_TIMEOUT)
            st = KIDE_ABORTED;
        off += n;
        if (!n)
            break;
    }
    struct kide_cfg_apply_rep rep = {{0}};
    if (st == KIDE_OK) {
        struct kide_cfg_apply_req req = {.total = len};
        push.end_ns = kide_now_ns() + HJ_LIVE_CALL_MS * 1000000ull;
        st = kide_cfg_apply(&ch, &req, &rep);
        if (!same_life(s, epoch) && st != KIDE_TIMEOUT)
            st = KIDE_ABORTED;
    }
    if (st == KIDE_ABORTED) {
        hj_snprintf(res, size, "rejected: child stopped during the update; config unchanged");
        return -1;
    }
    return hj_live_verdict(st, rep.text, hj_status_name(st), HJ_LIVE_CALL_MS, res, size);
}

int hj_live_register(struct hj_slot *c, struct kide_rpc *rpc)
{
    if (!rpc->cap_in)
        return KIDE_BAD_PARAM;
    if (!c->cfg.config_live)
        return KIDE_DENIED;
    hj_slot_park(c, c->cfg_pt); /* a push may be using the old one */
    c->cfg_pt = rpc->cap_in;
    rpc->cap_in = 0; /* keep it */
    return KIDE_OK;
}

int hj_live_status(struct hj_slot *c, struct kide_rpc *rpc)
{
    char in[KIDE_STATUS_MAX + 1], out[sizeof(c->status)], why[160];
    kide_u64 len = kide_msg_get_str(&rpc->in, in, sizeof(in)), out_len;
    if (rpc->in.bad)
        return KIDE_BAD_PARAM;
    /* A bad one changes nothing: the last good status stays. */
    if (hj_status_check(in, len, out, sizeof(out), &out_len, why, sizeof(why)))
        return KIDE_BAD_PARAM;
    if (out_len == c->status_len && !memcmp(c->status, out, out_len))
        return KIDE_OK; /* the same again: nothing new for the console */
    memcpy(c->status, out, out_len + 1);
    c->status_len = (kide_u32)out_len;
    c->status_new = 1;
    hj.status_dirty = 1;
    return KIDE_OK;
}

void hj_live_forget(struct hj_slot *s)
{
    hj_slot_park(s, s->cfg_pt);
    s->cfg_pt = 0;
}
