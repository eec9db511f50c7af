/* SPDX-License-Identifier: MIT */
/* Time: CLOCK_MONOTONIC never goes backwards, nanosleep sleeps at least as
 * long as asked, clock_getres answers. Only facts that hold on every correct
 * system are printed, never a time itself. */
#include "common.h"

#include <sys/time.h>
#include <time.h>

static long long ns_of(const struct timespec *t)
{
    return t->tv_sec * 1000000000LL + t->tv_nsec;
}

static long long mono(void)
{
    struct timespec t;
    must(clock_gettime(CLOCK_MONOTONIC, &t) == 0, "clock_gettime");
    return ns_of(&t);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    int back = 0;
    long long prev = mono();
    for (int i = 0; i < 100000; i++) {
        long long n = mono();
        if (n < prev)
            back++;
        prev = n;
    }
    printf("monotonic went backwards: %d times\n", back);
    static const long sleeps_ms[] = {1, 10, 30};
    for (unsigned i = 0; i < sizeof(sleeps_ms) / sizeof(sleeps_ms[0]); i++) {
        struct timespec req = {0, sleeps_ms[i] * 1000000L};
        long long t0 = mono();
        must(nanosleep(&req, NULL) == 0, "nanosleep");
        long long d = mono() - t0;
        printf("nanosleep %ld ms slept at least that: %s\n", sleeps_ms[i],
               d >= req.tv_nsec ? "yes" : "no");
    }
    struct timespec bad = {0, 1000000000L};
    report("nanosleep with tv_nsec 1e9", nanosleep(&bad, NULL));
    struct timespec res;
    report("clock_getres monotonic", clock_getres(CLOCK_MONOTONIC, &res));
    printf("resolution at most 1 ms: %s\n",
           res.tv_sec == 0 && res.tv_nsec > 0 && res.tv_nsec <= 1000000 ? "yes" : "no");
    report("clock_gettime bad clock", clock_gettime((clockid_t)99, &res));
    struct timeval tv;
    report("gettimeofday", gettimeofday(&tv, NULL));
    printf("time: done\n");
    return 0;
}
