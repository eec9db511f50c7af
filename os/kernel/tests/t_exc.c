/* SPDX-License-Identifier: MIT */
/* Kernel tests: exceptions delivered as IPC (page fault resolved by the
 * handler, give up and stop, state update, bad RIP), exit notification and
 * recall of ECs on this and another CPU. */
#include "ktest.h"

#define X     KRT_CHILD_FREE_VA
#define MAGIC 0x5a5a0000c0ffeeull

void test_exit_notify(void)
{
    static struct krt_child c;
    u64 args[] = {42};
    CHECK(ktest_helper(&c, H_EXIT, 0, args, 1) == KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(c.ec[0].exited);
    CHECK_EQ(c.ec[0].exit_code, 42);
    CHECK_EQ(c.ec[0].last.vector, 6);
    CHECK(WAIT_FOR(ktest_ec_state(c.ec[0].ec) == KIDE_EC_STATE_STOPPED, 1000));
out:
    krt_child_destroy(&c);
}

static u64 pf_map(struct krt_ec *ec, struct kide_exc_state *st)
{
    if (st->vector == KIDE_EXC_PF && st->fault_addr == X &&
        krt_child_map(ec->child, X, KIDE_MEM_R | KIDE_MEM_W))
        return 0; /* resume: the access is retried */
    return KIDE_MSG_EXC_STOP;
}

void test_pf_resume(void)
{
    static struct krt_child c;
    u64 args[] = {X, MAGIC};
    CHECK(ktest_helper_prepare(&c, H_TOUCH, ktest_other_cpu(), args, 2) == KIDE_OK);
    c.ec[0].policy = pf_map;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(c.ec[0].exited);
    CHECK_EQ(c.ec[0].exit_code, 7);
    CHECK_EQ(c.ec[0].exc_count, 2); /* the fault and the exit */
    CHECK_EQ(c.info->res[0], MAGIC);
    u64 *p = krt_child_ptr(&c, X);
    CHECK(p);
    CHECK_EQ(*(volatile u64 *)p, MAGIC);
out:
    krt_child_destroy(&c);
}

void test_exc_stop(void)
{
    static struct krt_child c;
    u64 args[] = {X + 0x18, MAGIC};
    u64 state = 0, fault = 0, addr = 0;
    CHECK(ktest_helper_prepare(&c, H_TOUCH, 0, args, 2) == KIDE_OK);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK); /* the PD's notify semaphore */
    CHECK(!c.ec[0].exited);
    CHECK_EQ(c.ec[0].exc_count, 1);
    CHECK_EQ(c.ec[0].last.vector, KIDE_EXC_PF);
    CHECK_EQ(c.ec[0].last.fault_addr, X + 0x18);
    CHECK_EQ(c.ec[0].last.error & 6, 6); /* user write */
    CHECK(c.ec[0].last.rip >= 0x4000000000ull && c.ec[0].last.rip < 0x4000100000ull);
    CHECK(KIDE_MSG_UNTYPED(c.ec[0].exc_msg) >= KIDE_EXC_WORDS);
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_QUERY, c.ec[0].ec, 0, 0, 0, &state, &fault, &addr),
              KIDE_OK);
    CHECK_EQ(state, KIDE_EC_STATE_STOPPED);
    CHECK_EQ(fault & 0xffffffff, KIDE_EXC_PF);
    CHECK_EQ(fault >> 32, c.ec[0].last.error);
    CHECK_EQ(addr, X + 0x18);
    /* it stays stopped */
    krt_sleep_ms(20);
    CHECK_EQ(c.ec[0].exc_count, 1);
    CHECK_EQ(c.info->res[0], 0);
out:
    krt_child_destroy(&c);
}

static u64 ud2_update(struct krt_ec *ec, struct kide_exc_state *st)
{
    (void)ec;
    if (st->vector != 6)
        return KIDE_MSG_EXC_STOP;
    st->rip += 2;
    st->rax = 1234;
    st->rbx = 5678;
    st->rflags |= 0x3000 | (1ull << 14); /* IOPL 3 and NT: must be sanitised away */
    return KIDE_MSG_EXC_UPDATE;
}

void test_exc_update(void)
{
    static struct krt_child c;
    CHECK(ktest_helper_prepare(&c, H_UD2, ktest_other_cpu(), NULL, 0) == KIDE_OK);
    c.ec[0].policy = ud2_update;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(c.ec[0].exited);
    CHECK_EQ(c.ec[0].exit_code, 9);
    CHECK_EQ(c.info->res[0], 1234);
    CHECK_EQ(c.info->res[1], 5678);
    CHECK_EQ((c.info->res[2] >> 12) & 3, 0); /* IOPL */
    CHECK(c.info->res[2] & 0x200);           /* IF */
out:
    krt_child_destroy(&c);
}

static volatile u64 bad_rip;
static u64 set_bad_rip(struct krt_ec *ec, struct kide_exc_state *st)
{
    if (ec->exc_count == 0 && st->vector == 6) {
        st->rip = bad_rip;
        return KIDE_MSG_EXC_UPDATE;
    }
    return KIDE_MSG_EXC_STOP;
}

