/* SPDX-License-Identifier: MIT */
/* krt ECs: root threads, handler ECs, exception portals and portal dispatch.
 *
 * The root has one handler (local) EC per CPU; every exception portal the
 * root creates is bound to the handler of the faulting EC's CPU, because IPC
 * never crosses CPUs. A portal's id is the address of a 64-byte aligned
 * object starting with struct krt_pt_hdr, or-ed with a sub-index (the
 * exception vector), so one handler EC serves any number of portals.
 * Stacks of root ECs come from a static pool (they must be contiguous, and
 * the page allocator hands out single pages).
 */
#include <krt.h>

extern char _start[];

#define STACK_SIZE  16384u
#define STACK_SLOTS 48u

static u8 stacks[STACK_SLOTS][STACK_SIZE] __attribute__((aligned(4096)));
static u64 stack_used; /* bitmap */
static struct krt_ec handlers[KIDE_MAX_CPUS];
static kide_sel park_sm, sleep_sm, null_evt;
static u64 utcb_next = 0x0000700000000000ull;

u64 krt_utcb_alloc(void)
{
    u64 u = utcb_next;
    utcb_next += 4096;
    return u;
}

static u64 stack_alloc(void)
{
    for (unsigned i = 0; i < STACK_SLOTS; i++) {
        if (!(stack_used >> i & 1)) {
            stack_used |= 1ull << i;
            return (u64)stacks[i];
        }
    }
    return 0;
}

static void stack_free(u64 s)
{
    for (unsigned i = 0; i < STACK_SLOTS; i++)
        if ((u64)stacks[i] == s)
            stack_used &= ~(1ull << i);
}

kide_sel krt_sm_create(u64 count)
{
    kide_sel s = krt_sel_alloc(0);
    if (!s)
        return 0;
    int st = kide_create_sm(s, KIDE_ROOT_SEL_PD, count);
    if (st != KIDE_OK) {
        printf("krt: create_sm: %s\n", base_status_name(st));
        krt_sel_free(s, 0);
        return 0;
    }
    return s;
}

void krt_cap_drop(kide_sel sel)
{
    if (!sel)
        return;
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0));
    krt_sel_free(sel, 0);
}

int krt_sm_wait(kide_sel sm, u64 ms)
{
    return kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, base_now() + ms * BASE_MS);
}

void krt_sleep_ms(u64 ms)
{
    if (sleep_sm)
        krt_sm_wait(sleep_sm, ms);
}

void krt_park(void)
{
    for (;;) {
        if (!park_sm)
            krt_exit(0);
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, park_sm, 0);
    }
}

/* ---- exceptions ---- */

static void exc_dispatch(struct krt_pt_hdr *hdr, unsigned vector, u64 msg, struct kide_utcb *utcb)
{
    struct krt_ec *ec = (struct krt_ec *)hdr;
    struct kide_exc_state st;
    memcpy(&st, utcb->words, sizeof(st));
    memcpy(&ec->last, &st, sizeof(st));
    ec->exc_msg = msg;
    u64 reply;
    if (st.vector == 6 && st.rax == KRT_EXIT_MAGIC) {
        ec->exit_code = st.rdi;
        BASE_WRITE_ONCE(ec->exited, 1);
        reply = KIDE_MSG_EXC_STOP;
    } else if (ec->policy) {
        reply = ec->policy(ec, &st);
    } else {
        printf("krt: EC %lu (cpu %u) got exception %u (portal %u) error %lx at rip %lx "
               "addr %lx: stopping it\n",
               ec->ec, ec->cpu, (unsigned)st.vector, vector, st.error, st.rip, st.fault_addr);
        reply = KIDE_MSG_EXC_STOP;
    }
    if (reply & KIDE_MSG_EXC_UPDATE) {
        memcpy(utcb->words, &st, sizeof(st));
        utcb->msg = KIDE_MSG_EXC_UPDATE | KIDE_MSG(KIDE_EXC_WORDS, 0) | (reply & KIDE_MSG_EXC_STOP);
    } else {
        utcb->msg = reply;
    }
    __atomic_add_fetch(&ec->exc_count, 1, __ATOMIC_SEQ_CST);
    if (ec->exc_sm)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, ec->exc_sm, 0);
}

