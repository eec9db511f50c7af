/* SPDX-License-Identifier: MIT */
/* RAM of accounts: every page core hands out is recorded with its owner.
 *
 * core holds all RAM identity-mapped (boot.h), so a page's address is its
 * physical address and core fills a component's pages (ELF segments, info,
 * config) directly.
 *
 * Records: an account's pages are kept in leaves, one 4 KiB page each, that
 * cover LEAF_SLOTS consecutive virtual pages (slot = the page's entry: its
 * address, rights and flags, 0 when absent). The leaves form an AVL tree
 * keyed by vpn / LEAF_SLOTS, linked through their headers. Costs: finding a
 * page is O(log L) for L leaves (O(1) more for each further page of the same
 * leaf), so RAM_ALLOC and ROM of n pages cost O(n + L' log L) (L' leaves
 * touched) plus n zeroings and n delegations, and RAM_FREE of a range
 * O(pages freed + L' log L). A leaf is an account page like any other: it is
 * charged to the account's RAM quota (ram_used, ram_on_node), taken by the
 * account's NUMA policy and returned when it empties.
 *
 * Invariant (quotas never over-promise): every page core takes from pages.c
 * is charged to exactly one account (its pages and leaves), so core's free
 * RAM minus the sum of what every account may still allocate
 * (quota - used) stays what core reserved at boot.
 *
 * Freeing revokes the page: the kernel removes it from the component and
 * from anyone the component passed it to, on every CPU, before the page is
 * reused.
 */
#include "core.h"

#define LEAF_SLOTS 508
#define E_PERM     7ull  /* KIDE_MEM_* */
#define E_SHARED   8ull  /* a boot-module page: not ours to free, not charged */
#define E_PRESENT  16ull /* the slot is used */
#define E_RESERVED 32ull /* with no address: taken by a RAM_ALLOC still under way */
#define E_BITS     63ull

struct page_leaf {
    u64 key;                        /**< vpn / LEAF_SLOTS */
    struct page_leaf *left, *right; /**< AVL children (smaller, larger keys) */
    u32 height;                     /**< of its subtree, 1 for a leaf of the tree */
    u32 count;                      /**< slots in use; 0: the leaf is returned */
    u64 slot[LEAF_SLOTS];           /**< page address | E_* bits, or 0 */
};
_Static_assert(sizeof(struct page_leaf) == 4096, "one page per leaf");

/* ---- the AVL tree of leaves ---- */

static u32 height(const struct page_leaf *n)
{
    return n ? n->height : 0;
}

static void fix(struct page_leaf *n)
{
    u32 l = height(n->left), r = height(n->right);
    n->height = 1 + (l > r ? l : r);
}

static struct page_leaf *rot_right(struct page_leaf *n)
{
    struct page_leaf *l = n->left;
    n->left = l->right;
    l->right = n;
    fix(n);
    fix(l);
    return l;
}

static struct page_leaf *rot_left(struct page_leaf *n)
{
    struct page_leaf *r = n->right;
    n->right = r->left;
    r->left = n;
    fix(n);
    fix(r);
    return r;
}

static struct page_leaf *balance(struct page_leaf *n)
{
    fix(n);
    int bf = (int)height(n->left) - (int)height(n->right);
    if (bf > 1) {
        if (height(n->left->left) < height(n->left->right))
            n->left = rot_left(n->left);
        return rot_right(n);
    }
    if (bf < -1) {
        if (height(n->right->right) < height(n->right->left))
            n->right = rot_right(n->right);
        return rot_left(n);
    }
    return n;
}

/* Recursion depth is the tree's height: at most 1.44 log2(L) + 2. */
static struct page_leaf *insert(struct page_leaf *t, struct page_leaf *n)
{
    if (!t)
        return n;
    if (n->key < t->key)
        t->left = insert(t->left, n);
    else
        t->right = insert(t->right, n);
    return balance(t);
}

static struct page_leaf *take_min(struct page_leaf *t, struct page_leaf **min)
{
    if (!t->left) {
        *min = t;
        return t->right;
    }
    t->left = take_min(t->left, min);
    return balance(t);
}

