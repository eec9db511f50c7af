/* SPDX-License-Identifier: MIT */
/* Kide ABI: system-call numbers, argument encoding, rights and descriptors.
 *
 * Calling convention (x86_64 `syscall`):
 *   RAX  = number (bits 0-7) | flags (bits 8-15) | aux (bits 16-31)
 *   RDI, RSI, RDX, R10, R8, R9 = arguments a1..a6
 *   on return RAX = enum kide_status; results in RSI, RDX, R10 (r1..r3);
 *   RCX and R11 are clobbered, all other registers are preserved.
 *   An EC with reflection on (KIDE_CTRL_EC_POSIX) has a `syscall` from
 *   outside its native range returned to its entry instead, registers
 *   untouched (docs/kernel.md, "POSIX system-call reflection").
 * Messages travel in the caller's UTCB (utcb.h); the kernel never reads or
 * writes user memory other than UTCBs, which are kernel pages.
 * Every EC has its own FPU/SSE state (x87 + SSE, FXSAVE format), switched
 * lazily by the kernel, so user code may use SSE freely.
 *
 * The per-call reference (arguments, rights, results, every status with its
 * cause, who is charged) is os/kernel/syscalls.tab, from which docs/kernel.md
 * and the dispatch table are generated. Keep this header in step with it.
 */
#ifndef KIDE_SYSCALL_H
#define KIDE_SYSCALL_H

#include "types.h"

/* System-call numbers. */
#define KIDE_SYS_CALL       0 /**< IPC call through a portal */
#define KIDE_SYS_REPLY      1 /**< reply to the caller and wait for the next call */
#define KIDE_SYS_CREATE_PD  2
#define KIDE_SYS_CREATE_EC  3
#define KIDE_SYS_CREATE_SC  4
#define KIDE_SYS_CREATE_PT  5
#define KIDE_SYS_CREATE_SM  6
#define KIDE_SYS_DELEGATE   7 /**< delegate a capability range into another PD */
#define KIDE_SYS_REVOKE     8 /**< recursively revoke a capability range */
#define KIDE_SYS_LOOKUP     9 /**< describe what the caller holds at a selector/page/port */
#define KIDE_SYS_CTRL_PD    10
#define KIDE_SYS_CTRL_EC    11
#define KIDE_SYS_CTRL_SC    12
#define KIDE_SYS_CTRL_SM    13
#define KIDE_SYS_ASSIGN_GSI 14 /**< route an interrupt to a CPU */
#define KIDE_SYS_NULL       15 /**< does nothing; for measuring entry and exit */
#define KIDE_SYS_CLOCK      16 /**< monotonic nanoseconds since boot */
#define KIDE_SYS_ASSIGN_DEV 17 /**< confine a PCI function's DMA to a PD's memory (IOMMU) */
#define KIDE_SYS_COUNT      18

/* Helpers to build RAX. */
#define KIDE_SYS_WORD(nr, flags, aux)                                                              \
    ((kide_u64)(nr) | ((kide_u64)(flags) << 8) | ((kide_u64)(aux) << 16))

/* ---------------------------------------------------------------------------
 * Capability range descriptors (CRD): what to delegate, revoke or receive.
 *   bits 0-1   kind: 0 null, 1 object, 2 memory, 3 I/O ports
 *   bits 2-6   permission mask (meaning depends on kind / object type)
 *   bits 7-11  order: the range covers 2^order selectors, pages or ports
 *   bits 12-63 base: selector, page number (address >> 12) or port;
 *              base must be aligned to 2^order
 */
#define KIDE_CRD_NULL 0
#define KIDE_CRD_OBJ  1
#define KIDE_CRD_MEM  2
#define KIDE_CRD_IO   3

#define KIDE_CRD(kind, base, order, perm)                                                          \
    ((kide_crd)(kind) | ((kide_crd)((perm)&0x1f) << 2) | ((kide_crd)((order)&0x1f) << 7) |         \
     ((kide_crd)(base) << 12))
#define KIDE_CRD_KIND(c)  ((unsigned)((c)&3))
#define KIDE_CRD_PERM(c)  ((unsigned)(((c) >> 2) & 0x1f))
#define KIDE_CRD_ORDER(c) ((unsigned)(((c) >> 7) & 0x1f))
#define KIDE_CRD_BASE(c)  ((kide_u64)(c) >> 12)

/* Memory permissions (KIDE_CRD_MEM). */
#define KIDE_MEM_R   1
#define KIDE_MEM_W   2
#define KIDE_MEM_X   4
#define KIDE_MEM_RWX 7
/** Device memory: the kernel maps it uncacheable (PCD | PWT). An attribute
 * of the range, not a right: the root's device ranges carry it from boot and
 * every delegation inherits it, so RAM is never mapped uncacheable. lookup
 * reports it in the found descriptor's permission field; masks ignore it. */
#define KIDE_MEM_DEV 0x10

/* I/O permission (KIDE_CRD_IO). */
#define KIDE_IO_ACCESS 1

/* Object types, as reported by KIDE_SYS_LOOKUP. */
#define KIDE_OBJ_NONE 0
#define KIDE_OBJ_PD   1
#define KIDE_OBJ_EC   2
#define KIDE_OBJ_SC   3
#define KIDE_OBJ_PT   4
#define KIDE_OBJ_SM   5

