/* SPDX-License-Identifier: MIT */
/* core's internals: accounts, their memory and their kernel objects.
 *
 * core runs on the component runtime's shared objects with its own backend
 * (runtime.c): selectors (kide_sel_alloc) and semaphores (kide_sm_create)
 * are the runtime's, as in every component.
 *
 * core serves with one handler EC per CPU (core_handler_ec(cpu)): IPC never
 * crosses CPUs, so each portal goes to the handler on its caller's CPU. All
 * of core's data is guarded by one lock (a semaphore, core_lock in
 * service.c) that every portal call holds from entry to reply; calls on one
 * CPU are serialised by the kernel anyway, which queues callers of a busy
 * handler in FIFO order.
 *
 * Each account owns a block of ACC_SELS selectors in core's capability space
 * holding every kernel object core made for it (PD, EC, SC, portals,
 * semaphores). Destroying an account revokes the block in one call, which
 * also removes every copy the component or its owner passed on.
 */
#ifndef CORE_H
#define CORE_H

#include <kide/base.h>
#include <kide/component.h>
#include <kide/core.h>
#include <kide/parent.h>
#include "rt.h" /* the runtime's internals: core is its backend (runtime.c) */

extern char _start[]; /* crt0: where every EC of core, handlers included, enters */

/* runtime.c: core's backend of the component runtime */
/** The boot info the kernel handed core. */
extern const struct kide_boot_info *core_bootinfo;
/** Create core's handler EC for each CPU and its parking semaphore. */
int core_handlers_init(void);
/** core's handler EC on a CPU (every portal core makes binds to one). */
kide_sel core_handler_ec(unsigned cpu);
/** core's start (main.c), on the root EC; it parks when this returns. */
void core_main(const struct kide_boot_info *bi);
/** Every portal call on core's handler ECs (service.c). */
void core_portal_entry(u64 id, u64 msg, struct kide_utcb *u);

#define ACC_MAX      240  /**< selector blocks, so live accounts (one block each) */
#define ACC_SELS     256  /**< selectors per account block */
#define ACC_SEL_BASE 4096 /**< block i is ACC_SEL_BASE + i * ACC_SELS */
/* Offsets inside a block. */
#define ACC_PD           0
#define ACC_EC           1
#define ACC_SC           2
#define ACC_SIGNAL       3
#define ACC_OWNER_PT     4
#define ACC_CHILDREN_SM  5
#define ACC_SELF_PT      6
#define ACC_DYN_FIRST    8  /**< handlers, portals and semaphores from here */
#define ACC_EVT          64 /**< 33 exception portals */
#define ACC_MAX_HANDLERS 16
#define ACC_EXT_MAX      8 /**< extra blocks of dynamic selectors an account may hold */
#define ACC_THREADS      (KIDE_CORE_MAX_THREADS - 1) /**< KIDE_CORE_THREAD threads per account */
/** The smallest budget a thread's share is given in (acc_thread_sc). */
#define CORE_THREAD_BUDGET_NS 1000000ull
/** Pages a RAM_ALLOC places per hold of core's lock (1.5-12 ms under TCG). */
#define CORE_GROW_STEP 256
/** Pages RAM_FREE and DESTROY free per hold: fewer, as each is a revoke whose TLB
 *  shoot-down waits for the other CPUs (up to ms each under a loaded TCG). */
#define CORE_FREE_STEP 32

/* Portal ids are (slot + 1) << 48 | generation << 8 | one of these (acc_pt_id). */
#define PT_SELF      0
#define PT_OWNER     1
#define PT_EXC       16 /**< + vector */
#define ACC_GEN_MASK 0xffffffffffull

struct page_leaf; /* records of an account's pages, memory.c */
struct log_ring;  /* its newest LOG lines, logring.c */

