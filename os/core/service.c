/* SPDX-License-Identifier: MIT */
/* core's sessions: the self portal, owner portals and exception portals.
 *
 * Every request is input from a component that may be buggy or hostile:
 * each word is read through a bounded reader that never looks past the
 * message the kernel delivered, strings are length-checked, and every
 * selector and address is range-checked before core acts on it. A malformed
 * request is answered with BAD_PARAM; nothing a component sends can make core
 * fault or block.
 */
#include "core.h"
#include "log.h"

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

/** Bounded reader over the request words. */
struct req {
    const u64 *w;
    unsigned n, pos;
    bool bad;
};

static u64 get(struct req *r)
{
    if (r->pos >= r->n) {
        r->bad = true;
        return 0;
    }
    return r->w[r->pos++];
}

/** A string: length word, then the bytes packed into words. Borrowed in place. */
static const char *get_bytes(struct req *r, u64 *len, u64 max)
{
    u64 n = get(r);
    u64 words = (n + 7) / 8;
    if (r->bad || n > max || words > r->n - r->pos) {
        r->bad = true;
        *len = 0;
        return "";
    }
    const char *p = (const char *)&r->w[r->pos];
    r->pos += (unsigned)words;
    *len = n;
    return p;
}

static bool has_nul(const char *p, u64 len)
{
    for (u64 i = 0; i < len; i++)
        if (!p[i])
            return true;
    return false;
}

/** A string copied NUL-terminated into buf; embedded NULs are refused. */
static void get_str(struct req *r, char *buf, u64 size)
{
    u64 len;
    const char *p = get_bytes(r, &len, size - 1);
    if (!r->bad && has_nul(p, len))
        r->bad = true;
    if (r->bad)
        len = 0;
    memcpy(buf, p, len);
    buf[len] = 0;
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

/** UTCBs of handlers must stay out of the ranges core maps itself. */
static bool utcb_ok(u64 va)
{
    return !(va & 4095) && va >= KIDE_COMP_UTCB + 4096 && va < KIDE_USER_END;
}

static void exit_platform(struct account *a, u64 code)
{
    printf("core: %s ended with code %lu: %s\n", a->label, code,
           code ? "stopping the machine (failure)" : "stopping the machine");
    /* The code itself goes out, as the kernel tests report theirs (0x10 + code,
     * so QEMU's status is 2 * (0x10 + code) + 1): 0 is success (33), 1 the
     * usual failure (35); larger codes are cut to 111. */
    base_exit_qemu(BASE_QEMU_SUCCESS + (u32)(code > 111 ? 111 : code));
}

static void account_exit(struct account *a, u64 code)
{
    if (a->state != KIDE_ACC_RUNNING)
        return;
    a->exit_code = code;
    a->state = KIDE_ACC_EXITED;
    acc_stop_threads(a);
    if (a == acc_init)
        exit_platform(a, code);
    acc_notify_owner(a);
}

/* ---- self session ---- */

static int owner_call(struct account *c, struct req *r, struct kide_utcb *u, unsigned *res,
                      struct job *job);
static unsigned nodes_report(u64 *w);
static unsigned numa_state(const struct account *c, u64 *w);

/** Undo a dynamic selector on a failure path: its object (if any) revoked, the
 *  selector free again (finding 17: these leaked, one or two per failed call). */
static void drop_dyn(struct account *a, kide_sel sel)
{
    if (!sel)
        return;
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0));
    acc_dyn_free(a, sel);
}