/* Object permissions (KIDE_CRD_OBJ), per type. All five bits = all rights. */
#define KIDE_PERM_ALL    0x1f
#define KIDE_PD_CREATE   0x01 /**< create objects in / charged to this PD */
#define KIDE_PD_DELEGATE 0x02 /**< delegate capabilities into this PD */
#define KIDE_PD_CTRL     0x04 /**< read and move its kernel-memory quota */
#define KIDE_EC_CTRL     0x01 /**< recall, query */
#define KIDE_EC_BIND_SC  0x02 /**< create a scheduling context for it */
#define KIDE_EC_BIND_PT  0x04 /**< create a portal bound to it */
#define KIDE_SC_CTRL     0x01 /**< change priority, budget, period */
#define KIDE_SC_TIME     0x02 /**< read consumed time */
#define KIDE_PT_CALL     0x01 /**< call through the portal */
#define KIDE_SM_UP       0x01
#define KIDE_SM_DOWN     0x02
#define KIDE_SM_ASSIGN   0x04 /**< route its interrupt (interrupt semaphores only) */

/* ---------------------------------------------------------------------------
 * Per-call flags (RAX bits 8-15) and operations.
 */
#define KIDE_EC_GLOBAL 0x01 /**< create_ec: a thread with its own SC; else a portal handler */

#define KIDE_REVOKE_SELF 0x01 /**< revoke: also remove the caller's own capabilities */

#define KIDE_SC_HARD                                                                               \
    0x80 /**< create_sc flags, or or-ed into ctrl_sc SET: a depleted SC                            \
              waits for its next period instead of running in the                                  \
              background band (SET without it makes the SC soft) */

#define KIDE_CTRL_PD_QUOTA 0 /**< r1 = limit pages, r2 = used pages */
#define KIDE_CTRL_PD_GIVE  1 /**< move a2 pages of free quota from a1's PD to PD a3 */
#define KIDE_CTRL_PD_AUDIT                                                                         \
    2 /**< checking kernel, root only: print the live objects that keep dead PDs funded by a1 from \
         being freed (the stock kernel answers BAD_SYSCALL) */

#define KIDE_ASSIGN_DEV_QUERY 0 /**< r1 = DMA remapping units (0: no IOMMU) */
#define KIDE_ASSIGN_DEV_PD    1 /**< the function's DMA reaches PD a1's RAM only */
#define KIDE_ASSIGN_DEV_CALLER                                                                     \
    2                           /**< ... the RAM of the PD calling the caller (a portal handler)   \
                                 */
#define KIDE_ASSIGN_DEV_BLOCK 3 /**< the function's DMA reaches nothing */

#define KIDE_CTRL_EC_QUERY  0 /**< r1 = state, r2 = fault vector | error << 32, r3 = fault addr */
#define KIDE_CTRL_EC_RECALL 1 /**< force the EC into its recall exception handler */
/** Reflect the EC's `syscall`s: one whose return address lies outside
 * [a3, a4) returns to user mode at a2 with RCX = that return address,
 * R11 = RFLAGS and every other register unchanged (a2 = 0: off). a1 = 0
 * names the calling EC. docs/kernel.md, "POSIX system-call reflection". */
#define KIDE_CTRL_EC_POSIX 2
/** a2 = the EC's FS base (user address or 0), loaded whenever it returns to
 * user mode. a1 = 0 names the calling EC. ECs start with 0. */
#define KIDE_CTRL_EC_FS 3

#define KIDE_CTRL_SC_TIME 0 /**< r1 = consumed ns, r2 = budget ns, r3 = period ns */
#define KIDE_CTRL_SC_SET  1 /**< a2 = prio, a3 = budget ns, a4 = period ns */

#define KIDE_CTRL_SM_UP        0
#define KIDE_CTRL_SM_DOWN      1 /**< a2 = absolute deadline in ns (0: wait forever) */
#define KIDE_CTRL_SM_DOWN_ZERO 2 /**< like DOWN but take all pending counts at once */

/* EC states reported by KIDE_CTRL_EC_QUERY. */
#define KIDE_EC_STATE_READY   0 /**< runnable or running */
#define KIDE_EC_STATE_BLOCKED 1 /**< waiting on a semaphore or a reply */
#define KIDE_EC_STATE_IDLE    2 /**< portal handler waiting for a call */
#define KIDE_EC_STATE_STOPPED 3 /**< stopped after an unhandled fault */
#define KIDE_EC_STATE_DEAD    4 /**< its PD was destroyed */

/* Scheduling. */
#define KIDE_PRIO_MAX   127         /**< priorities 0 (lowest) .. 127 */
#define KIDE_SC_MIN_NS  100000ull   /**< smallest budget or period: 100 us */
#define KIDE_QUANTUM_NS 10000000ull /**< round-robin time slice: 10 ms */

/* Exception vectors delivered through the portal at evt_base + vector. */
#define KIDE_EXC_PF     14
#define KIDE_EXC_RECALL 32 /**< ctrl_ec RECALL */
#define KIDE_EXC_COUNT  33 /**< portals evt_base .. evt_base + 32 */

/* Limits. */
#define KIDE_CAP_SLOTS 65536u /**< selectors 1 .. 65535 per PD; 0 is never valid */
#define KIDE_MAX_CPUS  16u
#define KIDE_USER_END  0x0000800000000000ull /**< user addresses are below */
#define KIDE_PAGE_SIZE 4096ull

#endif
