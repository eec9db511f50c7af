/* SPDX-License-Identifier: MIT */
/* From the entry stub to a system call and back: the number indexes the one
 * table; an unknown number gets -ENOSYS and one log line per number naming
 * the program. Pending signals that became deliverable are handled on the
 * way out (they may change the frame: rcx, r11 and rsp are where the
 * program resumes).
 */
#include <kide/base.h>
#include "posix.h"
#include "uaccess.h"

struct posix_frame *posix_cur(void)
{
    int i = posix_self();
    return (struct posix_frame *)(posix_kstack_top[i] - sizeof(struct posix_frame));
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
    if (posix.pending)
        posix_signal_deliver_pending(f);
}
