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
/** Start (returns a token) and end a wait that is not the holder's own work:
 *  for other CPUs' shoot-down answers, or for the serial console. The
 *  checking build's hold timer leaves such waits out, since under TCG they
 *  measure how the host schedules the other vCPUs and serves the console
 *  (lock.c). Counted only on the CPU holding the lock; no-ops in normal
 *  builds. */
u64 lock_hold_exclude_begin(void);
void lock_hold_exclude_end(u64 token);

#endif
