/* SPDX-License-Identifier: MIT */
/* Signals, as far as one process needs them (docs/posix.md): actions and
 * masks are recorded; a signal the program sends itself (kill, tkill, tgkill
 * of its own pid or tids, so raise() and abort()) is ignored, left pending
 * while blocked, ends the program with that signal (default action:
 * exit code 128 + sig, the signal in core's report) or runs its handler
 * when the system call returns: a signal frame on the program's stack (below
 * the red zone) returns through the handler's restorer into rt_sigreturn,
 * which restores the registers and the mask. Signals from outside, timers
 * and CPU faults as signals (a fault ends the component; hoitaja's report
 * names the signal) are not delivered to handlers.
 */
#include <kide/base.h>
#include "posix.h"
#include "uaccess.h"

#define SIGFRAME_MAGIC 0x6b69646573696721ull /* "!gisedik" */
#define BIT(sig)       (1ull << ((sig)-1))
#define UNBLOCKABLE    (BIT(L_SIGKILL) | BIT(L_SIGSTOP))

struct sigframe {
    kide_u64 magic;
    kide_u64 mask; /* the mask to restore */
    struct posix_frame saved;
    kide_u8 info[128]; /* siginfo_t: signo, errno, code, pid, uid */
    kide_u8 uc[512];   /* ucontext_t: zero (no register state is exposed) */
};

static int default_ignored(int sig)
{
    return sig == L_SIGCHLD || sig == L_SIGURG || sig == L_SIGWINCH || sig == L_SIGCONT ||
           sig == L_SIGSTOP || sig == L_SIGTSTP || sig == L_SIGTTIN || sig == L_SIGTTOU;
}

static struct posix_thread *me(void)
{
    return &posix.thread[posix_self()];
}

/* Set f up to enter the handler of sig. 0, or -1 if the frame does not fit. */
static int enter_handler(struct posix_frame *f, int sig, const struct l_sigaction *act)
{
    struct posix_thread *t = me();
    kide_u64 top = f->rsp - 128;
    if ((act->flags & L_SA_ONSTACK) && t->altstack_size && !(t->altstack_flags & 2) &&
        !(f->rsp > t->altstack_sp && f->rsp <= t->altstack_sp + t->altstack_size))
        top = t->altstack_sp + t->altstack_size;
    kide_u64 body = (top - sizeof(struct sigframe)) & ~15ull;
    kide_u64 sp = body - 8;
    struct sigframe fr;
    memset(&fr, 0, sizeof(fr));
    fr.magic = SIGFRAME_MAGIC;
    fr.mask = t->sigmask;
    fr.saved = *f;
    int si[4] = {sig, 0, 0 /* SI_USER */, POSIX_PID};
    memcpy(fr.info, si, sizeof(si));
    kide_u64 ret = act->restorer;
    if (posix_copy_out((void *)body, &fr, sizeof(fr)) || posix_copy_out((void *)sp, &ret, 8))
        return -1;
    t->sigmask |= act->mask | (act->flags & L_SA_NODEFER ? 0 : BIT(sig));
    t->sigmask &= ~UNBLOCKABLE;
    if (act->flags & L_SA_RESETHAND)
        posix.act[sig].handler = L_SIG_DFL;
    f->rcx = act->handler;
    f->rsp = sp;
    f->rdi = (kide_u64)sig;
    f->rsi = body + __builtin_offsetof(struct sigframe, info);
    f->rdx = body + __builtin_offsetof(struct sigframe, uc);
    f->rax = 0;
    f->r11 &= ~(1ull << 10); /* DF clear on entry, as the psABI wants */
    return 0;
}

void posix_signal_raise(struct posix_frame *f, int sig)
{
    kide_mutex_lock(&posix.lock);
    struct l_sigaction act = posix.act[sig];
    struct posix_thread *t = me();
    if (act.handler == L_SIG_IGN || (act.handler == L_SIG_DFL && default_ignored(sig))) {
        kide_mutex_unlock(&posix.lock);
        return;
    }
    if ((t->sigmask & BIT(sig)) && !(UNBLOCKABLE & BIT(sig))) {
        posix.pending |= BIT(sig);
        kide_mutex_unlock(&posix.lock);
        return;
    }
    posix.pending &= ~BIT(sig);
    kide_mutex_unlock(&posix.lock);
    if (act.handler == L_SIG_DFL || enter_handler(f, sig, &act)) {
        posix_log("posix: %s: ended by signal %d", posix.name, sig);
        posix_exit(0, sig);
    }
}

