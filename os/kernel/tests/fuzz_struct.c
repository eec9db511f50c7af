/* SPDX-License-Identifier: MIT */
/* kfuzz-attacker's structured rounds: misuse with a shape and an oracle.
 *
 * Random calls rarely build anything that lives long enough to be torn
 * down at an awkward moment. Every few hundred random calls the attacker's
 * main EC runs one round of a random kind (enum fz_kind), each a small
 * function below that builds a structure from the attacker's own quota,
 * runs real code in the ECs it creates, breaks the structure at a random
 * moment and checks an oracle. The checking build of the kernel (poisoned
 * free memory, bounded lock holds) turns a use after free into a panic;
 * the oracles catch what stays silent: wrong results, rights that grew,
 * items outside their window, ports usable after revocation, hangs.
 *
 * Invariants the rounds rely on:
 *  - everything a round creates sits at selectors [S_BASE, 2 * S_BASE) and
 *    at addresses FZ_ARENA.. and A_*, which the random calls do not aim at;
 *    the attacker's second EC is paused while a round runs
 *    (fuzz_attacker.c), so an oracle sees only what the round did;
 *  - code in created ECs runs from the attacker's image, which sub-PDs get
 *    at the same addresses, with stacks and shared state in the arena
 *    (also at the same address everywhere): pointers mean the same in
 *    every PD of a round. That code uses no globals and no krt library
 *    functions (only inline system calls);
 *  - every wait is bounded (semaphore deadlines, the leaf handler's gate
 *    deadline); a wait that times out where the kernel promises progress
 *    is an oracle failure, reported in info->scratch (fuzz.h), never a
 *    hang of the attacker;
 *  - a round removes everything it made (one revoke of its selector range
 *    and of its address ranges), so its cost is bounded by one round.
 * Costs: a round takes well under a second of TCG time; kernel memory
 * comes from the attacker's quota (FZ_QUOTA), so it is bounded too.
 */
#include <krt/spawn.h>
#include "fuzz.h"

extern char __image_start[], __image_end[];

/* ---- selectors of the attacker's space ---- */
#define S_BASE     16384u              /* [S_BASE, 2 * S_BASE): revoked whole after a round */
#define S_SLEEP    (S_BASE + 0)        /* the main EC's private sleep semaphore */
#define S_NOTIFY   (S_BASE + 1)        /* notify semaphore of sub-PDs (keeps their faults quiet) */
#define S_GATE     (S_BASE + 2)        /* semaphore the leaf handler / spinning ECs wait on */
#define S_PD(i)    (S_BASE + 8 + (i))  /* sub-PDs, i < 8 */
#define S_H(i)     (S_BASE + 16 + (i)) /* handler ECs */
#define S_PT(i)    (S_BASE + 24 + (i)) /* portals */
#define S_EC(i)    (S_BASE + 32 + (i)) /* global ECs in the attacker, i < 16 */
#define S_SC(i)    (S_BASE + 48 + (i))
#define S_SPARE(i) (S_BASE + 64 + (i))   /* fresh ECs that take up freed kernel memory */
#define S_TS       (S_BASE + 96)         /* four semaphores sent as typed items (aligned to 4) */
#define S_MEC(i)   (S_BASE + 1024 + (i)) /* many: ECs, i < MANY_MAX */
#define S_MSC(i)   (S_BASE + 2048 + (i)) /* many: their SCs */
#define S_OCHAIN   (S_BASE + 4096)       /* object delegation chain: hop k at S_OCHAIN + k */
#define S_TWIN     (S_BASE + 8192)       /* typed: blocks of 64 selectors around windows */
#define S_EMPTY    (S_BASE + 12288)      /* evt_base of ECs that stop at their first fault */

/* ---- selectors and addresses in sub-PDs ---- */
#define SUB_NEXT  10                    /* portal to the next handler of a chain */
#define SUB_GATE  11                    /* the leaf's gate (SM_DOWN) */
#define SUB_SM    12                    /* what spinning ECs wait on (SM_DOWN) */
#define SUB_EVT   100                   /* empty: faults stop the EC */
#define SUB_UTCB  0x0000600800000000ull /* UTCB of EC i at SUB_UTCB + i pages */
#define SUB_SHOOT 0x0000600900000000ull /* a page revoked and re-delegated over and over */

/* ---- addresses in the attacker ---- */
#define A_UTCB  0x0000600a00000000ull /* UTCBs of ECs made in the attacker (4096 slots, cycled) */
#define A_CHAIN 0x0000600c00000000ull /* memory chain: hop k >= 1 at A_CHAIN + (k - 1) pages */
#define A_TWIN  0x0000600e00000000ull /* typed: blocks of 64 pages around windows */

/* ---- the arena (FZ_ARENA, mapped everywhere at the same address) ---- */
#define AP_SLOTS      1  /* pages 1..3: slots of the stackless ECs */
#define AP_STACKS     4  /* pages 4..23: one stack page per EC running C code */
#define AP_ITEMS      24 /* pages 24..31: memory sent as typed items */
#define AP_CHAIN      32 /* the memory chain's source page */
#define AP_SHOOT      33 /* the page behind SUB_SHOOT */
#define ARENA_PAGE(p) (FZ_ARENA + (u64)(p)*4096)
#define MANY_MAX      600
#define HOPS_MAX      2048 /* memory hops (A_CHAIN's 2048 pages) */
#define OHOPS_MAX     4000 /* object hops (under S_TWIN) */
#define TYPED_ID      0x7e /* portal id of the typed round's receiver */
#define OTHER_ID      8    /* portal id no queued call may ever reach */
#define GP_VECTOR     13

/** A handler of a call chain (portal id = index, 1..depth). */
struct node {
    u64 depth; /**< its place in the chain, 1 = called first */
    u64 leaf;  /**< last: waits on its gate, then replies */
    volatile u64 calls, bad_msg, last_bad, entered;
};

