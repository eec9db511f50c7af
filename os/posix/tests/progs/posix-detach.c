/* SPDX-License-Identifier: MIT */
/* posix-detach: chains of detached threads, each starting its successor and
 * ending (larson's pattern, tests/posix/bench/larson.c). musl ends a detached
 * thread by unmapping its own stack and then calling exit (__unmapself):
 * the munmap must return without the thread's stack. Each thread also
 * churns malloc/free. Prints "detach: PASS" or what went wrong. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define CHAINS      2
#define GENERATIONS 40
#define BLOCKS      64

struct chain {
    int gen;
    unsigned long sum;
    void *slot[BLOCKS];
};

static pthread_mutex_t mx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int done, failed;

static void *link_run(void *arg)
{
    struct chain *c = arg;
    for (int i = 0; i < BLOCKS; i++) {
        free(c->slot[i]);
        size_t n = 8 + (size_t)((c->gen * 131 + i * 17) % 2000);
        char *b = malloc(n);
        if (b)
            b[0] = b[n - 1] = 1, c->sum += n;
        c->slot[i] = b;
    }
    pthread_t next;
    if (++c->gen < GENERATIONS) {
        if (pthread_create(&next, NULL, link_run, c) == 0) {
            pthread_detach(next);
            return NULL;
        }
        pthread_mutex_lock(&mx);
        failed = 1;
    } else {
        pthread_mutex_lock(&mx);
    }
    done++;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mx);
    return NULL;
}

int main(void)
{
    static struct chain chain[CHAINS];
    for (int t = 0; t < CHAINS; t++) {
        pthread_t th;
        if (pthread_create(&th, NULL, link_run, &chain[t]) != 0) {
            printf("detach: pthread_create failed\n");
            return 1;
        }
        pthread_detach(th);
    }
    pthread_mutex_lock(&mx);
    while (done < CHAINS)
        pthread_cond_wait(&cv, &mx);
    pthread_mutex_unlock(&mx);
    int gens = 0;
    unsigned long sum = 0;
    for (int t = 0; t < CHAINS; t++)
        gens += chain[t].gen, sum += chain[t].sum;
    printf("detach: %d chains, %d thread generations, %lu bytes allocated\n", CHAINS, gens, sum);
    printf("detach: %s\n", failed ? "a successor could not start" : "PASS");
    return failed;
}
