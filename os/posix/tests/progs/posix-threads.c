/* SPDX-License-Identifier: MIT */
/* posix-threads: pthread_create/join, a mutex and a condition variable (musl
 * builds them on futex), thread-local storage (FS base per thread) and a
 * timed wait that times out. Prints "threads: PASS" or what went wrong. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define THREADS 4
#define ROUNDS  2000

static pthread_mutex_t mx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static long counter;
static int ready;
static __thread long mine;

static void *work(void *arg)
{
    long id = (long)arg;
    mine = id * 1000;
    pthread_mutex_lock(&mx);
    ready++;
    pthread_cond_broadcast(&cv);
    pthread_mutex_unlock(&mx);
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&mx);
        counter++;
        pthread_mutex_unlock(&mx);
        mine++;
    }
    return (void *)(mine - id * 1000);
}

int main(void)
{
    pthread_t t[THREADS];
    int bad = 0;
    mine = -1;
    for (long i = 0; i < THREADS; i++)
        if (pthread_create(&t[i], NULL, work, (void *)(i + 1)) != 0) {
            printf("threads: pthread_create %ld failed\n", i);
            return 1;
        }
    pthread_mutex_lock(&mx);
    while (ready < THREADS)
        pthread_cond_wait(&cv, &mx);
    pthread_mutex_unlock(&mx);
    printf("threads: %d threads ready\n", THREADS);
    for (int i = 0; i < THREADS; i++) {
        void *r;
        pthread_join(t[i], &r);
        if ((long)r != ROUNDS)
            bad = 1;
    }
    printf("threads: counter %ld\n", counter);
    if (mine != -1 || bad)
        printf("threads: thread-local storage mixed up\n");
    /* A timed wait nobody signals: ETIMEDOUT after about 50 ms. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50000000;
    if (ts.tv_nsec >= 1000000000)
        ts.tv_sec++, ts.tv_nsec -= 1000000000;
    pthread_mutex_lock(&mx);
    int rc = pthread_cond_timedwait(&cv, &mx, &ts);
    pthread_mutex_unlock(&mx);
    printf("threads: timed wait %s\n", rc == ETIMEDOUT ? "timed out" : "did not time out");
    int ok = counter == THREADS * ROUNDS && !bad && mine == -1 && rc == ETIMEDOUT;
    printf("threads: %s\n", ok ? "PASS" : "FAIL");
    return ok ? 0 : 1;
}