static struct page_leaf *erase(struct page_leaf *t, u64 key)
{
    if (!t)
        return NULL;
    if (key < t->key) {
        t->left = erase(t->left, key);
    } else if (key > t->key) {
        t->right = erase(t->right, key);
    } else {
        struct page_leaf *l = t->left, *r = t->right, *m;
        if (!r)
            return l;
        r = take_min(r, &m);
        m->left = l;
        m->right = r;
        return balance(m);
    }
    return balance(t);
}

static struct page_leaf *find(struct page_leaf *t, u64 key)
{
    while (t && t->key != key)
        t = key < t->key ? t->left : t->right;
    return t;
}

/** The leaf with the smallest key >= key, or NULL. */
static struct page_leaf *leaf_ceil(struct page_leaf *t, u64 key)
{
    struct page_leaf *best = NULL;
    while (t) {
        if (t->key == key)
            return t;
        if (t->key > key) {
            best = t;
            t = t->left;
        } else {
            t = t->right;
        }
    }
    return best;
}

/* ---- leaves: account pages ---- */

static void charge(struct account *a, u64 pa)
{
    a->ram_on_node[pages_node_of(pa)] += 4096;
    a->ram_used += 4096;
}

static void uncharge(struct account *a, u64 pa)
{
    a->ram_on_node[pages_node_of(pa)] -= 4096;
    a->ram_used -= 4096;
}

/** A new empty leaf for key, charged to the account (the caller checked the quota). */
static struct page_leaf *leaf_new(struct account *a, u64 key)
{
    struct page_leaf *l = (struct page_leaf *)pages_alloc(a->ram_node, a->ram_strict, a->cpu);
    if (!l)
        return NULL;
    charge(a, (u64)l);
    l->key = key;
    l->height = 1;
    a->pages = insert(a->pages, l);
    a->leaves++;
    return l;
}

static void leaf_drop(struct account *a, struct page_leaf *l)
{
    a->pages = erase(a->pages, l->key);
    a->leaves--;
    uncharge(a, (u64)l);
    pages_free((u64)l);
}

static u64 *slot_of(struct account *a, u64 va)
{
    u64 vpn = va >> 12;
    struct page_leaf *l = find(a->pages, vpn / LEAF_SLOTS);
    return l && l->slot[vpn % LEAF_SLOTS] ? &l->slot[vpn % LEAF_SLOTS] : NULL;
}

bool mem_has(struct account *a, u64 va)
{
    return slot_of(a, va) != NULL;
}

void *mem_ptr(struct account *a, u64 va)
{
    u64 *e = slot_of(a, va);
    return e && (*e & ~E_BITS) ? (void *)((*e & ~4095ull) + (va & 4095)) : NULL;
}

void *mem_ram_ptr(struct account *a, u64 va)
{
    u64 *e = slot_of(a, va);
    return e && !(*e & E_SHARED) && (*e & ~E_BITS) ? (void *)((*e & ~4095ull) + (va & 4095)) : NULL;
}

/** Whether [vpn, vpn + n) is free; *missing = leaves it would need. O(n + L' log L). */
static bool range_free(struct account *a, u64 vpn, u64 n, u64 *missing)
{
    *missing = 0;
    for (u64 key = vpn / LEAF_SLOTS; key <= (vpn + n - 1) / LEAF_SLOTS; key++) {
        struct page_leaf *l = find(a->pages, key);
        if (!l) {
            ++*missing;
            continue;
        }
        u64 lo = key * LEAF_SLOTS > vpn ? key * LEAF_SLOTS : vpn;
        u64 hi = (key + 1) * LEAF_SLOTS < vpn + n ? (key + 1) * LEAF_SLOTS : vpn + n;
        for (u64 p = lo; l->count && p < hi; p++)
            if (l->slot[p % LEAF_SLOTS])
                return false;
    }
    return true;
}

/** Record entry e at vpn; *cur caches the leaf of the previous call. */
static int record(struct account *a, struct page_leaf **cur, u64 vpn, u64 e)
{
    u64 key = vpn / LEAF_SLOTS;
    if (!*cur || (*cur)->key != key) {
        *cur = find(a->pages, key);
        if (!*cur && !(*cur = leaf_new(a, key)))
            return KIDE_QUOTA;
    }
    (*cur)->slot[vpn % LEAF_SLOTS] = e | E_PRESENT;
    (*cur)->count++;
    return KIDE_OK;
}

