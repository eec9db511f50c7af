/* SPDX-License-Identifier: MIT */
/* kfuzz-attacker's structured rounds on capabilities and scheduling: deep
 * delegation chains, hundreds of runnable ECs in a PD that dies, an I/O
 * port held across shoot-downs and then revoked.
 *
 * Each round works within the attacker's quota and address ranges
 * (fuzz_struct.h); every wait is bounded.
 */
#include "fuzz_struct.h"

/* ---- 2. deep delegation chains ---- */

static u8 mexp[HOPS_MAX + 1], oexp[OHOPS_MAX + 1];

static u64 hop_page(unsigned k)
{
    return (k ? A_CHAIN + (u64)(k - 1) * 4096 : ARENA_PAGE(AP_CHAIN)) >> 12;
}

/** Every memory hop up to `upto` holds exactly its expected rights, every
 *  later one nothing. */
static bool mem_check(unsigned n, unsigned upto)
{
    for (unsigned k = 1; k <= n; k++) {
        u64 found = 0, phys = 0;
        kide_lookup(KIDE_CRD(KIDE_CRD_MEM, hop_page(k), 0, 0), &found, &phys);
        u64 want = k <= upto ? KIDE_CRD(KIDE_CRD_MEM, hop_page(k), 0, mexp[k]) : 0;
        if (found != want) {
            fzs_fail(FZ_K_DELEG, FZ_F_RIGHTS, k, found, want);
            return false;
        }
    }
    return true;
}

/** Refresh hop r from hop r - 1 with `mask` (the same delegation again):
 *  its rights become its parent's & mask and every descendant keeps at
 *  most its own parent's. */
static bool mem_refresh(unsigned r, unsigned mask, unsigned n)
{
    int st = kide_delegate(FZ_SEL_SPD, KIDE_CRD(KIDE_CRD_MEM, hop_page(r - 1), 0, mask),
                           hop_page(r));
    if (st != KIDE_OK) {
        fzs_fail(FZ_K_DELEG, FZ_F_DELEG, r, (u64)st, 1);
        return false;
    }
    mexp[r] = mexp[r - 1] & (u8)mask;
    for (unsigned k = r + 1; k <= n; k++)
        mexp[k] &= mexp[k - 1];
    return mem_check(n, n);
}

/** A global EC on cpu writes at va: 1 if the write went through, 0 if it
 *  took a page fault there, 2 + vector otherwise (or ~0 if it never ran). */
static u64 probe(u64 va, unsigned cpu)
{
    u64 r = ~0ull, fault = 0, addr = 0;
    if (kide_create_ec(KIDE_EC_GLOBAL, cpu, S_EC(15), FZ_SEL_SPD, fzs_a_utcb(), va,
                       (u64)fzs_probe_entry, S_EMPTY) != KIDE_OK ||
        kide_create_sc(0, FZ_PRIO, S_SC(15), FZ_SEL_SPD, S_EC(15), 10 * BASE_MS, 10 * BASE_MS) !=
                KIDE_OK)
        return r;
    if (FZS_WAIT(fzs_ec_state(S_EC(15), &fault, &addr) == KIDE_EC_STATE_STOPPED, 3000)) {
        fault &= 0xffffffff;
        r = fault == GP_VECTOR ? 1 : fault == KIDE_EXC_PF && addr == va ? 0 : 2 + fault;
    }
    fzs_drop(S_SC(15));
    fzs_drop(S_EC(15));
    return r;
}

static unsigned mem_mask(void)
{
    return fzs_pick(3) ? KIDE_MEM_RWX : (unsigned)fzs_pick(8) | KIDE_MEM_R;
}

