/* SPDX-License-Identifier: MIT */
/* Kernel tests: harder cases. TLB shoot-down on revoke, replies to callers
 * that died, call chains through a dying PD, FIFO semaphore wake-up across
 * CPUs, every way user code can fault, wild exception-state updates and the
 * non-canonical SYSRET return address. */
#include "ktest.h"

#define ROOT KIDE_ROOT_SEL_PD
#define X    KRT_CHILD_FREE_VA

extern char _start[];

/* After revoke returns, no CPU may still write through a stale TLB entry. */
void test_tlb_shootdown(void)
{
    static struct krt_child c;
    u64 args[] = {X};
    CHECK(ktest_helper_prepare(&c, H_WRITE_LOOP, ktest_other_cpu(), args, 1) == KIDE_OK);
    u64 pa = krt_child_map(&c, X, KIDE_MEM_R | KIDE_MEM_W);
    CHECK(pa);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    CHECK(WAIT_FOR(c.info->res[1] > 10000, 5000));
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
    u64 v1 = *(volatile u64 *)pa;
    krt_sleep_ms(50);
    u64 v2 = *(volatile u64 *)pa;
    CHECK_EQ(v2, v1);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK_EQ(c.ec[0].last.vector, KIDE_EXC_PF);
    CHECK_EQ(c.ec[0].last.fault_addr, X);
out:
    krt_child_destroy(&c);
}

/* A rights downgrade a call's typed item makes (the same delegation again,
 * read-only) is shot down before the handler runs: the handler, in the PD
 * that lost the write right, must not see its other thread still writing
 * through a stale TLB entry (nor its devices through a stale IOTLB: dma.c
 * flushes in the same tlb_flush_dirty). Before the fix ipc_call switched to
 * the handler with the shoot-down still pending, until the next kernel exit. */
void test_tlb_downgrade_in_call(void)
{
    NEED_CPUS(2);
    static struct krt_child c;
    struct kide_utcb *u = ROOT_UTCB;
    kide_sel pt = 0;
    u64 args[] = {X};
    CHECK(ktest_helper_prepare(&c, H_WRITE_LOOP, ktest_other_cpu(), args, 1) == KIDE_OK);
    u64 pa = krt_child_map(&c, X, KIDE_MEM_R | KIDE_MEM_W);
    CHECK(pa);
    pt = krt_child_portal(&c, 0, H_PT_WATCH);
    CHECK(pt);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    CHECK(WAIT_FOR(c.info->res[1] > 10000, 5000));
    u->rcv_crd = 0;
    u->msg = 0;
    EXPECT_ST(kide_call(pt), KIDE_OK); /* the handler opens its receive window */
    printf("ktest: first watch: %lx %lx after %lu reads\n", u->words[0], u->words[1], u->words[2]);
    /* The same page again, read-only: the child's mapping at X is downgraded. */
    u->words[0] = KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R);
    u->words[1] = 0;
    u->msg = KIDE_MSG(0, 1);
    EXPECT_ST(kide_call(pt), KIDE_OK);
    printf("ktest: second watch: %lx %lx after %lu reads\n", u->words[0], u->words[1], u->words[2]);
    CHECK_EQ(KIDE_MSG_UNTYPED(u->msg), 3);
    CHECK_EQ(u->words[1], u->words[0]); /* nobody wrote X while the handler watched */
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK_EQ(c.ec[0].last.vector, KIDE_EXC_PF);
    CHECK_EQ(c.ec[0].last.fault_addr, X);
out:
    u->msg = 0;
    krt_cap_drop(pt);
    krt_child_destroy(&c);
}

/* ---- a root service that can be told to block mid-call ---- */

struct blk_srv {
    struct krt_pt_hdr hdr;
    kide_sel entered, go;
    volatile u64 calls, last_msg;
    volatile int block;
} __attribute__((aligned(64)));

static void blk_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    (void)sub, (void)msg;
    struct blk_srv *s = (struct blk_srv *)h;
    s->calls++;
    s->last_msg = msg;
    if (s->block) {
        kide_ctrl_sm(KIDE_CTRL_SM_UP, s->entered, 0);
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s->go, 0);
    }
    u->words[0] = 4242;
    u->msg = KIDE_MSG(1, 0);
}

static struct blk_srv bsrv;
static struct krt_ec bsrv_h;

static kide_sel blk_portal(unsigned cpu)
{
    memset(&bsrv, 0, sizeof(bsrv));
    memset(&bsrv_h, 0, sizeof(bsrv_h));
    bsrv.hdr.fn = blk_fn;
    bsrv.entered = krt_sm_create(0);
    bsrv.go = krt_sm_create(0);
    if (!bsrv.entered || !bsrv.go || krt_local_ec(&bsrv_h, cpu) != KIDE_OK)
        return 0;
    kide_sel pt = krt_sel_alloc(0);
    if (kide_create_pt(pt, ROOT, bsrv_h.ec, (u64)_start, (u64)&bsrv) != KIDE_OK)
        return 0;
    return pt;
}

static void blk_done(kide_sel pt)
{
    krt_cap_drop(pt);
    krt_thread_destroy(&bsrv_h);
    krt_cap_drop(bsrv.entered);
    krt_cap_drop(bsrv.go);
}