/** The slot of vpn if its leaf exists (*cur caches the leaf), else NULL. */
static u64 *slot_at(struct account *a, struct page_leaf **cur, u64 vpn)
{
    u64 key = vpn / LEAF_SLOTS;
    if (!*cur || (*cur)->key != key)
        *cur = find(a->pages, key);
    return *cur ? &(*cur)->slot[vpn % LEAF_SLOTS] : NULL;
}

/** Empty the slot of vpn in leaf l; the leaf goes when it is empty. */
static void clear(struct account *a, struct page_leaf *l, u64 vpn)
{
    l->slot[vpn % LEAF_SLOTS] = 0;
    if (!--l->count)
        leaf_drop(a, l);
}

/** Clear n reserved slots from vpn (a reservation that could not be completed). */
static void unreserve(struct account *a, u64 vpn, u64 n)
{
    struct page_leaf *cur = NULL;
    for (u64 i = 0; i < n; i++) {
        if (slot_at(a, &cur, vpn + i)) {
            clear(a, cur, vpn + i);
            cur = NULL;
        }
    }
}

/* Return one of the account's pages: revoked everywhere, then free again. */
static void page_release(struct account *a, u64 pa)
{
    /* Not SELF: core keeps its identity mapping; every derived copy goes. */
    kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
    uncharge(a, pa);
    pages_free(pa);
}

/** Whether bytes plus `leaves` leaf pages fit in what the account may still use. */
static bool fits(const struct account *a, u64 bytes, u64 leaves)
{
    u64 left = a->ram_quota > a->ram_used ? a->ram_quota - a->ram_used : 0;
    return bytes <= left && leaves <= (left - bytes) / 4096;
}

int mem_grow_start(struct account *a, u64 va, u64 bytes, unsigned perm, struct mem_grow *g)
{
    g->active = false;
    if (!bytes || (va | bytes) & 4095 || va + bytes < va)
        return KIDE_BAD_PARAM;
    u64 pages = bytes / 4096, vpn = va >> 12, missing;
    if (!fits(a, bytes, 0))
        return KIDE_QUOTA;
    if (!range_free(a, vpn, pages, &missing))
        return KIDE_BUSY;
    if (!fits(a, bytes, missing))
        return KIDE_QUOTA; /* the records do not fit: they are the account's too */
    /* Reserve: every slot taken (E_RESERVED, no page yet) and every page charged,
     * so neither another call nor a quota change can come between the steps. */
    struct page_leaf *cur = NULL;
    for (u64 i = 0; i < pages; i++)
        if (record(a, &cur, vpn + i, E_RESERVED) != KIDE_OK) {
            unreserve(a, vpn, i);
            return KIDE_QUOTA; /* only a strict node policy can fail a leaf */
        }
    a->ram_used += bytes;
    *g = (struct mem_grow){vpn, pages, 0, (perm & KIDE_MEM_RWX) | KIDE_MEM_R, KIDE_OK, true};
    return KIDE_OK;
}

/* Undo: the pages this job placed go back, reserved slots are cleared. */
static void undo_step(struct account *a, struct mem_grow *g, u64 n)
{
    struct page_leaf *cur = NULL;
    for (; g->done < g->pages && n; g->done++, n--) {
        u64 vpn = g->vpn + g->done, *e = slot_at(a, &cur, vpn);
        if (!e || !(*e & E_PRESENT))
            continue; /* defensive: only this job clears its slots */
        if (*e & ~(u64)E_BITS) {
            page_release(a, *e & ~4095ull);
        } else {
            a->ram_used -= 4096;
        }
        clear(a, cur, vpn);
        cur = NULL; /* clear may have returned the leaf */
    }
}

