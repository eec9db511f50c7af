/* SPDX-License-Identifier: MIT */
/* Threads: pthread create/join with return values, a mutex-protected
 * counter, a condition variable hand-off, and per-thread TLS. */
#include "common.h"

#include <pthread.h>

#define THREADS 4
#define ROUNDS  20000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter;
static int turn; /* which thread may take the next step of the hand-off */
static _Thread_local long tls_value = 7;

static void *add(void *arg)
{
    long id = (long)arg;
    tls_value = id * 100; /* each thread sees its own copy */
    for (int i = 0; i < ROUNDS; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return (void *)(tls_value + 1);
}

/* Ping-pong: thread `me` waits for its turn, prints, passes the turn on. */
static void *pingpong(void *arg)
{
    long me = (long)arg;
    for (int i = 0; i < 3; i++) {
        pthread_mutex_lock(&lock);
        while (turn != me)
            pthread_cond_wait(&cond, &lock);
        printf("turn %d: thread %ld\n", i, me);
        turn = 1 - me;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    pthread_t t[THREADS];
    for (long i = 0; i < THREADS; i++)
        must(pthread_create(&t[i], NULL, add, (void *)(i + 1)) == 0, "pthread_create");
    for (int i = 0; i < THREADS; i++) {
        void *ret;
        must(pthread_join(t[i], &ret) == 0, "pthread_join");
        printf("thread %d returned %ld\n", i + 1, (long)ret);
    }
    printf("counter: %ld (want %d)\n", counter, THREADS * ROUNDS);
    printf("main tls still: %ld\n", tls_value);
    pthread_t a, b;
    must(pthread_create(&a, NULL, pingpong, (void *)0L) == 0, "create ping");
    must(pthread_create(&b, NULL, pingpong, (void *)1L) == 0, "create pong");
    must(pthread_join(a, NULL) == 0 && pthread_join(b, NULL) == 0, "join ping-pong");
    pthread_t self = pthread_self();
    printf("pthread_equal self: %d\n", pthread_equal(self, pthread_self()));
    printf("threads: done\n");
    return counter == THREADS * ROUNDS ? 0 : 2;
}