static void call_body(struct krt_ec *t)
{
    t->utcb->msg = 0;
    t->utcb->rcv_crd = 0;
    t->result[0] = (u64)kide_call(t->arg[0]);
    t->result[1] = t->utcb->words[0];
}

/** Call pt from a fresh root thread on cpu; returns the status, *w = words[0]. */
static int call_from(unsigned cpu, kide_sel pt, u64 *w)
{
    static struct krt_ec t;
    memset(&t, 0, sizeof(t));
    t.arg[0] = pt;
    int st = krt_thread_start(&t, cpu, PRIO_HIGH, call_body);
    if (st == KIDE_OK)
        st = krt_sm_wait(t.done_sm, 2000) == KIDE_OK ? (int)t.result[0] : -1;
    *w = t.result[1];
    krt_thread_destroy(&t);
    return st;
}

/* The caller dies while the server works: the reply is dropped and the
 * server goes on serving. */
void test_reply_to_dead_caller(void)
{
    static struct krt_child c;
    unsigned cpu = ktest_other_cpu();
    u64 args[] = {1101, 1}, w = 0;
    kide_sel pt = blk_portal(cpu);
    CHECK(pt);
    bsrv.block = 1;
    CHECK(ktest_helper_prepare(&c, H_CALL, cpu, args, 2) == KIDE_OK);
    EXPECT_ST(krt_child_give(&c, pt, KIDE_PT_CALL, 1101), KIDE_OK);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_sm_wait(bsrv.entered, 5000), KIDE_OK);
    krt_cap_drop(c.pd);
    c.pd = 0;
    CHECK(WAIT_FOR(ktest_ec_state(c.ec[0].ec) == KIDE_EC_STATE_DEAD, 1000));
    bsrv.block = 0;
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, bsrv.go, 0), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(bsrv_h.ec) == KIDE_EC_STATE_IDLE, 2000));
    EXPECT_ST(call_from(cpu, pt, &w), KIDE_OK);
    CHECK_EQ(w, 4242);
    CHECK_EQ(bsrv.calls, 2);
out:
    krt_child_destroy(&c);
    blk_done(pt);
}

/* root thread -> child handler -> root server; the child dies in the middle. */
void test_ipc_chain_abort(void)
{
    static struct krt_child c;
    static struct krt_ec t;
    unsigned cpu = ktest_other_cpu();
    kide_sel s = krt_sm_create(0), pt = blk_portal(cpu), p1 = 0;
    u64 args[] = {1100, 1101}, w = 0;
    memset(&t, 0, sizeof(t));
    CHECK(s && pt);
    bsrv.block = 1;
    CHECK(ktest_helper_prepare(&c, H_SERVER, cpu, args, 2) == KIDE_OK);
    EXPECT_ST(krt_child_give(&c, s, KIDE_SM_DOWN, 1100), KIDE_OK);
    EXPECT_ST(krt_child_give(&c, pt, KIDE_PT_CALL, 1101), KIDE_OK);
    p1 = krt_child_portal(&c, cpu, H_PT_FORWARD);
    CHECK(p1);
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    t.arg[0] = p1;
    EXPECT_ST(krt_thread_start(&t, cpu, PRIO_HIGH, call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(bsrv.entered, 5000), KIDE_OK);
    krt_cap_drop(c.pd);
    c.pd = 0;
    bsrv.block = 0;
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, bsrv.go, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], KIDE_ABORTED);
    CHECK(WAIT_FOR(ktest_ec_state(bsrv_h.ec) == KIDE_EC_STATE_IDLE, 2000));
    EXPECT_ST(call_from(cpu, pt, &w), KIDE_OK);
    CHECK_EQ(w, 4242);
out:
    krt_thread_destroy(&t);
    krt_child_destroy(&c);
    blk_done(pt);
    krt_cap_drop(s);
}

static void down_body(struct krt_ec *t)
{
    t->result[0] = (u64)kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->arg[0], 0);
}

/* Up wakes the longest waiter, wherever it waits. */
void test_sm_fifo(void)
{
    static struct krt_ec t[3];
    kide_sel s = krt_sm_create(0);
    memset(t, 0, sizeof(t));
    CHECK(s);
    for (unsigned i = 0; i < 3; i++) {
        t[i].arg[0] = s;
        EXPECT_ST(krt_thread_start(&t[i], (i + 1) % ktest_cpus(), PRIO_HIGH, down_body), KIDE_OK);
        CHECK(WAIT_FOR(ktest_ec_state(t[i].ec) == KIDE_EC_STATE_BLOCKED, 2000));
    }
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
        EXPECT_ST(krt_sm_wait(t[i].done_sm, 2000), KIDE_OK);
        CHECK_EQ(t[i].result[0], KIDE_OK);
        krt_sleep_ms(10);
        for (unsigned j = i + 1; j < 3; j++)
            CHECK(!t[j].done);
    }
out:
    for (unsigned i = 0; i < 3; i++)
        krt_thread_destroy(&t[i]);
    krt_cap_drop(s);
}

/* ---- faults ---- */

