/* SPDX-License-Identifier: MIT */
/* kentry-root: the kernel's entry paths under hostile timing, run as the root
 * task by os/kernel/tests/entry-test.sh, which injects NMIs meanwhile.
 *
 * Phase 1, for `seconds` seconds: null system calls with RSP pointing into
 * the kernel's image. SYSCALL does not switch stacks, so an NMI (or #DB,
 * #PF) taken in the first instructions of syscall_entry would push its frame
 * at that address unless it has a stack of its own; and an NMI taken in user
 * mode is nobody's fault and must not reach this task as an exception (with
 * no handler it would stop the root task and panic the kernel).
 * Phase 2: a write to an unmapped page, with no handler: the kernel must print
 * its full fault report and stop, which the harness checks line by line.
 */
#include <krt.h>

/* An address in the kernel's image (upper half): hostile, but a plain value
 * to user mode, which never dereferences it. */
#define HOSTILE_RSP 0xffffffff80100000ul
#define UNMAPPED    0x10ul

static u64 null_calls_on_hostile_stack(u64 n)
{
    u64 done = 0;
    for (; done < n; done++) {
        u64 rax = 15; /* the null system call (os/kernel/syscalls.tab) */
        __asm__ volatile("mov %%rsp, %%r12\n\t"
                         "mov %[hostile], %%rsp\n\t"
                         "syscall\n\t"
                         "mov %%r12, %%rsp"
                         : "+a"(rax)
                         : [hostile] "r"(HOSTILE_RSP)
                         : "rcx", "r11", "r12", "rdi", "rsi", "rdx", "r8", "r9", "r10", "memory");
    }
    return done;
}

void krt_root_main(const struct kide_boot_info *bi)
{
    krt_root_init(bi);
    u64 seconds = base_cmdline_num(bi->modules[0].cmdline, "seconds", 4);
    printf("kentry: ready: null calls on a hostile stack for %lu s\n", seconds);
    u64 end = base_now() + seconds * 1000 * BASE_MS, calls = 0;
    while (base_now() < end)
        calls += null_calls_on_hostile_stack(1000);
    printf("kentry: %lu null calls survived\n", calls);
    printf("kentry: now a write to %lx with no handler\n", UNMAPPED);
    /* Through a register, so the compiler cannot prove the address bad. */
    volatile u64 *p;
    __asm__ volatile("mov %1, %0" : "=r"(p) : "i"(UNMAPPED));
    *p = 1;
    base_panic("kentry: FAIL the write to %lx did not fault", UNMAPPED);
}
