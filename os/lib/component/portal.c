/* SPDX-License-Identifier: MIT */
/* Portals into the component: the handler ECs, the portal table, dispatch.
 *
 * A component has one handler EC per CPU it serves (created by core on the
 * first portal for that CPU; normally only its own CPU, info->cpu) that
 * serves the portals bound to it: raw portals (kide_portal_create[_on]),
 * the root portal of each announced service and one portal per session.
 * IPC never crosses CPUs, so a portal only serves callers on its handler's
 * CPU. Each handler has its own stack slot, UTCB, receive window, message
 * buffers and, on a CPU other than the component's, its own self portal to
 * core (KIDE_CORE_SELF), found through the word above its UTCB word at the
 * top of its stack slot (struct rt_handler).
 * A portal's id names its entry in a table of blocks that are allocated once
 * and never move, so the handler looks an id up without a lock:
 * id = (index + 1) << 32 | generation << 8 | kind. Freeing an entry bumps
 * its generation, so a call still queued on a revoked portal finds no entry
 * and gets KIDE_BAD_PARAM instead of a dangling object.
 *
 * A request is copied out of the UTCB before dispatch and the reply built in
 * a private buffer, because the code it runs may itself make calls (kide_log,
 * kide_malloc growing the heap) that reuse the handler's UTCB. The buffers
 * are per handler, and one handler EC serves one call at a time. Handlers on
 * different CPUs run at once: what they share is guarded by semaphores.
 */
#include <kide/base.h>
#include "rt.h"

extern char _start[];

#define BLOCK  64u
#define BLOCKS 64u

struct portal {
    kide_u32 gen;
    kide_u32 kind;
    kide_sel sel;                       /**< our capability for the portal */
    kide_portal_fn fn;                  /**< RT_PT_RAW */
    const struct kide_service_ops *ops; /**< RT_PT_SERVICE, RT_PT_SESSION */
    void *obj;                          /**< RT_PT_RAW: fn's object; RT_PT_SESSION: the session */
    kide_u64 service;                   /**< RT_PT_SESSION: its service's root portal id */
    kide_u32 next_free;                 /**< index + 1 of the next free entry, 0: none */
};

static struct portal *volatile blocks[BLOCKS];
static kide_u32 nblocks, free_head;
static struct rt_handler *handlers[KIDE_MAX_CPUS]; /**< by CPU, guarded by misc_mx */
static unsigned nhandlers;                         /**< stack slots and UTCBs in use */

static kide_u64 id_of(kide_u32 idx, const struct portal *p)
{
    return ((kide_u64)(idx + 1) << 32) | ((kide_u64)(p->gen & 0xffffff) << 8) | p->kind;
}

static struct portal *lookup(kide_u64 id, unsigned kind)
{
    kide_u64 idx = (id >> 32) - 1;
    if (idx >= BLOCK * BLOCKS || (id & 0xff) != kind)
        return 0;
    struct portal *b = blocks[idx / BLOCK];
    if (!b)
        return 0;
    struct portal *p = &b[idx % BLOCK];
    return p->kind == kind && (p->gen & 0xffffff) == ((id >> 8) & 0xffffff) ? p : 0;
}

/* A fresh entry of `kind` (fields zero), or NULL; *id gets its id. */
static struct portal *entry_alloc(unsigned kind, kide_u64 *id)
{
    struct portal *p = 0;
    kide_mutex_lock(&rt_env.misc_mx);
    if (!free_head && nblocks < BLOCKS) {
        struct portal *b = kide_calloc(BLOCK, sizeof(*b));
        if (b) {
            for (kide_u32 i = 0; i < BLOCK; i++)
                b[i].next_free = i + 1 < BLOCK ? nblocks * BLOCK + i + 2 : 0;
            blocks[nblocks] = b;
            free_head = nblocks * BLOCK + 1;
            nblocks++;
        }
    }
    if (free_head) {
        kide_u32 idx = free_head - 1;
        p = &blocks[idx / BLOCK][idx % BLOCK];
        free_head = p->next_free;
        kide_u32 gen = p->gen;
        memset(p, 0, sizeof(*p));
        p->gen = gen;
        p->kind = kind;
        *id = id_of(idx, p);
    }
    kide_mutex_unlock(&rt_env.misc_mx);
    return p;
}