/** A caller: a global EC in the attacker making one call. */
struct caller {
    u64 utcb, pt, x; /**< its UTCB, the portal, words[0] sent */
    volatile u64 st, w0, w1, done;
};

/** Page 0 of the arena: what the ECs of a round share. */
struct ctl {
    struct node node[OTHER_ID + 1];
    struct caller caller[8];
    u64 expect_msg; /**< the message word every chain handler must see */
    u64 gate_ns;    /**< the leaf's longest wait on its gate */
    volatile u64 typed_calls, typed_msg;
    u64 reply_items; /**< typed: items the receiver sends back */
    u64 reply_item[8][2];
    volatile u64 other_calls;
};
_Static_assert(sizeof(struct ctl) <= 4096, "ctl is one page");

/** A stackless EC's slot: RSP points at it (fzs_spin_entry, fzs_io_entry). */
struct slot {
    volatile u64 count; /**< bumped on every pass */
    u64 sm;             /**< what it waits on, in its PD */
};
_Static_assert(MANY_MAX * sizeof(struct slot) <= 3 * 4096, "slots fit pages 1..3");

#define CTL   ((struct ctl *)FZ_ARENA)
#define SLOTS ((struct slot *)ARENA_PAGE(AP_SLOTS))

/* ---- code run by the ECs the rounds create ---- */

void fzs_handler_main(u64 id, u64 msg, struct kide_utcb *u);
void fzs_thread_main(struct caller *c);
extern char fzs_handler_entry[], fzs_thread_entry[], fzs_spin_entry[], fzs_io_entry[],
        fzs_probe_entry[];

/* The entries, in assembly because three of them have no stack: RSP is
 * the only thing create_ec lets us pass, so it points at their slot (or at
 * the address a probe writes). The other two find their argument in the
 * word at RSP, like krt's own (crt0.S). */
__attribute__((used)) static void entries(void)
{
    __asm__ volatile(".pushsection .text\n"
                     /* portal handler: rdi = id, rsi = msg, (rsp) = UTCB; replies */
                     ".globl fzs_handler_entry\n"
                     "fzs_handler_entry:\n"
                     "  mov (%%rsp), %%rdx\n"
                     "  and $-16, %%rsp\n"
                     "  call fzs_handler_main\n"
                     "  mov %[reply], %%eax\n"
                     "  syscall\n"
                     "  ud2\n"
                     /* caller thread: (rsp) = its struct caller; stops with ud2 */
                     ".globl fzs_thread_entry\n"
                     "fzs_thread_entry:\n"
                     "  mov (%%rsp), %%rdi\n"
                     "  and $-16, %%rsp\n"
                     "  call fzs_thread_main\n"
                     "  ud2\n"
                     /* many: count a pass, wait on the slot's semaphore forever, again */
                     ".globl fzs_spin_entry\n"
                     "fzs_spin_entry:\n"
                     "1: lock incq (%%rsp)\n"
                     "  mov 8(%%rsp), %%rdi\n"
                     "  xor %%esi, %%esi\n"
                     "  mov %[down], %%eax\n"
                     "  syscall\n"
                     "  jmp 1b\n"
                     /* io: 64 reads of the port, count a pass, sleep 200 us, again */
                     ".globl fzs_io_entry\n"
                     "fzs_io_entry:\n"
                     "2: mov $64, %%ecx\n"
                     "3: inb %[port], %%al\n"
                     "  loop 3b\n"
                     "  lock incq (%%rsp)\n"
                     "  mov %[clock], %%eax\n"
                     "  syscall\n"
                     "  add $200000, %%rsi\n"
                     "  mov 8(%%rsp), %%rdi\n"
                     "  mov %[down], %%eax\n"
                     "  syscall\n"
                     "  jmp 2b\n"
                     /* probe: write at RSP; hlt (#GP) tells that the write went through */
                     ".globl fzs_probe_entry\n"
                     "fzs_probe_entry:\n"
                     "  movq $0x77, (%%rsp)\n"
                     "  hlt\n"
                     "  ud2\n"
                     ".popsection\n" ::[reply] "i"(KIDE_SYS_WORD(KIDE_SYS_REPLY, 0, 0)),
                     [down] "i"(KIDE_SYS_WORD(KIDE_SYS_CTRL_SM, KIDE_CTRL_SM_DOWN, 0)),
                     [clock] "i"(KIDE_SYS_WORD(KIDE_SYS_CLOCK, 0, 0)), [port] "i"(FZ_IO_PORT));
}

/* The receiver of the typed round: notes the message, sends reply items. */
static void typed_handler(struct ctl *c, u64 msg, struct kide_utcb *u)
{
    c->typed_calls++;
    c->typed_msg = msg;
    unsigned n = (unsigned)c->reply_items;
    for (unsigned i = 0; i < n; i++) {
        u->words[2 * i] = c->reply_item[i][0];
        u->words[2 * i + 1] = c->reply_item[i][1];
    }
    u->msg = KIDE_MSG(0, n);
}

/** A chain handler (in a sub-PD): checks the message word, calls the next
 *  handler (or waits on the gate if it is the leaf) and adds its depth to
 *  words[0]; words[1] carries the first failed inner call (status | depth
 *  << 8) back up. */
