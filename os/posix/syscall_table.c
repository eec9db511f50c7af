/* SPDX-License-Identifier: MIT */
/* The one table of Linux system calls, indexed by number (docs/posix.md has
 * the list with notes). NULL: -ENOSYS, logged once per number. The VFS's
 * calls (os/posix/vfs, vfs_syscalls[]: every file-descriptor call, umask,
 * getcwd, chdir, ...) are added by posix_table_init at start.
 */
#include "posix.h"
#include "vfs.h"

#define SYS(name) long sys_##name(long, long, long, long, long, long)
SYS(brk);
SYS(mmap);
SYS(munmap);
SYS(mprotect);
SYS(mremap);
SYS(madvise);
SYS(exit);
SYS(exit_group);
SYS(clone);
SYS(fork);
SYS(set_tid_address);
SYS(gettid);
SYS(arch_prctl);
SYS(futex);
SYS(clock_gettime);
SYS(clock_getres);
SYS(gettimeofday);
SYS(time);
SYS(nanosleep);
SYS(clock_nanosleep);
SYS(getpid);
SYS(getppid);
SYS(zero);
SYS(getpgrp);
SYS(sched_yield);
SYS(sched_getaffinity);
SYS(uname);
SYS(getrandom);
SYS(prlimit64);
SYS(getrlimit);
SYS(setrlimit);
SYS(sysinfo);
SYS(umask);
SYS(rt_sigaction);
SYS(rt_sigprocmask);
SYS(rt_sigpending);
SYS(rt_sigreturn);
SYS(sigaltstack);
SYS(kill);
SYS(tkill);
SYS(tgkill);

#define E(nr, fn) [L_SYS_##nr] = sys_##fn

posix_sys_fn posix_syscall_table[L_SYS_MAX] = {
        E(brk, brk),
        E(mmap, mmap),
        E(munmap, munmap),
        E(mprotect, mprotect),
        E(mremap, mremap),
        E(madvise, madvise),
        E(exit, exit),
        E(exit_group, exit_group),
        E(clone, clone),
        E(fork, fork),
        E(vfork, fork),
        E(set_tid_address, set_tid_address),
        E(gettid, gettid),
        E(arch_prctl, arch_prctl),
        E(futex, futex),
        E(clock_gettime, clock_gettime),
        E(clock_getres, clock_getres),
        E(gettimeofday, gettimeofday),
        E(time, time),
        E(nanosleep, nanosleep),
        E(clock_nanosleep, clock_nanosleep),
        E(getpid, getpid),
        E(getppid, getppid),
        E(getuid, zero),
        E(geteuid, zero),
        E(getgid, zero),
        E(getegid, zero),
        E(getpgrp, getpgrp),
        E(getpgid, getpgrp),
        E(getsid, getpgrp),
        E(set_robust_list, zero),
        E(sched_yield, sched_yield),
        E(sched_getaffinity, sched_getaffinity),
        E(uname, uname),
        E(getrandom, getrandom),
        E(prlimit64, prlimit64),
        E(getrlimit, getrlimit),
        E(setrlimit, setrlimit),
        E(sysinfo, sysinfo),
        E(umask, umask),
        E(rt_sigaction, rt_sigaction),
        E(rt_sigprocmask, rt_sigprocmask),
        E(rt_sigpending, rt_sigpending),
        E(rt_sigreturn, rt_sigreturn),
        E(sigaltstack, sigaltstack),
        E(kill, kill),
        E(tkill, tkill),
        E(tgkill, tgkill),
};

void posix_table_init(void)
{
    for (const struct vfs_syscall *s = vfs_syscalls; s->fn; s++)
        if (s->nr >= 0 && s->nr < L_SYS_MAX)
            posix_syscall_table[s->nr] = s->fn;
}