static const struct {
    const char *name;
    unsigned insn;
    int v1, v2; /* acceptable vectors (v2 -1: only v1) */
} faults[] = {
        {"div0", INSN_DIV0, 0, -1},          {"hlt", INSN_HLT, 13, -1},
        {"cli", INSN_CLI, 13, -1},           {"int3", INSN_INT3, 3, 13},
        {"int 0x80", INSN_INT80, 13, 11},    {"non-canonical load", INSN_NONCANON, 13, -1},
        {"kernel load", INSN_KREAD, 14, -1}, {"code store", INSN_CODEWRITE, 14, -1},
        {"trap flag", INSN_TRAPFLAG, 1, -1}, {"mov cr3", INSN_MOVCR3, 13, -1},
        {"wrmsr", INSN_WRMSR, 13, -1},       {"iretq to ring 0", INSN_IRETQ, 13, -1},
};

/* DF set by user code must not leak into the kernel (its C code assumes
 * DF=0): not through a system call, an interrupt or an exception. These
 * tests run last: a failure resets the machine. */
static void user_df(unsigned insn, u64 exit_code, int vector)
{
    static struct krt_child c;
    u64 args[] = {insn, krt_bootinfo->tsc_khz * 50}; /* 50 ms of TSC for the spin */
    CHECK(ktest_helper_prepare(&c, H_INSN, 0, args, 2) == KIDE_OK);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    if (vector < 0) {
        CHECK(c.ec[0].exited);
        CHECK_EQ(c.ec[0].exit_code, exit_code);
    } else {
        CHECK(!c.ec[0].exited);
        CHECK_EQ(c.ec[0].last.vector, (u64)vector);
    }
    EXPECT_ST(kide_null(), KIDE_OK);
out:
    krt_child_destroy(&c);
}

void test_user_df_syscall(void)
{
    user_df(INSN_STD_SYSCALL, 10, -1);
}
void test_user_df_irq(void)
{
    user_df(INSN_STD_SPIN, 11, -1);
}
void test_user_df_exception(void)
{
    user_df(INSN_STD_UD2, 0, 6);
}

void test_exc_vectors(void)
{
    static struct krt_child c;
    for (unsigned i = 0; i < BASE_ARRAY_SIZE(faults); i++) {
        u64 args[] = {faults[i].insn};
        CHECK(ktest_helper_prepare(&c, H_INSN, i % ktest_cpus(), args, 1) == KIDE_OK);
        c.ec[0].policy = ktest_stop_quiet;
        EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
        int st = krt_child_wait(&c, 5000);
        if (st != KIDE_OK)
            printf("ktest: exc_vectors: %s on cpu %u: no stop within 5 s; state %lu, %lu "
                   "exceptions\n",
                   faults[i].name, i % ktest_cpus(), ktest_ec_state(c.ec[0].ec), c.ec[0].exc_count);
        EXPECT_ST(st, KIDE_OK);
        u64 v = c.ec[0].last.vector;
        if (c.ec[0].exited || (v != (u64)faults[i].v1 && v != (u64)faults[i].v2))
            printf("ktest: exc_vectors: %s: exited %d (code %lu), %lu exceptions, the last "
                   "vector %lu error %lx at %lx\n",
                   faults[i].name, c.ec[0].exited, c.ec[0].exit_code, c.ec[0].exc_count, v,
                   c.ec[0].last.error, c.ec[0].last.rip);
        CHECK(!c.ec[0].exited);
        CHECK(v == (u64)faults[i].v1 || v == (u64)faults[i].v2);
        if (faults[i].insn == INSN_KREAD)
            CHECK_EQ(c.ec[0].last.fault_addr, 0xffffffff80100000ull);
        if (faults[i].insn == INSN_CODEWRITE)
            CHECK_EQ(c.ec[0].last.error & 7, 7);
        CHECK(WAIT_FOR(ktest_ec_state(c.ec[0].ec) == KIDE_EC_STATE_STOPPED, 1000));
        krt_child_destroy(&c);
    }
    EXPECT_ST(kide_null(), KIDE_OK);
out:
    krt_child_destroy(&c);
}

/* Exception-state updates the kernel must sanitise or survive. */
static volatile unsigned wild_case;
static u64 wild_update(struct krt_ec *ec, struct kide_exc_state *st)
{
    if (ec->exc_count > 0 || st->vector != 6)
        return KIDE_MSG_EXC_STOP;
    st->rip += 2;
    switch (wild_case) {
    case 0:
        st->rsp = 0x8000000000000000ull; /* non-canonical stack: faults in user mode */
        break;
    case 1:
        st->rflags = ~0ull; /* every flag: IOPL, VM, NT, ... must not stick */
        break;
    case 2:
        st->rsp = 0xffff800000010000ull; /* a kernel stack address */
        break;
    case 3:
        st->rip = KIDE_USER_END - 1; /* the last user byte */
        break;
    case 4:
        st->rflags |= 1ull << 8; /* TF: a #DB after one instruction is fine */
        break;
    case 5:
        st->rflags |= (1ull << 17) | (1ull << 19) | (1ull << 20); /* VM, VIF, VIP */
        break;
    case 6:
        st->rflags |= 1ull << 16; /* RF */
        break;
    case 7:
        st->rflags |= ~0ull << 22; /* reserved bits */
        break;
    case 8:
        st->rflags |= (1ull << 18) | (1ull << 21); /* AC, ID */
        break;
    case 9:
        st->rflags &= ~2ull; /* bit 1 is always 1 */
        break;
    case 10:
        st->rflags |= 0x8028; /* reserved low bits 3, 5, 15 */
        break;
    case 11:
        st->rflags |= 0x400; /* DF */
        break;
    case 12:
        st->rflags |= (1ull << 8) | (1ull << 14); /* TF and NT */
        break;
    case 13:
        st->rflags |= 0xffff; /* all low 16 */
        break;
    }
    return KIDE_MSG_EXC_UPDATE;
}

