/* SPDX-License-Identifier: MIT */
/* Larson: an allocator benchmark after P. Larson and M. Krishnan, "Memory
 * allocation for long-running server applications" (ISMM 1998), written for
 * Kide from the paper's description.
 *
 *   larson SLEEP_S MIN MAX CHUNKS ROUNDS SEED THREADS
 *
 * The main thread allocates CHUNKS blocks for each of THREADS workers (so
 * every worker starts by freeing blocks another thread allocated). A worker
 * repeatedly picks a random slot of its array, frees the block there and
 * allocates a new one of a random size in [MIN, MAX], writing its first and
 * last byte. After CHUNKS * ROUNDS such replacements (a round) the worker
 * starts a successor thread that takes over its array and ends: blocks
 * migrate between threads, as a server's requests move between its threads.
 * After SLEEP_S seconds the main thread raises the stop flag; every chain
 * finishes its current operation and reports its count. Printed: the
 * operations (one free plus one malloc each) per second of the whole run.
 * The configuration: larson 5 8 1000 5000 100 4141 T. */
#include "bench_common.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define MAX_THREADS 64

struct chain {
    char **slot;
    long chunks;
    long per_round;
    uint64_t rng;
    long long ops;
    int generations;
};

static size_t min_size, max_size;
static volatile int stop;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t done_cond = PTHREAD_COND_INITIALIZER;
static int chains_done;
static int start_failed;

/* xorshift64*: small, fast, deterministic from the seed. */
static uint64_t next_rand(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static char *new_block(uint64_t *rng)
{
    size_t n = min_size + next_rand(rng) % (max_size - min_size + 1);
    char *b = malloc(n);
    if (b) {
        b[0] = 1;
        b[n - 1] = 1;
    }
    return b;
}

static void *worker(void *arg)
{
    struct chain *c = arg;
    long i;
    for (i = 0; i < c->per_round && !stop; i++) {
        long victim = (long)(next_rand(&c->rng) % (uint64_t)c->chunks);
        free(c->slot[victim]);
        c->slot[victim] = new_block(&c->rng);
    }
    c->ops += i;
    c->generations++;
    pthread_t next;
    /* A successor continues with this array (the round's end); once the
     * stop flag is up, or no thread can be made, the chain ends here. */
    if (!stop && pthread_create(&next, NULL, worker, c) == 0) {
        pthread_detach(next);
        return NULL;
    }
    pthread_mutex_lock(&lock);
    if (!stop)
        start_failed = 1;
    chains_done++;
    pthread_cond_signal(&done_cond);
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc != 8) {
        printf("usage: larson SLEEP_S MIN MAX CHUNKS ROUNDS SEED THREADS\n");
        return 2;
    }
    long sleep_s = atol(argv[1]), chunks = atol(argv[4]), rounds = atol(argv[5]);
    min_size = (size_t)atol(argv[2]), max_size = (size_t)atol(argv[3]);
    uint64_t seed = (uint64_t)atoll(argv[6]);
    int threads = atoi(argv[7]);
    if (sleep_s < 1 || min_size < 1 || max_size < min_size || chunks < 1 || rounds < 1 ||
        threads < 1 || threads > MAX_THREADS) {
        printf("larson: bad arguments (want SLEEP_S>=1, 1<=MIN<=MAX, CHUNKS>=1, ROUNDS>=1, "
               "1<=THREADS<=%d)\n",
               MAX_THREADS);
        return 2;
    }
    static struct chain chain[MAX_THREADS];
    for (int t = 0; t < threads; t++) {
        struct chain *c = &chain[t];
        c->slot = calloc((size_t)chunks, sizeof(char *));
        c->chunks = chunks;
        c->per_round = chunks * rounds;
        c->rng = seed * 0x9e3779b97f4a7c15ULL + (uint64_t)t + 1;
        if (!c->slot) {
            printf("larson: out of memory for the arrays\n");
            return 1;
        }
        for (long i = 0; i < chunks; i++)
            c->slot[i] = new_block(&c->rng);
    }
    long long t0 = bench_ns();
    for (int t = 0; t < threads; t++) {
        pthread_t th;
        if (pthread_create(&th, NULL, worker, &chain[t]) != 0) {
            printf("larson: pthread_create failed\n");
            return 1;
        }
        pthread_detach(th);
    }
    struct timespec d = {sleep_s, 0};
    while (nanosleep(&d, &d) != 0)
        ;
    stop = 1;
    pthread_mutex_lock(&lock);
    while (chains_done < threads)
        pthread_cond_wait(&done_cond, &lock);
    pthread_mutex_unlock(&lock);
    double secs = (bench_ns() - t0) / 1e9;
    long long ops = 0;
    int gens = 0;
    for (int t = 0; t < threads; t++)
        ops += chain[t].ops, gens += chain[t].generations;
    printf("larson: %d threads, %lld operations in %.2f s, %d thread generations%s\n", threads, ops,
           secs, gens, start_failed ? " (a successor could not start)" : "");
    printf("result larson_ops_per_s %.0f\n", ops / secs);
    return start_failed ? 1 : 0;
}