static int self_handler(struct account *a, struct req *r, struct kide_utcb *u, unsigned *res)
{
    u64 ip = get(r), sp = get(r), utcb = get(r), id = get(r), sel = get(r);
    u64 cpu = r->pos < r->n ? get(r) : a->cpu; /* optional w6 */
    if (r->bad || !id || !user_sel_ok(sel) || !utcb_ok(utcb) || ip >= KIDE_USER_END ||
        sp >= KIDE_USER_END || cpu >= core_cpus())
        return KIDE_BAD_PARAM;
    if (a->handlers >= ACC_MAX_HANDLERS)
        return KIDE_QUOTA;
    kide_sel ec = acc_dyn_alloc(a), pt = ec ? acc_dyn_alloc(a) : 0;
    int st = KIDE_QUOTA;
    kide_sel pd = acc_sel(a, ACC_PD);
    if (pt)
        st = kide_create_ec(0, (unsigned)cpu, ec, pd, utcb, sp, 0, KIDE_COMP_SEL_EVT);
    if (st == KIDE_OK)
        st = kide_create_pt(pt, pd, ec, ip, id);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, KIDE_PT_CALL), sel);
    if (st != KIDE_OK) { /* nothing stays behind: objects revoked, selectors free again */
        drop_dyn(a, pt);
        drop_dyn(a, ec);
        return st;
    }
    a->handler_ec[a->handlers] = ec;
    a->handler_ip[a->handlers] = ip;
    u->words[1] = a->handlers++;
    *res = 1;
    return KIDE_OK;
}

static int self_portal(struct account *a, struct req *r)
{
    u64 h = get(r), id = get(r), sel = get(r);
    if (r->bad || h >= a->handlers || !id || !user_sel_ok(sel))
        return KIDE_BAD_PARAM;
    kide_sel pt = acc_dyn_alloc(a);
    if (!pt)
        return KIDE_QUOTA;
    kide_sel pd = acc_sel(a, ACC_PD);
    int st = kide_create_pt(pt, pd, a->handler_ec[h], a->handler_ip[h], id);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, KIDE_PT_CALL), sel);
    if (st != KIDE_OK)
        drop_dyn(a, pt);
    return st;
}

/* Another self portal, on core's handler of `cpu` (KIDE_CORE_SELF). */
static int self_portal_on(struct account *a, struct req *r)
{
    u64 cpu = get(r), sel = get(r);
    if (r->bad || cpu >= core_cpus() || !user_sel_ok(sel))
        return KIDE_BAD_PARAM;
    kide_sel pd = acc_sel(a, ACC_PD);
    kide_sel pt = cpu == a->cpu ? acc_sel(a, ACC_SELF_PT) : a->self_pt_on[cpu];
    if (!pt) {
        if (!(pt = acc_dyn_alloc(a)))
            return KIDE_QUOTA;
        int st = kide_create_pt(pt, pd, krt_handler_ec((unsigned)cpu), (u64)_start,
                                acc_pt_id(a, PT_SELF));
        if (st != KIDE_OK) {
            acc_dyn_free(a, pt);
            return st;
        }
        a->self_pt_on[cpu] = pt;
    }
    return kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, pt, 0, KIDE_PT_CALL), sel);
}

static int self_sm(struct account *a, struct req *r)
{
    u64 sel = get(r), count = get(r);
    if (r->bad || !user_sel_ok(sel) || count >> 32)
        return KIDE_BAD_PARAM;
    kide_sel sm = acc_dyn_alloc(a);
    if (!sm)
        return KIDE_QUOTA;
    kide_sel pd = acc_sel(a, ACC_PD);
    int st = kide_create_sm(sm, pd, count);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, sm, 0, KIDE_SM_UP | KIDE_SM_DOWN), sel);
    if (st != KIDE_OK)
        drop_dyn(a, sm);
    return st;
}