void test_exc_wild_state(void)
{
    static struct krt_child c;
    static const unsigned order[] = {0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 1};
    for (unsigned k = 0; k < BASE_ARRAY_SIZE(order); k++) {
        wild_case = order[k];
        printf("ktest: exc_wild_state: case %u\n", wild_case);
        CHECK(ktest_helper_prepare(&c, H_UD2, ktest_other_cpu(), NULL, 0) == KIDE_OK);
        c.ec[0].policy = wild_update;
        EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
        EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
        if (c.ec[0].exited) {
            /* it ran on: whatever flags it has, no I/O privilege */
            CHECK_EQ((c.info->res[2] >> 12) & 3, 0);
        } else {
            CHECK(c.ec[0].exc_count >= 2);
        }
        EXPECT_ST(kide_null(), KIDE_OK);
        krt_child_destroy(&c);
    }
out:
    krt_child_destroy(&c);
}

/* A syscall instruction in the last two bytes of user space returns to a
 * non-canonical address: SYSRET must not be used for it (CVE-2012-0217). */
void test_sysret_noncanonical(void)
{
    static struct krt_child c;
    u64 last = KIDE_USER_END - 4096;
    u64 args[] = {INSN_SYSCALL_AT, KIDE_USER_END - 2};
    CHECK(ktest_helper_prepare(&c, H_INSN, ktest_other_cpu(), args, 2) == KIDE_OK);
    u64 pa = krt_child_map(&c, last, KIDE_MEM_R | KIDE_MEM_X);
    CHECK(pa);
    *(volatile u8 *)(pa + 4094) = 0x0f; /* syscall */
    *(volatile u8 *)(pa + 4095) = 0x05;
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    u64 state = 0, fault = 0, addr = 0;
    kide_ctrl_ec(KIDE_CTRL_EC_QUERY, c.ec[0].ec, 0, 0, 0, &state, &fault, &addr);
    printf("ktest: sysret_noncanonical: %lu exceptions, the last vector %lu at %lx; query: "
           "state %lu fault %lx addr %lx\n",
           c.ec[0].exc_count, c.ec[0].last.vector, c.ec[0].last.rip, state, fault, addr);
    CHECK(!c.ec[0].exited);
    CHECK_EQ(state, KIDE_EC_STATE_STOPPED);
    /* Delivered as an exception, or (the kernel's choice, see ec.c) stopped
     * at once with #GP recorded: either way it never ran kernel-side. */
    if (c.ec[0].exc_count)
        CHECK(c.ec[0].last.vector == 13 || c.ec[0].last.vector == 14);
    else
        CHECK((fault & 0xffffffff) == 13 && addr >= 0x0000800000000000ull - 2);
    EXPECT_ST(kide_null(), KIDE_OK);
out:
    krt_child_destroy(&c);
}

/* The handler dies while one caller is being served and another waits in
 * line: both get ABORTED. */
