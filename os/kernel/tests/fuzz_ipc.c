/* SPDX-License-Identifier: MIT */
/* kfuzz-attacker's structured rounds through IPC: call chains torn at a
 * random moment, callers queued on a revoked portal, message words
 * rewritten while queued, typed items at hostile hotspots.
 *
 * Each round builds handlers in sub-PDs (or, for typed items, in the
 * attacker) that run the code in fuzz_struct.c, and judges what the
 * callers got back; every wait is bounded (fuzz_struct.h).
 */
#include "fuzz_struct.h"

/* ---- 1. call chains ---- */

/** Build a chain of `depth` handlers, each in a sub-PD of its own, handler
 *  i calling handler i + 1 and the last waiting on the gate; callers[j]
 *  (global ECs in the attacker) are created but not started. */
static bool chain_build(unsigned depth, unsigned ncall, unsigned cpu)
{
    struct ctl *c = CTL;
    memset(c, 0, sizeof(*c));
    c->expect_msg = KIDE_MSG(2, 0);
    c->gate_ns = 2000 * BASE_MS; /* the main EC ups the gate long before */
    for (unsigned i = 1; i <= depth; i++) {
        c->node[i].depth = i;
        c->node[i].leaf = i == depth;
        if (fzs_sub_pd(i, 48) != KIDE_OK ||
            kide_create_ec(0, cpu, S_H(i), S_PD(i), SUB_UTCB, fzs_stack_top(i, SUB_UTCB), 0,
                           SUB_EVT) != KIDE_OK ||
            kide_create_pt(S_PT(i), S_PD(i), S_H(i), (u64)fzs_handler_entry, i) != KIDE_OK)
            return false;
    }
    for (unsigned i = 1; i < depth; i++)
        if (kide_delegate(S_PD(i), KIDE_CRD(KIDE_CRD_OBJ, S_PT(i + 1), 0, KIDE_PT_CALL),
                          SUB_NEXT) != KIDE_OK)
            return false;
    if (kide_create_sm(S_GATE, FZ_SEL_SPD, 0) != KIDE_OK ||
        kide_delegate(S_PD(depth), KIDE_CRD(KIDE_CRD_OBJ, S_GATE, 0, KIDE_SM_DOWN), SUB_GATE) !=
                KIDE_OK)
        return false;
    for (unsigned j = 0; j < ncall; j++) {
        struct caller *k = &c->caller[j];
        k->utcb = fzs_a_utcb();
        k->pt = S_PT(1);
        k->x = fzs_rnd() >> 16;
        if (kide_create_ec(KIDE_EC_GLOBAL, cpu, S_EC(j), FZ_SEL_SPD, k->utcb,
                           fzs_stack_top(10 + j, (u64)k), (u64)fzs_thread_entry,
                           S_EMPTY) != KIDE_OK)
            return false;
    }
    return true;
}

static int start_caller(unsigned j)
{
    return kide_create_sc(0, FZ_PRIO, S_SC(j), FZ_SEL_SPD, S_EC(j), 10 * BASE_MS, 10 * BASE_MS);
}

/** The oracle of every chain round: each caller not killed on purpose
 *  returns within 3000 naps of 1 ms (FZS_WAIT) with OK and the right sum, or OK with a handler's
 *  inner failure, or ABORTED/BAD_CAP; with `exact` only OK and the sum. */
static void chain_judge(unsigned kind, unsigned depth, unsigned ncall, u32 excluded, bool exact,
                        unsigned action)
{
    struct ctl *c = CTL;
    for (unsigned j = 0; j < ncall; j++) {
        struct caller *k = &c->caller[j];
        if (excluded & (1u << j))
            continue;
        if (!FZS_WAIT(k->done, 3000)) {
            fzs_fail(kind, FZ_F_HANG, j, fzs_ec_state(S_EC(j), NULL, NULL), action);
            return;
        }
        u64 sum = k->x + depth * (depth + 1) / 2;
        if (k->st == KIDE_OK && k->w1 == 0) {
            if (k->w0 != sum)
                fzs_fail(kind, FZ_F_VALUE, k->w0, sum, action);
        } else if (exact) {
            fzs_fail(kind, FZ_F_STATUS, k->st, k->w1, action);
        } else if (k->st == KIDE_OK) {
            unsigned inner = (unsigned)(k->w1 & 0xff), at = (unsigned)(k->w1 >> 8);
            if ((inner != KIDE_ABORTED && inner != KIDE_BAD_CAP) || at < 1 || at >= depth)
                fzs_fail(kind, FZ_F_STATUS, k->st, k->w1, action);
        } else if (k->st != KIDE_ABORTED && k->st != KIDE_BAD_CAP) {
            fzs_fail(kind, FZ_F_STATUS, k->st, k->w1, action);
        }
    }
    for (unsigned i = 1; i <= OTHER_ID; i++)
        if (c->node[i].bad_msg)
            fzs_fail(kind, FZ_F_MSG, i, c->node[i].last_bad, c->node[i].calls);
}

