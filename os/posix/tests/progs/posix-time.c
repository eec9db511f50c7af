/* SPDX-License-Identifier: MIT */
/* posix-time: the clocks move forward, nanosleep sleeps at least as long as
 * asked, REALTIME is past 2020, getrandom fills a buffer. "time: PASS". */
#include <stdio.h>
#include <sys/random.h>
#include <sys/time.h>
#include <time.h>

static long long ns(clockid_t c)
{
    struct timespec t;
    clock_gettime(c, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

int main(void)
{
    int ok = 1;
    long long a = ns(CLOCK_MONOTONIC);
    struct timespec d = {0, 100000000};
    nanosleep(&d, NULL);
    long long b = ns(CLOCK_MONOTONIC);
    if (b - a < 100000000LL) {
        printf("time: nanosleep(100 ms) took %lld ns\n", b - a);
        ok = 0;
    }
    struct timeval tv;
    gettimeofday(&tv, NULL);
    if (tv.tv_sec < 1577836800 || ns(CLOCK_REALTIME) / 1000000000LL < 1577836800) {
        printf("time: the real-time clock is before 2020\n");
        ok = 0;
    }
    struct timespec res;
    if (clock_getres(CLOCK_MONOTONIC, &res) != 0 || ns(CLOCK_BOOTTIME) <= 0 ||
        ns(CLOCK_PROCESS_CPUTIME_ID) <= 0) {
        printf("time: getres, boot time or CPU time failed\n");
        ok = 0;
    }
    unsigned char buf[64] = {0};
    int nonzero = 0;
    if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
        ok = 0;
    for (unsigned i = 0; i < sizeof(buf); i++)
        nonzero |= buf[i];
    if (!nonzero)
        ok = 0;
    printf("time: slept 100 ms\n");
    printf("time: %s\n", ok ? "PASS" : "FAIL");
    return !ok;
}
