/* SPDX-License-Identifier: MIT */
/* kfuzz-attacker's structured rounds: what their files share.
 *
 * fuzz_struct.c runs the rounds (fzs_round) and holds the code the ECs
 * they create run and the main EC's helpers; fuzz_ipc.c has the IPC rounds
 * (chain, queue, rewrite, typed), fuzz_caps.c the capability and scheduling
 * ones (deleg, many, io). Layout: everything a round makes sits at the
 * selectors and addresses below, which the random calls do not aim at, and
 * goes at the round's end (fuzz_struct.c's cleanup).
 */
#ifndef KTEST_FUZZ_STRUCT_H
#define KTEST_FUZZ_STRUCT_H

#include <krt/spawn.h>
#include "fuzz.h"

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
#define MANY_MAX      400
#define HOPS_MAX      2048 /* memory hops (A_CHAIN's 2048 pages) */
#define OHOPS_MAX     2048 /* object hops (under S_TWIN) */
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

/* ---- entries of the ECs the rounds create (fuzz_struct.c) ---- */
extern char fzs_handler_entry[], fzs_thread_entry[], fzs_spin_entry[], fzs_io_entry[],
        fzs_probe_entry[];
/** A chain or typed-round handler (portal id = node, TYPED_ID, OTHER_ID). */
void fzs_handler_main(u64 id, u64 msg, struct kide_utcb *u);
/** A caller thread: one call through c->pt, its outcome in *c, then it stops. */
void fzs_thread_main(struct caller *c);

/* ---- the main EC's helpers (fuzz_struct.c) ---- */
/** The attacker's info page (results, oracle failures). */
extern volatile struct krt_child_info *fzs_info;
/** CPUs of the machine, and the main EC's CPU. */
extern unsigned fzs_cpus, fzs_cpu;
/** The rounds' generator (seeded by fzs_init). */
u64 fzs_rnd(void);
/** A number below n (0 for n = 0). */
u64 fzs_pick(u64 n);
/** Record an oracle failure (the first one is kept whole). */
void fzs_fail(unsigned kind, unsigned code, u64 a, u64 b, u64 c);
/** Sleep about us microseconds on the private semaphore (progress for the root). */
void fzs_nap_us(u64 us);
/** State of an EC (ctrl_ec QUERY), its fault and address if asked. */
u64 fzs_ec_state(kide_sel ec, u64 *fault, u64 *addr);
/** A fresh UTCB address in the attacker. */
u64 fzs_a_utcb(void);
/** Top of stack page i of the arena, its word holding `arg`. */
u64 fzs_stack_top(unsigned i, u64 arg);
/** A sub-PD at S_PD(i) with the attacker's image and the arena. */
int fzs_sub_pd(unsigned i, u64 quota);
/** Revoke one selector of the attacker with KIDE_REVOKE_SELF. */
bool fzs_drop(kide_sel sel);
/** Wait until cond holds or ms pass, 1 ms at a time; yields the cond. */
#define FZS_WAIT(cond, ms)                                                                         \
    ({                                                                                             \
        u64 dl_ = base_now() + (u64)(ms)*BASE_MS;                                                  \
        while (!(cond) && base_now() < dl_)                                                        \
            fzs_nap_us(1000);                                                                      \
        (bool)(cond);                                                                              \
    })

/* ---- the rounds (each returns false if its set-up failed) ---- */
bool fzs_chain(void);
bool fzs_queue(void);
bool fzs_rewrite(void);
bool fzs_typed(struct kide_utcb *me);
bool fzs_deleg(void);
bool fzs_many(void);
bool fzs_io(void);

#endif
