/* SPDX-License-Identifier: MIT */
/* Scheduling context: priority, budget per period, and accounted time.
 *
 * An SC drives one global EC (and whatever handlers that EC calls) on the
 * EC's CPU. While it has budget left in its period it runs at its priority,
 * round robin with the quantum; when depleted it runs in the background band
 * (or, if hard, not at all) until its period renews. Running past the end
 * of its budget (a late tick, a long system call) is debt that the next
 * renewals pay off first (sched.c). `consumed` counts every TSC tick
 * charged to it, exactly, in all bands.
 */
#ifndef KIDE_SC_H
#define KIDE_SC_H

#include "kobj.h"

struct ec;

struct sc {
    struct kobj obj;
    struct ec *ec; /**< the global EC it drives (holds a reference) */
    u32 cpu;
    u8 prio;
    bool hard;     /**< depleted: wait instead of running in the background */
    bool queued;   /**< on a run queue */
    bool depleted; /**< budget used up for this period, or in debt */
    bool zombie;   /**< retired while its EC was in a call */
    int queue;     /**< index of the run queue it is on */
    struct sc *next, *prev;
    struct sc *dep_next; /**< on the CPU's hard-depleted list */
    u64 budget_ns, period_ns;
    u64 budget, period; /**< in TSC ticks; budget >= period: unlimited */
    i64 left;           /**< budget left in this period, ticks; negative: debt (sched.c) */
    u64 period_start;   /**< TSC */
    u64 consumed;       /**< ticks charged in total */
    u64 quantum_left;   /**< round-robin slice left when preempted, ticks (0: a full one) */
};

struct sc *sc_create(struct pd *charge, struct ec *ec, u8 prio, bool hard, u64 budget_ns,
                     u64 period_ns, int *rc);
int sc_set(struct sc *sc, u8 prio, bool hard, u64 budget_ns, u64 period_ns);
bool sc_params_ok(u64 prio, u64 budget_ns, u64 period_ns);
u64 sc_consumed_ns(struct sc *sc);
void sc_retire(struct sc *sc);
void sc_free(struct sc *sc);

#endif
