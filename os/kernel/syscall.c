/* SPDX-License-Identifier: MIT */
/* System-call handlers: decode and check every argument, then act.
 *
 * The arguments of each call are named in syscalls.tab; the generated
 * syscall_args.h copies them out of the caller's frame once, into a struct
 * sys_<call>_args, before the handler runs (the thunk do_<call> the dispatch
 * table points at). A handler reads only that struct, validates all of it
 * before changing any state and returns the status, which the dispatcher
 * stores in RAX; results go to the frame through sys_<call>_results().
 *
 * A check that refuses an argument says which one: it returns
 * reject(&a->name, status), and get_*() and check_free() do so for the
 * selector they were given. In the tracing build (make KIDE_SYSCALL_TRACE=1)
 * the thunk then logs the call, the caller's PD and EC, that argument's slot
 * and name, and the status; otherwise reject() is the status alone.
 */
#include "kernel.h"
#include "pd.h"
#include "ec.h"
#include "sc.h"
#include "pt.h"
#include "sm.h"
#include "cap.h"
#include "ipc.h"
#include "lock.h"
#include "time.h"
#include "sched.h"
#include "dma.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/apic.h"
#include <kide/syscall.h>
#include <kide/status.h>

#ifdef KIDE_SYSCALL_TRACE
/* The address of the argument the failing check named (a field of the
 * thunk's struct), or 0. Kept as a number: it is only compared with the
 * fields' addresses, never followed. Invariant: the thunk clears it before
 * its handler runs and reads it after, all under the big kernel lock, so no
 * other call can interleave. */
static u64 syscall_rejected;

static const char *const status_names[] = {
        [KIDE_OK] = "OK",
        [KIDE_TIMEOUT] = "TIMEOUT",
        [KIDE_ABORTED] = "ABORTED",
        [KIDE_BAD_SYSCALL] = "BAD_SYSCALL",
        [KIDE_BAD_CAP] = "BAD_CAP",
        [KIDE_BAD_PERM] = "BAD_PERM",
        [KIDE_BAD_PARAM] = "BAD_PARAM",
        [KIDE_BAD_CPU] = "BAD_CPU",
        [KIDE_BAD_ADDR] = "BAD_ADDR",
        [KIDE_QUOTA] = "QUOTA",
        [KIDE_BUSY] = "BUSY",
        [KIDE_OVERFLOW] = "OVERFLOW",
};
_Static_assert(ARRAY_SIZE(status_names) == KIDE_STATUS_COUNT, "a name for every status");

/* One console line for a call that failed; arg is "slot name" or NULL when
 * no single argument was at fault (a quota, the UTCB message, a deeper check). */
static void syscall_trace(struct ec *ec, const char *call, int rc, const char *arg)
{
    printk("kide: trace: %s by pd %p ec %p: %s%s%s\n", call, ec->pd, ec, arg ? arg : "",
           arg ? " rejected: " : "", (unsigned)rc < KIDE_STATUS_COUNT ? status_names[rc] : "?");
}
#endif

/* The status rc, naming the argument at arg (a field of the handler's
 * struct) as the one refused; compiles to rc alone without tracing. */
static inline int reject(const void *arg, int rc)
{
#ifdef KIDE_SYSCALL_TRACE
    syscall_rejected = (u64)arg;
#else
    (void)arg;
#endif
    return rc;
}

/* Generated from syscalls.tab: the argument structs, decoders, result
 * setters, handler prototypes and thunks. It uses reject()'s record and
 * syscall_trace() above. */
#include "syscall_args.h"

/* The caller's object at *sel of type with all rights in need, in *obj; else
 * the status (BAD_CAP or BAD_PERM), naming *sel as the argument refused. */
static int get_obj(struct ec *ec, const kide_sel *sel, u8 type, u8 need, struct kobj **obj)
{
    int rc = KIDE_OK;
    *obj = cap_get(ec->pd, *sel, type, need, &rc);
    return *obj ? KIDE_OK : reject(sel, rc);
}

