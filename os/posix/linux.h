/* SPDX-License-Identifier: MIT */
/* The parts of the Linux x86_64 user ABI the runtime speaks: error numbers,
 * system-call numbers, flags and the few structures it fills in. Written from
 * the documented ABI (man pages, the psABI); only what the runtime uses.
 */
#ifndef POSIX_LINUX_H
#define POSIX_LINUX_H

#include <kide/types.h>

/* errno values (asm-generic/errno-base.h numbering, which x86_64 uses). */
#define L_EPERM        1
#define L_ENOENT       2
#define L_ESRCH        3
#define L_EINTR        4
#define L_EIO          5
#define L_EBADF        9
#define L_ECHILD       10
#define L_EAGAIN       11
#define L_ENOMEM       12
#define L_EACCES       13
#define L_EFAULT       14
#define L_EBUSY        16
#define L_EEXIST       17
#define L_EINVAL       22
#define L_ENFILE       23
#define L_EMFILE       24
#define L_ENOTTY       25
#define L_ERANGE       34
#define L_ENAMETOOLONG 36
#define L_ENOSYS       38
#define L_ETIMEDOUT    110

/* System-call numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
enum {
    L_SYS_read = 0,
    L_SYS_write = 1,
    L_SYS_open = 2,
    L_SYS_close = 3,
    L_SYS_stat = 4,
    L_SYS_fstat = 5,
    L_SYS_lstat = 6,
    L_SYS_poll = 7,
    L_SYS_lseek = 8,
    L_SYS_mmap = 9,
    L_SYS_mprotect = 10,
    L_SYS_munmap = 11,
    L_SYS_brk = 12,
    L_SYS_rt_sigaction = 13,
    L_SYS_rt_sigprocmask = 14,
    L_SYS_rt_sigreturn = 15,
    L_SYS_ioctl = 16,
    L_SYS_pread64 = 17,
    L_SYS_pwrite64 = 18,
    L_SYS_readv = 19,
    L_SYS_writev = 20,
    L_SYS_access = 21,
    L_SYS_pipe = 22,
    L_SYS_select = 23,
    L_SYS_sched_yield = 24,
    L_SYS_mremap = 25,
    L_SYS_madvise = 28,
    L_SYS_dup = 32,
    L_SYS_dup2 = 33,
    L_SYS_nanosleep = 35,
    L_SYS_getpid = 39,
    L_SYS_clone = 56,
    L_SYS_fork = 57,
    L_SYS_vfork = 58,
    L_SYS_execve = 59,
    L_SYS_exit = 60,
    L_SYS_wait4 = 61,
    L_SYS_kill = 62,
    L_SYS_uname = 63,
    L_SYS_fcntl = 72,
    L_SYS_fsync = 74,
    L_SYS_fdatasync = 75,
    L_SYS_ftruncate = 77,
    L_SYS_getcwd = 79,
    L_SYS_chdir = 80,
    L_SYS_rename = 82,
    L_SYS_mkdir = 83,
    L_SYS_rmdir = 84,
    L_SYS_unlink = 87,
    L_SYS_readlink = 89,
    L_SYS_umask = 95,
    L_SYS_gettimeofday = 96,
    L_SYS_getrlimit = 97,
    L_SYS_sysinfo = 99,
    L_SYS_getuid = 102,
    L_SYS_getgid = 104,
    L_SYS_setuid = 105,
    L_SYS_setgid = 106,
    L_SYS_geteuid = 107,
    L_SYS_getegid = 108,
    L_SYS_setpgid = 109,
    L_SYS_getppid = 110,
    L_SYS_getpgrp = 111,
    L_SYS_setsid = 112,
    L_SYS_getgroups = 115,
    L_SYS_getpgid = 121,
    L_SYS_getsid = 124,
    L_SYS_rt_sigpending = 127,
    L_SYS_rt_sigsuspend = 130,
    L_SYS_sigaltstack = 131,
    L_SYS_sched_getparam = 143,
    L_SYS_sched_getscheduler = 145,
    L_SYS_prctl = 157,
    L_SYS_arch_prctl = 158,
    L_SYS_setrlimit = 160,
    L_SYS_gettid = 186,
    L_SYS_tkill = 200,
    L_SYS_time = 201,
    L_SYS_futex = 202,
    L_SYS_sched_setaffinity = 203,
    L_SYS_sched_getaffinity = 204,
    L_SYS_getdents64 = 217,
    L_SYS_set_tid_address = 218,
    L_SYS_clock_gettime = 228,
    L_SYS_clock_getres = 229,
    L_SYS_clock_nanosleep = 230,
    L_SYS_exit_group = 231,
    L_SYS_epoll_wait = 232,
    L_SYS_epoll_ctl = 233,
    L_SYS_tgkill = 234,
    L_SYS_openat = 257,
    L_SYS_mkdirat = 258,
    L_SYS_newfstatat = 262,
    L_SYS_unlinkat = 263,
    L_SYS_renameat = 264,
    L_SYS_readlinkat = 267,
    L_SYS_faccessat = 269,
    L_SYS_pselect6 = 270,
    L_SYS_ppoll = 271,
    L_SYS_set_robust_list = 273,
    L_SYS_get_robust_list = 274,
    L_SYS_epoll_pwait = 281,
    L_SYS_dup3 = 292,
    L_SYS_pipe2 = 293,
    L_SYS_epoll_create1 = 291,
    L_SYS_prlimit64 = 302,
    L_SYS_getcpu = 309,
    L_SYS_renameat2 = 316,
    L_SYS_getrandom = 318,
    L_SYS_membarrier = 324,
    L_SYS_rseq = 334,
    L_SYS_statx = 332,
    L_SYS_faccessat2 = 439,
    L_SYS_MAX = 512, /* the table's size: numbers at or above it are unknown */
};

