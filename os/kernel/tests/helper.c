/* SPDX-License-Identifier: MIT */
/* ktest-helper: the child PD the kernel test suite and the fuzzer start.
 *
 * One binary, many small behaviours (proto.h): the root picks one through the
 * info page and observes the result there, in the exception messages the
 * helper causes and in its exit code. A helper holds only what the root
 * delegated to it; it never touches the root's memory.
 */
#include <krt/spawn.h>
#include "proto.h"
#include "victim.h"

#define A(i) (krt_info->arg[i])

/* ---- portal handlers ---- */

void krt_portal_entry(u64 id, u64 msg, struct kide_utcb *utcb)
{
    unsigned n = KIDE_MSG_UNTYPED(msg);
    switch (id) {
    case H_PT_ECHO:
        if (n > KIDE_UTCB_WORDS)
            n = KIDE_UTCB_WORDS;
        for (unsigned i = 0; i < n; i++)
            utcb->words[i] += 1;
        utcb->msg = KIDE_MSG(n, 0);
        break;
    case H_PT_BLOCK:
        for (;;)
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, A(0), 0);
    case H_PT_WATCH: {
        volatile u64 *x = (volatile u64 *)A(0);
        u64 v1 = *x, v2 = v1, i = 0;
        for (; i < H_WATCH_SPINS && v2 == v1; i++)
            v2 = *x;
        utcb->words[2] = i;
        utcb->rcv_crd = KIDE_CRD(KIDE_CRD_MEM, A(0) >> 12, 0, KIDE_MEM_RWX);
        utcb->words[0] = v1;
        utcb->words[1] = v2;
        utcb->msg = KIDE_MSG(3, 0);
        break;
    }
    case H_PT_FORWARD:
        utcb->msg = KIDE_MSG(1, 0);
        utcb->rcv_crd = 0;
        utcb->words[0] = (u64)kide_call(A(1));
        utcb->msg = KIDE_MSG(1, 0);
        break;
    default:
        utcb->msg = 0;
    }
}

/* ---- fuzz victim (victim.h) ---- */

static u64 victim_buf[VICTIM_WORDS];

static u64 checksum(void)
{
    u64 c = 0;
    for (unsigned i = 0; i < VICTIM_WORDS; i++)
        c = victim_fold(c, victim_buf[i]);
    return c;
}

/* arg0: the root's victim portal, arg1: iterations (0: until stop), arg2: seed.
 * res0: iterations, res1: errors, res2: accumulator, res3: last bad status. */
static BASE_NORETURN void victim(struct kide_utcb *u)
{
    u64 seed = A(2) | 1, s = seed;
    for (unsigned i = 0; i < VICTIM_WORDS; i++)
        victim_buf[i] = victim_next(&s);
    u64 sum0 = checksum();
    u64 iter = 0, errors = 0, acc = seed;
    while (!krt_info->stop && (A(1) == 0 || iter < A(1))) {
        if ((iter & 7) == 0 && checksum() != sum0)
            errors++;
        u64 words[VICTIM_MSG];
        for (unsigned k = 0; k < VICTIM_MSG; k++)
            words[k] = u->words[k] = victim_next(&s);
        u->msg = KIDE_MSG(VICTIM_MSG, 0);
        u->rcv_crd = 0;
        int st = kide_call(A(0));
        if (st != KIDE_OK || KIDE_MSG_UNTYPED(u->msg) != VICTIM_MSG) {
            errors++;
            krt_info->res[3] = (u64)st | 0x100;
        } else {
            for (unsigned k = 0; k < VICTIM_MSG; k++) {
                if (u->words[k] != victim_f(words[k], k))
                    errors++;
                acc = victim_fold(acc, u->words[k]);
            }
        }
        iter++;
        krt_info->res[1] = errors;
        krt_info->res[2] = acc;
        krt_info->res[0] = iter;
    }
    krt_exit(errors ? 1 : 0);
}

/* ---- syscall table ---- */

static void syscalls(void)
{
    volatile struct helper_sys *t = (volatile struct helper_sys *)krt_info->scratch;
    for (unsigned i = 0; i < H_SYS_MAX && t[i].word; i++) {
        if (t[i].word == ~0ull) {
            /* barrier: up sm a0 (done), down sm a1 (go) */
            kide_ctrl_sm(KIDE_CTRL_SM_UP, t[i].a[0], 0);
            t[i].st = (u64)kide_ctrl_sm(KIDE_CTRL_SM_DOWN, t[i].a[1], 0);
            continue;
        }
        u64 r[3] = {0, 0, 0};
        t[i].st = (u64)kide_syscall(t[i].word, t[i].a[0], t[i].a[1], t[i].a[2], t[i].a[3],
                                    t[i].a[4], t[i].a[5], r);
        t[i].r[0] = r[0], t[i].r[1] = r[1], t[i].r[2] = r[2];
    }
}

static volatile u64 zero;

