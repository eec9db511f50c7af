/* SPDX-License-Identifier: MIT */
/* The backend's wait()/wake_all() (backend.h) over counting semaphores, one
 * per sleeping thread, shared by the Kide backend (Kide semaphores) and the
 * host backend (POSIX semaphores) so the host tests run the same logic.
 *
 * Why one semaphore per waiter: with one shared semaphore, wake_all's ups can
 * be taken by a thread that started waiting after the wake_all (a 1-byte pipe
 * ping-pong: A writes, wake_all ups once for B, A then waits for its own pipe
 * and takes B's up; A re-checks and sleeps again, and B sleeps forever). Here
 * wake_all ups exactly the semaphores of the threads queued when it ran, and
 * no other thread can take those counts.
 *
 * Invariants (all under the caller's lock): a slot is busy while its waiter
 * is in vfs_waitq_wait; a queued waiter's semaphore count is 0; wake_all
 * unqueues each waiter it ups; a waiter that timed out but was unqueued by a
 * wake_all takes that count back before it frees its slot, so every free
 * slot's semaphore has count 0.
 */
#ifndef VFS_WAITQ_H
#define VFS_WAITQ_H

#include <stdbool.h>
#include <stdint.h>

/** At most this many threads sleep at once (the core allows 32 threads plus
 *  the main EC per account); one more returns at once (callers re-check). */
#define VFS_WAITQ_MAX 64

struct vfs_waitq_ops {
    void *ctx;
    /** The caller's lock (held around every vfs_waitq call). */
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    /** A new semaphore with count 0 in *sem: 0, or nonzero when none can be had. */
    int (*sem_new)(void *ctx, uint64_t *sem);
    /** Take one count, sleeping until deadline_ns (UINT64_MAX: none): 0 when
     *  a count was taken, nonzero when the deadline passed first. */
    int (*sem_down)(void *ctx, uint64_t sem, uint64_t deadline_ns);
    void (*sem_up)(void *ctx, uint64_t sem);
};

struct vfs_waiter;

struct vfs_waitq {
    const struct vfs_waitq_ops *ops;
    struct vfs_waiter *head; /**< the queued waiters */
    unsigned nsem;           /**< semaphores made so far (slots [0, nsem)) */
    uint64_t sem[VFS_WAITQ_MAX];
    bool busy[VFS_WAITQ_MAX];
};

void vfs_waitq_init(struct vfs_waitq *q, const struct vfs_waitq_ops *ops);
/** With the lock held: drop it, sleep until a vfs_waitq_wake_all that runs
 *  after this call began, or until deadline_ns (UINT64_MAX: none); take the
 *  lock again. May return early (no free semaphore). */
void vfs_waitq_wait(struct vfs_waitq *q, uint64_t deadline_ns);
/** With the lock held: wake every thread in vfs_waitq_wait. */
void vfs_waitq_wake_all(struct vfs_waitq *q);

#endif
