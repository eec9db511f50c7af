/* SPDX-License-Identifier: MIT */
/* Linux peer of the Kide kernel benchmark: the same measurements with Linux's
 * nearest primitives, run in a Debian kernel under the same QEMU set-up.
 *
 *   null_syscall       getppid() through syscall(2)
 *   ipc_roundtrip      one byte there and back over two pipes between two
 *                      processes pinned to CPU 0 (Kide: call + reply
 *                      through a portal into another PD)
 *   xcpu_pingpong      the same with the processes on CPUs 0 and 1 (Kide:
 *                      semaphore ping-pong between ECs on CPUs 0 and 1)
 *
 * Build: musl-gcc -static. Usage: ipcbench [iterations].
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "../bench.h"

static void report(const char *name, unsigned long long *s, unsigned long n)
{
    bench_sort(s, n);
    printf("bench: %s min=%llu median=%llu n=%lu unit=cycles\n", name, s[0], s[n / 2], n);
    fflush(stdout);
}

static int pin(int cpu)
{
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

static void pingpong(const char *name, int child_cpu, unsigned long n, unsigned long long *s)
{
    int ab[2], ba[2];
    if (pipe(ab) || pipe(ba)) {
        perror("ipcbench: pipe");
        exit(1);
    }
    pid_t pid = fork();
    if (pid < 0) {
        perror("ipcbench: fork");
        exit(1);
    }
    char c = 0;
    if (pid == 0) {
        if (pin(child_cpu))
            _exit(2);
        for (unsigned long i = 0; i < n + 1; i++) {
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(3);
        }
        _exit(0);
    }
    /* One warm-up round so both sides are scheduled on their CPUs. */
    if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
        exit(1);
    for (unsigned long i = 0; i < n; i++) {
        unsigned long long t0 = bench_rdtsc();
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1) {
            fprintf(stderr, "ipcbench: pipe round trip failed\n");
            exit(1);
        }
        s[i] = bench_rdtsc() - t0;
    }
    int st;
    waitpid(pid, &st, 0);
    report(name, s, n);
    close(ab[0]), close(ab[1]), close(ba[0]), close(ba[1]);
}

int main(int argc, char **argv)
{
    unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    if (n < 1 || n > 10000000) {
        fprintf(stderr, "ipcbench: iterations must be 1..10000000\n");
        return 2;
    }
    unsigned long long *s = malloc(n * sizeof(*s));
    if (!s) {
        fprintf(stderr, "ipcbench: out of memory\n");
        return 1;
    }
    long cpus = sysconf(_SC_NPROCESSORS_ONLN); /* before pinning: musl counts the affinity mask */
    if (pin(0))
        perror("ipcbench: sched_setaffinity");
    for (unsigned long i = 0; i < n; i++) {
        unsigned long long t0 = bench_rdtsc();
        syscall(SYS_getppid);
        s[i] = bench_rdtsc() - t0;
    }
    report("null_syscall", s, n);
    pingpong("ipc_roundtrip", 0, n, s);
    if (cpus > 1)
        pingpong("xcpu_pingpong", 1, n / 10, s);
    printf("bench: done\n");
    return 0;
}
