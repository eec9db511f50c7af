/* SPDX-License-Identifier: MIT */
/* A split virtqueue: rings in DMA memory, one fixed buffer per descriptor.
 *
 * Layout of the ring allocation: the descriptor table (16 * size bytes), the
 * driver area (6 + 2 * size bytes, used_event last), then, on the next page,
 * the device area (6 + 8 * size bytes, avail_event last): the alignment the
 * specification asks for (16, 2, 4) with room to spare. Invariants (private
 * fields only): inflight + nfree + npend = size (plus the ids a caller holds
 * between virtq_get_free or virtq_collect and virtq_post);
 * avail_idx - last_used (mod 2^16) = inflight + npend; the device may complete
 * at most inflight, and only ids marked owned. Ordering: descriptors and ring entries are
 * written before avail->idx is stored with release order; avail_event or the
 * used flags are read after a full fence (the device may be checking them at
 * the same time); used->idx is loaded with acquire order before its entries.
 */
#include <stdatomic.h>
#include <kide/status.h>
#include "virtq.h"

#define PAGE 4096u

static inline kide_u16 ld16(kide_u16 *p, memory_order o)
{
    return atomic_load_explicit((_Atomic kide_u16 *)p, o);
}

static inline void st16(kide_u16 *p, kide_u16 v, memory_order o)
{
    atomic_store_explicit((_Atomic kide_u16 *)p, v, o);
}

static kide_u64 round_up(kide_u64 v, kide_u64 a)
{
    return (v + a - 1) & ~(a - 1);
}

int virtq_alloc(struct virtq *q, struct vio_access *a, kide_u16 index, kide_u16 size,
                kide_u32 buf_size, int event_idx)
{
    /* No buffer may cross a page: DMA memory may be contiguous page by page only. */
    if (!size || size > VIRTQ_SIZE_MAX || (size & (size - 1)) || !buf_size || PAGE % buf_size)
        return KIDE_BAD_PARAM;
    __builtin_memset(q, 0, sizeof(*q));
    q->index = index;
    q->size = size;
    q->buf_size = buf_size;
    q->event_idx = event_idx;
    kide_u64 used_at = round_up(16ull * size + 6 + 2ull * size, PAGE);
    int st = a->ops->dma_alloc(a, used_at + round_up(6 + 8ull * size, PAGE), &q->ring);
    if (st != KIDE_OK)
        return st;
    st = a->ops->dma_alloc(a, (kide_u64)size * buf_size, &q->bufs);
    if (st != KIDE_OK) {
        a->ops->dma_free(a, &q->ring);
        return st;
    }
    q->desc = q->ring.va;
    q->avail = (struct virtq_avail *)((kide_u8 *)q->ring.va + 16ull * size);
    q->used = (struct virtq_used *)((kide_u8 *)q->ring.va + used_at);
    q->desc_pa = vio_dma_addr(&q->ring, 0);
    q->avail_pa = vio_dma_addr(&q->ring, 16ull * size);
    q->used_pa = vio_dma_addr(&q->ring, used_at);
    for (kide_u16 i = 0; i < size; i++)
        q->free[i] = (kide_u16)(size - 1 - i);
    q->nfree = size;
    return KIDE_OK;
}

void virtq_free(struct virtq *q, struct vio_access *a)
{
    if (q->ring.va)
        a->ops->dma_free(a, &q->ring);
    if (q->bufs.va)
        a->ops->dma_free(a, &q->bufs);
    q->desc = 0;
    q->avail = 0;
    q->used = 0;
}

int virtq_get_free(struct virtq *q)
{
    return q->nfree ? q->free[--q->nfree] : -1;
}

void virtq_post(struct virtq *q, kide_u16 id, kide_u32 len, int write)
{
    struct virtq_desc *d = &q->desc[id];
    d->addr = vio_dma_addr(&q->bufs, (kide_u64)id * q->buf_size);
    d->len = len;
    d->flags = write ? VIRTQ_DESC_F_WRITE : 0;
    d->next = 0;
    q->avail->ring[q->avail_idx & (q->size - 1)] = id;
    q->avail_idx++;
    q->pend[q->npend++] = id;
}

int virtq_publish(struct virtq *q)
{
    kide_u16 old = q->published, now = q->avail_idx;
    if (old == now)
        return 0;
    /* Every descriptor posted since goes to the device: from the private list, since
     * the device could have rewritten the avail ring meanwhile. */
    for (kide_u16 i = 0; i < q->npend; i++)
        q->owned[q->pend[i]] = 1;
    q->inflight += q->npend;
    q->npend = 0;
    st16(&q->avail->idx, now, memory_order_release);
    q->published = now;
    atomic_thread_fence(memory_order_seq_cst);
    int kick;
    if (q->event_idx) {
        kide_u16 *avail_event = (kide_u16 *)&q->used->ring[q->size];
        kick = virtq_need_event(ld16(avail_event, memory_order_relaxed), now, old);
    } else {
        kick = !(ld16(&q->used->flags, memory_order_relaxed) & VIRTQ_USED_F_NO_NOTIFY);
    }
    q->kicks += kick;
    return kick;
}

int virtq_collect(struct virtq *q, kide_u16 *ids, kide_u32 *lens, int max, const char **why)
{
    kide_u16 idx = ld16(&q->used->idx, memory_order_acquire);
    kide_u16 pending = (kide_u16)(idx - q->last_used);
    if (pending > q->inflight) { /* defensive: the device claims more than it holds */
        *why = "used index beyond the buffers the device holds";
        return -1;
    }
    int n = 0;
    for (; n < max && q->last_used != idx; n++) {
        volatile struct virtq_used_elem *e = &q->used->ring[q->last_used & (q->size - 1)];
        kide_u32 id = e->id, len = e->len;    /* each read once */
        if (id >= q->size || !q->owned[id]) { /* defensive */
            *why = id >= q->size ? "used id out of range" : "used id not with the device";
            return -1;
        }
        q->owned[id] = 0;
        q->inflight--;
        q->last_used++;
        ids[n] = (kide_u16)id;
        lens[n] = len;
    }
    if (n && q->irq_off && q->event_idx) /* keep the used event out of the device's reach */
        st16(&q->avail->ring[q->size], (kide_u16)(q->last_used + q->size), memory_order_relaxed);
    return n;
}

int virtq_irq_on(struct virtq *q, kide_u16 after)
{
    q->irq_off = 0;
    if (q->event_idx) {
        kide_u16 *used_event = &q->avail->ring[q->size];
        st16(used_event, (kide_u16)(q->last_used + after), memory_order_relaxed);
    } else {
        st16(&q->avail->flags, 0, memory_order_relaxed);
    }
    atomic_thread_fence(memory_order_seq_cst);
    return ld16(&q->used->idx, memory_order_acquire) != q->last_used;
}

void virtq_irq_off(struct virtq *q)
{
    q->irq_off = 1;
    if (q->event_idx) /* beyond what the device can reach: it holds at most size buffers */
        st16(&q->avail->ring[q->size], (kide_u16)(q->last_used + q->size), memory_order_relaxed);
    else
        st16(&q->avail->flags, VIRTQ_AVAIL_F_NO_INTERRUPT, memory_order_relaxed);
}
