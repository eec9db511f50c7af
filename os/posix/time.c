/* SPDX-License-Identifier: MIT */
/* Clocks and sleeping. MONOTONIC, BOOTTIME and their COARSE/RAW forms are the
 * kernel clock (ns since boot); REALTIME is a fixed epoch plus that clock
 * (POSIX_EPOCH_S: Kide has no battery clock yet; docs/posix.md), the CPU-time
 * clocks come from core's per-thread accounting (KIDE_CORE_THREADS: the sum
 * of the component's threads, the supervisor's included). Sleeps wait on the
 * thread's semaphore with a deadline.
 */
#include <kide/base.h>
#include <kide/core_client.h>
#include "posix.h"
#include "uaccess.h"

#define POSIX_EPOCH_S 1767225600ull /* 2026-01-01T00:00:00Z */
#define NS            1000000000ull

long posix_get_timespec(kide_u64 p, kide_u64 *ns);
long posix_sleep_until(kide_u64 deadline);

kide_u64 posix_now_ns(void)
{
    return kide_now_ns();
}

kide_u64 posix_realtime_offset(void);
kide_u64 posix_realtime_offset(void)
{
    return POSIX_EPOCH_S * NS;
}

static long cpu_ns(kide_u64 *ns)
{
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_threads_rep rep;
    if (kide_core_threads(&ch, &rep) != KIDE_OK)
        return -L_EINVAL;
    kide_u64 sum = 0;
    for (kide_u64 i = 0; i < rep.n && i < sizeof(rep.ns) / sizeof(rep.ns[0]); i++)
        sum += rep.ns[i];
    *ns = sum;
    return 0;
}

static long clock_ns(long id, kide_u64 *ns)
{
    switch (id) {
    case L_CLOCK_REALTIME:
    case L_CLOCK_REALTIME_COARSE:
        *ns = posix_realtime_offset() + posix_now_ns();
        return 0;
    case L_CLOCK_MONOTONIC:
    case L_CLOCK_MONOTONIC_RAW:
    case L_CLOCK_MONOTONIC_COARSE:
    case L_CLOCK_BOOTTIME:
        *ns = posix_now_ns();
        return 0;
    case L_CLOCK_PROCESS_CPUTIME_ID:
    case L_CLOCK_THREAD_CPUTIME_ID: /* per thread: not told apart yet (docs/posix.md) */
        return cpu_ns(ns);
    default:
        return -L_EINVAL;
    }
}

static long put_ts(long p, kide_u64 ns)
{
    struct l_timespec ts = {(kide_i64)(ns / NS), (kide_i64)(ns % NS)};
    return posix_copy_out((void *)p, &ts, sizeof(ts));
}

long sys_clock_gettime(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 ns;
    long r = clock_ns(a0, &ns);
    return r ? r : put_ts(a1, ns);
}

long sys_clock_getres(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 ns;
    long r = clock_ns(a0, &ns);
    if (r)
        return r;
    return a1 ? put_ts(a1, 1) : 0;
}

long sys_gettimeofday(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 ns = posix_realtime_offset() + posix_now_ns();
    struct l_timeval tv = {(kide_i64)(ns / NS), (kide_i64)(ns % NS / 1000)};
    if (a0 && posix_copy_out((void *)a0, &tv, sizeof(tv)))
        return -L_EFAULT;
    if (a1) { /* struct timezone: UTC */
        int tz[2] = {0, 0};
        if (posix_copy_out((void *)a1, tz, sizeof(tz)))
            return -L_EFAULT;
    }
    return 0;
}

long sys_time(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_i64 s = (kide_i64)((posix_realtime_offset() + posix_now_ns()) / NS);
    if (a0 && posix_copy_out((void *)a0, &s, 8))
        return -L_EFAULT;
    return s;
}

/* Sleep until the kernel-clock deadline. */
static long sleep_until(kide_u64 deadline)
{
    if (deadline > posix_now_ns())
        posix_sleep_until(deadline);
    return 0;
}

long sys_nanosleep(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 ns;
    long r = posix_get_timespec((kide_u64)a0, &ns);
    if (r)
        return r;
    return sleep_until(posix_now_ns() + ns);
}

long sys_clock_nanosleep(long a0, long a1, long a2, long a3, long a4, long a5)
{
    kide_u64 ns, now;
    if (a0 == L_CLOCK_THREAD_CPUTIME_ID || a0 == L_CLOCK_PROCESS_CPUTIME_ID)
        return -L_EINVAL;
    long r = clock_ns(a0, &now);
    if (r)
        return r;
    r = posix_get_timespec((kide_u64)a2, &ns);
    if (r)
        return r;
    if (a1 & L_TIMER_ABSTIME) {
        if (ns <= now)
            return 0;
        return sleep_until(posix_now_ns() + (ns - now));
    }
    return sleep_until(posix_now_ns() + ns);
}
