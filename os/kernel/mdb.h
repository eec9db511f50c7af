/* SPDX-License-Identifier: MIT */
/* The mapping database: who delegated what to whom.
 *
 * Every capability slot and every memory or I/O range node carries a link in
 * a derivation tree: its parent is the entry it was delegated from, its
 * children the entries delegated from it. Revoking an entry removes its whole
 * subtree, wherever in the system the copies are. Range nodes of one PD's
 * memory or I/O space sit in a treap ordered by base; they never overlap.
 */
#ifndef KIDE_MDB_H
#define KIDE_MDB_H

#include "types.h"

struct pd;

struct mdb_link {
    struct mdb_link *parent, *child, *next, *prev;
    u8 kind; /**< MDB_CAP or MDB_RANGE: what contains this link */
};

#define MDB_CAP   1
#define MDB_RANGE 2

/** Make child a derivation of parent. */
void mdb_link_child(struct mdb_link *parent, struct mdb_link *child);
/** Detach l from its parent and siblings (children stay attached to l). */
void mdb_unlink(struct mdb_link *l);
/** Remove every descendant of l, and l itself if self; calls mdb_destroy on each. */
void mdb_revoke(struct mdb_link *l, bool self);
/** Destroy one detached entry (cap.c / space.c implement by kind). */
void mdb_destroy(struct mdb_link *l);

#define SPACE_MEM 2 /* == KIDE_CRD_MEM */
#define SPACE_IO  3 /* == KIDE_CRD_IO */

#define RNODE_SPECIAL 0x01 /* kernel page (UTCB, boot info): not delegatable or revocable */
/* Device memory: mapped uncacheable. Set only on the root's device ranges at
 * boot; every delegation inherits it (space_delegate), nothing else sets it. */
#define RNODE_DEVICE 0x02
/* Held, not mapped: the root's device ranges (gigabytes of holes would cost
 * megabytes of page tables); a delegation from such a node maps normally. */
#define RNODE_HELD 0x04

/** A naturally aligned range of pages or ports held by one PD. */
struct rnode {
    struct mdb_link link;
    struct rnode *left, *right;
    u32 prio;      /**< treap heap priority */
    u8 space;      /**< SPACE_MEM or SPACE_IO */
    u8 order;      /**< covers 2^order pages or ports */
    u8 perms;      /**< KIDE_MEM_* or KIDE_IO_ACCESS */
    u8 flags;      /**< RNODE_SPECIAL, RNODE_DEVICE, RNODE_HELD */
    u64 base;      /**< first page number or port */
    u64 phys;      /**< physical page number of base (memory) */
    struct pd *pd; /**< whose space this node is in */
};

/** The node of pd's space containing unit a, or NULL. */
struct rnode *space_find(struct pd *pd, u8 space, u64 a);
/** A node of pd's space overlapping [a, a + n), or NULL. */
struct rnode *space_overlap(struct pd *pd, u8 space, u64 a, u64 n);
/** Insert a node built by the caller into its pd's space (no overlap allowed). */
void space_insert(struct rnode *n);
/** Create a node in pd's space, map it, make it a child of parent (may be NULL). */
int space_add(struct pd *pd, u8 space, u64 base, u8 order, u64 phys, u8 perms, u8 flags,
              struct rnode *parent, struct rnode **out);
/** Remove node: unmap, detach from the treap (not from the mdb), free. */
void space_remove(struct rnode *n);
/** Delegate/revoke within a space (syscall helpers). */
int space_delegate(struct pd *src, struct pd *dst, u8 space, u64 base, u8 order, u64 dst_base,
                   u8 mask);
void space_revoke(struct pd *pd, u8 space, u64 base, u8 order, bool self);
/** Revoke and remove every node of pd's space (PD teardown). */
void space_clear(struct pd *pd, u8 space);

#endif
