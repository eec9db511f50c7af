/* SPDX-License-Identifier: MIT */
/* Kernel tests: ctrl_ec POSIX (system-call reflection) and FS (per-EC FS
 * base). Reflection on and off and the native range's bounds, every
 * register (GPRs, RFLAGS with DF set, RSP, two XMM registers) kept across a
 * reflected syscall, refused arguments and rights (also an EC of another
 * PD), FS bases of ECs taking turns on one CPU (also after one of them
 * reset its own base by loading FS) and of an EC running on another CPU,
 * and the cost of a reflected round trip next to a null system call.
 *
 * Foreign code is a copy of krt's foreign function in a root RAM page
 * (below the image); the native range is the root image. Every reflecting
 * EC is a thread whose faults stop it quietly, so a broken kernel fails a
 * check instead of taking the root down. */
#include "ktest.h"

#define MAGIC_A  0xa11ce5f5a11ce5f5ull
#define MAGIC_B  0xb0b0f5f5b0b0f5f5ull
#define NONCANON 0xffff800000001000ull

typedef u64 (*foreign_fn)(u64 rax);

static u64 image_lo(void)
{
    return (u64)__image_start;
}

static u64 image_hi(void)
{
    return (u64)__image_end;
}

/* Return address of the foreign copy's `syscall`. */
static u64 foreign_ret(u64 page)
{
    return page + (u64)(krt_foreign_after - krt_foreign_blob);
}

static int set_reflect(kide_sel ec, u64 entry, u64 lo, u64 hi)
{
    return kide_ctrl_ec(KIDE_CTRL_EC_POSIX, ec, entry, lo, hi, NULL, NULL, NULL);
}

static int set_fs(kide_sel ec, u64 base)
{
    return kide_ctrl_ec(KIDE_CTRL_EC_FS, ec, base, 0, 0, NULL, NULL, NULL);
}

static u64 fs_read(void)
{
    u64 v;
    __asm__ volatile("mov %%fs:0, %0" : "=r"(v)::"memory");
    return v;
}

/* ---- reflection on and off, the range's bounds ---- */

static struct {
    volatile int st[7];
    volatile u64 v[9];
    volatile int stage, go, finished;
} rr;

/* Runs with reflection set by itself (a1 = 0). The last steps leave its
 * own code outside the range, so it cannot end normally: it reports
 * `finished` and spins until the root destroys it. */
static void reflect_body(struct krt_ec *t)
{
    u64 p = t->arg[0];
    foreign_fn f = (foreign_fn)p;
    u64 entry = (u64)krt_reflect_return;
    rr.st[0] = set_reflect(0, entry, image_lo(), image_hi());
    rr.v[0] = f(KIDE_SYS_NULL); /* outside: reflected, RAX unchanged */
    rr.st[1] = kide_null();     /* inside: a Kide call */
    rr.st[2] = set_reflect(0, KIDE_USER_END, image_lo(), image_hi());
    rr.v[1] = f(KIDE_SYS_NULL); /* the refused call changed nothing */
    rr.st[3] = set_reflect(0, entry, foreign_ret(p), image_hi());
    rr.v[2] = f(KIDE_SYS_NULL); /* return address == lo: inside, executed */
    rr.st[4] = set_reflect(0, entry, foreign_ret(p) + 1, image_hi());
    rr.v[3] = f(KIDE_SYS_NULL); /* return address == lo - 1: outside */
    rr.st[5] = set_reflect(0, 0, 0, 0);
    rr.v[4] = f(KIDE_SYS_NULL); /* off: executed */
    rr.st[6] = set_reflect(0, entry, 0, foreign_ret(p) + 1);
    rr.v[5] = f(KIDE_SYS_NULL); /* return address == hi - 1: inside */
    /* Now its own code is outside: this call is reflected and never
     * reaches the kernel, so the range stays. */
    rr.v[6] = (u64)set_reflect(0, entry, 0, foreign_ret(p));
    rr.v[7] = f(KIDE_SYS_NULL); /* still inside */
    /* The root sets hi = the return address (by selector; no system call
     * of ours could get through). */
    rr.stage = 1;
    while (!rr.go)
        __asm__ volatile("pause");
    rr.v[8] = f(KIDE_SYS_NULL); /* return address == hi: outside */
    rr.finished = 1;
    for (;;)
        __asm__ volatile("pause");
}

