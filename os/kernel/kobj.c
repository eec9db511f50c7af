/* SPDX-License-Identifier: MIT */
/* Reference counting and deferred retirement / freeing; see kobj.h. */
#include "kobj.h"
#include "kernel.h"
#include "pd.h"
#include "ec.h"
#include "sc.h"
#include "pt.h"
#include "sm.h"

/* Capabilities hold struct kobj pointers; every object type starts with one. */
_Static_assert(offsetof(struct pd, obj) == 0, "kobj first");
_Static_assert(offsetof(struct ec, obj) == 0, "kobj first");
_Static_assert(offsetof(struct sc, obj) == 0, "kobj first");
_Static_assert(offsetof(struct pt, obj) == 0, "kobj first");
_Static_assert(offsetof(struct sm, obj) == 0, "kobj first");

static struct kobj *retire_list, *free_list;

void kobj_init(struct kobj *o, enum kobj_type type, struct pd *charge)
{
    o->type = type;
    o->caps = 0;
    o->refs = 0;
    o->charge = charge;
    o->retired = false;
    kobj_audit_add(o);
    /* The paying PD stays allocated while anything it paid for exists. */
    if (charge && (struct kobj *)charge != o)
        kobj_get(&charge->obj);
}

void kobj_put(struct kobj *o)
{
    assert(o->refs > 0);
    if (--o->refs == 0) {
        o->reap_next = free_list;
        free_list = o;
    }
}

void kobj_cap_get(struct kobj *o)
{
    o->caps++;
    o->refs++;
}

void kobj_cap_put(struct kobj *o)
{
    assert(o->caps > 0);
    if (--o->caps == 0 && !o->retired) {
        o->retired = true;
        kobj_get(o); /* held by the retire list */
        o->reap_next = retire_list;
        retire_list = o;
    }
    kobj_put(o);
}

static void retire(struct kobj *o)
{
    switch (o->type) {
    case KOBJ_PD:
        pd_retire((struct pd *)o);
        break;
    case KOBJ_EC:
        ec_retire((struct ec *)o);
        break;
    case KOBJ_SC:
        sc_retire((struct sc *)o);
        break;
    case KOBJ_SM:
        sm_retire((struct sm *)o);
        break;
    case KOBJ_PT:
        break;
    }
}

static void destroy(struct kobj *o)
{
    struct pd *charge = o->charge;
    kobj_audit_remove(o);
    switch (o->type) {
    case KOBJ_PD:
        pd_free((struct pd *)o);
        break;
    case KOBJ_EC:
        ec_free((struct ec *)o);
        break;
    case KOBJ_SC:
        sc_free((struct sc *)o);
        break;
    case KOBJ_PT:
        pt_free((struct pt *)o);
        break;
    case KOBJ_SM:
        sm_free((struct sm *)o);
        break;
    }
    if (charge && (struct kobj *)charge != o)
        kobj_put(&charge->obj);
}

void kobj_reap(void)
{
    for (;;) {
        if (retire_list) {
            struct kobj *o = retire_list;
            retire_list = o->reap_next;
            retire(o);
            kobj_put(o);
        } else if (free_list) {
            struct kobj *o = free_list;
            free_list = o->reap_next;
            destroy(o);
        } else {
            return;
        }
    }
}
