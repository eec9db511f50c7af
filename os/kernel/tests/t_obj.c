/* SPDX-License-Identifier: MIT */
/* Kernel tests: creating objects (every status of create_*), semaphores and
 * kernel-memory quota operations. */
#include "ktest.h"

#define ROOT KIDE_ROOT_SEL_PD

static void sm_down_body(struct krt_ec *t)
{
    t->result[0] = (u64)kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->arg[0], t->arg[1]);
}

static void sm_pingpong_body(struct krt_ec *t)
{
    u64 ok = 0;
    for (u64 i = 0; i < t->arg[2]; i++) {
        if (kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->arg[0], base_now() + 2000 * BASE_MS) != KIDE_OK)
            break;
        if (kide_ctrl_sm(KIDE_CTRL_SM_UP, t->arg[1], 0) != KIDE_OK)
            break;
        ok++;
    }
    t->result[0] = ok;
    /* a timeout on this CPU, measured here */
    u64 t0 = base_now();
    t->result[1] = (u64)kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->arg[0], t0 + 20 * BASE_MS);
    t->result[2] = base_now() - t0;
}

void test_create_sm(void)
{
    kide_sel s = krt_sel_alloc(0), s2 = krt_sel_alloc(0), w = 0, pd = 0, many = 0;
    EXPECT_ST(kide_create_sm(s, ROOT, 0), KIDE_OK);
    EXPECT_ST(kide_create_sm(s, ROOT, 0), KIDE_BUSY);
    EXPECT_ST(kide_create_sm(0, ROOT, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_sm(KIDE_CAP_SLOTS, ROOT, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_sm(~0ull, ROOT, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_sm(s2, s, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_sm(s2, KIDE_ROOT_SEL_FREE - 1, 0), KIDE_BAD_CAP);
    w = ktest_weak(ROOT, KIDE_PERM_ALL & ~KIDE_PD_CREATE);
    CHECK(w);
    EXPECT_ST(kide_create_sm(s2, w, 0), KIDE_BAD_PERM);
    EXPECT_ST(kide_create_sm(s2, ROOT, 1ull << 32), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_sm(s2, ROOT, 0xffffffffull), KIDE_OK);
    /* QUOTA: a PD with the smallest quota pays for semaphores until it cannot */
    pd = ktest_pd(8);
    CHECK(pd);
    many = krt_sel_alloc(10);
    CHECK(many);
    int st = KIDE_OK;
    unsigned n = 0;
    for (; n < 1024 && (st = kide_create_sm(many + n, pd, 0)) == KIDE_OK; n++)
        ;
    EXPECT_ST(st, KIDE_QUOTA);
    printf("ktest: create_sm: a PD with 8 pages paid for %u semaphores\n", n);
out:
    if (many) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, many, 10, 0));
        krt_sel_free(many, 10);
    }
    krt_cap_drop(pd);
    krt_cap_drop(w);
    krt_cap_drop(s);
    krt_cap_drop(s2);
}

void test_ctrl_sm(void)
{
    kide_sel s = krt_sm_create(0), s2 = krt_sm_create(2), full = krt_sm_create(0xffffffffull);
    kide_sel up = 0, down = 0;
    CHECK(s && s2 && full);
    /* deadline */
    u64 t0 = base_now();
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s, t0 + 20 * BASE_MS), KIDE_TIMEOUT);
    u64 dt = base_now() - t0;
    CHECK(dt >= 19 * BASE_MS);
    CHECK(dt < 2000 * BASE_MS);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s, 1), KIDE_TIMEOUT); /* already past */
    /* counting */
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s, base_now() + 1000 * BASE_MS), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s2, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s2, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s2, base_now() + 5 * BASE_MS), KIDE_TIMEOUT);
    /* DOWN_ZERO takes every pending count */
    for (unsigned i = 0; i < 3; i++)
        EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN_ZERO, s, base_now() + 1000 * BASE_MS), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s, base_now() + 5 * BASE_MS), KIDE_TIMEOUT);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN_ZERO, s, base_now() + 5 * BASE_MS), KIDE_TIMEOUT);
    /* OVERFLOW at 2^32 - 1 */
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, full, 0), KIDE_OVERFLOW);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, full, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, full, 0), KIDE_OK);
    /* errors */
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, ROOT, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, KIDE_ROOT_SEL_FREE - 1, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, 0, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_sm(3, s, 0), KIDE_BAD_SYSCALL);
    up = ktest_weak(s, KIDE_SM_UP);
    down = ktest_weak(s, KIDE_SM_DOWN);
    CHECK(up && down);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, up, 1), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN_ZERO, up, 1), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, down, 0), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, up, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, down, base_now() + 1000 * BASE_MS), KIDE_OK);
