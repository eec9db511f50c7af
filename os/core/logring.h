/* SPDX-License-Identifier: MIT */
/* core's log rings (logring.c, docs/core.md "Log rings"): every account's
 * newest LOG lines, readable by its owner, kept past its end. */
#ifndef CORE_LOGRING_H
#define CORE_LOGRING_H

#include "core.h"

/** Under core's lock: record account a's line (text[0..len), as the console shows it
 *  after "[label] ", without the newline). Its ring is made at its first line, from
 *  its RAM quota; with less than KIDE_LOG_RING_BYTES free it gets none (never retried). */
void ring_record(struct account *a, const char *text, u64 len);
/** KIDE_CORE_LOGS of owner's sub-account `name` (live, or ended and kept): the lines
 *  after `after` into rep (at most one chunk). Returns OK or NOT_FOUND. */
int ring_read(struct account *owner, const char *name, u64 after, struct kide_core_logs_rep *rep);
/** Drop the kept ring of owner's ended sub-account `name`: OK, BUSY (it is live) or
 *  NOT_FOUND. */
int ring_forget(struct account *owner, const char *name);
/** Bytes of owner's RAM a kept ring of `name` holds (0: none): a new sub-account of
 *  that name takes it over (ring_adopt), so its quota may use them. */
u64 ring_kept_bytes(const struct account *owner, const char *name);
/** A new sub-account s takes over the kept ring of its name (charge moves from its
 *  owner to it; dropped when s's quota is smaller than the ring). */
void ring_adopt(struct account *s);
/** acc_destroy: the rings a kept are freed; a's own ring stays with its owner
 *  (charged to the owner's RAM, at most the quota a held) until a new sub-account of
 *  the same name adopts it or the owner forgets it or ends. */
void ring_account_gone(struct account *a);

#endif