void fzs_handler_main(u64 id, u64 msg, struct kide_utcb *u)
{
    struct ctl *c = CTL;
    if (id == TYPED_ID) {
        typed_handler(c, msg, u);
        return;
    }
    if (id == 0 || id >= OTHER_ID) {
        c->other_calls++;
        u->msg = 0;
        return;
    }
    struct node *n = &c->node[id];
    n->calls++;
    if (msg != c->expect_msg) {
        n->bad_msg++;
        n->last_bad = msg;
    }
    u64 x = u->words[0];
    u->rcv_crd = 0;
    if (n->leaf) {
        n->entered++;
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, SUB_GATE, krt_now() + c->gate_ns);
        u->words[0] = x + n->depth;
        u->words[1] = 0;
    } else {
        u->words[0] = x;
        u->words[1] = 0;
        u->msg = KIDE_MSG(2, 0);
        int st = kide_call(SUB_NEXT);
        if (st != KIDE_OK) {
            u->words[0] = 0;
            u->words[1] = (u64)st | n->depth << 8;
        } else if (u->words[1] == 0) {
            u->words[0] += n->depth;
        }
    }
    u->msg = KIDE_MSG(2, 0);
}

/** A caller (global EC in the attacker): one call, the outcome in *c, stop. */
void fzs_thread_main(struct caller *c)
{
    struct kide_utcb *u = (struct kide_utcb *)c->utcb;
    u->rcv_crd = 0;
    u->words[0] = c->x;
    u->words[1] = 0;
    u->msg = KIDE_MSG(2, 0);
    int st = kide_call(c->pt);
    c->w0 = u->words[0];
    c->w1 = u->words[1];
    c->st = (u64)st;
    __atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
    __builtin_trap();
}

/* ---- the main EC's side ---- */

static volatile struct krt_child_info *info;
static u64 rs, utcb_next;
static unsigned n_cpus, my_cpu;

static u64 rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static u64 pick(u64 n)
{
    return n ? rnd() % n : 0;
}

void fzs_init(volatile struct krt_child_info *inf, u64 seed)
{
    info = inf;
    rs = (seed ^ 0x5354525543540000ull) | 1;
    n_cpus = inf->arg[1] ? (unsigned)inf->arg[1] : 1;
    my_cpu = (unsigned)inf->cpu;
}

/** Record an oracle failure (the first one is kept whole). */
static void oracle_fail(unsigned kind, unsigned code, u64 a, u64 b, u64 c)
{
    if (info->scratch[FZ_SX_FAILS]++ == 0) {
        info->scratch[FZ_SX_FAIL] = kind;
        info->scratch[FZ_SX_FAIL + 1] = code;
        info->scratch[FZ_SX_FAIL + 2] = a;
        info->scratch[FZ_SX_FAIL + 3] = b;
        info->scratch[FZ_SX_FAIL + 4] = c;
    }
}

/** Sleep about us microseconds on the private semaphore (progress for the root). */
static void nap_us(u64 us)
{
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, S_SLEEP, krt_now() + us * KRT_US);
    info->scratch[FZ_SX_BEAT]++;
}

/** Wait until cond holds or ms pass, 1 ms at a time; yields the cond. */
#define WAIT(cond, ms)                                                                             \
    ({                                                                                             \
        u64 dl_ = krt_now() + (u64)(ms)*KRT_MS;                                                    \
        while (!(cond) && krt_now() < dl_)                                                         \
            nap_us(1000);                                                                          \
        (bool)(cond);                                                                              \
    })

static u64 ec_state(kide_sel ec, u64 *fault, u64 *addr)
{
    u64 st = ~0ull;
    kide_ctrl_ec(KIDE_CTRL_EC_QUERY, ec, &st, fault, addr);
    return st;
}

/** A fresh UTCB address in the attacker (cycled over 4096 slots: by the time
 *  one comes round again, the EC that had it is long gone). */
static u64 a_utcb(void)
{
    return A_UTCB + (utcb_next++ % 4096) * 4096;
}

/** Top of stack page i of the arena, its word holding `arg`. */
static u64 stack_top(unsigned i, u64 arg)
{
    u64 sp = ARENA_PAGE(AP_STACKS + i) + 4096 - 16;
    *(volatile u64 *)sp = arg;
    return sp;
}

static int delegate_page(kide_sel pd, u64 va, unsigned perm)
{
    return kide_delegate(pd, KIDE_CRD(KIDE_CRD_MEM, va >> 12, 0, perm), va >> 12);
}

/** A sub-PD at S_PD(i) funded by the attacker, with the attacker's image and
 *  the arena at the same addresses. */
static int sub_pd(unsigned i, u64 quota)
{
    int st = kide_create_pd(S_PD(i), FZ_SEL_SPD, quota, S_NOTIFY);
    for (u64 va = (u64)__image_start; st == KIDE_OK && va < (u64)__image_end; va += 4096) {
        u64 found = 0, phys = 0;
        st = kide_lookup(KIDE_CRD(KIDE_CRD_MEM, va >> 12, 0, 0), &found, &phys);
        if (st == KIDE_OK && KIDE_CRD_KIND(found) != KIDE_CRD_MEM)
            st = KIDE_BAD_CAP; /* random calls unmapped part of the image */
        if (st == KIDE_OK)
            st = delegate_page(S_PD(i), va, KIDE_CRD_PERM(found));
    }
    for (unsigned p = 0; st == KIDE_OK && p < FZ_ARENA_PAGES; p++)
        st = delegate_page(S_PD(i), ARENA_PAGE(p), KIDE_MEM_R | KIDE_MEM_W);
    return st;
}

/** The arena is whole and writable (random calls before the round may have
 *  revoked parts of the attacker's memory). */
static bool arena_ok(void)
{
    for (unsigned p = 0; p < FZ_ARENA_PAGES; p++) {
        u64 found = 0, phys = 0;
        if (kide_lookup(KIDE_CRD(KIDE_CRD_MEM, ARENA_PAGE(p) >> 12, 0, 0), &found, &phys) !=
                    KIDE_OK ||
            KIDE_CRD_KIND(found) != KIDE_CRD_MEM ||
            (KIDE_CRD_PERM(found) & (KIDE_MEM_R | KIDE_MEM_W)) != (KIDE_MEM_R | KIDE_MEM_W))
            return false;
    }
    return true;
}

