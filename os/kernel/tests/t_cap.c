/* SPDX-License-Identifier: MIT */
/* Kernel tests: delegation and revocation of capabilities, memory and I/O
 * ports, and kernel-memory quota (exhaustion, reclaim on PD destruction). */
#include "ktest.h"

#define ROOT  KIDE_ROOT_SEL_PD
#define X     KRT_CHILD_FREE_VA /* a child address nothing else uses */
#define MAGIC 0x6b74657374216b21ull

static u64 kind_at(kide_sel sel, unsigned *perm, u64 *info)
{
    u64 found = 0, i = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0), &found, &i) != KIDE_OK)
        return ~0ull;
    if (perm)
        *perm = KIDE_CRD_PERM(found);
    if (info)
        *info = i;
    return KIDE_CRD_KIND(found);
}

void test_delegate_obj(void)
{
    kide_sel s = krt_sm_create(0), s2 = krt_sm_create(0), d = krt_sel_alloc(2), w = 0;
    kide_sel blk = krt_sel_alloc(2), dblk = krt_sel_alloc(2);
    unsigned perm;
    u64 info;
    CHECK(s && s2 && d && blk && dblk);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, s, 0, KIDE_SM_UP), d), KIDE_OK);
    CHECK_EQ(kind_at(d, &perm, &info), KIDE_CRD_OBJ);
    CHECK_EQ(info, KIDE_OBJ_SM);
    CHECK_EQ(perm, KIDE_SM_UP);
    /* never more rights than the source */
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, d, 0, KIDE_PERM_ALL), d + 1), KIDE_OK);
    CHECK_EQ(kind_at(d + 1, &perm, NULL), KIDE_CRD_OBJ);
    CHECK_EQ(perm, KIDE_SM_UP);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, d + 1, 1), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, d + 1, 0), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, s, base_now() + 1000 * BASE_MS), KIDE_OK);
    /* an empty mask gives a capability that can do nothing */
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0), d + 2), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, d + 2, 0), KIDE_BAD_PERM);
    /* a whole aligned range at once */
    for (unsigned i = 0; i < 4; i++)
        EXPECT_ST(kide_create_sm(blk + i, ROOT, i), KIDE_OK);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, blk, 2, KIDE_SM_DOWN), dblk), KIDE_OK);
    for (unsigned i = 0; i < 4; i++) {
        CHECK_EQ(kind_at(dblk + i, &perm, &info), KIDE_CRD_OBJ);
        CHECK_EQ(perm, KIDE_SM_DOWN);
    }
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_DOWN, dblk + 3, 1), KIDE_OK); /* count 3 */
    /* errors */
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, s2, 0, KIDE_PERM_ALL), d), KIDE_BUSY);
    EXPECT_ST(kide_delegate(s, KIDE_CRD(KIDE_CRD_OBJ, s2, 0, KIDE_PERM_ALL), d + 3), KIDE_BAD_CAP);
    EXPECT_ST(kide_delegate(0, KIDE_CRD(KIDE_CRD_OBJ, s2, 0, KIDE_PERM_ALL), d + 3), KIDE_BAD_CAP);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, KIDE_ROOT_SEL_FREE - 1, 0, 0x1f), d + 3),
              KIDE_BAD_CAP);
    w = ktest_weak(ROOT, KIDE_PERM_ALL & ~KIDE_PD_DELEGATE);
    CHECK(w);
    EXPECT_ST(kide_delegate(w, KIDE_CRD(KIDE_CRD_OBJ, s2, 0, KIDE_PERM_ALL), d + 3), KIDE_BAD_PERM);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_NULL, s2, 0, 0x1f), d + 3), KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, blk + 1, 1, 0x1f), dblk), KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, 0, 17, 0x1f), 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, 0, 31, 0x1f), 0), KIDE_BAD_PARAM);
    /* destination leaves the selector space */
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, blk, 2, 0x1f), KIDE_CAP_SLOTS - 2),
              KIDE_BAD_PARAM);
    CHECK_EQ(kind_at(d + 3, NULL, NULL), KIDE_CRD_NULL);