/* mmap and friends */
#define L_PROT_NONE           0x0
#define L_PROT_READ           0x1
#define L_PROT_WRITE          0x2
#define L_PROT_EXEC           0x4
#define L_MAP_SHARED          0x01
#define L_MAP_PRIVATE         0x02
#define L_MAP_TYPE            0x0f
#define L_MAP_FIXED           0x10
#define L_MAP_ANONYMOUS       0x20
#define L_MAP_NORESERVE       0x4000
#define L_MAP_GROWSDOWN       0x0100
#define L_MAP_DENYWRITE       0x0800
#define L_MAP_EXECUTABLE      0x1000
#define L_MAP_LOCKED          0x2000
#define L_MAP_POPULATE        0x8000
#define L_MAP_NONBLOCK        0x10000
#define L_MAP_STACK           0x20000
#define L_MAP_HUGETLB         0x40000
#define L_MAP_FIXED_NOREPLACE 0x100000
#define L_MREMAP_MAYMOVE      1
#define L_MREMAP_FIXED        2

/* clone */
#define L_CSIGNAL              0x000000ff
#define L_CLONE_VM             0x00000100
#define L_CLONE_FS             0x00000200
#define L_CLONE_FILES          0x00000400
#define L_CLONE_SIGHAND        0x00000800
#define L_CLONE_THREAD         0x00010000
#define L_CLONE_SYSVSEM        0x00040000
#define L_CLONE_SETTLS         0x00080000
#define L_CLONE_PARENT_SETTID  0x00100000
#define L_CLONE_CHILD_CLEARTID 0x00200000
#define L_CLONE_DETACHED       0x00400000
#define L_CLONE_CHILD_SETTID   0x01000000

/* futex */
#define L_FUTEX_WAIT             0
#define L_FUTEX_WAKE             1
#define L_FUTEX_REQUEUE          3
#define L_FUTEX_CMP_REQUEUE      4
#define L_FUTEX_WAIT_BITSET      9
#define L_FUTEX_WAKE_BITSET      10
#define L_FUTEX_PRIVATE_FLAG     128
#define L_FUTEX_CLOCK_REALTIME   256
#define L_FUTEX_BITSET_MATCH_ANY 0xffffffffu

/* arch_prctl */
#define L_ARCH_SET_GS 0x1001
#define L_ARCH_SET_FS 0x1002
#define L_ARCH_GET_FS 0x1003
#define L_ARCH_GET_GS 0x1004