int krt_local_ec(struct krt_ec *h, unsigned cpu)
{
    u64 stack = stack_alloc();
    kide_sel sel = krt_sel_alloc(0);
    if (!stack || !sel)
        return KIDE_QUOTA;
    u64 utcb = krt_utcb_alloc();
    u64 sp = stack + STACK_SIZE - 16;
    *(u64 *)sp = utcb;
    int st = kide_create_ec(0, cpu, sel, KIDE_ROOT_SEL_PD, utcb, sp, 0, null_evt);
    if (st != KIDE_OK) {
        stack_free(stack);
        krt_sel_free(sel, 0);
        return st;
    }
    h->ec = sel;
    h->cpu = cpu;
    h->stack = stack;
    h->utcb = (struct kide_utcb *)utcb;
    h->utcb->tls = (u64)h;
    return KIDE_OK;
}

int krt_handlers_init(void)
{
    null_evt = krt_sel_alloc(6);
    park_sm = krt_sm_create(0);
    sleep_sm = krt_sm_create(0);
    if (!null_evt || !park_sm || !sleep_sm)
        return KIDE_QUOTA;
    for (unsigned c = 0; c < krt_bootinfo->cpus && c < KIDE_MAX_CPUS; c++) {
        int st = krt_local_ec(&handlers[c], c);
        if (st != KIDE_OK) {
            printf("krt: handler EC for cpu %u: %s\n", c, base_status_name(st));
            return st;
        }
    }
    return KIDE_OK;
}

kide_sel krt_handler_ec(unsigned cpu)
{
    return cpu < KIDE_MAX_CPUS ? handlers[cpu].ec : 0;
}

int krt_evt_create(struct krt_ec *ec)
{
    kide_sel base = krt_sel_alloc(6);
    if (!base)
        return KIDE_QUOTA;
    ec->hdr.fn = exc_dispatch;
    for (unsigned v = 0; v < KIDE_EXC_COUNT; v++) {
        int st = kide_create_pt(base + v, KIDE_ROOT_SEL_PD, krt_handler_ec(ec->cpu), (u64)_start,
                                (u64)ec | v);
        if (st != KIDE_OK) {
            printf("krt: exception portal %u: %s\n", v, base_status_name(st));
            kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, base, 6, 0));
            krt_sel_free(base, 6);
            return st;
        }
    }
    ec->evt = base;
    return KIDE_OK;
}

void krt_evt_destroy(struct krt_ec *ec)
{
    if (!ec->evt)
        return;
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, ec->evt, 6, 0));
    krt_sel_free(ec->evt, 6);
    ec->evt = 0;
}

int krt_thread_start_sc(struct krt_ec *t, unsigned cpu, unsigned prio, unsigned sc_flags,
                        u64 budget, u64 period, void (*fn)(struct krt_ec *))
{
    int st;
    const char *step = "allocate";
    t->cpu = cpu;
    t->fn = fn;
    t->done = 0;
    t->child = NULL;
    if (!budget)
        budget = period = 10 * BASE_MS;
    t->stack = stack_alloc();
    t->ec = krt_sel_alloc(0);
    t->sc = krt_sel_alloc(0);
    t->done_sm = krt_sm_create(0);
    if (!t->stack || !t->ec || !t->sc || !t->done_sm) {
        st = KIDE_QUOTA;
        goto error;
    }
    step = "exception portals";
    st = krt_evt_create(t);
    if (st != KIDE_OK)
        goto error;
    step = "create_ec";
    u64 utcb = krt_utcb_alloc();
    u64 sp = t->stack + STACK_SIZE - 16;
    *(u64 *)sp = utcb;
    st = kide_create_ec(KIDE_EC_GLOBAL, cpu, t->ec, KIDE_ROOT_SEL_PD, utcb, sp, (u64)_start,
                        t->evt);
    if (st != KIDE_OK)
        goto error;
    t->utcb = (struct kide_utcb *)utcb;
    t->utcb->tls = (u64)t;
    step = "create_sc";
    st = kide_create_sc(sc_flags, prio, t->sc, KIDE_ROOT_SEL_PD, t->ec, budget, period);
    if (st != KIDE_OK)
        goto error;
    return KIDE_OK;
error:
    printf("krt: thread start on cpu %u: %s: %s\n", cpu, step, base_status_name(st));
    krt_thread_destroy(t);
    return st;
}

int krt_thread_start(struct krt_ec *t, unsigned cpu, unsigned prio, void (*fn)(struct krt_ec *))
{
    return krt_thread_start_sc(t, cpu, prio, 0, 0, 0, fn);
}

void krt_thread_destroy(struct krt_ec *t)
{
    if (t->sc)
        krt_cap_drop(t->sc);
    if (t->ec)
        krt_cap_drop(t->ec);
    krt_evt_destroy(t);
    if (t->done_sm)
        krt_cap_drop(t->done_sm);
    if (t->stack)
        stack_free(t->stack);
    t->sc = t->ec = t->done_sm = 0;
    t->stack = 0;
}
