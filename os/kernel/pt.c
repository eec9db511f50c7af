/* SPDX-License-Identifier: MIT */
/* Portals; see pt.h. */
#include "pt.h"
#include "kernel.h"
#include "ec.h"
#include "mem.h"
#include <kide/status.h>

struct pt *pt_create(struct pd *charge, struct ec *ec, u64 ip, u64 id, int *rc)
{
    struct pt *pt = kmalloc(charge, sizeof(*pt));
    if (!pt) {
        *rc = KIDE_QUOTA;
        return NULL;
    }
    kobj_init(&pt->obj, KOBJ_PT, charge);
    pt->ec = ec;
    kobj_get(&ec->obj);
    pt->ip = ip;
    pt->id = id;
    return pt;
}

void pt_free(struct pt *pt)
{
    kobj_put(&pt->ec->obj);
    kfree(pt->obj.charge, pt);
}