out:
    if (blk) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, blk, 2, 0));
        krt_sel_free(blk, 2);
    }
    if (dblk) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, dblk, 2, 0));
        krt_sel_free(dblk, 2);
    }
    if (d) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, d, 2, 0));
        krt_sel_free(d, 2);
    }
    krt_cap_drop(w);
    krt_cap_drop(s);
    krt_cap_drop(s2);
}

void test_revoke_local(void)
{
    kide_sel s = krt_sm_create(0), d = krt_sel_alloc(2);
    CHECK(s && d);
    /* s -> d -> d+1 -> d+2, and s -> d+3 */
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0x1f), d), KIDE_OK);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, d, 0, 0x1f), d + 1), KIDE_OK);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, d + 1, 0, 0x1f), d + 2), KIDE_OK);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0x1f), d + 3), KIDE_OK);
    /* revoking d+1 without SELF removes only d+2 */
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, d + 1, 0, 0)), KIDE_OK);
    CHECK_EQ(kind_at(d + 1, NULL, NULL), KIDE_CRD_OBJ);
    CHECK_EQ(kind_at(d + 2, NULL, NULL), KIDE_CRD_NULL);
    /* with SELF, d+1 goes too, d stays */
    EXPECT_ST(kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, d + 1, 0, 0)), KIDE_OK);
    CHECK_EQ(kind_at(d + 1, NULL, NULL), KIDE_CRD_NULL);
    CHECK_EQ(kind_at(d, NULL, NULL), KIDE_CRD_OBJ);
    /* rebuild the chain, revoke at the source: all derived copies go */
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, d, 0, 0x1f), d + 1), KIDE_OK);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_OBJ, d + 1, 0, 0x1f), d + 2), KIDE_OK);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0x1f)), KIDE_OK); /* perm ignored */
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(kind_at(d + i, NULL, NULL), KIDE_CRD_NULL);
    CHECK_EQ(kind_at(s, NULL, NULL), KIDE_CRD_OBJ);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, s, 0), KIDE_OK);
    /* revoking nothing is fine; bad descriptors are not */
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, d, 2, 0)), KIDE_OK);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_NULL, s, 0, 0)), KIDE_BAD_PARAM);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, d + 1, 1, 0)), KIDE_BAD_PARAM);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, 0, 17, 0)), KIDE_BAD_PARAM);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_IO, 1, 1, 0)), KIDE_BAD_PARAM);
    EXPECT_ST(kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0)), KIDE_OK);
    CHECK_EQ(kind_at(s, NULL, NULL), KIDE_CRD_NULL);
    krt_sel_free(s, 0);
    s = 0;
out:
    if (d) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, d, 2, 0));
        krt_sel_free(d, 2);
    }
    krt_cap_drop(s);
}

/* Root -> A -> B -> C, each hop done by the helper itself; revoking at the
 * root removes the copies in all three PDs. */
