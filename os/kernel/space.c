/* SPDX-License-Identifier: MIT */
/* Memory and I/O spaces: range nodes, their treaps, delegation, revocation.
 *
 * A PD's memory space is the set of page ranges it holds; each node is also
 * mapped in its page table. Its I/O space is the set of port ranges it holds,
 * mirrored in its I/O bitmap. Nodes are charged to the PD that holds them.
 * A device node (RNODE_DEVICE) is mapped uncacheable, and so is everything
 * delegated from it; a held node (RNODE_HELD, the root's device ranges) is in
 * the space but not in the page table.
 * Invariant: nodes of one space never overlap, so "the node containing a" is
 * the node with the greatest base <= a, if that one reaches a.
 */
#include "kernel.h"
#include "mdb.h"
#include "pd.h"
#include "mem.h"
#include "dma.h"
#include "arch/x86_64/paging.h"
#include <kide/syscall.h>
#include <kide/status.h>

static u32 treap_seed = 2463534242u;

static u32 rand32(void)
{
    treap_seed ^= treap_seed << 13;
    treap_seed ^= treap_seed >> 17;
    treap_seed ^= treap_seed << 5;
    return treap_seed;
}

static struct rnode *rotate_right(struct rnode *n)
{
    struct rnode *l = n->left;
    n->left = l->right;
    l->right = n;
    return l;
}

static struct rnode *rotate_left(struct rnode *n)
{
    struct rnode *r = n->right;
    n->right = r->left;
    r->left = n;
    return r;
}

static struct rnode *insert(struct rnode *root, struct rnode *n)
{
    if (!root)
        return n;
    if (n->base < root->base) {
        root->left = insert(root->left, n);
        if (root->left->prio > root->prio)
            root = rotate_right(root);
    } else {
        root->right = insert(root->right, n);
        if (root->right->prio > root->prio)
            root = rotate_left(root);
    }
    return root;
}

static struct rnode *erase(struct rnode *root, struct rnode *n)
{
    if (!root)
        return NULL;
    if (root == n) {
        if (!n->left)
            return n->right;
        if (!n->right)
            return n->left;
        if (n->left->prio > n->right->prio) {
            root = rotate_right(n);
            root->right = erase(root->right, n);
        } else {
            root = rotate_left(n);
            root->left = erase(root->left, n);
        }
        return root;
    }
    if (n->base < root->base)
        root->left = erase(root->left, n);
    else
        root->right = erase(root->right, n);
    return root;
}

static struct rnode *floor_node(struct rnode *t, u64 a)
{
    struct rnode *best = NULL;
    while (t) {
        if (t->base <= a) {
            best = t;
            t = t->right;
        } else {
            t = t->left;
        }
    }
    return best;
}

struct rnode *space_find(struct pd *pd, u8 space, u64 a)
{
    struct rnode *n = floor_node(pd->space[space], a);
    return (n && a - n->base < (1ul << n->order)) ? n : NULL;
}

struct rnode *space_overlap(struct pd *pd, u8 space, u64 a, u64 n)
{
    struct rnode *f = floor_node(pd->space[space], a + n - 1);
    return (f && f->base + (1ul << f->order) > a) ? f : NULL;
}

void space_insert(struct rnode *n)
{
    n->prio = rand32();
    n->left = n->right = NULL;
    n->pd->space[n->space] = insert(n->pd->space[n->space], n);
}

static void io_set(struct pd *pd, u64 base, u8 order, bool allow)
{
    for (u64 p = base; p < base + (1ul << order); p++) {
        u8 *byte = (p < 32768 ? pd->iobm : pd->iobm_hi) + (p % 32768) / 8;
        if (allow)
            *byte &= (u8) ~(1u << (p % 8));
        else
            *byte |= (u8)(1u << (p % 8));
    }
}

/* The perms pt_map takes for node n: its rights, and KIDE_MEM_DEV for device
 * memory (mapped uncacheable). */
static unsigned map_perms(const struct rnode *n)
{
    return n->perms | ((n->flags & RNODE_DEVICE) ? KIDE_MEM_DEV : 0);
}

