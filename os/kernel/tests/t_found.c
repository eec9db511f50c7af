/* SPDX-License-Identifier: MIT */
/* Kernel test suite: regressions for what the structured fuzz rounds found
 * (fuzz_struct.c).
 *
 * Each test states the round and the symptom that led to it. They are not
 * yet in KTEST_LIST (ktest.h) and KT_ROOT_OBJS (build.mk): the integrator
 * adds them with the kernel fixes.
 */
#include "ktest.h"

#define FOUND_UTCBS 0x0000560000000000ull
#define FOUND_N     1024

static void found_spin_body(struct krt_ec *t)
{
    while (!KRT_READ_ONCE(t->arg[3]))
        kide_null();
}

/* Create FOUND_N handler ECs in pd (charged to it) at selectors base.., free
 * them with one revoke and return the revoke's duration in microseconds, or
 * ~0 if they could not be made. */
static u64 free_many(kide_sel pd, kide_sel base, u64 utcbs)
{
    for (unsigned i = 0; i < FOUND_N; i++)
        if (kide_create_ec(0, 0, base + i, pd, utcbs + (u64)i * 4096, 0, 0, 0) != KIDE_OK) {
            kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, base, 10, 0));
            return ~0ull;
        }
    u64 t0 = krt_now();
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, base, 10, 0));
    return (krt_now() - t0) / KRT_US;
}

/* Freeing many ECs of a PD that another CPU has loaded costs one TLB
 * shoot-down per system call, not one per EC: the root frees 1024 of its
 * own ECs with one revoke while a root thread keeps the root's tables
 * loaded on CPU 1, and that must cost about what freeing 512 ECs of a PD
 * that never ran costs (no shoot-down at all) plus one shoot-down. Found by the `chain` and
 * `many` rounds: the big lock was held 511 ms; ec_free_now() waited for a
 * shoot-down of every CPU with the PD loaded once per freed EC, so the hold
 * grew with the number of ECs times the IPI round trip (512 ECs: 28 ms to
 * 880 ms under TCG on a loaded 2-core host, 0.4-0.7 ms for a PD that never
 * ran; 12 ms against 5 ms on a quiet one). Best of three of each, with a
 * margin of 1.5 and 2 ms for the one shoot-down and noise. */
void test_ec_free_shootdown(void)
{
    NEED_CPUS(2);
    static struct krt_ec t;
    memset(&t, 0, sizeof(t));
    kide_sel base = krt_sel_alloc(10), pd = ktest_pd(FOUND_N * 2 + 64);
    u64 loaded = ~0ull, idle = ~0ull;
    CHECK(base && pd);
    EXPECT_ST(krt_thread_start(&t, 1, PRIO_LOW, found_spin_body), KIDE_OK);
    for (unsigned r = 0; r < 3; r++) {
        u64 a = free_many(KIDE_ROOT_SEL_PD, base, FOUND_UTCBS + (u64)r * FOUND_N * 4096);
        u64 b = free_many(pd, base, FOUND_UTCBS);
        CHECK(a != ~0ull && b != ~0ull);
        loaded = a < loaded ? a : loaded;
        idle = b < idle ? b : idle;
    }
    krt_printf("ktest: ec_free_shootdown: %u ECs freed in %lu us (PD loaded on CPU 1), %lu us "
               "(PD never ran)\n",
               FOUND_N, loaded, idle);
    CHECK(loaded < idle + idle / 2 + 2000);
out:
    KRT_WRITE_ONCE(t.arg[3], 1);
    if (t.done_sm)
        krt_sm_wait(t.done_sm, 1000);
    krt_thread_destroy(&t);
    if (pd)
        krt_cap_drop(pd);
    if (base)
        krt_sel_free(base, 10);
}

/* A server whose first call waits on `go` (bounded), then answers 4242. */
struct found_srv {
    struct krt_pt_hdr hdr;
    kide_sel entered, go;
    volatile u64 calls;
} __attribute__((aligned(64)));

static void found_srv_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    (void)sub, (void)msg;
    struct found_srv *s = (struct found_srv *)h;
    if (s->calls++ == 0) {
        kide_ctrl_sm(KIDE_CTRL_SM_UP, s->entered, 0);
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s->go, krt_now() + 5000 * KRT_MS);
    }
    u->words[0] = 4242;
    u->msg = KIDE_MSG(1, 0);
}

static void found_call_body(struct krt_ec *t)
{
    t->utcb->msg = 0;
    t->utcb->rcv_crd = 0;
    t->result[0] = (u64)kide_call(t->arg[0]);
    t->result[1] = t->utcb->words[0];
}

extern char _start[];

/* A caller whose scheduling context is revoked while it waits in a busy
 * handler's queue must not take the handler with it: the callers behind it
 * are still served. t1's call holds the handler, t2 and t3 queue behind it,
 * t2's SC is revoked, the handler is released: t1 and t3 get the answer.
 * Found by the `chain` round (a caller never returned: action 4, a queued
 * caller's SC revoked): ipc_reply() handed the handler to the next queued
 * caller and enqueued that caller's SC, but it had none, so the handler
 * stayed serving a call that could never run and every later caller of the
 * server waited for ever (one client could wedge a shared server for all). */
void test_ipc_queued_caller_sc_revoked(void)
{
    static struct krt_ec h, t1, t2, t3;
    static struct found_srv srv;
    unsigned cpu = ktest_other_cpu();
    kide_sel pt = krt_sel_alloc(0);
    memset(&h, 0, sizeof(h));
    memset(&t1, 0, sizeof(t1));
    memset(&t2, 0, sizeof(t2));
    memset(&t3, 0, sizeof(t3));
    memset(&srv, 0, sizeof(srv));
    srv.hdr.fn = found_srv_fn;
    srv.entered = krt_sm_create(0);
    srv.go = krt_sm_create(0);
    CHECK(pt && srv.entered && srv.go);
    EXPECT_ST(krt_local_ec(&h, cpu), KIDE_OK);
    EXPECT_ST(kide_create_pt(pt, KIDE_ROOT_SEL_PD, h.ec, (u64)_start, (u64)&srv), KIDE_OK);
    t1.arg[0] = t2.arg[0] = t3.arg[0] = pt;
    EXPECT_ST(krt_thread_start(&t1, cpu, PRIO_HIGH, found_call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(srv.entered, 5000), KIDE_OK);
    EXPECT_ST(krt_thread_start(&t2, cpu, PRIO_HIGH, found_call_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t2.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    EXPECT_ST(krt_thread_start(&t3, cpu, PRIO_HIGH, found_call_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t3.ec) == KIDE_EC_STATE_BLOCKED, 2000));
    krt_cap_drop(t2.sc); /* t2 waits in line without a scheduling context */
    t2.sc = 0;
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, srv.go, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t1.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t1.result[1], 4242);
    EXPECT_ST(krt_sm_wait(t3.done_sm, 2000), KIDE_OK); /* the old kernel: TIMEOUT */
    CHECK_EQ(t3.result[0], KIDE_OK);
    CHECK_EQ(t3.result[1], 4242);
out:
    krt_thread_destroy(&t1);
    krt_thread_destroy(&t2);
    krt_thread_destroy(&t3);
    krt_cap_drop(pt);
    krt_thread_destroy(&h);
    krt_cap_drop(srv.entered);
    krt_cap_drop(srv.go);
}
