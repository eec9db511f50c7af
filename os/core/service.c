/* SPDX-License-Identifier: MIT */
/* core's sessions: the self portal, owner portals and exception portals.
 *
 * Every request is input from a component that may be buggy or hostile.
 * Each operation is one function (self_ops, own_ops: tables by op number)
 * that decodes its typed request (os/abi/kide/core.h) once: decode() copies
 * the words the kernel delivered, never more, into the struct and zeroes the
 * rest; str_valid() checks a string's length against its bound and the
 * message; then every selector and address is range-checked before core acts
 * on it. A malformed request is answered with BAD_PARAM; nothing a component
 * sends can make core fault or block.
 */
#include "core.h"
#include "log.h"
#include "logring.h"

/* core's lock (hold.c) is held by every portal call from entry to reply, but
 * for the steps of a long operation (a job): core's handlers on different CPUs
 * run at once. A semaphore, not a spin lock: a holder runs on its caller's time
 * and may be preempted. */

int service_init(void)
{
    int st = hold_init();
    return st == KIDE_OK ? log_init() : st;
}

/** A call that runs in steps, core's lock let go between them (docs/core.md). */
struct job {
    enum { JOB_NONE, JOB_GROW, JOB_FREE, JOB_DESTROY } kind;
    struct mem_grow grow;     /**< JOB_GROW: RAM_ALLOC */
    u64 va, bytes, freed;     /**< JOB_FREE: RAM_FREE's range and bytes freed so far */
    u64 target;               /**< JOB_DESTROY: the owner-portal id of the account */
    u64 grow_step, free_step; /**< pages per hold, by the caller's CPU budget */
};

/* A step runs on the caller's scheduling context: a caller with a small budget
 * is preempted mid-step and holds core's lock the longer in wall time. So its
 * steps are smaller: about 10 us of work per page allocated and 80 us per page
 * freed (a revoke) against one period's budget, within [4, CORE_GROW_STEP] and
 * [1, CORE_FREE_STEP] pages. */
static void job_steps(struct job *j, const struct account *caller)
{
    u64 budget = acc_budget_ns(caller), grow = budget / 10000, free = budget / 80000;
    j->grow_step = grow < 4 ? 4 : grow > CORE_GROW_STEP ? CORE_GROW_STEP : grow;
    j->free_step = free < 1 ? 1 : free > CORE_FREE_STEP ? CORE_FREE_STEP : free;
}

static bool has_nul(const char *p, u64 len)
{
    for (u64 i = 0; i < len; i++)
        if (!p[i])
            return true;
    return false;
}

static void reply(struct kide_utcb *u, int status, unsigned results)
{
    u->words[0] = (u64)status;
    u->msg = KIDE_MSG(1 + results, 0);
}

static bool name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

/** The label core prints before the child's LOG lines ("[label] ", log.c) must
 *  be its own: whole (not cut by the label buffer, where it could end like a
 *  sibling's) and, for init's children, which are labelled by their bare
 *  name, not "init". */
static bool label_ok(const struct account *parent, const char *name)
{
    u64 n = strlen(name);
    if (parent != acc_init)
        n += strlen(parent->label) + 1;
    if (parent == acc_init && !strcmp(name, "init"))
        return false;
    return n < sizeof(parent->label);
}

static bool user_sel_ok(u64 sel)
{
    return sel >= KIDE_COMP_SEL_FREE && sel < KIDE_CAP_SLOTS;
}

static bool heap_range_ok(u64 va, u64 bytes)
{
    return va >= KIDE_COMP_HEAP && va < KIDE_COMP_HEAP_END && bytes <= KIDE_COMP_HEAP_END - va;
}

/** RAM_ALLOC, RAM_FREE and ROM: the heap range or the low window, wholly inside one.
 *  Nothing core maps (image, stack, info, config, UTCBs) lies in either, and a program
 *  image starts at or above KIDE_COMP_LOW_END (load.c), so no mapping can cover it. */
static bool window_ok(u64 va, u64 bytes)
{
    bool low = va >= KIDE_COMP_LOW && va < KIDE_COMP_LOW_END && bytes <= KIDE_COMP_LOW_END - va;
    return low || heap_range_ok(va, bytes);
}

/** UTCBs of handlers must stay out of the ranges core maps itself. */
static bool utcb_ok(u64 va)
{
    return !(va & 4095) && va >= KIDE_COMP_UTCB + 4096 && va < KIDE_USER_END;
}

static void exit_platform(struct account *a, u64 code)
{
    printf("core: %s ended with code %lu: %s\n", a->label, code,
           code ? "stopping the machine (failure)" : "stopping the machine");
    /* The code itself goes out (kide/qemu_exit.h): 0 is success (QEMU status
     * 33), 1 the usual failure (35); larger codes are cut to 111. */
    base_exit_qemu(kide_qemu_exit_value(code));
}

static void account_exit(struct account *a, u64 code, u64 signal)
{
    if (a->state != KIDE_ACC_RUNNING)
        return;
    a->exit_code = code;
    a->exit_signal = signal;
    a->state = KIDE_ACC_EXITED;
    acc_stop_threads(a);
    if (a == acc_init)
        exit_platform(a, code);
    acc_notify_owner(a);
}

/* ---- one call ---- */

/** A request being served: its argument words (after the op word, bounded by the
 *  message the kernel delivered) and where its results go. Every handler
 *  decodes its typed request (core.h) from w once, with decode() and
 *  str_valid(), and answers through results(). */
struct call {
    struct account *a; /**< the caller (self session) or the sub-account (owner session) */
    const u64 *w;      /**< the argument words: inside core's own UTCB, which the kernel
                            filled and nobody else writes while this call runs */
    unsigned n;        /**< how many of them the message holds */
    u64 *out;          /**< the result words (after the status word) */
    unsigned res;      /**< result words in the reply */
    bool bad;          /**< a word was missing or a string malformed: never KIDE_OK */
    struct log_out *log;
    struct job *job;
};

/** Snapshot the request: its first `words` argument words into req, zero beyond
 *  what the message holds; a message shorter than `need` words is bad. */