struct account {
    bool used;
    u64 gen;                /**< new for every account in the slot (ACC_GEN_MASK bits) */
    unsigned index;         /**< selector block */
    struct account *parent; /**< funder and owner; NULL for init */
    struct account *first_child, *next_sibling;
    char name[KIDE_CORE_NAME_MAX + 1];
    char label[KIDE_LABEL_MAX + 1];
    char binary[KIDE_NAME_MAX + 1];
    char args[KIDE_ARGS_MAX + 1];
    enum kide_acc_state state;
    bool loaded;
    bool from_pages; /**< loaded by LOAD_PAGES: binary names no boot module */
    u64 entry;
    /* RAM, bytes */
    u64 ram_quota, ram_used; /**< used = own pages + children's quotas */
    u64 yield_request;       /**< bytes the owner still wants back */
    struct page_leaf *pages; /**< root of the tree of page records (memory.c) */
    u64 leaves;              /**< record pages in it, charged to ram_used */
    int ram_node;            /**< NUMA policy: the node RAM comes from first, -1: any */
    bool ram_strict;         /**< only from ram_node (else the others when it is full) */
    u64 ram_on_node[KIDE_BOOT_MAX_NODES]; /**< bytes of its own pages per node */
    u64 config_size;
    /* kernel memory, pages */
    u64 caps_quota;
    /* CPU */
    unsigned cpu;            /**< the CPU it runs on (KIDE_OWN_AFFINITY) */
    u64 cpu_pct;             /**< percent of the parent's share (or of its CPU) */
    u64 share_ppm;           /**< absolute share of its CPU, parts per million */
    unsigned prio_req, prio; /**< requested and effective priority */
    u64 final_ns;            /**< CPU time when its threads ended (all of them) */
    /* KIDE_CORE_THREAD threads: each a global EC with its own SC; the account's budget
     * is split among the main EC and them (acc_split_cpu). Slot i's id is
     * generation << 8 | i, so a stale id never names a later thread. */
    struct acc_thread {
        bool live;
        kide_sel ec, sc; /**< core's selectors (dynamic) */
        u64 id;
    } threads[ACC_THREADS];
    unsigned nthreads;    /**< live ones */
    u64 thread_gen;       /**< the last generation handed out */
    u64 threads_ended_ns; /**< CPU time of its ended threads */
    u64 reaped_ns;        /**< subtree CPU time of destroyed sub-accounts */
    bool sc_live;
    /* the end */
    u64 exit_code, exit_signal, fault_vector, fault_addr, fault_ip;
    u64 boot_ns;
    /* Selector blocks (finding 14): core's capability space holds ACC_MAX blocks.
     * An account has a share of them (blocks) from its creator, out of which it
     * pays its sub-accounts (1 + their share each) and its extra blocks of
     * dynamic selectors. Invariant: blocks_used <= blocks; init's share is every
     * block but its own, so one subtree can never take another's blocks. */
    u64 blocks, blocks_used;
    u64 caps_given; /**< caps quota of its live sub-accounts (for their shares) */
    /* dynamic selectors: in its own block, then in extra blocks */
    u64 dyn_used[ACC_SELS / 64];
    unsigned ext_block[ACC_EXT_MAX]; /**< indexes of its extra blocks */
    u64 ext_used[ACC_EXT_MAX][ACC_SELS / 64];
    unsigned exts;
    kide_sel handler_ec[ACC_MAX_HANDLERS];
    kide_sel self_pt_on[KIDE_MAX_CPUS]; /**< KIDE_CORE_SELF portals (core's selector, 0: none) */
    u64 handler_ip[ACC_MAX_HANDLERS];
    unsigned handlers;
    bool children_sm; /**< its children semaphore exists */
    bool devices;     /**< may take I/O ports, device memory and interrupts */
    bool platform;    /**< may take PCI configuration (KIDE_CORE_PCI_CONFIG) */
    bool dying;       /**< a DESTROY under way stopped its threads: no RAM_ALLOC goes on */
    bool reclaimed;   /**< a DESTROY under way freed all its pages */
    /** Boot modules it may map (ROM) besides `binary` (KIDE_OWN_ROM); init: all. */
    char roms[KIDE_CORE_ROM_MAX][32];
    unsigned nroms;
    struct log_ring *ring; /**< its log ring (logring.c), or NULL */
    bool ring_refused;     /**< its quota had no room for one at its first line */
};

/* account.c */
extern struct account *acc_init;
kide_sel acc_sel(const struct account *a, unsigned off);
struct account *acc_alloc(struct account *parent, const char *name);
/** Create the PD and the fixed objects; funded from the parent's PD. */
int acc_create_objects(struct account *a, u64 caps);
/** Move a created, not yet started account to another CPU: its self and exception
 *  portals are made again on that CPU's handler and delegated again. */