static void entry_free(kide_u64 id)
{
    kide_u32 idx = (kide_u32)((id >> 32) - 1);
    kide_mutex_lock(&rt_env.misc_mx);
    struct portal *p = &blocks[idx / BLOCK][idx % BLOCK];
    p->kind = RT_PT_FREE;
    p->gen++;
    p->next_free = free_head;
    free_head = idx + 1;
    kide_mutex_unlock(&rt_env.misc_mx);
}

struct rt_handler *rt_handler_self(void)
{
    kide_u64 sp;
    __asm__ volatile("mov %%rsp, %0" : "=r"(sp));
    if (sp < RT_STACK_VA || sp >= KIDE_COMP_HEAP_END)
        return 0;
    kide_u64 slot = sp & ~(RT_STACK_SLOT - 1);
    return *(struct rt_handler **)(slot + RT_STACK_SLOT - 8);
}

unsigned kide_cpu(struct kide_env *env)
{
    struct rt_handler *h = rt_handler_self();
    (void)env;
    if (h)
        return h->cpu;
    return rt_env.info ? (unsigned)rt_env.info->cpu : 0;
}

kide_sel kide_core_portal(void)
{
    struct rt_handler *h = rt_handler_self();
    return h && h->core_pt ? h->core_pt : KIDE_COMP_SEL_CORE;
}

unsigned kide_cpus(struct kide_env *env)
{
    (void)env;
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_stats_rep rep;
    if (kide_core_stats(&ch, &rep) != KIDE_OK || !rep.cpus || rep.cpus > KIDE_MAX_CPUS)
        return 1;
    return (unsigned)rep.cpus;
}

/* Core creates the handler for `cpu` with its first portal; later portals attach
 * to it. sel: the portal's selector; rcv: its receive window; core_pt: a free
 * selector for its self portal (used on a CPU other than the component's). */
kide_u64 rt_utcb_area(void)
{
    const struct kide_comp_info *info = rt_env.info;
    return info && info->handler_utcb_hint && !(info->handler_utcb_hint & 4095)
                   ? info->handler_utcb_hint
                   : RT_HANDLER_UTCB;
}

static int handler_create(unsigned cpu, kide_u64 id, kide_sel sel, kide_sel rcv, kide_sel core_pt)
{
    const struct kide_comp_info *info = rt_env.info;
    kide_u64 utcb0 = rt_utcb_area();
    if (nhandlers >= KIDE_MAX_CPUS)
        return KIDE_QUOTA;
    struct rt_handler *h = kide_calloc(1, sizeof(*h));
    if (!h)
        return KIDE_QUOTA;
    kide_u64 utcb = utcb0 + nhandlers * 4096ull;
    kide_u64 slot = RT_STACK_VA + nhandlers * RT_STACK_SLOT;
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_ram_alloc_req map = {slot + RT_STACK_SLOT - RT_STACK_SIZE, RT_STACK_SIZE,
                                          KIDE_MEM_R | KIDE_MEM_W};
    struct kide_core_ram_alloc_rep mapped;
    int st = kide_core_ram_alloc(&ch, &map, &mapped);
    if (st != KIDE_OK) {
        kide_free(h);
        return st;
    }
    h->cpu = cpu;
    h->rcv = rcv;
    h->core_pt = KIDE_COMP_SEL_CORE; /* bound to the component's CPU */
    if (!info || cpu != info->cpu) {
        /* Its own calls to core (log, heap) need a self portal on its CPU. */
        struct kide_core_self_req self = {.cpu = cpu, .sel = core_pt};
        st = kide_core_self(&ch, &self);
        h->core_pt = core_pt;
    }
    /* crt0 finds the handler's UTCB in the word at its initial stack pointer,
     * the runtime its struct rt_handler in the word above. */
    kide_u64 sp = slot + RT_STACK_SLOT - 16;
    *(kide_u64 *)sp = utcb;
    *(struct rt_handler **)(sp + 8) = h;
    struct kide_core_handler_req req = {(kide_u64)_start, sp, utcb, id, sel, cpu};
    struct kide_core_handler_rep rep;
    if (st == KIDE_OK)
        st = kide_core_handler(&ch, &req, &rep);
    if (st != KIDE_OK) {
        if (h->core_pt && h->core_pt != KIDE_COMP_SEL_CORE)
            kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, h->core_pt, 0, 0));
        struct kide_core_ram_free_req unmap = {map.va, map.bytes};
        struct kide_core_ram_free_rep freed;
        kide_core_ram_free(&ch, &unmap, &freed);
        kide_free(h);
        return st;
    }
    h->nr = rep.handler;
    ((struct kide_utcb *)utcb)->rcv_crd = rcv ? KIDE_CRD(KIDE_CRD_OBJ, rcv, 0, 0) : 0;
    nhandlers++;
    handlers[cpu] = h;
    return KIDE_OK;
}