/** Remove everything a round made: its selectors (sub-PDs with all their
 *  ECs, portals and memory, the attacker's ECs, SCs and semaphores) and its
 *  address ranges in the attacker. */
static void cleanup(void)
{
    /* Freeing an EC of a PD that runs on other CPUs costs a synchronous
     * TLB shoot-down each (ec_free_now), all under the big lock: the
     * sub-PDs go first and the attacker's own ECs one per call, so that one
     * call never waits for more than a few shoot-downs. */
    for (unsigned i = 0; i < 8; i++)
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, S_PD(i), 0, 0));
    for (unsigned i = 0; i < 16; i++) {
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, S_EC(i), 0, 0));
        if (i < 8)
            kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, S_SPARE(i), 0, 0));
        if (i < 8)
            kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, S_H(i), 0, 0));
    }
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, S_BASE, 14, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_MEM, A_CHAIN >> 12, 11, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_MEM, A_TWIN >> 12, 10, 0));
}

static bool drop(kide_sel sel)
{
    return kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0)) == KIDE_OK;
}

/* ---- 1. call chains ---- */

/** Build a chain of `depth` handlers, each in a sub-PD of its own, handler
 *  i calling handler i + 1 and the last waiting on the gate; callers[j]
 *  (global ECs in the attacker) are created but not started. */
static bool chain_build(unsigned depth, unsigned ncall, unsigned cpu)
{
    struct ctl *c = CTL;
    memset(c, 0, sizeof(*c));
    c->expect_msg = KIDE_MSG(2, 0);
    c->gate_ns = 2000 * KRT_MS; /* the main EC ups the gate long before */
    for (unsigned i = 1; i <= depth; i++) {
        c->node[i].depth = i;
        c->node[i].leaf = i == depth;
        if (sub_pd(i, 48) != KIDE_OK ||
            kide_create_ec(0, cpu, S_H(i), S_PD(i), SUB_UTCB, stack_top(i, SUB_UTCB), 0, SUB_EVT) !=
                    KIDE_OK ||
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
        k->utcb = a_utcb();
        k->pt = S_PT(1);
        k->x = rnd() >> 16;
        if (kide_create_ec(KIDE_EC_GLOBAL, cpu, S_EC(j), FZ_SEL_SPD, k->utcb,
                           stack_top(10 + j, (u64)k), (u64)fzs_thread_entry, S_EMPTY) != KIDE_OK)
            return false;
    }
    return true;
}

static int start_caller(unsigned j)
{
    return kide_create_sc(0, FZ_PRIO, S_SC(j), FZ_SEL_SPD, S_EC(j), 10 * KRT_MS, 10 * KRT_MS);
}

/** The oracle of every chain round: each caller not killed on purpose
 *  returns within 3 s with OK and the right sum, or OK with a handler's
 *  inner failure, or ABORTED/BAD_CAP; with `exact` only OK and the sum. */
static void chain_judge(unsigned kind, unsigned depth, unsigned ncall, u32 excluded, bool exact,
                        unsigned action)
{
    struct ctl *c = CTL;
    for (unsigned j = 0; j < ncall; j++) {
        struct caller *k = &c->caller[j];
        if (excluded & (1u << j))
            continue;
        if (!WAIT(k->done, 3000)) {
            oracle_fail(kind, FZ_F_HANG, j, ec_state(S_EC(j), NULL, NULL), action);
            return;
        }
        u64 sum = k->x + depth * (depth + 1) / 2;
        if (k->st == KIDE_OK && k->w1 == 0) {
            if (k->w0 != sum)
                oracle_fail(kind, FZ_F_VALUE, k->w0, sum, action);
        } else if (exact) {
            oracle_fail(kind, FZ_F_STATUS, k->st, k->w1, action);
        } else if (k->st == KIDE_OK) {
            unsigned inner = (unsigned)(k->w1 & 0xff), at = (unsigned)(k->w1 >> 8);
            if ((inner != KIDE_ABORTED && inner != KIDE_BAD_CAP) || at < 1 || at >= depth)
                oracle_fail(kind, FZ_F_STATUS, k->st, k->w1, action);
        } else if (k->st != KIDE_ABORTED && k->st != KIDE_BAD_CAP) {
            oracle_fail(kind, FZ_F_STATUS, k->st, k->w1, action);
        }
    }
    for (unsigned i = 1; i <= OTHER_ID; i++)
        if (c->node[i].bad_msg)
            oracle_fail(kind, FZ_F_MSG, i, c->node[i].last_bad, c->node[i].calls);
}

/* Attacks: call chains 1-4 PDs deep (a caller in the attacker, handler i
 * in sub-PD i calling handler i + 1, the leaf waiting on a gate), torn at a
 * random moment by revoking a PD, a handler EC, a portal (also only its
 * copy in the PD before it), a caller's SC or EC, or the gate; then fresh
 * ECs are created to take up the freed memory. Oracle: no panic (the
 * checking build), every caller not killed returns within 3 s with ABORTED,
 * BAD_CAP or OK (the right sum, or a handler's inner ABORTED/BAD_CAP). */
static bool st_chain(void)
{
    unsigned depth = 1 + (unsigned)pick(4), ncall = 1 + (unsigned)pick(3);
    unsigned cpu = (unsigned)pick(n_cpus);
    if (!chain_build(depth, ncall, cpu))
        return false;
    for (unsigned j = 0; j < ncall; j++)
        if (start_caller(j) != KIDE_OK)
            return false;
    u64 delay = pick(4) ? pick(20000) : 0;
    if (delay)
        nap_us(delay);
    unsigned action = (unsigned)pick(7), k = 1 + (unsigned)pick(depth), j = (unsigned)pick(ncall);
    u32 excluded = 0;
    switch (action) {
    case 0:
        drop(S_PD(k));
        break;
    case 1:
        drop(S_H(k));
        break;
    case 2:
        drop(S_PT(k));
        break;
    case 3:
        kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, S_PT(k), 0, 0)); /* the copy in PD k - 1 */
        break;
    case 4:
        drop(S_SC(j)); /* the chain runs on it */
        excluded = 1u << j;
        break;
    case 5:
        drop(S_EC(j));
        excluded = 1u << j;
        break;
    default:
        drop(S_GATE);
    }
    for (unsigned i = 0; i < 4; i++)
        kide_create_ec(0, cpu, S_SPARE(i), FZ_SEL_SPD, a_utcb(), 0, 0, S_EMPTY);
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
    if (start_caller(0) != KIDE_OK)
        return false;
    if (!WAIT(c->node[depth].entered, 3000)) {
        oracle_fail(kind, FZ_F_NO_LEAF, depth, 0, ec_state(S_EC(0), NULL, NULL));
        return false;
    }
    for (unsigned j = 1; j < ncall; j++) {
        if (start_caller(j) != KIDE_OK)
            return false;
        if (!WAIT(ec_state(S_EC(j), NULL, NULL) == KIDE_EC_STATE_BLOCKED, 3000)) {
            oracle_fail(kind, FZ_F_NO_LEAF, depth, j, ec_state(S_EC(j), NULL, NULL));
            return false;
        }
    }
    return true;
}

