/* SPDX-License-Identifier: MIT */
/* Accounts: the tree of components and the quotas that flow down it.
 *
 * A sub-account's RAM quota counts as used by its parent, so the sum of the
 * quotas of siblings can never exceed what their parent was given. Kernel
 * memory ("caps") is the kernel's own per-PD quota: a child PD is funded from
 * its parent's PD, and the kernel enforces it. CPU shares are absolute
 * (parts per million of the account's CPU) computed down the tree, so a 50%
 * child of a 30% habitat on the same CPU gets a 15% budget; a child placed on
 * another CPU than its parent gets its percent of that whole CPU.
 */
#include "core.h"
#include "logring.h"

struct account *acc_init;
static struct account accounts[ACC_MAX];
/* Block i is account i's while accounts[i].used, else an extra block when set here. */
static bool ext_taken[ACC_MAX];

kide_sel acc_sel(const struct account *a, unsigned off)
{
    return ACC_SEL_BASE + (kide_sel)a->index * ACC_SELS + off;
}

unsigned acc_live(void)
{
    unsigned n = 0;
    for (unsigned i = 0; i < ACC_MAX; i++)
        n += accounts[i].used;
    return n;
}

struct account *acc_alloc(struct account *parent, const char *name)
{
    static u64 generation;
    for (unsigned i = 0; i < ACC_MAX; i++) {
        struct account *a = &accounts[i];
        if (a->used || ext_taken[i])
            continue;
        memset(a, 0, sizeof(*a));
        a->used = true;
        a->gen = ++generation & ACC_GEN_MASK;
        a->index = i;
        a->parent = parent;
        a->cpu = parent ? parent->cpu : 0;
        /* The NUMA policy is inherited: a habitat's children stay on its node. */
        a->ram_node = parent ? parent->ram_node : -1;
        a->ram_strict = parent ? parent->ram_strict : false;
        size_t n = strnlen(name, KIDE_CORE_NAME_MAX);
        memcpy(a->name, name, n);
        if (!parent || parent == acc_init)
            snprintf(a->label, sizeof(a->label), "%s", a->name);
        else
            snprintf(a->label, sizeof(a->label), "%s/%s", parent->label, a->name);
        if (parent) {
            a->next_sibling = parent->first_child;
            parent->first_child = a;
        }
        return a;
    }
    return NULL;
}

static void unlink(struct account *a)
{
    if (!a->parent)
        return;
    struct account **p = &a->parent->first_child;
    while (*p && *p != a)
        p = &(*p)->next_sibling;
    if (*p)
        *p = a->next_sibling;
}

unsigned core_cpus(void)
{
    u64 n = core_bootinfo->cpus;
    return n < 1 ? 1 : n > KIDE_MAX_CPUS ? KIDE_MAX_CPUS : (unsigned)n;
}

u64 acc_pt_id(const struct account *a, unsigned sub)
{
    return (u64)(a->index + 1) << 48 | a->gen << 8 | sub;
}

struct account *acc_by_pt_id(u64 id, unsigned *sub)
{
    u64 i = (id >> 48) - 1;
    if (!(id >> 48) || i >= ACC_MAX)
        return NULL;
    struct account *a = &accounts[i];
    *sub = id & 0xff;
    return a->used && a->gen == (id >> 8 & ACC_GEN_MASK) ? a : NULL;
}

struct account *acc_child(struct account *a, u64 id)
{
    if (id >= ACC_MAX)
        return NULL;
    struct account *c = &accounts[id];
    return c->used && c->parent == a ? c : NULL;
}

/* The self portal and the exception portals, on the account's CPU, delegated
 * into its space. Paid from its own kernel quota. */
static int bind_portals(struct account *a)
{
    kide_sel pd = acc_sel(a, ACC_PD), h = core_handler_ec(a->cpu);
    int st = kide_create_pt(acc_sel(a, ACC_SELF_PT), pd, h, (u64)_start, acc_pt_id(a, PT_SELF));
    for (unsigned v = 0; st == KIDE_OK && v < KIDE_EXC_COUNT; v++)
        st = kide_create_pt(acc_sel(a, ACC_EVT + v), pd, h, (u64)_start, acc_pt_id(a, PT_EXC + v));
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_SELF_PT), 0, KIDE_PT_CALL),
                           KIDE_COMP_SEL_CORE);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_EVT), 5, KIDE_PT_CALL),
                           KIDE_COMP_SEL_EVT);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_EVT + 32), 0, KIDE_PT_CALL),
                           KIDE_COMP_SEL_EVT + 32);
    return st;
}

