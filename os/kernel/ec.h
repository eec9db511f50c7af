/* SPDX-License-Identifier: MIT */
/* Execution context: a thread's registers, FPU state and UTCB, bound to a CPU.
 *
 * A global EC is a thread with its own scheduling context. A local EC is a
 * portal handler: idle until called, it then runs on its caller's SC and
 * restarts at the portal's entry with its initial stack on every call.
 * States: RUNNABLE (chain head of a queued SC), CALLING (waiting for its
 * callee's reply), BLOCKED (semaphore, or a busy handler's queue), IDLE
 * (handler between calls), BUSY (handler serving; it is RUNNABLE, CALLING or
 * BLOCKED as well, see `serving`), STOPPED (fault not handled), DEAD.
 * Invariant: a chain of calls starts at a global EC, follows `callee`, and
 * its head (the EC without a callee) is the one the chain's SC runs.
 */
#ifndef KIDE_EC_H
#define KIDE_EC_H

#include "kobj.h"
#include "arch/x86_64/frame.h"
#include <kide/utcb.h>

struct pd;
struct sc;
struct pt;

enum ec_state { EC_RUNNABLE, EC_CALLING, EC_BLOCKED, EC_IDLE, EC_STOPPED, EC_DEAD };

struct ec {
    struct kobj obj;                          /**< first: capabilities point here (kobj.h) */
    struct frame regs;                        /**< user state, saved in place by entry.S */
    u8 fpu[512] __attribute__((aligned(16))); /**< FXSAVE area */
    struct pd *pd;                            /**< the PD it runs in (holds a reference) */
    struct ec *pd_next, *pd_prev;
    u32 cpu;
    bool global;
    u8 state;                   /**< enum ec_state */
    bool serving;               /**< local EC: handling a call */
    bool sysret_ok;             /**< frame came from a syscall and is unmodified */
    bool recall;                /**< deliver KIDE_EXC_RECALL before user code runs */
    bool in_exc;                /**< the call it is making is an exception message */
    bool fpu_valid;             /**< fpu[] holds state (else: init state) */
    struct kide_utcb *utcb;     /**< kernel address of the UTCB page */
    u64 utcb_addr;              /**< user address of the UTCB */
    struct rnode *utcb_node;    /**< its (special) mapping in pd's memory space */
    u64 sp, ip;                 /**< initial stack and (global) start address */
    u64 evt_base;               /**< exception portals at evt_base + vector */
    struct sc *sc;              /**< global EC: its scheduling context */
    struct ec *caller, *callee; /**< call chain links */
    /* Wait queues: a semaphore's, or a busy handler's queue of callers. */
    struct ec *wq_next, *wq_prev;
    struct ec **wq_head; /**< head pointer of the queue it waits in, or NULL */
    struct ec *callers;  /**< local EC: callers waiting for it (FIFO) */
    struct pt *want_pt;  /**< a waiting caller: the portal it called */
    u64 sent_msg;        /**< its message word as checked at the call (read once) */
    u64 deadline;        /**< TSC deadline of a semaphore down, 0: none */
    struct ec *to_next, *to_prev;
    bool on_timeouts;
    int wake_status;                           /**< status RAX gets when a blocked EC resumes */
    u64 fault_vector, fault_error, fault_addr; /**< last unhandled fault */
    /* ctrl_ec POSIX: a syscall whose return address is outside
     * [posix_lo, posix_hi) goes back to user mode at posix_entry (0: off;
     * else posix_lo < posix_hi <= KIDE_USER_END, posix_entry < KIDE_USER_END). */
    u64 posix_entry, posix_lo, posix_hi;
    u64 fs_base; /**< ctrl_ec FS: loaded on return to user mode (a user address or 0) */
};

struct ec *ec_create(struct pd *pd, bool global, u32 cpu, u64 utcb_addr, u64 sp, u64 ip,
                     u64 evt_base, int *rc);
void ec_retire(struct ec *ec);
void ec_free(struct ec *ec);
void ec_free_now(struct ec *ec);
/** Free ECs that another CPU released while this CPU still ran them. */
void ec_reap_zombies(void);

/** Return to user mode on this CPU as ec (which becomes current). */
noreturn void ec_resume(struct ec *ec);
/** Stop ec after an unhandled fault and tell its PD's owner. */
void ec_stop(struct ec *ec, u64 vector, u64 error, u64 addr);
/** Deliver an exception of ec (current, in its frame) to its handler. */
noreturn void ec_exception(struct ec *ec);
/** ec (dead or stopped, no callee) gives up its place in a call chain: its
 * caller resumes with KIDE_ABORTED, or the chain's SC stops if ec is the root. */
void ec_chain_abort(struct ec *ec);
/** ec, the root of a chain, got control back: drop its SC if that was retired. */
void ec_chain_returned(struct ec *ec);
/** Stop and remove ec (PD teardown or last capability gone). */
void ec_kill(struct ec *ec);
/** The SC that drives ec's chain (the root global EC's), or NULL. */
struct sc *ec_chain_sc(struct ec *ec);

/** End the call link caller -> callee and drop the references it held. The
 * two ECs may be freed by the next kobj_reap(). */
void ec_unlink_call(struct ec *caller, struct ec *callee);
/** Take ec out of the queue it waits in, dropping a queued caller's portal. */
void ec_unqueue(struct ec *ec);
/** A queued caller that will not be served: ABORTED, or stopped if it sent an
 * exception message. */
void ec_abort_queued(struct ec *w);
/** Rate limit for console reports of faults: at most a burst per second. */
bool ec_report_allowed(void);

/* Lazy FPU switching: trap handler for #NM. */
void fpu_switch(struct ec *ec);

#endif
