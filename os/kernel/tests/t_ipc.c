/* SPDX-License-Identifier: MIT */
/* Kernel tests: IPC call and reply, untyped words and typed items (object and
 * memory delegation into a receive window), errors, and calls to servers on
 * another CPU or in a PD that dies. */
#include "ktest.h"

#define ROOT KIDE_ROOT_SEL_PD
#define Q    0x0000500000000000ull /* where the root receives a page */

extern char _start[];

/** A portal served by a root handler EC. */
struct srv {
    struct krt_pt_hdr hdr;
    volatile u64 calls, last_id_sub, last_msg;
    volatile u64 mode;      /**< SRV_* */
    volatile u64 reply_sel; /**< SRV_TYPED: capability to send back */
} __attribute__((aligned(64)));

enum { SRV_SUM, SRV_OVERFLOW, SRV_TYPED };

static void srv_fn(struct krt_pt_hdr *h, unsigned sub, u64 msg, struct kide_utcb *u)
{
    struct srv *s = (struct srv *)h;
    s->calls++;
    s->last_id_sub = sub;
    s->last_msg = msg;
    switch (s->mode) {
    case SRV_SUM: {
        u64 sum = 0;
        unsigned n = KIDE_MSG_UNTYPED(msg);
        for (unsigned i = 0; i < n && i < KIDE_UTCB_WORDS; i++)
            sum += u->words[i] * (i + 1);
        u->words[0] = sum;
        u->words[1] = n;
        u->msg = KIDE_MSG(2, 0);
        break;
    }
    case SRV_OVERFLOW:
        u->msg = KIDE_MSG(KIDE_UTCB_WORDS + 1, 0);
        break;
    case SRV_TYPED:
        u->words[0] = KIDE_CRD(KIDE_CRD_OBJ, s->reply_sel, 0, KIDE_SM_DOWN);
        u->words[1] = 1;
        u->msg = KIDE_MSG(0, 1);
        break;
    }
}

static struct srv srv;
static struct krt_ec handler;

/** A root portal served by a fresh handler EC on `cpu`. */
static kide_sel srv_portal(unsigned cpu, unsigned mode)
{
    memset(&srv, 0, sizeof(srv));
    srv.hdr.fn = srv_fn;
    srv.mode = mode;
    memset(&handler, 0, sizeof(handler));
    if (krt_local_ec(&handler, cpu) != KIDE_OK)
        return 0;
    kide_sel pt = krt_sel_alloc(0);
    if (kide_create_pt(pt, ROOT, handler.ec, (u64)_start, (u64)&srv | 5) != KIDE_OK) {
        krt_sel_free(pt, 0);
        return 0;
    }
    return pt;
}

static void srv_done(kide_sel pt)
{
    krt_cap_drop(pt);
    krt_thread_destroy(&handler);
}

static u64 rnd_state = 88172645463325252ull;
static u64 rnd(void)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return rnd_state;
}

void test_ipc_call(void)
{
    struct kide_utcb *u = ROOT_UTCB;
    kide_sel pt = srv_portal(0, SRV_SUM);
    CHECK(pt);
    for (unsigned i = 0; i < 5; i++)
        u->words[i] = i + 1;
    u->msg = KIDE_MSG(5, 0);
    u->rcv_crd = 0;
    EXPECT_ST(kide_call(pt), KIDE_OK);
    CHECK_EQ(KIDE_MSG_UNTYPED(u->msg), 2);
    CHECK_EQ(u->words[0], 1 * 1 + 2 * 2 + 3 * 3 + 4 * 4 + 5 * 5);
    CHECK_EQ(u->words[1], 5);
    CHECK_EQ(srv.last_id_sub, 5); /* RDI carried the portal id */
    CHECK_EQ(KIDE_MSG_UNTYPED(srv.last_msg), 5);
    /* many calls with random lengths up to the whole UTCB */
    for (unsigned it = 0; it < 300; it++) {
        unsigned n = it == 0 ? KIDE_UTCB_WORDS : (unsigned)(rnd() % (KIDE_UTCB_WORDS + 1));
        u64 sum = 0;
        for (unsigned i = 0; i < n; i++) {
            u->words[i] = rnd();
            sum += u->words[i] * (i + 1);
        }
        u->msg = KIDE_MSG(n, 0);
        EXPECT_ST(kide_call(pt), KIDE_OK);
        CHECK_EQ(u->words[0], sum);
        CHECK_EQ(u->words[1], n);
    }
    CHECK_EQ(srv.calls, 301);
out:
    srv_done(pt);
}