out:
    krt_cap_drop(up);
    krt_cap_drop(down);
    krt_cap_drop(s);
    krt_cap_drop(s2);
    krt_cap_drop(full);
}

/* A waiter on the same CPU, woken by an up. */
void test_sm_block_wake(void)
{
    static struct krt_ec t;
    kide_sel s = krt_sm_create(0);
    CHECK(s);
    t.arg[0] = s;
    t.arg[1] = 0;
    EXPECT_ST(krt_thread_start(&t, 0, PRIO_HIGH, sm_down_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    CHECK(!t.done);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], KIDE_OK);
out:
    krt_thread_destroy(&t);
    krt_cap_drop(s);
}

/* Destroying a semaphore aborts its waiters. */
void test_sm_aborted(void)
{
    static struct krt_ec t;
    kide_sel s = krt_sm_create(0);
    CHECK(s);
    t.arg[0] = s;
    t.arg[1] = 0;
    EXPECT_ST(krt_thread_start(&t, ktest_other_cpu(), PRIO_HIGH, sm_down_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    krt_cap_drop(s);
    s = 0;
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], KIDE_ABORTED);
out:
    krt_thread_destroy(&t);
    krt_cap_drop(s);
}

/* An EC blocked on CPU 1 is woken by an up on CPU 0; then a ping-pong. */
void test_sm_cross_cpu(void)
{
    NEED_CPUS(2);
    static struct krt_ec t, p;
    kide_sel a = krt_sm_create(0), b = krt_sm_create(0);
    CHECK(a && b);
    t.arg[0] = a;
    t.arg[1] = 0;
    EXPECT_ST(krt_thread_start(&t, 1, PRIO_HIGH, sm_down_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, a, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], KIDE_OK);
    /* ping-pong with the last CPU */
    p.arg[0] = a;
    p.arg[1] = b;
    p.arg[2] = 200;
    EXPECT_ST(krt_thread_start(&p, ktest_cpus() - 1, PRIO_HIGH, sm_pingpong_body), KIDE_OK);
    for (unsigned i = 0; i < 200; i++) {
        EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, a, 0), KIDE_OK);
        EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, b, base_now() + 2000 * BASE_MS), KIDE_OK);
    }
    EXPECT_ST(krt_sm_wait(p.done_sm, 2000), KIDE_OK);
    CHECK_EQ(p.result[0], 200);
    CHECK_EQ(p.result[1], KIDE_TIMEOUT);
    CHECK(p.result[2] >= 19 * BASE_MS);
out:
    krt_thread_destroy(&t);
    krt_thread_destroy(&p);
    krt_cap_drop(a);
    krt_cap_drop(b);
}