/* Attacks: callers queued on a busy handler (the first caller's chain
 * holds it) whose portal is revoked, and a new portal of the same handler
 * created at once. Oracle: the first caller gets OK with the right sum,
 * every queued one ABORTED, and the new portal is never called. */
static bool st_queue(void)
{
    unsigned depth = 1 + (unsigned)pick(3), ncall = 2 + (unsigned)pick(4);
    unsigned cpu = (unsigned)pick(n_cpus);
    if (!chain_build(depth, ncall, cpu) || !chain_queue(FZ_K_QUEUE, depth, ncall))
        return false;
    struct ctl *c = CTL;
    if (c->caller[0].done)
        return false; /* the leaf gave up waiting: nothing is queued any more */
    drop(S_PT(1));
    kide_create_pt(S_PT(7), S_PD(1), S_H(1), (u64)fzs_handler_entry, OTHER_ID);
    for (unsigned i = 0; i < ncall; i++)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, S_GATE, 0);
    chain_judge(FZ_K_QUEUE, depth, 1, 0, true, 0);
    for (unsigned j = 1; j < ncall; j++) {
        if (!WAIT(c->caller[j].done, 3000))
            oracle_fail(FZ_K_QUEUE, FZ_F_HANG, j, ec_state(S_EC(j), NULL, NULL), 0);
        else if (c->caller[j].st != KIDE_ABORTED)
            oracle_fail(FZ_K_QUEUE, FZ_F_STATUS, c->caller[j].st, c->caller[j].w1, 0);
    }
    if (c->other_calls)
        oracle_fail(FZ_K_QUEUE, FZ_F_RESPOOF, c->other_calls, 0, 0);
    return true;
}

/* Attacks: the message word of queued callers (and of the one being
 * served) is rewritten by a sibling EC of their PD (the main EC) while the
 * calls wait: huge counts, typed items, random words. Oracle: every
 * handler sees exactly the word checked at the call (2 untyped words) and
 * every caller gets OK with the right sum. */
static bool st_rewrite(void)
{
    unsigned depth = 1 + (unsigned)pick(3), ncall = 2 + (unsigned)pick(4);
    unsigned cpu = (unsigned)pick(n_cpus);
    if (!chain_build(depth, ncall, cpu) || !chain_queue(FZ_K_REWRITE, depth, ncall))
        return false;
    static const u64 junk[] = {KIDE_MSG(1023, 255), KIDE_MSG(508, 0), KIDE_MSG(0, 200),
                               KIDE_MSG(3, 0), KIDE_MSG(500, 4)};
    for (unsigned j = 0; j < ncall; j++) {
        struct kide_utcb *u = (struct kide_utcb *)CTL->caller[j].utcb;
        u->msg = pick(4) ? junk[pick(KRT_ARRAY_SIZE(junk))] : rnd();
        u->rcv_crd = rnd();
    }
    for (unsigned i = 0; i < ncall; i++)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, S_GATE, 0);
    chain_judge(FZ_K_REWRITE, depth, ncall, 0, true, 0);
    return true;
}

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
            oracle_fail(FZ_K_DELEG, FZ_F_RIGHTS, k, found, want);
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
        oracle_fail(FZ_K_DELEG, FZ_F_DELEG, r, (u64)st, 1);
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
    if (kide_create_ec(KIDE_EC_GLOBAL, cpu, S_EC(15), FZ_SEL_SPD, a_utcb(), va,
                       (u64)fzs_probe_entry, S_EMPTY) != KIDE_OK ||
        kide_create_sc(0, FZ_PRIO, S_SC(15), FZ_SEL_SPD, S_EC(15), 10 * KRT_MS, 10 * KRT_MS) !=
                KIDE_OK)
        return r;
    if (WAIT(ec_state(S_EC(15), &fault, &addr) == KIDE_EC_STATE_STOPPED, 3000)) {
        fault &= 0xffffffff;
        r = fault == GP_VECTOR ? 1 : fault == KIDE_EXC_PF && addr == va ? 0 : 2 + fault;
    }
    drop(S_SC(15));
    drop(S_EC(15));
    return r;
}

static unsigned mem_mask(void)
{
    return pick(3) ? KIDE_MEM_RWX : (unsigned)pick(8) | KIDE_MEM_R;
}