static void unbind_portals(struct account *a)
{
    /* Revoking core's capabilities also removes the copies in the account. */
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_SELF_PT), 0, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_EVT), 5, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_EVT + 32), 0, 0));
}

int acc_set_cpu(struct account *a, unsigned cpu)
{
    if (cpu == a->cpu)
        return KIDE_OK;
    unsigned old = a->cpu;
    unbind_portals(a);
    a->cpu = cpu;
    int st = bind_portals(a);
    if (st != KIDE_OK) {
        unbind_portals(a);
        a->cpu = old;
        if (bind_portals(a) != KIDE_OK)
            printf("core: %s: cannot restore its portals\n", a->label);
        return st;
    }
    acc_compute_share(a);
    return KIDE_OK;
}

int acc_create_objects(struct account *a, u64 caps)
{
    kide_sel funder = a->parent ? acc_sel(a->parent, ACC_PD) : KIDE_ROOT_SEL_PD;
    int st = kide_create_pd(acc_sel(a, ACC_PD), funder, caps, 0);
    if (st != KIDE_OK)
        return st;
    a->caps_quota = caps;
    kide_sel pd = acc_sel(a, ACC_PD);
    /* Its signal semaphore, the self portal and the exception portals are
     * paid from its own kernel quota; the owner portal (on the owner's CPU)
     * from the owner's. */
    st = kide_create_sm(acc_sel(a, ACC_SIGNAL), pd, 0);
    if (st == KIDE_OK && a->parent)
        st = kide_create_pt(acc_sel(a, ACC_OWNER_PT), acc_sel(a->parent, ACC_PD),
                            core_handler_ec(a->parent->cpu), (u64)_start, acc_pt_id(a, PT_OWNER));
    if (st == KIDE_OK)
        st = bind_portals(a);
    if (st == KIDE_OK)
        st = kide_delegate(pd, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_SIGNAL), 0, KIDE_SM_DOWN),
                           KIDE_COMP_SEL_SIGNAL);
    return st;
}

static kide_sel block_sel(unsigned block, unsigned off)
{
    return ACC_SEL_BASE + (kide_sel)block * ACC_SELS + off;
}

/** A free bit of used[] from `first`, skipping [skip, skip_end); ACC_SELS if none. */
static unsigned take_bit(u64 *used, unsigned first, unsigned skip, unsigned skip_end)
{
    for (unsigned off = first; off < ACC_SELS; off++) {
        if (off >= skip && off < skip_end)
            continue;
        if (!(used[off / 64] >> (off % 64) & 1)) {
            used[off / 64] |= 1ull << (off % 64);
            return off;
        }
    }
    return ACC_SELS;
}

/** An extra block for a, paid from its share; false if none is left. */
static bool ext_add(struct account *a)
{
    if (a->exts >= ACC_EXT_MAX || a->blocks_used >= a->blocks)
        return false;
    for (unsigned i = 0; i < ACC_MAX; i++) {
        if (accounts[i].used || ext_taken[i])
            continue;
        ext_taken[i] = true;
        a->ext_block[a->exts] = i;
        memset(a->ext_used[a->exts], 0, sizeof(a->ext_used[0]));
        a->exts++;
        a->blocks_used++;
        return true;
    }
    return false; /* defensive: shares add up to at most the free blocks */
}

kide_sel acc_dyn_alloc(struct account *a)
{
    unsigned off = take_bit(a->dyn_used, ACC_DYN_FIRST, ACC_EVT, ACC_EVT + KIDE_EXC_COUNT);
    if (off < ACC_SELS)
        return acc_sel(a, off);
    for (unsigned e = 0; e < a->exts || ext_add(a); e++)
        if ((off = take_bit(a->ext_used[e], 0, 0, 0)) < ACC_SELS)
            return block_sel(a->ext_block[e], off);
    return 0;
}

void acc_dyn_free(struct account *a, kide_sel sel)
{
    u64 rel = sel - acc_sel(a, 0);
    if (sel >= acc_sel(a, 0) && rel < ACC_SELS) {
        a->dyn_used[rel / 64] &= ~(1ull << (rel % 64));
        return;
    }
    for (unsigned e = 0; e < a->exts; e++) {
        rel = sel - block_sel(a->ext_block[e], 0);
        if (sel >= block_sel(a->ext_block[e], 0) && rel < ACC_SELS)
            a->ext_used[e][rel / 64] &= ~(1ull << (rel % 64));
    }
}