int acc_set_cpu(struct account *a, unsigned cpu);
/** The live direct sub-account of a with id `id` (KIDE_CORE_CHILD's), or NULL. */
struct account *acc_child(struct account *a, u64 id);
/** The id of the account's portal `sub` (PT_*). */
u64 acc_pt_id(const struct account *a, unsigned sub);
/** The live account a portal id names (same generation), or NULL; *sub = its PT_*. */
struct account *acc_by_pt_id(u64 id, unsigned *sub);
/** Number of CPUs (from the boot info). */
unsigned core_cpus(void);
void acc_destroy(struct account *a);
/** One step of DESTROY before acc_destroy: the first stops the threads of a's whole
 *  subtree (no call of theirs can start), later ones free up to max_pages pages of
 *  one account of it. False when nothing is left. */
bool acc_reclaim_step(struct account *a, u64 max_pages);
/** A free dynamic selector of the account (in its block, else in an extra block taken
 *  from its share), or 0. */
kide_sel acc_dyn_alloc(struct account *a);
/** Give back a dynamic selector whose object is gone (or was never made). */
void acc_dyn_free(struct account *a, kide_sel sel);
/** The share of selector blocks a new sub-account of a with `caps` gets (its creator
 *  pays 1 + that), or false when a has no block left to pay with. */
bool acc_block_share(const struct account *a, u64 caps, u64 *share);
void acc_compute_share(struct account *a);
/** Whether parent's children on `cpu`, with `self` (NULL: a new one) at `pct`,
 * add up to at most 100% of what they divide (the parent's share on its own
 * CPU, the whole CPU elsewhere). Every change of a share or a CPU checks it,
 * so a component cannot multiply its CPU time by creating sub-accounts. */
bool acc_cpu_fits(const struct account *parent, unsigned cpu, const struct account *self, u64 pct);
int acc_apply_cpu(struct account *a);
/** CPU time of all its threads: the main EC's, the live threads', the ended ones'. */
u64 acc_cpu_ns(struct account *a);
/** The main EC's time plus every ended thread's (THREADS' first word). */
u64 acc_main_ns(struct account *a);
/** Live thread slot i's time (0 if none). */
u64 acc_thread_ns(struct account *a, unsigned i);
/** CPU time of the account, its sub-accounts, and destroyed sub-accounts. */
u64 acc_tree_ns(struct account *a);
/** SC budget for the account's share of its CPU. */
u64 acc_budget_ns(const struct account *a);
/** End the account's threads (exit or fault): record its CPU time, revoke EC, SC, handlers. */
void acc_stop_threads(struct account *a);
/** The budget and period of each of n threads sharing the account's budget: their
 *  shares add up to at most the account's (docs/core.md "Threads"). */
void acc_thread_sc(const struct account *a, unsigned n, u64 *budget, u64 *period);
/** Apply acc_thread_sc to the main SC and every thread SC (ctrl_sc SET) for n threads. */
int acc_split_cpu(struct account *a, unsigned n);
/** End thread slot i of the account: its time kept, EC and SC revoked, the rest re-split. */
void acc_thread_end(struct account *a, unsigned i);
/** Caps quota pages used (granted minus the PD's free kernel pages). */
u64 acc_caps_used(struct account *a);
/** Notify an account's owner (its children semaphore). */
void acc_notify_owner(struct account *a);
unsigned acc_live(void);

/* memory.c */
/** Map `bytes` of fresh RAM at va in the account, charged to its RAM quota. */
int mem_alloc(struct account *a, u64 va, u64 bytes, unsigned perm);
/** A RAM allocation done in steps, so core's lock is released in between. */
struct mem_grow {
    u64 vpn, pages; /**< the range, in pages */
    u64 done;       /**< pages placed (or, after a failure, undone) so far */
    unsigned perm;  /**< KIDE_MEM_* of the pages */
    int status;     /**< KIDE_OK, or the failure being undone */
    bool active;    /**< steps remain */
};
/** Check, reserve the range and charge the whole allocation (O(pages), no page
 *  taken yet). After OK, mem_grow_step until it returns false; then g->status. */