/** The memory chain: build, check, probe, shrink, probe, revoke, check. */
static bool deleg_mem(void)
{
    unsigned n = 64 + (unsigned)pick(HOPS_MAX - 63);
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
            oracle_fail(FZ_K_DELEG, FZ_F_DELEG, k, (u64)st, 0);
            return true;
        }
        mexp[k] = mexp[k - 1] & (u8)mask;
    }
    if (!mem_check(n, n))
        return true;

    /* a hop with W takes a write; after its ancestor r is re-delegated
     * without W it must refuse one, on the same CPU (the TLB may hold W) */
    unsigned cpu = (unsigned)pick(n_cpus), a = 1 + (unsigned)pick(n);
    while (a > 1 && !(mexp[a] & KIDE_MEM_W))
        a--;
    if (mexp[a] & KIDE_MEM_W) {
        u64 p = probe(hop_page(a) << 12, cpu);
        if (p != 1) {
            oracle_fail(FZ_K_DELEG, FZ_F_WRITE, a, p, 1);
            return true;
        }
    }
    unsigned r = 1 + (unsigned)pick(a);
    if (!mem_refresh(r, pick(2) ? KIDE_MEM_R : KIDE_MEM_R | KIDE_MEM_X, n))
        return true;
    u64 p = probe(hop_page(a) << 12, cpu);
    if (p != 0) {
        oracle_fail(FZ_K_DELEG, FZ_F_WRITE, a, p, 0);
        return true;
    }
    /* a random refresh (rights may come back to that hop, never below it) */
    r = 1 + (unsigned)pick(n);
    if (!mem_refresh(r, mem_mask(), n))
        return true;
    unsigned q = (unsigned)pick(n + 1);
    kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, hop_page(q), 0, 0));
    mem_check(n, q);
    return true;
}

/** The object chain: a semaphore through up to OHOPS_MAX selectors with
 *  random masks; rights checked by lookup and by an up. */
static bool deleg_obj(void)
{
    unsigned n = 64 + (unsigned)pick(OHOPS_MAX - 63);
    if (kide_create_sm(S_OCHAIN, FZ_SEL_SPD, 0) != KIDE_OK)
        return false;
    oexp[0] = KIDE_PERM_ALL;

    for (unsigned k = 1; k <= n; k++) {
        unsigned mask = pick(3) ? KIDE_PERM_ALL : (unsigned)pick(32);
        int st = kide_delegate(FZ_SEL_SPD, KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + k - 1, 0, mask),
                               S_OCHAIN + k);
        if (st == KIDE_QUOTA && k > 1) {
            n = k - 1;
            break;
        }
        if (st != KIDE_OK) {
            oracle_fail(FZ_K_DELEG, FZ_F_DELEG, k, (u64)st, 1);
            return true;
        }
        oexp[k] = oexp[k - 1] & (u8)mask;
    }
    unsigned q = (unsigned)pick(n + 1), u = (unsigned)pick(n + 1);
    int st = kide_ctrl_sm(KIDE_CTRL_SM_UP, S_OCHAIN + u, 0);
    if (st != ((oexp[u] & KIDE_SM_UP) ? KIDE_OK : KIDE_BAD_PERM))
        oracle_fail(FZ_K_DELEG, FZ_F_SM_PERM, u, (u64)st, oexp[u]);
    kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + q, 0, 0));
    for (unsigned k = 0; k <= n; k++) {
        u64 found = 0, type = 0;
        kide_lookup(KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + k, 0, 0), &found, &type);
        u64 want = k <= q ? KIDE_CRD(KIDE_CRD_OBJ, S_OCHAIN + k, 0, oexp[k]) : 0;
        if (found != want || (k <= q && type != KIDE_OBJ_SM)) {
            oracle_fail(FZ_K_DELEG, FZ_F_RIGHTS, 0x10000 + k, found, want);
            break;
        }
    }
    return true;
}

/* Attacks: delegation chains hundreds to thousands of hops deep within the
 * attacker (memory: a page through up to 2048 addresses; objects: a
 * semaphore through up to 4000 selectors), random masks at every hop,
 * re-delegation of a hop with fewer (or back more) rights, revocation at a
 * random hop. Oracle: rights only shrink down the tree: lookup shows every
 * hop with exactly its parent's rights & its mask (after a refresh: at most
 * its parent's), nothing after a revoked hop; a write probe EC succeeds at
 * a hop with W and faults there after an ancestor lost W; an up works only
 * with SM_UP. */
static bool st_deleg(void)
{
    if (pick(2))
        return deleg_mem();
    return deleg_obj();
}

/* ---- 3. typed items ---- */

static u64 hotspot(u64 size)
{
    switch (pick(9)) {
    case 0:
        return size - 1;
    case 1:
        return size;
    case 2:
        return ~0ull;
    case 3:
        return -size;
    case 4:
        return rnd();
    case 5:
        return pick(4 * size);
    case 6:
        return 1ull << 63;
    default:
        return pick(size);
    }
}

/** n random items of `kind` into words[] (objects: the four S_TS
 *  semaphores, ranges of them; memory: the arena's item pages). */
static void items(u64 *words, unsigned n, unsigned kind, u64 size)
{
    for (unsigned i = 0; i < n; i++) {
        unsigned order = pick(4) ? 0 : (unsigned)pick(3);
        u64 base = kind == KIDE_CRD_OBJ
                           ? S_TS + (pick(4) & ~((1ull << order) - 1))
                           : (ARENA_PAGE(AP_ITEMS) >> 12) + (pick(8) & ~((1ull << order) - 1));
        words[2 * i] = KIDE_CRD(kind, base, order, pick(4) ? KIDE_PERM_ALL : pick(32));
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
            oracle_fail(FZ_K_TYPED, FZ_F_OUTSIDE, found, win, n);
            return false;
        }
    }
    return true;
}