/* clocks */
#define L_CLOCK_REALTIME           0
#define L_CLOCK_MONOTONIC          1
#define L_CLOCK_PROCESS_CPUTIME_ID 2
#define L_CLOCK_THREAD_CPUTIME_ID  3
#define L_CLOCK_MONOTONIC_RAW      4
#define L_CLOCK_REALTIME_COARSE    5
#define L_CLOCK_MONOTONIC_COARSE   6
#define L_CLOCK_BOOTTIME           7
#define L_TIMER_ABSTIME            1

/* rlimits */
#define L_RLIMIT_CPU    0
#define L_RLIMIT_FSIZE  1
#define L_RLIMIT_DATA   2
#define L_RLIMIT_STACK  3
#define L_RLIMIT_CORE   4
#define L_RLIMIT_NOFILE 7
#define L_RLIMIT_AS     9
#define L_RLIM_NLIMITS  16
#define L_RLIM_INFINITY (~0ull)

/* signals */
#define L_SIGHUP       1
#define L_SIGINT       2
#define L_SIGQUIT      3
#define L_SIGILL       4
#define L_SIGTRAP      5
#define L_SIGABRT      6
#define L_SIGBUS       7
#define L_SIGFPE       8
#define L_SIGKILL      9
#define L_SIGUSR1      10
#define L_SIGSEGV      11
#define L_SIGUSR2      12
#define L_SIGPIPE      13
#define L_SIGALRM      14
#define L_SIGTERM      15
#define L_SIGCHLD      17
#define L_SIGCONT      18
#define L_SIGSTOP      19
#define L_SIGTSTP      20
#define L_SIGTTIN      21
#define L_SIGTTOU      22
#define L_SIGURG       23
#define L_SIGWINCH     28
#define L_NSIG         64
#define L_SIG_DFL      0ul
#define L_SIG_IGN      1ul
#define L_SIG_BLOCK    0
#define L_SIG_UNBLOCK  1
#define L_SIG_SETMASK  2
#define L_SA_SIGINFO   0x00000004ul
#define L_SA_RESTORER  0x04000000ul
#define L_SA_ONSTACK   0x08000000ul
#define L_SA_NODEFER   0x40000000ul
#define L_SA_RESETHAND 0x80000000ul

/* auxiliary vector */
#define L_AT_NULL     0
#define L_AT_PHDR     3
#define L_AT_PHENT    4
#define L_AT_PHNUM    5
#define L_AT_PAGESZ   6
#define L_AT_BASE     7
#define L_AT_FLAGS    8
#define L_AT_ENTRY    9
#define L_AT_UID      11
#define L_AT_EUID     12
#define L_AT_GID      13
#define L_AT_EGID     14
#define L_AT_PLATFORM 15
#define L_AT_HWCAP    16
#define L_AT_CLKTCK   17
#define L_AT_SECURE   23
#define L_AT_RANDOM   25
#define L_AT_HWCAP2   26
#define L_AT_EXECFN   31

/* getrandom */
#define L_GRND_NONBLOCK 1
#define L_GRND_RANDOM   2
#define L_GRND_INSECURE 4

struct l_timespec {
    kide_i64 tv_sec;
    kide_i64 tv_nsec;
};
struct l_timeval {
    kide_i64 tv_sec;
    kide_i64 tv_usec;
};
struct l_utsname {
    char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};
struct l_rlimit {
    kide_u64 cur, max;
};
struct l_sysinfo {
    kide_i64 uptime;
    kide_u64 loads[3];
    kide_u64 totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    kide_u16 procs, pad;
    kide_u32 pad2;
    kide_u64 totalhigh, freehigh;
    kide_u32 mem_unit;
    char reserved[4];
};
/* The kernel's struct sigaction for rt_sigaction (not libc's). */
struct l_sigaction {
    kide_u64 handler;
    kide_u64 flags;
    kide_u64 restorer;
    kide_u64 mask;
};
struct l_stack {
    kide_u64 sp;
    int flags;
    int pad;
    kide_u64 size;
};

#endif
