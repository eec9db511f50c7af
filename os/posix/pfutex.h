/* SPDX-License-Identifier: MIT */
/* The futex wait queue: which thread waits on which word, and who a wake
 * reaches. Every thread of the program lives in the runtime's one address
 * space, so a futex is named by its address alone (FUTEX_PRIVATE_FLAG
 * changes nothing). Waiters wait in FIFO order; a wake takes the first n
 * whose address matches and whose bitset meets the waker's, marks them woken
 * and hands each to a callback (the runtime ups that thread's semaphore).
 * Pure: the caller holds the futex lock around every call; the host tests
 * drive it directly.
 */
#ifndef POSIX_PFUTEX_H
#define POSIX_PFUTEX_H

#include <kide/types.h>

struct posix_futex_waiter {
    kide_u64 addr;
    kide_u32 bitset;
    int woken;                       /* set by a wake, read by the waiter under the lock */
    void *thread;                    /* the caller's, passed to the wake callback */
    struct posix_futex_waiter *next; /* queue link */
};

struct posix_futex_queue {
    struct posix_futex_waiter *head, *tail;
};

void posix_futex_enqueue(struct posix_futex_queue *q, struct posix_futex_waiter *w);
/** Take w off the queue if it is still on it: 1 if it was, 0 if not. */
int posix_futex_remove(struct posix_futex_queue *q, struct posix_futex_waiter *w);
/** Wake up to n waiters on addr whose bitset meets bitset: each is taken off
 *  the queue, marked woken and passed to fn. Returns how many. */
long posix_futex_wake(struct posix_futex_queue *q, kide_u64 addr, kide_u32 bitset, long n,
                      void (*fn)(struct posix_futex_waiter *w));
/** FUTEX_REQUEUE: wake up to n on addr, then move up to m more to addr2.
 *  Returns the number woken plus the number moved (as Linux's CMP_REQUEUE). */
long posix_futex_requeue(struct posix_futex_queue *q, kide_u64 addr, long n, kide_u64 addr2, long m,
                         void (*fn)(struct posix_futex_waiter *w));

#endif