void test_revoke_3pd(void)
{
    static struct krt_child k[3];
    kide_sel s = krt_sm_create(0), done[3] = {0, 0, 0}, go[3] = {0, 0, 0};
    const kide_sel CS = 1100, CNEXT = 1101, CDONE = 1102, CGO = 1103;
    unsigned mask[3] = {KIDE_SM_UP | KIDE_SM_DOWN, KIDE_SM_UP, KIDE_SM_UP}; /* hop masks */
    memset(k, 0, sizeof(k));
    CHECK(s);
    for (unsigned i = 0; i < 3; i++) {
        done[i] = krt_sm_create(0);
        go[i] = krt_sm_create(0);
        CHECK(done[i] && go[i]);
        CHECK(ktest_helper_prepare(&k[i], H_SYSCALLS, 0, NULL, 0) == KIDE_OK);
        k[i].ec[0].policy = ktest_stop_quiet;
        EXPECT_ST(krt_child_give(&k[i], done[i], KIDE_SM_UP, CDONE), KIDE_OK);
        EXPECT_ST(krt_child_give(&k[i], go[i], KIDE_SM_DOWN, CGO), KIDE_OK);
    }
    EXPECT_ST(kide_delegate(k[0].pd, KIDE_CRD(KIDE_CRD_OBJ, s, 0, KIDE_PERM_ALL), CS), KIDE_OK);
    for (unsigned i = 0; i < 3; i++) {
        if (i < 2) {
            EXPECT_ST(krt_child_give(&k[i], k[i + 1].pd, KIDE_PD_DELEGATE, CNEXT), KIDE_OK);
            ktest_sys(&k[i], 0, KIDE_SYS_WORD(KIDE_SYS_DELEGATE, 0, 0), CNEXT,
                      KIDE_CRD(KIDE_CRD_OBJ, CS, 0, mask[i + 1]), CS, 0);
        } else {
            ktest_sys(&k[i], 0, KIDE_SYS_WORD(KIDE_SYS_NULL, 0, 0), 0, 0, 0, 0);
        }
        ktest_sys(&k[i], 1, KIDE_SYS_WORD(KIDE_SYS_LOOKUP, 0, 0), KIDE_CRD(KIDE_CRD_OBJ, CS, 0, 0),
                  0, 0, 0);
        ktest_sys(&k[i], 2, ~0ull, CDONE, CGO, 0, 0);
        ktest_sys(&k[i], 3, KIDE_SYS_WORD(KIDE_SYS_LOOKUP, 0, 0), KIDE_CRD(KIDE_CRD_OBJ, CS, 0, 0),
                  0, 0, 0);
        /* the hops run in order: A delegates before B runs */
        EXPECT_ST(krt_child_start(&k[i], PRIO_CHILD), KIDE_OK);
        EXPECT_ST(krt_sm_wait(done[i], 5000), KIDE_OK);
        CHECK_EQ(ktest_sys_get(&k[i], 0)->st, KIDE_OK);
        CHECK_EQ(ktest_sys_get(&k[i], 1)->st, KIDE_OK);
        CHECK_EQ(KIDE_CRD_KIND(ktest_sys_get(&k[i], 1)->r[0]), KIDE_CRD_OBJ);
        CHECK_EQ(ktest_sys_get(&k[i], 1)->r[1], KIDE_OBJ_SM);
        CHECK_EQ(KIDE_CRD_PERM(ktest_sys_get(&k[i], 1)->r[0]), i ? KIDE_SM_UP : KIDE_PERM_ALL);
    }
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0)), KIDE_OK);
    for (unsigned i = 0; i < 3; i++)
        EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, go[i], 0), KIDE_OK);
    for (unsigned i = 0; i < 3; i++) {
        EXPECT_ST(krt_child_wait(&k[i], 5000), KIDE_OK);
        CHECK(k[i].ec[0].exited);
        CHECK_EQ(ktest_sys_get(&k[i], 3)->st, KIDE_OK);
        CHECK_EQ(KIDE_CRD_KIND(ktest_sys_get(&k[i], 3)->r[0]), KIDE_CRD_NULL);
    }
    CHECK_EQ(kind_at(s, NULL, NULL), KIDE_CRD_OBJ);
out:
    for (unsigned i = 0; i < 3; i++) {
        krt_child_destroy(&k[i]);
        krt_cap_drop(done[i]);
        krt_cap_drop(go[i]);
    }
    krt_cap_drop(s);
}

