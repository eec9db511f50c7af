/* SPDX-License-Identifier: MIT */
/* Per-client rate limiting with token buckets.
 *
 * Invariant: 0 <= tokens <= burst for every used slot.
 */
#include "ratelimit.h"

#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 4096
#define PROBE 8

struct slot {
    uint8_t addr[16]; /**< client address (IPv4 mapped into the first 4 bytes) */
    bool used;        /**< slot holds a bucket */
    double tokens;    /**< tokens left */
    double last;      /**< time of the last refill */
};

struct reg_ratelimit {
    pthread_mutex_t lock; /**< guards slots */
    double rate;          /**< tokens per second */
    double burst;         /**< bucket size */
    struct slot slots[SLOTS];
};

struct reg_ratelimit *reg_rl_new(uint32_t rate, uint32_t burst)
{
    struct reg_ratelimit *rl = calloc(1, sizeof(*rl));
    if (!rl)
        return NULL;
    pthread_mutex_init(&rl->lock, NULL);
    rl->rate = rate;
    rl->burst = burst ? burst : 1;
    return rl;
}

static void key_of(const struct sockaddr *sa, uint8_t key[16])
{
    memset(key, 0, 16);
    if (sa && sa->sa_family == AF_INET)
        memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    else if (sa && sa->sa_family == AF_INET6)
        memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
}

static uint32_t hash(const uint8_t key[16])
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ key[i]) * 16777619u;
    return h;
}

int reg_rl_take(struct reg_ratelimit *rl, const struct sockaddr *sa, double now,
                uint32_t *retry_after)
{
    uint8_t key[16];
    int rc = 0;
    if (!rl || rl->rate <= 0)
        return 0;
    key_of(sa, key);
    uint32_t h = hash(key);
    pthread_mutex_lock(&rl->lock);
    struct slot *s = NULL, *stalest = NULL;
    for (int i = 0; i < PROBE && !s; i++) {
        struct slot *c = &rl->slots[(h + (uint32_t)i) % SLOTS];
        if (c->used && memcmp(c->addr, key, 16) == 0)
            s = c;
        else if (!stalest || !c->used || (stalest->used && c->last < stalest->last))
            stalest = stalest && !stalest->used ? stalest : c;
    }
    if (!s) {
        s = stalest;
        memcpy(s->addr, key, 16);
        s->used = true;
        s->tokens = rl->burst;
        s->last = now;
    }
    if (now > s->last) {
        s->tokens = fmin(rl->burst, s->tokens + (now - s->last) * rl->rate);
        s->last = now;
    }
    if (s->tokens >= 1.0) {
        s->tokens -= 1.0;
    } else {
        double wait = (1.0 - s->tokens) / rl->rate;
        *retry_after = (uint32_t)ceil(wait);
        if (*retry_after == 0)
            *retry_after = 1;
        rc = -EAGAIN;
    }
    pthread_mutex_unlock(&rl->lock);
    return rc;
}

void reg_rl_free(struct reg_ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}