/** The memory chain: build, check, probe, shrink, probe, revoke, check. */
static bool deleg_mem(void)
{
    unsigned n = 64 + (unsigned)fzs_pick(HOPS_MAX - 63);
    u64 found = 0, phys = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_MEM, hop_page(0), 0, 0), &found, &phys) != KIDE_OK ||
        KIDE_CRD_KIND(found) != KIDE_CRD_MEM)
        return false;
    mexp[0] = (u8)(KIDE_CRD_PERM(found) & KIDE_MEM_RWX);
    for (unsigned k = 1; k <= n; k++) {
        unsigned mask = mem_mask();
        int st = kide_delegate(FZ_SEL_SPD, KIDE_CRD(KIDE_CRD_MEM, hop_page(k - 1), 0, mask),
                               hop_page(k));
        if (st == KIDE_QUOTA && k > 1) {
            n = k - 1;
            break;
        }
        if (st != KIDE_OK) {
            fzs_fail(FZ_K_DELEG, FZ_F_DELEG, k, (u64)st, 0);
            return true;
        }
        mexp[k] = mexp[k - 1] & (u8)mask;
    }
    if (!mem_check(n, n))
        return true;

    /* a hop with W takes a write; after its ancestor r is re-delegated
     * without W it must refuse one, on the same CPU (the TLB may hold W) */
    unsigned cpu = (unsigned)fzs_pick(fzs_cpus), a = 1 + (unsigned)fzs_pick(n);
    while (a > 1 && !(mexp[a] & KIDE_MEM_W))
        a--;
    if (mexp[a] & KIDE_MEM_W) {
        u64 p = probe(hop_page(a) << 12, cpu);
        if (p != 1) {
            fzs_fail(FZ_K_DELEG, FZ_F_WRITE, a, p, 1);
            return true;
        }
    }
    unsigned r = 1 + (unsigned)fzs_pick(a);
    if (!mem_refresh(r, fzs_pick(2) ? KIDE_MEM_R : KIDE_MEM_R | KIDE_MEM_X, n))
        return true;
    u64 p = probe(hop_page(a) << 12, cpu);
    if (p != 0) {
        fzs_fail(FZ_K_DELEG, FZ_F_WRITE, a, p, 0);
        return true;
    }
    /* a random refresh (rights may come back to that hop, never below it) */
    r = 1 + (unsigned)fzs_pick(n);
    if (!mem_refresh(r, mem_mask(), n))
        return true;
    unsigned q = (unsigned)fzs_pick(n + 1);
    kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, hop_page(q), 0, 0));
    mem_check(n, q);
    return true;
}

/** The object chain: a semaphore through up to OHOPS_MAX selectors with
 *  random masks; rights checked by lookup and by an up. */
static bool deleg_obj(void)
{
    unsigned n = 64 + (unsigned)fzs_pick(OHOPS_MAX - 63);
    if (kide_create_sm(S_OCHAIN, FZ_SEL_SPD, 0) != KIDE_OK)
        return false;
    oexp[0] = KIDE_PERM_ALL;

    for (unsigned k = 1; k <= n; k++) {
        unsigned mask = fzs_pick(3) ? KIDE_PERM_ALL : (unsigned)fzs_pick(32);
        int st = kide_delegate(FZ_SEL_SPD, KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + k - 1, 0, mask),
                               S_OCHAIN + k);
        if (st == KIDE_QUOTA && k > 1) {
            n = k - 1;
            break;
        }
        if (st != KIDE_OK) {
            fzs_fail(FZ_K_DELEG, FZ_F_DELEG, k, (u64)st, 1);
            return true;
        }
        oexp[k] = oexp[k - 1] & (u8)mask;
    }
    unsigned q = (unsigned)fzs_pick(n + 1), u = (unsigned)fzs_pick(n + 1);
    int st = kide_ctrl_sm(KIDE_CTRL_SM_UP, S_OCHAIN + u, 0);
    if (st != ((oexp[u] & KIDE_SM_UP) ? KIDE_OK : KIDE_BAD_PERM))
        fzs_fail(FZ_K_DELEG, FZ_F_SM_PERM, u, (u64)st, oexp[u]);
    kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + q, 0, 0));
    for (unsigned k = 0; k <= n; k++) {
        u64 found = 0, type = 0;
        kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + k, 0, 0), &found, &type);
        u64 want = k <= q ? KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + k, 0, oexp[k]) : 0;
        if (found != want || (k <= q && type != KIDE_OBJ_SM)) {
            fzs_fail(FZ_K_DELEG, FZ_F_RIGHTS, 0x10000 + k, found, want);
            break;
        }
    }
    return true;
}

/** Attacks: delegation chains hundreds to thousands of hops deep within the
 * attacker (memory: a page through up to 2048 addresses; objects: a
 * semaphore through up to 2048 selectors), random masks at every hop,
 * re-delegation of a hop with fewer (or back more) rights, revocation at a
 * random hop. Oracle: rights only shrink down the tree: lookup shows every
 * hop with exactly its parent's rights & its mask (after a refresh: at most
 * its parent's), nothing after a revoked hop; a write probe EC succeeds at
 * a hop with W and faults there after an ancestor lost W; an up works only
 * with SM_UP. */
bool fzs_deleg(void)
{
    if (fzs_pick(2))
        return deleg_mem();
    return deleg_obj();
}

/* ---- 4. hundreds of ECs, I/O ports ---- */