void test_mem_delegate_revoke(void)
{
    static struct krt_child c;
    u64 args[] = {X};
    u64 state = 0, fault = 0, addr = 0;
    CHECK(ktest_helper_prepare(&c, H_READ_LOOP, ktest_other_cpu(), args, 1) == KIDE_OK);
    u64 pa = krt_child_map(&c, X, KIDE_MEM_R | KIDE_MEM_W);
    CHECK(pa);
    *(volatile u64 *)pa = MAGIC;
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    CHECK(WAIT_FOR(c.info->res[1] > 10 && c.info->res[0] == MAGIC, 5000));
    /* the child sees the root's writes: it is the same frame */
    *(volatile u64 *)pa = MAGIC + 1;
    CHECK(WAIT_FOR(c.info->res[0] == MAGIC + 1, 5000));
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(!c.ec[0].exited);
    CHECK_EQ(c.ec[0].last.vector, KIDE_EXC_PF);
    CHECK_EQ(c.ec[0].last.fault_addr, X);
    CHECK(!(c.ec[0].last.error & 1)); /* not present */
    CHECK(c.ec[0].last.error & 4);    /* user */
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_QUERY, c.ec[0].ec, 0, 0, 0, &state, &fault, &addr),
              KIDE_OK);
    CHECK_EQ(state, KIDE_EC_STATE_STOPPED);
    CHECK_EQ(fault & 0xffffffff, KIDE_EXC_PF);
    CHECK_EQ(addr, X);
    /* the root keeps its own mapping */
    CHECK_EQ(*(volatile u64 *)pa, MAGIC + 1);
    u64 found = 0, info = 0;
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0), &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
out:
    krt_child_destroy(&c);
}

/* Re-delegating with fewer rights shrinks them down the whole subtree: the
 * root lends a page to itself at Y (RW) and from there to a child (RW), then
 * re-delegates the first hop read-only; the child's write must fault
 * (before, only the direct derivation lost W and the child kept writing). */
#define Y 0x0000510000000000ull
void test_mem_perm_subtree(void)
{
    static struct krt_child c;
    u64 args[] = {X, MAGIC}, pa = krt_page_alloc();
    const unsigned rw = KIDE_MEM_R | KIDE_MEM_W;
    CHECK(pa);
    CHECK(ktest_helper_prepare(&c, H_TOUCH, 0, args, 2) == KIDE_OK);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, rw), Y >> 12), KIDE_OK);
    EXPECT_ST(kide_delegate(c.pd, KIDE_CRD(KIDE_CRD_MEM, Y >> 12, 0, rw), X >> 12), KIDE_OK);
    EXPECT_ST(kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R), Y >> 12),
              KIDE_OK);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(!c.ec[0].exited); /* exited: the grandchild kept W */
    CHECK_EQ(c.ec[0].last.vector, KIDE_EXC_PF);
    CHECK_EQ(c.ec[0].last.fault_addr, X);
    CHECK_EQ(c.ec[0].last.error & 7, 7);
out:
    krt_child_destroy(&c);
    if (pa) {
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
        krt_page_free(pa);
    }
}

/* Revoking a deep delegation chain costs time linear in its length: the
 * root lends a page to itself 50,000 times over (each hop derived from the
 * one before) and revokes the first hop. Before, the revocation walked from
 * the top again for every node it removed: 1.25e9 steps under the big lock
 * (tens of seconds under TCG); now it is a few milliseconds. The bound has a
 * margin of over 100 for a loaded host. */
#define CHAIN_VA 0x0000520000000000ull
void test_revoke_deep_chain(void)
{
    const u64 depth = 50000, rw = KIDE_MEM_R | KIDE_MEM_W;
    u64 pa = krt_page_alloc(), built = 0;
    CHECK(pa);
    u64 from = pa;
    for (; built < depth; built++) {
        u64 to = CHAIN_VA + built * 4096;
        if (kide_delegate(ROOT, KIDE_CRD(KIDE_CRD_MEM, from >> 12, 0, rw), to >> 12) != KIDE_OK)
            break;
        from = to;
    }
    CHECK_EQ(built, depth);
    u64 t0 = base_now();
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
    u64 ms = (base_now() - t0) / BASE_MS;
    printf("ktest: revoke_deep_chain: %lu hops revoked in %lu ms\n", built, ms);
    CHECK(ms < 1500);
    u64 found = 0, info = 0;
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, (CHAIN_VA + (depth - 1) * 4096) >> 12, 0, 0),
                          &found, &info),
              KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_NULL);
out:
    if (pa) {
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
        krt_page_free(pa);
    }
}

