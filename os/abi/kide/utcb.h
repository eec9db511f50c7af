/* SPDX-License-Identifier: MIT */
/* Kide ABI: the user thread control block (UTCB), the message buffer of an EC.
 *
 * Every EC has one UTCB page, allocated by the kernel and mapped read-write at
 * the address given to create_ec. A call copies `untyped` words from the
 * caller's UTCB to the handler's, then performs `typed` delegation items; a
 * reply does the same in the other direction. Items are delegated into the
 * receiver's window `rcv_crd` at offset `hotspot`; items that do not fit the
 * window are dropped and counted in the receiver's `msg` bits 24-31.
 */
#ifndef KIDE_UTCB_H
#define KIDE_UTCB_H

#include "types.h"

#define KIDE_UTCB_WORDS 508u

/* msg word layout */
#define KIDE_MSG(untyped, typed) ((kide_u64)(untyped) | ((kide_u64)(typed) << 16))
#define KIDE_MSG_UNTYPED(m)      ((unsigned)((m)&0x3ff))
#define KIDE_MSG_TYPED(m)        ((unsigned)(((m) >> 16) & 0xff))
#define KIDE_MSG_DROPPED(m)      ((unsigned)(((m) >> 24) & 0xff))
/* Reply to an exception: apply the (modified) state in words[], or stop the EC.
 * A reply with neither flag resumes the EC with its state unchanged (for
 * example after a page fault handler mapped the missing page). */
#define KIDE_MSG_EXC_UPDATE (1ull << 32)
#define KIDE_MSG_EXC_STOP   (1ull << 33)

/** One delegation item: two words after the untyped words. */
struct kide_typed_item {
    kide_crd crd;     /**< what to delegate from the sender's space (perm = mask) */
    kide_u64 hotspot; /**< offset (in selectors, pages or ports) into the receive window */
};

struct kide_utcb {
    kide_u64 msg;     /**< KIDE_MSG(untyped, typed) | flags */
    kide_crd rcv_crd; /**< where typed items may land in this EC's PD */
    kide_u64 tls;     /**< free for the user runtime (thread pointer) */
    kide_u64 reserved;
    kide_u64 words[KIDE_UTCB_WORDS];
};

/** The state an exception message carries in words[] (KIDE_EXC_WORDS words). */
struct kide_exc_state {
    kide_u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, rsp;
    kide_u64 r8, r9, r10, r11, r12, r13, r14, r15;
    kide_u64 rip, rflags;
    kide_u64 vector;     /**< exception vector, or KIDE_EXC_RECALL */
    kide_u64 error;      /**< hardware error code (page faults: P/W/U/I bits) */
    kide_u64 fault_addr; /**< CR2 for page faults */
};
#define KIDE_EXC_WORDS (sizeof(struct kide_exc_state) / 8)

_Static_assert(sizeof(struct kide_utcb) == 4096, "UTCB is one page");

#endif
