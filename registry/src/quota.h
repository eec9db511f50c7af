/* SPDX-License-Identifier: MIT */
/* Storage quota reservations for uploads in flight.
 *
 * The quota (user_quota_bytes) is enforced atomically when an archive's row
 * is inserted, but uploads in flight occupy disk in tmp/ before that: six
 * parallel uploads once held 480 KiB against a 300 KiB quota (issue 12,
 * point 7). So each upload reserves its bytes here before writing them (its
 * Content-Length at once, or chunk by chunk), and a reservation that would
 * take the user's committed usage plus everything reserved past the quota is
 * refused with 413 before the bytes are stored. Reservations are released
 * when the upload ends, stored or not. The table is fixed-size: when more
 * distinct users than REG_QUOTA_SLOTS upload at once, the extra ones are not
 * reserved (the insert-time check still holds). One mutex guards it.
 */
#ifndef REG_QUOTA_H
#define REG_QUOTA_H

#include <pthread.h>
#include <stdint.h>

#include "valid.h"

/** Users that can hold reservations at the same time. */
#define REG_QUOTA_SLOTS 256

/** Reserved bytes per user. Zero-initialise, then reg_quota_init. */
struct reg_quota {
    pthread_mutex_t lock; /**< guards slot */
    struct {
        char user[REG_USER_MAX + 1]; /**< "" when free */
        uint64_t bytes;              /**< bytes reserved by the user's uploads in flight */
    } slot[REG_QUOTA_SLOTS];         /**< the table */
};

/** Initialise the lock. */
void reg_quota_init(struct reg_quota *q);
/** Destroy the lock. */
void reg_quota_fini(struct reg_quota *q);

/**
 * Reserve n more bytes for user, whose committed archives use used bytes,
 * under limit. Returns 0 (reserved, or no free slot: not tracked) or -EDQUOT.
 */
int reg_quota_reserve(struct reg_quota *q, const char *user, uint64_t used, uint64_t limit,
                      uint64_t n);

/** Release n bytes reserved for user. */
void reg_quota_release(struct reg_quota *q, const char *user, uint64_t n);

#endif
