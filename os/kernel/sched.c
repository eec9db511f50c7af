/* SPDX-License-Identifier: MIT */
/* Scheduler: run queues, accounting, budgets, quanta, timeouts; see sched.h.
 *
 * Costs: enqueue, dequeue and pick are O(1) (a bitmap of non-empty queues);
 * replenishment walks the CPU's list of depleted SCs, which only holds SCs
 * with a budget below their period that used it up or are paying off a
 * debt (below). Charging is O(1) however many periods it spans.
 */
#include "sched.h"
#include "kernel.h"
#include "lock.h"
#include "time.h"
#include "ec.h"
#include "sc.h"
#include "sm.h"
#include "pd.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/apic.h"

/* Round-robin slice of sc. In the background band the slice is the SC's
 * budget (at least a tenth of the quantum, to bound the timer rate), so
 * depleted soft SCs share idle time in proportion to their budgets: idle
 * time handed out equally would undo their quotas whenever the band is
 * busy, e.g. while overruns are paid off. */
static u64 quantum_ticks(const struct sc *sc)
{
    u64 q = ns_to_tsc(KIDE_QUANTUM_NS);
    if (!sc->depleted || sc->budget >= q)
        return q;
    return sc->budget > q / 10 ? sc->budget : q / 10;
}

void sched_init_cpu(struct cpu *c)
{
    for (unsigned q = 0; q < SCHED_QUEUES; q++)
        c->queue[q] = NULL;
    c->queue_bits[0] = c->queue_bits[1] = c->queue_bits[2] = 0;
    c->sc_start = rdtsc();
}

static void q_insert(struct cpu *c, struct sc *sc, int q)
{
    struct sc **h = &c->queue[q];
    sc->queue = q;
    sc->queued = true;
    if (!*h) {
        *h = sc;
        sc->next = sc->prev = sc;
        c->queue_bits[q / 64] |= 1ul << (q % 64);
        return;
    }
    struct sc *tail = (*h)->prev;
    sc->next = *h;
    sc->prev = tail;
    tail->next = sc;
    (*h)->prev = sc;
}

static void q_remove(struct cpu *c, struct sc *sc)
{
    struct sc **h = &c->queue[sc->queue];
    if (sc->next == sc) {
        *h = NULL;
        c->queue_bits[sc->queue / 64] &= ~(1ul << (sc->queue % 64));
    } else {
        sc->prev->next = sc->next;
        sc->next->prev = sc->prev;
        if (*h == sc)
            *h = sc->next;
    }
    sc->queued = false;
    sc->next = sc->prev = NULL;
}

static int q_highest(struct cpu *c)
{
    for (int w = 2; w >= 0; w--)
        if (c->queue_bits[w])
            return w * 64 + 63 - __builtin_clzl(c->queue_bits[w]);
    return -1;
}

static struct ec *chain_head(struct ec *e)
{
    while (e->callee)
        e = e->callee;
    return e;
}

static bool sc_runnable(struct sc *sc)
{
    return sc->ec && chain_head(sc->ec)->state == EC_RUNNABLE;
}

void sched_kick(unsigned cpu)
{
    struct cpu *c = &cpus[cpu];
    if (c == this_cpu())
        c->need_resched = true;
    else if (c->online)
        lapic_ipi(c->apic_id, VEC_RESCHED);
}

void sched_enqueue(struct sc *sc)
{
    if (sc->queued || (sc->depleted && sc->hard) || (sc->obj.retired && !sc->zombie))
        return;
    struct cpu *c = &cpus[sc->cpu];
    int q = sc->depleted ? 0 : sc->prio + 1;
    q_insert(c, sc, q);
    if (!c->cur_sc || !c->cur_sc->queued || q > c->cur_sc->queue)
        sched_kick(sc->cpu);
}

void sched_dequeue(struct sc *sc)
{
    struct cpu *c = &cpus[sc->cpu];
    if (sc->queued)
        q_remove(c, sc);
    if (c->cur_sc == sc)
        sched_kick(sc->cpu);
}

/* Budget debt. A timer interrupt can come late (a busy host under TCG, the
 * big lock held by another CPU, a long system call), so an SC can run past
 * the end of its budget. That overrun is kept as debt, a negative `left`,
 * which the next renewals pay off before the SC competes at its priority
 * again; without it every late tick is time the SC keeps for good, and a
 * small budget gains the most. The debt is bounded by one period's length,
 * so however long a stall charged to an SC was, it competes at its priority
 * again after at most period / budget renewals (a soft one still uses idle
 * time meanwhile). The bound is time, not budget: what a stall beyond it
 * forgives then goes to SCs of equal periods in proportion to how much they
 * run, instead of favouring the smallest budget.
 * Invariant: -period <= left <= budget; left > 0 for a limited SC that is
 * not depleted. */
