/* SPDX-License-Identifier: MIT */
/* Kernel test suite: regressions for what the structured fuzz rounds found
 * (fuzz_struct.c).
 *
 * Each test states the round and the symptom that led to it. (The other
 * finding, one synchronous
 * shoot-down per freed EC, has no test here: user space sees it only as
 * time, and under TCG on a loaded host the time is too noisy to judge; the
 * fuzzer's lock-hold check catches it.)
 */
#include "ktest.h"

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
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s->go, base_now() + 5000 * BASE_MS);
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