/* A portal with `id` to the handler on `cpu` at a fresh selector. */
static int portal_make(unsigned cpu, kide_u64 id, kide_sel *out)
{
    kide_sel sel = kide_sel_alloc(0), rcv = 0, core_pt = 0;
    if (!sel)
        return KIDE_QUOTA;
    int st, fresh = !handlers[cpu];
    if (fresh) { /* the handler's receive window and self portal, if it is made now */
        rcv = kide_sel_alloc(0);
        core_pt = kide_sel_alloc(0);
    }
    kide_mutex_lock(&rt_env.misc_mx);
    if (!handlers[cpu]) {
        st = rcv && core_pt ? handler_create(cpu, id, sel, rcv, core_pt) : KIDE_QUOTA;
        if (st == KIDE_OK) {
            rcv = 0;
            if (handlers[cpu]->core_pt == core_pt)
                core_pt = 0;
        }
    } else {
        struct kide_core_chan ch = rt_core_chan();
        struct kide_core_portal_req req = {handlers[cpu]->nr, id, sel};
        st = kide_core_portal_add(&ch, &req);
    }
    kide_mutex_unlock(&rt_env.misc_mx);
    if (rcv)
        kide_sel_free(rcv, 0);
    if (core_pt)
        kide_sel_free(core_pt, 0);
    if (st != KIDE_OK) {
        kide_sel_free(sel, 0);
        return st;
    }
    *out = sel;
    return KIDE_OK;
}

int rt_portal_new(unsigned kind, unsigned cpu, kide_portal_fn fn,
                  const struct kide_service_ops *ops, void *obj, kide_u64 service, kide_u64 *id,
                  kide_sel *sel)
{
    if (cpu >= KIDE_MAX_CPUS)
        return KIDE_BAD_PARAM; /* core checks it against the machine */
    struct portal *p = entry_alloc(kind, id);
    if (!p)
        return KIDE_QUOTA;
    p->fn = fn;
    p->ops = ops;
    p->obj = obj;
    p->service = service;
    int st = portal_make(cpu, *id, &p->sel);
    if (st != KIDE_OK) {
        entry_free(*id);
        return st;
    }
    *sel = p->sel;
    return KIDE_OK;
}

void rt_portal_drop(kide_u64 id)
{
    struct portal *p = lookup(id, (unsigned)(id & 0xff));
    if (!p)
        return;
    kide_cap_drop(p->sel);
    entry_free(id);
}

int kide_portal_create_on(struct kide_env *env, unsigned cpu, kide_portal_fn fn, void *obj,
                          kide_sel *pt)
{
    kide_u64 id;
    (void)env;
    if (!fn || !pt)
        return KIDE_BAD_PARAM;
    *pt = 0;
    return rt_portal_new(RT_PT_RAW, cpu, fn, 0, obj, 0, &id, pt);
}

int kide_portal_create(struct kide_env *env, kide_portal_fn fn, void *obj, kide_sel *pt)
{
    return kide_portal_create_on(env, rt_env.info ? (unsigned)rt_env.info->cpu : 0, fn, obj, pt);
}

void kide_portal_destroy(struct kide_env *env, kide_sel pt)
{
    kide_u64 id = 0;
    (void)env;
    kide_mutex_lock(&rt_env.misc_mx);
    for (kide_u32 i = 0; i < nblocks * BLOCK && !id && pt; i++) {
        struct portal *p = &blocks[i / BLOCK][i % BLOCK];
        if (p->kind == RT_PT_RAW && p->sel == pt)
            id = id_of(i, p);
    }
    kide_mutex_unlock(&rt_env.misc_mx);
    if (id)
        rt_portal_drop(id);
}

/* ---- services: the root portal's protocol (parent.h, KIDE_SRV_*) ----
 * One function per operation, by op number (srv_ops). The whole-word requests
 * are decoded into their structs once (srv_decode); OPEN's strings are copied
 * out with their bounds. */

/** Snapshot the request's first `words` argument words into req (zero beyond);
 *  a shorter message latches rpc->in.bad. */
