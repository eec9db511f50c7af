/* SPDX-License-Identifier: MIT */
/* Kernel tests: scheduling contexts (time accounting, changes in place, also
 * on another CPU), budget enforcement, priorities and round robin.
 * Timing checks have wide tolerances: QEMU's TCG makes time lumpy. */
#include "ktest.h"

#define MS BASE_MS

static void spin_body(struct krt_ec *t)
{
    while (!BASE_READ_ONCE(t->arg[3]))
        t->result[0]++;
}

static void stop(struct krt_ec *t)
{
    if (t->ec) {
        BASE_WRITE_ONCE(t->arg[3], 1);
        krt_sm_wait(t->done_sm, 1000);
    }
    krt_thread_destroy(t);
}

static u64 sc_time(kide_sel sc)
{
    u64 t = 0;
    kide_ctrl_sc(KIDE_CTRL_SC_TIME, sc, 0, 0, 0, &t, NULL, NULL);
    return t;
}

void test_sc_time(void)
{
    static struct krt_ec t;
    u64 t1 = 0, t2 = 0, budget = 0, period = 0;
    memset(&t, 0, sizeof(t));
    EXPECT_ST(krt_thread_start(&t, ktest_other_cpu(), PRIO_LOW, spin_body), KIDE_OK);
    CHECK(WAIT_FOR(t.result[0] > 0, 2000));
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, t.sc, 0, 0, 0, &t1, &budget, &period), KIDE_OK);
    CHECK_EQ(budget, 10 * MS);
    CHECK_EQ(period, 10 * MS);
    krt_sleep_ms(50);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, t.sc, 0, 0, 0, &t2, NULL, NULL), KIDE_OK);
    CHECK(t2 > t1);
    CHECK(t2 - t1 >= 5 * MS);
    CHECK(t2 - t1 <= 200 * MS);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, t.sc, PRIO_LOW + 1, 5 * MS, 20 * MS, NULL, NULL, NULL),
              KIDE_OK);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, t.sc, 0, 0, 0, &t1, &budget, &period), KIDE_OK);
    CHECK_EQ(budget, 5 * MS);
    CHECK_EQ(period, 20 * MS);
    CHECK(t1 >= t2);
    /* the root's own SC accrues time too */
    t1 = sc_time(KIDE_ROOT_SEL_SC);
    for (volatile unsigned i = 0; i < 1000000; i++)
        ;
    CHECK(sc_time(KIDE_ROOT_SEL_SC) > t1);
out:
    stop(&t);
}

void test_ctrl_sc_errors(void)
{
    static struct krt_ec t;
    kide_sel s = krt_sm_create(0), wt = 0, wc = 0;
    memset(&t, 0, sizeof(t));
    CHECK(s);
    EXPECT_ST(krt_thread_start(&t, 0, PRIO_LOW, spin_body), KIDE_OK);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, t.sc, 128, MS, MS, 0, 0, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, t.sc, 1, 99999, MS, 0, 0, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, t.sc, 1, MS, 99999, 0, 0, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, t.sc, 1, 2 * MS, MS, 0, 0, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, t.sc, 1, MS, 10000 * MS + 1, 0, 0, 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_ctrl_sc(7, t.sc, 0, 0, 0, 0, 0, 0), KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, s, 0, 0, 0, 0, 0, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, t.ec, 0, 0, 0, 0, 0, 0), KIDE_BAD_CAP);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, 0, 1, MS, MS, 0, 0, 0), KIDE_BAD_CAP);
    wt = ktest_weak(t.sc, KIDE_SC_TIME);
    wc = ktest_weak(t.sc, KIDE_SC_CTRL);
    CHECK(wt && wc);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, wt, 1, MS, MS, 0, 0, 0), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, wc, 0, 0, 0, 0, 0, 0), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, wt, 0, 0, 0, 0, 0, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, wc, 1, MS, MS, 0, 0, 0), KIDE_OK);
out:
    krt_cap_drop(wt);
    krt_cap_drop(wc);
    krt_cap_drop(s);
    stop(&t);
}

/* Raising an SC's priority from CPU 0 while it runs on another CPU. */
void test_sc_set_remote(void)
{
    NEED_CPUS(2);
    static struct krt_ec t, c;
    unsigned cpu = ktest_cpus() - 1;
    memset(&t, 0, sizeof(t));
    memset(&c, 0, sizeof(c));
    EXPECT_ST(krt_thread_start(&t, cpu, PRIO_LOW, spin_body), KIDE_OK);
    EXPECT_ST(krt_thread_start(&c, cpu, PRIO_LOW + 5, spin_body), KIDE_OK);
    krt_sleep_ms(20);
    u64 t0 = sc_time(t.sc), c0 = sc_time(c.sc);
    krt_sleep_ms(100);
    u64 t1 = sc_time(t.sc), c1 = sc_time(c.sc);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_SET, t.sc, PRIO_LOW + 10, 10 * MS, 10 * MS, 0, 0, 0),
              KIDE_OK);
    krt_sleep_ms(20);
    u64 t2 = sc_time(t.sc), c2 = sc_time(c.sc);
    krt_sleep_ms(100);
    u64 t3 = sc_time(t.sc), c3 = sc_time(c.sc);
    printf("ktest: sc_set_remote: before: low %lu us, high %lu us; after: %lu us, %lu us\n",
           (t1 - t0) / 1000, (c1 - c0) / 1000, (t3 - t2) / 1000, (c3 - c2) / 1000);
    CHECK(t1 - t0 < (c1 - c0) / 4);
    CHECK(c3 - c2 < (t3 - t2) / 4);