void posix_signal_deliver_pending(struct posix_frame *f)
{
    kide_mutex_lock(&posix.lock);
    kide_u64 ready = posix.pending & ~me()->sigmask;
    kide_mutex_unlock(&posix.lock);
    if (ready)
        posix_signal_raise(f, __builtin_ctzll(ready) + 1);
}

long sys_rt_sigaction(long a0, long a1, long a2, long a3, long a4, long a5)
{
    int sig = (int)a0;
    if (sig < 1 || sig > L_NSIG || a3 != 8)
        return -L_EINVAL;
    struct l_sigaction nw, old;
    if (a1) {
        if (sig == L_SIGKILL || sig == L_SIGSTOP)
            return -L_EINVAL;
        if (posix_copy_in(&nw, (void *)a1, sizeof(nw)))
            return -L_EFAULT;
    }
    kide_mutex_lock(&posix.lock);
    old = posix.act[sig];
    if (a1)
        posix.act[sig] = nw;
    kide_mutex_unlock(&posix.lock);
    if (a2 && posix_copy_out((void *)a2, &old, sizeof(old)))
        return -L_EFAULT;
    return 0;
}

long sys_rt_sigprocmask(long a0, long a1, long a2, long a3, long a4, long a5)
{
    if (a3 != 8)
        return -L_EINVAL;
    struct posix_thread *t = me();
    kide_u64 set = 0, old = t->sigmask;
    if (a1) {
        if (posix_copy_in(&set, (void *)a1, 8))
            return -L_EFAULT;
        kide_u64 m = t->sigmask;
        switch (a0) {
        case L_SIG_BLOCK:
            m |= set;
            break;
        case L_SIG_UNBLOCK:
            m &= ~set;
            break;
        case L_SIG_SETMASK:
            m = set;
            break;
        default:
            return -L_EINVAL;
        }
        kide_mutex_lock(&posix.lock);
        t->sigmask = m & ~UNBLOCKABLE;
        kide_mutex_unlock(&posix.lock);
    }
    if (a2 && posix_copy_out((void *)a2, &old, 8))
        return -L_EFAULT;
    return 0; /* pending signals are delivered after the call (dispatch.c) */
}

long sys_rt_sigpending(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 p = posix.pending;
    return posix_copy_out((void *)a0, &p, 8);
}

long sys_sigaltstack(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct posix_thread *t = me();
    struct l_stack old = {t->altstack_sp, t->altstack_flags, 0, t->altstack_size}, nw;
    if (a0) {
        if (posix_copy_in(&nw, (void *)a0, sizeof(nw)))
            return -L_EFAULT;
        if (nw.flags & ~2)
            return -L_EINVAL;
        if (!(nw.flags & 2) && nw.size < 2048)
            return -L_ENOMEM;
        t->altstack_sp = nw.sp;
        t->altstack_size = nw.size;
        t->altstack_flags = nw.flags;
    }
    if (a1 && posix_copy_out((void *)a1, &old, sizeof(old)))
        return -L_EFAULT;
    return 0;
}

/* kill/tkill/tgkill: only the program itself is there to signal. */
static long send(struct posix_frame *f, int sig, int self)
{
    if (sig < 0 || sig > L_NSIG)
        return -L_EINVAL;
    if (!self)
        return -L_ESRCH;
    if (sig)
        posix_signal_raise(f, sig);
    return 0;
}

static int is_thread(long tid)
{
    for (unsigned i = 0; i < POSIX_THREADS_MAX; i++)
        if (posix.thread[i].state != PT_FREE && posix.thread[i].tid == tid)
            return 1;
    return 0;
}

#define posix_cur_frame posix_cur()

long sys_kill(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return send(posix_cur_frame, (int)a1,
                a0 == POSIX_PID || a0 == 0 || a0 == -1 || a0 == -POSIX_PID);
}

long sys_tkill(long a0, long a1, long a2, long a3, long a4, long a5)
{
    /* Another thread: its signal runs here, on the caller (documented). */
    return send(posix_cur_frame, (int)a1, is_thread(a0));
}

long sys_tgkill(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return send(posix_cur_frame, (int)a2, a0 == POSIX_PID && is_thread(a1));
}

long sys_rt_sigreturn(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct posix_frame *f = posix_cur_frame;
    struct sigframe fr;
    if (posix_copy_in(&fr, (void *)f->rsp, sizeof(fr)) || fr.magic != SIGFRAME_MAGIC) {
        posix_log("posix: %s: rt_sigreturn without a signal frame", posix.name);
        posix_exit(0, L_SIGSEGV);
    }
    struct posix_thread *t = me();
    kide_mutex_lock(&posix.lock);
    t->sigmask = fr.mask & ~UNBLOCKABLE;
    kide_mutex_unlock(&posix.lock);
    *f = fr.saved;
    return (long)f->rax;
}
