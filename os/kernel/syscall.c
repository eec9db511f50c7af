/* SPDX-License-Identifier: MIT */
/* System-call handlers: decode and check every argument, then act.
 *
 * Each handler reads its arguments from the caller's frame, validates all of
 * them before changing any state, and writes the status (and results) back
 * into the frame. The dispatch table is generated from syscalls.tab, the
 * same table the user stubs and docs/kernel.md come from.
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
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/apic.h"
#include <kide/syscall.h>
#include <kide/status.h>

#define A1    (f->rdi)
#define A2    (f->rsi)
#define A3    (f->rdx)
#define A4    (f->r10)
#define A5    (f->r8)
#define A6    (f->r9)
#define FLAGS ((f->rax >> 8) & 0xff)
#define AUX   ((f->rax >> 16) & 0xffff)
#define RET(status)                                                                                \
    do {                                                                                           \
        f->rax = (u64)(status);                                                                    \
        return;                                                                                    \
    } while (0)

/* Look up a capability of the caller or return the status from the handler. */
#define GET(var, type, ctype, sel, need)                                                           \
    struct ctype *var;                                                                             \
    do {                                                                                           \
        int rc_;                                                                                   \
        var = (struct ctype *)cap_get(ec->pd, (sel), (type), (need), &rc_);                        \
        if (!var)                                                                                  \
            RET(rc_);                                                                              \
    } while (0)

#define CHECK_FREE(sel)                                                                            \
    do {                                                                                           \
        int rc_ = cap_check_free(ec->pd, (sel));                                                   \
        if (rc_ != KIDE_OK)                                                                        \
            RET(rc_);                                                                              \
    } while (0)

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

static void sys_call(struct ec *ec, struct frame *f)
{
    GET(pt, KOBJ_PT, pt, A1, KIDE_PT_CALL);
    RET(ipc_call(ec, pt, false));
}

static void sys_reply(struct ec *ec, struct frame *f)
{
    (void)f;
    ipc_reply(ec);
}

static void sys_create_pd(struct ec *ec, struct frame *f)
{
    CHECK_FREE(A1);
    GET(parent, KOBJ_PD, pd, A2, KIDE_PD_CREATE);
    struct sm *notify = NULL;
    if (A4) {
        int rc;
        notify = (struct sm *)cap_get(ec->pd, A4, KOBJ_SM, KIDE_SM_UP, &rc);
        if (!notify)
            RET(rc);
    }
    if (parent->dead)
        RET(KIDE_BAD_CAP);
    int rc;
    struct pd *pd = pd_create(parent, A3, notify, &rc);
    if (!pd)
        RET(rc);
    RET(install(ec, A1, &pd->obj));
}

static void sys_create_ec(struct ec *ec, struct frame *f)
{
    CHECK_FREE(A1);
    GET(pd, KOBJ_PD, pd, A2, KIDE_PD_CREATE);
    if (AUX >= cpu_count || !cpus[AUX].online)
        RET(KIDE_BAD_CPU);
    if (A6 >= KIDE_CAP_SLOTS || A6 + KIDE_EXC_COUNT > KIDE_CAP_SLOTS)
        RET(KIDE_BAD_PARAM);
    if (pd->dead)
        RET(KIDE_BAD_CAP);
    int rc;
    struct ec *n = ec_create(pd, FLAGS & KIDE_EC_GLOBAL, (u32)AUX, A3, A4, A5, A6, &rc);
    if (!n)
        RET(rc);
    RET(install(ec, A1, &n->obj));
}

static void sys_create_sc(struct ec *ec, struct frame *f)
{
    CHECK_FREE(A1);
    GET(pd, KOBJ_PD, pd, A2, KIDE_PD_CREATE);
    GET(target, KOBJ_EC, ec, A3, KIDE_EC_BIND_SC);
    if (!target->global || target->state == EC_DEAD)
        RET(KIDE_BAD_CAP);
    if (target->sc)
        RET(KIDE_BUSY);
    if (!sc_params_ok(AUX, A4, A5))
        RET(KIDE_BAD_PARAM);
    if (pd->dead)
        RET(KIDE_BAD_CAP);
    int rc;
    struct sc *sc = sc_create(pd, target, (u8)AUX, FLAGS & KIDE_SC_HARD, A4, A5, &rc);
    if (!sc)
        RET(rc);
    RET(install(ec, A1, &sc->obj));
}

