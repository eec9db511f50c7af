/* SPDX-License-Identifier: MIT */
/* The futex wait queue (pfutex.h): a singly linked FIFO of waiters that live
 * on their threads' stacks; a waiter is on the queue until a wake or its own
 * timeout takes it off, under the caller's lock. */
#include "pfutex.h"

void posix_futex_enqueue(struct posix_futex_queue *q, struct posix_futex_waiter *w)
{
    w->next = 0;
    w->woken = 0;
    if (q->tail)
        q->tail->next = w;
    else
        q->head = w;
    q->tail = w;
}

/* Unlink w, whose predecessor is prev (NULL: the head). */
static void unlink_after(struct posix_futex_queue *q, struct posix_futex_waiter *prev,
                         struct posix_futex_waiter *w)
{
    if (prev)
        prev->next = w->next;
    else
        q->head = w->next;
    if (q->tail == w)
        q->tail = prev;
    w->next = 0;
}

int posix_futex_remove(struct posix_futex_queue *q, struct posix_futex_waiter *w)
{
    struct posix_futex_waiter *prev = 0;
    for (struct posix_futex_waiter *c = q->head; c; prev = c, c = c->next)
        if (c == w) {
            unlink_after(q, prev, w);
            return 1;
        }
    return 0;
}

long posix_futex_wake(struct posix_futex_queue *q, kide_u64 addr, kide_u32 bitset, long n,
                      void (*fn)(struct posix_futex_waiter *w))
{
    long done = 0;
    struct posix_futex_waiter *prev = 0, *c = q->head;
    while (c && done < n) {
        struct posix_futex_waiter *next = c->next;
        if (c->addr == addr && (c->bitset & bitset)) {
            unlink_after(q, prev, c);
            c->woken = 1;
            done++;
            if (fn)
                fn(c);
        } else {
            prev = c;
        }
        c = next;
    }
    return done;
}

long posix_futex_requeue(struct posix_futex_queue *q, kide_u64 addr, long n, kide_u64 addr2, long m,
                         void (*fn)(struct posix_futex_waiter *w))
{
    long woken = posix_futex_wake(q, addr, ~0u, n, fn), moved = 0;
    for (struct posix_futex_waiter *c = q->head; c && moved < m; c = c->next)
        if (c->addr == addr) {
            c->addr = addr2;
            moved++;
        }
    return woken + moved;
}