void test_posix_reflect(void)
{
    static struct krt_ec t;
    u64 page = krt_foreign_page();
    memset(&t, 0, sizeof(t));
    memset((void *)&rr, 0, sizeof(rr));
    CHECK(page);
    CHECK(page + 4096 <= image_lo()); /* foreign: below the image */
    t.policy = ktest_stop_quiet;
    t.arg[0] = page;
    EXPECT_ST(krt_thread_start(&t, ktest_other_cpu(), PRIO_LOW, reflect_body), KIDE_OK);
    CHECK(WAIT_FOR(rr.stage, 5000));
    EXPECT_ST(set_reflect(t.ec, (u64)krt_reflect_return, 0, foreign_ret(page)), KIDE_OK);
    rr.go = 1;
    CHECK(WAIT_FOR(rr.finished, 5000));
    CHECK_EQ(rr.st[0], KIDE_OK);
    CHECK_EQ(rr.v[0], KIDE_SYS_NULL);
    CHECK_EQ(rr.st[1], KIDE_OK);
    CHECK_EQ(rr.st[2], KIDE_BAD_ADDR);
    CHECK_EQ(rr.v[1], KIDE_SYS_NULL);
    CHECK_EQ(rr.st[3], KIDE_OK);
    CHECK_EQ(rr.v[2], KIDE_OK);
    CHECK_EQ(rr.st[4], KIDE_OK);
    CHECK_EQ(rr.v[3], KIDE_SYS_NULL);
    CHECK_EQ(rr.st[5], KIDE_OK);
    CHECK_EQ(rr.v[4], KIDE_OK);
    CHECK_EQ(rr.st[6], KIDE_OK);
    CHECK_EQ(rr.v[5], KIDE_OK);
    /* The reflected ctrl_ec came back with RAX = its own call word. */
    CHECK_EQ(rr.v[6], KIDE_SYS_WORD(KIDE_SYS_CTRL_EC, KIDE_CTRL_EC_POSIX, 0));
    CHECK_EQ(rr.v[7], KIDE_OK);
    CHECK_EQ(rr.v[8], KIDE_SYS_NULL);
    CHECK_EQ(t.exc_count, 0);
out:
    krt_thread_destroy(&t);
    if (page)
        krt_page_free(page);
}

/* ---- every register kept ---- */

/* posix_probe(target) loads every GPR with a pattern (RCX and R11 too),
 * XMM3 and XMM15 with probe_xmm_in, sets DF and jumps to target (the
 * foreign `syscall`); posix_probe_entry, the reflection entry, stores what
 * it got in probe_out (RAX RBX RCX RDX RSI RDI RBP RSP R8..R15, then
 * RFLAGS) and probe_xmm_out, and returns from posix_probe. */
u64 probe_out[17], probe_xmm_out[4], probe_sp, probe_flags, probe_target;
const u64 probe_xmm_in[4] = {0x0123456789abcdefull, 0xfedcba9876543210ull, 0x1122334455667788ull,
                             0x99aabbccddeeff00ull};
void posix_probe(u64 target);
extern char posix_probe_entry[];

#define PAT(i) (0x5a5a5a5a00000000ull + (i))