void test_ipc_queue_abort(void)
{
    static struct krt_ec t1, t2;
    unsigned cpu = ktest_other_cpu();
    kide_sel pt = blk_portal(cpu);
    memset(&t1, 0, sizeof(t1));
    memset(&t2, 0, sizeof(t2));
    CHECK(pt);
    bsrv.block = 1;
    t1.arg[0] = t2.arg[0] = pt;
    EXPECT_ST(krt_thread_start(&t1, cpu, PRIO_HIGH, call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(bsrv.entered, 5000), KIDE_OK);
    EXPECT_ST(krt_thread_start(&t2, cpu, PRIO_HIGH, call_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t2.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    CHECK_EQ(bsrv.calls, 1); /* t2 waits in line */
    krt_cap_drop(pt);
    pt = 0;
    krt_thread_destroy(&bsrv_h); /* the handler EC goes */
    EXPECT_ST(krt_sm_wait(t1.done_sm, 2000), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t2.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t1.result[0], KIDE_ABORTED);
    CHECK_EQ(t2.result[0], KIDE_ABORTED);
    CHECK_EQ(bsrv.calls, 1);
out:
    krt_thread_destroy(&t1);
    krt_thread_destroy(&t2);
    blk_done(pt);
}

static void call_one_word_body(struct krt_ec *t)
{
    t->utcb->words[0] = 7;
    t->utcb->msg = KIDE_MSG(1, 0);
    t->utcb->rcv_crd = 0;
    t->result[0] = (u64)kide_call(t->arg[0]);
}

/* The message word of a queued caller is read once, when its call is
 * checked: a sibling thread that rewrites it while the call waits in line
 * changes nothing (before, the handler got the rewritten length, up to 1023
 * words copied into a 4064-byte area). */
void test_ipc_msg_snapshot(void)
{
    static struct krt_ec t1, t2;
    unsigned cpu = ktest_other_cpu();
    kide_sel pt = blk_portal(cpu);
    memset(&t1, 0, sizeof(t1));
    memset(&t2, 0, sizeof(t2));
    CHECK(pt);
    bsrv.block = 1;
    t1.arg[0] = t2.arg[0] = pt;
    EXPECT_ST(krt_thread_start(&t1, cpu, PRIO_HIGH, call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(bsrv.entered, 5000), KIDE_OK);
    EXPECT_ST(krt_thread_start(&t2, cpu, PRIO_HIGH, call_one_word_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t2.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    t2.utcb->msg = KIDE_MSG(3, 0); /* in bounds, so the old kernel survives it */
    bsrv.block = 0;
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, bsrv.go, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t2.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t2.result[0], KIDE_OK);
    CHECK_EQ(bsrv.calls, 2);
    CHECK_EQ(KIDE_MSG_UNTYPED(bsrv.last_msg), 1);
out:
    krt_thread_destroy(&t1);
    krt_thread_destroy(&t2);
    blk_done(pt);
}

static volatile u64 other_calls;
static void other_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    (void)h, (void)sub, (void)msg;
    other_calls++;
    u->msg = 0;
}

/* A caller waiting in line holds its portal: when the portal is revoked
 * meanwhile, the caller gets ABORTED, and a new portal of the same handler
 * (perhaps in the freed portal's memory) never receives that call. Before,
 * the queued caller kept a raw pointer and the handler ran the new portal's
 * code with the new id (badge spoofing between clients of one server). */
void test_ipc_queued_portal_revoked(void)
{
    static struct krt_ec t1, t2;
    static struct krt_pt_hdr other;
    unsigned cpu = ktest_other_cpu();
    kide_sel pt = blk_portal(cpu), pt2 = krt_sel_alloc(0);
    memset(&t1, 0, sizeof(t1));
    memset(&t2, 0, sizeof(t2));
    other.fn = other_fn;
    other_calls = 0;
    CHECK(pt && pt2);
    bsrv.block = 1;
    t1.arg[0] = t2.arg[0] = pt;
    EXPECT_ST(krt_thread_start(&t1, cpu, PRIO_HIGH, call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(bsrv.entered, 5000), KIDE_OK);
    EXPECT_ST(krt_thread_start(&t2, cpu, PRIO_HIGH, call_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t2.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    krt_cap_drop(pt); /* revoked while t2 waits for it */
    pt = 0;
    EXPECT_ST(kide_create_pt(pt2, ROOT, bsrv_h.ec, (u64)_start, (u64)&other), KIDE_OK);
    bsrv.block = 0;
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, bsrv.go, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t1.done_sm, 2000), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t2.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t1.result[0], KIDE_OK);
    CHECK_EQ(t2.result[0], KIDE_ABORTED);
    CHECK_EQ(other_calls, 0);
    CHECK_EQ(bsrv.calls, 1);
out:
    krt_thread_destroy(&t1);
    krt_thread_destroy(&t2);
    krt_cap_drop(pt2);
    blk_done(pt);
}

static kide_sel nest_pt;
static void nest_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    (void)h, (void)sub, (void)msg;
    u->msg = 0;
    u->rcv_crd = 0;
    u64 st = (u64)kide_call(nest_pt);
    u->words[0] = st;
    u->msg = KIDE_MSG(1, 0);
}

/* A handler in the middle of a call chain (t1 -> h1 -> the blocking
 * server) is destroyed with its portal, and its memory is offered for reuse
 * by new ECs: the chain still holds it, so the server's reply unwinds past
 * it and t1 gets ABORTED (before, the links held no reference: the freed EC
 * was reused under the chain and t1 hung or the kernel used freed memory). */
void test_ipc_chain_handler_freed(void)
{
    static struct krt_ec t1, h1, spare[4];
    static struct krt_pt_hdr nest;
    unsigned cpu = ktest_other_cpu();
    kide_sel pt2 = blk_portal(cpu), pt1 = krt_sel_alloc(0);
    memset(&t1, 0, sizeof(t1));
    memset(&h1, 0, sizeof(h1));
    memset(spare, 0, sizeof(spare));
    nest.fn = nest_fn;
    nest_pt = pt2;
    CHECK(pt2 && pt1);
    EXPECT_ST(krt_local_ec(&h1, cpu), KIDE_OK);
    EXPECT_ST(kide_create_pt(pt1, ROOT, h1.ec, (u64)_start, (u64)&nest), KIDE_OK);
    bsrv.block = 1;
    t1.arg[0] = pt1;
    EXPECT_ST(krt_thread_start(&t1, cpu, PRIO_HIGH, call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(bsrv.entered, 5000), KIDE_OK);
    krt_cap_drop(pt1); /* the portal held h1 */
    pt1 = 0;
    krt_thread_destroy(&h1);
    for (unsigned i = 0; i < 4; i++)
        EXPECT_ST(krt_local_ec(&spare[i], cpu), KIDE_OK);
    bsrv.block = 0;
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, bsrv.go, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t1.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t1.result[0], KIDE_ABORTED);
    CHECK(WAIT_FOR(ktest_ec_state(bsrv_h.ec) == KIDE_EC_STATE_IDLE, 2000));
    u64 w = 0;
    EXPECT_ST(call_from(cpu, pt2, &w), KIDE_OK); /* the server still serves */
    CHECK_EQ(w, 4242);
out:
    krt_thread_destroy(&t1);
    for (unsigned i = 0; i < 4; i++)
        krt_thread_destroy(&spare[i]);
    krt_cap_drop(pt1);
    blk_done(pt2);
}

/* Hundreds of runnable ECs that each fail at once when resumed (their RIP is
 * a kernel address) are stopped one after another: the scheduler's
 * stop-and-pick-again path runs on a fresh stack each time. Before, it
 * recursed (schedule -> ec_resume -> ec_stop -> schedule): 250 such ECs
 * overflowed the kernel stack. */
#define WILD_N     400
#define WILD_UTCBS 0x0000530000000000ull
void test_sched_many_wild_ecs(void)
{
    static kide_sel ec[WILD_N], sc[WILD_N];
    kide_sel sm = krt_sm_create(0);
    unsigned made = 0, stopped = 0;
    memset(ec, 0, sizeof(ec));
    memset(sc, 0, sizeof(sc));
    CHECK(sm);
    for (; made < WILD_N; made++) {
        ec[made] = krt_sel_alloc(0);
        sc[made] = krt_sel_alloc(0);
        int st = kide_create_ec(KIDE_EC_GLOBAL, 0, ec[made], ROOT, WILD_UTCBS + made * 4096ull, 0,
                                0xffffffff80100000ull, 0);
        if (st == KIDE_OK)
            st = kide_create_sc(0, PRIO_CHILD, sc[made], ROOT, ec[made], 10 * BASE_MS,
                                10 * BASE_MS);
        if (st != KIDE_OK) {
            printf("ktest: sched_many_wild_ecs: EC %u: %s\n", made, base_status_name(st));
            break;
        }
    }
    CHECK_EQ(made, WILD_N);
    /* They run (and stop) while the root waits. */
    krt_sm_wait(sm, 500);
    for (unsigned i = 0; i < made; i++)
        stopped += ktest_ec_state(ec[i]) == KIDE_EC_STATE_STOPPED;
    CHECK_EQ(stopped, WILD_N);
    EXPECT_ST(kide_null(), KIDE_OK);
out:
    for (unsigned i = 0; i < WILD_N; i++) {
        if (sc[i])
            krt_cap_drop(sc[i]);
        if (ec[i])
            krt_cap_drop(ec[i]);
    }
    if (sm)
        krt_cap_drop(sm);
}

static void sm_taker_body(struct krt_ec *t)
{
    u64 got = 0;
    for (u64 i = 0; i < t->arg[1]; i++)
        if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->arg[0], base_now() + 2000 * BASE_MS) == KIDE_OK)
            got++;
    t->result[0] = got;
}

/* Ups on one CPU, downs on all others: no count is lost or made up. */
void test_sm_stress(void)
{
    NEED_CPUS(2);
    static struct krt_ec t[KIDE_MAX_CPUS];
    const u64 per = 300;
    unsigned n = ktest_cpus() - 1;
    kide_sel s = krt_sm_create(0);
    memset(t, 0, sizeof(t));
    CHECK(s);
    for (unsigned i = 0; i < n; i++) {
        t[i].arg[0] = s;
        t[i].arg[1] = per;
        EXPECT_ST(krt_thread_start(&t[i], i + 1, PRIO_HIGH, sm_taker_body), KIDE_OK);
    }
    for (u64 i = 0; i < per * n; i++)
        EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
    u64 total = 0;
    for (unsigned i = 0; i < n; i++) {
        EXPECT_ST(krt_sm_wait(t[i].done_sm, 10000), KIDE_OK);
        total += t[i].result[0];
    }
    CHECK_EQ(total, per * n);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s, base_now() + 5 * BASE_MS), KIDE_TIMEOUT);
out:
    for (unsigned i = 0; i < n; i++)
        krt_thread_destroy(&t[i]);
    krt_cap_drop(s);
}

