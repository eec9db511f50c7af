/* SPDX-License-Identifier: MIT */
/* Storage quota reservations (see quota.h).
 *
 * Invariant: a slot's bytes are the sum of the reservations its user's
 * uploads hold; a slot is freed when that sum drops to zero.
 */
#include "quota.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void reg_quota_init(struct reg_quota *q)
{
    pthread_mutex_init(&q->lock, NULL);
}

void reg_quota_fini(struct reg_quota *q)
{
    pthread_mutex_destroy(&q->lock);
}

/* The index of the user's slot, or of a free one when create; -1 if none. Locked. */
static int find(struct reg_quota *q, const char *user, int create)
{
    int free_slot = -1;
    for (int i = 0; i < REG_QUOTA_SLOTS; i++) {
        if (strcmp(q->slot[i].user, user) == 0)
            return i;
        if (free_slot < 0 && q->slot[i].user[0] == '\0')
            free_slot = i;
    }
    if (create && free_slot >= 0)
        snprintf(q->slot[free_slot].user, sizeof(q->slot[0].user), "%s", user);
    return create ? free_slot : -1;
}

int reg_quota_reserve(struct reg_quota *q, const char *user, uint64_t used, uint64_t limit,
                      uint64_t n)
{
    int rc = 0;
    pthread_mutex_lock(&q->lock);
    int i = find(q, user, 1);
    uint64_t held = i >= 0 ? q->slot[i].bytes : 0;
    if (used > limit || n > limit - used || held > limit - used - n)
        rc = -EDQUOT;
    else if (i >= 0)
        q->slot[i].bytes += n;
    if (i >= 0 && q->slot[i].bytes == 0)
        q->slot[i].user[0] = '\0';
    pthread_mutex_unlock(&q->lock);
    return rc;
}

void reg_quota_release(struct reg_quota *q, const char *user, uint64_t n)
{
    pthread_mutex_lock(&q->lock);
    int i = find(q, user, 0);
    if (i >= 0) {
        q->slot[i].bytes -= n < q->slot[i].bytes ? n : q->slot[i].bytes;
        if (q->slot[i].bytes == 0)
            q->slot[i].user[0] = '\0';
    }
    pthread_mutex_unlock(&q->lock);
}