static void unmap_node(struct rnode *n)
{
    if (n->flags & RNODE_HELD)
        return;
    if (n->space == SPACE_MEM) {
        for (u64 i = 0; i < (1ul << n->order); i++)
            pt_unmap(n->pd, (n->base + i) << PAGE_SHIFT);
        dma_node_remove(n, n->perms); /* its devices lose the frames too */
    } else {
        io_set(n->pd, n->base, n->order, false);
    }
    pd_mark_dirty(n->pd);
}

int space_add(struct pd *pd, u8 space, u64 base, u8 order, u64 phys, u8 perms, u8 flags,
              struct rnode *parent, struct rnode **out)
{
    if (space == SPACE_IO && !pd->iobm) {
        /* 65536 ports need 8 KiB: two pages, ports below 32768 in the first. */
        u8 *bm = kpage_alloc(pd), *bm2 = bm ? kpage_alloc(pd) : NULL;
        if (!bm2) {
            if (bm)
                kpage_free(pd, bm);
            return KIDE_QUOTA;
        }
        memset(bm, 0xff, PAGE_SIZE);
        memset(bm2, 0xff, PAGE_SIZE);
        pd->iobm = bm;
        pd->iobm_hi = bm2;
    }
    struct rnode *n = kmalloc(pd, sizeof(*n));
    if (!n)
        return KIDE_QUOTA;
    n->link.kind = MDB_RANGE;
    n->space = space;
    n->base = base;
    n->order = order;
    n->phys = phys;
    n->perms = perms;
    n->flags = flags;
    n->pd = pd;
    if (space == SPACE_MEM && !(flags & RNODE_HELD)) {
        /* Page i == 2^order stands for the DMA domain (dma.h): on failure
         * everything mapped so far is undone. */
        for (u64 i = 0; i <= (1ul << order); i++) {
            int rc = i < (1ul << order) ? pt_map(pd, (base + i) << PAGE_SHIFT,
                                                 (phys + i) << PAGE_SHIFT, map_perms(n))
                                        : dma_node_add(n);
            if (rc != KIDE_OK) {
                for (u64 j = 0; j < i && j < (1ul << order); j++)
                    pt_unmap(pd, (base + j) << PAGE_SHIFT);
                pd_mark_dirty(pd);
                kfree(pd, n);
                return rc;
            }
        }
    } else if (space == SPACE_IO) {
        io_set(pd, base, order, true);
    }
    space_insert(n);
    if (parent)
        mdb_link_child(&parent->link, &n->link);
    if (out)
        *out = n;
    return KIDE_OK;
}

void space_remove(struct rnode *n)
{
    unmap_node(n);
    n->pd->space[n->space] = erase(n->pd->space[n->space], n);
    kfree(n->pd, n);
}

void mdb_destroy_range(struct mdb_link *l)
{
    space_remove(container_of(l, struct rnode, link));
}

/* Give node n the rights `perms` and make its mappings say so. Memory is
 * remapped in place (the tables exist: the node is mapped); an I/O range
 * keeps access while it has any right. */
static void set_rights(struct rnode *n, u8 perms)
{
    u8 old = n->perms;
    n->perms = perms;
    if (n->flags & RNODE_HELD)
        return;
    if (n->space == SPACE_MEM) {
        for (u64 i = 0; i < (1ul << n->order); i++)
            pt_map(n->pd, (n->base + i) << PAGE_SHIFT, (n->phys + i) << PAGE_SHIFT, map_perms(n));
        dma_node_rights(n, old);
    } else if (!perms)
        io_set(n->pd, n->base, n->order, false);
    pd_mark_dirty(n->pd);
}

/* Rights only shrink down a derivation tree: after top's rights changed,
 * every descendant keeps at most its parent's. Iterative (a depth-first walk
 * over the mdb links), so a deep chain costs no kernel stack; linear in the
 * subtree, whose size its owners paid for in kernel memory. */
