/* SPDX-License-Identifier: MIT */
/* Portals into the component: the handler EC, the portal table, dispatch.
 *
 * A component has one handler EC (created by core on the first portal) that
 * serves every portal of the component: raw portals (kide_portal_create),
 * the root portal of each announced service and one portal per session.
 * A portal's id names its entry in a table of blocks that are allocated once
 * and never move, so the handler looks an id up without a lock:
 * id = (index + 1) << 32 | generation << 8 | kind. Freeing an entry bumps
 * its generation, so a call still queued on a revoked portal finds no entry
 * and gets KIDE_BAD_PARAM instead of a dangling object.
 *
 * A request is copied out of the UTCB before dispatch and the reply built in
 * a private buffer, because the code it runs may itself make calls (kide_log,
 * kide_malloc growing the heap) that reuse the handler's UTCB. The static
 * buffers are safe because one handler EC serves one call at a time.
 */
#include <krt.h>
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
static kide_u64 handler_nr;
static int have_handler;
static kide_sel rcv_sel; /**< the handler's receive window */
static kide_u64 in_buf[KIDE_UTCB_WORDS], out_buf[KIDE_UTCB_WORDS];

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

/* Core creates the handler with its first portal; later portals attach to it. */
static int handler_create(kide_u64 id, kide_sel sel, kide_sel rcv)
{
    const struct kide_comp_info *info = rt_env.info;
    kide_u64 utcb = info && info->handler_utcb_hint && !(info->handler_utcb_hint & 4095)
                            ? info->handler_utcb_hint
                            : RT_HANDLER_UTCB;
    kide_u64 slot = RT_STACK_VA, res[2];
    kide_u64 map[4] = {KIDE_CORE_RAM_ALLOC, slot + RT_STACK_SLOT - RT_STACK_SIZE, RT_STACK_SIZE,
                       KIDE_MEM_R | KIDE_MEM_W};
    int st = rt_core(map, 4, res, 1);
    if (st != KIDE_OK)
        return st;
    /* crt0 finds the handler's UTCB in the word at its initial stack pointer. */
    kide_u64 sp = slot + RT_STACK_SLOT - 16;
    *(kide_u64 *)sp = utcb;
    kide_u64 req[6] = {KIDE_CORE_HANDLER, (kide_u64)_start, sp, utcb, id, sel};
    st = rt_core(req, 6, res, 2);
    if (st != KIDE_OK) {
        kide_u64 unmap[3] = {KIDE_CORE_RAM_FREE, map[1], map[2]};
        rt_core(unmap, 3, res, 1);
        return st;
    }
    rcv_sel = rcv;
    handler_nr = res[1];
    ((struct kide_utcb *)utcb)->rcv_crd = rcv_sel ? KIDE_CRD(KIDE_CRD_OBJ, rcv_sel, 0, 0) : 0;
    have_handler = 1;
    return KIDE_OK;
}

/* A portal with `id` to the handler at a fresh selector. */
static int portal_make(kide_u64 id, kide_sel *out)
{
    kide_sel sel = kide_sel_alloc(0), rcv = 0;
    if (!sel)
        return KIDE_QUOTA;
    if (!have_handler)
        rcv = kide_sel_alloc(0); /* the handler's receive window, if it is made now */
    int st;
    kide_mutex_lock(&rt_env.misc_mx);
    if (!have_handler) {
        st = handler_create(id, sel, rcv);
        rcv = st == KIDE_OK ? 0 : rcv;
    } else {
        kide_u64 req[4] = {KIDE_CORE_PORTAL, handler_nr, id, sel}, res[1];
        st = rt_core(req, 4, res, 1);
    }
    kide_mutex_unlock(&rt_env.misc_mx);
    if (rcv)
        kide_sel_free(rcv, 0);
    if (st != KIDE_OK) {
        kide_sel_free(sel, 0);
        return st;
    }
    *out = sel;
    return KIDE_OK;
}

int rt_portal_new(unsigned kind, kide_portal_fn fn, const struct kide_service_ops *ops, void *obj,
                  kide_u64 service, kide_u64 *id, kide_sel *sel)
{
    if (rt_env.root)
        return KIDE_NOT_FOUND;
    struct portal *p = entry_alloc(kind, id);
    if (!p)
        return KIDE_QUOTA;
    p->fn = fn;
    p->ops = ops;
    p->obj = obj;
    p->service = service;
    int st = portal_make(*id, &p->sel);
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

int kide_portal_create(struct kide_env *env, kide_portal_fn fn, void *obj, kide_sel *pt)
{
    kide_u64 id;
    (void)env;
    if (!fn || !pt)
        return KIDE_BAD_PARAM;
    *pt = 0;
    return rt_portal_new(RT_PT_RAW, fn, 0, obj, 0, &id, pt);
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

/* ---- services: the root portal's protocol (parent.h, KIDE_SRV_*) ---- */

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
    int st = rt_portal_new(RT_PT_SESSION, 0, svc->ops, s, svc_id, &id, &sel);
    if (st != KIDE_OK) {
        svc->ops->close(&rt_env, s);
        return st;
    }
    kide_msg_put(&rpc->out, id);
    rpc->cap_out = sel;
    return KIDE_OK;
}

static int srv_close(kide_u64 svc_id, struct kide_rpc *rpc)
{
    kide_u64 id = kide_msg_get(&rpc->in);
    struct portal *s = rpc->in.bad ? 0 : lookup(id, RT_PT_SESSION);
    if (!s || s->service != svc_id)
        return KIDE_BAD_PARAM;
    s->ops->close(&rt_env, s->obj);
    rt_portal_drop(id);
    return KIDE_OK;
}

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
        if (rpc->op == KIDE_SRV_OPEN)
            return srv_open(p, id, rpc);
        if (rpc->op == KIDE_SRV_CLOSE)
            return srv_close(id, rpc);
        return KIDE_BAD_PARAM;
    }
    return KIDE_BAD_PARAM;
}

void krt_portal_entry(kide_u64 id, kide_u64 msg, struct kide_utcb *u)
{
    struct kide_rpc rpc;
    unsigned n = KIDE_MSG_UNTYPED(msg);
    if (n > KIDE_UTCB_WORDS)
        n = KIDE_UTCB_WORDS;
    memset(&rpc, 0, sizeof(rpc));
    if (KIDE_MSG_TYPED(msg) && rcv_sel && n < KIDE_UTCB_WORDS &&
        KIDE_CRD_KIND(u->words[n]) == KIDE_CRD_OBJ && KIDE_CRD_BASE(u->words[n]) == rcv_sel)
        rpc.cap_in = rcv_sel;
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
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, rcv_sel, 0, 0));
    else if (got_cap)
        rcv_sel = kide_sel_alloc(0);
    u->rcv_crd = rcv_sel ? KIDE_CRD(KIDE_CRD_OBJ, rcv_sel, 0, 0) : 0;

    unsigned out_n = rpc.out.n;
    if (rpc.out.bad) {
        st = KIDE_OVERFLOW;
        out_n = 1;
        rpc.cap_out = 0;
    }
    u->words[0] = (kide_u64)(unsigned)st;
    memcpy(&u->words[1], &out_buf[1], (out_n - 1) * 8);
    if (rpc.cap_out) {
        u->words[out_n] =
                KIDE_CRD(KIDE_CRD_OBJ, rpc.cap_out, 0, rpc.cap_perm ? rpc.cap_perm : KIDE_PT_CALL);
        u->words[out_n + 1] = 0;
    }
    u->msg = KIDE_MSG(out_n, rpc.cap_out ? 1 : 0);
}