__asm__(".text\n"
        ".global posix_probe, posix_probe_entry\n"
        "posix_probe:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    push %r13\n"
        "    push %r14\n"
        "    push %r15\n"
        "    mov %rsp, probe_sp(%rip)\n"
        "    mov %rdi, probe_target(%rip)\n"
        "    movdqu probe_xmm_in(%rip), %xmm3\n"
        "    movdqu probe_xmm_in+16(%rip), %xmm15\n"
        "    std\n"
        "    pushfq\n"
        "    popq probe_flags(%rip)\n"
        "    movabs $0x5a5a5a5a00000000, %rax\n"
        "    movabs $0x5a5a5a5a00000001, %rbx\n"
        "    movabs $0x5a5a5a5a00000002, %rcx\n"
        "    movabs $0x5a5a5a5a00000003, %rdx\n"
        "    movabs $0x5a5a5a5a00000004, %rsi\n"
        "    movabs $0x5a5a5a5a00000005, %rdi\n"
        "    movabs $0x5a5a5a5a00000006, %rbp\n"
        "    movabs $0x5a5a5a5a00000008, %r8\n"
        "    movabs $0x5a5a5a5a00000009, %r9\n"
        "    movabs $0x5a5a5a5a0000000a, %r10\n"
        "    movabs $0x5a5a5a5a0000000b, %r11\n"
        "    movabs $0x5a5a5a5a0000000c, %r12\n"
        "    movabs $0x5a5a5a5a0000000d, %r13\n"
        "    movabs $0x5a5a5a5a0000000e, %r14\n"
        "    movabs $0x5a5a5a5a0000000f, %r15\n"
        "    jmp *probe_target(%rip)\n"
        "posix_probe_entry:\n"
        "    mov %rax, probe_out(%rip)\n"
        "    mov %rbx, probe_out+8(%rip)\n"
        "    mov %rcx, probe_out+16(%rip)\n"
        "    mov %rdx, probe_out+24(%rip)\n"
        "    mov %rsi, probe_out+32(%rip)\n"
        "    mov %rdi, probe_out+40(%rip)\n"
        "    mov %rbp, probe_out+48(%rip)\n"
        "    mov %rsp, probe_out+56(%rip)\n"
        "    mov %r8, probe_out+64(%rip)\n"
        "    mov %r9, probe_out+72(%rip)\n"
        "    mov %r10, probe_out+80(%rip)\n"
        "    mov %r11, probe_out+88(%rip)\n"
        "    mov %r12, probe_out+96(%rip)\n"
        "    mov %r13, probe_out+104(%rip)\n"
        "    mov %r14, probe_out+112(%rip)\n"
        "    mov %r15, probe_out+120(%rip)\n"
        "    pushfq\n"
        "    popq probe_out+128(%rip)\n"
        "    cld\n"
        "    movdqu %xmm3, probe_xmm_out(%rip)\n"
        "    movdqu %xmm15, probe_xmm_out+16(%rip)\n"
        "    mov probe_sp(%rip), %rsp\n"
        "    pop %r15\n"
        "    pop %r14\n"
        "    pop %r13\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n");

static kide_sel probe_go;

/* Reflection was set by the root (by selector) before probe_go. */
static void probe_body(struct krt_ec *t)
{
    if (krt_sm_wait(probe_go, 5000) != KIDE_OK)
        return;
    posix_probe(t->arg[0]);
    t->result[0] = 1;
}

void test_posix_regs(void)
{
    static struct krt_ec t;
    u64 page = krt_foreign_page();
    memset(&t, 0, sizeof(t));
    memset(probe_out, 0, sizeof(probe_out));
    memset(probe_xmm_out, 0, sizeof(probe_xmm_out));
    probe_go = krt_sm_create(0);
    CHECK(page && probe_go);
    /* Jump straight to the copy's `syscall` (2 bytes before its return address). */
    u64 sys = foreign_ret(page) - 2;
    t.policy = ktest_stop_quiet;
    t.arg[0] = sys;
    EXPECT_ST(krt_thread_start(&t, ktest_other_cpu(), PRIO_CHILD, probe_body), KIDE_OK);
    EXPECT_ST(set_reflect(t.ec, (u64)posix_probe_entry, image_lo(), image_hi()), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, probe_go, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 5000), KIDE_OK);
    CHECK_EQ(t.result[0], 1);
    CHECK_EQ(t.exc_count, 0);
    for (unsigned i = 0; i < 16; i++) {
        if (i == 2) /* RCX: the return address */
            CHECK_EQ(probe_out[i], sys + 2);
        else if (i == 7) /* RSP */
            CHECK_EQ(probe_out[i], probe_sp);
        else if (i == 11) /* R11: RFLAGS at the syscall */
            CHECK_EQ(probe_out[i], probe_flags);
        else
            CHECK_EQ(probe_out[i], PAT(i));
    }
    CHECK(probe_flags & (1ull << 10));    /* DF was set ... */
    CHECK_EQ(probe_out[16], probe_flags); /* ... and RFLAGS came back whole */
    for (unsigned i = 0; i < 4; i++)
        CHECK_EQ(probe_xmm_out[i], probe_xmm_in[i]);
out:
    krt_thread_destroy(&t);
    krt_cap_drop(probe_go);
    if (page)
        krt_page_free(page);
}

/* ---- refused arguments and rights ---- */

