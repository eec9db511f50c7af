/* SPDX-License-Identifier: MIT */
/* krt: the kernel-test runtime, on top of the base library (kide/base.h).
 *
 * A selector and a page allocator for the root, threads and portal handlers,
 * and (krt/spawn.h) an ELF loader that starts boot modules as child PDs.
 * Everything here is single-address-space and lock-free.
 *
 * Conventions every program built on krt follows (crt0.S):
 *  - the root starts with RDI = KIDE_ROOT_BOOTINFO and calls krt_root_main();
 *  - any other EC starting at _start with RDI = 0 is a thread: the word at its
 *    initial RSP holds its UTCB address, whose `tls` word points to its
 *    struct krt_ec (0 for a child's main thread, which calls krt_child_main());
 *  - an EC starting at _start with RDI != 0 is a portal handler: RDI = portal
 *    id, RSI = message word, the word at RSP = its UTCB; it calls
 *    krt_portal_entry() and then replies.
 */
#ifndef KRT_H
#define KRT_H

#include <kide/base.h>

/* --- crt0 hooks, provided by the program --------------------------------- */
/** Root program entry (RDI = boot info). */
BASE_NORETURN void krt_root_main(const struct kide_boot_info *bi);
/** Child program entry: every global EC of a PD started by krt_spawn() whose
 *  UTCB tls is 0 (all of them: the root cannot write a child's UTCB). The
 *  EC's index is (utcb - KRT_CHILD_UTCBS) / 4096; 0 is the main EC. */
BASE_NORETURN void krt_child_main(struct kide_utcb *utcb);
/** Portal handler body; krt replies with the UTCB's msg when it returns. */
void krt_portal_entry(u64 id, u64 msg, struct kide_utcb *utcb);

/* --- selectors and pages (the root; children may use them too) ----------- */
/** Set up the allocators: selectors from KIDE_ROOT_SEL_FREE, RAM from boot info
 *  minus the root's reserved pages (base_root_reserve). Root only. */
void krt_root_init(const struct kide_boot_info *bi);
/** The boot info (root only; NULL in children). */
extern const struct kide_boot_info *krt_bootinfo;
/** Allocate 2^order naturally aligned free selectors; 0 if none. */
kide_sel krt_sel_alloc(unsigned order);
/** Return selectors taken by krt_sel_alloc (their capabilities must be gone). */
void krt_sel_free(kide_sel sel, unsigned order);
/** Allocate one zeroed page of identity-mapped RAM; 0 if none. */
u64 krt_page_alloc(void);
/** Return a page (nothing else may still map it). */
void krt_page_free(u64 addr);
/** Physical address behind a virtual address of the caller, or ~0 if unmapped
 *  (base_phys_of). */
u64 krt_phys_of(u64 va);
/** Pages on the free list (for leak checks). */
u64 krt_pages_free(void);
/** Pages krt_page_alloc can still hand out: the free list plus RAM not yet reached. */
u64 krt_pages_available(void);

/* --- ECs: root threads, handler ECs and exception records ---------------- */
struct krt_ec;
/** What an exception handler does with a fault: return the reply msg word
 *  (0 resume, KIDE_MSG_EXC_STOP, or KIDE_MSG_EXC_UPDATE with *st modified). */
typedef u64 (*krt_exc_policy)(struct krt_ec *ec, struct kide_exc_state *st);

/** Header of every object a krt portal id points at (ids are pointer | sub). */
struct krt_pt_hdr {
    /** Called in the handler EC; sets utcb->msg etc. for the reply. */
    void (*fn)(struct krt_pt_hdr *self, unsigned sub, u64 msg, struct kide_utcb *utcb);
} __attribute__((aligned(64)));

#define KRT_EXIT_MAGIC 0x4b45584954ull /**< RAX of a krt_exit() #UD */

/** Calls that reached a handler after their portal's record was cleared
 *  (a destroyed child's, before krt_spawn set it up again): answered STOP. */
extern u64 krt_late_calls;