bool acc_block_share(const struct account *a, u64 caps, u64 *share)
{
    if (a->blocks_used >= a->blocks)
        return false;
    /* The new account's block is 1; of the rest it gets the part its caps are of
     * the caps a has not given away yet, so sub-accounts that share a's caps
     * share its blocks the same way (and the last one may take all that is left). */
    u64 rest = a->blocks - a->blocks_used - 1;
    u64 free_caps = a->caps_quota > a->caps_given ? a->caps_quota - a->caps_given : 0;
    *share = caps >= free_caps ? rest : rest * caps / free_caps;
    return true;
}

/** Consumed time of an SC (0 if it cannot be read). */
static u64 sc_ns(kide_sel sc)
{
    u64 ns = 0;
    if (kide_ctrl_sc(KIDE_CTRL_SC_TIME, sc, 0, 0, 0, &ns, NULL, NULL) != KIDE_OK)
        return 0;
    return ns;
}

u64 acc_main_ns(struct account *a)
{
    return a->sc_live ? sc_ns(acc_sel(a, ACC_SC)) + a->threads_ended_ns : a->final_ns;
}

u64 acc_thread_ns(struct account *a, unsigned i)
{
    return a->sc_live && a->threads[i].live ? sc_ns(a->threads[i].sc) : 0;
}

u64 acc_cpu_ns(struct account *a)
{
    u64 ns = acc_main_ns(a);
    for (unsigned i = 0; a->sc_live && i < ACC_THREADS; i++)
        ns += acc_thread_ns(a, i);
    return ns;
}

u64 acc_tree_ns(struct account *a)
{
    u64 ns = acc_cpu_ns(a) + a->reaped_ns;
    for (struct account *c = a->first_child; c; c = c->next_sibling)
        ns += acc_tree_ns(c);
    return ns;
}

u64 acc_caps_used(struct account *a)
{
    u64 limit = 0, used = 0;
    if (kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, acc_sel(a, ACC_PD), 0, 0, &limit, &used) != KIDE_OK)
        return 0;
    /* The PD's limit shrank by what it funded for sub-accounts: count that as used. */
    u64 free = limit > used ? limit - used : 0;
    return a->caps_quota > free ? a->caps_quota - free : 0;
}

bool acc_cpu_fits(const struct account *parent, unsigned cpu, const struct account *self, u64 pct)
{
    u64 sum = pct;
    for (const struct account *c = parent->first_child; c; c = c->next_sibling)
        if (c != self && c->cpu == cpu)
            sum += c->cpu_pct;
    return sum <= 100;
}

void acc_compute_share(struct account *a)
{
    /* On its parent's CPU a share is part of the parent's; elsewhere of the whole CPU. */
    u64 base = a->parent && a->parent->cpu == a->cpu ? a->parent->share_ppm : 1000000;
    a->share_ppm = a->parent ? base * a->cpu_pct / 100 : 1000000;
    unsigned cap = a->parent ? a->parent->prio : KIDE_PRIO_MAX;
    a->prio = a->prio_req < cap ? a->prio_req : cap;
}

/** Budget for a share: never below the kernel's minimum (quota 0 = idle time only). */
static u64 budget_of(const struct account *a)
{
    u64 b = KIDE_CORE_PERIOD_NS * a->share_ppm / 1000000;
    return b < KIDE_SC_MIN_NS ? KIDE_SC_MIN_NS : b;
}

u64 acc_budget_ns(const struct account *a)
{
    return budget_of(a);
}

/* Each of n threads gets B / n of the account's budget B per period P. A budget
 * that small is mostly the error of a late timer tick (under a loaded TCG a tick
 * comes a millisecond late, which a 100 us budget would overrun tenfold), so below
 * CORE_THREAD_BUDGET_NS (or B, if smaller) a thread gets that budget per a longer
 * period instead, P * budget * n / B rounded up (at most 64 * 10 ms, well under
 * the kernel's 10 s): the share budget / period stays at most B / (P * n), and n
 * threads never add up to more than B / P. */
void acc_thread_sc(const struct account *a, unsigned n, u64 *budget, u64 *period)
{
    u64 b = budget_of(a), least = b < CORE_THREAD_BUDGET_NS ? b : CORE_THREAD_BUDGET_NS;
    n = n ? n : 1;
    *budget = b / n;
    *period = KIDE_CORE_PERIOD_NS;
    if (*budget < least) {
        *budget = least;
        *period = (KIDE_CORE_PERIOD_NS * least * n + b - 1) / b;
    }
}