static void srv_decode(struct kide_rpc *rpc, void *req, unsigned words)
{
    unsigned have = rpc->in.n > 1 ? rpc->in.n - 1 : 0;
    if (have < words)
        rpc->in.bad = 1;
    memset(req, 0, (kide_u64)words * 8);
    memcpy(req, rpc->in.w + 1, (kide_u64)(have < words ? have : words) * 8);
}

static int srv_open(struct portal *svc, kide_u64 svc_id, struct kide_rpc *rpc)
{
    char label[RT_LABEL_MAX], args[RT_ARGS_MAX + 1];
    kide_u64 ram = kide_msg_get(&rpc->in);
    kide_msg_get_str(&rpc->in, label, sizeof(label));
    kide_msg_get_str(&rpc->in, args, sizeof(args));
    if (rpc->in.bad)
        return KIDE_BAD_PARAM;
    int status = KIDE_DENIED;
    void *s = svc->ops->open(&rt_env, label, args, ram, &status);
    if (!s)
        return status == KIDE_OK ? KIDE_DENIED : status;
    kide_u64 id;
    kide_sel sel;
    int st = rt_portal_new(RT_PT_SESSION, kide_cpu(&rt_env), 0, svc->ops, s, svc_id, &id, &sel);
    if (st != KIDE_OK) {
        svc->ops->close(&rt_env, s);
        return st;
    }
    struct kide_srv_open_rep rep = {.id = id};
    kide_msg_put(&rpc->out, rep.id);
    rpc->cap_out = sel;
    return KIDE_OK;
}

static int srv_close(struct portal *svc, kide_u64 svc_id, struct kide_rpc *rpc)
{
    struct kide_srv_close_req req;
    (void)svc;
    srv_decode(rpc, &req, 1);
    kide_u64 id = req.id;
    struct portal *s = rpc->in.bad ? 0 : lookup(id, RT_PT_SESSION);
    if (!s || s->service != svc_id)
        return KIDE_BAD_PARAM;
    s->ops->close(&rt_env, s->obj);
    rt_portal_drop(id);
    return KIDE_OK;
}

static int srv_upgrade(struct portal *svc, kide_u64 svc_id, struct kide_rpc *rpc)
{
    struct kide_srv_upgrade_req req;
    (void)svc;
    srv_decode(rpc, &req, 2);
    struct portal *s = rpc->in.bad ? 0 : lookup(req.id, RT_PT_SESSION);
    if (!s || s->service != svc_id)
        return KIDE_BAD_PARAM;
    if (s->ops->upgrade)
        s->ops->upgrade(&rt_env, s->obj, req.ram);
    return KIDE_OK;
}

static int (*const srv_ops[])(struct portal *svc, kide_u64 svc_id, struct kide_rpc *rpc) = {
        [KIDE_SRV_OPEN] = srv_open,
        [KIDE_SRV_CLOSE] = srv_close,
        [KIDE_SRV_UPGRADE] = srv_upgrade,
};

static int dispatch(kide_u64 id, struct kide_rpc *rpc)
{
    struct portal *p = lookup(id, (unsigned)(id & 0xff));
    if (!p)
        return KIDE_BAD_PARAM;
    switch (p->kind) {
    case RT_PT_RAW:
        return p->fn(&rt_env, p->obj, rpc);
    case RT_PT_SESSION:
        return p->ops->call(&rt_env, p->obj, rpc);
    case RT_PT_SERVICE:
        if (rpc->op < BASE_ARRAY_SIZE(srv_ops) && srv_ops[rpc->op])
            return srv_ops[rpc->op](p, id, rpc);
        return KIDE_BAD_PARAM;
    }
    return KIDE_BAD_PARAM;
}

/* A reply's typed items must be well-formed and fit behind its words: a
 * callee bug (two kinds of items at once, a malformed page or port range) is
 * said as BAD_PARAM instead of sharing half, and too much as OVERFLOW; either
 * way the reply is the status alone. Returns the status to send. */