/* Typed get_obj(): get_pd, get_ec, get_sc, get_pt, get_sm. Every object
 * starts with its struct kobj (kobj.c), so the cast is the whole difference. */
#define GET_TYPED(name, kind, type)                                                                \
    static int name(struct ec *ec, const kide_sel *sel, u8 need, type **out)                       \
    {                                                                                              \
        struct kobj *o;                                                                            \
        int rc = get_obj(ec, sel, kind, need, &o);                                                 \
        *out = (type *)o;                                                                          \
        return rc;                                                                                 \
    }
GET_TYPED(get_pd, KOBJ_PD, struct pd)
GET_TYPED(get_ec, KOBJ_EC, struct ec)
GET_TYPED(get_sc, KOBJ_SC, struct sc)
GET_TYPED(get_pt, KOBJ_PT, struct pt)
GET_TYPED(get_sm, KOBJ_SM, struct sm)
#undef GET_TYPED

/* KIDE_OK if *sel is a valid, empty slot of the caller; else BUSY or
 * BAD_CAP, naming *sel. */
static int check_free(struct ec *ec, const kide_sel *sel)
{
    int rc = cap_check_free(ec->pd, *sel);
    return rc == KIDE_OK ? KIDE_OK : reject(sel, rc);
}

/* BAD_PARAM for parameters sc_params_ok() refused, naming the one at
 * fault: the priority if above the maximum, else the budget if below the
 * minimum or above the period, else the period. prio points at the
 * argument whose value is p (an aux u16 or an a2 u64). */
static int reject_sc_params(const void *prio, u64 p, const u64 *budget, const u64 *period)
{
    if (p > KIDE_PRIO_MAX)
        return reject(prio, KIDE_BAD_PARAM);
    if (*budget < KIDE_SC_MIN_NS || *budget > *period)
        return reject(budget, KIDE_BAD_PARAM);
    return reject(period, KIDE_BAD_PARAM);
}

/* Install a freshly created object; on failure let it be reclaimed. */
static int install(struct ec *ec, u64 sel, struct kobj *o)
{
    kobj_get(o); /* hold it across the install */
    int rc = cap_install(ec->pd, sel, o, KIDE_PERM_ALL);
    if (rc != KIDE_OK && !o->retired) {
        /* Never had a capability: retire it as if its last one went away. */
        kobj_cap_get(o);
        kobj_cap_put(o);
    }
    kobj_put(o);
    return rc;
}

static int sys_call(struct ec *ec, struct frame *f, const struct sys_call_args *a)
{
    int rc;
    struct pt *pt;
    if ((rc = get_pt(ec, &a->pt, KIDE_PT_CALL, &pt)) != KIDE_OK)
        return rc;
    return ipc_call(ec, pt, false);
}

static int sys_reply(struct ec *ec, struct frame *f)
{
    if (ec->global || !ec->serving)
        return KIDE_BAD_SYSCALL; /* not a portal handler: nobody to reply to */
    ipc_reply(ec);
}