void test_mem_perm(void)
{
    static struct krt_child c;
    u64 args[] = {X, MAGIC};
    /* read-only: a write faults with P|W|U */
    CHECK(ktest_helper_prepare(&c, H_TOUCH, 0, args, 2) == KIDE_OK);
    CHECK(krt_child_map(&c, X, KIDE_MEM_R));
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(!c.ec[0].exited);
    CHECK_EQ(c.ec[0].last.vector, KIDE_EXC_PF);
    CHECK_EQ(c.ec[0].last.fault_addr, X);
    CHECK_EQ(c.ec[0].last.error & 7, 7);
    krt_child_destroy(&c);
    /* not executable: a call into it faults (instruction fetch) */
    args[0] = X;
    CHECK(ktest_helper_prepare(&c, H_JUMP, 0, args, 1) == KIDE_OK);
    u64 pa = krt_child_map(&c, X, KIDE_MEM_R | KIDE_MEM_W);
    CHECK(pa);
    *(volatile u8 *)pa = 0xc3; /* ret */
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(!c.ec[0].exited); /* exited with 5 means RW memory was executable */
    CHECK_EQ(c.ec[0].last.vector, KIDE_EXC_PF);
    CHECK_EQ(c.ec[0].last.fault_addr, X);
    CHECK(c.ec[0].last.error & 0x10);
    krt_child_destroy(&c);
    /* executable: the same call returns */
    CHECK(ktest_helper_prepare(&c, H_JUMP, 0, args, 1) == KIDE_OK);
    pa = krt_child_map(&c, X, KIDE_MEM_R | KIDE_MEM_X);
    CHECK(pa);
    *(volatile u8 *)pa = 0xc3;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(c.ec[0].exited);
    CHECK_EQ(c.ec[0].exit_code, 5);
out:
    krt_child_destroy(&c);
}

void test_mem_errors(void)
{
    kide_sel pd = ktest_pd(32), small = ktest_pd(8), ec = krt_sel_alloc(0), s = krt_sm_create(0);
    kide_sel w = 0;
    u64 pa = krt_page_alloc(), pa2 = krt_page_alloc();
    const u64 xp = X >> 12;
    CHECK(pd && small && s && pa && pa2);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_RWX), xp), KIDE_OK);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_RWX), xp), KIDE_OK);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa2 >> 12, 0, KIDE_MEM_RWX), xp), KIDE_BUSY);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_RWX),
                            KIDE_USER_END >> 12),
              KIDE_BAD_ADDR);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_RWX), ~0ull >> 12),
              KIDE_BAD_ADDR);
    EXPECT_ST(kide_create_ec(0, 0, ec, pd, KRT_CHILD_UTCBS, 0x1000, 0, 0), KIDE_OK);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa2 >> 12, 0, KIDE_MEM_RWX),
                            KRT_CHILD_UTCBS >> 12),
              KIDE_BAD_ADDR);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_NULL, pa >> 12, 0, 7), xp + 1), KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, (pa >> 12) | 1, 1, 7), xp + 2),
              KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, 0x0000500000000000ull >> 12, 0, 7), xp + 1),
              KIDE_BAD_CAP);
    EXPECT_ST(kide_delegate(s, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 7), xp + 1), KIDE_BAD_CAP);
    w = ktest_weak(pd, KIDE_PERM_ALL & ~KIDE_PD_DELEGATE);
    CHECK(w);
    EXPECT_ST(kide_delegate(w, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 7), xp + 1), KIDE_BAD_PERM);
    /* QUOTA: every mapping 1 GiB apart needs fresh page tables */
    int st = KIDE_OK;
    unsigned n = 0;
    for (; n < 256 && st == KIDE_OK; n++)
        st = kide_delegate(small, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R),
                           xp + ((u64)n << 18));
    EXPECT_ST(st, KIDE_QUOTA);
    printf("ktest: mem_errors: a PD with 8 pages took %u scattered mappings\n", n - 1);
out:
    if (pa)
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
    if (pa2)
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa2 >> 12, 0, 0));
    krt_cap_drop(w);
    krt_cap_drop(ec);
    krt_cap_drop(pd);
    krt_cap_drop(small);
    krt_cap_drop(s);
    krt_page_free(pa);
    krt_page_free(pa2);
}