int mem_grow_start(struct account *a, u64 va, u64 bytes, unsigned perm, struct mem_grow *g);
/** Place (or undo) up to max_pages pages; true while steps remain. */
bool mem_grow_step(struct account *a, struct mem_grow *g, u64 max_pages);
/** Free every page of the account inside [va, va + bytes); returns bytes freed. */
u64 mem_free(struct account *a, u64 va, u64 bytes);
/** As mem_free, at most max_pages pages; *more: pages of the range may be left. */
u64 mem_free_some(struct account *a, u64 va, u64 bytes, u64 max_pages, bool *more);
/** Free all pages of the account. */
void mem_free_all(struct account *a);
/** core's view (identity address) of the account's page at va, or NULL. */
void *mem_ptr(struct account *a, u64 va);
/** The same for a page of the account's own RAM only (not a boot module's, not a
 *  device's, not one a RAM_ALLOC is still placing), or NULL. */
void *mem_ram_ptr(struct account *a, u64 va);
/** True if the account has a page at va. */
bool mem_has(struct account *a, u64 va);
u64 mem_ram_free_bytes(void);
/** RAM_PROTECT: perm R, RW, RX, RWX or 0 (unmapped, kept) for [va, va + bytes), every page
 *  the account's own RAM (else BAD_ADDR, nothing changed). O(pages + L' log L). */
int mem_protect(struct account *a, u64 va, u64 bytes, u64 perm);

/* pages.c: core's RAM per NUMA node (the only page allocator core uses) */
/** Take the RAM and the topology from the boot info (before anything allocates). */
void pages_init(const struct kide_boot_info *bi);
/** A zeroed page: from `node` first (-1: the node of `near_cpu`), then from the
 *  others unless strict (and node >= 0); 0 if none is left. */
u64 pages_alloc(int node, bool strict, unsigned near_cpu);
void pages_free(u64 pa);
unsigned pages_nodes(void);
unsigned pages_node_of(u64 pa);
unsigned pages_cpu_node(unsigned cpu);
u64 pages_free_bytes(unsigned node);
u64 pages_total_bytes(unsigned node);
u64 pages_free_all_bytes(void);

/** Map pages of a boot module read-only at va (not charged, never freed alone). */
int mem_map_rom(struct account *a, u64 va, u64 phys, u64 bytes, unsigned perm);

/* devices.c */
int dev_io_port(struct account *a, u64 base, u64 count);
int dev_irq(struct account *a, u64 gsi, kide_sel sel, u64 mode);
/** Map device memory [phys, phys + bytes) at va in the account (KIDE_CORE_IO_MEM). */
int dev_io_mem(struct account *a, u64 phys, u64 bytes, u64 va);
/** An MSI semaphore at sel in the account; *rep gets its address, data and index. */
int dev_msi(struct account *a, kide_sel sel, struct kide_core_msi_rep *rep);
/** PCI configuration access for the platform driver (KIDE_CORE_PCI_CONFIG). */
int dev_pci_config(struct account *a, struct kide_core_pci_config_rep *rep);
/** Map device pages (mem.c): like mem_map_rom, read/write, uncacheable by the kernel. */
int mem_map_dev(struct account *a, u64 va, u64 phys, u64 bytes);
/** Forget the account's devices (its PD, and with it the access, is gone). */
void dev_release(struct account *a);

/* load.c */
int load_program(struct account *a, const char *rom);
/** KIDE_OWN_LOAD_PAGES: load sub-account a from the ELF image in [addr, addr + size)
 *  of its owner's own RAM, through a snapshot charged to a; `name` goes to the
 *  info page as the binary. */
int load_pages(struct account *a, u64 addr, u64 size, const char *name);
int load_config(struct account *a, u64 total, u64 offset, const void *data, u64 len);
int load_start(struct account *a);
const struct kide_boot_module *rom_find(const char *name);
/** Whether the account may map boot module `name` (finding 17): init any, others
 *  the module they were loaded from and those their owner named. */
bool rom_allowed(const struct account *a, const char *name);
/** KIDE_OWN_ROM: let sub-account c map `name`. */
int rom_allow(struct account *c, const char *name);

/* hold.c: core's lock, every hold timed */
/** Longest hold allowed in the checking build (core-test, core-fuzz): over it the run fails. */
#define HOLD_BOUND_MS 1000u
/** Calibrate the TSC and create the lock. */
int hold_init(void);
void hold_take(void);
/** Let go; `op` names what held it (the longest hold is kept, STATS w6). */
void hold_drop(const char *op);
/** The longest hold so far in microseconds, and what held it. */
u64 hold_longest_us(const char **op);

/* service.c */
/** Create core's lock (before the first account exists). */
int service_init(void);
extern u64 core_ram_total;
/* LOG: log.h */

#endif
