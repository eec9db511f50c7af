/* SPDX-License-Identifier: MIT */
/* Derivation-tree operations of the mapping database; see mdb.h.
 *
 * Revocation is iterative: it repeatedly removes a leaf of the subtree, so
 * kernel stack use does not grow with the depth of delegation chains, and
 * linear in the subtree's size (mdb_revoke).
 */
#include "mdb.h"
#include "kernel.h"

void mdb_link_child(struct mdb_link *parent, struct mdb_link *child)
{
    child->parent = parent;
    child->prev = NULL;
    child->next = parent->child;
    if (parent->child)
        parent->child->prev = child;
    parent->child = child;
}

void mdb_unlink(struct mdb_link *l)
{
    if (l->prev)
        l->prev->next = l->next;
    else if (l->parent)
        l->parent->child = l->next;
    if (l->next)
        l->next->prev = l->prev;
    l->parent = l->next = l->prev = NULL;
}

/* Post-order removal of l's subtree, linear in its size: descend to a leaf,
 * remove it, go on from its parent (which may now be a leaf itself). Each
 * edge is walked down once and up once; restarting from l after every
 * removal, as before, made a chain of depth d cost d^2/2 steps. */
void mdb_revoke(struct mdb_link *l, bool self)
{
    struct mdb_link *n = l;
    while (l->child) {
        while (n->child)
            n = n->child;
        struct mdb_link *up = n->parent;
        mdb_unlink(n);
        mdb_destroy(n);
        n = up;
    }
    if (self) {
        mdb_unlink(l);
        mdb_destroy(l);
    }
}
