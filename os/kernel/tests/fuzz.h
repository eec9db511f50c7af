/* SPDX-License-Identifier: MIT */
/* The system-call fuzzer: what kfuzz-root gives the attacker.
 *
 * The attacker is an unprivileged PD: it holds its own PD capability, one
 * semaphore, one portal to a root "sink" handler and its exception portals
 * (at KRT_CHILD_EVT(0)), nothing of the root's or the victim's. Its info
 * page carries the seed (arg0), the number of CPUs (arg1) and the selectors
 * below; it reports the
 * number of calls issued in res0, the last call word in res1 and how often
 * each status came back in res[2 + status] (res14: a status outside the set,
 * which is a kernel bug).
 * Structured rounds (fuzz_struct.c) report in scratch[FZ_SX_*].
 */
#ifndef KTEST_FUZZ_H
#define KTEST_FUZZ_H

#define FZ_SEL_SM        1100  /**< a semaphore (UP|DOWN) */
#define FZ_SEL_PD        1101  /**< its own PD (all rights) */
#define FZ_SEL_SINK      1102  /**< portal to the root's sink handler (PT_CALL) */
#define FZ_SEL_SPD       61440 /**< its own PD again, far from where random calls aim */
#define FZ_SEL_VICTIM_PT 1100  /**< in the victim: the root's victim portal */
#define FZ_PRIO          30    /**< victim and attacker share a priority (round robin) */
#define FZ_QUOTA         1024  /**< attacker's kernel-memory pages: room for hundreds of ECs */

/* Structured rounds (fuzz_struct.c). The root maps FZ_ARENA_PAGES pages of
 * RAM read-write at FZ_ARENA, away from every address the random calls aim
 * at, and gives the attacker the I/O port FZ_IO_PORT (POST diagnostics:
 * reading it has no effect). */
#define FZ_ARENA       0x0000600400000000ull
#define FZ_ARENA_PAGES 40
#define FZ_IO_PORT     0x80

/* The attacker's info->scratch[] words beyond the last call (scratch[0..6]). */
#define FZ_SX_BEAT   8  /**< bumped while a structured round waits: progress for the root */
#define FZ_SX_ROUNDS 16 /**< [16 + kind]: rounds whose oracle was checked */
#define FZ_SX_SKIPS  24 /**< [24 + kind]: rounds whose set-up failed (random calls broke it) */
#define FZ_SX_FAILS  32 /**< oracle failures */
#define FZ_SX_FAIL   33 /**< the first failure: kind, code, a, b, c (33..37) */

/** The structured rounds, each a small function in fuzz_struct.c. */
enum fz_kind {
    FZ_K_CHAIN,   /**< call chains across created PDs torn at a random moment */
    FZ_K_QUEUE,   /**< callers queued on a busy handler whose portal is revoked */
    FZ_K_REWRITE, /**< a sibling rewrites queued callers' message words */
    FZ_K_DELEG,   /**< deep delegation chains: re-delegated with fewer rights, revoked */
    FZ_K_TYPED,   /**< typed items into receive windows at random hotspots */
    FZ_K_MANY,    /**< hundreds of runnable ECs in a PD that is destroyed */
    FZ_K_IO,      /**< an I/O port in use across shoot-downs, then revoked */
    FZ_KINDS
};

/** What an oracle saw (scratch[FZ_SX_FAIL + 1]); a, b, c are said per code. */
#define FZ_FAIL_CODES(X)                                                                           \
    X(HANG, "a caller never returned (caller, EC state, action)")                                  \
    X(STATUS, "a caller got an impossible status (status, words[1], action)")                      \
    X(VALUE, "a call returned OK with a wrong result (got, expected, action)")                     \
    X(MSG, "a handler saw a message word other than the one checked (node, msg, calls)")           \
    X(RESPOOF, "a queued call reached a new portal of the handler (calls, 0, 0)")                  \
    X(NO_LEAF, "a call chain never reached its leaf (depth, caller, state)")                       \
    X(RIGHTS, "a hop holds other rights than its parent allows (hop, found crd, expected)")        \
    X(WRITE, "a write probe disagreed with the rights (hop, probe result, expected)")              \
    X(DELEG, "a delegation in a chain failed (hop, status, kind)")                                 \
    X(SM_PERM, "a semaphore hop obeyed other rights (hop, status, rights)")                        \
    X(OUTSIDE, "a typed item landed outside the window (found crd, window crd, item count)")       \
    X(TYPED_ST, "a call with typed items failed (status, window crd, item count)")                 \
    X(MANY_STUCK, "created ECs did not all run (made, ran, stopped)")                              \
    X(MANY_ALIVE, "an EC outlived its PD (index, state, made)")                                    \
    X(IO_REFUSED, "a held I/O port faulted (vector, shoot-downs, count)")                          \
    X(IO_KEPT, "a revoked I/O port still worked (count after revoke, state, vector)")              \
    X(IO_STUCK,                                                                                    \
      "a port reader stopped making progress (how: 1 blocked 3000 naps, 2 ran 2 s; state, count)")
#define FZ_FAIL_ENUM(n, s) FZ_F_##n,
enum fz_fail { FZ_FAIL_CODES(FZ_FAIL_ENUM) FZ_FAIL_COUNT };

struct kide_utcb;
struct krt_child_info;
/** Seed the structured rounds' generator (the attacker's seed). */
void fzs_init(volatile struct krt_child_info *info, u64 seed);
/** Run one structured round of a random kind from the attacker's main EC
 *  (u: its UTCB); counts it in info->scratch and cleans up after itself. */
void fzs_round(struct kide_utcb *u);

#endif