static int self_child(struct account *a, struct req *r, struct kide_utcb *u, unsigned *res)
{
    u64 own_sel = get(r), pd_sel = get(r), sm_sel = get(r);
    u64 ram = get(r), caps = get(r), pct = get(r), prio = get(r);
    char name[KIDE_CORE_NAME_MAX + 1];
    get_str(r, name, sizeof(name));
    if (r->bad || !name_ok(name) || !label_ok(a, name) || !user_sel_ok(own_sel) ||
        !user_sel_ok(pd_sel) || own_sel == pd_sel ||
        (sm_sel && (!user_sel_ok(sm_sel) || sm_sel == own_sel || sm_sel == pd_sel)) ||
        caps < KIDE_CORE_CAPS_MIN || pct > 100 || prio > KIDE_PRIO_MAX || (ram & 4095))
        return KIDE_BAD_PARAM;
    if (!a->children_sm && !sm_sel)
        return KIDE_BAD_PARAM;
    if (ram > a->ram_quota - a->ram_used) {
        u->words[1] = 1;
        *res = 1;
        return KIDE_QUOTA;
    }
    if (!acc_cpu_fits(a, a->cpu, NULL, pct)) {
        u->words[1] = 3;
        *res = 1;
        return KIDE_QUOTA;
    }
    kide_sel pd = acc_sel(a, ACC_PD);
    if (!a->children_sm) {
        int st = kide_create_sm(acc_sel(a, ACC_CHILDREN_SM), pd, 0);
        if (st == KIDE_OK)
            st = kide_delegate(pd,
                               KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_CHILDREN_SM), 0, KIDE_SM_DOWN),
                               sm_sel);
        if (st != KIDE_OK) {
            kide_revoke(KIDE_REVOKE_SELF,
                        KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_CHILDREN_SM), 0, 0));
            return st;
        }
        a->children_sm = true;
    }
    u64 blocks;
    struct account *c = acc_block_share(a, caps, &blocks) ? acc_alloc(a, name) : NULL;
    if (!c) { /* its share of core's table is spent: its own subtree's doing */
        u->words[1] = 4;
        *res = 1;
        return KIDE_QUOTA;
    }
    c->blocks = blocks;
    a->blocks_used += 1 + blocks;
    c->caps_quota = caps; /* as acc_create_objects will: acc_destroy gives both back */
    a->caps_given += caps;
    c->ram_quota = ram;
    a->ram_used += ram;
    c->cpu_pct = pct;
    c->prio_req = (unsigned)prio;
    acc_compute_share(c);
    int st = acc_create_objects(c, caps);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(c, ACC_OWNER_PT), 0, KIDE_PT_CALL),
                           own_sel);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(c, ACC_PD), 0, KIDE_PD_DELEGATE),
                           pd_sel);
    if (st != KIDE_OK) {
        acc_destroy(c);
        if (st == KIDE_QUOTA) {
            u->words[1] = 2;
            *res = 1;
        }
        return st;
    }
    u->words[1] = c->index;
    *res = 1;
    return KIDE_OK;
}

/* A LOG line is formatted into *log under core's lock and written after it; a
 * RAM_ALLOC is started here and its pages placed in steps (krt_portal_entry). */