/** Attacks: call chains 1-4 PDs deep (a caller in the attacker, handler i
 * in sub-PD i calling handler i + 1, the leaf waiting on a gate), torn at a
 * random moment by revoking a PD, a handler EC, a portal (also only its
 * copy in the PD before it), a caller's SC or EC, or the gate; then fresh
 * ECs are created to take up the freed memory. Oracle: no panic (the
 * checking build), every caller not killed returns within 3000 naps of 1 ms (FZS_WAIT) with
 * ABORTED, BAD_CAP or OK (the right sum, or a handler's inner ABORTED/BAD_CAP). */
bool fzs_chain(void)
{
    unsigned depth = 1 + (unsigned)fzs_pick(4), ncall = 1 + (unsigned)fzs_pick(3);
    unsigned cpu = (unsigned)fzs_pick(fzs_cpus);
    if (!chain_build(depth, ncall, cpu))
        return false;
    for (unsigned j = 0; j < ncall; j++)
        if (start_caller(j) != KIDE_OK)
            return false;
    u64 delay = fzs_pick(4) ? fzs_pick(20000) : 0;
    if (delay)
        fzs_nap_us(delay);
    unsigned action = (unsigned)fzs_pick(7), k = 1 + (unsigned)fzs_pick(depth),
             j = (unsigned)fzs_pick(ncall);
    u32 excluded = 0;
    switch (action) {
    case 0:
        fzs_drop(S_PD(k));
        break;
    case 1:
        fzs_drop(S_H(k));
        break;
    case 2:
        fzs_drop(S_PT(k));
        break;
    case 3:
        kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, S_PT(k), 0, 0)); /* the copy in PD k - 1 */
        break;
    case 4:
        fzs_drop(S_SC(j)); /* the chain runs on it */
        excluded = 1u << j;
        break;
    case 5:
        fzs_drop(S_EC(j));
        excluded = 1u << j;
        break;
    default:
        fzs_drop(S_GATE);
    }
    for (unsigned i = 0; i < 4; i++)
        kide_create_ec(0, cpu, S_SPARE(i), FZ_SEL_SPD, fzs_a_utcb(), 0, 0, S_EMPTY);
    for (unsigned i = 0; i < ncall; i++)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, S_GATE, 0);
    chain_judge(FZ_K_CHAIN, depth, ncall, excluded, false, action);
    return true;
}

/** Start caller 0 and wait until the chain's leaf holds its call, then the
 *  others and wait until they are queued (blocked) behind it. */
static bool chain_queue(unsigned kind, unsigned depth, unsigned ncall)
{
    struct ctl *c = CTL;
    /* The queue must still be there when the round acts on it: the leaf
     * holds the first call until the main EC ups the gate (set before the
     * leaf is entered; the up comes at once after the waits below). */
    c->gate_ns = 10000 * BASE_MS;
    if (start_caller(0) != KIDE_OK)
        return false;
    if (!FZS_WAIT(c->node[depth].entered, 3000)) {
        fzs_fail(kind, FZ_F_NO_LEAF, depth, 0, fzs_ec_state(S_EC(0), NULL, NULL));
        return false;
    }
    for (unsigned j = 1; j < ncall; j++) {
        if (start_caller(j) != KIDE_OK)
            return false;
        if (!FZS_WAIT(fzs_ec_state(S_EC(j), NULL, NULL) == KIDE_EC_STATE_BLOCKED, 3000)) {
            fzs_fail(kind, FZ_F_NO_LEAF, depth, j, fzs_ec_state(S_EC(j), NULL, NULL));
            return false;
        }
    }
    return true;
}

