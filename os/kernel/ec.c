/* SPDX-License-Identifier: MIT */
/* Execution contexts: creation, resumption, faults, death; see ec.h.
 *
 * Resuming an EC is the one way out of the kernel: it loads the EC's address
 * space, I/O bitmap and FPU ownership, points the CPU's entry frame at the EC
 * and leaves through sysret (state from a system call) or iret (anything
 * else). Faults become exception messages to the EC's handler portal; an EC
 * whose fault nobody handles stops and its PD's owner is told.
 */
#include "ec.h"
#include "kernel.h"
#include "pd.h"
#include "sc.h"
#include "pt.h"
#include "sm.h"
#include "cap.h"
#include "mem.h"
#include "lock.h"
#include "sched.h"
#include "time.h"
#include "ipc.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/fault_report.h"
#include <kide/syscall.h>
#include <kide/status.h>
#include <kide/boot.h>

extern void ret_user_iret(struct frame *f) __attribute__((__noreturn__));
extern void ret_user_sysret(struct frame *f) __attribute__((__noreturn__));

static u8 fpu_clean[512] __attribute__((aligned(16)));

static void ec_reset_frame(struct ec *ec, u64 ip, u64 sp)
{
    memset(&ec->regs, 0, sizeof(ec->regs));
    ec->regs.rip = ip;
    ec->regs.rsp = sp;
    ec->regs.cs = GDT_UCODE;
    ec->regs.ss = GDT_UDATA;
    ec->regs.rflags = RFLAGS_USER_FIXED;
    ec->sysret_ok = false;
}

struct ec *ec_create(struct pd *pd, bool global, u32 cpu, u64 utcb_addr, u64 sp, u64 ip,
                     u64 evt_base, int *rc)
{
    if (utcb_addr & (PAGE_SIZE - 1) || utcb_addr >= KIDE_USER_END) {
        *rc = KIDE_BAD_ADDR;
        return NULL;
    }
    if (space_overlap(pd, SPACE_MEM, utcb_addr >> PAGE_SHIFT, 1)) {
        *rc = KIDE_BAD_ADDR;
        return NULL;
    }
    struct ec *ec = kmalloc(pd, sizeof(*ec));
    if (!ec) {
        *rc = KIDE_QUOTA;
        return NULL;
    }
    ec->utcb = kpage_alloc(pd);
    if (!ec->utcb) {
        kfree(pd, ec);
        *rc = KIDE_QUOTA;
        return NULL;
    }
    *rc = space_add(pd, SPACE_MEM, utcb_addr >> PAGE_SHIFT, 0, virt_to_phys(ec->utcb) >> PAGE_SHIFT,
                    KIDE_MEM_R | KIDE_MEM_W, RNODE_SPECIAL, NULL, &ec->utcb_node);
    if (*rc != KIDE_OK) {
        kpage_free(pd, ec->utcb);
        kfree(pd, ec);
        return NULL;
    }
    kobj_init(&ec->obj, KOBJ_EC, pd);
    ec->pd = pd;
    kobj_get(&pd->obj);
    ec->cpu = cpu;
    ec->global = global;
    ec->utcb_addr = utcb_addr;
    ec->sp = sp;
    ec->ip = ip;
    ec->evt_base = evt_base;
    ec->state = global ? EC_BLOCKED : EC_IDLE; /* a thread waits for its SC */
    ec_reset_frame(ec, ip, sp);
    ec->pd_next = pd->ecs;
    if (pd->ecs)
        pd->ecs->pd_prev = ec;
    pd->ecs = ec;
    return ec;
}

struct sc *ec_chain_sc(struct ec *ec)
{
    while (ec->caller)
        ec = ec->caller;
    return ec->global ? ec->sc : NULL;
}

void ec_chain_returned(struct ec *ec)
{
    struct sc *sc = ec->sc;
    if (ec->caller || !ec->global || !sc || !sc->zombie)
        return;
    /* The SC was retired while this thread was in a call: it stops now. */
    sc->zombie = false;
    sched_dequeue(sc);
    kobj_put(&sc->obj);
}

void ec_unlink_call(struct ec *caller, struct ec *callee)
{
    caller->callee = NULL;
    callee->caller = NULL;
    kobj_put(&callee->obj);
    kobj_put(&caller->obj);
}

void ec_chain_abort(struct ec *e)
{
    while ((e->state == EC_DEAD || e->state == EC_STOPPED) && !e->callee) {
        struct ec *caller = e->caller;
        e->serving = false;
        if (!caller) {
            if (e->global && e->sc) {
                sched_dequeue(e->sc);
                ec_chain_returned(e);
            }
            return;
        }
        ec_unlink_call(caller, e);
        if (caller->state == EC_DEAD || caller->state == EC_STOPPED) {
            e = caller;
            continue;
        }
        if (caller->in_exc) {
            /* Its fault handler went away: the fault stays unhandled. */
            caller->in_exc = false;
            ec_stop(caller, caller->regs.vector, caller->regs.error, caller->fault_addr);
            return;
        }
        sched_wake(caller, KIDE_ABORTED);
        ec_chain_returned(caller);
        return;
    }
}