static int self_call(struct account *a, struct req *r, struct kide_utcb *u, unsigned *res,
                     struct log_out *log, struct job *job)
{
    u64 op = get(r);
    switch (op) {
    case KIDE_CORE_LOG: {
        u64 len;
        const char *p = get_bytes(r, &len, KIDE_CORE_LOG_MAX);
        if (r->bad)
            return KIDE_BAD_PARAM;
        return log_request(a, p, len, log);
    }
    case KIDE_CORE_RAM_ALLOC: {
        u64 va = get(r), bytes = get(r), perm = get(r);
        if (r->bad || !bytes || (va | bytes) & 4095 || perm & ~7ull)
            return KIDE_BAD_PARAM;
        if (!heap_range_ok(va, bytes))
            return KIDE_BAD_ADDR;
        int st = mem_grow_start(a, va, bytes, (unsigned)perm, &job->grow);
        job->kind = st == KIDE_OK ? JOB_GROW : JOB_NONE;
        u->words[1] = a->ram_used;
        u->words[2] = a->ram_quota;
        *res = 2;
        return st == KIDE_BUSY ? KIDE_BAD_ADDR : st;
    }
    case KIDE_CORE_RAM_FREE: {
        u64 va = get(r), bytes = get(r);
        if (r->bad || !heap_range_ok(va, bytes))
            return KIDE_BAD_PARAM;
        *job = (struct job){.kind = JOB_FREE, .va = va, .bytes = bytes};
        *res = 2; /* filled when the job ends */
        return KIDE_OK;
    }
    case KIDE_CORE_QUOTA:
        u->words[1] = a->ram_quota;
        u->words[2] = a->ram_used;
        u->words[3] = a->caps_quota;
        u->words[4] = acc_caps_used(a);
        u->words[5] = acc_cpu_ns(a);
        u->words[6] = a->yield_request;
        *res = 6 + numa_state(a, u->words + 7); /* as OWN_STATE's w18.. */
        return KIDE_OK;
    case KIDE_CORE_HANDLER:
        return self_handler(a, r, u, res);
    case KIDE_CORE_PORTAL:
        return self_portal(a, r);
    case KIDE_CORE_SM:
        return self_sm(a, r);
    case KIDE_CORE_EXIT: {
        u64 code = get(r);
        account_exit(a, code > 255 ? 255 : code);
        return KIDE_OK; /* the caller is gone; the kernel drops this reply */
    }
    case KIDE_CORE_CHILD:
        return self_child(a, r, u, res);
    case KIDE_CORE_STATS: {
        extern u64 core_ram_total;
        u64 limit = 0, used = 0;
        kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, KIDE_ROOT_SEL_PD, 0, 0, &limit, &used);
        u->words[1] = mem_ram_free_bytes();
        u->words[2] = core_ram_total;
        u->words[3] = limit - used;
        u->words[4] = acc_live();
        u->words[5] = core_cpus();
        u->words[6] = hold_longest_us(NULL);
        *res = 6;
        return KIDE_OK;
    }
    case KIDE_CORE_THREADS:
        u->words[1] = 1;
        u->words[2] = acc_cpu_ns(a);
        *res = 2;
        return KIDE_OK;
    case KIDE_CORE_IO_PORT: {
        u64 base = get(r), count = get(r);
        return r->bad ? KIDE_BAD_PARAM : dev_io_port(a, base, count);
    }
    case KIDE_CORE_IRQ: {
        u64 gsi = get(r), sel = get(r), mode = get(r);
        return r->bad ? KIDE_BAD_PARAM : dev_irq(a, gsi, sel, mode);
    }
    case KIDE_CORE_ROM: {
        u64 va = get(r);
        char name[32];
        get_str(r, name, sizeof(name));
        if (r->bad || !*name)
            return KIDE_BAD_PARAM;
        const struct kide_boot_module *m = rom_find(name);
        if (!m)
            return KIDE_NOT_FOUND;
        if (!rom_allowed(a, name))
            return KIDE_DENIED; /* neither its program nor named by its owner */
        if (!heap_range_ok(va, BASE_ALIGN_UP(m->size, 4096)))
            return KIDE_BAD_ADDR;
        int st = mem_map_rom(a, va, m->phys, m->size, KIDE_MEM_R);
        u->words[1] = m->size;
        *res = 1;
        return st;
    }
    case KIDE_CORE_SELF:
        return self_portal_on(a, r);
    case KIDE_CORE_NODES:
        *res = nodes_report(u->words + 1);
        return KIDE_OK;
    case KIDE_CORE_OWN: {
        u64 id = get(r);
        struct account *c = r->bad ? NULL : acc_child(a, id);
        if (!c)
            return KIDE_BAD_PARAM;
        return owner_call(c, r, u, res, job);
    }
    default:
        return KIDE_BAD_SYSCALL;
    }
}

/* ---- owner session ---- */