/* IPC on every CPU at once, each CPU with its own server. */
struct echo_srv {
    struct krt_pt_hdr hdr;
    volatile u64 calls;
} __attribute__((aligned(64)));

static void echo_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    (void)sub;
    ((struct echo_srv *)h)->calls++;
    unsigned n = KIDE_MSG_UNTYPED(msg) % 64;
    for (unsigned i = 0; i < n; i++)
        u->words[i] = ~u->words[i];
    u->msg = KIDE_MSG(n, 0);
}

static void pingpong_body(struct krt_ec *t)
{
    struct kide_utcb *u = t->utcb;
    u64 good = 0, x = t->arg[2] | 1, sent[8];
    u->rcv_crd = 0;
    for (u64 i = 0; i < t->arg[1]; i++) {
        unsigned n = (unsigned)(i % 9);
        for (unsigned k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            sent[k] = u->words[k] = x;
        }
        u->msg = KIDE_MSG(n, 0);
        if (kide_call(t->arg[0]) != KIDE_OK || KIDE_MSG_UNTYPED(u->msg) != n)
            continue;
        bool ok = true;
        for (unsigned k = 0; k < n; k++)
            ok &= u->words[k] == ~sent[k];
        good += ok;
    }
    t->result[0] = good;
}

void test_ipc_parallel(void)
{
    static struct krt_ec t[KIDE_MAX_CPUS], h[KIDE_MAX_CPUS];
    static struct echo_srv srv[KIDE_MAX_CPUS];
    static kide_sel pts[KIDE_MAX_CPUS];
    unsigned n = ktest_cpus();
    const u64 calls = 500;
    memset(t, 0, sizeof(t));
    memset(h, 0, sizeof(h));
    memset(pts, 0, sizeof(pts));
    for (unsigned i = 0; i < n; i++) {
        srv[i].hdr.fn = echo_fn;
        srv[i].calls = 0;
        EXPECT_ST(krt_local_ec(&h[i], i), KIDE_OK);
        pts[i] = krt_sel_alloc(0);
        EXPECT_ST(kide_create_pt(pts[i], ROOT, h[i].ec, (u64)_start, (u64)&srv[i]), KIDE_OK);
    }
    for (unsigned i = 0; i < n; i++) {
        t[i].arg[0] = pts[i];
        t[i].arg[1] = calls;
        t[i].arg[2] = 0x1234567ull * (i + 1);
        EXPECT_ST(krt_thread_start(&t[i], i, PRIO_LOW, pingpong_body), KIDE_OK);
    }
    for (unsigned i = 0; i < n; i++) {
        EXPECT_ST(krt_sm_wait(t[i].done_sm, 20000), KIDE_OK);
        CHECK_EQ(t[i].result[0], calls);
        CHECK_EQ(srv[i].calls, calls);
    }
out:
    for (unsigned i = 0; i < n; i++) {
        krt_thread_destroy(&t[i]);
        krt_cap_drop(pts[i]);
        krt_thread_destroy(&h[i]);
    }
}