/* Console reports of unhandled faults are rate-limited: the UART is polled
 * under the big lock, so a PD faulting in a loop must not be able to keep the
 * kernel printing. At most REPORT_BURST lines per second; the count of the
 * lines left out is printed with the next one. */
#define REPORT_BURST 10
bool ec_report_allowed(void)
{
    static u64 window_start, in_window, suppressed;
    u64 now = now_ns();
    if (now - window_start >= 1000000000ull) {
        if (suppressed)
            printk("kide: %lu more fault reports suppressed\n", suppressed);
        window_start = now;
        in_window = suppressed = 0;
    }
    if (in_window < REPORT_BURST) {
        in_window++;
        return true;
    }
    suppressed++;
    return false;
}

/* Take ec out of whatever queue it waits in. A caller waiting for a busy
 * handler holds a reference to the portal it called (ipc_call); it is
 * dropped here, whichever way the wait ends. */
void ec_unqueue(struct ec *ec)
{
    wq_remove(ec);
    if (ec->want_pt) {
        kobj_put(&ec->want_pt->obj);
        ec->want_pt = NULL;
    }
}

/* A caller queued for a handler that will never serve it: an exception
 * message stops the faulting EC, a call returns ABORTED. */
void ec_abort_queued(struct ec *w)
{
    ec_unqueue(w);
    if (w->in_exc) {
        w->in_exc = false;
        ec_stop(w, w->regs.vector, w->regs.error, w->fault_addr);
    } else {
        sched_wake(w, KIDE_ABORTED);
    }
}

void ec_stop(struct ec *ec, u64 vector, u64 error, u64 addr)
{
    ec->fault_vector = vector;
    ec->fault_error = error;
    ec->fault_addr = addr;
    ec_unqueue(ec);
    timeout_del(ec);
    ec->state = EC_STOPPED;
    /* The root's fault ends the boot: its full report is printed once and
     * never rate-limited (NMIs or other PDs' faults just before it must
     * not be able to hide the cause of the panic). */
    bool root = !ec->pd->quota_parent && ec->global && ec->utcb_addr == KIDE_ROOT_UTCB;
    if (root) {
        fault_report(&ec->regs, addr, ec->pd->notify ? "the root task" : "no handler");
        panic("the root task faulted: vector %lu addr %lx ip %lx", vector, addr, ec->regs.rip);
    }
    if (ec->pd->notify) {
        sm_up(ec->pd->notify);
    } else if (ec_report_allowed()) {
        printk("kide: EC %p stopped: vector %lu error %lx addr %lx ip %lx (no one to tell)\n",
               (void *)ec, vector, error, addr, ec->regs.rip);
        /* The full report is long and the UART is polled under the big
         * lock: only the first few per boot get it. */
        static unsigned full_reports;
        if (full_reports < 2) {
            full_reports++;
            fault_report(&ec->regs, addr, "no handler");
        }
    }
    if (!ec->callee)
        ec_chain_abort(ec);
    sched_kick(ec->cpu);
}

void ec_kill(struct ec *ec)
{
    if (ec->state == EC_DEAD)
        return;
    ec_unqueue(ec);
    timeout_del(ec);
    /* Callers queued for this handler will never be served. */
    while (ec->callers)
        ec_abort_queued(ec->callers);
    ec->state = EC_DEAD;
    if (ec->pd_prev)
        ec->pd_prev->pd_next = ec->pd_next;
    else if (ec->pd->ecs == ec)
        ec->pd->ecs = ec->pd_next;
    if (ec->pd_next)
        ec->pd_next->pd_prev = ec->pd_prev;
    ec->pd_next = ec->pd_prev = NULL;
    /* A call it is making finishes on its SC; the reply will unwind past it. */
    if (!ec->callee)
        ec_chain_abort(ec);
    sched_kick(ec->cpu);
}

void ec_retire(struct ec *ec)
{
    ec_kill(ec);
}

void ec_free(struct ec *ec)
{
    struct cpu *c = &cpus[ec->cpu];
    if (c->current == ec && c != this_cpu()) {
        /* That CPU may still be in user mode as this EC: its next kernel entry
         * must not save state into freed memory. Point its entry frame at a
         * scratch frame and let it free the EC once it is in the kernel. */
        c->frame_top = (u64)(&c->dummy_frame + 1);
        c->tss.rsp0 = c->frame_top;
        c->current = NULL;
        ec->pd_next = c->zombies;
        c->zombies = ec;
        sched_kick(ec->cpu);
        return;
    }
    ec_free_now(ec);
}

void ec_reap_zombies(void)
{
    struct cpu *c = this_cpu();
    while (c->zombies) {
        struct ec *ec = c->zombies;
        c->zombies = ec->pd_next;
        ec_free_now(ec);
    }
}