/** Attacks: callers queued on a busy handler (the first caller's chain
 * holds it) whose portal is revoked, and a new portal of the same handler
 * created at once. Oracle: the first caller gets OK with the right sum,
 * every queued one ABORTED, and the new portal is never called. */
bool fzs_queue(void)
{
    unsigned depth = 1 + (unsigned)fzs_pick(3), ncall = 2 + (unsigned)fzs_pick(4);
    unsigned cpu = (unsigned)fzs_pick(fzs_cpus);
    if (!chain_build(depth, ncall, cpu) || !chain_queue(FZ_K_QUEUE, depth, ncall))
        return false;
    struct ctl *c = CTL;
    if (c->caller[0].done)
        return false; /* the leaf gave up waiting: nothing is queued any more */
    fzs_drop(S_PT(1));
    kide_create_pt(S_PT(7), S_PD(1), S_H(1), (u64)fzs_handler_entry, OTHER_ID);
    for (unsigned i = 0; i < ncall; i++)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, S_GATE, 0);
    chain_judge(FZ_K_QUEUE, depth, 1, 0, true, 0);
    for (unsigned j = 1; j < ncall; j++) {
        if (!FZS_WAIT(c->caller[j].done, 3000))
            fzs_fail(FZ_K_QUEUE, FZ_F_HANG, j, fzs_ec_state(S_EC(j), NULL, NULL), 0);
        else if (c->caller[j].st != KIDE_ABORTED)
            fzs_fail(FZ_K_QUEUE, FZ_F_STATUS, c->caller[j].st, c->caller[j].w1, 0);
    }
    if (c->other_calls)
        fzs_fail(FZ_K_QUEUE, FZ_F_RESPOOF, c->other_calls, 0, 0);
    return true;
}

/** Attacks: the message word of queued callers (and of the one being
 * served) is rewritten by a sibling EC of their PD (the main EC) while the
 * calls wait: huge counts, typed items, random words. Oracle: every
 * handler sees exactly the word checked at the call (2 untyped words) and
 * every caller gets OK with the right sum. */
bool fzs_rewrite(void)
{
    unsigned depth = 1 + (unsigned)fzs_pick(3), ncall = 2 + (unsigned)fzs_pick(4);
    unsigned cpu = (unsigned)fzs_pick(fzs_cpus);
    if (!chain_build(depth, ncall, cpu) || !chain_queue(FZ_K_REWRITE, depth, ncall))
        return false;
    static const u64 junk[] = {KIDE_MSG(1023, 255), KIDE_MSG(508, 0), KIDE_MSG(0, 200),
                               KIDE_MSG(3, 0), KIDE_MSG(500, 4)};
    for (unsigned j = 0; j < ncall; j++) {
        struct kide_utcb *u = (struct kide_utcb *)CTL->caller[j].utcb;
        u->msg = fzs_pick(4) ? junk[fzs_pick(BASE_ARRAY_SIZE(junk))] : fzs_rnd();
        u->rcv_crd = fzs_rnd();
    }
    for (unsigned i = 0; i < ncall; i++)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, S_GATE, 0);
    chain_judge(FZ_K_REWRITE, depth, ncall, 0, true, 0);
    return true;
}

/* ---- 3. typed items ---- */

static u64 hotspot(u64 size)
{
    switch (fzs_pick(9)) {
    case 0:
        return size - 1;
    case 1:
        return size;
    case 2:
        return ~0ull;
    case 3:
        return -size;
    case 4:
        return fzs_rnd();
    case 5:
        return fzs_pick(4 * size);
    case 6:
        return 1ull << 63;
    default:
        return fzs_pick(size);
    }
}

/** n random items of `kind` into words[] (objects: the four S_TS
 *  semaphores, ranges of them; memory: the arena's item pages). */