/* H_INSN: instructions user code may not get away with. */
static __attribute__((noinline)) void insn(u64 which)
{
    switch (which) {
    case INSN_DIV0: {
        u64 q = 1, d = zero; /* C may fold a division; the instruction may not */
        __asm__ volatile("xor %%edx, %%edx\n\tdivq %1" : "+a"(q) : "r"(d) : "rdx");
        krt_info->res[0] = q;
        break;
    }
    case INSN_HLT:
        __asm__ volatile("hlt");
        break;
    case INSN_CLI:
        __asm__ volatile("cli");
        break;
    case INSN_INT3:
        __asm__ volatile("int3");
        break;
    case INSN_INT80:
        __asm__ volatile("int $0x80");
        break;
    case INSN_NONCANON:
        krt_info->res[0] = *(volatile u64 *)0x8000000000001000ull;
        break;
    case INSN_KREAD:
        krt_info->res[0] = *(volatile u64 *)0xffffffff80100000ull;
        break;
    case INSN_CODEWRITE:
        *(volatile u8 *)(u64)krt_child_main = 0xc3;
        break;
    case INSN_TRAPFLAG:
        __asm__ volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\tnop\n\tnop" ::: "memory", "cc");
        break;
    case INSN_MOVCR3:
        __asm__ volatile("mov %%cr3, %%rax\n\tmov %%rax, %%cr3" ::: "rax");
        break;
    case INSN_WRMSR:
        __asm__ volatile("wrmsr" ::"c"(0xc0000082u), "a"(0), "d"(0));
        break;
    case INSN_SYSCALL_AT:
        __asm__ volatile("mov $15, %%eax\n\tjmp *%0" ::"r"(A(1)) : "rax", "rcx", "r11", "memory");
        break;
    case INSN_STD_SYSCALL: {
        u64 st;
        __asm__ volatile("std\n\tmov $15, %%eax\n\tsyscall\n\tcld"
                         : "=a"(st)
                         :
                         : "rcx", "r11", "memory");
        krt_info->res[0] = st;
        krt_exit(10);
    }
    case INSN_STD_SPIN: {
        u64 t0 = base_rdtsc(), n = 0;
        __asm__ volatile("std" ::: "memory");
        /* no calls in here: the C ABI wants DF clear across calls */
        while (base_rdtsc() - t0 < krt_info->arg[1])
            n++;
        __asm__ volatile("cld" ::: "memory");
        krt_info->res[0] = n;
        krt_exit(11);
    }
    case INSN_STD_UD2:
        __asm__ volatile("std\n\tud2\n\tcld" ::: "memory");
        break;
    case INSN_IRETQ:
        /* a frame that returns to ring 0 (kernel code selector 0x08) */
        __asm__ volatile(
                "lea 1f(%%rip), %%rax\n\tpushq $0\n\tpushq %%rsp\n\tpushfq\n\tpushq $0x08\n\t"
                "pushq %%rax\n\tiretq\n1:" ::
                        : "rax", "memory");
        break;
    }
}

void krt_child_main(struct kide_utcb *u)
{
    if ((u64)u != KRT_CHILD_UTCBS || krt_info->magic != KRT_CHILD_MAGIC)
        krt_exit(0xbad); /* only the main EC runs modes */
    switch (krt_info->mode) {
    case H_EXIT:
        krt_exit(A(0));
    case H_TOUCH: {
        volatile u64 *p = (volatile u64 *)A(0);
        *p = A(1);
        krt_info->res[0] = *p;
        krt_exit(7);
    }
    case H_READ_LOOP:
        while (!krt_info->stop) {
            krt_info->res[0] = *(volatile u64 *)A(0);
            krt_info->res[1]++;
        }
        krt_exit(0);
    case H_UD2: {
        u64 rax, rbx, fl;
        __asm__ volatile("xor %%eax, %%eax\n\txor %%ebx, %%ebx\n\tud2\n\tpushfq\n\tpop %2"
                         : "=a"(rax), "=b"(rbx), "=r"(fl)
                         :
                         : "memory");
        krt_info->res[0] = rax;
        krt_info->res[1] = rbx;
        krt_info->res[2] = fl;
        krt_exit(9);
    }
    case H_SPIN:
        while (!krt_info->stop)
            krt_info->res[0]++;
        krt_exit(0);
    case H_SM_DOWN:
        krt_info->res[0] = (u64)kide_ctrl_sm(KIDE_CTRL_SM_DOWN, A(0), 0);
        krt_exit(0);
    case H_IO_LOOP:
        while (!krt_info->stop) {
            krt_info->res[0] = base_inb((u16)A(0));
            krt_info->res[1]++;
        }
        krt_exit(0);
    case H_CALL: {
        u64 good = 0;
        int st = KIDE_OK;
        for (u64 i = 0; i < A(1); i++) {
            for (unsigned k = 0; k < 4; k++)
                u->words[k] = i * 4 + k;
            u->msg = KIDE_MSG(4, 0);
            st = kide_call(A(0));
            if (st == KIDE_OK && u->words[0] == i * 4 + 1)
                good++;
        }
        krt_info->res[0] = good;
        krt_info->res[1] = (u64)st;
        krt_exit(0);
    }
    case H_SERVER:
        while (!krt_info->stop)
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, A(0), base_now() + 10 * BASE_MS);
        krt_exit(0);
    case H_VICTIM:
        victim(u);
    case H_PRINT:
        printf("ktest-helper: hello from a child PD on cpu %lu\n", krt_info->cpu);
        krt_exit(0);
    case H_SYSCALLS:
        syscalls();
        krt_exit(0);
    case H_JUMP:
        ((void (*)(void))A(0))();
        krt_exit(5);
    case H_WRITE_LOOP:
        for (u64 i = 1; !krt_info->stop; i++) {
            *(volatile u64 *)A(0) = i;
            krt_info->res[1] = i;
        }
        krt_exit(0);
    case H_INSN:
        insn(A(0));
        krt_exit(8);
    }
    krt_exit(0xbad);
}
