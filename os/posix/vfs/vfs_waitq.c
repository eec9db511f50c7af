/* SPDX-License-Identifier: MIT */
/* Per-waiter semaphores for the backend's wait/wake: see vfs_waitq.h. */
#include "vfs_waitq.h"

#include <stddef.h>

struct vfs_waiter {
    struct vfs_waiter *next;
    unsigned slot;
    bool queued; /**< still on q->head: no wake_all has upped it */
};

void vfs_waitq_init(struct vfs_waitq *q, const struct vfs_waitq_ops *ops)
{
    q->ops = ops;
    q->head = NULL;
    q->nsem = 0;
    for (unsigned i = 0; i < VFS_WAITQ_MAX; i++)
        q->busy[i] = false;
}

/* A free slot (its semaphore at count 0), making a semaphore if needed, or
 * VFS_WAITQ_MAX when there is none. */
static unsigned slot_get(struct vfs_waitq *q)
{
    for (unsigned i = 0; i < q->nsem; i++) {
        if (!q->busy[i])
            return i;
    }
    if (q->nsem == VFS_WAITQ_MAX || q->ops->sem_new(q->ops->ctx, &q->sem[q->nsem]) != 0)
        return VFS_WAITQ_MAX;
    return q->nsem++;
}

static void unqueue(struct vfs_waitq *q, struct vfs_waiter *w)
{
    for (struct vfs_waiter **pp = &q->head; *pp; pp = &(*pp)->next) {
        if (*pp == w) {
            *pp = w->next;
            break;
        }
    }
    w->queued = false;
}

void vfs_waitq_wait(struct vfs_waitq *q, uint64_t deadline_ns)
{
    const struct vfs_waitq_ops *o = q->ops;
    struct vfs_waiter w = {.next = q->head, .slot = slot_get(q), .queued = true};
    if (w.slot == VFS_WAITQ_MAX)
        return; /* no semaphore: an early return, the caller re-checks */
    q->busy[w.slot] = true;
    q->head = &w;
    o->unlock(o->ctx);
    int timed_out = o->sem_down(o->ctx, q->sem[w.slot], deadline_ns);
    o->lock(o->ctx);
    if (w.queued)
        unqueue(q, &w); /* no wake_all came: nobody upped our semaphore */
    else if (timed_out)
        /* A wake_all upped us (under the lock, so the count is there now)
         * after our deadline passed: take it so the slot is left at 0. */
        o->sem_down(o->ctx, q->sem[w.slot], UINT64_MAX);
    q->busy[w.slot] = false;
}

void vfs_waitq_wake_all(struct vfs_waitq *q)
{
    const struct vfs_waitq_ops *o = q->ops;
    for (struct vfs_waiter *w = q->head; w; w = w->next) {
        w->queued = false;
        o->sem_up(o->ctx, q->sem[w->slot]);
    }
    q->head = NULL;
}