void test_io_ports(void)
{
    static struct krt_child c;
    kide_sel pd = 0, pd2 = 0;
    u64 args[] = {0x3f8 + 5};
    /* delegated COM1: the helper reads LSR until the root revokes the range */
    CHECK(ktest_helper_prepare(&c, H_IO_LOOP, ktest_other_cpu(), args, 1) == KIDE_OK);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    CHECK(WAIT_FOR(c.info->res[1] > 10, 5000));
    CHECK(c.info->res[0] & 0x20); /* LSR: THR empty, as a real read shows */
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_IO, 0x3f8, 3, 0)), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(!c.ec[0].exited);
    CHECK_EQ(c.ec[0].last.vector, 13);
    krt_child_destroy(&c);
    /* a port never delegated */
    args[0] = 0x80;
    CHECK(ktest_helper_prepare(&c, H_IO_LOOP, 0, args, 1) == KIDE_OK);
    c.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK_EQ(c.info->res[1], 0);
    CHECK_EQ(c.ec[0].last.vector, 13);
    /* errors */
    pd = ktest_pd(16);
    CHECK(pd);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_IO, 0x3f8, 3, 1), 0x2f8), KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_IO, 0x3f9, 3, 1), 0x3f9), KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_IO, 0, 17, 1), 0), KIDE_BAD_PARAM);
    EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_IO, 0x3f8, 3, 1), 0x3f8), KIDE_OK);
    pd2 = ktest_pd(16);
    CHECK(pd2);
    EXPECT_ST(kide_delegate(pd2, KIDE_CRD(KIDE_CRD_IO, 0, 16, 1), 0), KIDE_OK); /* all of them */
out:
    krt_cap_drop(pd);
    krt_cap_drop(pd2);
    krt_child_destroy(&c);
}

void test_quota_exhaust(void)
{
    u64 free0 = 0, limit = 0, used = 0;
    kide_sel pd = 0, many = krt_sel_alloc(10);
    CHECK(many);
    /* The root's own capability table grows to hold these selectors: let it
     * grow first, so that only what the child PD paid for is compared. */
    for (unsigned i = 0; i < 1024; i++)
        EXPECT_ST(kide_create_sm(many + i, KIDE_ROOT_SEL_PD, 0), KIDE_OK);
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, many, 10, 0));
    free0 = ktest_root_free();
    pd = ktest_pd(16);
    CHECK(pd);
    int st = KIDE_OK;
    unsigned n = 0;
    for (; n < 1024 && st == KIDE_OK; n++)
        st = kide_create_sm(many + n, pd, 0);
    EXPECT_ST(st, KIDE_QUOTA);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used), KIDE_OK);
    CHECK_EQ(limit, 16);
    CHECK(used <= limit && used + 1 >= limit);
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_GIVE, pd, limit - used + 1, KIDE_ROOT_SEL_PD, NULL, NULL),
              KIDE_QUOTA);
    /* revoking the semaphores returns their memory to the PD */
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, many, 10, 0));
    u64 used2 = 0;
    EXPECT_ST(kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, pd, 0, 0, &limit, &used2), KIDE_OK);
    CHECK(used2 < used);
    krt_cap_drop(pd);
    pd = 0;
    CHECK(WAIT_FOR(ktest_root_free() == free0, 1000));
out:
    if (many) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, many, 10, 0));
        krt_sel_free(many, 10);
    }
    krt_cap_drop(pd);
}

/* 200 times: a PD with a semaphore, a handler EC, a portal, a capability and
 * a page, destroyed by revoking its capability. Nothing may leak. */
