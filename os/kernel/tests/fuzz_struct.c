/* SPDX-License-Identifier: MIT */
/* kfuzz-attacker's structured rounds: misuse with a shape and an oracle.
 *
 * Random calls rarely build anything that lives long enough to be torn
 * down at an awkward moment. Every few hundred random calls the attacker's
 * main EC runs one round of a random kind (enum fz_kind), each a small
 * function (fuzz_ipc.c, fuzz_caps.c) that builds a structure from the
 * attacker's own quota,
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
 *  - a round removes everything it made (its sub-PDs, its ECs one per call,
 *    then its selector range in pieces and its address ranges), so its cost
 *    is bounded by one round and no one call does much of it.
 * This file: the code the created ECs run, the main EC's helpers
 * (fuzz_struct.h) and the choice of the next round.
 * Costs: a round takes well under a second of TCG time; kernel memory
 * comes from the attacker's quota (FZ_QUOTA), so it is bounded too.
 */
#include "fuzz_struct.h"

extern char __image_start[], __image_end[];

/* ---- code run by the ECs the rounds create ---- */

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
        kide_ctrl_sm(KIDE_CTRL_SM_DOWN, SUB_GATE, base_now() + c->gate_ns);
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

volatile struct krt_child_info *fzs_info;
unsigned fzs_cpus, fzs_cpu;
static u64 rs, utcb_next;

u64 fzs_rnd(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
u64 fzs_pick(u64 n)
{
    return n ? fzs_rnd() % n : 0;
}

void fzs_init(volatile struct krt_child_info *inf, u64 seed)
{
    fzs_info = inf;
    rs = (seed ^ 0x5354525543540000ull) | 1;
    fzs_cpus = inf->arg[1] ? (unsigned)inf->arg[1] : 1;
    fzs_cpu = (unsigned)inf->cpu;
}

/** Record an oracle failure (the first one is kept whole). */
void fzs_fail(unsigned kind, unsigned code, u64 a, u64 b, u64 c)
{
    if (fzs_info->scratch[FZ_SX_FAILS]++ == 0) {
        fzs_info->scratch[FZ_SX_FAIL] = kind;
        fzs_info->scratch[FZ_SX_FAIL + 1] = code;
        fzs_info->scratch[FZ_SX_FAIL + 2] = a;
        fzs_info->scratch[FZ_SX_FAIL + 3] = b;
        fzs_info->scratch[FZ_SX_FAIL + 4] = c;
    }
}

/** Sleep about us microseconds on the private semaphore (progress for the root). */
void fzs_nap_us(u64 us)
{
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, S_SLEEP, base_now() + us * BASE_US);
    fzs_info->scratch[FZ_SX_BEAT]++;
}

u64 fzs_ec_state(kide_sel ec, u64 *fault, u64 *addr)
{
    u64 st = ~0ull;
    kide_ctrl_ec(KIDE_CTRL_EC_QUERY, ec, 0, 0, 0, &st, fault, addr);
    return st;
}

/** A fresh UTCB address in the attacker (cycled over 4096 slots: by the time
 *  one comes round again, the EC that had it is long gone). */
u64 fzs_a_utcb(void)
{
    return A_UTCB + (utcb_next++ % 4096) * 4096;
}

/** Top of stack page i of the arena, its word holding `arg`. */
u64 fzs_stack_top(unsigned i, u64 arg)
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
int fzs_sub_pd(unsigned i, u64 quota)
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
    /* the rest in pieces of 256 selectors: a round can leave hundreds of
     * SCs and thousands of chain hops, each piece is a bounded hold */
    for (u64 sel = S_BASE; sel < 2 * S_BASE; sel += 256)
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, sel, 8, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_MEM, A_CHAIN >> 12, 11, 0));
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_MEM, A_TWIN >> 12, 10, 0));
}

bool fzs_drop(kide_sel sel)
{
    return kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0)) == KIDE_OK;
}

/** The next round's kind: the I/O round first (before random calls take
 *  the port away), then one the root says was completed least often so far
 *  (fzs_info->arg[2], a bit per kind), then half of the time the kind this
 *  attacker completed least often, else any. */
static unsigned next_kind(void)
{
    static unsigned rounds;
    u64 wanted = fzs_info->arg[2] & ((1u << FZ_KINDS) - 1);
    if (rounds++ == 0)
        return FZ_K_IO;
    if (rounds == 2 && wanted) {
        unsigned k = (unsigned)fzs_pick(FZ_KINDS);
        while (!(wanted & (1u << k)))
            k = (k + 1) % FZ_KINDS;
        return k;
    }
    if (fzs_pick(2))
        return (unsigned)fzs_pick(FZ_KINDS);
    unsigned best = (unsigned)fzs_pick(FZ_KINDS);
    for (unsigned k = 0; k < FZ_KINDS; k++)
        if (fzs_info->scratch[FZ_SX_ROUNDS + k] < fzs_info->scratch[FZ_SX_ROUNDS + best])
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
            done = fzs_chain();
            break;
        case FZ_K_QUEUE:
            done = fzs_queue();
            break;
        case FZ_K_REWRITE:
            done = fzs_rewrite();
            break;
        case FZ_K_DELEG:
            done = fzs_deleg();
            break;
        case FZ_K_TYPED:
            done = fzs_typed(u);
            break;
        case FZ_K_MANY:
            done = fzs_many();
            break;
        default:
            done = fzs_io();
        }
    }
    fzs_info->scratch[(done ? FZ_SX_ROUNDS : FZ_SX_SKIPS) + kind]++;
    cleanup();
    u->msg = 0;
    u->rcv_crd = 0;
}
