/* SPDX-License-Identifier: MIT */
/* Futexes: FUTEX_WAIT with a timeout ends with ETIMEDOUT (after at least the
 * timeout), a wait on a changed value ends with EAGAIN at once, a wait is
 * ended by FUTEX_WAKE from another thread. */
#define _GNU_SOURCE
#include "common.h"

#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* The Linux ABI's values (musl has no <linux/futex.h>). */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static uint32_t word;
static volatile int woke;

static long futex(uint32_t *addr, int op, uint32_t val, const struct timespec *ts)
{
    return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void *waker(void *arg)
{
    (void)arg;
    /* Wake only once the main thread has registered as a waiter: keep waking
     * until it reports back (no sleep as synchronisation). */
    while (!woke) {
        __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
        futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL);
        sched_yield();
    }
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    struct timespec ts = {0, 50 * 1000000}; /* 50 ms */
    long long t0 = now_ns();
    long rc = futex(&word, FUTEX_WAIT_PRIVATE, 0, &ts);
    long long waited = now_ns() - t0;
    report("wait with 50 ms timeout", rc);
    printf("waited at least 50 ms: %s\n", waited >= 50000000LL ? "yes" : "no");
    report("wait on changed value", futex(&word, FUTEX_WAIT_PRIVATE, 1, NULL));
    printf("wake with no waiter: %ld\n", futex(&word, FUTEX_WAKE_PRIVATE, 1, NULL));
    struct timespec bad = {0, 2000000000L};
    report("wait with bad timeout", futex(&word, FUTEX_WAIT_PRIVATE, 0, &bad));
    pthread_t t;
    must(pthread_create(&t, NULL, waker, NULL) == 0, "pthread_create");
    /* Wait until the waker changes the word: either our wait is woken (0) or
     * the word changed before we slept (EAGAIN); both end the loop. */
    while (__atomic_load_n(&word, __ATOMIC_SEQ_CST) == 0)
        futex(&word, FUTEX_WAIT_PRIVATE, 0, NULL);
    woke = 1;
    must(pthread_join(t, NULL) == 0, "pthread_join");
    printf("woken by other thread: yes\n");
    printf("futex: done\n");
    return 0;
}
