/* SPDX-License-Identifier: MIT */
/* os/lib/nic: one side of a NIC session's packet ring (<kide/nic.h>).
 *
 * A struct nic_ring is one side's private view of a shared ring: the
 * geometry it agreed on (never re-read from shared memory), its own index
 * (kept here; the shared copy is only ever written), and the last peer index
 * it accepted. Every peer index is read once, checked (0 <= prod - cons <=
 * slots) and only then used; a bad one marks the ring broken for good, and
 * every later call returns NIC_RING_BROKEN: the session is over, nothing is
 * read out of bounds. A slot's length is read once and checked the same way.
 * The ring needs no lock: one producer thread and one consumer thread, which
 * may be in different PDs and on different CPUs. Costs: O(1) per call plus the
 * copy of a frame; no allocation.
 */
#ifndef NIC_RING_H
#define NIC_RING_H

#include <kide/nic.h>

/** Results of the ring calls (0 or negative). */
enum nic_ring_status {
    NIC_RING_OK = 0,
    NIC_RING_EMPTY = -1,     /**< consumer: nothing to take; producer: no free slot */
    NIC_RING_BAD_LEN = -2,   /**< a length outside KIDE_NIC_FRAME_MIN..MAX (the slot is skipped) */
    NIC_RING_BROKEN = -3,    /**< the peer wrote an impossible index: the ring is unusable */
    NIC_RING_BAD_PARAM = -4, /**< a geometry or buffer that cannot work (a local bug) */
};

/** Which side of the ring this view is. */
enum nic_ring_role {
    NIC_RING_PRODUCER = 0,
    NIC_RING_CONSUMER = 1,
};

/** One side's view of a ring. Fields are private to os/lib/nic. */
struct nic_ring {
    struct kide_nic_ring_hdr *hdr; /**< the shared header page */
    struct kide_nic_slot *slot;    /**< the shared slots */
    kide_u32 slots;                /**< agreed number of slots (power of two) */
    kide_u32 own;                  /**< own index, private (the shared one is write-only) */
    kide_u32 published;            /**< own index as last published */
    kide_u32 peer;                 /**< the last peer index accepted */
    int role;                      /**< enum nic_ring_role */
    int broken;                    /**< 1 after the peer wrote an impossible index */
    kide_u64 bad_len;              /**< slots skipped for a bad length (consumer) */
};

/** Create a ring in `mem` (`size` bytes, >= KIDE_NIC_RING_BYTES(slots)): zero the
 *  header, write magic and geometry. Done by the server before it shares the ring. */
int nic_ring_format(void *mem, kide_u64 size, kide_u32 slots);

/** Attach `r` as `role` to the ring in `mem` with the agreed `slots`. The own index
 *  starts where the shared copy stands (read once); the peer's is read on use.
 *  -> NIC_RING_OK | NIC_RING_BAD_PARAM (slots not a power of two in range, or
 *  size too small). */
int nic_ring_attach(struct nic_ring *r, void *mem, kide_u64 size, kide_u32 slots, int role);

/* ---- producer ------------------------------------------------------------------ */
/** Free slots now (reads the peer's index once); 0 when broken (see r->broken). */
kide_u32 nic_ring_space(struct nic_ring *r);
/** Copy a frame into the next free slot; not visible to the consumer before
 *  nic_ring_publish. -> OK | EMPTY (full) | BAD_LEN | BROKEN. */
int nic_ring_put(struct nic_ring *r, const void *frame, kide_u32 len);
/** The next free slot's frame buffer (KIDE_NIC_FRAME_MAX bytes) for building a frame
 *  in place, or NULL when full or broken; commit it with nic_ring_commit. */
kide_u8 *nic_ring_alloc(struct nic_ring *r);
/** Commit the slot from nic_ring_alloc with `len` bytes. -> OK | BAD_LEN |
 *  BAD_PARAM (no slot was allocated: the ring is full or broken). */
int nic_ring_commit(struct nic_ring *r, kide_u32 len);

/* ---- consumer ------------------------------------------------------------------ */
/** Frames ready now (reads the peer's index once); 0 when broken. */
kide_u32 nic_ring_avail(struct nic_ring *r);
/** The next frame in place: *data and *len (read once and checked). The consumer
 *  copies what it needs, then calls nic_ring_next. The peer may still change the
 *  bytes meanwhile: only their content, never the bounds.
 *  -> OK | EMPTY | BAD_LEN (the slot is skipped and counted) | BROKEN. */
int nic_ring_peek(struct nic_ring *r, const kide_u8 **data, kide_u32 *len);
/** Done with the frame from nic_ring_peek (the slot is freed at the next publish). */
void nic_ring_next(struct nic_ring *r);
/** Copy the next frame into buf (cap bytes); *len its length.
 *  -> OK | EMPTY | BAD_LEN (skipped) | BROKEN | BAD_PARAM (cap too small: not taken). */
int nic_ring_get(struct nic_ring *r, void *buf, kide_u32 cap, kide_u32 *len);

/* ---- both --------------------------------------------------------------------- */
/** Make the own index visible to the peer (one store per batch). Returns 1 when the
 *  peer waits and must be woken (up its semaphore once), else 0. */
int nic_ring_publish(struct nic_ring *r);
/** Before blocking on the own semaphore: announce the wait, then look again.
 *  Returns 1: block now (then call nic_ring_wait_done); 0: the ring is ready (or
 *  broken), do not block (the flag is already cleared). */
int nic_ring_wait_prepare(struct nic_ring *r);
/** After waking up: withdraw the wait flag. */
void nic_ring_wait_done(struct nic_ring *r);

#endif
