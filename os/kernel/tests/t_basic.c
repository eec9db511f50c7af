/* SPDX-License-Identifier: MIT */
/* Kernel tests: null, clock, unknown calls and operations, lookup, EC states,
 * interrupt routing and a child that prints. */
#include "ktest.h"

void test_null(void)
{
    for (unsigned i = 0; i < 1000; i++)
        EXPECT_ST(kide_null(), KIDE_OK);
    /* flags and aux bits are ignored by null */
    u64 r[3];
    EXPECT_ST(kide_syscall(KIDE_SYS_WORD(KIDE_SYS_NULL, 0, 0), 1, 2, 3, 4, 5, 6, r), KIDE_OK);
out:;
}

void test_clock(void)
{
    u64 a = 0, b = 0, prev = 0;
    EXPECT_ST(kide_clock(&a), KIDE_OK);
    CHECK(a > 0);
    prev = a;
    for (unsigned i = 0; i < 10000; i++) {
        u64 n = base_now();
        CHECK(n >= prev);
        prev = n;
    }
    /* a 20 ms deadline takes at least 20 ms of the clock */
    a = base_now();
    krt_sleep_ms(20);
    b = base_now();
    CHECK(b - a >= 19 * BASE_MS);
    CHECK(b - a < 2000 * BASE_MS);
out:;
}

void test_bad_syscall(void)
{
    u64 r[3], x;
    EXPECT_ST(kide_syscall(KIDE_SYS_WORD(KIDE_SYS_COUNT, 0, 0), 0, 0, 0, 0, 0, 0, r),
              KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_syscall(KIDE_SYS_WORD(255, 0xff, 0xffff), 0, 0, 0, 0, 0, 0, r),
              KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_syscall(~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, ~0ull, r), KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_ctrl_pd(7, KIDE_ROOT_SEL_PD, 0, KIDE_ROOT_SEL_PD, &x, &x), KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_ctrl_ec(7, KIDE_ROOT_SEL_EC, 0, 0, 0, &x, &x, &x), KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_ctrl_sc(7, KIDE_ROOT_SEL_SC, 0, 0, 0, &x, &x, &x), KIDE_BAD_SYSCALL);
    EXPECT_ST(kide_ctrl_sm(7, ktest_block_sm, 0), KIDE_BAD_SYSCALL);
    /* the root's EC is a global EC, not a portal handler */
    ROOT_UTCB->msg = 0;
    EXPECT_ST(kide_reply(), KIDE_BAD_SYSCALL);
out:;
}

/* lookup describes a kernel page the caller has (its UTCB, the boot-info
 * page) but does not reveal its physical frame. */
void test_lookup_kernel_page(void)
{
    u64 found = 0, info = 1;
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, KIDE_ROOT_UTCB >> 12, 0, 0), &found, &info),
              KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
    CHECK_EQ(KIDE_CRD_BASE(found), KIDE_ROOT_UTCB >> 12);
    CHECK_EQ(info, 0);
out:;
}