static int sys_create_pd(struct ec *ec, struct frame *f, const struct sys_create_pd_args *a)
{
    int rc;
    struct pd *parent;
    struct sm *notify = NULL;
    if ((rc = check_free(ec, &a->dst)) != KIDE_OK)
        return rc;
    if ((rc = get_pd(ec, &a->pd, KIDE_PD_CREATE, &parent)) != KIDE_OK)
        return rc;
    if (a->notify && (rc = get_sm(ec, &a->notify, KIDE_SM_UP, &notify)) != KIDE_OK)
        return rc;
    if (parent->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    struct pd *pd = pd_create(parent, a->quota, notify, &rc);
    if (!pd)
        return reject(&a->quota, rc); /* below the minimum, or more than a->pd has free */
    return install(ec, a->dst, &pd->obj);
}

static int sys_create_ec(struct ec *ec, struct frame *f, const struct sys_create_ec_args *a)
{
    int rc;
    struct pd *pd;
    if ((rc = check_free(ec, &a->dst)) != KIDE_OK)
        return rc;
    if ((rc = get_pd(ec, &a->pd, KIDE_PD_CREATE, &pd)) != KIDE_OK)
        return rc;
    if (a->cpu >= cpu_count || !cpus[a->cpu].online)
        return reject(&a->cpu, KIDE_BAD_CPU);
    if (a->evt_base >= KIDE_CAP_SLOTS || a->evt_base + KIDE_EXC_COUNT > KIDE_CAP_SLOTS)
        return reject(&a->evt_base, KIDE_BAD_PARAM);
    if (pd->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    struct ec *n = ec_create(pd, a->flags & KIDE_EC_GLOBAL, a->cpu, a->utcb, a->sp, a->ip,
                             a->evt_base, &rc);
    if (!n) /* the UTCB address, or a->pd's quota */
        return reject(rc == KIDE_BAD_ADDR ? (const void *)&a->utcb : &a->pd, rc);
    return install(ec, a->dst, &n->obj);
}

static int sys_create_sc(struct ec *ec, struct frame *f, const struct sys_create_sc_args *a)
{
    int rc;
    struct pd *pd;
    struct ec *target;
    if ((rc = check_free(ec, &a->dst)) != KIDE_OK)
        return rc;
    if ((rc = get_pd(ec, &a->pd, KIDE_PD_CREATE, &pd)) != KIDE_OK)
        return rc;
    if ((rc = get_ec(ec, &a->ec, KIDE_EC_BIND_SC, &target)) != KIDE_OK)
        return rc;
    if (!target->global || target->state == EC_DEAD)
        return reject(&a->ec, KIDE_BAD_CAP);
    if (target->sc)
        return reject(&a->ec, KIDE_BUSY);
    if (!sc_params_ok(a->prio, a->budget, a->period))
        return reject_sc_params(&a->prio, a->prio, &a->budget, &a->period);
    if (pd->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    struct sc *sc =
            sc_create(pd, target, (u8)a->prio, a->flags & KIDE_SC_HARD, a->budget, a->period, &rc);
    if (!sc)
        return reject(&a->pd, rc); /* its quota */
    return install(ec, a->dst, &sc->obj);
}

static int sys_create_pt(struct ec *ec, struct frame *f, const struct sys_create_pt_args *a)
{
    int rc;
    struct pd *pd;
    struct ec *handler;
    if ((rc = check_free(ec, &a->dst)) != KIDE_OK)
        return rc;
    if ((rc = get_pd(ec, &a->pd, KIDE_PD_CREATE, &pd)) != KIDE_OK)
        return rc;
    if ((rc = get_ec(ec, &a->ec, KIDE_EC_BIND_PT, &handler)) != KIDE_OK)
        return rc;
    if (handler->global)
        return reject(&a->ec, KIDE_BAD_CAP);
    if (a->ip >= KIDE_USER_END)
        return reject(&a->ip, KIDE_BAD_ADDR);
    if (pd->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    struct pt *pt = pt_create(pd, handler, a->ip, a->id, &rc);
    if (!pt)
        return reject(&a->pd, rc); /* its quota */
    return install(ec, a->dst, &pt->obj);
}

static int sys_create_sm(struct ec *ec, struct frame *f, const struct sys_create_sm_args *a)
{
    int rc;
    struct pd *pd;
    if ((rc = check_free(ec, &a->dst)) != KIDE_OK)
        return rc;
    if ((rc = get_pd(ec, &a->pd, KIDE_PD_CREATE, &pd)) != KIDE_OK)
        return rc;
    if (a->count > 0xffffffffu)
        return reject(&a->count, KIDE_BAD_PARAM);
    if (pd->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    struct sm *sm = sm_create(pd, a->count, &rc);
    if (!sm)
        return reject(&a->pd, rc); /* its quota */
    return install(ec, a->dst, &sm->obj);
}

/* Common CRD checks: kind, alignment, order limit per kind. */
static int crd_check(kide_crd crd)
{
    unsigned kind = KIDE_CRD_KIND(crd), order = KIDE_CRD_ORDER(crd);
    u64 base = KIDE_CRD_BASE(crd);
    if (kind == KIDE_CRD_NULL)
        return KIDE_BAD_PARAM;
    if (base & ((1ul << order) - 1))
        return KIDE_BAD_PARAM;
    if ((kind == KIDE_CRD_OBJ || kind == KIDE_CRD_IO) &&
        (order > 16 || base + (1ul << order) > 65536))
        return KIDE_BAD_PARAM;
    if (kind == KIDE_CRD_MEM && base + (1ul << order) > (KIDE_USER_END >> PAGE_SHIFT))
        return KIDE_BAD_PARAM;
    return KIDE_OK;
}

static int sys_delegate(struct ec *ec, struct frame *f, const struct sys_delegate_args *a)
{
    int rc;
    struct pd *dst;
    if ((rc = get_pd(ec, &a->pd, KIDE_PD_DELEGATE, &dst)) != KIDE_OK)
        return rc;
    if ((rc = crd_check(a->crd)) != KIDE_OK)
        return reject(&a->crd, rc);
    if (dst->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    unsigned kind = KIDE_CRD_KIND(a->crd);
    u8 order = (u8)KIDE_CRD_ORDER(a->crd), mask = (u8)KIDE_CRD_PERM(a->crd);
    /* Statuses from the walk below name no argument: they depend on what
     * the source range and the destination hold, entry by entry. */
    if (kind == KIDE_CRD_OBJ)
        return cap_delegate(ec->pd, dst, KIDE_CRD_BASE(a->crd), order, a->dst, mask);
    if ((a->dst & ((1ul << order) - 1)))
        return reject(&a->dst, KIDE_BAD_PARAM);
    return space_delegate(ec->pd, dst, (u8)kind, KIDE_CRD_BASE(a->crd), order, a->dst, mask);
}

static int sys_revoke(struct ec *ec, struct frame *f, const struct sys_revoke_args *a)
{
    int rc;
    if ((rc = crd_check(a->crd)) != KIDE_OK)
        return reject(&a->crd, rc);
    bool self = a->flags & KIDE_REVOKE_SELF;
    u8 order = (u8)KIDE_CRD_ORDER(a->crd);
    if (KIDE_CRD_KIND(a->crd) == KIDE_CRD_OBJ)
        cap_revoke(ec->pd, KIDE_CRD_BASE(a->crd), order, self);
    else
        space_revoke(ec->pd, (u8)KIDE_CRD_KIND(a->crd), KIDE_CRD_BASE(a->crd), order, self);
    return KIDE_OK;
}

static int sys_lookup(struct ec *ec, struct frame *f, const struct sys_lookup_args *a)
{
    unsigned kind = KIDE_CRD_KIND(a->crd);
    u64 base = KIDE_CRD_BASE(a->crd);
    sys_lookup_results(f, KIDE_CRD_NULL, 0);
    if (kind == KIDE_CRD_NULL)
        return reject(&a->crd, KIDE_BAD_PARAM);
    if (kind == KIDE_CRD_OBJ) {
        if (base >= KIDE_CAP_SLOTS)
            return reject(&a->crd, KIDE_BAD_PARAM);
        struct cap *c = cap_slot(ec->pd, base, false);
        if (c && c->obj)
            sys_lookup_results(f, KIDE_CRD(KIDE_CRD_OBJ, base, 0, c->perms), c->obj->type);
        return KIDE_OK;
    }
    if (base >= (kind == KIDE_CRD_IO ? 65536 : KIDE_USER_END >> PAGE_SHIFT))
        return reject(&a->crd, KIDE_BAD_PARAM);
    struct rnode *n = space_find(ec->pd, (u8)kind, base);
    /* A kernel page's frame would tell where its neighbours (other ECs'
     * UTCBs) lie: it is not the caller's to know. */
    if (n)
        sys_lookup_results(f,
                           KIDE_CRD(kind, n->base, n->order,
                                    n->perms | ((n->flags & RNODE_DEVICE) ? KIDE_MEM_DEV : 0)),
                           (n->flags & RNODE_SPECIAL) ? 0 : n->phys);
    return KIDE_OK;
}

static int sys_ctrl_pd(struct ec *ec, struct frame *f, const struct sys_ctrl_pd_args *a)
{
    int rc;
    struct pd *pd, *to;
    if ((rc = get_pd(ec, &a->pd, KIDE_PD_CTRL, &pd)) != KIDE_OK)
        return rc;
    if (a->op == KIDE_CTRL_PD_QUOTA) {
        sys_ctrl_pd_results(f, pd->quota_limit, pd->quota_used);
        return KIDE_OK;
    }
#ifdef KIDE_POISON
    /* the root's diagnostic only: a tenant must not fill the console */
    if (a->op == KIDE_CTRL_PD_AUDIT && !ec->pd->quota_parent) {
        kobj_audit(pd);
        return KIDE_OK;
    }
#endif
    if (a->op != KIDE_CTRL_PD_GIVE)
        return reject(&a->op, KIDE_BAD_SYSCALL);
    if ((rc = get_pd(ec, &a->to, KIDE_PD_CTRL, &to)) != KIDE_OK)
        return rc;
    if (pd->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    if (to->dead)
        return reject(&a->to, KIDE_BAD_CAP);
    if (pd->quota_limit - pd->quota_used < a->pages)
        return reject(&a->pages, KIDE_QUOTA);
    pd->quota_limit -= a->pages;
    to->quota_limit += a->pages;
    return KIDE_OK;
}

/* ctrl_ec POSIX and FS: a1 = 0 names the caller, which needs no capability
 * for itself. Addresses are checked before anything changes. */
static int ctrl_ec_posix(struct ec *ec, const struct sys_ctrl_ec_args *a)
{
    int rc;
    struct ec *target = ec;
    if (a->ec && (rc = get_ec(ec, &a->ec, KIDE_EC_CTRL, &target)) != KIDE_OK)
        return rc;
    if (a->op == KIDE_CTRL_EC_FS) {
        if (a->value >= KIDE_USER_END)
            return reject(&a->value, KIDE_BAD_ADDR);
        target->fs_base = a->value;
        /* Running on another CPU: kick it, so it loads the base on its
         * way back to user mode (the caller's own EC loads it on exit). */
        struct cpu *c = &cpus[target->cpu];
        if (c->current == target && c != this_cpu())
            sched_kick(target->cpu);
        return KIDE_OK;
    }
    if (!a->value) {
        target->posix_entry = target->posix_lo = target->posix_hi = 0;
        return KIDE_OK;
    }
    if (a->value >= KIDE_USER_END)
        return reject(&a->value, KIDE_BAD_ADDR);
    if (a->hi > KIDE_USER_END)
        return reject(&a->hi, KIDE_BAD_ADDR);
    if (a->lo >= a->hi)
        return reject(&a->lo, KIDE_BAD_ADDR);
    /* Its next syscall reads these under the big lock, wherever it runs:
     * nothing else to tell another CPU. */
    target->posix_lo = a->lo;
    target->posix_hi = a->hi;
    target->posix_entry = a->value;
    return KIDE_OK;
}

static int sys_ctrl_ec(struct ec *ec, struct frame *f, const struct sys_ctrl_ec_args *a)
{
    int rc;
    struct ec *target;
    if (a->op == KIDE_CTRL_EC_POSIX || a->op == KIDE_CTRL_EC_FS)
        return ctrl_ec_posix(ec, a);
    if ((rc = get_ec(ec, &a->ec, KIDE_EC_CTRL, &target)) != KIDE_OK)
        return rc;
    if (a->op == KIDE_CTRL_EC_QUERY) {
        static const u8 map[] = {
                [EC_RUNNABLE] = KIDE_EC_STATE_READY,  [EC_CALLING] = KIDE_EC_STATE_BLOCKED,
                [EC_BLOCKED] = KIDE_EC_STATE_BLOCKED, [EC_IDLE] = KIDE_EC_STATE_IDLE,
                [EC_STOPPED] = KIDE_EC_STATE_STOPPED, [EC_DEAD] = KIDE_EC_STATE_DEAD,
        };
        sys_ctrl_ec_results(f, map[target->state],
                            target->fault_vector | (target->fault_error << 32), target->fault_addr);
        return KIDE_OK;
    }
    if (a->op != KIDE_CTRL_EC_RECALL)
        return reject(&a->op, KIDE_BAD_SYSCALL);
    if (target->state != EC_DEAD && target->state != EC_STOPPED) {
        target->recall = true;
        struct cpu *c = &cpus[target->cpu];
        if (c->current == target && c != this_cpu())
            sched_kick(target->cpu);
    }
    return KIDE_OK;
}

static int sys_ctrl_sc(struct ec *ec, struct frame *f, const struct sys_ctrl_sc_args *a)
{
    int rc;
    struct sc *sc;
    unsigned op = a->op & (u8)~KIDE_SC_HARD;
    if (op == KIDE_CTRL_SC_TIME) {
        if ((rc = get_sc(ec, &a->sc, KIDE_SC_TIME, &sc)) != KIDE_OK)
            return rc;
        sys_ctrl_sc_results(f, sc_consumed_ns(sc), sc->budget_ns, sc->period_ns);
        return KIDE_OK;
    }
    if (op != KIDE_CTRL_SC_SET)
        return reject(&a->op, KIDE_BAD_SYSCALL);
    if ((rc = get_sc(ec, &a->sc, KIDE_SC_CTRL, &sc)) != KIDE_OK)
        return rc;
    if (!sc_params_ok(a->prio, a->budget, a->period))
        return reject_sc_params(&a->prio, a->prio, &a->budget, &a->period);
    return sc_set(sc, (u8)a->prio, a->op & KIDE_SC_HARD, a->budget, a->period);
}

static int sys_ctrl_sm(struct ec *ec, struct frame *f, const struct sys_ctrl_sm_args *a)
{
    int rc;
    struct sm *sm;
    unsigned op = a->op;
    if (op > KIDE_CTRL_SM_DOWN_ZERO)
        return reject(&a->op, KIDE_BAD_SYSCALL);
    if ((rc = get_sm(ec, &a->sm, op == KIDE_CTRL_SM_UP ? KIDE_SM_UP : KIDE_SM_DOWN, &sm)) !=
        KIDE_OK)
        return rc;
    if (op == KIDE_CTRL_SM_UP)
        return sm_up(sm);
    u64 deadline = 0;
    if (a->deadline) {
        deadline = tsc_boot + ns_to_tsc(a->deadline);
        if (deadline < tsc_boot) /* overflow: as good as never */
            deadline = ~0ul;
        deadline = deadline ? deadline : 1;
    }
    f->rax = KIDE_OK; /* sm_down may block; a wake-up rewrites RAX */
    return sm_down(sm, ec, op == KIDE_CTRL_SM_DOWN_ZERO, deadline);
}

/* An MSI semaphore needs no routing in the kernel: its vector is the same on
 * every CPU, so the device is told the CPU (the address) and the vector (the
 * data), and whichever CPU the message reaches ups the semaphore. */
static int assign_msi(struct sm *sm, struct frame *f, const struct sys_assign_gsi_args *a)
{
    u32 apic_id = cpus[a->cpu].apic_id;
    /* Without interrupt remapping the address holds an 8-bit destination. */
    if (apic_id > 0xff)
        return reject(&a->cpu, KIDE_BAD_CPU);
    sys_assign_gsi_results(f, MSI_ADDR_BASE | ((u64)apic_id << 12), VEC_MSI_BASE + (u64)sm->msi);
    return KIDE_OK;
}

static int sys_assign_gsi(struct ec *ec, struct frame *f, const struct sys_assign_gsi_args *a)
{
    int rc;
    struct sm *sm;
    sys_assign_gsi_results(f, 0, 0);
    if ((rc = get_sm(ec, &a->sm, KIDE_SM_ASSIGN, &sm)) != KIDE_OK)
        return rc;
    if (sm->gsi < 0 && sm->msi < 0)
        return reject(&a->sm, KIDE_BAD_CAP);
    if (a->cpu >= cpu_count || !cpus[a->cpu].online)
        return reject(&a->cpu, KIDE_BAD_CPU);
    if (sm->msi >= 0)
        return assign_msi(sm, f, a);
    sm->level = a->mode & 1;
    ioapic_route((unsigned)sm->gsi, cpus[a->cpu].apic_id, sm->level, a->mode & 2);
    ioapic_mask((unsigned)sm->gsi, false);
    return KIDE_OK;
}

static int sys_null(struct ec *ec, struct frame *f)
{
    return KIDE_OK;
}

static int sys_clock(struct ec *ec, struct frame *f)
{
    sys_clock_results(f, now_ns());
    return KIDE_OK;
}

static int sys_assign_dev(struct ec *ec, struct frame *f, const struct sys_assign_dev_args *a)
{
    int rc;
    struct pd *pd = NULL;
    sys_assign_dev_results(f, dma_units());
    if (a->op == KIDE_ASSIGN_DEV_QUERY)
        return KIDE_OK;
    if (a->op == KIDE_ASSIGN_DEV_PD) {
        if ((rc = get_pd(ec, &a->pd, KIDE_PD_DELEGATE, &pd)) != KIDE_OK)
            return rc;
    } else if (a->op == KIDE_ASSIGN_DEV_CALLER) {
        pd = ec->caller ? ec->caller->pd : NULL;
        if (!pd)
            return KIDE_BAD_CAP;
    } else if (a->op != KIDE_ASSIGN_DEV_BLOCK) {
        return reject(&a->op, KIDE_BAD_SYSCALL);
    }
    if (pd && pd->dead)
        return reject(&a->pd, KIDE_BAD_CAP);
    if ((a->cfg & (PAGE_SIZE - 1)) || a->cfg >= KIDE_USER_END)
        return reject(&a->cfg, KIDE_BAD_ADDR);
    rc = dma_assign(ec->pd, a->cfg >> PAGE_SHIFT, pd);
    return rc == KIDE_BAD_ADDR ? reject(&a->cfg, rc) : rc;
}

typedef int (*sys_fn)(struct ec *, struct frame *);

static const sys_fn sys_table[] = {
#define SYSCALL(nr, name) [nr] = do_##name,
#include "syscall_dispatch.h"
#undef SYSCALL
};

_Static_assert(ARRAY_SIZE(sys_table) == KIDE_SYS_COUNT, "syscalls.tab and syscall.h agree");

noreturn void syscall_handler(struct frame *f)
{
    bkl_lock();
    ec_reap_zombies();
    struct ec *ec = this_cpu()->current;
    if (!ec || ec->state == EC_DEAD || f != &ec->regs)
        schedule(); /* entered on the scratch frame, or as a dying EC */
    ec->sysret_ok = true;
    /* POSIX reflection: one predictable test for every other EC. RIP (=
     * RCX) is the return address; RCX and R11 stay as the CPU set them, so
     * only RIP changes, and iretq (not sysretq, which would load RCX with
     * RIP) takes the EC to the entry with every register as it was. */
    if (unlikely(ec->posix_entry) && f->rip - ec->posix_lo >= ec->posix_hi - ec->posix_lo) {
        f->rip = ec->posix_entry;
        ec->sysret_ok = false;
        kernel_exit();
    }
    u64 nr = f->rax & 0xff;
    if (nr >= ARRAY_SIZE(sys_table) || (f->rax >> 32)) {
#ifdef KIDE_SYSCALL_TRACE
        printk("kide: trace: call word %lx by pd %p ec %p: BAD_SYSCALL\n", f->rax, ec->pd, ec);
#endif
        f->rax = KIDE_BAD_SYSCALL;
    } else {
        f->rax = (u64)sys_table[nr](ec, f);
    }
    kernel_exit();
}