static void sys_create_pt(struct ec *ec, struct frame *f)
{
    CHECK_FREE(A1);
    GET(pd, KOBJ_PD, pd, A2, KIDE_PD_CREATE);
    GET(handler, KOBJ_EC, ec, A3, KIDE_EC_BIND_PT);
    if (handler->global)
        RET(KIDE_BAD_CAP);
    if (A4 >= KIDE_USER_END)
        RET(KIDE_BAD_ADDR);
    if (pd->dead)
        RET(KIDE_BAD_CAP);
    int rc;
    struct pt *pt = pt_create(pd, handler, A4, A5, &rc);
    if (!pt)
        RET(rc);
    RET(install(ec, A1, &pt->obj));
}

static void sys_create_sm(struct ec *ec, struct frame *f)
{
    CHECK_FREE(A1);
    GET(pd, KOBJ_PD, pd, A2, KIDE_PD_CREATE);
    if (A3 > 0xffffffffu)
        RET(KIDE_BAD_PARAM);
    if (pd->dead)
        RET(KIDE_BAD_CAP);
    int rc;
    struct sm *sm = sm_create(pd, A3, &rc);
    if (!sm)
        RET(rc);
    RET(install(ec, A1, &sm->obj));
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

static void sys_delegate(struct ec *ec, struct frame *f)
{
    GET(dst, KOBJ_PD, pd, A1, KIDE_PD_DELEGATE);
    int rc = crd_check(A2);
    if (rc != KIDE_OK)
        RET(rc);
    if (dst->dead)
        RET(KIDE_BAD_CAP);
    unsigned kind = KIDE_CRD_KIND(A2);
    u8 order = (u8)KIDE_CRD_ORDER(A2), mask = (u8)KIDE_CRD_PERM(A2);
    if (kind == KIDE_CRD_OBJ)
        RET(cap_delegate(ec->pd, dst, KIDE_CRD_BASE(A2), order, A3, mask));
    if ((A3 & ((1ul << order) - 1)))
        RET(KIDE_BAD_PARAM);
    RET(space_delegate(ec->pd, dst, (u8)kind, KIDE_CRD_BASE(A2), order, A3, mask));
}

static void sys_revoke(struct ec *ec, struct frame *f)
{
    int rc = crd_check(A1);
    if (rc != KIDE_OK)
        RET(rc);
    bool self = FLAGS & KIDE_REVOKE_SELF;
    u8 order = (u8)KIDE_CRD_ORDER(A1);
    if (KIDE_CRD_KIND(A1) == KIDE_CRD_OBJ)
        cap_revoke(ec->pd, KIDE_CRD_BASE(A1), order, self);
    else
        space_revoke(ec->pd, (u8)KIDE_CRD_KIND(A1), KIDE_CRD_BASE(A1), order, self);
    RET(KIDE_OK);
}

static void sys_lookup(struct ec *ec, struct frame *f)
{
    unsigned kind = KIDE_CRD_KIND(A1);
    u64 base = KIDE_CRD_BASE(A1);
    f->rsi = KIDE_CRD_NULL;
    f->rdx = 0;
    if (kind == KIDE_CRD_NULL)
        RET(KIDE_BAD_PARAM);
    if (kind == KIDE_CRD_OBJ) {
        if (base >= KIDE_CAP_SLOTS)
            RET(KIDE_BAD_PARAM);
        struct cap *c = cap_slot(ec->pd, base, false);
        if (c && c->obj) {
            f->rsi = KIDE_CRD(KIDE_CRD_OBJ, base, 0, c->perms);
            f->rdx = c->obj->type;
        }
        RET(KIDE_OK);
    }
    if (base >= (kind == KIDE_CRD_IO ? 65536 : KIDE_USER_END >> PAGE_SHIFT))
        RET(KIDE_BAD_PARAM);
    struct rnode *n = space_find(ec->pd, (u8)kind, base);
    if (n) {
        f->rsi = KIDE_CRD(kind, n->base, n->order, n->perms);
        /* A kernel page's frame would tell where its neighbours (other ECs'
         * UTCBs) lie: it is not the caller's to know. */
        f->rdx = (n->flags & RNODE_SPECIAL) ? 0 : n->phys;
    }
    RET(KIDE_OK);
}

static void sys_ctrl_pd(struct ec *ec, struct frame *f)
{
    GET(pd, KOBJ_PD, pd, A1, KIDE_PD_CTRL);
    if (FLAGS == KIDE_CTRL_PD_QUOTA) {
        f->rsi = pd->quota_limit;
        f->rdx = pd->quota_used;
        RET(KIDE_OK);
    }
    if (FLAGS != KIDE_CTRL_PD_GIVE)
        RET(KIDE_BAD_SYSCALL);
    GET(to, KOBJ_PD, pd, A3, KIDE_PD_CTRL);
    if (pd->dead || to->dead)
        RET(KIDE_BAD_CAP);
    if (pd->quota_limit - pd->quota_used < A2)
        RET(KIDE_QUOTA);
    pd->quota_limit -= A2;
    to->quota_limit += A2;
    RET(KIDE_OK);
}

static void sys_ctrl_ec(struct ec *ec, struct frame *f)
{
    GET(target, KOBJ_EC, ec, A1, KIDE_EC_CTRL);
    if (FLAGS == KIDE_CTRL_EC_QUERY) {
        static const u8 map[] = {
                [EC_RUNNABLE] = KIDE_EC_STATE_READY,  [EC_CALLING] = KIDE_EC_STATE_BLOCKED,
                [EC_BLOCKED] = KIDE_EC_STATE_BLOCKED, [EC_IDLE] = KIDE_EC_STATE_IDLE,
                [EC_STOPPED] = KIDE_EC_STATE_STOPPED, [EC_DEAD] = KIDE_EC_STATE_DEAD,
        };
        f->rsi = map[target->state];
        f->rdx = target->fault_vector | (target->fault_error << 32);
        f->r10 = target->fault_addr;
        RET(KIDE_OK);
    }
    if (FLAGS != KIDE_CTRL_EC_RECALL)
        RET(KIDE_BAD_SYSCALL);
    if (target->state != EC_DEAD && target->state != EC_STOPPED) {
        target->recall = true;
        struct cpu *c = &cpus[target->cpu];
        if (c->current == target && c != this_cpu())
            sched_kick(target->cpu);
    }
    RET(KIDE_OK);
}

static void sys_ctrl_sc(struct ec *ec, struct frame *f)
{
    unsigned op = FLAGS & (u8)~KIDE_SC_HARD;
    if (op == KIDE_CTRL_SC_TIME) {
        GET(sc, KOBJ_SC, sc, A1, KIDE_SC_TIME);
        f->rsi = sc_consumed_ns(sc);
        f->rdx = sc->budget_ns;
        f->r10 = sc->period_ns;
        RET(KIDE_OK);
    }
    if (op != KIDE_CTRL_SC_SET)
        RET(KIDE_BAD_SYSCALL);
    GET(sc, KOBJ_SC, sc, A1, KIDE_SC_CTRL);
    if (!sc_params_ok(A2, A3, A4))
        RET(KIDE_BAD_PARAM);
    RET(sc_set(sc, (u8)A2, FLAGS & KIDE_SC_HARD, A3, A4));
}

static void sys_ctrl_sm(struct ec *ec, struct frame *f)
{
    unsigned op = FLAGS;
    if (op > KIDE_CTRL_SM_DOWN_ZERO)
        RET(KIDE_BAD_SYSCALL);
    GET(sm, KOBJ_SM, sm, A1, op == KIDE_CTRL_SM_UP ? KIDE_SM_UP : KIDE_SM_DOWN);
    if (op == KIDE_CTRL_SM_UP)
        RET(sm_up(sm));
    u64 deadline = 0;
    if (A2) {
        deadline = tsc_boot + ns_to_tsc(A2);
        if (deadline < tsc_boot) /* overflow: as good as never */
            deadline = ~0ul;
        deadline = deadline ? deadline : 1;
    }
    f->rax = KIDE_OK; /* sm_down may block; a wake-up rewrites RAX */
    RET(sm_down(sm, ec, op == KIDE_CTRL_SM_DOWN_ZERO, deadline));
}

static void sys_assign_gsi(struct ec *ec, struct frame *f)
{
    GET(sm, KOBJ_SM, sm, A1, KIDE_SM_ASSIGN);
    if (sm->gsi < 0)
        RET(KIDE_BAD_CAP);
    if (A2 >= cpu_count || !cpus[A2].online)
        RET(KIDE_BAD_CPU);
    sm->level = FLAGS & 1;
    ioapic_route((unsigned)sm->gsi, cpus[A2].apic_id, sm->level, FLAGS & 2);
    ioapic_mask((unsigned)sm->gsi, false);
    RET(KIDE_OK);
}

static void sys_null(struct ec *ec, struct frame *f)
{
    (void)ec;
    RET(KIDE_OK);
}

static void sys_clock(struct ec *ec, struct frame *f)
{
    (void)ec;
    f->rsi = now_ns();
    RET(KIDE_OK);
}

typedef void (*sys_fn)(struct ec *, struct frame *);

static const sys_fn sys_table[] = {
#define SYSCALL(nr, name) [nr] = sys_##name,
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
    u64 nr = f->rax & 0xff;
    if (nr >= ARRAY_SIZE(sys_table) || (f->rax >> 32))
        f->rax = KIDE_BAD_SYSCALL;
    else
        sys_table[nr](ec, f);
    kernel_exit();
}