static void decode(struct call *c, void *req, unsigned words, unsigned need)
{
    unsigned have = c->n < words ? c->n : words;
    memset(req, 0, (u64)words * 8);
    memcpy(req, c->w, (u64)have * 8);
    if (c->n < need)
        c->bad = true;
}

/** A string field whose length word is argument word `at`: at most max bytes,
 *  all of them in the message, and (for names) no NUL inside. */
static bool str_valid(struct call *c, unsigned at, u64 len, const char *bytes, u64 max, bool name)
{
    if (c->bad || at >= c->n || len > max || (len + 7) / 8 > c->n - at - 1 ||
        (name && has_nul(bytes, len)))
        c->bad = true;
    return !c->bad;
}

/** NUL-terminate a validated string field in its snapshot (the field is one byte
 *  longer than max; a bad one becomes ""). */
static void str_end(const struct call *c, char *bytes, u64 *len)
{
    if (c->bad)
        *len = 0;
    bytes[*len] = 0;
}

static void results(struct call *c, const void *rep, unsigned words)
{
    memcpy(c->out, rep, (u64)words * 8);
    c->res = words;
}

/* ---- self session ---- */

static unsigned nodes_report(struct kide_core_nodes_rep *rep);
static unsigned numa_state(const struct account *c, struct kide_core_numa *numa);

_Static_assert(KIDE_CORE_NODES_MAX == KIDE_BOOT_MAX_NODES, "every node fits a reply");

/** Undo a dynamic selector on a failure path: its object (if any) revoked, the
 *  selector free again (finding 17: these leaked, one or two per failed call). */
static void drop_dyn(struct account *a, kide_sel sel)
{
    if (!sel)
        return;
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0));
    acc_dyn_free(a, sel);
}

/* A LOG line is formatted into *log under core's lock and written after it. */
static int self_log(struct call *c)
{
    struct kide_core_log_req req;
    decode(c, &req, sizeof(req) / 8, 1);
    if (!str_valid(c, 0, req.text.len, req.text.bytes, KIDE_CORE_LOG_MAX, false))
        return KIDE_BAD_PARAM;
    return log_request(c->a, req.text.bytes, req.text.len, c->log);
}

/* Started here, its pages placed in steps (core_portal_entry). */
static int self_ram_alloc(struct call *c)
{
    struct kide_core_ram_alloc_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 3);
    if (c->bad || !req.bytes || (req.va | req.bytes) & 4095 || req.perm & ~7ull)
        return KIDE_BAD_PARAM;
    if (!window_ok(req.va, req.bytes))
        return KIDE_BAD_ADDR;
    int st = mem_grow_start(a, req.va, req.bytes, (unsigned)req.perm, &c->job->grow);
    c->job->kind = st == KIDE_OK ? JOB_GROW : JOB_NONE;
    struct kide_core_ram_alloc_rep rep = {a->ram_used, a->ram_quota};
    results(c, &rep, 2);
    return st == KIDE_BUSY ? KIDE_BAD_ADDR : st;
}

static int self_ram_free(struct call *c)
{
    struct kide_core_ram_free_req req;
    decode(c, &req, sizeof(req) / 8, 2);
    if (c->bad || !window_ok(req.va, req.bytes))
        return KIDE_BAD_PARAM;
    *c->job = (struct job){.kind = JOB_FREE, .va = req.va, .bytes = req.bytes};
    c->res = 2; /* filled when the job ends */
    return KIDE_OK;
}

static int self_ram_protect(struct call *c)
{
    struct kide_core_ram_protect_req req;
    decode(c, &req, sizeof(req) / 8, 3);
    if (c->bad || !req.bytes || req.bytes > KIDE_CORE_PROTECT_MAX || !window_ok(req.va, req.bytes))
        return KIDE_BAD_PARAM;
    return mem_protect(c->a, req.va, req.bytes, req.perm);
}

static int self_quota(struct call *c)
{
    struct account *a = c->a;
    struct kide_core_quota_rep rep = {
            .ram_quota = a->ram_quota,
            .ram_used = a->ram_used,
            .caps_quota = a->caps_quota,
            .caps_used = acc_caps_used(a),
            .cpu_ns = acc_cpu_ns(a),
            .yield_request = a->yield_request,
    };
    results(c, &rep, 6 + numa_state(a, &rep.numa)); /* as OWN_STATE's w19.. */
    return KIDE_OK;
}

static int self_handler(struct call *c)
{
    struct kide_core_handler_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 5);
    u64 cpu = c->n >= 6 ? req.cpu : a->cpu; /* optional w6 */
    if (c->bad || !req.id || !user_sel_ok(req.sel) || !utcb_ok(req.utcb) ||
        req.ip >= KIDE_USER_END || req.sp >= KIDE_USER_END || cpu >= core_cpus())
        return KIDE_BAD_PARAM;
    if (a->handlers >= ACC_MAX_HANDLERS)
        return KIDE_QUOTA;
    kide_sel ec = acc_dyn_alloc(a), pt = ec ? acc_dyn_alloc(a) : 0;
    int st = KIDE_QUOTA;
    kide_sel pd = acc_sel(a, ACC_PD);
    if (pt)
        st = kide_create_ec(0, (unsigned)cpu, ec, pd, req.utcb, req.sp, 0, KIDE_COMP_SEL_EVT);
    if (st == KIDE_OK)
        st = kide_create_pt(pt, pd, ec, req.ip, req.id);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, KIDE_PT_CALL), req.sel);
    if (st != KIDE_OK) { /* nothing stays behind: objects revoked, selectors free again */
        drop_dyn(a, pt);
        drop_dyn(a, ec);
        return st;
    }
    a->handler_ec[a->handlers] = ec;
    a->handler_ip[a->handlers] = req.ip;
    struct kide_core_handler_rep rep = {a->handlers++};
    results(c, &rep, 1);
    return KIDE_OK;
}

static int self_portal(struct call *c)
{
    struct kide_core_portal_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 3);
    if (c->bad || req.handler >= a->handlers || !req.id || !user_sel_ok(req.sel))
        return KIDE_BAD_PARAM;
    kide_sel pt = acc_dyn_alloc(a);
    if (!pt)
        return KIDE_QUOTA;
    kide_sel pd = acc_sel(a, ACC_PD);
    int st = kide_create_pt(pt, pd, a->handler_ec[req.handler], a->handler_ip[req.handler], req.id);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, KIDE_PT_CALL), req.sel);
    if (st != KIDE_OK)
        drop_dyn(a, pt);
    return st;
}