void test_quota_cycles(void)
{
    kide_sel pd = krt_sel_alloc(0), s = krt_sel_alloc(0), ec = krt_sel_alloc(0);
    kide_sel pt = krt_sel_alloc(0);
    u64 pa = krt_page_alloc(), free0 = ktest_root_free(), free1 = 0;
    CHECK(pa);
    for (unsigned i = 0; i < 200; i++) {
        EXPECT_ST(kide_create_pd(pd, KIDE_ROOT_SEL_PD, 24, 0), KIDE_OK);
        EXPECT_ST(kide_create_sm(s, pd, i), KIDE_OK);
        EXPECT_ST(kide_create_ec(0, i % ktest_cpus(), ec, pd, KRT_CHILD_UTCBS, 0x1000, 0, 0),
                  KIDE_OK);
        EXPECT_ST(kide_create_pt(pt, pd, ec, 0x4000000000ull, i), KIDE_OK);
        EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, s, 0, KIDE_SM_UP), 1030), KIDE_OK);
        EXPECT_ST(kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                                X >> 12),
                  KIDE_OK);
        EXPECT_ST(kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, 0)), KIDE_OK);
        EXPECT_ST(kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, ec, 0, 0)), KIDE_OK);
        EXPECT_ST(kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0)), KIDE_OK);
        EXPECT_ST(kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, pd, 0, 0)), KIDE_OK);
        if (i == 0) {
            CHECK(WAIT_FOR(ktest_root_free() == free0, 1000));
        }
    }
    CHECK(WAIT_FOR(ktest_root_free() == free0, 1000));
    free1 = ktest_root_free();
    CHECK_EQ(free1, free0);
out:
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, ec, 0, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, s, 0, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, pd, 0, 0));
    if (pa)
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
    krt_page_free(pa);
    krt_sel_free(pd, 0);
    krt_sel_free(s, 0);
    krt_sel_free(ec, 0);
    krt_sel_free(pt, 0);
}

/* Destroying a running PD: its EC is dead, its SC accrues no more time. */
void test_pd_destroy(void)
{
    static struct krt_child c;
    u64 t1 = 0, t2 = 0;
    CHECK(ktest_helper(&c, H_SPIN, ktest_other_cpu(), NULL, 0) == KIDE_OK);
    CHECK(WAIT_FOR(c.info->res[0] > 1000, 5000));
    krt_cap_drop(c.pd);
    c.pd = 0;
    CHECK(WAIT_FOR(ktest_ec_state(c.ec[0].ec) == KIDE_EC_STATE_DEAD, 1000));
    u64 n = c.info->res[0];
    krt_sleep_ms(30); /* the slice it was in when it died may still be accounted */
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, c.ec[0].sc, 0, 0, 0, &t1, NULL, NULL), KIDE_OK);
    krt_sleep_ms(30);
    EXPECT_ST(kide_ctrl_sc(KIDE_CTRL_SC_TIME, c.ec[0].sc, 0, 0, 0, &t2, NULL, NULL), KIDE_OK);
    CHECK_EQ(c.info->res[0], n);
    CHECK_EQ(t2, t1);
out:
    krt_child_destroy(&c);
}

/* Revoking one page affects only what was derived from that page: another
 * child's pages, taken from the same RAM of the root, stay mapped. */
void test_revoke_page_isolation(void)
{
    static struct krt_child a, b;
    u64 args[] = {X};
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    CHECK(ktest_helper_prepare(&a, H_READ_LOOP, 0, args, 1) == KIDE_OK);
    CHECK(ktest_helper_prepare(&b, H_READ_LOOP, ktest_other_cpu(), args, 1) == KIDE_OK);
    u64 pa = krt_child_map(&a, X, KIDE_MEM_R), pb = krt_child_map(&b, X, KIDE_MEM_R);
    CHECK(pa && pb);
    *(volatile u64 *)pa = 1;
    *(volatile u64 *)pb = 2;
    a.ec[0].policy = ktest_stop_quiet;
    b.ec[0].policy = ktest_stop_quiet;
    EXPECT_ST(krt_child_start(&a, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_start(&b, PRIO_CHILD), KIDE_OK);
    if (!WAIT_FOR_SLOW(a.info->res[0] == 1 && b.info->res[0] == 2, 5000))
        printf("ktest: revoke_page_isolation: a read %lu (%lu times, %lu exceptions), b read %lu "
               "(%lu times, %lu exceptions)\n",
               a.info->res[0], a.info->res[1], a.ec[0].exc_count, b.info->res[0], b.info->res[1],
               b.ec[0].exc_count);
    CHECK(a.info->res[0] == 1 && b.info->res[0] == 2);
    EXPECT_ST(kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0)), KIDE_OK);
    EXPECT_ST(krt_child_wait(&a, 5000), KIDE_OK);
    CHECK_EQ(a.ec[0].last.fault_addr, X);
    u64 n = b.info->res[1];
    if (!WAIT_FOR_SLOW(b.info->res[1] > n + 1000, 5000))
        printf("ktest: revoke_page_isolation: b stuck at %lu reads: %lu exceptions, the last "
               "vector %lu at %lx (rip %lx), state %lu\n",
               n, b.ec[0].exc_count, b.ec[0].last.vector, b.ec[0].last.fault_addr, b.ec[0].last.rip,
               ktest_ec_state(b.ec[0].ec));
    CHECK(b.info->res[1] > n + 1000);
    CHECK_EQ(b.ec[0].exc_count, 0);
    b.info->stop = 1;
    EXPECT_ST(krt_child_wait(&b, 5000), KIDE_OK);
    CHECK(b.ec[0].exited);