/** One EC the root manages: a root thread, a handler EC or a child's EC. */
struct krt_ec {
    struct krt_pt_hdr hdr;   /**< exception portals' ids point here | vector */
    kide_sel ec;             /**< root's EC capability */
    kide_sel sc;             /**< root's SC capability (0 for local ECs) */
    kide_sel evt;            /**< root's 64-selector block of exception portals, or 0 */
    unsigned cpu;            /**< CPU it is bound to */
    struct kide_utcb *utcb;  /**< its UTCB (valid in the root only for root ECs) */
    u64 stack;               /**< root page address of its stack (root ECs) */
    struct krt_child *child; /**< owning child PD, or NULL for root ECs */
    /* exception record, written by the handler EC */
    volatile u64 exc_count;     /**< exceptions delivered so far */
    struct kide_exc_state last; /**< state of the last exception */
    volatile u64 exc_msg;       /**< msg word the last exception arrived with */
    volatile int exited;        /**< it ended with krt_exit() */
    volatile u64 exit_code;     /**< its exit code */
    krt_exc_policy policy;      /**< what to do on an exception (NULL: stop) */
    void *policy_arg;           /**< for the policy */
    kide_sel exc_sm;            /**< root SM upped after each exception, or 0 */
    /* thread body (root threads) */
    void (*fn)(struct krt_ec *self); /**< thread body */
    u64 arg[4];                      /**< arguments for the body */
    volatile u64 result[4];          /**< results the body leaves */
    kide_sel done_sm;                /**< upped when the body returns */
    volatile int done;               /**< body returned */
} __attribute__((aligned(64)));

/** Create the root's handler EC for each CPU (exception portals bind to them)
 *  and the root's parking semaphore. Call after krt_root_init(). */
int krt_handlers_init(void);
/** The root's handler EC selector for a CPU. */
kide_sel krt_handler_ec(unsigned cpu);
/** Create 33 exception portals in the root bound to the handler EC of
 *  ec->cpu, ids = ec | vector; sets ec->evt. Returns a status. */
int krt_evt_create(struct krt_ec *ec);
/** Revoke an EC's exception portals (no-op without). */
void krt_evt_destroy(struct krt_ec *ec);
/** Start a root thread: global EC on `cpu` at priority `prio` with a full
 *  budget, exception portals bound to the handler on its CPU, running fn.
 *  hard/budget/period: 0 budget means budget = period = 10 ms. Returns a status. */
int krt_thread_start(struct krt_ec *t, unsigned cpu, unsigned prio, void (*fn)(struct krt_ec *));
int krt_thread_start_sc(struct krt_ec *t, unsigned cpu, unsigned prio, unsigned sc_flags,
                        u64 budget, u64 period, void (*fn)(struct krt_ec *));
/** Destroy a root thread's EC, SC and portals and free its stack. */
void krt_thread_destroy(struct krt_ec *t);
/** Create a local (handler) EC in the root on cpu with a fresh UTCB and stack. */
int krt_local_ec(struct krt_ec *h, unsigned cpu);
/** Block the calling EC forever (threads whose body returned). */
BASE_NORETURN void krt_park(void);
/** Down a semaphore with a deadline `ms` from now; returns the status. */
int krt_sm_wait(kide_sel sm, u64 ms);
/** Block for about `ms` milliseconds (down on a private semaphore with a deadline). */
void krt_sleep_ms(u64 ms);
/** A fresh UTCB address in the root's space (never reused). */
u64 krt_utcb_alloc(void);
/** Root: create a semaphore charged to the root; returns its selector or 0. */
kide_sel krt_sm_create(u64 count);
/** Root: revoke (with SELF) one object selector and free it. */
void krt_cap_drop(kide_sel sel);

/* --- system-call reflection (ctrl_ec POSIX; rt/posix.c) ------------------- */
/** The root's image, linker symbols of user.ld: the native range of tests. */
extern char __image_start[], __image_end[];
/** The foreign function's code (copied by krt_foreign_page); its `syscall`
 *  returns to copy + (krt_foreign_after - krt_foreign_blob). */
extern const char krt_foreign_blob[], krt_foreign_after[], krt_foreign_end[];
/** Reflection entry that returns at once: `jmp *%rcx`. */
extern char krt_reflect_return[];
/** A fresh root page (below the image, executable) holding a copy of
 *  u64 f(u64 rax): `syscall` with RAX = rax, returns RAX; 0 if no page.
 *  Free it with krt_page_free. */
u64 krt_foreign_page(void);

/* --- exits ---------------------------------------------------------------- */
/** End the calling child EC: #UD with RAX = KRT_EXIT_MAGIC, RDI = code; the
 *  root's exception handler records the code and stops the EC. */
BASE_NORETURN void krt_exit(u64 code);

#endif
