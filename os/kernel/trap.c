/* SPDX-License-Identifier: MIT */
/* Exceptions and interrupts, from user mode and from the idle loop.
 *
 * From user mode the state is already in the current EC's frame: exceptions
 * become exception messages, interrupts do their work and the scheduler
 * decides who runs next. In kernel mode only the idle loop takes interrupts;
 * an exception there is a kernel bug and panics with the state.
 */
#include "kernel.h"
#include "ec.h"
#include "sm.h"
#include "lock.h"
#include "sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/fault_report.h"
#include "arch/x86_64/vtd.h"

extern void ret_user_iret(struct frame *f) __attribute__((__noreturn__));

/* Interrupt work common to both modes; runs under the big lock. */
static void interrupt(u64 vector)
{
    struct cpu *c = this_cpu();
    if (vector == VEC_TIMER) {
        lapic_eoi();
        sched_tick();
    } else if (vector == VEC_RESCHED) {
        lapic_eoi();
        c->need_resched = true;
    } else if (vector >= VEC_GSI_BASE && vector < VEC_GSI_BASE + 24) {
        lapic_eoi();
        sm_irq((unsigned)(vector - VEC_GSI_BASE));
    } else if (vector >= VEC_MSI_BASE && vector < VEC_MSI_BASE + KIDE_ROOT_MSIS) {
        lapic_eoi();
        sm_msi((unsigned)(vector - VEC_MSI_BASE));
    } else if (vector == VEC_IOMMU) {
        lapic_eoi();
        vtd_fault();
    } else if (vector != VEC_SPURIOUS) {
        lapic_eoi();
    }
}

/* An NMI is nobody's fault and carries no work here (no watchdog uses it):
 * say so, rate-limited by the console's fault budget, and carry on. */
static void nmi(const struct frame *f)
{
    if (ec_report_allowed())
        printk("kide: NMI on CPU %u at %lx (ignored)\n", this_cpu()->id, f->rip);
}

noreturn void trap_user(struct frame *f)
{
    struct cpu *c = this_cpu();
    if (f->vector == 8 || f->vector == 18)
        panic("%s in user mode at %lx", f->vector == 8 ? "double fault" : "machine check", f->rip);
    if (f->vector == VEC_FLUSH) {
        /* Answer without the big lock: its holder may be waiting for us. */
        flush_handle();
        lapic_eoi();
        struct ec *cur = c->current;
        if (cur && c->loaded_pd == cur->pd && cur->state != EC_DEAD) {
            /* flush_handle dropped the cached I/O bitmap (ports may have been
             * revoked): load the PD's current one before going back. */
            cpu_set_iobm(c, cur->pd);
            ret_user_iret(f);
        }
        bkl_lock(); /* its PD or itself is gone: never go back to it */
        ec_reap_zombies();
        schedule();
    }
    bkl_lock();
    ec_reap_zombies();
    struct ec *ec = c->current;
    if (!ec || ec->state == EC_DEAD || f != &ec->regs) {
        /* Entered on the scratch frame, or as a dying EC: never resume it, but
         * an interrupt still needs its work and its EOI, or this CPU goes deaf. */
        if (f->vector >= 32)
            interrupt(f->vector);
        schedule();
    }
    ec->sysret_ok = false;
    if (f->vector == 7) {
        fpu_switch(ec);
        kernel_exit();
    }
    if (f->vector == 2) {
        nmi(f);
        kernel_exit();
    }
    if (f->vector < 32)
        ec_exception(ec);
    interrupt(f->vector);
    kernel_exit();
}

void trap_kernel_mode(struct frame *f)
{
    if (f->vector == 2) {
        nmi(f);
        return;
    }
    if (f->vector < 32)
        fault_report(f, read_cr2(), "kernel mode");
    if (f->vector < 32)
        panic("kernel exception %lu error %lx at %lx cr2 %lx", f->vector, f->error, f->rip,
              read_cr2());
    if (f->vector == VEC_FLUSH) {
        flush_handle();
        lapic_eoi();
        return;
    }
    bkl_lock();
    interrupt(f->vector);
    bkl_unlock();
}
