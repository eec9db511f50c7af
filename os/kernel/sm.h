/* SPDX-License-Identifier: MIT */
/* Semaphore: a counter and a FIFO of waiting ECs; interrupts are semaphores.
 *
 * up() wakes the oldest waiter or increments the count; down() takes a count
 * or blocks, optionally until a deadline. An interrupt semaphore is upped by
 * its GSI; a level-triggered line stays masked from the interrupt until the
 * next down(), so the driver acknowledges the device first. An MSI semaphore
 * is upped by a message on its vector; MSIs are edge triggered, never masked.
 */
#ifndef KIDE_SM_H
#define KIDE_SM_H

#include "kobj.h"
#include <kide/boot.h>

struct ec;

struct sm {
    struct kobj obj;
    u64 count;
    struct ec *waiters; /**< circular FIFO via ec->wq_next/wq_prev */
    int gsi;            /**< interrupt line, or -1 */
    int msi;            /**< message-signalled interrupt index (vector VEC_MSI_BASE + msi), or -1 */
    bool level;         /**< level-triggered: masked until the next down */
};

struct sm *sm_create(struct pd *charge, u64 count, int *rc);
/** Up: returns KIDE_OK or KIDE_OVERFLOW. */
int sm_up(struct sm *sm);
/** Down by the current EC; returns only if no blocking was needed. */
int sm_down(struct sm *sm, struct ec *ec, bool zero, u64 deadline_tsc);
void sm_retire(struct sm *sm);
void sm_free(struct sm *sm);
/** ec's deadline passed while it waited on a semaphore. */
void sm_timeout(struct ec *ec);
/** Append ec to the FIFO at *head (a semaphore's or a handler's). */
void wq_add(struct ec **head, struct ec *ec);
/** Take ec out of the wait queue it is in, if any. */
void wq_remove(struct ec *ec);
/** Interrupt arrived on gsi. */
void sm_irq(unsigned gsi);
/** Message-signalled interrupt n arrived. */
void sm_msi(unsigned n);
extern struct sm *gsi_sm[24];
extern struct sm *msi_sm[KIDE_ROOT_MSIS];

#endif