int acc_split_cpu(struct account *a, unsigned n)
{
    if (!a->sc_live)
        return KIDE_OK;
    u64 budget, period;
    acc_thread_sc(a, n, &budget, &period);
    int st = kide_ctrl_sc(KIDE_CTRL_SC_SET, acc_sel(a, ACC_SC), a->prio, budget, period, NULL, NULL,
                          NULL);
    for (unsigned i = 0; i < ACC_THREADS; i++) {
        if (!a->threads[i].live)
            continue;
        int tst = kide_ctrl_sc(KIDE_CTRL_SC_SET, a->threads[i].sc, a->prio, budget, period, NULL,
                               NULL, NULL);
        if (st == KIDE_OK)
            st = tst;
    }
    return st;
}

void acc_thread_end(struct account *a, unsigned i)
{
    struct acc_thread *t = &a->threads[i];
    if (!t->live)
        return;
    a->threads_ended_ns += sc_ns(t->sc);
    /* Revoking core's capabilities also removes the copy in the component. */
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, t->sc, 0, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, t->ec, 0, 0));
    acc_dyn_free(a, t->sc);
    acc_dyn_free(a, t->ec);
    t->live = false;
    a->nthreads--;
    acc_split_cpu(a, 1 + a->nthreads);
}

int acc_apply_cpu(struct account *a)
{
    acc_compute_share(a);
    int st = acc_split_cpu(a, 1 + a->nthreads);
    for (struct account *c = a->first_child; c; c = c->next_sibling) {
        int cst = acc_apply_cpu(c);
        if (st == KIDE_OK)
            st = cst;
    }
    return st;
}

void acc_stop_threads(struct account *a)
{
    if (a->sc_live) {
        a->final_ns = acc_cpu_ns(a); /* every thread's, ended ones too */
        a->sc_live = false;
    }
    for (unsigned i = 0; i < ACC_THREADS; i++) {
        struct acc_thread *t = &a->threads[i];
        if (!t->live)
            continue;
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, t->sc, 0, 0));
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, t->ec, 0, 0));
        acc_dyn_free(a, t->sc);
        acc_dyn_free(a, t->ec);
        t->live = false;
    }
    a->nthreads = 0;
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_SC), 0, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_EC), 0, 0));
    for (unsigned i = 0; i < a->handlers; i++)
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, a->handler_ec[i], 0, 0));
}

void acc_notify_owner(struct account *a)
{
    if (a->parent && a->parent->children_sm)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, acc_sel(a->parent, ACC_CHILDREN_SM), 0);
}

/* Threads end before pages go: nothing may run on without them, and nothing in
 * the subtree may start a call (or a child, or more RAM) while it is taken apart. */
static void stop_subtree(struct account *a)
{
    for (struct account *c = a->first_child; c; c = c->next_sibling)
        stop_subtree(c);
    acc_stop_threads(a);
    a->dying = true;
}

bool acc_reclaim_step(struct account *a, u64 max_pages)
{
    if (!a->dying) {
        stop_subtree(a);
        return true;
    }
    for (struct account *c = a->first_child; c; c = c->next_sibling)
        if (acc_reclaim_step(c, max_pages))
            return true;
    if (a->reclaimed)
        return false;
    bool more;
    mem_free_some(a, 0, ~0ull, max_pages, &more);
    a->reclaimed = !more;
    return true;
}

void acc_destroy(struct account *a)
{
    while (a->first_child)
        acc_destroy(a->first_child);
    if (a->parent)
        a->parent->reaped_ns += acc_tree_ns(a);
    /* One revoke removes every kernel object of the account (and with the
     * PD its mappings); then its pages go back to the pool. */
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, 0), 8, 0));
    for (unsigned e = 0; e < a->exts; e++) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, block_sel(a->ext_block[e], 0), 8, 0));
        ext_taken[a->ext_block[e]] = false;
    }
    mem_free_all(a);
    dev_release(a);
    if (a->parent) {
        a->parent->ram_used -= a->ram_quota;
        a->parent->blocks_used -= 1 + a->blocks;
        a->parent->caps_given -= a->caps_quota;
    }
    ring_account_gone(a); /* after the quota went back: the owner pays for the ring */
    unlink(a);
    a->used = false;
}
