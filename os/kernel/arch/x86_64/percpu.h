/* SPDX-License-Identifier: MIT */
/* Per-CPU state, reached through GS in the kernel.
 *
 * The first four fields are used by entry.S at fixed offsets (layout.h).
 * Everything else is touched only by its own CPU, except under the big kernel
 * lock (see lock.h) or, for flush_pending, atomically by the CPU that asks
 * for a TLB shoot-down.
 */
#ifndef KIDE_ARCH_PERCPU_H
#define KIDE_ARCH_PERCPU_H

#include "types.h"
#include "layout.h"
#include "frame.h"
#include <kide/syscall.h>

struct ec;
struct pd;
struct sc;

/** Hardware task-state segment; the I/O bitmap follows it in struct cpu. */
struct tss {
    u32 reserved0;
    u64 rsp0, rsp1, rsp2;
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
} __attribute__((packed));

#define SCHED_QUEUES (KIDE_PRIO_MAX + 2) /* index 0: background band */

struct cpu {
    struct cpu *self;     /**< CPU_SELF: lets C find this struct through GS */
    u64 kstack_top;       /**< CPU_KSTACK_TOP: top of this CPU's kernel stack */
    u64 frame_top;        /**< CPU_FRAME_TOP: end of the current EC's frame */
    u64 scratch;          /**< CPU_SCRATCH: user RSP during syscall entry */
    u32 id;               /**< logical CPU number, 0 = boot CPU */
    u32 apic_id;          /**< local APIC id */
    bool online;          /**< started and scheduling */
    struct ec *current;   /**< EC whose frame frame_top points into, or NULL */
    struct pd *loaded_pd; /**< address space in CR3 (NULL: kernel only) */
    struct pd *iobm_pd;   /**< whose I/O bitmap the TSS holds */
    struct ec *fpu_owner; /**< EC whose FPU state the FPU holds */
    /* MSR_FS_BASE holds fs_base, or 0 if fs_ec (the last EC resumed here)
     * loaded a segment selector into FS: user mode can only move the base
     * to 0 (both user descriptors have base 0, FSGSBASE is off), so one
     * EC can never pass a base of its own to another (ec.c, load_fs). */
    u64 fs_base;
    struct ec *fs_ec;
    volatile u32 flush_pending; /**< set by a shoot-down initiator, cleared here */
    bool need_resched;          /**< pick again before returning to user */
    bool ts_set;                /**< CR0.TS is set (FPU belongs to another EC) */

    /* Scheduler (sched.c). */
    struct sc *queue[SCHED_QUEUES]; /**< circular lists, head = next to run */
    u64 queue_bits[3];              /**< non-empty queues */
    struct sc *depleted;            /**< hard-depleted SCs waiting for their period */
    struct ec *timeouts;            /**< ECs with a deadline, sorted */
    struct sc *cur_sc;              /**< SC being charged for the CPU time now */
    u64 sc_start;                   /**< TSC when cur_sc was last charged */
    u64 quantum_end;                /**< TSC when cur_sc's round-robin slice ends */
    u64 timer_armed;                /**< TSC deadline the APIC timer is set for */

    struct frame dummy_frame; /**< entry frame while the current EC is being freed */
    struct ec *zombies;       /**< ECs freed while this CPU still ran them */
    u64 gdt[7];
    struct tss tss;
    u8 iobm[8192 + 1]; /**< I/O bitmap, copied from the running PD */
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct cpu, self) == CPU_SELF, "entry.S offsets");
_Static_assert(offsetof(struct cpu, kstack_top) == CPU_KSTACK_TOP, "entry.S offsets");
_Static_assert(offsetof(struct cpu, frame_top) == CPU_FRAME_TOP, "entry.S offsets");
_Static_assert(offsetof(struct cpu, scratch) == CPU_SCRATCH, "entry.S offsets");

extern struct cpu cpus[KIDE_MAX_CPUS];
extern unsigned cpu_count;

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("mov %%gs:0, %0" : "=r"(c));
    return c;
}

void cpu_setup(struct cpu *c); /* GDT, TSS, IDT, syscall MSRs, FPU, GS: per CPU */
void idt_init(void);           /* once, on the boot CPU */
void cpu_set_iobm(struct cpu *c, struct pd *pd);

#endif