static void quick_body(struct krt_ec *t)
{
    t->result[0] = 1;
}

/* Threads started on, and woken on, otherwise idle CPUs, many times: each
 * must run promptly (a lost wake-up IPI leaves it READY for ever). */
void test_remote_wakeup(void)
{
    NEED_CPUS(2);
    static struct krt_ec t;
    kide_sel s = krt_sm_create(0);
    CHECK(s);
    for (unsigned i = 0; i < 60; i++) {
        unsigned cpu = 1 + i % (ktest_cpus() - 1);
        memset(&t, 0, sizeof(t));
        t.arg[0] = s;
        if (i & 1) {
            EXPECT_ST(krt_thread_start(&t, cpu, PRIO_HIGH, quick_body), KIDE_OK);
        } else {
            EXPECT_ST(krt_thread_start(&t, cpu, PRIO_HIGH, down_body), KIDE_OK);
            CHECK(WAIT_FOR(ktest_ec_state(t.ec) == KIDE_EC_STATE_BLOCKED, 2000));
            krt_sleep_ms(i % 5); /* let the CPU go idle */
            EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
        }
        int st = krt_sm_wait(t.done_sm, 2000);
        if (st != KIDE_OK)
            printf("ktest: remote_wakeup: round %u on cpu %u: the thread is in state %lu\n", i, cpu,
                   ktest_ec_state(t.ec));
        EXPECT_ST(st, KIDE_OK);
        krt_thread_destroy(&t);
    }
out:
    krt_thread_destroy(&t);
    krt_cap_drop(s);
}

static u64 pf_remap(struct krt_ec *ec, struct kide_exc_state *st)
{
    u64 pa = (u64)ec->policy_arg;
    if (st->vector != KIDE_EXC_PF || st->fault_addr != X)
        return KIDE_MSG_EXC_STOP;
    int r = kide_delegate(ec->child->pd,
                          KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_W), X >> 12);
    return r == KIDE_OK ? 0 : KIDE_MSG_EXC_STOP;
}

static void syscall_spin_body(struct krt_ec *t)
{
    while (!BASE_READ_ONCE(t->arg[3])) {
        kide_null();
        t->result[0]++;
    }
}

/* A TLB shoot-down taken while a PD runs in user mode keeps its I/O bitmap:
 * a child reading its own port on another CPU goes on reading through
 * hundreds of shoot-downs of its address space (before, the IPI's fast
 * return path left the TSS without the bitmap and the next IN took #GP). */
void test_io_after_shootdown(void)
{
    NEED_CPUS(2);
    static struct krt_child c;
    u64 args[] = {0x3f8 + 5};
    unsigned rounds = 0;
    CHECK(ktest_helper_prepare(&c, H_IO_LOOP, ktest_other_cpu(), args, 1) == KIDE_OK);
    u64 pa = krt_child_map(&c, X, KIDE_MEM_R | KIDE_MEM_W);
    CHECK(pa);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    CHECK(WAIT_FOR(c.info->res[1] > 10, 5000));
    for (; rounds < 300 && c.ec[0].exc_count == 0; rounds++) {
        u64 seen = c.info->res[1];
        EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
        EXPECT_ST(kide_delegate(c.pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                                X >> 12),
                  KIDE_OK);
        WAIT_FOR(c.info->res[1] > seen || c.ec[0].exc_count, 2000);
    }
    if (c.ec[0].exc_count)
        printf("ktest: io_after_shootdown: the child took vector %lu after %u shoot-downs\n",
               c.ec[0].last.vector, rounds);
    CHECK_EQ(c.ec[0].exc_count, 0);
    CHECK_EQ(rounds, 300);
out:
    krt_child_destroy(&c);
}