void test_create_pd(void)
{
    kide_sel pd = krt_sel_alloc(0), pd2 = krt_sel_alloc(0), s = krt_sm_create(0);
    kide_sel w = 0, wsm = 0;
    u64 limit = 0, used = 0;
    u64 free0 = ktest_root_free();
    CHECK(s);
    EXPECT_ST(kide_create_pd(pd, ROOT, 16, s), KIDE_OK);
    CHECK_EQ(ktest_root_free(), free0 - 16);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used), KIDE_OK);
    CHECK_EQ(limit, 16);
    CHECK(used > 0 && used <= limit);
    EXPECT_ST(kide_create_pd(pd, ROOT, 16, 0), KIDE_BUSY);
    EXPECT_ST(kide_create_pd(0, ROOT, 16, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pd(KIDE_CAP_SLOTS, ROOT, 16, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pd(pd2, s, 16, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pd(pd2, ROOT, 16, pd), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pd(pd2, ROOT, 16, KIDE_ROOT_SEL_FREE - 1), KIDE_BAD_CAP);
    w = ktest_weak(ROOT, KIDE_PERM_ALL & ~KIDE_PD_CREATE);
    wsm = ktest_weak(s, KIDE_SM_DOWN);
    CHECK(w && wsm);
    EXPECT_ST(kide_create_pd(pd2, w, 16, 0), KIDE_BAD_PERM);
    EXPECT_ST(kide_create_pd(pd2, ROOT, 16, wsm), KIDE_BAD_PERM);
    EXPECT_ST(kide_create_pd(pd2, ROOT, 7, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_pd(pd2, ROOT, 0, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_pd(pd2, ROOT, ktest_root_free() + 1, 0), KIDE_QUOTA);
    EXPECT_ST(kide_create_pd(pd2, ROOT, ~0ull, 0), KIDE_QUOTA);
    /* a child PD funds a grandchild */
    EXPECT_ST(kide_create_pd(pd2, pd, 8, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used), KIDE_OK);
    printf("ktest: create_pd: child limit %lu used %lu after funding a grandchild\n", limit, used);
    CHECK(limit - used <= 16 - 8);
    krt_cap_drop(pd2);
    pd2 = 0;
    krt_cap_drop(pd);
    pd = 0;
    CHECK(WAIT_FOR(ktest_root_free() == free0, 1000));
out:
    krt_cap_drop(pd2);
    krt_cap_drop(pd);
    krt_cap_drop(w);
    krt_cap_drop(wsm);
    krt_cap_drop(s);
}

void test_ctrl_pd(void)
{
    kide_sel pd = ktest_pd(16), s = krt_sm_create(0), w = 0;
    u64 limit = 0, used = 0, rl = 0, ru = 0;
    CHECK(pd && s);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, ROOT, 0, 0, &rl, &ru), KIDE_OK);
    CHECK(rl > 0 && ru <= rl);
    u64 rfree = rl - ru;
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, ROOT, 4, pd, NULL, NULL), KIDE_OK);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used), KIDE_OK);
    CHECK_EQ(limit, 20);
    CHECK_EQ(ktest_root_free(), rfree - 4);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, pd, 4, ROOT, NULL, NULL), KIDE_OK);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used), KIDE_OK);
    CHECK_EQ(limit, 16);
    CHECK_EQ(ktest_root_free(), rfree);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, pd, limit - used + 1, ROOT, NULL, NULL), KIDE_QUOTA);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, ROOT, rfree + 1, pd, NULL, NULL), KIDE_QUOTA);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, ROOT, ~0ull, pd, NULL, NULL), KIDE_QUOTA);
    EXPECT_ST(kide_ctrl_pd(5, ROOT, 0, 0, NULL, NULL), KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, s, 0, 0, NULL, NULL), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, 0, 0, 0, NULL, NULL), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, ROOT, 1, s, NULL, NULL), KIDE_BAD_CAP);
    w = ktest_weak(pd, KIDE_PERM_ALL & ~KIDE_PD_CTRL);
    CHECK(w);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, w, 0, 0, NULL, NULL), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, ROOT, 1, w, NULL, NULL), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, w, 1, ROOT, NULL, NULL), KIDE_BAD_PERM);
    CHECK_EQ(ktest_root_free(), rfree);
out:
    krt_cap_drop(w);
    krt_cap_drop(pd);
    krt_cap_drop(s);
}

void test_create_ec(void)
{
    kide_sel ec = krt_sel_alloc(0), e2 = krt_sel_alloc(0), s = krt_sm_create(0), w = 0, pd = 0;
    kide_sel many = 0;
    u64 u = krt_utcb_alloc(), u2 = krt_utcb_alloc();
    CHECK(s);
    EXPECT_ST(kide_create_ec(0, 0, ec, ROOT, u, 0x1000, 0, 0), KIDE_OK);
    EXPECT_ST(kide_create_ec(0, 0, ec, ROOT, u2, 0x1000, 0, 0), KIDE_BUSY);
    EXPECT_ST(kide_create_ec(0, 0, 0, ROOT, u2, 0x1000, 0, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_ec(0, 0, KIDE_CAP_SLOTS, ROOT, u2, 0x1000, 0, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_ec(0, 0, e2, s, u2, 0x1000, 0, 0), KIDE_BAD_CAP);
    w = ktest_weak(ROOT, KIDE_PERM_ALL & ~KIDE_PD_CREATE);
    CHECK(w);
    EXPECT_ST(kide_create_ec(0, 0, e2, w, u2, 0x1000, 0, 0), KIDE_BAD_PERM);
    EXPECT_ST(kide_create_ec(0, ktest_cpus(), e2, ROOT, u2, 0x1000, 0, 0), KIDE_BAD_CPU);
    EXPECT_ST(kide_create_ec(0, 0xffff, e2, ROOT, u2, 0x1000, 0, 0), KIDE_BAD_CPU);
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, u2 + 8, 0x1000, 0, 0), KIDE_BAD_ADDR);
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, KIDE_USER_END, 0x1000, 0, 0), KIDE_BAD_ADDR);
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, 0xffff800000000000ull, 0x1000, 0, 0), KIDE_BAD_ADDR);
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, u, 0x1000, 0, 0), KIDE_BAD_ADDR); /* another UTCB */
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, KIDE_ROOT_UTCB, 0x1000, 0, 0), KIDE_BAD_ADDR);
    u64 ram = krt_page_alloc();
    CHECK(ram);
    int st = kide_create_ec(0, 0, e2, ROOT, ram, 0x1000, 0, 0); /* over mapped RAM */
    krt_page_free(ram);
    EXPECT_ST(st, KIDE_BAD_ADDR);
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, (u64)test_create_ec & ~0xfffull, 0x1000, 0, 0),
              KIDE_BAD_ADDR);
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, u2, 0x1000, 0, KIDE_CAP_SLOTS - 10), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_ec(0, 0, e2, ROOT, u2, 0x1000, 0, ~0ull - 8), KIDE_BAD_PARAM);
    /* the last CPU works */
    EXPECT_ST(kide_create_ec(0, ktest_cpus() - 1, e2, ROOT, u2, 0x1000, 0, 0), KIDE_OK);
    /* QUOTA: ECs (with their UTCB pages) charged to a small PD */
    pd = ktest_pd(8);
    many = krt_sel_alloc(6);
    CHECK(pd && many);
    unsigned n = 0;
    st = KIDE_OK;
    for (; n < 64 && st == KIDE_OK; n++)
        st = kide_create_ec(0, 0, many + n, pd, KRT_CHILD_UTCBS + n * 4096ull, 0x1000, 0, 0);
    EXPECT_ST(st, KIDE_QUOTA);
    printf("ktest: create_ec: a PD with 8 pages paid for %u ECs\n", n - 1);
