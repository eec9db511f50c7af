/* SPDX-License-Identifier: MIT */
/* Identity, uname, randomness, limits and the small calls: one process (pid
 * POSIX_PID, parent POSIX_PPID), user and group 0, one CPU visible to it.
 */
#include <kide/base.h>
#include "posix.h"
#include "uaccess.h"

long sys_getpid(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return POSIX_PID;
}

long sys_getppid(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return POSIX_PPID;
}

long sys_zero(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return 0; /* getuid, geteuid, getgid, getegid; set_robust_list; ... */
}

long sys_getpgrp(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return POSIX_PID;
}

long sys_sched_yield(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_sleep_ms(0);
    return 0;
}

long sys_sched_getaffinity(long a0, long a1, long a2, long a3, long a4, long a5)
{
    /* The program runs on its component's one CPU: CPU 0 of its mask. */
    if (a0 != 0 && a0 != POSIX_PID)
        return -L_ESRCH;
    if ((kide_u64)a1 < 8 || (a1 & 7))
        return -L_EINVAL;
    kide_u64 mask = 1;
    long r = posix_copy_out((void *)a2, &mask, 8);
    return r ? r : 8;
}

static void put(char *dst, const char *s)
{
    unsigned i = 0;
    for (; s[i] && i < 64; i++)
        dst[i] = s[i];
    dst[i] = 0;
}

long sys_uname(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct l_utsname u;
    memset(&u, 0, sizeof(u));
    put(u.sysname, "Linux"); /* so musl and busybox take their Linux paths */
    put(u.nodename, "kide");
    put(u.release, "6.1.0-kide");
    put(u.version, "#1 Kide POSIX runtime");
    put(u.machine, "x86_64");
    put(u.domainname, "(none)");
    return posix_copy_out((void *)a0, &u, sizeof(u));
}

/* ---- randomness: RDSEED, else RDRAND, ten tries a word ---- */

static int have_rdrand, have_rdseed;

static void cpu_features(void)
{
    static int known;
    if (known)
        return;
    unsigned a = 1, b = 0, c = 0, d = 0;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    have_rdrand = (c >> 30) & 1;
    a = 7, c = 0;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    have_rdseed = (b >> 18) & 1;
    known = 1;
}

/* RDSEED where the CPU has it, else RDRAND; ten tries each. */
static int rd_word(kide_u64 *v)
{
    unsigned char ok;
    for (int i = 0; have_rdseed && i < 10; i++) {
        __asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok)::"cc");
        if (ok)
            return 0;
    }
    for (int i = 0; have_rdrand && i < 10; i++) {
        __asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok)::"cc");
        if (ok)
            return 0;
    }
    return -1;
}

int posix_random(void *buf, kide_u64 n)
{
    kide_u8 *p = buf;
    cpu_features();
    if (!have_rdrand && !have_rdseed)
        return -1;
    while (n) {
        kide_u64 v;
        if (rd_word(&v))
            return -1;
        kide_u64 k = n < 8 ? n : 8;
        memcpy(p, &v, k);
        p += k;
        n -= k;
    }
    return 0;
}

long sys_getrandom(long a0, long a1, long a2, long a3, long a4, long a5)
{
    if ((unsigned long)a2 & ~(unsigned long)(L_GRND_NONBLOCK | L_GRND_RANDOM | L_GRND_INSECURE))
        return -L_EINVAL;
    kide_u64 n = (kide_u64)a1 > 0x2000000 ? 0x2000000 : (kide_u64)a1; /* Linux's 32 MiB cap */
    if (!posix_user_ok((void *)a0, n, 1))
        return -L_EFAULT;
    kide_u8 chunk[256];
    for (kide_u64 done = 0; done < n;) {
        kide_u64 k = n - done < sizeof(chunk) ? n - done : sizeof(chunk);
        if (posix_random(chunk, k)) {
            /* No RDRAND/RDSEED: fail instead of weak bytes. Linux would block
             * until its pool is seeded; here nothing ever seeds it, so blocking
             * would hang for good (GRND_NONBLOCK too: its EAGAIN means "later",
             * which never comes). The start line in the log names the fix. */
            return done ? (long)done : -L_EIO;
        }
        if (posix_copy_out((kide_u8 *)a0 + done, chunk, k))
            return -L_EFAULT;
        done += k;
    }
    return (long)n;
}

/* ---- limits ---- */

static long rlimit(int res, const struct l_rlimit *nw, struct l_rlimit *old)
{
    if (res < 0 || res >= L_RLIM_NLIMITS)
        return -L_EINVAL;
    kide_mutex_lock(&posix.lock);
    struct l_rlimit *l = &posix.rlim[res];
    if (old)
        *old = *l;
    long r = 0;
    if (nw) {
        if (nw->cur > nw->max || nw->max > l->max)
            r = nw->cur > nw->max ? -L_EINVAL : -L_EPERM;
        else
            *l = *nw; /* recorded; AS and DATA are bounded by the RAM quota anyway */
    }
    kide_mutex_unlock(&posix.lock);
    return r;
}

long sys_prlimit64(long a0, long a1, long a2, long a3, long a4, long a5)
{
    if (a0 != 0 && a0 != POSIX_PID)
        return -L_ESRCH;
    struct l_rlimit nw, old;
    if (a2 && posix_copy_in(&nw, (void *)a2, sizeof(nw)))
        return -L_EFAULT;
    long r = rlimit((int)a1, a2 ? &nw : 0, &old);
    if (!r && a3)
        r = posix_copy_out((void *)a3, &old, sizeof(old));
    return r;
}

long sys_getrlimit(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct l_rlimit old;
    long r = rlimit((int)a0, 0, &old);
    return r ? r : posix_copy_out((void *)a1, &old, sizeof(old));
}

long sys_setrlimit(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct l_rlimit nw;
    if (posix_copy_in(&nw, (void *)a1, sizeof(nw)))
        return -L_EFAULT;
    return rlimit((int)a0, &nw, 0);
}

long sys_sysinfo(long a0, long a1, long a2, long a3, long a4, long a5)
{
    struct l_sysinfo si;
    memset(&si, 0, sizeof(si));
    struct kide_quota q;
    if (kide_quota(posix.env, &q) == KIDE_OK) {
        si.totalram = q.ram_quota;
        si.freeram = q.ram_quota > q.ram_used ? q.ram_quota - q.ram_used : 0;
    }
    si.uptime = (kide_i64)(posix_now_ns() / 1000000000ull);
    si.procs = 1;
    si.mem_unit = 1;
    return posix_copy_out((void *)a0, &si, sizeof(si));
}

long sys_umask(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_mutex_lock(&posix.lock);
    long old = posix.umask;
    posix.umask = (kide_u32)a0 & 0777;
    kide_mutex_unlock(&posix.lock);
    return old;
}
