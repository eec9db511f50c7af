/* SPDX-License-Identifier: MIT */
/* The verified-blob cache (see vcache.h).
 *
 * Invariant: a slot holding sha describes a file whose bytes were hashed to
 * sha while it had exactly the recorded identity, and whose ctime was at least
 * REG_VCACHE_SETTLE seconds old then, so any later write shows in its ctime.
 */
#include "vcache.h"

#include <errno.h>
#include <string.h>
#include <time.h>

void reg_vcache_init(struct reg_vcache *vc)
{
    for (unsigned i = 0; i < REG_VCACHE_LOCKS; i++)
        pthread_mutex_init(&vc->locks[i], NULL);
}

void reg_vcache_fini(struct reg_vcache *vc)
{
    for (unsigned i = 0; i < REG_VCACHE_LOCKS; i++)
        pthread_mutex_destroy(&vc->locks[i]);
}

static unsigned slot_of(const char *sha)
{
    unsigned v = 0;
    for (int i = 0; i < 8; i++) {
        char c = sha[i];
        v = v << 4 | (unsigned)(c >= 'a' ? c - 'a' + 10 : c - '0');
    }
    return v & (REG_VCACHE_SLOTS - 1);
}

static bool same_ts(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool matches(const struct reg_vslot *s, const struct stat *st, const char *sha)
{
    return strcmp(s->sha, sha) == 0 && s->dev == st->st_dev && s->ino == st->st_ino &&
           s->size == st->st_size && same_ts(&s->mtime, &st->st_mtim) &&
           same_ts(&s->ctime, &st->st_ctim);
}

int reg_vcache_check(struct reg_vcache *vc, int fd, const struct stat *st, const char *sha)
{
    char got[REG_SHA_HEX + 1];
    uint64_t size;
    unsigned i = slot_of(sha);
    pthread_mutex_t *lock = &vc->locks[i % REG_VCACHE_LOCKS];
    pthread_mutex_lock(lock);
    bool hit = matches(&vc->slots[i], st, sha);
    pthread_mutex_unlock(lock);
    if (hit)
        return 0;
    /* Hash outside the lock: a big blob must not stall other downloads. */
    int rc = reg_blob_hash_fd(fd, got, &size);
    if (rc < 0)
        return rc;
    if (size != (uint64_t)st->st_size || strcmp(got, sha) != 0)
        return -EBADMSG;
    /* File timestamps come from a coarse clock (a few ms): a write in the same tick
     * as the one recorded would leave ctime unchanged. So only a file whose ctime
     * is safely in the past is recorded; a fresh one is hashed again next time. */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    if (now.tv_sec - st->st_ctim.tv_sec < REG_VCACHE_SETTLE)
        return 0;
    /* Record the identity seen before hashing; if the file changed meanwhile its
     * ctime moved on and the record simply never matches again. */
    struct reg_vslot s = {.dev = st->st_dev,
                          .ino = st->st_ino,
                          .size = st->st_size,
                          .mtime = st->st_mtim,
                          .ctime = st->st_ctim};
    memcpy(s.sha, sha, sizeof(s.sha));
    pthread_mutex_lock(lock);
    vc->slots[i] = s;
    pthread_mutex_unlock(lock);
    return 0;
}