/* Another self portal, on core's handler of `cpu` (KIDE_CORE_SELF). */
static int self_self(struct call *c)
{
    struct kide_core_self_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 2);
    if (c->bad || req.cpu >= core_cpus() || !user_sel_ok(req.sel))
        return KIDE_BAD_PARAM;
    kide_sel pd = acc_sel(a, ACC_PD);
    kide_sel pt = req.cpu == a->cpu ? acc_sel(a, ACC_SELF_PT) : a->self_pt_on[req.cpu];
    if (!pt) {
        if (!(pt = acc_dyn_alloc(a)))
            return KIDE_QUOTA;
        int st = kide_create_pt(pt, pd, core_handler_ec((unsigned)req.cpu), (u64)_start,
                                acc_pt_id(a, PT_SELF));
        if (st != KIDE_OK) {
            acc_dyn_free(a, pt);
            return st;
        }
        a->self_pt_on[req.cpu] = pt;
    }
    return kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, KIDE_PT_CALL), req.sel);
}

static int self_sm(struct call *c)
{
    struct kide_core_sm_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 2);
    if (c->bad || !user_sel_ok(req.sel) || req.count >> 32)
        return KIDE_BAD_PARAM;
    kide_sel sm = acc_dyn_alloc(a);
    if (!sm)
        return KIDE_QUOTA;
    kide_sel pd = acc_sel(a, ACC_PD);
    int st = kide_create_sm(sm, pd, req.count);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, sm, 0, KIDE_SM_UP | KIDE_SM_DOWN), req.sel);
    if (st != KIDE_OK)
        drop_dyn(a, sm);
    return st;
}

static int self_exit(struct call *c)
{
    struct kide_core_exit_req req;
    decode(c, &req, sizeof(req) / 8, 1); /* no code word: code 0; no signal word: 0 */
    if (req.signal > KIDE_SIGNAL_MAX)
        return KIDE_BAD_PARAM; /* not ended: a caller's bug shows instead of a lost signal */
    account_exit(c->a, req.code > 255 ? 255 : req.code, req.signal);
    return KIDE_OK; /* the caller is gone; the kernel drops this reply */
}

/** CHILD's QUOTA: w1 says which quota (core.h). */
static int child_quota(struct call *c, u64 why)
{
    struct kide_core_child_rep rep = {why};
    results(c, &rep, 1);
    return KIDE_QUOTA;
}

static bool child_req_ok(const struct call *c, const struct kide_core_child_req *r,
                         const char *name)
{
    const struct account *a = c->a;
    return !c->bad && name_ok(name) && label_ok(a, name) && user_sel_ok(r->own_sel) &&
           user_sel_ok(r->pd_sel) && r->own_sel != r->pd_sel &&
           (!r->sm_sel ||
            (user_sel_ok(r->sm_sel) && r->sm_sel != r->own_sel && r->sm_sel != r->pd_sel)) &&
           r->caps >= KIDE_CORE_CAPS_MIN && r->cpu_pct <= 100 && r->prio <= KIDE_PRIO_MAX &&
           !(r->ram & 4095) && (a->children_sm || r->sm_sel);
}

/* The caller's children semaphore, created by its first CHILD (core.h). */
static int children_sm(struct account *a, kide_sel sm_sel)
{
    if (a->children_sm)
        return KIDE_OK;
    kide_sel pd = acc_sel(a, ACC_PD);
    int st = kide_create_sm(acc_sel(a, ACC_CHILDREN_SM), pd, 0);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_CHILDREN_SM), 0, KIDE_SM_DOWN),
                           sm_sel);
    if (st != KIDE_OK) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_CHILDREN_SM), 0, 0));
        return st;
    }
    a->children_sm = true;
    return KIDE_OK;
}

static int self_child(struct call *c)
{
    struct kide_core_child_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 8);
    char name[KIDE_CORE_NAME_MAX + 1] = "";
    if (str_valid(c, 7, req.name.len, req.name.bytes, KIDE_CORE_NAME_MAX, true)) {
        memcpy(name, req.name.bytes, req.name.len);
        name[req.name.len] = 0;
    }
    if (!child_req_ok(c, &req, name))
        return KIDE_BAD_PARAM;
    /* A kept log ring of its name becomes its own (ring_adopt): its bytes and its unit
     * of our table share count as free. */
    bool kept = ring_kept(a, name);
    if (req.ram > a->ram_quota - a->ram_used + (kept ? KIDE_LOG_RING_BYTES : 0))
        return child_quota(c, 1);
    if (!acc_cpu_fits(a, a->cpu, NULL, req.cpu_pct))
        return child_quota(c, 3);
    int st = children_sm(a, req.sm_sel);
    if (st != KIDE_OK)
        return st;
    u64 blocks;
    a->blocks_used -= kept ? 1 : 0;
    struct account *s = acc_block_share(a, req.caps, &blocks) ? acc_alloc(a, name) : NULL;
    if (!s) { /* its share of core's table is spent: its own subtree's doing */
        a->blocks_used += kept ? 1 : 0;
        return child_quota(c, 4);
    }
    s->blocks = blocks;
    a->blocks_used += 1 + blocks;
    s->caps_quota = req.caps; /* as acc_create_objects will: acc_destroy gives both back */
    a->caps_given += req.caps;
    s->ram_quota = req.ram;
    a->ram_used += req.ram;
    ring_adopt(s);
    s->cpu_pct = req.cpu_pct;
    s->prio_req = (unsigned)req.prio;
    acc_compute_share(s);
    kide_sel pd = acc_sel(a, ACC_PD);
    st = acc_create_objects(s, req.caps);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(s, ACC_OWNER_PT), 0, KIDE_PT_CALL),
                           req.own_sel);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(s, ACC_PD), 0, KIDE_PD_DELEGATE),
                           req.pd_sel);
    if (st != KIDE_OK) {
        acc_destroy(s);
        return st == KIDE_QUOTA ? child_quota(c, 2) : st;
    }
    struct kide_core_child_rep rep = {s->index};
    results(c, &rep, 1);
    return KIDE_OK;
}

