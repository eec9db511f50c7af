/* SPDX-License-Identifier: MIT */
/* Per-client rate limiting with token buckets.
 *
 * Each client address owns a bucket that fills at `rate` tokens per second up
 * to `burst`; a request takes one token or is refused with the seconds until
 * one is available. Buckets live in a fixed table (no allocation per client)
 * with short linear probing; when the probe window is full the stalest bucket
 * is reused, which at worst forgives an idle client. One mutex guards the
 * table: a take is a few dozen instructions.
 */
#ifndef REG_RATELIMIT_H
#define REG_RATELIMIT_H

#include <stdint.h>
#include <sys/socket.h>

struct reg_ratelimit;

/** Create a limiter; rate 0 disables it (every take succeeds). NULL on ENOMEM. */
struct reg_ratelimit *reg_rl_new(uint32_t rate, uint32_t burst);

/**
 * Take a token for the client at sa at time now (seconds). Returns 0, or
 * -EAGAIN with *retry_after set to whole seconds to wait.
 */
int reg_rl_take(struct reg_ratelimit *rl, const struct sockaddr *sa, double now,
                uint32_t *retry_after);

/** Free the limiter. */
void reg_rl_free(struct reg_ratelimit *rl);

#endif
