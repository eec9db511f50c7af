/* SPDX-License-Identifier: MIT */
/* os/lib/nic: the packet ring of a NIC session, one side at a time.
 *
 * States: attached (usable) or broken (the peer wrote an index no honest peer
 * can write; every call then fails with NIC_RING_BROKEN and touches nothing).
 * Invariants, for the side's private fields (never for the shared ones):
 *   producer: peer <= published <= own and own - peer <= slots (mod 2^32);
 *   consumer: published <= own <= peer and peer - own <= slots.
 * A peer index is accepted only if it keeps them: the consumer's cons must lie
 * in [peer, published] (it can free only what was published, and never take a
 * slot back); the producer's prod in [peer, own + slots]. Each is read once,
 * with acquire order, so the slots it covers are read after it.
 *
 * Memory ordering: the producer fills a slot, then publishes prod with release
 * order; the consumer loads prod with acquire order before it reads the slot.
 * The wake-up protocol is Dekker's: the waiter stores its wait flag, issues a
 * sequentially consistent fence and re-reads the peer's index; the publisher
 * stores its index, issues the same fence and reads the wait flag. One of the
 * two sees the other's store, so no wake-up is lost between honest peers.
 */
#include <stdatomic.h>
#include "nic_ring.h"

/* The shared fields are plain kide_u32 in the ABI struct; every access to one
 * goes through these, as a 32-bit atomic of the named order. */
static inline kide_u32 ld(kide_u32 *p, memory_order o)
{
    return atomic_load_explicit((_Atomic kide_u32 *)p, o);
}

static inline void st(kide_u32 *p, kide_u32 v, memory_order o)
{
    atomic_store_explicit((_Atomic kide_u32 *)p, v, o);
}

static int geometry_ok(kide_u64 size, kide_u32 slots)
{
    if (slots < KIDE_NIC_SLOTS_MIN || slots > KIDE_NIC_SLOTS_MAX || (slots & (slots - 1)))
        return 0;
    return size >= KIDE_NIC_RING_BYTES(slots);
}

int nic_ring_format(void *mem, kide_u64 size, kide_u32 slots)
{
    if (!mem || !geometry_ok(size, slots))
        return NIC_RING_BAD_PARAM;
    struct kide_nic_ring_hdr *h = mem;
    __builtin_memset(h, 0, sizeof(*h));
    h->magic = KIDE_NIC_RING_MAGIC;
    h->slots = slots;
    h->slot_size = KIDE_NIC_SLOT_SIZE;
    atomic_thread_fence(memory_order_release);
    return NIC_RING_OK;
}

int nic_ring_attach(struct nic_ring *r, void *mem, kide_u64 size, kide_u32 slots, int role)
{
    if (!r || !mem || !geometry_ok(size, slots) ||
        (role != NIC_RING_PRODUCER && role != NIC_RING_CONSUMER))
        return NIC_RING_BAD_PARAM;
    __builtin_memset(r, 0, sizeof(*r));
    r->hdr = mem;
    r->slot = (struct kide_nic_slot *)((kide_u8 *)mem + KIDE_NIC_RING_HDR_SIZE);
    r->slots = slots;
    r->role = role;
    /* The only read of the own index: from here on the private copy rules. */
    r->own = ld(role == NIC_RING_PRODUCER ? &r->hdr->prod : &r->hdr->cons, memory_order_acquire);
    r->published = r->own;
    /* The lowest peer index the invariants allow, so the first check is exactly
     * "the peer's index is within one ring of ours". */
    r->peer = role == NIC_RING_PRODUCER ? r->own - slots : r->own;
    return NIC_RING_OK;
}

/* Read the peer's index once and accept it or break the ring. */
static void refresh(struct nic_ring *r)
{
    if (r->broken)
        return;
    if (r->role == NIC_RING_PRODUCER) {
        kide_u32 cons = ld(&r->hdr->cons, memory_order_acquire);
        if (cons - r->peer > r->published - r->peer) { /* defensive: a hostile consumer */
            r->broken = 1;
            return;
        }
        r->peer = cons;
    } else {
        kide_u32 prod = ld(&r->hdr->prod, memory_order_acquire);
        if (prod - r->peer > r->own + r->slots - r->peer) { /* defensive: a hostile producer */
            r->broken = 1;
            return;
        }
        r->peer = prod;
    }
}

kide_u32 nic_ring_space(struct nic_ring *r)
{
    if (r->role != NIC_RING_PRODUCER)
        return 0;
    refresh(r);
    return r->broken ? 0 : r->slots - (r->own - r->peer);
}