static int self_stats(struct call *c)
{
    extern u64 core_ram_total;
    u64 limit = 0, used = 0;
    kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit, &used);
    struct kide_core_stats_rep rep = {
            .ram_free = mem_ram_free_bytes(),
            .ram_total = core_ram_total,
            .caps_free = limit - used,
            .accounts = acc_live(),
            .cpus = core_cpus(),
            .hold_us = hold_longest_us(NULL),
    };
    results(c, &rep, 6);
    return KIDE_OK;
}

/* THREADS on either session: the main EC (with the ended threads' time), then each
 * live thread (core.h). Written in place: 65 words would crowd the handler's stack. */
static int threads(struct call *c)
{
    struct account *a = c->a;
    struct kide_core_threads_rep *rep = (struct kide_core_threads_rep *)c->out;
    unsigned n = 0;
    rep->ns[n++] = acc_main_ns(a);
    for (unsigned i = 0; a->sc_live && i < ACC_THREADS; i++)
        if (a->threads[i].live)
            rep->ns[n++] = acc_thread_ns(a, i);
    rep->n = n;
    c->res = 1 + n;
    return KIDE_OK;
}

/** THREAD's QUOTA: w1 says which limit (core.h). */
static int thread_quota(struct call *c, u64 why)
{
    struct kide_core_thread_rep rep = {why};
    results(c, &rep, 1);
    return KIDE_QUOTA;
}

/* A thread: EC and SC paid from the account's caps quota, the CPU budget split
 * again before the new SC exists (so the total never exceeds the quota, not even
 * for a moment), and back if anything fails. */
static int self_thread(struct call *c)
{
    struct kide_core_thread_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 4); /* no evt_base word: 0 */
    if (c->bad || !user_sel_ok(req.sel) || req.ip >= KIDE_USER_END || req.sp >= KIDE_USER_END ||
        (req.evt_base &&
         (!user_sel_ok(req.evt_base) || req.evt_base > KIDE_CAP_SLOTS - KIDE_EXC_COUNT)))
        return KIDE_BAD_PARAM;
    if (!utcb_ok(req.utcb))
        return KIDE_BAD_ADDR;
    if (!a->sc_live || a->dying)
        return KIDE_BAD_PARAM; /* not running (a handler of an ended component) */
    unsigned i = 0;
    while (i < ACC_THREADS && a->threads[i].live)
        i++;
    if (i == ACC_THREADS)
        return thread_quota(c, 1);
    kide_sel ec = acc_dyn_alloc(a), sc = ec ? acc_dyn_alloc(a) : 0;
    if (!sc) {
        drop_dyn(a, ec);
        return thread_quota(c, 3);
    }
    kide_sel pd = acc_sel(a, ACC_PD);
    u64 evt = req.evt_base ? req.evt_base : KIDE_COMP_SEL_EVT;
    int st = kide_create_ec(KIDE_EC_GLOBAL, a->cpu, ec, pd, req.utcb, req.sp, req.ip, evt);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, ec, 0, KIDE_EC_CTRL), req.sel);
    u64 budget, period;
    acc_thread_sc(a, 2 + a->nthreads, &budget, &period);
    if (st == KIDE_OK)
        st = acc_split_cpu(a, 2 + a->nthreads);
    if (st == KIDE_OK)
        st = kide_create_sc(0, a->prio, sc, pd, ec, budget, period);
    if (st != KIDE_OK) { /* nothing stays behind; the others get their budget back */
        drop_dyn(a, sc);
        drop_dyn(a, ec);
        acc_split_cpu(a, 1 + a->nthreads);
        return st == KIDE_QUOTA ? thread_quota(c, 2) : st;
    }
    u64 id = (++a->thread_gen & 0xffffffffffull) << 8 | i;
    a->threads[i] = (struct acc_thread){.live = true, .ec = ec, .sc = sc, .id = id};
    a->nthreads++;
    struct kide_core_thread_rep rep = {id};
    results(c, &rep, 1);
    return KIDE_OK;
}

/* Ending the calling thread itself works as EXIT does for the main EC: its EC is
 * revoked while it waits for this reply, which the kernel then drops. */
static int self_thread_end(struct call *c)
{
    struct kide_core_thread_end_req req;
    struct account *a = c->a;
    decode(c, &req, sizeof(req) / 8, 1);
    u64 i = req.id & 0xff;
    if (c->bad || i >= ACC_THREADS || !a->threads[i].live || a->threads[i].id != req.id)
        return KIDE_BAD_PARAM;
    acc_thread_end(a, (unsigned)i);
    return KIDE_OK;
}

static int self_io_port(struct call *c)
{
    struct kide_core_io_port_req req;
    decode(c, &req, sizeof(req) / 8, 2);
    return c->bad ? KIDE_BAD_PARAM : dev_io_port(c->a, req.base, req.count);
}

static int self_irq(struct call *c)
{
    struct kide_core_irq_req req;
    decode(c, &req, sizeof(req) / 8, 3);
    return c->bad ? KIDE_BAD_PARAM : dev_irq(c->a, req.gsi, req.sel, req.mode);
}

static int self_io_mem(struct call *c)
{
    struct kide_core_io_mem_req req;
    decode(c, &req, sizeof(req) / 8, 3);
    if (c->bad)
        return KIDE_BAD_PARAM;
    if (!heap_range_ok(req.va, req.bytes))
        return KIDE_BAD_ADDR;
    return dev_io_mem(c->a, req.phys, req.bytes, req.va);
}

static int self_msi(struct call *c)
{
    struct kide_core_msi_req req;
    struct kide_core_msi_rep rep = {0};
    decode(c, &req, sizeof(req) / 8, 1);
    if (c->bad)
        return KIDE_BAD_PARAM;
    int st = dev_msi(c->a, req.sel, &rep);
    results(c, &rep, sizeof(rep) / 8);
    return st;
}

static int self_pci_config(struct call *c)
{
    struct kide_core_pci_config_rep rep = {0};
    int st = dev_pci_config(c->a, &rep);
    results(c, &rep, sizeof(rep) / 8);
    return st;
}

