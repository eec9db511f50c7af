/* SPDX-License-Identifier: MIT */
/* core's log rings: the newest LOG lines of every account, for its owner.
 *
 * An account's ring is KIDE_LOG_RING_BYTES of pages from core's pool, charged
 * to the account's RAM (taken at its first line if that much of its quota is
 * free; else it has none). Records are a struct kide_log_line and the text,
 * padded to 8 bytes, back to back in a byte ring of absolute positions
 * (head: the oldest record, tail: the end; tail - head <= the ring's size).
 * A line that does not fit overwrites the oldest records of the same ring
 * only: a flood costs the component its own history, nothing else (the
 * console's rate limit, log.c, is separate and unchanged).
 *
 * When the account is destroyed its ring stays with its owner, charged to
 * the owner (it was part of the child's quota, which the owner gets back):
 * the last words of a crash survive until a new sub-account of the same name
 * takes the ring over (a restart, sequence numbers continue), the owner
 * forgets it (KIDE_LOGS_FORGET: hoitaja on removal) or the owner itself ends.
 * Invariants: every ring is used by one live account (acc) or kept by one
 * live owner (owner, name), never both; its bytes are charged to exactly
 * that account; all access under core's lock. A kept ring also takes one
 * unit of its owner's share of core's table (blocks_used, "Shares of core's
 * table" in docs/core.md) in place of the account it outlived, so live
 * accounts and kept rings together never exceed ACC_MAX: the table of rings
 * cannot run out, and a subtree that keeps many rings spends only its own share. A read costs at
 * most one walk over the ring's headers and one chunk of copying.
 */
#include "logring.h"

#define RING_BYTES KIDE_LOG_RING_BYTES
#define RING_PAGES (RING_BYTES / 4096)
#define RINGS_MAX  ACC_MAX /**< see "Invariants": never exhausted */
#define HDR        sizeof(struct kide_log_line)

_Static_assert(RING_BYTES % 4096 == 0 && RING_BYTES >= 2 * (HDR + KIDE_LOG_LINE_MAX),
               "whole pages, and room for two of the longest lines");

struct log_ring {
    bool used;
    struct account *acc;               /**< the live account it records, or NULL: kept */
    struct account *owner;             /**< kept: whose RAM it is charged to */
    char name[KIDE_CORE_NAME_MAX + 1]; /**< kept: the ended sub-account's name */
    u64 page[RING_PAGES];              /**< identity-mapped pages */
    u64 head, tail;                    /**< absolute byte positions, multiples of 8 */
    u64 first_seq, next_seq;           /**< the oldest record's number, the next one's */
};
static struct log_ring rings[RINGS_MAX];

static u64 rec_size(u64 len)
{
    return HDR + (len + 7) / 8 * 8;
}

/* Copies across page ends: the ring's pages are not contiguous. */
static void put_bytes(struct log_ring *r, u64 pos, const void *src, u64 n)
{
    const char *s = src;
    for (u64 i = 0; i < n; i++, pos++)
        ((char *)r->page[(pos % RING_BYTES) / 4096])[pos % 4096] = s[i];
}

static void get_bytes(const struct log_ring *r, u64 pos, void *dst, u64 n)
{
    char *d = dst;
    for (u64 i = 0; i < n; i++, pos++)
        d[i] = ((const char *)r->page[(pos % RING_BYTES) / 4096])[pos % 4096];
}

static void ring_free(struct log_ring *r)
{
    for (unsigned i = 0; i < RING_PAGES; i++)
        if (r->page[i])
            pages_free(r->page[i]);
    memset(r, 0, sizeof(*r));
}

static struct log_ring *ring_new(struct account *a)
{
    struct log_ring *r = NULL;
    for (unsigned i = 0; i < RINGS_MAX && !r; i++)
        if (!rings[i].used)
            r = &rings[i];
    if (!r || a->ram_quota - a->ram_used < RING_BYTES)
        return NULL;
    memset(r, 0, sizeof(*r));
    for (unsigned i = 0; i < RING_PAGES; i++)
        if (!(r->page[i] = pages_alloc(a->ram_node, a->ram_strict, a->cpu))) {
            ring_free(r);
            return NULL;
        }
    r->used = true;
    r->acc = a;
    r->first_seq = r->next_seq = 1;
    a->ram_used += RING_BYTES;
    return r;
}

