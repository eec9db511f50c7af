/* SPDX-License-Identifier: MIT */
/* The big kernel lock, and the TLB shoot-down protocol that must live with it.
 *
 * The kernel runs with interrupts disabled and holds one lock for the whole of
 * every entry (docs/decisions/0001-kernel-big-lock.md says why). A CPU waiting
 * for the lock keeps answering shoot-down requests, so the holder can wait for
 * every CPU's acknowledgement without deadlock.
 */
#ifndef KIDE_LOCK_H
#define KIDE_LOCK_H

#include "types.h"

void bkl_lock(void);
void bkl_unlock(void);
/** Answer a pending shoot-down request on this CPU (no lock needed). */
void flush_handle(void);
/** The holder starts (returns a token) and ends waiting for other CPUs'
 *  shoot-down answers: the checking build's hold timer leaves that wait out,
 *  since under TCG it measures how the host schedules the other vCPUs, not
 *  work the holder does (lock.c). No-ops in normal builds. */
u64 lock_wait_others_begin(void);
void lock_wait_others_end(u64 token);

#endif