void test_ipc_errors(void)
{
    struct kide_utcb *u = ROOT_UTCB;
    kide_sel pt = srv_portal(0, SRV_SUM), w = 0, s = krt_sm_create(0);
    CHECK(pt && s);
    u->msg = 0;
    EXPECT_ST(kide_call(s), KIDE_BAD_CAP);
    EXPECT_ST(kide_call(0), KIDE_BAD_CAP);
    EXPECT_ST(kide_call(KIDE_ROOT_SEL_FREE - 1), KIDE_BAD_CAP);
    EXPECT_ST(kide_call(KIDE_CAP_SLOTS + 1), KIDE_BAD_CAP);
    w = ktest_weak(pt, KIDE_PERM_ALL & ~KIDE_PT_CALL);
    CHECK(w);
    EXPECT_ST(kide_call(w), KIDE_BAD_PERM);
    u->msg = KIDE_MSG(KIDE_UTCB_WORDS + 1, 0);
    EXPECT_ST(kide_call(pt), KIDE_OVERFLOW);
    u->msg = KIDE_MSG(KIDE_UTCB_WORDS - 8, 5);
    EXPECT_ST(kide_call(pt), KIDE_OVERFLOW);
    u->msg = KIDE_MSG(0, 255);
    EXPECT_ST(kide_call(pt), KIDE_OVERFLOW);
    u->msg = KIDE_MSG(0x3ff, 0);
    EXPECT_ST(kide_call(pt), KIDE_OVERFLOW);
    CHECK_EQ(srv.calls, 0);
    /* a reply that exceeds the UTCB: the caller gets OVERFLOW */
    srv.mode = SRV_OVERFLOW;
    u->msg = KIDE_MSG(1, 0);
    EXPECT_ST(kide_call(pt), KIDE_OVERFLOW);
    /* and the server still works */
    srv.mode = SRV_SUM;
    u->words[0] = 3;
    u->msg = KIDE_MSG(1, 0);
    EXPECT_ST(kide_call(pt), KIDE_OK);
    CHECK_EQ(u->words[0], 3);
out:
    krt_cap_drop(w);
    krt_cap_drop(s);
    srv_done(pt);
}

static unsigned obj_perm(kide_sel sel, u64 *type)
{
    u64 found = 0, info = 0;
    kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0), &found, &info);
    if (type)
        *type = KIDE_CRD_KIND(found) == KIDE_CRD_OBJ ? info : KIDE_OBJ_NONE;
    return KIDE_CRD_PERM(found);
}

void test_ipc_typed(void)
{
    struct kide_utcb *u = ROOT_UTCB;
    kide_sel pt = srv_portal(0, SRV_TYPED), s1 = krt_sm_create(1), s2 = krt_sm_create(2);
    kide_sel s3 = krt_sm_create(3), s4 = krt_sm_create(4);
    kide_sel win = krt_sel_alloc(2), win2 = krt_sel_alloc(1);
    u64 type = 0, pa = krt_page_alloc();
    CHECK(pt && s1 && s2 && s3 && s4 && win && win2 && pa);
    srv.reply_sel = s4;
    /* the handler accepts 4 selectors at win; the caller 2 at win2 */
    handler.utcb->rcv_crd = KIDE_CRD(KIDE_CRD_OBJ, win, 2, KIDE_PERM_ALL);
    u->rcv_crd = KIDE_CRD(KIDE_CRD_OBJ, win2, 1, KIDE_PERM_ALL);
    u->words[0] = 77;
    u->words[1] = KIDE_CRD(KIDE_CRD_OBJ, s1, 0, KIDE_SM_UP);
    u->words[2] = 0;
    u->words[3] = KIDE_CRD(KIDE_CRD_OBJ, s2, 0, KIDE_PERM_ALL);
    u->words[4] = 3;
    u->words[5] = KIDE_CRD(KIDE_CRD_OBJ, s3, 0, KIDE_PERM_ALL);
    u->words[6] = 4; /* outside the window: dropped and counted */
    u->msg = KIDE_MSG(1, 3);
    EXPECT_ST(kide_call(pt), KIDE_OK);
    CHECK_EQ(KIDE_MSG_UNTYPED(srv.last_msg), 1);
    CHECK_EQ(KIDE_MSG_DROPPED(srv.last_msg), 1);
    CHECK_EQ(obj_perm(win, &type), KIDE_SM_UP);
    CHECK_EQ(type, KIDE_OBJ_SM);
    CHECK_EQ(obj_perm(win + 3, &type), KIDE_PERM_ALL);
    CHECK_EQ(type, KIDE_OBJ_SM);
    obj_perm(win + 1, &type);
    CHECK_EQ(type, KIDE_OBJ_NONE);
    /* the reply's item landed in the caller's window, masked */
    CHECK_EQ(KIDE_MSG_DROPPED(u->msg), 0);
    CHECK_EQ(obj_perm(win2 + 1, &type), KIDE_SM_DOWN);
    CHECK_EQ(type, KIDE_OBJ_SM);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, win2 + 1, 1), KIDE_OK); /* s4 has count 4 */
    /* received capabilities are derived: revoking the source removes them */
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, s1, 0, 0)), KIDE_OK);
    obj_perm(win, &type);
    CHECK_EQ(type, KIDE_OBJ_NONE);
    /* a memory item: the handler receives the page at Q */
    handler.utcb->rcv_crd = KIDE_CRD(KIDE_CRD_MEM, Q >> 12, 0, KIDE_MEM_RWX);
    srv.mode = SRV_SUM;
    u->words[0] = KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_W);
    u->words[1] = 0;
    u->msg = KIDE_MSG(0, 1);
    EXPECT_ST(kide_call(pt), KIDE_OK);
    CHECK_EQ(KIDE_MSG_DROPPED(srv.last_msg), 0);
    *(volatile u64 *)Q = 0x1234abcdull;
    CHECK_EQ(*(volatile u64 *)pa, 0x1234abcdull);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
    u64 found = 0, info = 0;
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, Q >> 12, 0, 0), &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_NULL);
out:
    u->rcv_crd = 0;
    if (win) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, win, 2, 0));
        krt_sel_free(win, 2);
    }
    if (win2) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, win2, 1, 0));
        krt_sel_free(win2, 1);
    }
    if (pa)
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
    krt_page_free(pa);
    krt_cap_drop(s1);
    krt_cap_drop(s2);
    krt_cap_drop(s3);
    krt_cap_drop(s4);
    srv_done(pt);
}