/* Attacks: typed items (semaphores, ranges of them, arena pages) sent to a
 * handler and replied back, each at a random hotspot (in the window, at its
 * edges, -1, -size, 2^63, random) into windows of 1-8 entries placed in the
 * middle of a 64-entry block. Oracle: the call succeeds and every entry
 * found in either block lies inside its window (and is the sent kind). */
static bool st_typed(struct kide_utcb *me)
{
    struct ctl *c = CTL;
    memset(c, 0, sizeof(*c));
    u64 hutcb = a_utcb();
    struct kide_utcb *hu = (struct kide_utcb *)hutcb;
    if (kide_create_ec(0, my_cpu, S_H(0), FZ_SEL_SPD, hutcb, stack_top(14, hutcb), 0, S_EMPTY) !=
                KIDE_OK ||
        kide_create_pt(S_PT(0), FZ_SEL_SPD, S_H(0), (u64)fzs_handler_entry, TYPED_ID) != KIDE_OK)
        return false;
    for (unsigned i = 0; i < 4; i++)
        if (kide_create_sm(S_TS + i, FZ_SEL_SPD, 1) != KIDE_OK)
            return false;
    for (unsigned round = 0; round < 3; round++) {
        unsigned kind = pick(2) ? KIDE_CRD_OBJ : KIDE_CRD_MEM, o = (unsigned)pick(4),
                 o2 = (unsigned)pick(4);
        u64 size = 1ull << o, size2 = 1ull << o2;
        u64 blk = kind == KIDE_CRD_OBJ ? S_TWIN : A_TWIN >> 12;
        u64 b1 = blk + 128 * round, b2 = b1 + 64;
        u64 w1 = KIDE_CRD(kind, b1 + size * (1 + pick(2)), o, pick(4) ? KIDE_PERM_ALL : pick(32));
        u64 w2 = KIDE_CRD(kind, b2 + size2 * (1 + pick(2)), o2, KIDE_PERM_ALL);
        unsigned n = 1 + (unsigned)pick(6), nr = (unsigned)pick(4);
        hu->rcv_crd = w1;
        c->reply_items = nr;
        items(&c->reply_item[0][0], nr, kind, size2);
        items(me->words, n, kind, size);
        me->msg = KIDE_MSG(0, n);
        me->rcv_crd = w2;
        int st = kide_call(S_PT(0));
        me->rcv_crd = 0;
        if (st != KIDE_OK) {
            oracle_fail(FZ_K_TYPED, FZ_F_TYPED_ST, (u64)st, w1, n);
            return true;
        }
        if (!window_check(kind, b1, w1, n) || !window_check(kind, b2, w2, nr))
            return true;
    }
    return true;
}

/* ---- 4. hundreds of ECs, I/O ports ---- */

/* Attacks: a sub-PD with 64-600 global ECs (as many as the attacker's
 * quota pays for) on random CPUs, each counting a pass and waiting on a
 * semaphore, one in eight starting at a kernel address (it stops at once);
 * some are woken, and the PD is destroyed while they are runnable.
 * Oracle: every EC ran (or stopped) within 5 s; after the PD's destruction
 * every one is dead. */
static bool st_many(void)
{
    u64 limit = 0, used = 0;
    if (kide_ctrl_pd(KIDE_CTRL_PD_QUOTA, FZ_SEL_SPD, 0, 0, &limit, &used) != KIDE_OK ||
        limit - used < 200)
        return false;
    u64 quota = KRT_MIN(limit - used - 100, 800);
    if (sub_pd(0, quota) != KIDE_OK || kide_create_sm(S_GATE, FZ_SEL_SPD, 0) != KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_OBJ, S_GATE, 0, KIDE_SM_DOWN), SUB_SM) != KIDE_OK)
        return false;
    static u8 wild[MANY_MAX];
    unsigned want = 64 + (unsigned)pick(MANY_MAX - 63), made = 0;
    struct slot *sl = SLOTS;
    for (; made < want; made++) {
        sl[made].count = 0;
        sl[made].sm = SUB_SM;
        wild[made] = pick(8) == 0;
        u64 ip = wild[made] ? 0xffffffff80100000ull : (u64)fzs_spin_entry;
        if (kide_create_ec(KIDE_EC_GLOBAL, pick(n_cpus), S_MEC(made), S_PD(0),
                           SUB_UTCB + made * 4096ull, (u64)&sl[made], ip, SUB_EVT) != KIDE_OK)
            break;
        if (kide_create_sc(0, FZ_PRIO, S_MSC(made), S_PD(0), S_MEC(made), 10 * KRT_MS,
                           10 * KRT_MS) != KIDE_OK) {
            drop(S_MEC(made));
            break;
        }
    }
    if (made < 32)
        return false;

    unsigned ran = 0, stopped = 0;
    u64 dl = krt_now() + 5000 * KRT_MS;
    for (unsigned i = 0; i < made;) {
        bool ok =
                wild[i] ? ec_state(S_MEC(i), NULL, NULL) == KIDE_EC_STATE_STOPPED : sl[i].count > 0;
        if (ok) {
            ran += !wild[i];
            stopped += wild[i];
            i++;
        } else if (krt_now() > dl) {
            oracle_fail(FZ_K_MANY, FZ_F_MANY_STUCK, made, ran, stopped);
            return true;
        } else {
            nap_us(2000);
        }
    }
    for (u64 ups = pick(made); ups; ups--)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, S_GATE, 0);
    if (pick(2))
        nap_us(pick(3000));
    drop(S_PD(0));
    for (unsigned i = 0; i < made; i++) {
        u64 st = ec_state(S_MEC(i), NULL, NULL);
        if (st != KIDE_EC_STATE_DEAD) {
            oracle_fail(FZ_K_MANY, FZ_F_MANY_ALIVE, i, st, made);
            break;
        }
    }
    return true;
}

