/* SPDX-License-Identifier: MIT */
/* From the entry stub to a system call and back: the number indexes the one
 * table; an unknown number gets -ENOSYS and one log line per number naming
 * the program. Pending signals that became deliverable are handled on the
 * way out; posix_frame_finish then puts RFLAGS and the return address where
 * entry.S's return path takes them.
 */
#include <kide/base.h>
#include "posix.h"
#include "uaccess.h"

struct posix_frame *posix_cur(void)
{
    int i = posix_self();
    return (struct posix_frame *)(posix_kstack_top[i] - sizeof(struct posix_frame));
}

void posix_frame_finish(struct posix_frame *f)
{
    kide_u64 *w = (kide_u64 *)(f->rsp - 144);
    w[0] = f->r11; /* RFLAGS, for popfq */
    w[1] = f->rcx; /* the return address, for ret $128 */
    f->ret_sp = (kide_u64)w;
}

static void unknown(kide_u64 nr)
{
    int first = 1;
    kide_mutex_lock(&posix.lock);
    if (nr < L_SYS_MAX) {
        first = !(posix.unknown_logged[nr / 8] & (1u << (nr % 8)));
        posix.unknown_logged[nr / 8] |= (kide_u8)(1u << (nr % 8));
    }
    kide_mutex_unlock(&posix.lock);
    if (first)
        posix_log("posix: %s: system call %lu is not supported (ENOSYS)", posix.name,
                  (unsigned long)nr);
}

/* The 16 bytes at lo the way back writes must be writable program memory.
 * The area found last time is remembered with the map's generation, so the
 * common case (the same stack, no unmap since) takes no lock. */
static int stack_ok(kide_u64 lo)
{
    struct posix_thread *t = &posix.thread[posix_self()];
    if (lo >= t->stk_lo && lo + 16 <= t->stk_hi && lo + 16 > lo && t->stk_gen == posix.vm_gen)
        return 1;
    kide_mutex_lock(&posix.lock);
    int ok = posix_vm_access(&posix.vm, lo, 16, 1);
    const struct posix_vm_area *a = ok ? posix_vm_area_at(&posix.vm, lo) : 0;
    if (a) {
        t->stk_lo = a->start;
        t->stk_hi = a->end;
        t->stk_gen = posix.vm_gen;
    }
    kide_mutex_unlock(&posix.lock);
    return ok;
}

void posix_syscall(struct posix_frame *f)
{
    kide_u64 nr = f->rax;
    posix_sys_fn fn = nr < L_SYS_MAX ? posix_syscall_table[nr] : 0;
    long r;
    posix_munmap_deferred(); /* a munmap of its own stack, after the way back */
    if (fn) {
        r = fn((long)f->rdi, (long)f->rsi, (long)f->rdx, (long)f->r10, (long)f->r8, (long)f->r9);
    } else {
        unknown(nr);
        r = -L_ENOSYS;
    }
    if (nr != L_SYS_rt_sigreturn)
        f->rax = (kide_u64)r;
    /* Returning onto a stack the program cannot write would fault it in the
     * return path: end it like Linux would (SIGSEGV). */
    if (posix.pending)
        posix_signal_deliver_pending(f);
    if (!stack_ok(f->rsp - 144)) {
        posix_log("posix: %s: stack pointer %p is not writable memory", posix.name, (void *)f->rsp);
        posix_exit(0, L_SIGSEGV);
    }
    posix_frame_finish(f);
}