/* TLB shoot-downs while every other CPU hammers the kernel. */
void test_smp_shootdown_stress(void)
{
    NEED_CPUS(2);
    static struct krt_ec t[KIDE_MAX_CPUS];
    static struct krt_child c;
    unsigned n = ktest_cpus();
    u64 args[] = {X};
    memset(t, 0, sizeof(t));
    for (unsigned i = 1; i < n; i++)
        EXPECT_ST(krt_thread_start(&t[i], i, PRIO_CHILD, syscall_spin_body), KIDE_OK);
    CHECK(ktest_helper_prepare(&c, H_WRITE_LOOP, n - 1, args, 1) == KIDE_OK);
    u64 pa = krt_child_map(&c, X, KIDE_MEM_R | KIDE_MEM_W);
    CHECK(pa);
    /* The child faults whenever it catches the page revoked; its faults are
     * answered by mapping the page again (pf_remap). */
    c.ec[0].policy = pf_remap;
    c.ec[0].policy_arg = (void *)pa;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    u64 t0 = base_now(), rounds = 0;
    while (base_now() - t0 < 1000 * BASE_MS) {
        EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
        u64 seen = c.info->res[1];
        WAIT_FOR(c.info->res[1] != seen, 5); /* let it fault and get the page back */
        rounds++;
    }
    u64 w = c.info->res[1];
    CHECK(WAIT_FOR(c.info->res[1] > w, 2000));
    printf("ktest: smp_shootdown_stress: %lu revokes in 1 s, the child faulted %lu times\n", rounds,
           c.ec[0].exc_count);
    CHECK(c.ec[0].exc_count > 0);
    for (unsigned i = 1; i < n; i++)
        CHECK(t[i].result[0] > 0);
out:
    for (unsigned i = 1; i < n; i++) {
        BASE_WRITE_ONCE(t[i].arg[3], 1);
        if (t[i].done_sm)
            krt_sm_wait(t[i].done_sm, 1000);
        krt_thread_destroy(&t[i]);
    }
    krt_child_destroy(&c);
}

static void spin_forever_body(struct krt_ec *t)
{
    for (;;)
        t->result[0]++;
}

/* Kill an EC while it runs on another CPU, then start a new one there: the
 * CPU must keep scheduling. */
void test_kill_running_remote(void)
{
    NEED_CPUS(2);
    static struct krt_ec a, b;
    for (unsigned i = 0; i < 12; i++) {
        unsigned cpu = 1 + i % (ktest_cpus() - 1);
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        EXPECT_ST(krt_thread_start(&a, cpu, PRIO_LOW, spin_forever_body), KIDE_OK);
        CHECK(WAIT_FOR(a.result[0] > 1000, 2000));
        krt_thread_destroy(&a); /* revokes its SC and EC while it spins */
        EXPECT_ST(krt_thread_start(&b, cpu, PRIO_LOW, quick_body), KIDE_OK);
        int st = krt_sm_wait(b.done_sm, 2000);
        if (st != KIDE_OK)
            printf("ktest: kill_running_remote: round %u, cpu %u: the new thread is in state "
                   "%lu\n",
                   i, cpu, ktest_ec_state(b.ec));
        EXPECT_ST(st, KIDE_OK);
        krt_thread_destroy(&b);
    }
out:
    krt_thread_destroy(&a);
    krt_thread_destroy(&b);
}

static kide_sel blk_entered, blk_go;
static u64 block_then_stop(struct krt_ec *ec, struct kide_exc_state *st)
{
    (void)ec, (void)st;
    kide_ctrl_sm(KIDE_CTRL_SM_UP, blk_entered, 0);
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, blk_go, 0);
    return KIDE_MSG_EXC_STOP;
}

/* A's exception is being handled (the handler blocks) while B's waits in line
 * for the same handler EC; A's PD dies. B's exception must still be delivered. */
void test_exc_queue_caller_dies(void)
{
    static struct krt_child a, b;
    unsigned cpu = ktest_other_cpu();
    u64 args_a[] = {X}, args_b[] = {X + 8, 5};
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    blk_entered = krt_sm_create(0);
    blk_go = krt_sm_create(0);
    CHECK(blk_entered && blk_go);
    CHECK(ktest_helper_prepare(&a, H_TOUCH, cpu, args_a, 1) == KIDE_OK);
    CHECK(ktest_helper_prepare(&b, H_TOUCH, cpu, args_b, 2) == KIDE_OK);
    a.ec[0].policy = block_then_stop;
    b.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&a, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_sm_wait(blk_entered, 5000), KIDE_OK); /* the handler is busy with A */
    EXPECT_ST(krt_child_start(&b, PRIO_CHILD), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(b.ec[0].ec) == KIDE_EC_STATE_BLOCKED, 2000)); /* in line */
    krt_cap_drop(a.pd);
    a.pd = 0;
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, blk_go, 0), KIDE_OK);
    EXPECT_ST(krt_child_wait(&b, 5000), KIDE_OK);
    if (b.ec[0].exc_count != 1) {
        u64 st = 0, fault = 0, addr = 0;
        kide_ctrl_ec(KIDE_CTRL_EC_QUERY, b.ec[0].ec, 0, 0, 0, &st, &fault, &addr);
        printf("ktest: exc_queue_caller_dies: B got %lu exception messages; state %lu fault %lx "
               "addr %lx\n",
               b.ec[0].exc_count, st, fault, addr);
    }
    CHECK_EQ(b.ec[0].exc_count, 1);
    CHECK_EQ(b.ec[0].last.fault_addr, X + 8);
out:
    krt_child_destroy(&a);
    krt_child_destroy(&b);
    krt_cap_drop(blk_entered);
    krt_cap_drop(blk_go);
}