static int reply_check(struct kide_rpc *rpc, int st, unsigned *out_n)
{
    int bad_ds =
            rpc->ds_out && (rpc->cap_out || !rpc->ds_pages || rpc->ds_pages > KIDE_DS_MAX_PAGES ||
                            ((kide_u64)rpc->ds_out & 4095));
    int bad_io = rpc->io_count &&
                 (rpc->cap_out || rpc->ds_out || (rpc->io_count & (rpc->io_count - 1)) ||
                  (rpc->io_base & (rpc->io_count - 1)) || rpc->io_base + rpc->io_count > 0x10000);
    kide_u64 items = rpc->ds_out ? rpc->ds_pages : rpc->io_count ? 1 : 0;
    if (bad_ds || bad_io)
        st = KIDE_BAD_PARAM;
    else if (rpc->out.bad || *out_n + 2 * items > KIDE_UTCB_WORDS)
        st = KIDE_OVERFLOW;
    else
        return st;
    *out_n = 1;
    rpc->cap_out = 0;
    rpc->ds_out = NULL;
    rpc->io_count = 0;
    return st;
}

/* Put the reply's typed items (checked by reply_check) after its out_n
 * words; returns how many. */
static unsigned reply_items(const struct kide_rpc *rpc, struct kide_utcb *u, unsigned out_n)
{
    if (rpc->cap_out) {
        u->words[out_n] = KIDE_CRD(KIDE_CRD_OBJ, rpc->cap_out, 0,
                                   rpc->cap_perm ? rpc->cap_perm : KIDE_PT_CALL);
        u->words[out_n + 1] = 0;
        return 1;
    }
    if (rpc->ds_out) {
        /* One item per page: core maps a component's RAM page by page, and the
         * kernel delegates a range only from within one mapping. */
        unsigned perm = KIDE_MEM_R | (rpc->ds_writable ? KIDE_MEM_W : 0);
        kide_u64 page = (kide_u64)rpc->ds_out >> 12;
        for (kide_u64 i = 0; i < rpc->ds_pages; i++) {
            u->words[out_n + 2 * i] = KIDE_CRD(KIDE_CRD_MEM, page + i, 0, perm);
            u->words[out_n + 2 * i + 1] = i;
        }
        return (unsigned)rpc->ds_pages;
    }
    if (rpc->io_count) {
        /* The hotspot is the first port: the ports keep their numbers. */
        unsigned order = 0;
        while ((1ull << order) < rpc->io_count)
            order++;
        u->words[out_n] = KIDE_CRD(KIDE_CRD_IO, rpc->io_base, order, KIDE_IO_ACCESS);
        u->words[out_n + 1] = rpc->io_base;
        return 1;
    }
    return 0;
}

void rt_portal_entry(kide_u64 id, kide_u64 msg, struct kide_utcb *u)
{
    struct kide_rpc rpc;
    struct rt_handler *h = rt_handler_self();
    kide_u64 *in_buf = h->in_buf, *out_buf = h->out_buf;
    unsigned n = KIDE_MSG_UNTYPED(msg);
    if (n > KIDE_UTCB_WORDS)
        n = KIDE_UTCB_WORDS;
    memset(&rpc, 0, sizeof(rpc));
    if (KIDE_MSG_TYPED(msg) && h->rcv && n < KIDE_UTCB_WORDS &&
        KIDE_CRD_KIND(u->words[n]) == KIDE_CRD_OBJ && KIDE_CRD_BASE(u->words[n]) == h->rcv)
        rpc.cap_in = h->rcv;
    memcpy(in_buf, u->words, n * 8);
    kide_msg_init(&rpc.in, in_buf, KIDE_UTCB_WORDS, n);
    rpc.in.pos = 1;
    kide_msg_init(&rpc.out, out_buf, KIDE_UTCB_WORDS - 2, 1);
    rpc.op = n ? in_buf[0] : 0;
    int got_cap = rpc.cap_in != 0;
    int st = n ? dispatch(id, &rpc) : KIDE_BAD_PARAM;

    /* A capability the callee did not take is revoked so the window is free
     * again; if it took it, the window moves to a fresh selector. */
    if (got_cap && rpc.cap_in)
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, h->rcv, 0, 0));
    else if (got_cap)
        h->rcv = kide_sel_alloc(0);
    u->rcv_crd = h->rcv ? KIDE_CRD(KIDE_CRD_OBJ, h->rcv, 0, 0) : 0;

    unsigned out_n = rpc.out.n;
    st = reply_check(&rpc, st, &out_n);
    u->words[0] = (kide_u64)(unsigned)st;
    memcpy(&u->words[1], &out_buf[1], (out_n - 1) * 8);
    unsigned typed = reply_items(&rpc, u, out_n);
    u->msg = KIDE_MSG(out_n, typed);
}