void ec_free_now(struct ec *ec)
{
    struct cpu *c = &cpus[ec->cpu];
    if (c->fpu_owner == ec)
        c->fpu_owner = NULL;
    if (c->fs_ec == ec)
        c->fs_ec = NULL; /* a new EC at this address must not inherit the skip */
    if (c->current == ec)
        c->current = NULL;
    /* space_remove marks the PD dirty; the UTCB page returns to the pool
     * only after the shoot-down, so no stale TLB entry can reach it when it
     * is reused, and freeing many ECs costs one shoot-down, not one each. */
    space_remove(ec->utcb_node);
    kpage_free_after_flush(ec->pd, ec->utcb);
    kobj_put(&ec->pd->obj);
    kfree(ec->obj.charge, ec);
}

void fpu_switch(struct ec *ec)
{
    struct cpu *c = this_cpu();
    clts();
    c->ts_set = false;
    if (c->fpu_owner == ec)
        return;
    if (c->fpu_owner)
        __asm__ volatile("fxsave64 %0" : "=m"(*(u8(*)[512])c->fpu_owner->fpu));
    if (!ec->fpu_valid) {
        if (!fpu_clean[24]) {
            *(u16 *)&fpu_clean[0] = 0x37f;   /* FCW: all exceptions masked */
            *(u32 *)&fpu_clean[24] = 0x1f80; /* MXCSR default */
        }
        memcpy(ec->fpu, fpu_clean, sizeof(ec->fpu));
        ec->fpu_valid = true;
    }
    __asm__ volatile("fxrstor64 %0" ::"m"(*(u8(*)[512])ec->fpu));
    c->fpu_owner = ec;
}

noreturn void ec_exception(struct ec *ec)
{
    u64 vector = ec->regs.vector;
    ec->sysret_ok = false;
    if (vector == KIDE_EXC_PF)
        ec->fault_addr = read_cr2();
    else
        ec->fault_addr = ec->regs.rip;
    int rc;
    struct pt *pt = (struct pt *)cap_get(ec->pd, ec->evt_base + vector, KOBJ_PT, 0, &rc);
    if (!pt || ipc_call(ec, pt, true) != KIDE_OK) {
        ec_stop(ec, vector, ec->regs.error, ec->fault_addr);
        schedule();
    }
    kernel_exit(); /* not reached when the call started */
}

static noreturn void ec_resume_fresh(struct ec *ec);

/* Load ec's FS base unless the CPU certainly holds it already: it does if
 * the tracked value is ec's and either 0 (user mode cannot move the base
 * away from 0) or ec was the last EC here (only ec itself could have reset
 * it, by loading FS; that is its own doing). Ordinary ECs (base 0 on a CPU
 * that never ran another) pay one compare. */
static inline void load_fs(struct cpu *c, struct ec *ec)
{
    if (unlikely(ec->fs_base != c->fs_base || (c->fs_base && c->fs_ec != ec))) {
        wrmsr(MSR_FS_BASE, ec->fs_base);
        c->fs_base = ec->fs_base;
    }
    c->fs_ec = ec;
}
extern noreturn void switch_stack_call(u64 top, void (*fn)(struct ec *), struct ec *arg);

/* Every way back to user mode passes here, and so does every cycle of the
 * kernel's control flow (schedule -> ec_resume -> ec_stop -> schedule,
 * recall -> ipc_call -> schedule, a call into a handler with a recall
 * pending, ...). Nothing below this point returns, so it continues on a
 * fresh kernel stack: the stack a kernel entry can use is bounded by one
 * pass, however many ECs a tenant lines up to fault or recall in a row. */
noreturn void ec_resume(struct ec *ec)
{
    switch_stack_call(this_cpu()->kstack_top, ec_resume_fresh, ec);
}

static noreturn void ec_resume_fresh(struct ec *ec)
{
    struct cpu *c = this_cpu();
    if (unlikely(ec->recall)) {
        ec->recall = false;
        int rc;
        struct pt *pt =
                (struct pt *)cap_get(ec->pd, ec->evt_base + KIDE_EXC_RECALL, KOBJ_PT, 0, &rc);
        if (pt) {
            ec->regs.vector = KIDE_EXC_RECALL;
            ec->regs.error = 0;
            ec->fault_addr = ec->regs.rip;
            ec->sysret_ok = false;
            ipc_call(ec, pt, true); /* switches to the handler unless it fails */
        }
    }
    /* sysret to a non-canonical address would fault in the kernel: treat as #GP. */
    if (unlikely(ec->regs.rip >= KIDE_USER_END)) {
        ec_stop(ec, 13, 0, ec->regs.rip);
        schedule();
    }
    c->current = ec;
    if (c->loaded_pd != ec->pd) {
        write_cr3(virt_to_phys(ec->pd->pml4));
        c->loaded_pd = ec->pd;
    }
    if (c->iobm_pd != ec->pd)
        cpu_set_iobm(c, ec->pd);
    load_fs(c, ec);
    bool ts = c->fpu_owner != ec;
    if (ts != c->ts_set) {
        if (ts)
            write_cr0(read_cr0() | CR0_TS);
        else
            clts();
        c->ts_set = ts;
    }
    c->frame_top = (u64)(&ec->regs + 1);
    c->tss.rsp0 = c->frame_top;
    bkl_unlock();
    if (ec->sysret_ok)
        ret_user_sysret(&ec->regs);
    ret_user_iret(&ec->regs);
}
