/* SPDX-License-Identifier: MIT */
/* Capability spaces: per-PD tables of slots naming kernel objects.
 *
 * A selector indexes a two-level table: a directory of 1024 pointers to pages
 * of 64 slots. Slot pages are allocated on first use and charged to the PD
 * that owns the space. Slot 0 is never valid. Invariant: a slot is empty iff
 * its obj is NULL, and an occupied slot holds one reference on its object.
 */
#ifndef KIDE_CAP_H
#define KIDE_CAP_H

#include "types.h"
#include "mdb.h"
#include "kobj.h"

struct cap {
    struct mdb_link link;
    struct kobj *obj; /**< the object, or NULL if the slot is empty */
    u8 perms;         /**< KIDE_*_ permission bits for the object's type */
};

#define CAPS_PER_PAGE   (PAGE_SIZE / 64)
#define CAP_DIR_ENTRIES (65536 / CAPS_PER_PAGE)

/** The slot for sel in pd, allocating its page if alloc; NULL if out of range or no quota. */
struct cap *cap_slot(struct pd *pd, u64 sel, bool alloc);
/** The object at sel if it has type (0: any) and all of need; else NULL and *rc set. */
struct kobj *cap_get(struct pd *pd, u64 sel, u8 type, u8 need, int *rc);
/** Put a new root capability into an empty slot (create_* calls). */
int cap_install(struct pd *pd, u64 sel, struct kobj *o, u8 perms);
/** Is sel a valid, empty slot? Returns KIDE_OK, KIDE_BUSY or KIDE_BAD_CAP. */
int cap_check_free(struct pd *pd, u64 sel);
int cap_delegate(struct pd *src, struct pd *dst, u64 base, u8 order, u64 dst_base, u8 mask);
void cap_revoke(struct pd *pd, u64 base, u8 order, bool self);
/** Empty pd's whole capability space (PD teardown). */
void cap_clear(struct pd *pd);

#endif
