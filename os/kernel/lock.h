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

#endif