static int self_rom(struct call *c)
{
    struct kide_core_rom_req req;
    decode(c, &req, sizeof(req) / 8, 2);
    str_valid(c, 1, req.name.len, req.name.bytes, sizeof(req.name.bytes) - 1, true);
    str_end(c, req.name.bytes, &req.name.len);
    const char *name = req.name.bytes;
    if (c->bad || !*name)
        return KIDE_BAD_PARAM;
    const struct kide_boot_module *m = rom_find(name);
    if (!m)
        return KIDE_NOT_FOUND;
    if (!rom_allowed(c->a, name))
        return KIDE_DENIED; /* neither its program nor named by its owner */
    if (!window_ok(req.va, BASE_ALIGN_UP(m->size, 4096)))
        return KIDE_BAD_ADDR;
    int st = mem_map_rom(c->a, req.va, m->phys, m->size, KIDE_MEM_R);
    struct kide_core_rom_rep rep = {m->size};
    results(c, &rep, 1);
    return st;
}

static int self_nodes(struct call *c)
{
    struct kide_core_nodes_rep rep;
    results(c, &rep, nodes_report(&rep));
    return KIDE_OK;
}

/* The reply is written where it goes (core's UTCB, after the status word): 3.9 KiB
 * would not fit the handler's stack. The name is snapshotted first. */
static int self_logs(struct call *c)
{
    struct kide_core_logs_req req;
    decode(c, &req, sizeof(req) / 8, 3);
    char name[KIDE_CORE_NAME_MAX + 1] = "";
    if (str_valid(c, 2, req.name.len, req.name.bytes, KIDE_CORE_NAME_MAX, true)) {
        memcpy(name, req.name.bytes, req.name.len);
        name[req.name.len] = 0;
    }
    if (c->bad || !name_ok(name) || req.flags > KIDE_LOGS_FORGET)
        return KIDE_BAD_PARAM;
    if (req.flags & KIDE_LOGS_FORGET)
        return ring_forget(c->a, name);
    struct kide_core_logs_rep *rep = (struct kide_core_logs_rep *)c->out;
    int st = ring_read(c->a, name, req.after, rep);
    c->res = 4 + (unsigned)((rep->lines.len + 7) / 8);
    return st;
}

static int owner_call(struct call *c);

/* An owner operation through the self portal: the sub-account's id, then the
 * owner request as on its owner portal. */
static int self_own(struct call *c)
{
    struct account *s = c->n ? acc_child(c->a, c->w[0]) : NULL;
    if (!s)
        return KIDE_BAD_PARAM;
    struct call own = *c;
    own.a = s;
    own.w = c->w + 1;
    own.n = c->n - 1;
    int st = owner_call(&own);
    c->res = own.res;
    c->bad = own.bad;
    return st;
}

/* ---- owner session ---- */

/* A request of one boot-module name (LOAD, ROM): decoded into req, whose
 * name field is at name, len its length word; false (BAD_PARAM) when it is
 * malformed or empty. */
static bool decode_module_name(struct call *c, void *req, unsigned words, u64 *len, char *name,
                               u64 size)
{
    decode(c, req, words, 1);
    str_valid(c, 0, *len, name, size - 1, true);
    str_end(c, name, len);
    return !c->bad && name[0];
}

static int own_load(struct call *c)
{
    struct kide_own_load_req req;
    if (!decode_module_name(c, &req, sizeof(req) / 8, &req.rom.len, req.rom.bytes,
                            sizeof(req.rom.bytes)))
        return KIDE_BAD_PARAM;
    return load_program(c->a, req.rom.bytes);
}

/* The chunk is used where the kernel put it (core's own UTCB, see struct call):
 * a snapshot of up to 3840 bytes would not fit the handler's stack as well. */
static int own_config(struct call *c)
{
    struct {
        u64 total, offset, len;
    } hdr;
    decode(c, &hdr, 3, 3);
    const char *chunk = (const char *)&c->w[3];
    if (!str_valid(c, 2, hdr.len, chunk, KIDE_CORE_CHUNK_MAX, false))
        return KIDE_BAD_PARAM;
    return load_config(c->a, hdr.total, hdr.offset, chunk, hdr.len);
}

static int own_args(struct call *c)
{
    struct kide_own_args_req req;
    struct account *s = c->a;
    _Static_assert(sizeof(req.args.bytes) == sizeof(s->args), "the info page's args");
    if (s->sc_live || s->state != KIDE_ACC_CREATED)
        return KIDE_BUSY;
    decode(c, &req, sizeof(req) / 8, 1);
    str_valid(c, 0, req.args.len, req.args.bytes, sizeof(s->args) - 1, true);
    str_end(c, req.args.bytes, &req.args.len);
    memcpy(s->args, req.args.bytes, req.args.len + 1); /* "" when bad, as before */
    return c->bad ? KIDE_BAD_PARAM : KIDE_OK;
}

static int own_start(struct call *c)
{
    return load_start(c->a);
}

static int own_state(struct call *c)
{
    struct account *s = c->a;
    struct kide_own_state_rep rep = {
            .state = s->state,
            .exit_code = s->exit_code,
            .fault_vector = s->fault_vector,
            .fault_addr = s->fault_addr,
            .fault_ip = s->fault_ip,
            .ram_quota = s->ram_quota,
            .ram_used = s->ram_used,
            .caps_quota = s->caps_quota,
            .caps_used = acc_caps_used(s),
            .cpu_ns = acc_cpu_ns(s),
            .threads = s->sc_live ? 1 + s->nthreads : 0,
            .budget_ns = acc_budget_ns(s),
            .period_ns = KIDE_CORE_PERIOD_NS,
            .prio = s->prio,
            .yield_request = s->yield_request,
            .tree_ns = acc_tree_ns(s),
            .cpu = s->cpu,
            .signal = s->exit_signal,
    };
    results(c, &rep, 18 + numa_state(s, &rep.numa));
    return KIDE_OK;
}

static int own_cpu(struct call *c)
{
    struct kide_own_cpu_req req;
    struct account *s = c->a;
    decode(c, &req, sizeof(req) / 8, 2);
    if (c->bad || req.pct > 100 || req.prio > KIDE_PRIO_MAX)
        return KIDE_BAD_PARAM;
    if (!acc_cpu_fits(s->parent, s->cpu, s, req.pct))
        return KIDE_QUOTA;
    s->cpu_pct = req.pct;
    s->prio_req = (unsigned)req.prio;
    return acc_apply_cpu(s);
}

