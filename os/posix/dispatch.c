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

void posix_syscall(struct posix_frame *f)
{
    kide_u64 nr = f->rax;
    posix_sys_fn fn = nr < L_SYS_MAX ? posix_syscall_table[nr] : 0;
    long r;
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
    if (!posix_user_ok((void *)(f->rsp - 144), 16, 1)) {
        posix_log("posix: %s: stack pointer %p is not writable memory", posix.name, (void *)f->rsp);
        posix_exit(0, L_SIGSEGV);
    }
    posix_frame_finish(f);
}