void ring_record(struct account *a, const char *text, u64 len)
{
    if (!a->ring && !a->ring_refused && !(a->ring = ring_new(a)))
        a->ring_refused = true;
    struct log_ring *r = a->ring;
    if (!r)
        return;
    if (len > KIDE_LOG_LINE_MAX)
        len = KIDE_LOG_LINE_MAX;
    u64 size = rec_size(len);
    while (r->tail + size - r->head > RING_BYTES) { /* overwrite the oldest */
        struct kide_log_line h;
        get_bytes(r, r->head, &h, HDR);
        r->head += rec_size(h.len);
        r->first_seq++;
    }
    struct kide_log_line h = {r->next_seq++, base_now(), len};
    static const char zero[8];
    put_bytes(r, r->tail, &h, HDR);
    put_bytes(r, r->tail + HDR, text, len);
    put_bytes(r, r->tail + HDR + len, zero, size - HDR - len);
    r->tail += size;
}

static struct log_ring *kept(const struct account *owner, const char *name)
{
    for (unsigned i = 0; i < RINGS_MAX; i++)
        if (rings[i].used && !rings[i].acc && rings[i].owner == owner &&
            !strcmp(rings[i].name, name))
            return &rings[i];
    return NULL;
}

static struct account *live_child(struct account *owner, const char *name)
{
    for (struct account *c = owner->first_child; c; c = c->next_sibling)
        if (!strcmp(c->name, name))
            return c;
    return NULL;
}

int ring_read(struct account *owner, const char *name, u64 after, struct kide_core_logs_rep *rep)
{
    struct account *c = live_child(owner, name);
    const struct log_ring *r = c ? c->ring : kept(owner, name);
    memset(rep, 0, __builtin_offsetof(struct kide_core_logs_rep, lines.bytes));
    if (!r) {
        rep->next = 1;
        return c ? KIDE_OK : KIDE_NOT_FOUND; /* live, but no line kept (yet) */
    }
    rep->next = r->next_seq;
    u64 from = after >= r->next_seq ? r->next_seq : after + 1;
    if (from < r->first_seq) {
        rep->lost = r->first_seq - from;
        from = r->first_seq;
    }
    u64 pos = r->head, out = 0;
    struct kide_log_line h;
    for (u64 seq = r->first_seq; seq < from; seq++) {
        get_bytes(r, pos, &h, HDR);
        pos += rec_size(h.len);
    }
    while (pos < r->tail) {
        get_bytes(r, pos, &h, HDR);
        u64 size = rec_size(h.len);
        if (out + size > KIDE_LOGS_CHUNK_MAX)
            break;
        get_bytes(r, pos, rep->lines.bytes + out, size);
        out += size;
        pos += size;
        rep->count++;
    }
    rep->lines.len = out;
    return KIDE_OK;
}

int ring_forget(struct account *owner, const char *name)
{
    if (live_child(owner, name))
        return KIDE_BUSY;
    struct log_ring *r = kept(owner, name);
    if (!r)
        return KIDE_NOT_FOUND;
    owner->ram_used -= RING_BYTES;
    owner->blocks_used--;
    ring_free(r);
    return KIDE_OK;
}

bool ring_kept(const struct account *owner, const char *name)
{
    return kept(owner, name) != NULL;
}

void ring_adopt(struct account *s)
{
    struct log_ring *r = s->parent ? kept(s->parent, s->name) : NULL;
    if (!r)
        return;
    s->parent->ram_used -= RING_BYTES;
    if (s->ram_quota < RING_BYTES) {
        ring_free(r);
        return;
    }
    r->acc = s;
    r->owner = NULL;
    r->name[0] = 0;
    s->ring = r;
    s->ram_used += RING_BYTES;
}

void ring_account_gone(struct account *a)
{
    for (unsigned i = 0; i < RINGS_MAX; i++)
        if (rings[i].used && !rings[i].acc && rings[i].owner == a)
            ring_free(&rings[i]);
    struct log_ring *r = a->ring;
    a->ring = NULL;
    if (!r)
        return;
    struct log_ring *old = a->parent ? kept(a->parent, a->name) : NULL;
    if (old) { /* two sub-accounts of one name: the newer history stays */
        a->parent->ram_used -= RING_BYTES;
        a->parent->blocks_used--;
        ring_free(old);
    }
    if (!a->parent) {
        ring_free(r);
        return;
    }
    r->acc = NULL;
    r->owner = a->parent;
    memcpy(r->name, a->name, sizeof(r->name));
    a->parent->ram_used += RING_BYTES;
    a->parent->blocks_used++; /* a freed 1 + its share just now */
}