static i64 no_debt_below(const struct sc *sc, i64 left)
{
    return left < -(i64)sc->period ? -(i64)sc->period : left;
}

/* Renew sc for every period that ended by t: each pays one budget (unused
 * budget does not pile up beyond one). Periods stay anchored at their own
 * boundaries, however late this runs. */
static void renew(struct sc *sc, u64 t)
{
    if (t < sc->period_start + sc->period)
        return;
    u64 n = (t - sc->period_start) / sc->period;
    sc->period_start += n * sc->period;
    /* n * budget <= n * period <= t: no overflow. */
    i64 left = no_debt_below(sc, sc->left) + (i64)(n * sc->budget);
    sc->left = left > (i64)sc->budget ? (i64)sc->budget : left;
}

/* Charge a limited, non-depleted SC for running from `from` to `now`. A
 * stretch that crossed its period boundary (the tick came late) charges the
 * old period its part first, so an overrun there becomes debt. */
static void charge(struct sc *sc, u64 from, u64 now)
{
    renew(sc, from);
    u64 end = sc->period_start + sc->period;
    if (now >= end) {
        sc->left -= (i64)(end - from);
        from = end;
        renew(sc, now);
    }
    sc->left = no_debt_below(sc, sc->left - (i64)(now - from));
}

static void deplete(struct cpu *c, struct sc *sc)
{
    sc->depleted = true;
    sc->dep_next = c->depleted;
    c->depleted = sc;
    if (sc->queued) {
        q_remove(c, sc);
        if (!sc->hard)
            q_insert(c, sc, 0);
    }
    c->need_resched = true;
}

/* A renewed SC (no longer depleted) goes from the background band back to
 * its priority. */
static void requeue(struct cpu *c, struct sc *sc)
{
    if (sc->queued)
        q_remove(c, sc);
    if (sc_runnable(sc))
        sched_enqueue(sc);
}

/** Take sc off its CPU's depleted list (SC retired or reconfigured). */
void sched_forget_depleted(struct sc *sc)
{
    struct cpu *c = &cpus[sc->cpu];
    for (struct sc **pp = &c->depleted; *pp; pp = &(*pp)->dep_next)
        if (*pp == sc) {
            *pp = sc->dep_next;
            break;
        }
    sc->dep_next = NULL;
    sc->depleted = false;
}

void sched_account(struct cpu *c)
{
    u64 now = rdtsc();
    struct sc *sc = c->cur_sc;
    u64 el = now - c->sc_start;
    c->sc_start = now;
    if (!sc)
        return;
    sc->consumed += el;
    if (sc->budget >= sc->period)
        return;
    if (!sc->depleted) {
        charge(sc, now - el, now);
        if (sc->left <= 0)
            deplete(c, sc);
        return;
    }
    /* Time in the background band is idle time and costs no budget, but
     * only until the SC's period ends: if the tick that renews it comes
     * late, what it ran since is its new period's time. */
    u64 end = sc->period_start + sc->period;
    if (now <= end)
        return;
    charge(sc, now - el > end ? now - el : end, now);
    if (sc->left > 0) {
        sched_forget_depleted(sc);
        requeue(c, sc);
    }
}

static void replenish(struct cpu *c, u64 now)
{
    struct sc **pp = &c->depleted;
    while (*pp) {
        struct sc *sc = *pp;
        if (now < sc->period_start + sc->period) {
            pp = &sc->dep_next;
            continue;
        }
        renew(sc, now);
        if (sc->left <= 0) { /* still paying off debt: wait for the next period */
            pp = &sc->dep_next;
            continue;
        }
        *pp = sc->dep_next;
        sc->dep_next = NULL;
        sc->depleted = false;
        requeue(c, sc);
    }
}

void timeout_add(struct ec *ec, u64 deadline)
{
    struct cpu *c = &cpus[ec->cpu];
    ec->deadline = deadline;
    ec->on_timeouts = true;
    struct ec **pp = &c->timeouts, *prev = NULL;
    while (*pp && (*pp)->deadline <= deadline) {
        prev = *pp;
        pp = &(*pp)->to_next;
    }
    ec->to_next = *pp;
    ec->to_prev = prev;
    if (*pp)
        (*pp)->to_prev = ec;
    *pp = ec;
}