/** Attacks: a sub-PD with 64-400 global ECs (as many as the attacker's
 * quota pays for) on random CPUs, each counting a pass and waiting on a
 * semaphore, one in eight starting at a kernel address (it stops at once);
 * some are woken, and the PD is destroyed while they are runnable.
 * Oracle: every EC ran (or stopped) within 2500 naps of 2 ms; after the PD's destruction
 * every one is dead. */
bool fzs_many(void)
{
    u64 limit = 0, used = 0;
    if (kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, FZ_SEL_SPD, 0, 0, &limit, &used) != KIDE_OK ||
        limit - used < 200)
        return false;
    u64 quota = BASE_MIN(limit - used - 100, 800);
    if (fzs_sub_pd(0, quota) != KIDE_OK || kide_create_sm(S_GATE, FZ_SEL_SPD, 0) != KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_OBJ, S_GATE, 0, KIDE_SM_DOWN), SUB_SM) != KIDE_OK)
        return false;
    static u8 wild[MANY_MAX];
    unsigned want = 64 + (unsigned)fzs_pick(MANY_MAX - 63), made = 0;
    struct slot *sl = SLOTS;
    for (; made < want; made++) {
        sl[made].count = 0;
        sl[made].sm = SUB_SM;
        wild[made] = fzs_pick(8) == 0;
        u64 ip = wild[made] ? 0xffffffff80100000ull : (u64)fzs_spin_entry;
        if (kide_create_ec(KIDE_EC_GLOBAL, fzs_pick(fzs_cpus), S_MEC(made), S_PD(0),
                           SUB_UTCB + made * 4096ull, (u64)&sl[made], ip, SUB_EVT) != KIDE_OK)
            break;
        if (kide_create_sc(0, FZ_PRIO, S_MSC(made), S_PD(0), S_MEC(made), 10 * BASE_MS,
                           10 * BASE_MS) != KIDE_OK) {
            fzs_drop(S_MEC(made));
            break;
        }
    }
    if (made < 32)
        return false;

    unsigned ran = 0, stopped = 0;
    u64 naps = 2500; /* of 2 ms: naps, not the clock, as in FZS_WAIT */
    for (unsigned i = 0; i < made;) {
        bool ok = wild[i] ? fzs_ec_state(S_MEC(i), NULL, NULL) == KIDE_EC_STATE_STOPPED
                          : sl[i].count > 0;
        if (ok) {
            ran += !wild[i];
            stopped += wild[i];
            i++;
        } else if (!naps--) {
            fzs_fail(FZ_K_MANY, FZ_F_MANY_STUCK, made, ran, stopped);
            return true;
        } else {
            fzs_nap_us(2000);
        }
    }
    for (u64 ups = fzs_pick(made); ups; ups--)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, S_GATE, 0);
    if (fzs_pick(2))
        fzs_nap_us(fzs_pick(3000));
    fzs_drop(S_PD(0));
    for (unsigned i = 0; i < made; i++) {
        u64 st = fzs_ec_state(S_MEC(i), NULL, NULL);
        if (st != KIDE_EC_STATE_DEAD) {
            fzs_fail(FZ_K_MANY, FZ_F_MANY_ALIVE, i, st, made);
            break;
        }
    }
    return true;
}

/* How a wait for the port reader of fzs_io ended. */
enum io_wait { IO_PASSED, IO_HALTED, IO_STARVED, IO_STUCK };

/** Wait until the port reader (S_EC(0), counting passes in s) has passed
 * `count` or stopped. The deadline is the reader's own progress, not the
 * wall clock: beside other attackers' SCs at its priority, and on a loaded
 * host under TCG, it may rightly wait for its turn for seconds. It is stuck
 * (a kernel bug) when it was seen blocked through 3000 naps of 1 ms on end
 * although it only ever sleeps 200 us (a lost timeout), or when its SC
 * consumed 2 s without one pass of 64 port reads. After 60000 naps of
 * neither, the round is not judged (starved). */