static void block_body(struct krt_ec *t)
{
    krt_sm_wait(t->arg[0], 10000);
}

void test_posix_errors(void)
{
    static struct krt_ec t;
    static struct krt_child c;
    kide_sel sm = krt_sm_create(0), w = 0, wc = 0, empty = krt_sel_alloc(0);
    u64 e = (u64)krt_reflect_return, lo = image_lo(), hi = image_hi();
    memset(&t, 0, sizeof(t));
    CHECK(sm && empty);
    t.policy = ktest_stop_quiet;
    t.arg[0] = sm;
    EXPECT_ST(krt_thread_start(&t, 0, PRIO_CHILD, block_body), KIDE_OK);
    EXPECT_ST(set_reflect(t.ec, e, lo, hi), KIDE_OK);
    EXPECT_ST(set_reflect(t.ec, 0, 0, 0), KIDE_OK);
    EXPECT_ST(set_reflect(t.ec, 0, 5, 1), KIDE_OK); /* off: the range is ignored */
    EXPECT_ST(set_reflect(t.ec, e, 0, KIDE_USER_END), KIDE_OK);
    /* entry */
    EXPECT_ST(set_reflect(t.ec, KIDE_USER_END, lo, hi), KIDE_BAD_ADDR);
    EXPECT_ST(set_reflect(t.ec, NONCANON, lo, hi), KIDE_BAD_ADDR);
    EXPECT_ST(set_reflect(t.ec, ~0ull, lo, hi), KIDE_BAD_ADDR);
    /* range */
    EXPECT_ST(set_reflect(t.ec, e, lo, KIDE_USER_END + 1), KIDE_BAD_ADDR);
    EXPECT_ST(set_reflect(t.ec, e, lo, ~0ull), KIDE_BAD_ADDR);
    EXPECT_ST(set_reflect(t.ec, e, NONCANON, ~0ull), KIDE_BAD_ADDR);
    EXPECT_ST(set_reflect(t.ec, e, lo, lo), KIDE_BAD_ADDR);
    EXPECT_ST(set_reflect(t.ec, e, hi, lo), KIDE_BAD_ADDR);
    /* FS base */
    EXPECT_ST(set_fs(t.ec, KIDE_USER_END), KIDE_BAD_ADDR);
    EXPECT_ST(set_fs(t.ec, 0xffffffffffff0000ull), KIDE_BAD_ADDR);
    EXPECT_ST(set_fs(t.ec, KIDE_USER_END - 8), KIDE_OK);
    EXPECT_ST(set_fs(t.ec, 0), KIDE_OK);
    /* not an EC, no EC_CTRL, unknown op */
    EXPECT_ST(set_reflect(sm, e, lo, hi), KIDE_BAD_CAP);
    EXPECT_ST(set_fs(sm, 0), KIDE_BAD_CAP);
    EXPECT_ST(set_reflect(empty, e, lo, hi), KIDE_BAD_CAP);
    EXPECT_ST(set_fs(empty, 0), KIDE_BAD_CAP);
    w = ktest_weak(t.ec, KIDE_PERM_ALL & ~KIDE_EC_CTRL);
    CHECK(w);
    EXPECT_ST(set_reflect(w, e, lo, hi), KIDE_BAD_PERM);
    EXPECT_ST(set_fs(w, 0), KIDE_BAD_PERM);
    EXPECT_ST(kide_ctrl_ec(4, t.ec, 0, 0, 0, NULL, NULL, NULL), KIDE_BAD_SYSCALL);
    /* An EC of another PD: with EC_CTRL allowed, without refused. */
    CHECK(ktest_helper(&c, H_SPIN, ktest_other_cpu(), NULL, 0) == KIDE_OK);
    EXPECT_ST(set_fs(c.ec[0].ec, 0x1000), KIDE_OK);
    EXPECT_ST(set_reflect(c.ec[0].ec, 0x1000, 0x2000, 0x3000), KIDE_OK);
    EXPECT_ST(set_reflect(c.ec[0].ec, 0, 0, 0), KIDE_OK);
    wc = ktest_weak(c.ec[0].ec, KIDE_PERM_ALL & ~KIDE_EC_CTRL);
    CHECK(wc);
    EXPECT_ST(set_reflect(wc, e, lo, hi), KIDE_BAD_PERM);
    EXPECT_ST(set_fs(wc, 0x1000), KIDE_BAD_PERM);
    CHECK(WAIT_FOR(c.info->res[0] > 1000, 5000)); /* its FS base did not bother it */
    /* The thread still runs normally: reflection left on only concerns
     * foreign code. */
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, sm, 0), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 5000), KIDE_OK);
    CHECK_EQ(t.exc_count, 0);
