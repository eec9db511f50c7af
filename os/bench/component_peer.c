/* SPDX-License-Identifier: MIT */
/* procstart: the Linux peer of the component benchmark (static, musl).
 *
 * Start latency: fork + exec of a static binary (this program again, as
 * "procstart child") until the new process's first action, a one-byte
 * write to a pipe the parent waits on; CLOCK_MONOTONIC around it. The same
 * shape as Kide's measurement (configuration applied -> the child's first
 * request arrives), minus the configuration step Linux has no equivalent of.
 * Memory: MemFree before and after `idle` children are up (each wrote its
 * byte and sleeps in pause()), divided by their number (signed: the page
 * allocator's per-CPU batches make it noisy for few processes), their mean
 * Pss (/proc/<pid>/smaps_rollup: resident pages, shared ones divided among
 * their users) and VmPTE (page tables, /proc/<pid>/status).
 * Usage: procstart ROUNDS IDLE    (prints "bench: ..." lines, then "bench: done")
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static unsigned long long now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
}

/* Start "procstart <mode>" with the pipe's write end as fd 3. */
static pid_t spawn(const char *mode, int wfd)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (dup2(wfd, 3) < 0)
            _exit(127);
        char *argv[] = {"procstart", (char *)mode, NULL};
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    return pid;
}

static long proc_kb(pid_t pid, const char *file, const char *key)
{
    char path[64], line[256];
    long v = 0;
    snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, key, strlen(key)))
            v = atol(line + strlen(key));
    fclose(f);
    return v;
}

static long memfree_kb(void)
{
    char line[256];
    long v = -1;
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        if (!strncmp(line, "MemFree:", 8))
            v = atol(line + 8);
    fclose(f);
    return v;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "child")) {
        return write(3, "x", 1) == 1 ? 0 : 1;
    }
    if (argc == 2 && !strcmp(argv[1], "idle")) {
        if (write(3, "x", 1) != 1)
            return 1;
        for (;;)
            pause();
    }
    if (argc != 3) {
        fprintf(stderr, "usage: procstart ROUNDS IDLE\n");
        return 2;
    }
    unsigned long rounds = strtoul(argv[1], NULL, 10), idle = strtoul(argv[2], NULL, 10);
    if (rounds == 0 || rounds > 100000 || idle == 0 || idle > 1000) {
        fprintf(stderr, "procstart: ROUNDS must be 1..100000, IDLE 1..1000\n");
        return 2;
    }
    unsigned long long *lat = calloc(rounds, sizeof(*lat));
    pid_t *pids = calloc(idle, sizeof(*pids));
    int p[2];
    char c;
    if (!lat || !pids || pipe(p) < 0) {
        perror("procstart");
        return 1;
    }
    for (unsigned long r = 0; r < rounds; r++) {
        unsigned long long t0 = now_ns();
        pid_t pid = spawn("child", p[1]);
        if (pid < 0 || read(p[0], &c, 1) != 1) {
            perror("procstart: start");
            return 1;
        }
        lat[r] = now_ns() - t0;
        waitpid(pid, NULL, 0);
    }
    bench_sort(lat, rounds);
    printf("bench: component_start min=%llu median=%llu p90=%llu n=%lu unit=ns\n", lat[0],
           lat[rounds / 2], lat[rounds * 9 / 10], rounds);

    long before = memfree_kb(), pss = 0, pte = 0;
    for (unsigned long i = 0; i < idle; i++) {
        pids[i] = spawn("idle", p[1]);
        if (pids[i] < 0 || read(p[0], &c, 1) != 1) {
            perror("procstart: idle");
            return 1;
        }
    }
    long after = memfree_kb();
    for (unsigned long i = 0; i < idle; i++) {
        pss += proc_kb(pids[i], "smaps_rollup", "Pss:");
        pte += proc_kb(pids[i], "status", "VmPTE:");
    }
    printf("bench: idle_component memfree_bytes=%ld pss_bytes=%ld pte_bytes=%ld n=%lu\n",
           (before - after) * 1024 / (long)idle, pss * 1024 / (long)idle, pte * 1024 / (long)idle,
           idle);
    for (unsigned long i = 0; i < idle; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0);
    }
    printf("bench: done\n");
    return 0;
}