kide_u8 *nic_ring_alloc(struct nic_ring *r)
{
    if (r->role != NIC_RING_PRODUCER || r->broken)
        return 0;
    if (r->own - r->peer == r->slots && nic_ring_space(r) == 0)
        return 0;
    return r->slot[r->own & (r->slots - 1)].data;
}

int nic_ring_commit(struct nic_ring *r, kide_u32 len)
{
    if (r->role != NIC_RING_PRODUCER || r->broken || r->own - r->peer >= r->slots)
        return NIC_RING_BAD_PARAM; /* no slot from nic_ring_alloc: a local bug */
    if (len < KIDE_NIC_FRAME_MIN || len > KIDE_NIC_FRAME_MAX)
        return NIC_RING_BAD_LEN;
    struct kide_nic_slot *s = &r->slot[r->own & (r->slots - 1)];
    st(&s->len, len, memory_order_relaxed);
    st(&s->flags, 0, memory_order_relaxed);
    r->own++;
    return NIC_RING_OK;
}

int nic_ring_put(struct nic_ring *r, const void *frame, kide_u32 len)
{
    if (len < KIDE_NIC_FRAME_MIN || len > KIDE_NIC_FRAME_MAX)
        return NIC_RING_BAD_LEN;
    kide_u8 *d = nic_ring_alloc(r);
    if (!d)
        return r->broken ? NIC_RING_BROKEN : NIC_RING_EMPTY;
    __builtin_memcpy(d, frame, len);
    return nic_ring_commit(r, len);
}

kide_u32 nic_ring_avail(struct nic_ring *r)
{
    if (r->role != NIC_RING_CONSUMER)
        return 0;
    refresh(r);
    return r->broken ? 0 : r->peer - r->own;
}

int nic_ring_peek(struct nic_ring *r, const kide_u8 **data, kide_u32 *len)
{
    if (r->role != NIC_RING_CONSUMER)
        return NIC_RING_BAD_PARAM;
    if (r->peer == r->own && nic_ring_avail(r) == 0)
        return r->broken ? NIC_RING_BROKEN : NIC_RING_EMPTY;
    if (r->broken)
        return NIC_RING_BROKEN;
    struct kide_nic_slot *s = &r->slot[r->own & (r->slots - 1)];
    kide_u32 n = ld(&s->len, memory_order_relaxed); /* read once */
    if (n < KIDE_NIC_FRAME_MIN || n > KIDE_NIC_FRAME_MAX) {
        r->own++;
        r->bad_len++;
        return NIC_RING_BAD_LEN;
    }
    *data = s->data;
    *len = n;
    return NIC_RING_OK;
}

void nic_ring_next(struct nic_ring *r)
{
    /* Invariant: called after a successful peek, so own < peer. */
    if (r->own != r->peer)
        r->own++;
}

int nic_ring_get(struct nic_ring *r, void *buf, kide_u32 cap, kide_u32 *len)
{
    const kide_u8 *d;
    kide_u32 n;
    int rc = nic_ring_peek(r, &d, &n);
    if (rc != NIC_RING_OK)
        return rc;
    if (n > cap)
        return NIC_RING_BAD_PARAM;
    __builtin_memcpy(buf, d, n);
    *len = n;
    nic_ring_next(r);
    return NIC_RING_OK;
}

int nic_ring_publish(struct nic_ring *r)
{
    if (r->broken || r->own == r->published)
        return 0;
    int prod = r->role == NIC_RING_PRODUCER;
    st(prod ? &r->hdr->prod : &r->hdr->cons, r->own, memory_order_release);
    r->published = r->own;
    atomic_thread_fence(memory_order_seq_cst);
    return ld(prod ? &r->hdr->cons_wait : &r->hdr->prod_wait, memory_order_relaxed) != 0;
}

static kide_u32 *wait_flag(struct nic_ring *r)
{
    return r->role == NIC_RING_PRODUCER ? &r->hdr->prod_wait : &r->hdr->cons_wait;
}

int nic_ring_wait_prepare(struct nic_ring *r)
{
    if (r->broken)
        return 0;
    st(wait_flag(r), 1, memory_order_relaxed);
    atomic_thread_fence(memory_order_seq_cst);
    kide_u32 ready = r->role == NIC_RING_PRODUCER ? nic_ring_space(r) : nic_ring_avail(r);
    if (ready || r->broken) {
        st(wait_flag(r), 0, memory_order_relaxed);
        return 0;
    }
    return 1;
}

void nic_ring_wait_done(struct nic_ring *r)
{
    st(wait_flag(r), 0, memory_order_relaxed);
}