out:
    krt_child_destroy(&a);
    krt_child_destroy(&b);
}

/* RAM above 4 GiB (the 8 GiB machines of os/tools/test-matrix.sh) reaches
 * the root and its children like RAM below: for every range the root holds
 * above 4 GiB, its first, middle and last page are identity-mapped (lookup
 * names the frame) and keep what the root writes, and the last one,
 * delegated to a child, is written and read back there and seen by the
 * root. Each page's words are restored: the root's allocator may own them.
 * Skipped on machines without RAM above 4 GiB. */
#define RAM_4G (4ull << 30)
void test_ram_high(void)
{
    const struct kide_boot_info *bi = krt_bootinfo;
    static struct krt_child c;
    u64 *shared = NULL, saved = 0, found = 0;
    for (unsigned i = 0; i < bi->mem_count; i++) {
        u64 lo = bi->mem[i].phys, hi = lo + bi->mem[i].size;
        if (hi <= RAM_4G)
            continue;
        lo = lo < RAM_4G ? RAM_4G : lo;
        u64 pages[3] = {lo, BASE_ALIGN_DOWN(lo + (hi - lo) / 2, 4096), hi - 4096};
        for (unsigned k = 0; k < 3; k++) {
            volatile u64 *w = (volatile u64 *)(pages[k] + 4088);
            CHECK_EQ(krt_phys_of(pages[k]), pages[k]);
            u64 old = *w;
            *w = pages[k] ^ MAGIC;
            u64 got = *w;
            *w = old;
            CHECK_EQ(got, pages[k] ^ MAGIC);
        }
        if (!shared) {
            shared = (u64 *)(hi - 4096);
            saved = shared[1];
        }
        found++;
    }
    if (!found) {
        ktest_skip("(no RAM above 4 GiB)");
        return;
    }
    printf("ktest: ram_high: %lu range(s) above 4 GiB, child wrote at %lx\n", found,
           (u64)shared + 8);
    u64 args[] = {X + 8, MAGIC};
    CHECK(ktest_helper_prepare(&c, H_TOUCH, 0, args, 2) == KIDE_OK);
    EXPECT_ST(kide_delegate(c.pd,
                            KIDE_CRD(KIDE_CRD_MEM, (u64)shared >> 12, 0, KIDE_MEM_R | KIDE_MEM_W),
                            X >> 12),
              KIDE_OK);
    EXPECT_ST(krt_child_start(&c, PRIO_CHILD), KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(c.ec[0].exited);
    CHECK_EQ(c.ec[0].exit_code, 7);
    CHECK_EQ(c.info->res[0], MAGIC);
    CHECK_EQ(((volatile u64 *)shared)[1], MAGIC);
out:
    krt_child_destroy(&c);
    if (shared) {
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, (u64)shared >> 12, 0, 0));
        ((volatile u64 *)shared)[1] = saved;
    }
}
