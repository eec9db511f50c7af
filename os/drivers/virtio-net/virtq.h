/* SPDX-License-Identifier: MIT */
/* A split virtqueue (virtio 1.2, 2.7) with one fixed buffer per descriptor.
 *
 * Descriptor i always points at buffer i of the queue's buffer area, so a
 * buffer never chains and the id the device returns names the buffer: the
 * driver accepts a used entry only if its id is < size and that descriptor is
 * with the device right now (owned[id]), and a used index only if it does not
 * claim more completions than are outstanding. Anything else is a device
 * that broke the protocol (or memory that was corrupted): the queue reports
 * it and the driver resets the device. Nothing the device writes is used as
 * an index before it is checked, and each used entry is read once.
 */
#ifndef VIRTQ_H
#define VIRTQ_H

#include "vio_access.h"
#include "virtio.h"

#define VIRTQ_SIZE_MAX 256u /**< queues larger on the device are used at this size */

struct virtq {
    kide_u16 index;                      /**< queue number on the device */
    kide_u16 size;                       /**< descriptors (a power of two) */
    kide_u32 buf_size;                   /**< bytes per buffer */
    int event_idx;                       /**< VIRTIO_F_RING_EVENT_IDX negotiated */
    struct vio_dma ring;                 /**< descriptor table, driver area, device area */
    struct vio_dma bufs;                 /**< size * buf_size bytes of buffers */
    struct virtq_desc *desc;             /**< the descriptor table */
    struct virtq_avail *avail;           /**< the driver area */
    struct virtq_used *used;             /**< the device area */
    kide_u64 desc_pa, avail_pa, used_pa; /**< their device addresses */
    kide_u16 avail_idx;                  /**< next avail slot (private; published to avail->idx) */
    kide_u16 published;                  /**< avail->idx as last published */
    kide_u16 last_used;                  /**< next used entry to read (private) */
    kide_u16 inflight;                   /**< descriptors with the device */
    kide_u16 nfree;                      /**< entries in free[] */
    kide_u64 notify_off;                 /**< byte offset of this queue's notify register */
    kide_u8 owned[VIRTQ_SIZE_MAX];       /**< 1: descriptor i is with the device */
    kide_u16 free[VIRTQ_SIZE_MAX];       /**< ids of buffers with the driver, unposted */
    kide_u16 npend;                      /**< entries in pend[] */
    kide_u16 pend[VIRTQ_SIZE_MAX];       /**< ids posted since the last publish (private:
                                              never read back from the avail ring) */
    int irq_off;                         /**< interrupts not wanted (virtq_irq_off) */
    kide_u64 kicks;                      /**< notifications sent */
};

/** Allocate the rings and `size` buffers of `buf_size` bytes. -> KIDE_OK | KIDE_QUOTA
 *  | KIDE_BAD_PARAM (size not a power of two in 1..VIRTQ_SIZE_MAX). */
int virtq_alloc(struct virtq *q, struct vio_access *a, kide_u16 index, kide_u16 size,
                kide_u32 buf_size, int event_idx);
void virtq_free(struct virtq *q, struct vio_access *a);

/** Buffer `id`'s memory. */
static inline kide_u8 *virtq_buf(struct virtq *q, kide_u16 id)
{
    return (kide_u8 *)q->bufs.va + (kide_u64)id * q->buf_size;
}

/** Take a free buffer id (-1: none). */
int virtq_get_free(struct virtq *q);
/** Post buffer `id` with `len` bytes (device-writable if `write`); visible to the
 *  device at the next virtq_publish. */
void virtq_post(struct virtq *q, kide_u16 id, kide_u32 len, int write);
/** Publish posted buffers; returns 1 if the device wants a notification (the caller
 *  writes the notify register), else 0. */
int virtq_publish(struct virtq *q);

/** Take up to `max` completed buffers into ids[] and lens[] (validated, each entry
 *  read once). Returns the number taken, or -1: the device broke the protocol
 *  (a used index claiming more than outstanding, an id out of range or not with
 *  the device); *why says which. */
int virtq_collect(struct virtq *q, kide_u16 *ids, kide_u32 *lens, int max, const char **why);

/** Ask for an interrupt after `after` more completions (0: the next one) and say
 *  whether completions are already pending (1: do not sleep). */
int virtq_irq_on(struct virtq *q, kide_u16 after);
/** Ask for no interrupts (completions are picked up by polling). */
void virtq_irq_off(struct virtq *q);

#endif