out:
    stop(&t);
    stop(&c);
}

/* Fraction (percent) of wall-clock time an SC gets over `ms`. */
static u64 share(kide_sel sc, u64 ms)
{
    u64 c0 = sc_time(sc), w0 = base_now();
    krt_sleep_ms(ms);
    u64 c1 = sc_time(sc), w1 = base_now();
    return (c1 - c0) * 100 / (w1 - w0 ? w1 - w0 : 1);
}

/* A hard SC with 2 ms per 10 ms gets about 20 % of its CPU; a soft one with
 * the same budget gets the idle rest in the background band. */
void test_sc_budget(void)
{
    static struct krt_ec t;
    memset(&t, 0, sizeof(t));
    unsigned cpu = ktest_other_cpu();
    EXPECT_ST(krt_thread_start_sc(&t, cpu, PRIO_LOW, KIDE_SC_HARD, 2 * MS, 10 * MS, spin_body),
              KIDE_OK);
    krt_sleep_ms(50);
    u64 hard = share(t.sc, 1000);
    stop(&t);
    memset(&t, 0, sizeof(t));
    EXPECT_ST(krt_thread_start_sc(&t, cpu, PRIO_LOW, 0, 2 * MS, 10 * MS, spin_body), KIDE_OK);
    krt_sleep_ms(50);
    u64 soft = share(t.sc, 500);
    printf("ktest: sc_budget: hard 2/10 ms got %lu%%, soft 2/10 ms on an idle cpu got %lu%%\n",
           hard, soft);
    CHECK(hard >= 10 && hard <= 45); /* 20 % nominal; TCG and tick granularity blur it */
    CHECK(soft >= 50);
out:
    stop(&t);
}

static struct krt_ec low;

static void high_body(struct krt_ec *t)
{
    u64 t0 = base_now();
    u64 l0 = BASE_READ_ONCE(low.result[0]);
    while (base_now() - t0 < 30 * MS)
        ;
    t->result[0] = BASE_READ_ONCE(low.result[0]) - l0;
    t->result[1] = t0;
}

/* A higher priority preempts a spinning lower one at once and shuts it out. */
void test_priority(void)
{
    static struct krt_ec h;
    unsigned cpu = ktest_other_cpu();
    memset(&low, 0, sizeof(low));
    memset(&h, 0, sizeof(h));
    EXPECT_ST(krt_thread_start(&low, cpu, PRIO_LOW, spin_body), KIDE_OK);
    CHECK(WAIT_FOR(low.result[0] > 1000, 2000));
    u64 tc = base_now();
    EXPECT_ST(krt_thread_start(&h, cpu, PRIO_HIGH, high_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(h.done_sm, 2000), KIDE_OK);
    CHECK_EQ(h.result[0], 0);
    CHECK(h.result[1] - tc < 500 * MS);
    u64 n = low.result[0];
    CHECK(WAIT_FOR(low.result[0] > n, 2000)); /* and the low one runs again */
out:
    stop(&h);
    stop(&low);
}

/* Two spinners of equal priority share their CPU. */
void test_round_robin(void)
{
    static struct krt_ec a, b;
    unsigned cpu = ktest_other_cpu();
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    EXPECT_ST(krt_thread_start(&a, cpu, PRIO_LOW, spin_body), KIDE_OK);
    EXPECT_ST(krt_thread_start(&b, cpu, PRIO_LOW, spin_body), KIDE_OK);
    u64 a0 = sc_time(a.sc), b0 = sc_time(b.sc);
    krt_sleep_ms(300);
    u64 da = sc_time(a.sc) - a0, db = sc_time(b.sc) - b0;
    printf("ktest: round_robin: %lu us and %lu us in 300 ms\n", da / 1000, db / 1000);
    CHECK(da >= 20 * MS && db >= 20 * MS);
    CHECK(a.result[0] > 0 && b.result[0] > 0);
out:
    stop(&a);
    stop(&b);
}

static void ticker_body(struct krt_ec *t)
{
    /* wake up every millisecond for arg[1] ms: preempts whatever runs */
    u64 end = base_now() + t->arg[1] * MS;
    while (base_now() < end)
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t->arg[0], base_now() + MS);
}

