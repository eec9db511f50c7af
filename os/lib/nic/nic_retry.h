/* SPDX-License-Identifier: MIT */
/* os/lib/nic: when a NIC session is lost and when to open it again.
 *
 * A client learns that its server went away from a call's status: a call to
 * a server whose threads were stopped answers KIDE_ABORTED, one to a portal
 * or semaphore already revoked KIDE_BAD_CAP (nic_retry_gone). It then stops
 * touching the rings (the server's pages, revoked with its account) and
 * tries to open a fresh session on a back-off schedule: at once, then after
 * NIC_RETRY_MIN_MS, doubling up to NIC_RETRY_MAX_MS, so a server that stays
 * away costs one parent call a second and one that comes back is found
 * within a second of announcing. No runtime: host-tested.
 */
#ifndef NIC_RETRY_H
#define NIC_RETRY_H

#include <kide/types.h>

#define NIC_RETRY_MIN_MS 20u   /**< the wait after the first failed re-open */
#define NIC_RETRY_MAX_MS 1000u /**< the longest wait between two attempts */

/** The back-off state of one lost session. A zeroed one is due at once. */
struct nic_retry {
    kide_u64 next_ns; /**< no attempt before this (kernel clock) */
    kide_u64 wait_ms; /**< the wait after the next failure (0: NIC_RETRY_MIN_MS) */
};

/** 1 when `status`, the answer to a call on the session (or a semaphore down
 *  on its semaphore), says the server is gone: KIDE_ABORTED or KIDE_BAD_CAP. */
int nic_retry_gone(int status);
/** The session was just lost: the first attempt is due at once. */
void nic_retry_start(struct nic_retry *r);
/** 1 when an attempt is due at `now_ns`. */
int nic_retry_due(const struct nic_retry *r, kide_u64 now_ns);
/** An attempt at `now_ns` failed: the next one after the current wait, which doubles. */
void nic_retry_failed(struct nic_retry *r, kide_u64 now_ns);

#endif