out:
    krt_child_destroy(&c);
    krt_cap_drop(w);
    krt_cap_drop(wc);
    krt_thread_destroy(&t);
    krt_cap_drop(sm);
    krt_sel_free(empty, 0);
}

/* ---- FS bases ---- */

#define FS_ROUNDS 200

static u64 tls_a[2] __attribute__((aligned(16))) = {MAGIC_A, 0};
static u64 tls_b[2] __attribute__((aligned(16))) = {MAGIC_B, 0};
static kide_sel fs_s1, fs_s2, fs_go, fs_c;

/* A: sets its own base (a1 = 0), then takes turns with B; at the end loads
 * a selector into FS (its base becomes 0) and wakes C. */
static void fs_body_a(struct krt_ec *t)
{
    t->result[1] = (u64)set_fs(0, (u64)tls_a);
    for (unsigned i = 0; i < FS_ROUNDS; i++) {
        if (fs_read() != MAGIC_A)
            t->result[2]++;
        kide_ctrl_sm(KIDE_CTRL_SM_UP, fs_s2, 0);
        if (krt_sm_wait(fs_s1, 5000) != KIDE_OK)
            return;
        t->result[0]++;
    }
    __asm__ volatile("mov %%ss, %%ax\n\tmov %%ax, %%fs" ::: "rax", "memory");
    kide_ctrl_sm(KIDE_CTRL_SM_UP, fs_c, 0);
}

/* B: its base was set by the root (by selector) before fs_go. */
static void fs_body_b(struct krt_ec *t)
{
    if (krt_sm_wait(fs_go, 5000) != KIDE_OK)
        return;
    for (unsigned i = 0; i < FS_ROUNDS; i++) {
        if (krt_sm_wait(fs_s2, 5000) != KIDE_OK)
            return;
        if (fs_read() != MAGIC_B)
            t->result[2]++;
        t->result[0]++;
        kide_ctrl_sm(KIDE_CTRL_SM_UP, fs_s1, 0);
    }
}

/* C: the same base as A; runs after A reset A's own FS: the kernel must
 * load C's base even though the value it last loaded was the same. */
static void fs_body_c(struct krt_ec *t)
{
    t->result[1] = (u64)set_fs(0, (u64)tls_a);
    if (krt_sm_wait(fs_c, 10000) != KIDE_OK)
        return;
    t->result[0] = fs_read() == MAGIC_A ? 1 : 2;
}

void test_posix_fs(void)
{
    static struct krt_ec a, b, c;
    unsigned cpu = ktest_other_cpu();
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    memset(&c, 0, sizeof(c));
    fs_s1 = krt_sm_create(0);
    fs_s2 = krt_sm_create(0);
    fs_go = krt_sm_create(0);
    fs_c = krt_sm_create(0);
    CHECK(fs_s1 && fs_s2 && fs_go && fs_c);
    a.policy = b.policy = c.policy = ktest_stop_quiet;
    EXPECT_ST(krt_thread_start(&c, cpu, PRIO_CHILD, fs_body_c), KIDE_OK);
    EXPECT_ST(krt_thread_start(&b, cpu, PRIO_CHILD, fs_body_b), KIDE_OK);
    EXPECT_ST(set_fs(b.ec, (u64)tls_b), KIDE_OK);
    EXPECT_ST(kide_ctrl_sm(KIDE_CTRL_SM_UP, fs_go, 0), KIDE_OK);
    EXPECT_ST(krt_thread_start(&a, cpu, PRIO_CHILD, fs_body_a), KIDE_OK);
    EXPECT_ST(krt_sm_wait(b.done_sm, 10000), KIDE_OK);
    EXPECT_ST(krt_sm_wait(a.done_sm, 10000), KIDE_OK);
    EXPECT_ST(krt_sm_wait(c.done_sm, 10000), KIDE_OK);
    CHECK_EQ(a.result[1], KIDE_OK);
    CHECK_EQ(c.result[1], KIDE_OK);
    CHECK_EQ(a.result[0], FS_ROUNDS);
    CHECK_EQ(b.result[0], FS_ROUNDS);
    CHECK_EQ(a.result[2], 0); /* wrong FS:0 reads */
    CHECK_EQ(b.result[2], 0);
    CHECK_EQ(c.result[0], 1);
    CHECK_EQ(a.exc_count + b.exc_count + c.exc_count, 0);
out:
    krt_thread_destroy(&a);
    krt_thread_destroy(&b);
    krt_thread_destroy(&c);
    krt_cap_drop(fs_s1);
    krt_cap_drop(fs_s2);
    krt_cap_drop(fs_go);
    krt_cap_drop(fs_c);
}