static void items(u64 *words, unsigned n, unsigned kind, u64 size)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned order = fzs_pick(4) ? 0 : (unsigned)fzs_pick(3);
        u64 base = kind == KIDE_CRD_OBJ
                           ? S_TS + (fzs_pick(4) & ~((1ull << order) - 1))
                           : (ARENA_PAGE(AP_ITEMS) >> 12) + (fzs_pick(8) & ~((1ull << order) - 1));
        words[2 * i] = KIDE_CRD(kind, base, order, fzs_pick(4) ? KIDE_PERM_ALL : fzs_pick(32));
        words[2 * i + 1] = hotspot(size);
    }
}

/** Everything in the 64-entry block at `block` lies inside `win`. */
static bool window_check(unsigned kind, u64 block, u64 win, unsigned n)
{
    u64 lo = KIDE_CRD_BASE(win), hi = lo + (1ull << KIDE_CRD_ORDER(win));
    for (u64 e = block; e < block + 64; e++) {
        u64 found = 0, info2 = 0;
        kide_lookup(KIDE_CRD(kind, e, 0, 0), &found, &info2);
        if (KIDE_CRD_KIND(found) == KIDE_CRD_NULL)
            continue;

        u64 b = KIDE_CRD_BASE(found), end = b + (1ull << KIDE_CRD_ORDER(found));
        if (KIDE_CRD_KIND(found) != kind || b < lo || end > hi ||
            (kind == KIDE_CRD_OBJ && info2 != KIDE_OBJ_SM)) {
            fzs_fail(FZ_K_TYPED, FZ_F_OUTSIDE, found, win, n);
            return false;
        }
    }
    return true;
}

/** Attacks: typed items (semaphores, ranges of them, arena pages) sent to a
 * handler and replied back, each at a random hotspot (in the window, at its
 * edges, -1, -size, 2^63, random) into windows of 1-8 entries placed in the
 * middle of a 64-entry block. Oracle: the call succeeds and every entry
 * found in either block lies inside its window (and is the sent kind). */
bool fzs_typed(struct kide_utcb *me)
{
    struct ctl *c = CTL;
    memset(c, 0, sizeof(*c));
    u64 hutcb = fzs_a_utcb();
    struct kide_utcb *hu = (struct kide_utcb *)hutcb;
    if (kide_create_ec(0, fzs_cpu, S_H(0), FZ_SEL_SPD, hutcb, fzs_stack_top(14, hutcb), 0,
                       S_EMPTY) != KIDE_OK ||
        kide_create_pt(S_PT(0), FZ_SEL_SPD, S_H(0), (u64)fzs_handler_entry, TYPED_ID) != KIDE_OK)
        return false;
    for (unsigned i = 0; i < 4; i++)
        if (kide_create_sm(S_TS + i, FZ_SEL_SPD, 1) != KIDE_OK)
            return false;
    for (unsigned round = 0; round < 3; round++) {
        unsigned kind = fzs_pick(2) ? KIDE_CRD_OBJ : KIDE_CRD_MEM, o = (unsigned)fzs_pick(4),
                 o2 = (unsigned)fzs_pick(4);
        u64 size = 1ull << o, size2 = 1ull << o2;
        u64 blk = kind == KIDE_CRD_OBJ ? S_TWIN : A_TWIN >> 12;
        u64 b1 = blk + 128 * round, b2 = b1 + 64;
        u64 w1 = KIDE_CRD(kind, b1 + size * (1 + fzs_pick(2)), o,
                          fzs_pick(4) ? KIDE_PERM_ALL : fzs_pick(32));
        u64 w2 = KIDE_CRD(kind, b2 + size2 * (1 + fzs_pick(2)), o2, KIDE_PERM_ALL);
        unsigned n = 1 + (unsigned)fzs_pick(6), nr = (unsigned)fzs_pick(4);
        hu->rcv_crd = w1;
        c->reply_items = nr;
        items(&c->reply_item[0][0], nr, kind, size2);
        items(me->words, n, kind, size);
        me->msg = KIDE_MSG(0, n);
        me->rcv_crd = w2;
        int st = kide_call(S_PT(0));
        me->rcv_crd = 0;
        if (st != KIDE_OK) {
            fzs_fail(FZ_K_TYPED, FZ_F_TYPED_ST, (u64)st, w1, n);
            return true;
        }
        if (!window_check(kind, b1, w1, n) || !window_check(kind, b2, w2, nr))
            return true;
    }
    return true;
}