static int owner_ram(struct account *c, u64 q, struct kide_utcb *u, unsigned *res)
{
    struct account *p = c->parent;
    if (q & 4095)
        return KIDE_BAD_PARAM;
    if (q >= c->ram_quota) {
        u64 delta = q - c->ram_quota;
        if (delta > p->ram_quota - p->ram_used)
            return KIDE_QUOTA;
        p->ram_used += delta;
        c->ram_quota = q;
        c->yield_request = 0;
        return KIDE_OK;
    }
    u64 delta = c->ram_quota - q, free = c->ram_quota - c->ram_used;
    if (free >= delta) {
        c->ram_quota = q;
        p->ram_used -= delta;
        c->yield_request = 0;
        return KIDE_OK;
    }
    c->yield_request = delta - free;
    if (c->sc_live)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, acc_sel(c, ACC_SIGNAL), 0);
    u->words[1] = c->yield_request;
    *res = 1;
    return KIDE_QUOTA;
}

/* ---- NUMA ---- */

/** KIDE_CORE_NODES' results into w: n, then total, free, CPU mask per node. */
static unsigned nodes_report(u64 *w)
{
    unsigned n = pages_nodes();
    w[0] = n;
    for (unsigned k = 0; k < n; k++) {
        u64 mask = 0;
        for (unsigned c = 0; c < core_cpus(); c++)
            if (pages_cpu_node(c) == k)
                mask |= 1ull << c;
        w[1 + 3 * k] = pages_total_bytes(k);
        w[2 + 3 * k] = pages_free_bytes(k);
        w[3 + 3 * k] = mask;
    }
    return 1 + 3 * n;
}

/** KIDE_OWN_STATE's NUMA words (w18 on) into w; returns how many. */
static unsigned numa_state(const struct account *c, u64 *w)
{
    unsigned n = pages_nodes();
    w[0] = c->ram_node < 0 ? KIDE_RAM_NODE_ANY : (u64)c->ram_node;
    w[1] = c->ram_strict ? KIDE_RAM_NODE_STRICT : 0;
    w[2] = n;
    for (unsigned k = 0; k < n; k++)
        w[3 + k] = c->ram_on_node[k];
    return 3 + n;
}

static int owner_ram_node(struct account *c, u64 node, u64 flags, struct kide_utcb *u,
                          unsigned *res)
{
    if ((node != KIDE_RAM_NODE_ANY && node >= pages_nodes()) || (flags & ~KIDE_RAM_NODE_STRICT)) {
        u->words[1] = pages_nodes();
        *res = 1;
        return KIDE_BAD_PARAM;
    }
    c->ram_node = node == KIDE_RAM_NODE_ANY ? -1 : (int)node;
    c->ram_strict = flags & KIDE_RAM_NODE_STRICT;
    return KIDE_OK;
}

static int owner_caps(struct account *c, u64 n)
{
    struct account *p = c->parent;
    if (n < KIDE_CORE_CAPS_MIN)
        return KIDE_BAD_PARAM;
    int st = KIDE_OK;
    if (n > c->caps_quota)
        st = kide_ctrl_pd(KIDE_CTRL_PD_GIVE, acc_sel(p, ACC_PD), n - c->caps_quota,
                          acc_sel(c, ACC_PD), NULL, NULL);
    else if (n < c->caps_quota)
        st = kide_ctrl_pd(KIDE_CTRL_PD_GIVE, acc_sel(c, ACC_PD), c->caps_quota - n,
                          acc_sel(p, ACC_PD), NULL, NULL);
    if (st == KIDE_OK) {
        p->caps_given = p->caps_given - c->caps_quota + n;
        c->caps_quota = n;
    }
    return st;
}