void test_exc_bad_rip(void)
{
    static struct krt_child c;
    static const u64 rips[] = {0x0000800000000000ull, 0xffff800000001000ull, 0x8000000000000000ull,
                               0xfffffffffffff000ull};
    for (unsigned i = 0; i < BASE_ARRAY_SIZE(rips); i++) {
        bad_rip = rips[i];
        CHECK(ktest_helper_prepare(&c, H_UD2, 0, NULL, 0) == KIDE_OK);
        c.ec[0].policy = set_bad_rip;
        EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
        /* Rejected means: the EC never runs there. It may be stopped at once or
         * get another exception (which the policy answers with STOP). */
        EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
        CHECK(!c.ec[0].exited);
        if (c.ec[0].exc_count > 1) {
            if (c.ec[0].last.rip == bad_rip)
                printf("ktest: exc_bad_rip: the EC ran at %lx (vector %lu)\n", bad_rip,
                       c.ec[0].last.vector);
            CHECK(c.ec[0].last.rip != bad_rip);
        }
        CHECK(WAIT_FOR(ktest_ec_state(c.ec[0].ec) == KIDE_EC_STATE_STOPPED, 1000));
        EXPECT_ST(kide_null(), KIDE_OK);
        krt_child_destroy(&c);
    }
out:
    krt_child_destroy(&c);
}

/* ---- recall ---- */

static void spin_body(struct krt_ec *t)
{
    while (!BASE_READ_ONCE(t->arg[3]))
        t->result[0]++;
}

static u64 recall_resume(struct krt_ec *ec, struct kide_exc_state *st)
{
    (void)ec;
    return st->vector == KIDE_EXC_RECALL ? 0 : KIDE_MSG_EXC_STOP;
}

static void recall_on(unsigned cpu, unsigned prio)
{
    static struct krt_ec t;
    kide_sel sm = krt_sm_create(0), w = 0;
    memset(&t, 0, sizeof(t));
    CHECK(sm);
    t.policy = recall_resume;
    t.exc_sm = sm;
    EXPECT_ST(krt_thread_start(&t, cpu, prio, spin_body), KIDE_OK);
    CHECK(WAIT_FOR(t.result[0] > 1000, 2000));
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_RECALL, t.ec, 0, 0, 0, NULL, NULL, NULL), KIDE_OK);
        EXPECT_ST(krt_sm_wait(sm, 2000), KIDE_OK);
        CHECK_EQ(t.exc_count, i + 1);
        CHECK_EQ(t.last.vector, KIDE_EXC_RECALL);
        CHECK(t.last.rip >= 0x4000000000ull && t.last.rip < 0x4000100000ull);
        u64 n = t.result[0];
        CHECK(WAIT_FOR(t.result[0] > n + 1000, 2000)); /* it runs on */
    }
    CHECK_EQ(ktest_ec_state(t.ec), KIDE_EC_STATE_READY);
    /* errors */
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_RECALL, sm, 0, 0, 0, NULL, NULL, NULL), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_QUERY, 0, 0, 0, 0, NULL, NULL, NULL), KIDE_BAD_CAP);
    w = ktest_weak(t.ec, KIDE_PERM_ALL & ~KIDE_EC_CTRL);
    CHECK(w);
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_RECALL, w, 0, 0, 0, NULL, NULL, NULL), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_QUERY, w, 0, 0, 0, NULL, NULL, NULL), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_ec(4, t.ec, 0, 0, 0, NULL, NULL, NULL), KIDE_BAD_SYSCALL);
    BASE_WRITE_ONCE(t.arg[3], 1);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
out:
    krt_cap_drop(w);
    krt_thread_destroy(&t);
    krt_cap_drop(sm);
}

void test_recall(void)
{
    recall_on(0, PRIO_LOW);
}

void test_recall_remote(void)
{
    NEED_CPUS(2);
    recall_on(ktest_cpus() - 1, PRIO_HIGH);
}

static void down_body(struct krt_ec *t)
{
    t->result[0] = (u64)kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->arg[0], 0);
}

/* Recalling a blocked EC: the handler runs before it next runs user code. */
void test_recall_blocked(void)
{
    static struct krt_ec t;
    kide_sel sm = krt_sm_create(0), s = krt_sm_create(0);
    memset(&t, 0, sizeof(t));
    CHECK(sm && s);
    t.policy = recall_resume;
    t.exc_sm = sm;
    t.arg[0] = s;
    EXPECT_ST(krt_thread_start(&t, ktest_other_cpu(), PRIO_HIGH, down_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_RECALL, t.ec, 0, 0, 0, NULL, NULL, NULL), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(sm, 2000), KIDE_OK);
    CHECK_EQ(t.last.vector, KIDE_EXC_RECALL);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    printf("ktest: recall_blocked: the down returned %s\n", base_status_name((int)t.result[0]));
out:
    krt_thread_destroy(&t);
    krt_cap_drop(sm);
    krt_cap_drop(s);
}