out:
    if (many) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, many, 6, 0));
        krt_sel_free(many, 6);
    }
    krt_cap_drop(pd);
    krt_cap_drop(w);
    krt_cap_drop(ec);
    krt_cap_drop(e2);
    krt_cap_drop(s);
}

/* Create a global EC in the root that blocks forever once it runs. */
static kide_sel blocker_ec(unsigned cpu)
{
    kide_sel ec = krt_sel_alloc(0);
    if (ec && kide_create_ec(KIDE_EC_GLOBAL, cpu, ec, ROOT, krt_utcb_alloc(), 0,
                             (u64)ktest_block_entry, 0) != KIDE_OK) {
        krt_sel_free(ec, 0);
        return 0;
    }
    return ec;
}

void test_create_sc(void)
{
    kide_sel ec = blocker_ec(0), ec2 = blocker_ec(0), local = krt_sel_alloc(0);
    kide_sel sc = krt_sel_alloc(0), sc2 = krt_sel_alloc(0), w = 0, wec = 0, pd = 0, s = 0;
    kide_sel ecs = 0, scs = 0;
    const u64 ms = BASE_MS;
    CHECK(ec && ec2);
    s = krt_sm_create(0);
    EXPECT_ST(kide_create_ec(0, 0, local, ROOT, krt_utcb_alloc(), 0x1000, 0, 0), KIDE_OK);
    EXPECT_ST(kide_create_sc(0, 128, sc, ROOT, ec, ms, ms), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, ec, 99999, ms), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, ec, ms, 99999), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, ec, 2 * ms, ms), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, ec, ms, 10000 * ms + 1), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, ec, 0, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_create_sc(0, 1, 0, ROOT, ec, ms, ms), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_sc(0, 1, sc, s, ec, ms, ms), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, local, ms, ms), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, ROOT, ms, ms), KIDE_BAD_CAP);
    w = ktest_weak(ROOT, KIDE_PERM_ALL & ~KIDE_PD_CREATE);
    wec = ktest_weak(ec, KIDE_PERM_ALL & ~KIDE_EC_BIND_SC);
    CHECK(w && wec);
    EXPECT_ST(kide_create_sc(0, 1, sc, w, ec, ms, ms), KIDE_BAD_PERM);
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, wec, ms, ms), KIDE_BAD_PERM);
    /* the limits themselves are fine */
    EXPECT_ST(kide_create_sc(KIDE_SC_HARD, KIDE_PRIO_MAX, sc, ROOT, ec, KIDE_SC_MIN_NS,
                             KIDE_SC_MIN_NS),
              KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(ec) == KIDE_EC_STATE_BLOCKED, 2000));
    EXPECT_ST(kide_create_sc(0, 1, sc, ROOT, ec2, ms, ms), KIDE_BUSY); /* slot taken */
    EXPECT_ST(kide_create_sc(0, 1, sc2, ROOT, ec, ms, ms), KIDE_BUSY); /* EC has one */
    EXPECT_ST(kide_create_sc(0, 0, sc2, ROOT, ec2, 10 * ms, 10000 * ms), KIDE_OK);
    /* QUOTA: SCs charged to a small PD */
    pd = ktest_pd(8);
    ecs = krt_sel_alloc(6);
    scs = krt_sel_alloc(6);
    CHECK(pd && ecs && scs);
    int st = KIDE_OK;
    unsigned n = 0;
    for (; n < 64 && st == KIDE_OK; n++) {
        EXPECT_ST(kide_create_ec(KIDE_EC_GLOBAL, 0, ecs + n, ROOT, krt_utcb_alloc(), 0,
                                 (u64)ktest_block_entry, 0),
                  KIDE_OK);
        st = kide_create_sc(0, 1, scs + n, pd, ecs + n, ms, 10 * ms);
    }
    EXPECT_ST(st, KIDE_QUOTA);
    printf("ktest: create_sc: a PD with 8 pages paid for %u SCs\n", n - 1);
