/* SPDX-License-Identifier: MIT */
/* hoitaja calls into children: made without hj.lock, each with a deadline.
 *
 * A child server's root portal (KIDE_SRV_OPEN, _CLOSE, _UPGRADE) and our
 * own parent's portal are the only portals of someone else hoitaja calls
 * besides core. The kernel has no IPC timeout and a server may never reply,
 * so such a call is made like this (hj_call_unlocked): a handler EC, which
 * serves one call at a time, registers the call in hj.call[its CPU] with a
 * deadline (HJ_SRV_CALL_MS), releases hj.lock, calls, and takes the lock
 * again. The start of a child whose binary is a package (pkgload.c)
 * calls its Pkg store the same way, always from a handler EC: the main thread
 * only asks the store, whose next KIDE_PARENT_PENDING runs the start
 * (pkgstart.c). The main thread (supervision) never calls a child's
 * portal; it polices the deadlines (hj_calls_police): a server whose call is past its deadline is
 * treated as faulted ("session call timed out") and stopped by its restart policy, which destroys
 * its account at core, and the kernel then ends the blocked call with KIDE_ABORTED. So nothing
 * waits for a child server longer than the deadline plus one supervision round, and nothing else
 * waits for it at all except the callers queued on that CPU's handler.
 *
 * While the lock is released the world moves on: the caller and the server
 * may stop, restart or be removed. Invariants the callers rely on:
 *  - a slot named by a call in flight (s->calls > 0) is not freed: a removed
 *    slot is retired (hj_slot_retire) and freed by the main thread once no
 *    call names it and HJ_GRACE_MS passed (handlers that looked the slot up
 *    before its portal went are done by then);
 *  - the selector of a root portal a call may be using is not reused while
 *    calls name its server: hj_child_stop revokes it and parks the selector
 *    (hj_slot_put frees parked selectors when the last call ends), so a late
 *    call finds an empty selector (BAD_CAP), never another object;
 *  - epoch changes on every start and stop of a slot, so the police never
 *    faults a restarted server for its previous life's call.
 */
#include "glue.h"

#include <kide/sys.h>
#include <kide/stubs.h>

#define MS 1000000ull

/* The entry of hj.call the calling thread uses: its CPU's for a handler EC,
 * the last one for the main thread (whose UTCB is the component's first),
 * which never gets here today (pkgstart.c): kept so a stray call is still
 * registered, never on a handler's entry. */
static unsigned cpu_index(void)
{
    if (kide_utcb() == (struct kide_utcb *)KIDE_COMP_UTCB)
        return HJ_CPUS_MAX;
    unsigned cpu = kide_cpu(hj.env);
    return cpu < HJ_CPUS_MAX ? cpu : 0; /* defensive: core refuses CPUs >= 16 */
}

void hj_slot_hold(struct hj_slot *s)
{
    if (s)
        s->calls++;
}

void hj_slot_put(struct hj_slot *s)
{
    if (!s || --s->calls)
        return;
    for (unsigned i = 0; i < s->nparked; i++)
        kide_sel_free(s->parked[i], 0);
    s->nparked = 0;
}

void hj_slot_park(struct hj_slot *s, kide_sel pt)
{
    if (!pt)
        return;
    if (!s->calls) {
        kide_cap_drop(pt);
        return;
    }
    /* A call in flight may be about to use this selector: empty it, keep it. */
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, 0));
    if (s->nparked < HJ_PARKED_MAX)
        s->parked[s->nparked++] = pt; /* else the selector leaks: safe, and never seen */
}

void hj_slot_retire(struct hj_slot *s)
{
    s->removed = 1;
    s->removed_ns = kide_now_ns();
    s->next_dead = hj.dead;
    hj.dead = s;
}

void hj_slots_reap(kide_u64 now)
{
    for (struct hj_slot **p = &hj.dead; *p;) {
        struct hj_slot *s = *p;
        if (s->calls || now - s->removed_ns < HJ_GRACE_MS * MS) {
            p = &s->next_dead;
            continue;
        }
        *p = s->next_dead;
        hj_child_cfg_free(&s->cfg);
        hj_free(s);
    }
}

int hj_call_unlocked(struct hj_slot *client, struct hj_slot *srv, struct kide_msg *m, kide_sel pt,
                     kide_sel rcv)
{
    return hj_call_deadline(client, srv, m, pt, rcv, HJ_SRV_CALL_MS, "session call timed out");
}

int hj_call_deadline(struct hj_slot *client, struct hj_slot *srv, struct kide_msg *m, kide_sel pt,
                     kide_sel rcv, kide_u64 ms, const char *why)
{
    struct hj_call *c = &hj.call[cpu_index()];
    /* Invariant: a handler EC serves one call at a time and the main thread
     * never gets here, so this CPU's entry is free. */
    *c = (struct hj_call){.server = srv,
                          .server_epoch = srv ? srv->epoch : 0,
                          .deadline_ns = kide_now_ns() + ms * MS,
                          .why = why,
                          .busy = 1};
    hj_slot_hold(client);
    hj_slot_hold(srv);
    kide_mutex_unlock(&hj.lock);
    int st = kide_msg_call(m, pt, rcv);
    /* The reply stays in this EC's UTCB: locking is a system call without a message. */
    kide_mutex_lock(&hj.lock);
    if (c->timed_out)
        st = KIDE_TIMEOUT;
    hj.stall_end_ns[cpu_index()] = kide_now_ns();
    *c = (struct hj_call){0};
    hj_slot_put(client);
    hj_slot_put(srv);
    return st;
}

kide_u64 hj_calls_police(kide_u64 now)
{
    kide_u64 next = ~0ull;
    for (unsigned i = 0; i <= HJ_CPUS_MAX; i++) {
        struct hj_call *c = &hj.call[i];
        struct hj_slot *s = c->server;
        if (!c->busy || !s || c->timed_out)
            continue;
        if (now < c->deadline_ns) {
            next = c->deadline_ns < next ? c->deadline_ns : next;
            continue;
        }
        c->timed_out = 1;
        if (s->epoch == c->server_epoch && s->live && s->state == HJ_ST_RUNNING)
            hj_child_fault(s, c->why ? c->why : "session call timed out", now);
    }
    return next;
}

kide_u64 hj_cpu_free_since(unsigned cpu)
{
    if (cpu >= HJ_CPUS_MAX)
        return 0;
    return hj.call[cpu].busy ? ~0ull : hj.stall_end_ns[cpu];
}