/* Round robin must rotate even when a higher priority keeps preempting: a
 * preempted EC keeps what is left of its quantum, it does not get a new one. */
void test_round_robin_preempted(void)
{
    static struct krt_ec a, b, tick;
    unsigned cpu = ktest_other_cpu();
    kide_sel s = krt_sm_create(0);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&tick, 0, sizeof(tick));
    CHECK(s);
    EXPECT_ST(krt_thread_start(&a, cpu, PRIO_LOW, spin_body), KIDE_OK);
    EXPECT_ST(krt_thread_start(&b, cpu, PRIO_LOW, spin_body), KIDE_OK);
    tick.arg[0] = s;
    tick.arg[1] = 400;
    EXPECT_ST(krt_thread_start(&tick, cpu, PRIO_HIGH, ticker_body), KIDE_OK);
    krt_sleep_ms(50);
    u64 a0 = sc_time(a.sc), b0 = sc_time(b.sc);
    EXPECT_ST(krt_sm_wait(tick.done_sm, 5000), KIDE_OK);
    u64 da = sc_time(a.sc) - a0, db = sc_time(b.sc) - b0;
    printf("ktest: round_robin_preempted: %lu us and %lu us while a 1 ms ticker ran\n", da / 1000,
           db / 1000);
    CHECK(da >= 20 * MS && db >= 20 * MS);
out:
    stop(&tick);
    stop(&a);
    stop(&b);
    krt_cap_drop(s);
}

/* Budget debt (sched.c): a system call is not preemptible, so one that runs
 * longer than the SC's budget overruns it however punctual the timer is.
 * Each call here maps 2^order pages of the root's RAM at a second address
 * (and unmaps them), several ms under TCG. Without debt the SC would get
 * one such stretch in every period, many times its budget; with it, it
 * pays each overrun off before it runs again and stays near budget/period.
 * arg[0]: source page, arg[1]: order, arg[2]: destination page. */
static void stretch_body(struct krt_ec *t)
{
    u64 min = ~0ul;
    while (!BASE_READ_ONCE(t->arg[3])) {
        u64 t0 = base_now();
        int st = kide_delegate(KIDE_ROOT_SEL_PD,
                               KIDE_CRD(KIDE_CRD_MEM, t->arg[0], t->arg[1], KIDE_MEM_R), t->arg[2]);
        u64 t1 = base_now();
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_MEM, t->arg[2], t->arg[1], 0));
        if (st != KIDE_OK)
            t->result[2] = (u64)st + 1;
        if (t1 - t0 < min)
            t->result[1] = min = t1 - t0;
        t->result[0]++;
    }
}

/* The largest naturally aligned block of the root's RAM, up to 2^15 pages. */
static unsigned big_block(u64 *page)
{
    const struct kide_boot_info *bi = (const struct kide_boot_info *)KIDE_ROOT_BOOTINFO;
    for (unsigned order = 15; order >= 10; order--)
        for (u64 i = 0; i < bi->mem_count && i < KIDE_BOOT_MAX_MEM; i++) {
            u64 n = 1ul << order, p = BASE_ALIGN_UP(bi->mem[i].phys >> 12, n);
            if ((p + n) << 12 <= bi->mem[i].phys + bi->mem[i].size) {
                *page = p;
                return order;
            }
        }
    return 0;
}

void test_sc_debt(void)
{
    static struct krt_ec t;
    memset(&t, 0, sizeof(t));
    u64 src = 0;
    unsigned order = big_block(&src);
    CHECK(order);
    t.arg[0] = src;
    t.arg[1] = order;
    t.arg[2] = (0x200000000000ul >> 12) & ~((1ul << order) - 1);
    /* hard, 1 %: a depleted SC gets nothing until its period renews it */
    EXPECT_ST(krt_thread_start_sc(&t, ktest_other_cpu(), PRIO_LOW, KIDE_SC_HARD, MS / 10, 10 * MS,
                                  stretch_body),
              KIDE_OK);
    CHECK(WAIT_FOR(t.result[0] >= 2, 5000));
    u64 got = share(t.sc, 1000), calls = t.result[0];
    u64 stretch = t.result[1];
    CHECK(WAIT_FOR(t.result[0] > calls, 2000)); /* slowed down, not starved */
    printf("ktest: sc_debt: hard 0.1/10 ms, calls of %lu us (2^%u pages) got %lu%%\n",
           stretch / 1000, order, got);
    CHECK_EQ(t.result[2], 0);
    /* Each stretch costs its SC at least its length, so the share stays near
     * 1 %. Without debt it would be about stretch / period: the check means
     * something because a stretch is at least 5 budgets. */
    CHECK(stretch >= MS / 2);
    CHECK(got <= 4);
out:
    stop(&t);
}
