/* SPDX-License-Identifier: MIT */
/* Synchronous IPC between ECs on one CPU; see ipc.h and syscalls.tab.
 *
 * A call switches straight from the caller to the handler without a
 * scheduling decision: the handler runs on the caller's SC (the chain's SC
 * is charged). Costs: untyped words are one copy between two kernel pages;
 * each typed item is one delegation. A busy handler queues its callers FIFO.
 */
#include "ipc.h"
#include "kernel.h"
#include "ec.h"
#include "pt.h"
#include "pd.h"
#include "sm.h"
#include "sc.h"
#include "cap.h"
#include "sched.h"
#include "arch/x86_64/percpu.h"
#include <kide/syscall.h>
#include <kide/status.h>
#include <kide/utcb.h>

static bool msg_fits(u64 m)
{
    return KIDE_MSG_UNTYPED(m) + 2 * KIDE_MSG_TYPED(m) <= KIDE_UTCB_WORDS;
}

/* Delegate one typed item into the receiver's window; *out describes where it landed. */
static int deliver_item(struct pd *src, struct pd *dst, const struct kide_typed_item *it,
                        kide_crd win, kide_crd *out)
{
    unsigned kind = KIDE_CRD_KIND(it->crd), order = KIDE_CRD_ORDER(it->crd);
    u64 base = KIDE_CRD_BASE(it->crd), size = 1ul << order;
    if (kind == KIDE_CRD_NULL || kind != KIDE_CRD_KIND(win) || dst->dead)
        return KIDE_BAD_PARAM;
    if ((base & (size - 1)) || (it->hotspot & (size - 1)) || order > KIDE_CRD_ORDER(win) ||
        !range_within(it->hotspot, size, 1ul << KIDE_CRD_ORDER(win)))
        return KIDE_BAD_PARAM;
    u64 to = KIDE_CRD_BASE(win) + it->hotspot;
    int rc;
    if (kind == KIDE_CRD_OBJ)
        rc = cap_delegate(src, dst, base, (u8)order, to, (u8)KIDE_CRD_PERM(it->crd));
    else
        rc = space_delegate(src, dst, (u8)kind, base, (u8)order, to, (u8)KIDE_CRD_PERM(it->crd));
    *out = KIDE_CRD(kind, to, order, KIDE_CRD_PERM(it->crd));
    return rc;
}

/* Copy the message of `from` into `to`'s UTCB; the receiver gets one CRD per
 * delivered item after its untyped words. `msg` is the message word as it
 * was checked (msg_fits): the UTCB is user-writable, and for a queued caller
 * a sibling thread can rewrite it before the copy, so it is never read again.
 * Each typed item is copied out of the UTCB once before it is used. */
static void transfer(struct ec *from, struct ec *to, u64 msg)
{
    struct kide_utcb *s = from->utcb, *d = to->utcb;
    unsigned u = KIDE_MSG_UNTYPED(msg), t = KIDE_MSG_TYPED(msg);
    memcpy(d->words, s->words, u * 8);
    unsigned delivered = 0, dropped = 0;
    for (unsigned i = 0; i < t; i++) {
        struct kide_typed_item it = *(struct kide_typed_item *)&s->words[u + 2 * i];
        kide_crd out;
        if (deliver_item(from->pd, to->pd, &it, d->rcv_crd, &out) == KIDE_OK)
            d->words[u + delivered++] = out;
        else
            dropped++;
    }
    d->msg = KIDE_MSG(u, delivered) | ((u64)(dropped > 255 ? 255 : dropped) << 24);
}

static void exc_message(struct ec *from, struct ec *h)
{
    struct kide_exc_state *x = (struct kide_exc_state *)h->utcb->words;
    struct frame *f = &from->regs;
    *x = (struct kide_exc_state){
            .rax = f->rax,
            .rbx = f->rbx,
            .rcx = f->rcx,
            .rdx = f->rdx,
            .rsi = f->rsi,
            .rdi = f->rdi,
            .rbp = f->rbp,
            .rsp = f->rsp,
            .r8 = f->r8,
            .r9 = f->r9,
            .r10 = f->r10,
            .r11 = f->r11,
            .r12 = f->r12,
            .r13 = f->r13,
            .r14 = f->r14,
            .r15 = f->r15,
            .rip = f->rip,
            .rflags = f->rflags,
            .vector = f->vector,
            .error = f->error,
            .fault_addr = from->fault_addr,
    };
    h->utcb->msg = KIDE_MSG(KIDE_EXC_WORDS, 0);
}

static void apply_exc_state(struct ec *ec, const struct kide_utcb *u)
{
    const struct kide_exc_state *x = (const struct kide_exc_state *)u->words;
    struct frame *f = &ec->regs;
    f->rax = x->rax, f->rbx = x->rbx, f->rcx = x->rcx, f->rdx = x->rdx, f->rsi = x->rsi;
    f->rdi = x->rdi, f->rbp = x->rbp, f->rsp = x->rsp, f->r8 = x->r8, f->r9 = x->r9;
    f->r10 = x->r10, f->r11 = x->r11, f->r12 = x->r12, f->r13 = x->r13, f->r14 = x->r14;
    f->r15 = x->r15;
    f->rip = x->rip; /* checked against the user range when the EC resumes */
    f->rflags = (x->rflags & RFLAGS_USER_MASK) | RFLAGS_USER_FIXED;
    ec->sysret_ok = false;
}