static enum io_wait io_wait(const struct slot *s, u64 count, u64 *fault, u64 *how)
{
    u64 blocked = 0, t0 = 0, t = 0, x, addr;
    kide_ctrl_sc(KIDE_CTRL_SC_TIME, S_SC(0), 0, 0, 0, &t0, &x, &x);
    for (u64 naps = 0;; naps++) {
        if (s->count > count)
            return IO_PASSED;
        u64 st = fzs_ec_state(S_EC(0), fault, &addr);
        if (st == KIDE_EC_STATE_STOPPED)
            return s->count > count ? IO_PASSED : IO_HALTED;
        blocked = st == KIDE_EC_STATE_BLOCKED ? blocked + 1 : 0;
        if (blocked > 3000) {
            *how = 1;
            return IO_STUCK;
        }
        kide_ctrl_sc(KIDE_CTRL_SC_TIME, S_SC(0), 0, 0, 0, &t, &x, &x);
        if (t - t0 > 2000 * BASE_MS) {
            *how = 2;
            return IO_STUCK;
        }
        if (naps > 60000)
            return IO_STARVED;
        fzs_nap_us(1000);
    }
}

/** Attacks: an EC in a sub-PD reads an I/O port delegated to it (64 reads,
 * a 200 us sleep, again) on another CPU while the attacker revokes and
 * re-delegates a page of that PD 16-200 times (each a TLB shoot-down);
 * then the port is revoked. Oracle: the EC keeps making progress through
 * the shoot-downs (io_wait); after the revoke returns it faults with #GP,
 * having finished at most the pass it was in. A reader starved by other
 * attackers leaves the round unjudged. */
bool fzs_io(void)
{
    u64 found = 0, x = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_IO, FZ_IO_PORT, 0, 0), &found, &x) != KIDE_OK ||
        KIDE_CRD_KIND(found) != KIDE_CRD_IO)
        return false;
    struct slot *s = SLOTS;
    s->count = 0;
    s->sm = SUB_SM;
    unsigned cpu = fzs_cpus > 1 ? (fzs_cpu + 1 + (unsigned)fzs_pick(fzs_cpus - 1)) % fzs_cpus : 0;
    u64 shoot = ARENA_PAGE(AP_SHOOT) >> 12, fault = 0, how = 0;
    if (fzs_sub_pd(0, 48) != KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_IO, FZ_IO_PORT, 0, KIDE_IO_ACCESS), FZ_IO_PORT) !=
                KIDE_OK ||
        kide_create_sm(S_GATE, FZ_SEL_SPD, 0) != KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_OBJ, S_GATE, 0, KIDE_SM_DOWN), SUB_SM) !=
                KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_MEM, shoot, 0, KIDE_MEM_R), SUB_SHOOT >> 12) !=
                KIDE_OK ||
        kide_create_ec(KIDE_EC_GLOBAL, cpu, S_EC(0), S_PD(0), SUB_UTCB, (u64)s, (u64)fzs_io_entry,
                       SUB_EVT) != KIDE_OK ||
        kide_create_sc(0, FZ_PRIO, S_SC(0), FZ_SEL_SPD, S_EC(0), 10 * BASE_MS, 10 * BASE_MS) !=
                KIDE_OK)
        return false;
    unsigned rounds = 0;
    for (unsigned phase = 0; phase < 2; phase++) {
        enum io_wait w = io_wait(s, phase ? s->count : 1, &fault, &how);
        if (w == IO_STARVED)
            return false;
        if (w == IO_STUCK) {
            fzs_fail(FZ_K_IO, FZ_F_IO_STUCK, how, fzs_ec_state(S_EC(0), NULL, NULL), s->count);
            return true;
        }
        if (w == IO_HALTED) {
            fzs_fail(FZ_K_IO, FZ_F_IO_REFUSED, fault & 0xffffffff, rounds, s->count);
            return true;
        }
        if (phase)
            break;
        rounds = 16 + (unsigned)fzs_pick(185);
        for (unsigned r = 0; r < rounds; r++) {
            kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, shoot, 0, 0));
            kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_MEM, shoot, 0, KIDE_MEM_R), SUB_SHOOT >> 12);
            if (fzs_pick(8) == 0)
                fzs_nap_us(fzs_pick(400));
        }
    }
    kide_revoke(0, KIDE_CRD(KIDE_CRD_IO, FZ_IO_PORT, 0, 0));
    u64 c1 = s->count;
    enum io_wait w = io_wait(s, c1 + 1, &fault, &how);
    if (w == IO_STARVED)
        return false;
    if (w == IO_STUCK)
        fzs_fail(FZ_K_IO, FZ_F_IO_STUCK, how, fzs_ec_state(S_EC(0), NULL, NULL), s->count);
    else if (w == IO_PASSED || (fault & 0xffffffff) != GP_VECTOR)
        fzs_fail(FZ_K_IO, FZ_F_IO_KEPT, s->count - c1, fzs_ec_state(S_EC(0), NULL, NULL),
                 fault & 0xffffffff);
    return true;
}