/* A typed item's hotspot cannot wrap around the window check: hotspot = -1
 * (hotspot + size == 0) is outside the window, not just below it. The
 * window is the upper half of an 8-selector block, so the selector below it
 * is free and an item landing there would show. */
void test_ipc_typed_wrap(void)
{
    struct kide_utcb *u = ROOT_UTCB;
    kide_sel pt = srv_portal(0, SRV_SUM), s1 = krt_sm_create(1), blk = krt_sel_alloc(3);
    u64 type = 0;
    CHECK(pt && s1 && blk);
    handler.utcb->rcv_crd = KIDE_CRD(KIDE_CRD_OBJ, blk + 4, 2, KIDE_PERM_ALL);
    u->words[0] = KIDE_CRD(KIDE_CRD_OBJ, s1, 0, KIDE_PERM_ALL);
    u->words[1] = ~0ull; /* hotspot -1 */
    u->msg = KIDE_MSG(0, 1);
    EXPECT_ST(kide_call(pt), KIDE_OK);
    CHECK_EQ(KIDE_MSG_DROPPED(srv.last_msg), 1);
    obj_perm(blk + 3, &type);
    CHECK_EQ(type, KIDE_OBJ_NONE);
out:
    if (blk) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, blk, 3, 0));
        krt_sel_free(blk, 3);
    }
    krt_cap_drop(s1);
    srv_done(pt);
}

/* Ping-pong with a server in a child PD. */
void test_ipc_child(void)
{
    static struct krt_child c;
    struct kide_utcb *u = ROOT_UTCB;
    kide_sel s = krt_sm_create(0);
    u64 args[] = {1100};
    CHECK(s);
    CHECK(ktest_helper_prepare(&c, H_SERVER, 0, args, 1) == KIDE_OK);
    EXPECT_ST(krt_child_give(&c, s, KIDE_SM_DOWN, 1100), KIDE_OK);
    kide_sel pt = krt_child_portal(&c, 0, H_PT_ECHO);
    CHECK(pt);
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    u->rcv_crd = 0;
    for (unsigned it = 0; it < 500; it++) {
        unsigned n = (unsigned)(rnd() % 17);
        u64 w[16];
        for (unsigned i = 0; i < n; i++)
            w[i] = u->words[i] = rnd();
        u->msg = KIDE_MSG(n, 0);
        EXPECT_ST(kide_call(pt), KIDE_OK);
        CHECK_EQ(KIDE_MSG_UNTYPED(u->msg), n);
        for (unsigned i = 0; i < n; i++)
            CHECK_EQ(u->words[i], w[i] + 1);
    }
    c.info->stop = 1;
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(c.ec[0].exited);
out:
    krt_child_destroy(&c);
    krt_cap_drop(s);
}

static void call_body(struct krt_ec *t)
{
    t->utcb->msg = 0;
    t->utcb->rcv_crd = 0;
    t->result[0] = (u64)kide_call(t->arg[0]);
}

