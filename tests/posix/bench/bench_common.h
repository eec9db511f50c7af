/* SPDX-License-Identifier: MIT */
/* Helpers of the POSIX benchmarks (tests/posix/bench): clocks and medians.
 * Results are printed as "result KEY VALUE" lines that
 * os/bench/posix-run.py reads on both systems. */
#ifndef POSIX_BENCH_COMMON_H
#define POSIX_BENCH_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline uint64_t bench_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

static inline long long bench_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The median of n values (sorts them in place). */
static inline double bench_median(double *v, int n)
{
    qsort(v, n, sizeof(v[0]), bench_cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