static void start(struct ec *caller, struct ec *h, struct pt *pt)
{
    if (caller->in_exc)
        exc_message(caller, h);
    else
        transfer(caller, h, caller->sent_msg);
    /* The links outlive this system call: each holds a reference, so an EC
     * destroyed mid-chain stays allocated until the chain unwinds past it
     * (ec_unlink_call). */
    caller->callee = h;
    kobj_get(&h->obj);
    h->caller = caller;
    kobj_get(&caller->obj);
    caller->state = EC_CALLING;
    h->serving = true;
    h->state = EC_RUNNABLE;
    memset(&h->regs, 0, sizeof(h->regs));
    h->regs.rip = pt->ip;
    h->regs.rsp = h->sp;
    h->regs.cs = GDT_UCODE;
    h->regs.ss = GDT_UDATA;
    h->regs.rflags = RFLAGS_USER_FIXED;
    h->regs.rdi = pt->id;
    h->regs.rsi = h->utcb->msg;
    h->sysret_ok = true;
}

int ipc_call(struct ec *caller, struct pt *pt, bool exc)
{
    struct ec *h = pt->ec;
    if (h->cpu != caller->cpu)
        return KIDE_BAD_CPU;
    if (h->state == EC_DEAD || h->state == EC_STOPPED)
        return KIDE_ABORTED;
    u64 m = caller->utcb->msg; /* read once: the snapshot transfer() uses */
    if (!exc && !msg_fits(m))
        return KIDE_OVERFLOW;
    caller->sent_msg = m;
    for (struct ec *e = caller; e; e = e->caller)
        if (e == h)
            return KIDE_BUSY; /* the handler waits for this very chain */
    caller->in_exc = exc;
    if (h->serving) {
        /* The wait outlives this system call: hold the portal (dropped by
         * ec_unqueue), so a revoked portal's memory is never reused under a
         * waiting caller. */
        kobj_get(&pt->obj);
        caller->want_pt = pt;
        wq_add(&h->callers, caller);
        sched_block(caller);
        schedule();
    }
    start(caller, h, pt);
    /* A typed item may have taken rights (a refresh with fewer): complete the
     * shoot-down and IOTLB flush before the handler's PD runs, as every other
     * kernel entry does before it returns (kernel_exit). */
    tlb_flush_dirty();
    ec_resume(h);
}

noreturn void ipc_reply(struct ec *h)
{
    assert(!h->global && h->serving); /* sys_reply refused any other EC */
    struct ec *caller = h->caller;
    ec_unlink_call(caller, h); /* both stay allocated until kobj_reap below */
    h->serving = false;
    h->state = EC_IDLE;
    u64 m = h->utcb->msg;
    if (caller->state == EC_DEAD || caller->state == EC_STOPPED) {
        ec_chain_abort(caller);
    } else if (caller->in_exc) {
        caller->in_exc = false;
        caller->state = EC_RUNNABLE;
        if (m & KIDE_MSG_EXC_STOP)
            ec_stop(caller, caller->regs.vector, caller->regs.error, caller->fault_addr);
        else if (m & KIDE_MSG_EXC_UPDATE)
            apply_exc_state(caller, h->utcb);
    } else {
        if (msg_fits(m)) {
            transfer(h, caller, m);
            caller->regs.rax = KIDE_OK;
        } else {
            caller->regs.rax = KIDE_OVERFLOW;
        }
        caller->state = EC_RUNNABLE;
    }
    ec_chain_returned(caller);
    /* The next caller in line whose portal still exists; callers of a
     * portal revoked while they waited get ABORTED, as if it never was. */
    while (h->callers) {
        struct ec *w = h->callers;
        struct pt *pt = w->want_pt;
        /* Invariant (sc_retire): a queued caller's chain has an SC. Checked
         * here too, because serving a caller that cannot run would stall
         * every caller behind it. */
        if (pt->obj.retired || !ec_chain_sc(w)) {
            ec_abort_queued(w);
            continue;
        }
        wq_remove(w);
        w->want_pt = NULL;
        start(w, h, pt);
        kobj_put(&pt->obj); /* the queue's reference; start() took ip and id */
        struct sc *sc = ec_chain_sc(w);
        if (sc)
            sched_enqueue(sc);
        break;
    }
    /* Decided before kobj_reap: a caller that died may be freed there. A
     * runnable one is alive (retiring an EC kills it), so resuming it after
     * the reap is safe. */
    bool resume = caller->state == EC_RUNNABLE && !caller->callee;
    kobj_reap();
    tlb_flush_dirty();
    struct cpu *c = this_cpu();
    if (resume && !c->need_resched)
        ec_resume(caller);
    schedule();
}