bool mem_grow_step(struct account *a, struct mem_grow *g, u64 max_pages)
{
    if (g->status == KIDE_OK && a->dying) { /* a DESTROY is taking it apart */
        g->status = KIDE_ABORTED;
        g->done = 0;
    }
    if (g->status != KIDE_OK) {
        undo_step(a, g, max_pages);
        return g->active = g->done < g->pages;
    }
    struct page_leaf *cur = NULL;
    for (u64 n = 0; g->done < g->pages && n < max_pages; n++) {
        u64 vpn = g->vpn + g->done, *e = slot_at(a, &cur, vpn);
        if (!e || *e != (E_RESERVED | E_PRESENT)) {
            g->done++; /* defensive: the reservation is this job's alone */
            continue;
        }
        u64 pa = pages_alloc(a->ram_node, a->ram_strict, a->cpu);
        int st = pa ? kide_delegate(acc_sel(a, ACC_PD),
                                    KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, g->perm), vpn)
                    : KIDE_QUOTA;
        if (st != KIDE_OK) {
            /* Quotas never exceed RAM: only a strict node policy runs out here. */
            if (!pa && a->ram_strict && a->ram_node >= 0)
                printf("core: %s: no free RAM left on node %d (strict RAM node policy); "
                       "%lu bytes not mapped\n",
                       a->label, a->ram_node, (g->pages - g->done) * 4096);
            pages_free(pa);
            g->status = st;
            g->done = 0;
            return true;
        }
        a->ram_on_node[pages_node_of(pa)] += 4096; /* ram_used was charged at the start */
        *e = pa | g->perm | E_PRESENT;
        g->done++;
    }
    return g->active = g->done < g->pages;
}

int mem_alloc(struct account *a, u64 va, u64 bytes, unsigned perm)
{
    struct mem_grow g;
    int st = mem_grow_start(a, va, bytes, perm, &g);
    if (st == KIDE_OK)
        while (mem_grow_step(a, &g, ~0ull))
            ;
    return st == KIDE_OK ? g.status : st;
}

/** Free the unshared pages of leaf l within [vpn, end), at most *budget of them;
 *  returns bytes freed. */
static u64 leaf_free(struct account *a, struct page_leaf *l, u64 vpn, u64 end, u64 *budget)
{
    u64 base = l->key * LEAF_SLOTS, freed = 0;
    u64 lo = base > vpn ? base : vpn, hi = base + LEAF_SLOTS < end ? base + LEAF_SLOTS : end;
    for (u64 p = lo; p < hi && l->count && *budget; p++) {
        u64 e = l->slot[p - base];
        if (!(e & ~E_BITS) || (e & E_SHARED))
            continue; /* absent, a boot module's, or reserved by a RAM_ALLOC under way */
        page_release(a, e & ~4095ull);
        l->slot[p - base] = 0;
        l->count--;
        freed += 4096;
        --*budget;
    }
    return freed;
}

u64 mem_free_some(struct account *a, u64 va, u64 bytes, u64 max_pages, bool *more)
{
    *more = false;
    if (va + bytes < va || va > ~0ull - 4095)
        return 0;
    /* Only pages wholly inside the range. */
    u64 vpn = BASE_ALIGN_UP(va, 4096) >> 12, end = (va + bytes) >> 12, freed = 0;
    u64 budget = max_pages;
    /* Leaf by leaf through the tree, not key by key through the range:
     * a range may span terabytes of which little is mapped. */
    for (u64 key = vpn / LEAF_SLOTS; end > vpn;) {
        struct page_leaf *l = leaf_ceil(a->pages, key);
        if (!l || l->key * LEAF_SLOTS >= end)
            break;
        freed += leaf_free(a, l, vpn, end, &budget);
        key = l->key + 1;
        if (!l->count)
            leaf_drop(a, l);
        if (!budget) { /* pages may be left: the caller comes again */
            *more = true;
            break;
        }
    }
    return freed;
}

u64 mem_free(struct account *a, u64 va, u64 bytes)
{
    bool more;
    return mem_free_some(a, va, bytes, ~0ull, &more);
}

/* Post-order: children first, then the leaf itself. Depth is the tree's height. */
static void free_tree(struct account *a, struct page_leaf *l)
{
    if (!l)
        return;
    free_tree(a, l->left);
    free_tree(a, l->right);
    for (u64 i = 0; i < LEAF_SLOTS && l->count; i++) {
        u64 e = l->slot[i];
        /* A shared page's mapping went with the PD; others keep theirs. */
        if ((e & ~E_BITS) && !(e & E_SHARED))
            page_release(a, e & ~4095ull);
        l->count -= e != 0;
    }
    uncharge(a, (u64)l);
    pages_free((u64)l);
}