/* IPC never crosses CPUs. */
void test_ipc_bad_cpu(void)
{
    NEED_CPUS(2);
    static struct krt_ec t;
    kide_sel pt1 = srv_portal(1, SRV_SUM), pt0 = 0;
    CHECK(pt1);
    ROOT_UTCB->msg = 0;
    EXPECT_ST(kide_call(pt1), KIDE_BAD_CPU);
    /* from CPU 1 it works */
    t.arg[0] = pt1;
    EXPECT_ST(krt_thread_start(&t, 1, PRIO_HIGH, call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], KIDE_OK);
    krt_thread_destroy(&t);
    /* a portal of CPU 0 called from CPU 1 */
    pt0 = krt_sel_alloc(0);
    EXPECT_ST(kide_create_pt(pt0, ROOT, krt_handler_ec(0), (u64)_start, (u64)&srv | 6), KIDE_OK);
    t.arg[0] = pt0;
    EXPECT_ST(krt_thread_start(&t, 1, PRIO_HIGH, call_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], KIDE_BAD_CPU);
out:
    krt_thread_destroy(&t);
    krt_cap_drop(pt0);
    srv_done(pt1);
}

/* A caller blocked in a server that never replies gets ABORTED when the
 * server's PD is destroyed. */
static void aborted_on(unsigned cpu)
{
    static struct krt_child c;
    static struct krt_ec t;
    kide_sel s = krt_sm_create(0), pt = 0;
    u64 args[] = {1100};
    CHECK(s);
    CHECK(ktest_helper_prepare(&c, H_SERVER, cpu, args, 1) == KIDE_OK);
    EXPECT_ST(krt_child_give(&c, s, KIDE_SM_DOWN, 1100), KIDE_OK);
    pt = krt_child_portal(&c, cpu, H_PT_BLOCK);
    CHECK(pt);
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    t.arg[0] = pt;
    EXPECT_ST(krt_thread_start(&t, cpu, PRIO_HIGH, call_body), KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(t.ec) == KIDE_EC_STATE_BLOCKED &&
                           ktest_ec_state(c.ec[1].ec) == KIDE_EC_STATE_BLOCKED,
                   2000));
    CHECK(!t.done);
    krt_cap_drop(c.pd);
    c.pd = 0;
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], KIDE_ABORTED);
    /* the portal of the dead PD answers ABORTED (or BAD_CAP) from now on */
    ROOT_UTCB->msg = 0;
    if (cpu == 0) {
        int st = kide_call(pt);
        CHECK(st == KIDE_ABORTED || st == KIDE_BAD_CAP);
    }
out:
    krt_thread_destroy(&t);
    krt_child_destroy(&c);
    krt_cap_drop(s);
}

void test_ipc_aborted(void)
{
    aborted_on(0);
}

void test_ipc_aborted_remote(void)
{
    NEED_CPUS(2);
    aborted_on(ktest_cpus() - 1);
}

/* A call that reaches krt's handler after its portal's record was cleared
 * (the kernel lets a started call finish after its caller's PD is gone, and
 * krt_spawn clears a destroyed child's record at once) is answered STOP and
 * counted, never dispatched through the NULL fn: that stopped the root's
 * handler EC in a 15-minute kfuzz -smp 4 run. Here the record is empty from
 * the start, which is what the handler sees in that race. */
void test_ipc_late_call(void)
{
    static struct krt_pt_hdr cleared; /* fn == NULL */
    struct kide_utcb *u = ROOT_UTCB;
    kide_sel pt = 0;
    memset(&cleared, 0, sizeof(cleared));
    CHECK(krt_local_ec(&handler, 0) == KIDE_OK);
    pt = krt_sel_alloc(0);
    CHECK(pt);
    EXPECT_ST(kide_create_pt(pt, ROOT, handler.ec, (u64)_start, (u64)&cleared | 7), KIDE_OK);
    u64 late0 = krt_late_calls;
    for (unsigned i = 0; i < 3; i++) {
        u->msg = KIDE_MSG(1, 0);
        u->words[0] = i;
        u->rcv_crd = 0;
        EXPECT_ST(kide_call(pt), KIDE_OK);
        CHECK_EQ(KIDE_MSG_UNTYPED(u->msg), 0); /* no words: STOP means something only to a fault */
    }
    CHECK_EQ(krt_late_calls - late0, 3);
    CHECK_EQ(handler.exc_count, 0);
    CHECK_EQ(ktest_ec_state(handler.ec), KIDE_EC_STATE_IDLE);
out:
    if (pt)
        krt_cap_drop(pt);
    krt_thread_destroy(&handler);
}
