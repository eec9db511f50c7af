/* SPDX-License-Identifier: MIT */
/* The verified-blob cache: which blob files were hashed and found good.
 *
 * A download must never serve a damaged blob as the archive its row names,
 * but hashing the blob on every request would cost as much as sending it.
 * So the first download of a blob hashes it and records the file's identity
 * (device, inode, size, mtime, ctime); later downloads whose fstat matches the
 * record skip the hash. Any write to the file changes its ctime (which no
 * user can set) and a replacement changes its inode, so a record can never
 * vouch for bytes other than those hashed (files changed in the last
 * REG_VCACHE_SETTLE seconds are not recorded: timestamps are coarse). The table is direct-mapped by
 * the blob's hash with a fixed number of slots: a collision only evicts, so
 * memory is bounded and the worst case is a re-hash. Thread-safe: one mutex
 * per slot group.
 */
#ifndef REG_VCACHE_H
#define REG_VCACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "blob.h"

/** Slots in the table (a power of two). */
#define REG_VCACHE_SLOTS 4096
/** Seconds a file's ctime must lie in the past before its verification is recorded. */
#define REG_VCACHE_SETTLE 2
/** Mutexes guarding the slots (slot i uses lock i % REG_VCACHE_LOCKS). */
#define REG_VCACHE_LOCKS 64

/** One verified blob file. */
struct reg_vslot {
    char sha[REG_SHA_HEX + 1]; /**< the blob's name, "" when the slot is empty */
    dev_t dev;                 /**< st_dev at verification */
    ino_t ino;                 /**< st_ino */
    off_t size;                /**< st_size */
    struct timespec mtime;     /**< st_mtim */
    struct timespec ctime;     /**< st_ctim */
};

/** The cache. Zero-initialise, then reg_vcache_init. */
struct reg_vcache {
    pthread_mutex_t locks[REG_VCACHE_LOCKS];  /**< slot group locks */
    struct reg_vslot slots[REG_VCACHE_SLOTS]; /**< the table */
};

/** Initialise the locks. */
void reg_vcache_init(struct reg_vcache *vc);
/** Destroy the locks. */
void reg_vcache_fini(struct reg_vcache *vc);

/**
 * Is the open blob fd (with fstat result st) the blob named sha with its
 * exact bytes? Answers from the cache when the file's identity matches a
 * record, else hashes the file and records it if good. Returns 0 (good),
 * -EBADMSG (damaged: the bytes do not hash to sha) or -errno (unreadable).
 */
int reg_vcache_check(struct reg_vcache *vc, int fd, const struct stat *st, const char *sha);

#endif