void mem_free_all(struct account *a)
{
    free_tree(a, a->pages);
    a->pages = NULL;
    a->leaves = 0;
}

/* Map `pages` pages that are not core's RAM (a boot module's, a device's) at
 * va in the account: delegated with perm and recorded as shared (the records
 * are the account's, charged to its RAM quota; the pages are not). */
static int map_shared(struct account *a, u64 va, u64 phys, u64 pages, unsigned perm)
{
    u64 missing;
    if (!range_free(a, va >> 12, pages, &missing))
        return KIDE_BAD_ADDR;
    if (!fits(a, 0, missing))
        return KIDE_QUOTA;
    struct page_leaf *cur = NULL;
    for (u64 i = 0; i < pages; i++) {
        u64 pa = phys + i * 4096;
        int st = kide_delegate(acc_sel(a, ACC_PD), KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, perm),
                               (va >> 12) + i);
        if (st == KIDE_OK)
            st = record(a, &cur, (va >> 12) + i, pa | perm | E_SHARED);
        if (st != KIDE_OK)
            return st; /* mapped pages stay recorded and go with the account */
    }
    return KIDE_OK;
}

int mem_map_rom(struct account *a, u64 va, u64 phys, u64 bytes, unsigned perm)
{
    perm = (perm & (KIDE_MEM_R | KIDE_MEM_X)) | KIDE_MEM_R; /* never writable */
    u64 pages = BASE_ALIGN_UP(bytes, 4096) / 4096;
    if ((va | phys) & 4095 || !pages || va + pages * 4096 < va)
        return KIDE_BAD_PARAM;
    return map_shared(a, va, phys, pages, perm);
}

int mem_map_dev(struct account *a, u64 va, u64 phys, u64 bytes)
{
    u64 pages = bytes / 4096;
    if ((va | phys | bytes) & 4095 || !pages || va + bytes < va)
        return KIDE_BAD_PARAM;
    /* The kernel maps it uncacheable: the root's device ranges carry the
     * attribute and every delegation inherits it. */
    return map_shared(a, va, phys, pages, KIDE_MEM_R | KIDE_MEM_W);
}

/* RAM_PROTECT. Giving access is a delegation: a refresh of the page's mapping
 * (the kernel sets the new rights on it and shrinks what the component passed
 * on; fewer rights are shot down before core's reply) or, after "no access",
 * a fresh one. No access is a revoke of the component's mapping, with the page
 * kept in the records (E_PERM 0), so its contents survive until access comes
 * back. Two passes: nothing changes unless every page is the account's RAM. */
int mem_protect(struct account *a, u64 va, u64 bytes, u64 perm)
{
    if (perm > KIDE_MEM_RWX || (perm && !(perm & KIDE_MEM_R)))
        return KIDE_BAD_PARAM;
    if (!bytes || (va | bytes) & 4095 || va + bytes < va)
        return KIDE_BAD_PARAM;
    u64 vpn = va >> 12, pages = bytes >> 12;
    struct page_leaf *cur = NULL;
    for (u64 i = 0; i < pages; i++) {
        u64 *e = slot_at(a, &cur, vpn + i);
        if (!e || !(*e & E_PRESENT) || !(*e & ~E_BITS) || (*e & E_SHARED))
            return KIDE_BAD_ADDR; /* absent, reserved, a boot module's or a device's */
    }
    for (u64 i = 0; i < pages; i++) {
        u64 *e = slot_at(a, &cur, vpn + i), pa = *e & ~4095ull;
        if ((*e & E_PERM) == perm)
            continue;
        if (!perm) {
            kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, 0));
        } else {
            int st = kide_delegate(acc_sel(a, ACC_PD), KIDE_CRD(KIDE_CRD_MEM, pa >> 12, 0, perm),
                                   vpn + i);
            if (st != KIDE_OK)
                return st; /* not expected: core's own node covers every RAM page */
        }
        *e = (*e & ~E_PERM) | perm;
    }
    return KIDE_OK;
}

u64 mem_ram_free_bytes(void)
{
    return pages_free_all_bytes();
}
