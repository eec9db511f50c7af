/* SPDX-License-Identifier: MIT */
/* Shared by the Kide kernel benchmark and its Linux peer: sample statistics
 * and the one output format os/bench/compare.sh reads.
 *
 * A result line reads "bench: <name> min=<n> median=<n> n=<n> unit=cycles":
 * the same on both systems, so the comparison is a join on <name>.
 */
#ifndef KIDE_BENCH_H
#define KIDE_BENCH_H

static inline unsigned long long bench_rdtsc(void)
{
    unsigned lo, hi;
    __asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((unsigned long long)hi << 32) | lo;
}

/* Sort in place (heap sort: no recursion, no allocation, O(n log n)). */
static inline void bench_sort(unsigned long long *a, unsigned long n)
{
    for (unsigned long start = n / 2; start-- > 0;) {
        for (unsigned long root = start;;) {
            unsigned long child = 2 * root + 1;
            if (child >= n)
                break;
            if (child + 1 < n && a[child] < a[child + 1])
                child++;
            if (a[root] >= a[child])
                break;
            unsigned long long t = a[root];
            a[root] = a[child];
            a[child] = t;
            root = child;
        }
    }
    for (unsigned long end = n; end-- > 1;) {
        unsigned long long t = a[0];
        a[0] = a[end];
        a[end] = t;
        for (unsigned long root = 0;;) {
            unsigned long child = 2 * root + 1;
            if (child >= end)
                break;
            if (child + 1 < end && a[child] < a[child + 1])
                child++;
            if (a[root] >= a[child])
                break;
            t = a[root];
            a[root] = a[child];
            a[child] = t;
            root = child;
        }
    }
}

#endif