out:
    if (scs) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, scs, 6, 0));
        krt_sel_free(scs, 6);
    }
    if (ecs) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, ecs, 6, 0));
        krt_sel_free(ecs, 6);
    }
    krt_cap_drop(pd);
    krt_cap_drop(wec);
    krt_cap_drop(w);
    krt_cap_drop(sc);
    krt_cap_drop(sc2);
    krt_cap_drop(ec);
    krt_cap_drop(ec2);
    krt_cap_drop(local);
    krt_cap_drop(s);
}

void test_create_pt(void)
{
    static struct krt_ec h;
    kide_sel pt = krt_sel_alloc(0), pt2 = krt_sel_alloc(0), g = blocker_ec(0), s = krt_sm_create(0);
    kide_sel w = 0, wh = 0, pd = 0, many = 0;
    memset(&h, 0, sizeof(h));
    CHECK(g && s);
    EXPECT_ST(krt_local_ec(&h, 0), KIDE_OK);
    EXPECT_ST(kide_create_pt(pt, ROOT, h.ec, 0x4000001000ull, 1), KIDE_OK);
    EXPECT_ST(kide_create_pt(pt, ROOT, h.ec, 0x4000001000ull, 1), KIDE_BUSY);
    EXPECT_ST(kide_create_pt(0, ROOT, h.ec, 0x4000001000ull, 1), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pt(pt2, s, h.ec, 0x4000001000ull, 1), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pt(pt2, ROOT, g, 0x4000001000ull, 1), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pt(pt2, ROOT, s, 0x4000001000ull, 1), KIDE_BAD_CAP);
    EXPECT_ST(kide_create_pt(pt2, ROOT, KIDE_ROOT_SEL_FREE - 1, 0x4000001000ull, 1), KIDE_BAD_CAP);
    w = ktest_weak(ROOT, KIDE_PERM_ALL & ~KIDE_PD_CREATE);
    wh = ktest_weak(h.ec, KIDE_PERM_ALL & ~KIDE_EC_BIND_PT);
    CHECK(w && wh);
    EXPECT_ST(kide_create_pt(pt2, w, h.ec, 0x4000001000ull, 1), KIDE_BAD_PERM);
    EXPECT_ST(kide_create_pt(pt2, ROOT, wh, 0x4000001000ull, 1), KIDE_BAD_PERM);
    EXPECT_ST(kide_create_pt(pt2, ROOT, h.ec, KIDE_USER_END, 1), KIDE_BAD_ADDR);
    EXPECT_ST(kide_create_pt(pt2, ROOT, h.ec, 0xffffffff80000000ull, 1), KIDE_BAD_ADDR);
    pd = ktest_pd(8);
    many = krt_sel_alloc(10);
    CHECK(pd && many);
    int st = KIDE_OK;
    unsigned n = 0;
    for (; n < 1024 && st == KIDE_OK; n++)
        st = kide_create_pt(many + n, pd, h.ec, 0x4000001000ull, n);
    EXPECT_ST(st, KIDE_QUOTA);
    printf("ktest: create_pt: a PD with 8 pages paid for %u portals\n", n - 1);
out:
    if (many) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, many, 10, 0));
        krt_sel_free(many, 10);
    }
    krt_cap_drop(pd);
    krt_cap_drop(w);
    krt_cap_drop(wh);
    krt_cap_drop(pt);
    krt_cap_drop(pt2);
    krt_thread_destroy(&h);
    krt_cap_drop(g);
    krt_cap_drop(s);
}