static int owner_call(struct account *c, struct req *r, struct kide_utcb *u, unsigned *res,
                      struct job *job)
{
    u64 op = get(r);
    switch (op) {
    case KIDE_OWN_LOAD: {
        char rom[32];
        get_str(r, rom, sizeof(rom));
        if (r->bad || !*rom)
            return KIDE_BAD_PARAM;
        return load_program(c, rom);
    }
    case KIDE_OWN_CONFIG: {
        u64 total = get(r), offset = get(r), len;
        const char *p = get_bytes(r, &len, KIDE_CORE_CHUNK_MAX);
        if (r->bad)
            return KIDE_BAD_PARAM;
        return load_config(c, total, offset, p, len);
    }
    case KIDE_OWN_ARGS:
        if (c->sc_live || c->state != KIDE_ACC_CREATED)
            return KIDE_BUSY;
        get_str(r, c->args, sizeof(c->args));
        return r->bad ? KIDE_BAD_PARAM : KIDE_OK;
    case KIDE_OWN_START:
        return load_start(c);
    case KIDE_OWN_STATE: {
        u64 *w = u->words;
        w[1] = c->state;
        w[2] = c->exit_code;
        w[3] = c->fault_vector;
        w[4] = c->fault_addr;
        w[5] = c->fault_ip;
        w[6] = c->ram_quota;
        w[7] = c->ram_used;
        w[8] = c->caps_quota;
        w[9] = acc_caps_used(c);
        w[10] = acc_cpu_ns(c);
        w[11] = c->sc_live ? 1 : 0;
        w[12] = acc_budget_ns(c);
        w[13] = KIDE_CORE_PERIOD_NS;
        w[14] = c->prio;
        w[15] = c->yield_request;
        w[16] = acc_tree_ns(c);
        w[17] = c->cpu;
        *res = 17 + numa_state(c, w + 18);
        return KIDE_OK;
    }
    case KIDE_OWN_THREADS:
        u->words[1] = 1;
        u->words[2] = acc_cpu_ns(c);
        *res = 2;
        return KIDE_OK;
    case KIDE_OWN_CPU: {
        u64 pct = get(r), prio = get(r);
        if (r->bad || pct > 100 || prio > KIDE_PRIO_MAX)
            return KIDE_BAD_PARAM;
        if (!acc_cpu_fits(c->parent, c->cpu, c, pct))
            return KIDE_QUOTA;
        c->cpu_pct = pct;
        c->prio_req = (unsigned)prio;
        return acc_apply_cpu(c);
    }
    case KIDE_OWN_RAM: {
        u64 q = get(r);
        return r->bad ? KIDE_BAD_PARAM : owner_ram(c, q, u, res);
    }
    case KIDE_OWN_CAPS: {
        u64 n = get(r);
        return r->bad ? KIDE_BAD_PARAM : owner_caps(c, n);
    }
    case KIDE_OWN_DESTROY: /* pages freed in steps, then acc_destroy */
        *job = (struct job){.kind = JOB_DESTROY, .target = acc_pt_id(c, PT_OWNER)};
        return KIDE_OK;
    case KIDE_OWN_DEVICES: {
        u64 on = get(r);
        if (r->bad || on > 1)
            return KIDE_BAD_PARAM;
        if (c->sc_live || c->state != KIDE_ACC_CREATED)
            return KIDE_BUSY;
        if (on && !c->parent->devices)
            return KIDE_DENIED;
        c->devices = on;
        return KIDE_OK;
    }
    case KIDE_OWN_AFFINITY: {
        u64 cpu = get(r);
        if (r->bad || cpu >= core_cpus())
            return KIDE_BAD_PARAM;
        if (c->sc_live || c->state != KIDE_ACC_CREATED)
            return KIDE_BUSY;
        /* Only init hands out other CPUs: anyone else's share is of its own CPU,
         * and a child elsewhere would get time its owner was never given. */
        if (cpu != c->parent->cpu && c->parent != acc_init)
            return KIDE_DENIED;
        if (cpu != c->cpu && !acc_cpu_fits(c->parent, (unsigned)cpu, c, c->cpu_pct))
            return KIDE_QUOTA;
        return acc_set_cpu(c, (unsigned)cpu);
    }
    case KIDE_OWN_RAM_NODE: {
        u64 node = get(r), flags = get(r);
        return r->bad ? KIDE_BAD_PARAM : owner_ram_node(c, node, flags, u, res);
    }
    case KIDE_OWN_ROM: {
        char rom[32];
        get_str(r, rom, sizeof(rom));
        if (r->bad || !*rom)
            return KIDE_BAD_PARAM;
        return rom_allow(c, rom);
    }
    case KIDE_OWN_SIGNAL:
        if (!c->sc_live)
            return KIDE_BAD_PARAM;
        return kide_ctrl_sm(KIDE_CTRL_SM_UP, acc_sel(c, ACC_SIGNAL), 0);
    default:
        return KIDE_BAD_SYSCALL;
    }
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
    if (st.vector == 6 && st.rax == KRT_EXIT_MAGIC) { /* krt_exit() */
        u->msg = KIDE_MSG_EXC_STOP;
        account_exit(a, st.rdi > 255 ? 255 : st.rdi);
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
        u->words[1] = a ? a->ram_used : 0;
        u->words[2] = a ? a->ram_quota : 0;
    } else if (j->kind == JOB_FREE) {
        st = a ? st : KIDE_ABORTED;
        u->words[1] = j->freed;
        u->words[2] = a ? a->ram_used : 0;
    }
    return st; /* DESTROY: OK, also when its owner-portal caller went with it */
}