void test_lookup(void)
{
    u64 found, info;
    static const struct {
        kide_sel sel;
        unsigned type;
    } boot[] = {{KIDE_ROOT_SEL_PD, KIDE_OBJ_PD},
                {KIDE_ROOT_SEL_EC, KIDE_OBJ_EC},
                {KIDE_ROOT_SEL_SC, KIDE_OBJ_SC},
                {KIDE_ROOT_SEL_GSI, KIDE_OBJ_SM},
                {KIDE_ROOT_SEL_GSI + KIDE_ROOT_GSIS - 1, KIDE_OBJ_SM}};
    for (unsigned i = 0; i < BASE_ARRAY_SIZE(boot); i++) {
        EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, boot[i].sel, 0, 0), &found, &info), KIDE_OK);
        CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_OBJ);
        CHECK_EQ(KIDE_CRD_BASE(found), boot[i].sel);
        CHECK_EQ(info, boot[i].type);
    }
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, KIDE_ROOT_SEL_PD, 0, 0), &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_PERM(found), KIDE_PERM_ALL);
    /* an empty selector */
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, KIDE_ROOT_SEL_FREE - 1, 0, 0), &found, &info),
              KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_NULL);
    /* a RAM page (identity-mapped) and the root's code */
    u64 pa = krt_page_alloc();
    CHECK(pa);
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0), &found, &info), KIDE_OK);
    krt_page_free(pa);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
    /* r1 describes the holding mapping, r2 is the frame of its base */
    CHECK(KIDE_CRD_BASE(found) <= pa >> 12);
    CHECK(KIDE_CRD_BASE(found) + (1ull << KIDE_CRD_ORDER(found)) > pa >> 12);
    CHECK_EQ(krt_phys_of(pa), pa);
    CHECK(KIDE_CRD_PERM(found) & KIDE_MEM_W);
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, (u64)test_lookup >> 12, 0, 0), &found, &info),
              KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_MEM);
    CHECK(KIDE_CRD_PERM(found) & KIDE_MEM_X);
    /* unmapped user memory */
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, 0x0000500000000000ull >> 12, 0, 0), &found, &info),
              KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_NULL);
    /* I/O ports */
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_IO, 0x3f8, 0, 0), &found, &info), KIDE_OK);
    CHECK_EQ(KIDE_CRD_KIND(found), KIDE_CRD_IO);
    /* bad descriptors */
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_NULL, 1, 0, 0), &found, &info), KIDE_BAD_PARAM);
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, KIDE_CAP_SLOTS, 0, 0), &found, &info),
              KIDE_BAD_PARAM);
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_MEM, KIDE_USER_END >> 12, 0, 0), &found, &info),
              KIDE_BAD_PARAM);
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_IO, 0x10000, 0, 0), &found, &info), KIDE_BAD_PARAM);
out:;
}

/* Later tests weaken capabilities by delegating them into the root itself. */
void test_delegate_self(void)
{
    u64 found, info;
    kide_sel w = ktest_weak(KIDE_ROOT_SEL_PD, KIDE_PD_CTRL);
    CHECK(w);
    EXPECT_ST(kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, w, 0, 0), &found, &info), KIDE_OK);
    CHECK_EQ(info, KIDE_OBJ_PD);
    CHECK_EQ(KIDE_CRD_PERM(found), KIDE_PD_CTRL);
out:
    krt_cap_drop(w);
}

void test_query_states(void)
{
    kide_sel ec = 0, sc = 0;
    u64 state, fault, addr;
    EXPECT_ST(kide_ctrl_ec(KIDE_CTRL_EC_QUERY, KIDE_ROOT_SEL_EC, 0, 0, 0, &state, &fault, &addr),
              KIDE_OK);
    CHECK_EQ(state, KIDE_EC_STATE_READY);
    /* a handler EC waiting for calls */
    CHECK_EQ(ktest_ec_state(krt_handler_ec(0)), KIDE_EC_STATE_IDLE);
    /* a global EC blocked on a semaphore */
    ec = krt_sel_alloc(0);
    sc = krt_sel_alloc(0);
    EXPECT_ST(kide_create_ec(KIDE_EC_GLOBAL, 0, ec, KIDE_ROOT_SEL_PD, krt_utcb_alloc(), 0,
                             (u64)ktest_block_entry, 0),
              KIDE_OK);
    EXPECT_ST(kide_create_sc(0, PRIO_HIGH, sc, KIDE_ROOT_SEL_PD, ec, 10 * BASE_MS, 10 * BASE_MS),
              KIDE_OK);
    CHECK(WAIT_FOR(ktest_ec_state(ec) == KIDE_EC_STATE_BLOCKED, 2000));
out:
    krt_cap_drop(sc);
    krt_cap_drop(ec);
}

