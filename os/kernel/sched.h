/* SPDX-License-Identifier: MIT */
/* The scheduler: per-CPU run queues of scheduling contexts.
 *
 * Each CPU has one queue per priority plus a background band (queue 0) for
 * depleted SCs. The SC at the head of the highest non-empty queue runs; it
 * stays at the head until it blocks, is preempted by a higher queue, or uses
 * up its quantum (then it moves to the tail). Running an SC means running
 * the head of its EC's call chain. Everything here runs under the big lock;
 * another CPU's queues are touched only to wake an SC there, followed by an
 * IPI so that CPU re-decides.
 */
#ifndef KIDE_SCHED_H
#define KIDE_SCHED_H

#include "types.h"

struct cpu;
struct sc;
struct ec;
struct acpi_info;

void sched_init_cpu(struct cpu *c);
void smp_prepare(const struct acpi_info *acpi);
/** Make sc runnable (no-op if queued or hard-depleted). */
void sched_enqueue(struct sc *sc);
void sched_dequeue(struct sc *sc);
/** Pick the next EC on this CPU and run it; idles if there is none. */
noreturn void schedule(void);
/** Charge the running SC for the time since it was last charged. */
void sched_account(struct cpu *c);
/** Timer interrupt on this CPU. */
void sched_tick(void);
/** ec's chain can no longer run (it blocked): take its SC off the queue. */
void sched_block(struct ec *ec);
/** A blocked ec resumes with status in RAX: queue its chain's SC. */
void sched_wake(struct ec *ec, int status);
/** Semaphore deadlines. */
void timeout_add(struct ec *ec, u64 deadline_tsc);
void timeout_del(struct ec *ec);
/** Ask cpu to re-decide (IPI unless it is this CPU). */
void sched_kick(unsigned cpu);
/** Return from a kernel entry to the current EC, or reschedule. */
noreturn void kernel_exit(void);

#endif