static int own_ram(struct call *c)
{
    struct kide_own_ram_req req;
    struct account *s = c->a, *p = s->parent;
    decode(c, &req, sizeof(req) / 8, 1);
    u64 q = req.quota;
    if (c->bad || (q & 4095))
        return KIDE_BAD_PARAM;
    if (q >= s->ram_quota) {
        u64 delta = q - s->ram_quota;
        if (delta > p->ram_quota - p->ram_used)
            return KIDE_QUOTA;
        p->ram_used += delta;
        s->ram_quota = q;
        s->yield_request = 0;
        return KIDE_OK;
    }
    u64 delta = s->ram_quota - q, free = s->ram_quota - s->ram_used;
    if (free >= delta) {
        s->ram_quota = q;
        p->ram_used -= delta;
        s->yield_request = 0;
        return KIDE_OK;
    }
    s->yield_request = delta - free;
    if (s->sc_live)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, acc_sel(s, ACC_SIGNAL), 0);
    struct kide_own_ram_rep rep = {s->yield_request};
    results(c, &rep, 1);
    return KIDE_QUOTA;
}

static int own_caps(struct call *c)
{
    struct kide_own_caps_req req;
    struct account *s = c->a, *p = s->parent;
    decode(c, &req, sizeof(req) / 8, 1);
    u64 n = req.pages;
    if (c->bad || n < KIDE_CORE_CAPS_MIN)
        return KIDE_BAD_PARAM;
    int st = KIDE_OK;
    if (n > s->caps_quota)
        st = kide_ctrl_pd(KIDE_CTRL_PD_GIVE, acc_sel(p, ACC_PD), n - s->caps_quota,
                          acc_sel(s, ACC_PD), NULL, NULL);
    else if (n < s->caps_quota)
        st = kide_ctrl_pd(KIDE_CTRL_PD_GIVE, acc_sel(s, ACC_PD), s->caps_quota - n,
                          acc_sel(p, ACC_PD), NULL, NULL);
    if (st == KIDE_OK) {
        p->caps_given = p->caps_given - s->caps_quota + n;
        s->caps_quota = n;
    }
    return st;
}

/* Pages freed in steps, then acc_destroy (run_job). */
static int own_destroy(struct call *c)
{
    *c->job = (struct job){.kind = JOB_DESTROY, .target = acc_pt_id(c->a, PT_OWNER)};
    return KIDE_OK;
}

static int own_signal(struct call *c)
{
    if (!c->a->sc_live)
        return KIDE_BAD_PARAM;
    return kide_ctrl_sm(KIDE_CTRL_SM_UP, acc_sel(c->a, ACC_SIGNAL), 0);
}

static int own_devices(struct call *c)
{
    struct kide_own_devices_req req;
    struct account *s = c->a;
    decode(c, &req, sizeof(req) / 8, 1);
    if (c->bad || req.on > KIDE_OWN_DEVICES_PLATFORM)
        return KIDE_BAD_PARAM;
    if (s->sc_live || s->state != KIDE_ACC_CREATED)
        return KIDE_BUSY;
    if ((req.on && !s->parent->devices) ||
        (req.on == KIDE_OWN_DEVICES_PLATFORM && !s->parent->platform))
        return KIDE_DENIED;
    s->devices = req.on != 0;
    s->platform = req.on == KIDE_OWN_DEVICES_PLATFORM;
    return KIDE_OK;
}

static int own_affinity(struct call *c)
{
    struct kide_own_affinity_req req;
    struct account *s = c->a;
    decode(c, &req, sizeof(req) / 8, 1);
    if (c->bad || req.cpu >= core_cpus())
        return KIDE_BAD_PARAM;
    if (s->sc_live || s->state != KIDE_ACC_CREATED)
        return KIDE_BUSY;
    /* Only init hands out other CPUs: anyone else's share is of its own CPU,
     * and a child elsewhere would get time its owner was never given. */
    if (req.cpu != s->parent->cpu && s->parent != acc_init)
        return KIDE_DENIED;
    if (req.cpu != s->cpu && !acc_cpu_fits(s->parent, (unsigned)req.cpu, s, s->cpu_pct))
        return KIDE_QUOTA;
    return acc_set_cpu(s, (unsigned)req.cpu);
}

static int own_ram_node(struct call *c)
{
    struct kide_own_ram_node_req req;
    struct account *s = c->a;
    decode(c, &req, sizeof(req) / 8, 2);
    if (c->bad)
        return KIDE_BAD_PARAM;
    if ((req.node != KIDE_RAM_NODE_ANY && req.node >= pages_nodes()) ||
        (req.flags & ~KIDE_RAM_NODE_STRICT)) {
        struct kide_own_ram_node_rep rep = {pages_nodes()};
        results(c, &rep, 1);
        return KIDE_BAD_PARAM;
    }
    s->ram_node = req.node == KIDE_RAM_NODE_ANY ? -1 : (int)req.node;
    s->ram_strict = req.flags & KIDE_RAM_NODE_STRICT;
    return KIDE_OK;
}

static int own_rom(struct call *c)
{
    struct kide_own_rom_req req;
    if (!decode_module_name(c, &req, sizeof(req) / 8, &req.name.len, req.name.bytes,
                            sizeof(req.name.bytes)))
        return KIDE_BAD_PARAM;
    return rom_allow(c->a, req.name.bytes);
}

static int own_load_pages(struct call *c)
{
    struct kide_own_load_pages_req req;
    decode(c, &req, sizeof(req) / 8, 3);
    str_valid(c, 2, req.name.len, req.name.bytes, sizeof(req.name.bytes) - 1, true);
    str_end(c, req.name.bytes, &req.name.len);
    if (c->bad || !req.name.bytes[0])
        return KIDE_BAD_PARAM;
    return load_pages(c->a, req.addr, req.size, req.name.bytes);
}

/* ---- NUMA ---- */