void timeout_del(struct ec *ec)
{
    if (!ec->on_timeouts)
        return;
    struct cpu *c = &cpus[ec->cpu];
    if (ec->to_prev)
        ec->to_prev->to_next = ec->to_next;
    else
        c->timeouts = ec->to_next;
    if (ec->to_next)
        ec->to_next->to_prev = ec->to_prev;
    ec->to_next = ec->to_prev = NULL;
    ec->on_timeouts = false;
}

static u64 next_event(struct cpu *c)
{
    u64 t = ~0ul;
    struct sc *sc = c->cur_sc;
    if (sc) {
        t = c->quantum_end;
        if (sc->budget < sc->period && !sc->depleted && c->sc_start + (u64)sc->left < t)
            t = c->sc_start + (u64)sc->left;
    }
    for (struct sc *d = c->depleted; d; d = d->dep_next)
        if (d->period_start + d->period < t)
            t = d->period_start + d->period;
    if (c->timeouts && c->timeouts->deadline < t)
        t = c->timeouts->deadline;
    return t;
}

static void timer_program(struct cpu *c)
{
    u64 t = next_event(c);
    if (t == ~0ul) {
        lapic_timer(0);
        return;
    }
    u64 now = rdtsc();
    u64 d = t > now ? t - now : 1;
    if (d > tsc_khz * 10000) /* re-check at least every 10 s */
        d = tsc_khz * 10000;
    u64 ticks = d * lapic_khz / tsc_khz;
    lapic_timer(ticks ? (u32)(ticks > 0xffffffffu ? 0xffffffffu : ticks) : 1);
}

void sched_tick(void)
{
    struct cpu *c = this_cpu();
    sched_account(c);
    u64 now = rdtsc();
    replenish(c, now);
    while (c->timeouts && c->timeouts->deadline <= now) {
        struct ec *e = c->timeouts;
        timeout_del(e);
        sm_timeout(e);
    }
    struct sc *sc = c->cur_sc;
    if (sc && now >= c->quantum_end) {
        if (sc->queued && c->queue[sc->queue] == sc)
            c->queue[sc->queue] = sc->next;
        c->quantum_end = now + quantum_ticks(sc);
        c->need_resched = true;
    }
    timer_program(c);
}

void sched_block(struct ec *ec)
{
    ec->state = EC_BLOCKED;
    struct sc *sc = ec_chain_sc(ec);
    if (sc)
        sched_dequeue(sc);
}

void sched_wake(struct ec *ec, int status)
{
    ec->state = EC_RUNNABLE;
    ec->regs.rax = (u64)status;
    struct sc *sc = ec_chain_sc(ec);
    if (sc)
        sched_enqueue(sc);
}

/* Change the SC this CPU charges. A preempted SC keeps the rest of its
 * round-robin slice, so a high-priority EC that wakes often cannot reset it
 * and starve the SC's peers at its own priority. */
static void switch_sc(struct cpu *c, struct sc *sc)
{
    u64 now = rdtsc();
    if (c->cur_sc)
        c->cur_sc->quantum_left = c->quantum_end > now ? c->quantum_end - now : 0;
    c->cur_sc = sc;
    if (!sc)
        return;
    if (!sc->quantum_left)
        sc->quantum_left = quantum_ticks(sc);
    c->quantum_end = now + sc->quantum_left;
}

noreturn void schedule(void)
{
    struct cpu *c = this_cpu();
    for (;;) {
        sched_account(c);
        c->need_resched = false;
        int q = q_highest(c);
        if (q >= 0) {
            struct sc *sc = c->queue[q];
            struct ec *head = chain_head(sc->ec);
            if (head->state != EC_RUNNABLE) {
                if (head->state == EC_DEAD || head->state == EC_STOPPED)
                    ec_chain_abort(head);
                else
                    q_remove(c, sc); /* defensive: a blocked chain must not be queued */
                kobj_reap();
                continue;
            }
            if (c->cur_sc != sc)
                switch_sc(c, sc);
            timer_program(c);
            ec_resume(head);
        }
        switch_sc(c, NULL);
        c->current = NULL;
        timer_program(c);
        bkl_unlock();
        irq_enable_and_halt();
        bkl_lock();
        ec_reap_zombies();
        kobj_reap();
        tlb_flush_dirty();
    }
}

noreturn void kernel_exit(void)
{
    kobj_reap();
    tlb_flush_dirty();
    struct cpu *c = this_cpu();
    struct ec *e = c->current;
    if (c->need_resched || !e || e->state != EC_RUNNABLE || e->callee)
        schedule();
    ec_resume(e);
}