/** What a request is called in the lock-hold report. */
static const char *op_name(unsigned sub, const struct req *r)
{
    static const char *const self[] = {"?",       "LOG",     "RAM_ALLOC", "RAM_FREE", "QUOTA",
                                       "HANDLER", "PORTAL",  "SM",        "EXIT",     "CHILD",
                                       "STATS",   "THREADS", "IO_PORT",   "IRQ",      "ROM",
                                       "SELF",    "OWN",     "NODES"};
    static const char *const own[] = {"LOAD",    "CONFIG",  "ARGS",     "START",    "STATE",
                                      "THREADS", "CPU",     "RAM",      "CAPS",     "DESTROY",
                                      "SIGNAL",  "DEVICES", "AFFINITY", "RAM_NODE", "ROM"};
    u64 op = r->n ? r->w[0] : 0;
    if (sub == PT_SELF && op == KIDE_CORE_OWN && r->n > 2)
        sub = PT_OWNER, op = r->w[2];
    if (sub == PT_OWNER)
        return op >= 32 && op - 32 < BASE_ARRAY_SIZE(own) ? own[op - 32] : "owner call";
    return op < BASE_ARRAY_SIZE(self) ? self[op] : "self call";
}

/* Every portal of krt's handler ECs enters here. Account portals carry the
 * account's slot and generation in their id; anything else is krt's own. */
void krt_portal_entry(u64 id, u64 msg, struct kide_utcb *u)
{
    if (!(id >> 48)) {
        struct krt_pt_hdr *h = (struct krt_pt_hdr *)(id & ~63ull);
        h->fn(h, (unsigned)(id & 63), msg, u);
        return;
    }
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
    struct req r = {u->words, n > KIDE_UTCB_WORDS ? KIDE_UTCB_WORDS : n, 0, false};
    unsigned res = 0;
    struct log_out log;
    struct job job = {.kind = JOB_NONE};
    log.text[0] = 0;
    const char *op = op_name(sub, &r); /* before the reply overwrites the words */
    int st = sub == PT_OWNER ? owner_call(a, &r, u, &res, &job)
                             : self_call(a, &r, u, &res, &log, &job);
    if (job.kind != JOB_NONE) {
        job_steps(&job, sub == PT_OWNER && a->parent ? a->parent : a);
        st = job_end(run_job(id, a, &job), &job, st, u);
    }
    hold_drop(op);
    log_write(&log); /* the UART on the caller's time, outside core's lock */
    if (r.bad && st == KIDE_OK)
        st = KIDE_BAD_PARAM;
    reply(u, st, res);
}
