/* SPDX-License-Identifier: MIT */
/* The checking build's object audit: every live kernel object is on one list,
 * and `ctrl_pd AUDIT` prints the ones that keep a dead PD from being freed,
 * with the links that hold them (call chains, queues, zombie SCs). A fuzz run
 * that finds kernel quota not returned prints this instead of only a count.
 * The stock kernel has none of it (kobj.h: the hooks are empty there).
 */
#ifdef KIDE_POISON
#include "kobj.h"
#include "kernel.h"
#include "pd.h"
#include "ec.h"
#include "sc.h"
#include "pt.h"
#include "arch/x86_64/percpu.h"

static struct kobj *live;

void kobj_audit_add(struct kobj *o)
{
    o->audit_prev = NULL;
    o->audit_next = live;
    if (live)
        live->audit_prev = o;
    live = o;
}

void kobj_audit_remove(struct kobj *o)
{
    if (o->audit_prev)
        o->audit_prev->audit_next = o->audit_next;
    else
        live = o->audit_next;
    if (o->audit_next)
        o->audit_next->audit_prev = o->audit_prev;
}

/** pd, or a PD that paid for it, is a dead PD funded by funder. */
static bool under_dead(const struct pd *pd, const struct pd *funder)
{
    /* Bounded: quota parents form a tree as deep as PDs were nested. */
    for (; pd; pd = pd->quota_parent)
        if (pd->dead && pd->quota_parent == funder)
            return true;
    return false;
}

static void audit_ec(const struct ec *e)
{
    printk(" ec pd=%p cpu=%u %s state=%u serving=%d caller=%p callee=%p want_pt=%p sc=%p "
           "queued=%d callers=%p in_exc=%d",
           (void *)e->pd, e->cpu, e->global ? "global" : "local", e->state, e->serving,
           (void *)e->caller, (void *)e->callee, (void *)e->want_pt, (void *)e->sc,
           e->wq_head != NULL, (void *)e->callers, e->in_exc);
}

static void audit_one(const struct kobj *o)
{
    static const char *const names[] = {"?", "pd", "ec", "sc", "pt", "sm"};
    printk("kide: audit: %s %p caps=%u refs=%u retired=%d charge=%p",
           names[o->type <= 5 ? o->type : 0], (void *)o, o->caps, o->refs, o->retired,
           (void *)o->charge);
    switch (o->type) {
    case KOBJ_PD: {
        const struct pd *p = (const struct pd *)o;
        printk(" dead=%d used=%lu limit=%lu ecs=%p", p->dead, p->quota_used, p->quota_limit,
               (void *)p->ecs);
        break;
    }
    case KOBJ_EC:
        audit_ec((const struct ec *)o);
        break;
    case KOBJ_SC: {
        const struct sc *s = (const struct sc *)o;
        printk(" ec=%p cpu=%u zombie=%d queued=%d", (void *)s->ec, s->cpu, s->zombie, s->queued);
        break;
    }
    case KOBJ_PT: {
        const struct pt *t = (const struct pt *)o;
        printk(" handler=%p id=%lx", (void *)t->ec, t->id);
        break;
    }
    default:
        break;
    }
    printk("\n");
}

/** The PD an object runs in or serves (NULL: none): an EC's, an SC's EC's, a
 *  portal's handler's. Such an object may be paid for by a live PD (the root
 *  creates its children's first EC and SC) and still keep a dead one. */
static const struct pd *runs_in(const struct kobj *o)
{
    switch (o->type) {
    case KOBJ_EC:
        return ((const struct ec *)o)->pd;
    case KOBJ_SC:
        return ((const struct sc *)o)->ec->pd;
    case KOBJ_PT:
        return ((const struct pt *)o)->ec->pd;
    default:
        return NULL;
    }
}

/* Where each CPU is: what it runs and which freed ECs still wait for it. */
static void audit_cpus(void)
{
    for (unsigned i = 0; i < cpu_count; i++) {
        const struct cpu *c = &cpus[i];
        printk("kide: audit: cpu %u online=%d current=%p cur_sc=%p zombies=%p\n", i, c->online,
               (void *)c->current, (void *)c->cur_sc, (void *)c->zombies);
    }
}

void kobj_audit(struct pd *funder)
{
    unsigned shown = 0;
    audit_cpus();
    for (const struct kobj *o = live; o; o = o->audit_next) {
        const struct pd *charge = o->type == KOBJ_PD ? (const struct pd *)o : o->charge;
        if (!under_dead(charge, funder) && !under_dead(runs_in(o), funder))
            continue;
        audit_one(o);
        /* one fuzz leak is a handful of objects; a runaway list is cut short */
        if (++shown == 200) {
            printk("kide: audit: more objects not shown\n");
            return;
        }
    }
    printk("kide: audit: %u objects held by dead PDs\n", shown);
}
#endif
