/* SPDX-License-Identifier: MIT */
/* Scheduling contexts; see sc.h. */
#include "sc.h"
#include "kernel.h"
#include "ec.h"
#include "pd.h"
#include "mem.h"
#include "time.h"
#include "sched.h"
#include "arch/x86_64/percpu.h"
#include <kide/syscall.h>
#include <kide/status.h>

void sched_forget_depleted(struct sc *sc);

bool sc_params_ok(u64 prio, u64 budget_ns, u64 period_ns)
{
    return prio <= KIDE_PRIO_MAX && budget_ns >= KIDE_SC_MIN_NS && period_ns >= KIDE_SC_MIN_NS &&
           budget_ns <= period_ns && period_ns <= 10000000000ull;
}

static void sc_apply(struct sc *sc, u8 prio, bool hard, u64 budget_ns, u64 period_ns)
{
    sc->prio = prio;
    sc->hard = hard;
    sc->budget_ns = budget_ns;
    sc->period_ns = period_ns;
    sc->budget = ns_to_tsc(budget_ns);
    sc->period = ns_to_tsc(period_ns);
    if (sc->budget >= sc->period)
        sc->budget = sc->period; /* unlimited */
    sc->left = (i64)sc->budget;  /* a fresh start: SET also clears a debt */
    sc->period_start = rdtsc();
}

struct sc *sc_create(struct pd *charge, struct ec *ec, u8 prio, bool hard, u64 budget_ns,
                     u64 period_ns, int *rc)
{
    struct sc *sc = kmalloc(charge, sizeof(*sc));
    if (!sc) {
        *rc = KIDE_QUOTA;
        return NULL;
    }
    kobj_init(&sc->obj, KOBJ_SC, charge);
    sc->ec = ec;
    kobj_get(&ec->obj);
    sc->cpu = ec->cpu;
    sc_apply(sc, prio, hard, budget_ns, period_ns);
    ec->sc = sc;
    if (ec->state == EC_BLOCKED && !ec->wq_head && !ec->callee) /* a new thread */
        ec->state = EC_RUNNABLE;
    if (ec->state == EC_RUNNABLE || ec->callee)
        sched_enqueue(sc);
    return sc;
}

int sc_set(struct sc *sc, u8 prio, bool hard, u64 budget_ns, u64 period_ns)
{
    struct cpu *c = &cpus[sc->cpu];
    if (c->cur_sc == sc)
        sched_account(c);
    bool was_queued = sc->queued;
    sched_dequeue(sc);
    if (sc->depleted)
        sched_forget_depleted(sc);
    sc_apply(sc, prio, hard, budget_ns, period_ns);
    if (was_queued)
        sched_enqueue(sc);
    sched_kick(sc->cpu);
    return KIDE_OK;
}

u64 sc_consumed_ns(struct sc *sc)
{
    struct cpu *c = &cpus[sc->cpu];
    u64 t = sc->consumed;
    /* Include the running stretch, also when the SC runs on another CPU now. */
    if (c->cur_sc == sc) {
        u64 now = rdtsc();
        if (now > c->sc_start)
            t += now - c->sc_start;
    }
    return tsc_to_ns(t);
}

void sc_retire(struct sc *sc)
{
    if (sc->depleted)
        sched_forget_depleted(sc);
    struct ec *ec = sc->ec;
    /* A caller still queued for a busy handler could never run the call it
     * waits for without its SC: it gets ABORTED now, so the handler does not
     * take it up and wait forever (and stall every caller behind it). */
    if (ec->want_pt)
        ec_abort_queued(ec);
    /* A call in progress completes on this SC; the SC goes when it unwinds. */
    if (ec->callee) {
        sc->zombie = true;
        kobj_get(&sc->obj);
        return;
    }
    sched_dequeue(sc);
}

void sc_free(struct sc *sc)
{
    struct cpu *c = &cpus[sc->cpu];
    /* A zombie SC (retired during a call) can run out of budget again before
     * the call unwinds; it must not stay on the depleted list once freed. */
    if (sc->depleted)
        sched_forget_depleted(sc);
    if (c->cur_sc == sc)
        c->cur_sc = NULL;
    if (sc->ec->sc == sc)
        sc->ec->sc = NULL;
    kobj_put(&sc->ec->obj);
    kfree(sc->obj.charge, sc);
}