/** KIDE_CORE_NODES' results: n, then total, free, CPU mask per node; returns words. */
static unsigned nodes_report(struct kide_core_nodes_rep *rep)
{
    unsigned n = pages_nodes();
    rep->n = n;
    for (unsigned k = 0; k < n; k++) {
        u64 mask = 0;
        for (unsigned c = 0; c < core_cpus(); c++)
            if (pages_cpu_node(c) == k)
                mask |= 1ull << c;
        rep->node[k].total = pages_total_bytes(k);
        rep->node[k].free = pages_free_bytes(k);
        rep->node[k].cpus = mask;
    }
    return 1 + 3 * n;
}

/** The NUMA words of KIDE_OWN_STATE (w19 on) and KIDE_CORE_QUOTA (w7 on); returns
 *  how many. */
static unsigned numa_state(const struct account *c, struct kide_core_numa *numa)
{
    unsigned n = pages_nodes();
    numa->node_policy = c->ram_node < 0 ? KIDE_RAM_NODE_ANY : (u64)c->ram_node;
    numa->node_flags = c->ram_strict ? KIDE_RAM_NODE_STRICT : 0;
    numa->nodes = n;
    for (unsigned k = 0; k < n; k++)
        numa->node_bytes[k] = c->ram_on_node[k];
    return 3 + n;
}

/* ---- dispatch tables ---- */

/** An operation: its handler and its name in the lock-hold report. */
struct op {
    int (*fn)(struct call *c);
    const char *name;
};

static const struct op self_ops[] = {
        [0] = {NULL, "?"},
        [KIDE_CORE_LOG] = {self_log, "LOG"},
        [KIDE_CORE_RAM_ALLOC] = {self_ram_alloc, "RAM_ALLOC"},
        [KIDE_CORE_RAM_FREE] = {self_ram_free, "RAM_FREE"},
        [KIDE_CORE_QUOTA] = {self_quota, "QUOTA"},
        [KIDE_CORE_HANDLER] = {self_handler, "HANDLER"},
        [KIDE_CORE_PORTAL] = {self_portal, "PORTAL"},
        [KIDE_CORE_SM] = {self_sm, "SM"},
        [KIDE_CORE_EXIT] = {self_exit, "EXIT"},
        [KIDE_CORE_CHILD] = {self_child, "CHILD"},
        [KIDE_CORE_STATS] = {self_stats, "STATS"},
        [KIDE_CORE_THREADS] = {threads, "THREADS"},
        [KIDE_CORE_IO_PORT] = {self_io_port, "IO_PORT"},
        [KIDE_CORE_IRQ] = {self_irq, "IRQ"},
        [KIDE_CORE_ROM] = {self_rom, "ROM"},
        [KIDE_CORE_SELF] = {self_self, "SELF"},
        [KIDE_CORE_OWN] = {self_own, "OWN"},
        [KIDE_CORE_NODES] = {self_nodes, "NODES"},
        [KIDE_CORE_IO_MEM] = {self_io_mem, "IO_MEM"},
        [KIDE_CORE_MSI] = {self_msi, "MSI"},
        [KIDE_CORE_PCI_CONFIG] = {self_pci_config, "PCI_CONFIG"},
        [KIDE_CORE_LOGS] = {self_logs, "LOGS"},
        [KIDE_CORE_THREAD] = {self_thread, "THREAD"},
        [KIDE_CORE_THREAD_END] = {self_thread_end, "THREAD_END"},
        [KIDE_CORE_RAM_PROTECT] = {self_ram_protect, "RAM_PROTECT"},
};

/* Indexed by op - KIDE_OWN_LOAD. */
static const struct op own_ops[] = {
        [KIDE_OWN_LOAD - KIDE_OWN_LOAD] = {own_load, "LOAD"},
        [KIDE_OWN_CONFIG - KIDE_OWN_LOAD] = {own_config, "CONFIG"},
        [KIDE_OWN_ARGS - KIDE_OWN_LOAD] = {own_args, "ARGS"},
        [KIDE_OWN_START - KIDE_OWN_LOAD] = {own_start, "START"},
        [KIDE_OWN_STATE - KIDE_OWN_LOAD] = {own_state, "STATE"},
        [KIDE_OWN_THREADS - KIDE_OWN_LOAD] = {threads, "THREADS"},
        [KIDE_OWN_CPU - KIDE_OWN_LOAD] = {own_cpu, "CPU"},
        [KIDE_OWN_RAM - KIDE_OWN_LOAD] = {own_ram, "RAM"},
        [KIDE_OWN_CAPS - KIDE_OWN_LOAD] = {own_caps, "CAPS"},
        [KIDE_OWN_DESTROY - KIDE_OWN_LOAD] = {own_destroy, "DESTROY"},
        [KIDE_OWN_SIGNAL - KIDE_OWN_LOAD] = {own_signal, "SIGNAL"},
        [KIDE_OWN_DEVICES - KIDE_OWN_LOAD] = {own_devices, "DEVICES"},
        [KIDE_OWN_AFFINITY - KIDE_OWN_LOAD] = {own_affinity, "AFFINITY"},
        [KIDE_OWN_RAM_NODE - KIDE_OWN_LOAD] = {own_ram_node, "RAM_NODE"},
        [KIDE_OWN_ROM - KIDE_OWN_LOAD] = {own_rom, "ROM"},
        [KIDE_OWN_LOAD_PAGES - KIDE_OWN_LOAD] = {own_load_pages, "LOAD_PAGES"},
};

/** The table entry of op, or NULL (out of range or a gap). */
static const struct op *op_find(bool owner, u64 op)
{
    if (owner)
        return op >= KIDE_OWN_LOAD && op - KIDE_OWN_LOAD < BASE_ARRAY_SIZE(own_ops)
                       ? &own_ops[op - KIDE_OWN_LOAD]
                       : NULL;
    return op < BASE_ARRAY_SIZE(self_ops) ? &self_ops[op] : NULL;
}

/** Run one request: w[0] the op (a missing one is 0, no operation), the rest
 *  its arguments. */
static int dispatch(bool owner, struct call *c)
{
    u64 op = c->n ? c->w[0] : 0;
    if (!c->n)
        c->bad = true;
    c->w += c->n ? 1 : 0;
    c->n -= c->n ? 1 : 0;
    const struct op *o = op_find(owner, op);
    return o && o->fn ? o->fn(c) : KIDE_BAD_SYSCALL;
}