static void shrink_subtree(struct rnode *top)
{
    struct mdb_link *l = top->link.child;
    while (l) {
        struct rnode *c = container_of(l, struct rnode, link);
        struct rnode *p = container_of(l->parent, struct rnode, link);
        if (c->perms & ~p->perms)
            set_rights(c, c->perms & p->perms);
        if (l->child) {
            l = l->child;
            continue;
        }
        while (l != &top->link && !l->next)
            l = l->parent;
        l = l == &top->link ? NULL : l->next;
    }
}

int space_delegate(struct pd *src, struct pd *dst, u8 space, u64 base, u8 order, u64 dst_base,
                   u8 mask)
{
    u64 count = 1ul << order;
    struct rnode *s = space_find(src, space, base);
    if (!s)
        return KIDE_BAD_CAP;
    if (base + count > s->base + (1ul << s->order) || (s->flags & RNODE_SPECIAL))
        return KIDE_BAD_PARAM;
    u8 perms = s->perms & mask;
    if (space == SPACE_MEM && !(perms & KIDE_MEM_R))
        return KIDE_BAD_PARAM;
    if (space == SPACE_IO) {
        if (dst_base != base)
            return KIDE_BAD_PARAM;
        if (!perms)
            return KIDE_BAD_PARAM;
    } else if (!range_within(dst_base, count, KIDE_USER_END >> PAGE_SHIFT)) {
        return KIDE_BAD_ADDR;
    }
    u64 phys = s->phys + (base - s->base);
    struct rnode *o = space_overlap(dst, space, dst_base, count);
    if (o) {
        if (o->flags & RNODE_SPECIAL)
            return KIDE_BAD_ADDR;
        /* The same delegation again refreshes the rights instead of failing. */
        if (o->base == dst_base && o->order == order && o->phys == phys &&
            o->link.parent == &s->link) {
            set_rights(o, perms);
            shrink_subtree(o);
            return KIDE_OK;
        }
        return KIDE_BUSY;
    }
    /* Invariant: only the device attribute passes on, so a delegated device
     * page is always uncacheable and RAM never is. */
    return space_add(dst, space, dst_base, order, phys, perms, s->flags & RNODE_DEVICE, s, NULL);
}

/* The first node with base > a, or NULL. */
static struct rnode *successor(struct rnode *t, u64 a)
{
    struct rnode *succ = NULL;
    while (t) {
        if (t->base > a) {
            succ = t;
            t = t->left;
        } else {
            t = t->right;
        }
    }
    return succ;
}

/* Revoke the children of n that were delegated from [a, b) of n's range.
 * Children are compared in n's coordinates: a child's source offset is the
 * distance of its physical base (memory) or port base (I/O) from n's. */
static void revoke_children_in(struct rnode *n, u64 a, u64 b)
{
    struct mdb_link *l = n->link.child;
    while (l) {
        struct mdb_link *next = l->next;
        struct rnode *c = container_of(l, struct rnode, link);
        u64 lo = n->base + (c->phys - n->phys), hi = lo + (1ul << c->order);
        if (lo < b && hi > a)
            mdb_revoke(l, true);
        l = next;
    }
}

void space_revoke(struct pd *pd, u8 space, u64 base, u8 order, bool self)
{
    u64 end = base + (1ul << order);
    u64 a = base;
    while (a < end) {
        struct rnode *n = floor_node(pd->space[space], a);
        if (!n || n->base + (1ul << n->order) <= a) {
            n = successor(pd->space[space], a);
            if (!n || n->base >= end)
                return;
        }
        u64 next = n->base + (1ul << n->order);
        /* The tree is searched afresh each round: revoking may remove other
         * nodes of this same space (delegations a PD made to itself). */
        if (!(n->flags & RNODE_SPECIAL)) {
            if (n->base >= base && next <= end) {
                if (n->link.child || self)
                    mdb_revoke(&n->link, self);
            } else {
                revoke_children_in(n, base, end);
            }
        }
        a = next;
    }
}

void space_clear(struct pd *pd, u8 space)
{
    space_revoke(pd, space, 0, space == SPACE_MEM ? 35 : 16, true);
}
