/* SPDX-License-Identifier: MIT */
/* Kernel objects: the common header, reference counts, deferred destruction.
 *
 * Every object carries two counts. `caps` counts capability slots naming it;
 * when it drops to zero the object is *retired*: it stops taking part in the
 * system (a PD is torn down, an EC stops, a semaphore wakes its waiters with
 * ABORTED). `refs` counts caps plus internal pointers (an EC's PD, a portal's
 * EC, the PD a charged object was paid by); when it drops to zero the memory
 * is freed and returned to the paying PD. Both steps are deferred to lists and
 * run by kobj_reap() at the end of the operation, so teardown never recurses
 * deeply and never frees an object a caller still looks at.
 */
#ifndef KIDE_KOBJ_H
#define KIDE_KOBJ_H

#include "types.h"

enum kobj_type { KOBJ_PD = 1, KOBJ_EC, KOBJ_SC, KOBJ_PT, KOBJ_SM };

struct pd;

struct kobj {
    u8 type;           /**< enum kobj_type (== KIDE_OBJ_*) */
    bool retired;      /**< caps reached zero once */
    u32 caps;          /**< capability slots naming this object */
    u32 refs;          /**< caps + internal references */
    struct pd *charge; /**< PD whose quota paid for the object */
    struct kobj *reap_next;
#ifdef KIDE_POISON
    struct kobj *audit_next, *audit_prev; /**< every live object (kobj_audit.c) */
#endif
};

void kobj_init(struct kobj *o, enum kobj_type type, struct pd *charge);
static inline void kobj_get(struct kobj *o)
{
    o->refs++;
}
void kobj_put(struct kobj *o);
void kobj_cap_get(struct kobj *o);
void kobj_cap_put(struct kobj *o);
/** Run pending retirements and frees until none are left. */
void kobj_reap(void);

#ifdef KIDE_POISON
/* The checking build keeps every live object on a list so that a leak the
 * fuzzer finds can be explained (kobj_audit.c). */
void kobj_audit_add(struct kobj *o);
void kobj_audit_remove(struct kobj *o);
/** Print every live object whose charge leads to a dead PD funded by pd. */
void kobj_audit(struct pd *pd);
#else
static inline void kobj_audit_add(struct kobj *o)
{
    (void)o;
}
static inline void kobj_audit_remove(struct kobj *o)
{
    (void)o;
}
#endif

#endif
