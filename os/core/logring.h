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
/** Whether owner keeps a ring of an ended sub-account `name`: it holds KIDE_LOG_RING_BYTES
 *  of owner's RAM and one unit of owner's share of core's table (blocks_used), which a
 *  new sub-account of that name takes over (ring_adopt), so its creation may count them
 *  as free. */
bool ring_kept(const struct account *owner, const char *name);
/** A new sub-account s takes over the kept ring of its name: the RAM charge moves from its
 *  owner to it (the table unit the caller already released); dropped when s's quota is
 *  smaller than the ring. */
void ring_adopt(struct account *s);
/** acc_destroy, after a's quota and table share went back to its owner: the rings a
 *  kept are freed; a's own ring stays with its owner (charged to the owner's RAM and one
 *  unit of its table share, both less than a held) until a new sub-account of the same
 *  name adopts it or the owner forgets it or ends. */
void ring_account_gone(struct account *a);

#endif