/* Spins on another CPU reading FS:0 (no system call) until it sees B. */
static void fs_spin_body(struct krt_ec *t)
{
    set_fs(0, (u64)tls_a);
    while (fs_read() != MAGIC_B)
        t->result[1]++;
    t->result[0] = 1;
}

void test_posix_fs_remote(void)
{
    NEED_CPUS(2);
    static struct krt_ec t;
    memset(&t, 0, sizeof(t));
    t.policy = ktest_stop_quiet;
    EXPECT_ST(krt_thread_start(&t, ktest_cpus() - 1, PRIO_HIGH, fs_spin_body), KIDE_OK);
    CHECK(WAIT_FOR(t.result[1] > 1000, 2000));
    EXPECT_ST(set_fs(t.ec, (u64)tls_b), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 2000), KIDE_OK);
    CHECK_EQ(t.result[0], 1);
    CHECK_EQ(t.exc_count, 0);
out:
    krt_thread_destroy(&t);
}

/* ---- cost ---- */

#define COST_N 2000
static u64 cost_null[COST_N], cost_refl[COST_N];

static inline u64 tsc(void)
{
    u32 lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return (u64)hi << 32 | lo;
}

static u64 median(u64 *v, unsigned n)
{
    for (unsigned gap = n / 2; gap; gap /= 2) /* shell sort */
        for (unsigned i = gap; i < n; i++)
            for (unsigned j = i; j >= gap && v[j - gap] > v[j]; j -= gap) {
                u64 x = v[j];
                v[j] = v[j - gap];
                v[j - gap] = x;
            }
    return v[n / 2];
}

/* result[0] = null median, [1] = reflected median, [2] = reflected calls
 * that came back changed (must be 0). */
static void cost_body(struct krt_ec *t)
{
    foreign_fn f = (foreign_fn)t->arg[0];
    for (unsigned i = 0; i < COST_N; i++) {
        u64 t0 = tsc();
        kide_null();
        cost_null[i] = tsc() - t0;
    }
    if (set_reflect(0, (u64)krt_reflect_return, image_lo(), image_hi()) != KIDE_OK)
        return;
    for (unsigned i = 0; i < COST_N; i++) {
        u64 t0 = tsc();
        u64 r = f(KIDE_SYS_NULL);
        cost_refl[i] = tsc() - t0;
        if (r != KIDE_SYS_NULL)
            t->result[2]++;
    }
    set_reflect(0, 0, 0, 0);
    t->result[0] = median(cost_null, COST_N);
    t->result[1] = median(cost_refl, COST_N);
}

void test_posix_cost(void)
{
    static struct krt_ec t;
    u64 page = krt_foreign_page();
    memset(&t, 0, sizeof(t));
    CHECK(page);
    t.policy = ktest_stop_quiet;
    t.arg[0] = page;
    EXPECT_ST(krt_thread_start(&t, ktest_other_cpu(), PRIO_CHILD, cost_body), KIDE_OK);
    EXPECT_ST(krt_sm_wait(t.done_sm, 20000), KIDE_OK);
    CHECK(t.result[0] && t.result[1]);
    CHECK_EQ(t.result[2], 0);
    /* A measurement, not a criterion (docs/benchmarks.md has the figures). */
    printf("ktest: posix_cost: null syscall median %lu, reflected syscall round trip median %lu "
           "TSC ticks (n=%u)\n",
           t.result[0], t.result[1], COST_N);
out:
    krt_thread_destroy(&t);
    if (page)
        krt_page_free(page);
}