/* GSI 4 is COM1's: enabling its transmitter-empty interrupt raises it at once. */
void test_assign_gsi(void)
{
    kide_sel gsi = KIDE_ROOT_SEL_GSI + 4, w = 0, sm = krt_sm_create(0);
    CHECK(sm);
    EXPECT_ST(kide_assign_gsi(0, sm, 0, NULL, NULL), KIDE_BAD_CAP);
    EXPECT_ST(kide_assign_gsi(0, KIDE_ROOT_SEL_PD, 0, NULL, NULL), KIDE_BAD_CAP);
    EXPECT_ST(kide_assign_gsi(0, KIDE_CAP_SLOTS + 5, 0, NULL, NULL), KIDE_BAD_CAP);
    w = ktest_weak(gsi, KIDE_SM_UP | KIDE_SM_DOWN);
    CHECK(w);
    EXPECT_ST(kide_assign_gsi(0, w, 0, NULL, NULL), KIDE_BAD_PERM);
    EXPECT_ST(kide_assign_gsi(0, gsi, KIDE_MAX_CPUS, NULL, NULL), KIDE_BAD_CPU);
    EXPECT_ST(kide_assign_gsi(0, gsi, ktest_cpus(), NULL, NULL), KIDE_BAD_CPU);
    EXPECT_ST(kide_assign_gsi(0, gsi, ktest_other_cpu(), NULL, NULL), KIDE_OK);
    /* take whatever is pending, then make COM1 interrupt once */
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN_ZERO, gsi, 1);
    base_outb(0x3f8 + 4, base_inb(0x3f8 + 4) | 0x08); /* MCR.OUT2 gates the IRQ on real UARTs */
    base_outb(0x3f8 + 1, 0x02);                       /* IER: transmitter holding register empty */
    int st = krt_sm_wait(gsi, 2000);
    base_outb(0x3f8 + 1, 0x00);
    (void)base_inb(0x3f8 + 2); /* IIR read acknowledges */
    EXPECT_ST(st, KIDE_OK);
out:
    base_outb(0x3f8 + 1, 0x00);
    krt_cap_drop(w);
    krt_cap_drop(sm);
}

void test_child_print(void)
{
    static struct krt_child c;
    CHECK(ktest_helper(&c, H_PRINT, 0, NULL, 0) == KIDE_OK);
    EXPECT_ST(krt_child_wait(&c, 5000), KIDE_OK);
    CHECK(c.ec[0].exited);
    CHECK_EQ(c.ec[0].exit_code, 0);
out:
    krt_child_destroy(&c);
}

/* The ELF loader rejects malformed images with a message, never a crash. */
void test_elf_check(void)
{
    static u8 buf[1 << 18] __attribute__((aligned(4096)));
    const struct kide_boot_module *m = krt_module_find("ktest-helper.elf");
    CHECK(m && m->size <= sizeof(buf));
    CHECK_EQ(krt_elf_check((const void *)m->phys, m->size, "intact"), KIDE_OK);
    struct mut {
        const char *name;
        unsigned off, len;
        u64 val;
        u64 size; /* 0: the whole module */
    };
    static const struct mut muts[] = {
            {"truncated", 0, 0, 0, 10},
            {"bad magic", 1, 1, 'X', 0},
            {"32-bit", 4, 1, 1, 0},
            {"big-endian", 5, 1, 2, 0},
            {"not x86_64", 18, 2, 3, 0},
            {"shared object", 16, 2, 3, 0},
            {"no program headers", 56, 2, 0, 0},
            {"phentsize", 54, 2, 32, 0},
            {"phoff beyond the file", 32, 8, 0x7fffffffffffffffull, 0},
            {"entry 0", 24, 8, 0, 0},
            {"kernel entry", 24, 8, 0xffffffff80000000ull, 0},
            {"segment beyond the file", 64 + 8, 8, 0x7ffffffffff00000ull, 0},     /* ph[0].offset */
            {"filesz above memsz", 64 + 32, 8, ~0ull >> 1, 0},                    /* ph[0].filesz */
            {"segment in the kernel half", 64 + 16, 8, 0xffff800000000000ull, 0}, /* ph[0].vaddr */
            {"segment wraps", 64 + 40, 8, ~0ull - 4096, 0},                       /* ph[0].memsz */
    };
    for (unsigned i = 0; i < BASE_ARRAY_SIZE(muts); i++) {
        memcpy(buf, (const void *)m->phys, m->size);
        memcpy(buf + muts[i].off, &muts[i].val, muts[i].len);
        int r = krt_elf_check(buf, muts[i].size ? muts[i].size : m->size, muts[i].name);
        if (r != KIDE_BAD_PARAM)
            printf("ktest: elf_check: '%s' was accepted\n", muts[i].name);
        CHECK(r == KIDE_BAD_PARAM);
    }
out:;
}