/* Attacks: an EC in a sub-PD reads an I/O port delegated to it (64 reads,
 * a 200 us sleep, again) on another CPU while the attacker revokes and
 * re-delegates a page of that PD 16-200 times (each a TLB shoot-down);
 * then the port is revoked. Oracle: the EC keeps running through the
 * shoot-downs; after the revoke returns it faults with #GP within 3 s,
 * having finished at most the pass it was in. */
static bool st_io(void)
{
    u64 found = 0, x = 0;
    if (kide_lookup(KIDE_CRD(KIDE_CRD_IO, FZ_IO_PORT, 0, 0), &found, &x) != KIDE_OK ||
        KIDE_CRD_KIND(found) != KIDE_CRD_IO)
        return false;
    struct slot *s = SLOTS;
    s->count = 0;
    s->sm = SUB_SM;
    unsigned cpu = n_cpus > 1 ? (my_cpu + 1 + (unsigned)pick(n_cpus - 1)) % n_cpus : 0;
    u64 shoot = ARENA_PAGE(AP_SHOOT) >> 12, fault = 0, addr = 0;
    if (sub_pd(0, 48) != KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_IO, FZ_IO_PORT, 0, KIDE_IO_ACCESS), FZ_IO_PORT) !=
                KIDE_OK ||
        kide_create_sm(S_GATE, FZ_SEL_SPD, 0) != KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_OBJ, S_GATE, 0, KIDE_SM_DOWN), SUB_SM) !=
                KIDE_OK ||
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_MEM, shoot, 0, KIDE_MEM_R), SUB_SHOOT >> 12) !=
                KIDE_OK ||
        kide_create_ec(KIDE_EC_GLOBAL, cpu, S_EC(0), S_PD(0), SUB_UTCB, (u64)s, (u64)fzs_io_entry,
                       SUB_EVT) != KIDE_OK ||
        kide_create_sc(0, FZ_PRIO, S_SC(0), FZ_SEL_SPD, S_EC(0), 10 * KRT_MS, 10 * KRT_MS) !=
                KIDE_OK)
        return false;
#define IO_STOPPED (ec_state(S_EC(0), &fault, &addr) == KIDE_EC_STATE_STOPPED)
    if (!WAIT(s->count >= 2 || IO_STOPPED, 3000) || IO_STOPPED) {
        oracle_fail(FZ_K_IO, FZ_F_IO_REFUSED, fault & 0xffffffff, 0, s->count);
        return true;
    }
    unsigned rounds = 16 + (unsigned)pick(185);
    for (unsigned r = 0; r < rounds; r++) {
        kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, shoot, 0, 0));
        kide_delegate(S_PD(0), KIDE_CRD(KIDE_CRD_MEM, shoot, 0, KIDE_MEM_R), SUB_SHOOT >> 12);
        if (pick(8) == 0)
            nap_us(pick(400));
    }
    u64 c0 = s->count;

    if (!WAIT(s->count > c0 || IO_STOPPED, 3000) || IO_STOPPED) {
        oracle_fail(FZ_K_IO, FZ_F_IO_REFUSED, fault & 0xffffffff, rounds, s->count);
        return true;
    }
    kide_revoke(0, KIDE_CRD(KIDE_CRD_IO, FZ_IO_PORT, 0, 0));
    u64 c1 = s->count;
    bool stopped = WAIT(IO_STOPPED, 3000);
    if (!stopped || (fault & 0xffffffff) != GP_VECTOR || s->count > c1 + 1)
        oracle_fail(FZ_K_IO, FZ_F_IO_KEPT, s->count - c1, ec_state(S_EC(0), NULL, NULL),
                    fault & 0xffffffff);
#undef IO_STOPPED
    return true;
}

/** The next round's kind: the I/O round first (before random calls take
 *  the port away), then one the root says was completed least often so far
 *  (info->arg[2], a bit per kind), then half of the time the kind this
 *  attacker completed least often, else any. */
static unsigned next_kind(void)
{
    static unsigned rounds;
    u64 wanted = info->arg[2] & ((1u << FZ_KINDS) - 1);
    if (rounds++ == 0)
        return FZ_K_IO;
    if (rounds == 2 && wanted) {
        unsigned k = (unsigned)pick(FZ_KINDS);
        while (!(wanted & (1u << k)))
            k = (k + 1) % FZ_KINDS;
        return k;
    }
    if (pick(2))
        return (unsigned)pick(FZ_KINDS);
    unsigned best = (unsigned)pick(FZ_KINDS);
    for (unsigned k = 0; k < FZ_KINDS; k++)
        if (info->scratch[FZ_SX_ROUNDS + k] < info->scratch[FZ_SX_ROUNDS + best])
            best = k;
    return best;
}

void fzs_round(struct kide_utcb *u)
{
    unsigned kind = next_kind();
    bool done = false;
    cleanup(); /* whatever random calls left in the round's ranges */
    if (kide_create_sm(S_SLEEP, FZ_SEL_SPD, 0) == KIDE_OK &&
        kide_create_sm(S_NOTIFY, FZ_SEL_SPD, 0) == KIDE_OK && arena_ok()) {
        switch (kind) {
        case FZ_K_CHAIN:
            done = st_chain();
            break;
        case FZ_K_QUEUE:
            done = st_queue();
            break;
        case FZ_K_REWRITE:
            done = st_rewrite();
            break;
        case FZ_K_DELEG:
            done = st_deleg();
            break;
        case FZ_K_TYPED:
            done = st_typed(u);
            break;
        case FZ_K_MANY:
            done = st_many();
            break;
        default:
            done = st_io();
        }
    }
    info->scratch[(done ? FZ_SX_ROUNDS : FZ_SX_SKIPS) + kind]++;
    cleanup();
    u->msg = 0;
    u->rcv_crd = 0;
}
