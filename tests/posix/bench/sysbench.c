/* SPDX-License-Identifier: MIT */
/* The cost of a system call and of a pipe round trip.
 *   getpid: the median over REPS loops of LOOP getpid() calls (a real system
 *           call: the raw syscall, so no libc cache hides it);
 *   pipe:   two threads bounce one byte through two pipes; the median over
 *           REPS loops of LOOP round trips.
 * Each is printed per operation in ns (CLOCK_MONOTONIC) and in TSC cycles
 * (rdtsc; under TCG QEMU derives the TSC from the host clock). */
#define _GNU_SOURCE
#include "bench_common.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#define REPS      11
#define LOOP      20000
#define PIPE_LOOP 300

static int ping[2], pong[2];

static void *echo(void *arg)
{
    (void)arg;
    char c;
    while (read(ping[0], &c, 1) == 1)
        if (write(pong[1], &c, 1) != 1)
            break;
    return NULL;
}

static void measure(const char *name, int loop, int (*body)(int))
{
    double ns[REPS], cyc[REPS];
    for (int r = 0; r < REPS; r++) {
        long long t0 = bench_ns();
        uint64_t c0 = bench_rdtsc();
        if (body(loop) != 0) {
            printf("%s: failed\n", name);
            exit(1);
        }
        cyc[r] = (double)(bench_rdtsc() - c0) / loop;
        ns[r] = (double)(bench_ns() - t0) / loop;
    }
    double mn = bench_median(ns, REPS), mc = bench_median(cyc, REPS);
    printf("%s: median of %d loops of %d: %.1f ns, %.0f cycles\n", name, REPS, loop, mn, mc);
    printf("result %s_ns %.1f\n", name, mn);
    printf("result %s_cycles %.0f\n", name, mc);
}

static int getpid_loop(int n)
{
    for (int i = 0; i < n; i++)
        syscall(SYS_getpid);
    return 0;
}

static int pipe_loop(int n)
{
    char c = 'x';
    for (int i = 0; i < n; i++)
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
            return -1;
    return 0;
}

int main(void)
{
    measure("getpid", LOOP, getpid_loop);
    if (pipe(ping) != 0 || pipe(pong) != 0) {
        printf("sysbench: pipe failed\n");
        return 1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, echo, NULL) != 0) {
        printf("sysbench: pthread_create failed\n");
        return 1;
    }
    measure("pipe_round_trip", PIPE_LOOP, pipe_loop);
    close(ping[1]);
    pthread_join(t, NULL);
    return 0;
}