static int owner_call(struct call *c)
{
    return dispatch(true, c);
}

/* ---- exceptions ---- */

static const char *fault_reason(u64 v)
{
    const char *name = kide_fault_name(v);
    return name ? name : "exception";
}

static void exception(struct account *a, unsigned portal, struct kide_utcb *u)
{
    struct kide_exc_state st;
    memcpy(&st, u->words, sizeof(st));
    if (portal == KIDE_EXC_RECALL) {
        u->msg = 0;
        return;
    }
    u->msg = KIDE_MSG_EXC_STOP;
    if (a->state != KIDE_ACC_RUNNING)
        return;
    a->fault_vector = st.vector;
    a->fault_addr = st.vector == KIDE_EXC_PF ? st.fault_addr : 0;
    a->fault_ip = st.rip;
    a->state = KIDE_ACC_FAULTED;
    printf("core: %s: %s (vector %lu) at 0x%lx (ip 0x%lx, error 0x%lx): stopped\n", a->label,
           fault_reason(st.vector), st.vector, a->fault_addr, st.rip, st.error);
    acc_stop_threads(a);
    if (a == acc_init)
        exit_platform(a, 1);
    acc_notify_owner(a);
}

/* ---- dispatch ---- */

/* RAM_FREE's step: pages freed, a pending yield request shrinks. */
static bool free_step(struct account *a, struct job *j)
{
    bool more;
    u64 freed = mem_free_some(a, j->va, j->bytes, j->free_step, &more);
    j->freed += freed;
    if (freed && a->yield_request) {
        a->yield_request = freed >= a->yield_request ? 0 : a->yield_request - freed;
        acc_notify_owner(a);
    }
    return more;
}

/* DESTROY's step: the subtree's pages in steps, then the accounts in one go. */
static bool destroy_step(struct job *j)
{
    unsigned sub;
    struct account *t = acc_by_pt_id(j->target, &sub);
    if (!t) /* destroyed meanwhile, with an ancestor */
        return false;
    if (acc_reclaim_step(t, j->free_step))
        return true;
    acc_destroy(t);
    return false;
}

static bool job_step(struct account *a, struct job *j)
{
    switch (j->kind) {
    case JOB_GROW:
        return mem_grow_step(a, &j->grow, j->grow_step);
    case JOB_FREE:
        return free_step(a, j);
    case JOB_DESTROY:
        return destroy_step(j);
    default:
        return false;
    }
}

static const char *const job_names[] = {"", "RAM_ALLOC step", "RAM_FREE step", "DESTROY step"};

/* A job's steps, core's lock let go and taken again in between, so no step holds
 * it for more than CORE_GROW_STEP or CORE_FREE_STEP pages. Returns the caller's account again, or
 * NULL when it was destroyed in between (maybe its slot reused). */
static struct account *run_job(u64 id, struct account *a, struct job *j)
{
    while (job_step(a, j)) {
        hold_drop(job_names[j->kind]);
        hold_take();
        unsigned sub;
        if (!(a = acc_by_pt_id(id, &sub)))
            break; /* its pages (and a reservation) went with it */
    }
    return a;
}

/** The reply of a job's call once it has ended (the caller's account, or NULL). */
static int job_end(struct account *a, struct job *j, int st, struct kide_utcb *u)
{
    if (j->kind == JOB_GROW) {
        st = !a ? KIDE_ABORTED : j->grow.status == KIDE_BUSY ? KIDE_BAD_ADDR : j->grow.status;
        struct kide_core_ram_alloc_rep rep = {a ? a->ram_used : 0, a ? a->ram_quota : 0};
        memcpy(u->words + 1, &rep, sizeof(rep));
    } else if (j->kind == JOB_FREE) {
        st = a ? st : KIDE_ABORTED;
        struct kide_core_ram_free_rep rep = {j->freed, a ? a->ram_used : 0};
        memcpy(u->words + 1, &rep, sizeof(rep));
    }
    return st; /* DESTROY: OK, also when its owner-portal caller went with it */
}

/** What a request is called in the lock-hold report. */
static const char *op_name(unsigned sub, const u64 *w, unsigned n)
{
    u64 op = n ? w[0] : 0;
    if (sub == PT_SELF && op == KIDE_CORE_OWN && n > 2)
        sub = PT_OWNER, op = w[2];
    const struct op *o = op_find(sub == PT_OWNER, op);
    return o ? o->name : sub == PT_OWNER ? "owner call" : "self call";
}

/* Every portal of core's handler ECs enters here (runtime.c): they are all
 * account portals, whose id carries the account's slot and generation. */
void core_portal_entry(u64 id, u64 msg, struct kide_utcb *u)
{
    unsigned sub = 0;
    hold_take();
    /* Looked up under the lock: a call on another CPU may have destroyed the
     * account (and a new one may use its slot) while this one waited. */
    struct account *a = acc_by_pt_id(id, &sub);
    if (!a) {
        hold_drop("a call to a destroyed account");
        if ((id & 0xff) >= PT_EXC)
            u->msg = KIDE_MSG_EXC_STOP;
        else
            reply(u, KIDE_ABORTED, 0);
        return;
    }
    if (sub >= PT_EXC) {
        exception(a, sub - PT_EXC, u);
        hold_drop("exception");
        return;
    }
    unsigned n = KIDE_MSG_UNTYPED(msg);
    if (n > KIDE_UTCB_WORDS)
        n = KIDE_UTCB_WORDS;
    struct log_out log;
    struct job job = {.kind = JOB_NONE};
    log.text[0] = 0;
    struct call c = {.a = a, .w = u->words, .n = n, .out = u->words + 1, .log = &log, .job = &job};
    const char *op = op_name(sub, u->words, n); /* before the reply overwrites the words */
    int st = dispatch(sub == PT_OWNER, &c);
    if (job.kind != JOB_NONE) {
        job_steps(&job, sub == PT_OWNER && a->parent ? a->parent : a);
        st = job_end(run_job(id, a, &job), &job, st, u);
    }
    hold_drop(op);
    log_write(&log); /* the UART on the caller's time, outside core's lock */
    if (c.bad && st == KIDE_OK)
        st = KIDE_BAD_PARAM;
    reply(u, st, c.res);
}
