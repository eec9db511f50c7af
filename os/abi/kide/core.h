/* SPDX-License-Identifier: MIT */
/* Kide ABI: how core starts a component and the protocol of core's sessions.
 *
 * core is the root task: it owns all RAM, every CPU and device, and the
 * kernel-memory quota. Everything else runs in an *account*: one PD plus the
 * RAM, kernel-memory ("caps") and CPU quota its owner gave it. Accounts form
 * a tree: core creates the root habitat's hoitaja, and every component may
 * create sub-accounts funded from its own (that is how a habitat starts its
 * children). A component talks to core through two kinds of portals:
 *
 *  - its own *self* portal (KIDE_COMP_SEL_CORE): log, RAM, quota, portal
 *    handlers, semaphores, exit, and creating sub-accounts;
 *  - an *owner* portal per sub-account it created (returned by
 *    KIDE_CORE_CHILD): load, configure, start, inspect, re-quota, destroy.
 *
 * Messages are UTCB words. Request: words[0] = operation, then arguments.
 * Reply: words[0] = enum kide_status (KIDE_OK or why not), then results.
 * Strings travel as a byte length word followed by the bytes packed
 * little-endian into words (kide_proto_put_str/get_str in the runtime).
 *
 * CPUs: an account runs on one CPU (KIDE_COMP_INFO's cpu), set by its owner
 * before START (KIDE_OWN_AFFINITY; default: the owner's CPU). IPC never crosses
 * CPUs, so core binds every portal it makes to its handler EC on the CPU of
 * whoever calls it: the self and exception portals to the account's CPU, the
 * owner portal to the owner's CPU. A component that serves callers on another
 * CPU creates a handler there (KIDE_CORE_HANDLER w6) and, for that handler's own
 * calls to core, a self portal there (KIDE_CORE_SELF); it reaches its
 * sub-accounts from there with KIDE_CORE_OWN (docs/decisions/0006-platform-contract.md).
 */
#ifndef KIDE_CORE_H
#define KIDE_CORE_H

#include "limits.h"
#include "types.h"

/* ---- a component's address space, as core loads it ----------------------- */
/* Programs are linked at 0x4000000000 (os/lib/base/user.ld); below KIDE_COMP_HEAP. */
/* The low window [KIDE_COMP_LOW, KIDE_COMP_LOW_END): RAM_ALLOC, RAM_FREE and ROM map
 * there as in the heap range. It ends where the program image starts; core never maps
 * anything of its own in it, and a program image must start at or above its end (a POSIX
 * program the component loads itself links at 0x400000). */
#define KIDE_COMP_LOW      0x0000000000010000ull
#define KIDE_COMP_LOW_END  0x0000004000000000ull
#define KIDE_COMP_HEAP     0x0000500000000000ull /**< RAM_ALLOC may map here ... */
#define KIDE_COMP_HEAP_END 0x0000600000000000ull /**< ... up to here (exclusive) */
#define KIDE_COMP_INFO     0x0000600000000000ull /**< struct kide_comp_info, read-only */
#define KIDE_COMP_CONFIG                                                                           \
    0x0000600000100000ull                /**< config JSON (info->config_size bytes), read-only */
#define KIDE_COMP_CONFIG_MAX 0x100000ull /**< at most 1 MiB of config */
#define KIDE_COMP_STACK_TOP  0x0000610000100000ull /**< main EC's stack grows down from here */
#define KIDE_COMP_STACK_SIZE 0x10000ull            /**< 64 KiB, mapped at load */
#define KIDE_COMP_UTCB                                                                             \
    0x0000700000000000ull /**< main EC's UTCB; handler UTCBs are chosen                            \
                               by the component (any free page-aligned                             \
                               address outside the ranges above) */

/* ---- a component's selectors, as core sets them up ------------------------ */
#define KIDE_COMP_SEL_CORE 1 /**< portal: the component's self session at core */
#define KIDE_COMP_SEL_PARENT                                                                       \
    2 /**< portal: the parent interface (parent.h); empty for the root habitat */
#define KIDE_COMP_SEL_SIGNAL                                                                       \
    3 /**< semaphore (DOWN): upped by core when the owner asks the component                       \
           to yield RAM, and by the parent for its own requests */
#define KIDE_COMP_SEL_EVT  64  /**< 33 exception portals (64..96) shared by all its ECs, to core */
#define KIDE_COMP_SEL_FREE 256 /**< first selector the component manages itself */

#define KIDE_COMP_INFO_MAGIC 0x4b434f4d50494e46ull /* "KCOMPINF" */

/** The info page core maps read-only at KIDE_COMP_INFO before the component runs. */
struct kide_comp_info {
    kide_u64 magic;                 /**< KIDE_COMP_INFO_MAGIC */
    kide_u64 config_size;           /**< bytes of JSON at KIDE_COMP_CONFIG (0: none, treat as {}) */
    kide_u64 cpu;                   /**< the CPU of its main EC and default handler CPU */
    kide_u64 boot_ns;               /**< kernel clock when core started it */
    kide_u64 ram_quota;             /**< RAM quota at start, bytes */
    kide_u64 caps_quota;            /**< kernel-memory quota at start, pages */
    kide_u64 cpu_quota;             /**< percent of the parent's share (of the whole CPU if the
                                         parent runs on another CPU) */
    kide_u64 priority;              /**< effective priority of its threads */
    kide_u64 handler_utcb_hint;     /**< unused address range start for handler UTCBs and stacks */
    char name[KIDE_LABEL_MAX + 1];  /**< label: path from the root habitat, e.g. "tenant-a/demo" */
    char binary[KIDE_NAME_MAX + 1]; /**< ROM name it was loaded from */
    char args[KIDE_ARGS_MAX + 1];   /**< its args (hoitaja's "args"), may be "" */
};

/* ---- self session: call KIDE_COMP_SEL_CORE -------------------------------- */
enum kide_core_op {
    /** w1 = length (<= KIDE_CORE_LOG_MAX), bytes from w2. Core prints "[label] text". */
    KIDE_CORE_LOG = 1,
    /** w1 = va (page-aligned, inside [KIDE_COMP_HEAP, KIDE_COMP_HEAP_END) or the low window
     *  [KIDE_COMP_LOW, KIDE_COMP_LOW_END), the whole range in one of them), w2 = bytes
     *  (page multiple, > 0), w3 = KIDE_MEM_* permissions (R implied).
     *  Maps fresh zeroed RAM there, charged to the RAM quota with core's records of it
     *  (docs/core.md: a 4 KiB leaf per 508 pages). core's lock is released every 256 pages;
     *  ABORTED if the account was destroyed meanwhile.
     *  -> OK, w1 = RAM used after | QUOTA (w1 = used, w2 = quota) | BAD_ADDR (outside both
     *  windows, crossing a window's end, or occupied) | BAD_PARAM. */
    KIDE_CORE_RAM_ALLOC = 2,
    /** w1 = va, w2 = bytes (the range inside one window, as RAM_ALLOC's): unmap and free
     *  every page of the caller's RAM lying wholly inside, at page granularity: part of an
     *  allocation may go, the rest stays mapped (core records every page on its own). Cost
     *  O(pages freed + leaves touched), one revoke (TLB shoot-down) per page; core's lock is
     *  released between steps. -> OK, w1 = bytes freed, w2 = RAM used after
     *  | BAD_PARAM (the range is not inside one window). */
    KIDE_CORE_RAM_FREE = 3,
    /** -> OK, w1 = RAM quota, w2 = RAM used (own pages + quota given to sub-accounts),
     *  w3 = caps quota (pages), w4 = caps used, w5 = CPU ns consumed by its threads,
     *  w6 = bytes the owner asked it to give back (0: none pending), w7 = its RAM node policy
     *  (a node or KIDE_RAM_NODE_ANY), w8 = its policy flags, w9 = n nodes, w10.. = bytes of
     *  its own pages on node 0 .. n - 1 (where its RAM really lies). */
    KIDE_CORE_QUOTA = 4,
    /** Create a portal handler (local EC) in the caller's PD and a first portal to it.
     *  w1 = ip, w2 = initial sp (the word at [sp] must hold the UTCB va: the krt crt0
     *  convention; the handler restarts with this sp on every call), w3 = UTCB va (page-aligned,
     * free), w4 = portal id (non-zero; the handler starts with RDI = id, RSI = msg word), w5 =
     * selector in the caller for the portal (PT_CALL, delegatable onwards), optional w6 = CPU
     * the handler EC is bound to (< KIDE_CORE_STATS w5; absent: the account's CPU). Its portals
     * serve callers on that CPU only. Its exception portals are the account's
     * (KIDE_COMP_SEL_EVT, on the account's CPU): a handler on another CPU that faults is
     * stopped without a report. Charged to the caller's caps quota.
     *  -> OK, w1 = handler number (for KIDE_CORE_PORTAL) | QUOTA | BUSY | BAD_ADDR | BAD_PARAM. */
    KIDE_CORE_HANDLER = 5,
    /** Another portal to an existing handler (on that handler's CPU): w1 = handler number,
     *  w2 = id, w3 = selector. -> OK | QUOTA | BUSY | BAD_PARAM. */
    KIDE_CORE_PORTAL = 6,
    /** A semaphore: w1 = selector in the caller, w2 = initial count. -> OK | QUOTA | BUSY. */
    KIDE_CORE_SM = 7,
    /** End the component: w1 = exit code (0..255; larger is recorded as 255), optional
     *  w2 = signal (0: a plain exit; 1..KIDE_SIGNAL_MAX: the program was ended by that
     *  signal, and by convention w1 = 128 + signal). Never replies; the owner is notified and
     *  reads both with KIDE_OWN_STATE (w2, w18). A signal above KIDE_SIGNAL_MAX is answered
     *  BAD_PARAM and the component does not end (the library's kide_exit_signal sends 0
     *  instead, so it still ends). */
    KIDE_CORE_EXIT = 8,
    /** Create a sub-account funded from the caller's quotas.
     *  w1 = selector for the owner portal, w2 = selector for the sub-account's PD
     *  capability (PD_DELEGATE only: the owner may delegate capabilities into it),
     *  w3 = selector for the caller's *children semaphore* (DOWN): one per caller, created
     *  by its first CORE_CHILD and delegated there; later calls pass the same selector
     *  (or 0). core ups it whenever any sub-account of the caller exits, faults, or frees
     *  RAM after a yield request; the caller then asks each with KIDE_OWN_STATE.
     *  w4 = RAM quota bytes, w5 = caps quota pages (>= KIDE_CORE_CAPS_MIN),
     *  w6 = CPU quota percent of the caller's share (0..100), w7 = priority (0..127;
     *  clamped to the caller's), then the name string (label component, <= 32 bytes).
     *  -> OK, w1 = sub-account id | QUOTA (w1: 1 RAM, 2 caps, 3 CPU: the caller's children
     *  on its CPU would add up to more than 100%, 4 the caller's share of core's selector
     *  blocks is spent: docs/core.md) | BUSY | BAD_PARAM. */
    KIDE_CORE_CHILD = 9,
    /** Core-wide numbers (for leak checks and the report): -> OK, w1 = free RAM bytes,
     *  w2 = total RAM bytes, w3 = free kernel-memory pages of core, w4 = live accounts,
     *  w5 = number of CPUs (valid CPU numbers are 0 .. w5 - 1), w6 = the longest hold of
     *  core's lock so far in microseconds (docs/core.md). */
    KIDE_CORE_STATS = 10,
    /** CPU time of each thread of the caller: -> OK, w1 = n (1 + its live KIDE_CORE_THREAD
     *  threads, <= KIDE_CORE_MAX_THREADS), w2 = ns of the main EC plus every ended thread's,
     *  w3.. = ns of each live thread (creation slots in order). They add up to QUOTA's w5. */
    KIDE_CORE_THREADS = 11,
    /** I/O ports for a driver: w1 = first port, w2 = count (a power of two, the first
     *  port aligned to it). Delegated into the caller; exclusive until it is destroyed.
     *  -> OK | DENIED (no device right) | BUSY (another account holds one of them) | BAD_PARAM. */
    KIDE_CORE_IO_PORT = 12,
    /** An interrupt: w1 = GSI (< KIDE_ROOT_GSIS), w2 = selector in the caller for its
     *  semaphore (SM_DOWN; each down unmasks the interrupt again), w3 = mode (bit 0 level
     *  triggered, bit 1 active low). Routed to the account's CPU; exclusive.
     *  -> OK | DENIED | BUSY | BAD_PARAM. */
    KIDE_CORE_IRQ = 13,
    /** Map a boot module read-only: w1 = va (page-aligned, heap range), then the name
     *  string: the module the component was loaded from, or one its owner named with
     *  KIDE_OWN_ROM (init: any). Its pages are shared and not charged; core's records of them are
     * (RAM quota, docs/core.md); RAM_FREE leaves it alone (it goes when the component does).
     *  The module's pages must lie inside the heap range or inside the low window
     *  [KIDE_COMP_LOW, KIDE_COMP_LOW_END).
     *  -> OK, w1 = its size in bytes | NOT_FOUND (KIDE_NOT_FOUND, parent.h) | DENIED (not
     *  named for this component) | BAD_ADDR | QUOTA (no RAM quota left for the records). */
    KIDE_CORE_ROM = 14,
    /** Another self portal, bound to core's handler on CPU w1 (< KIDE_CORE_STATS w5), at
     *  selector w2 in the caller: for the caller's handlers on that CPU (KIDE_COMP_SEL_CORE
     *  serves the account's CPU only). Same session, same account. Created once per CPU
     *  (later calls delegate the same portal again).
     *  -> OK | QUOTA | BUSY (selector occupied) | BAD_PARAM. */
    KIDE_CORE_SELF = 15,
    /** The owner session of a sub-account through the self portal, for the caller's threads
     *  on other CPUs than its owner portals' (the caller's CPU): w1 = the sub-account id from
     *  KIDE_CORE_CHILD, w2 = an owner op (KIDE_OWN_*), w3.. = its arguments. The reply is the
     *  op's. Ids are reused after KIDE_OWN_DESTROY. -> as the op | BAD_PARAM (no live
     *  sub-account of the caller with that id). */
    KIDE_CORE_OWN = 16,
    /** The NUMA topology and RAM per node: -> OK, w1 = n nodes (>= 1; 1 without an ACPI
     *  SRAT), then for node i: w(2 + 3i) = total RAM bytes core manages there,
     *  w(3 + 3i) = free bytes, w(4 + 3i) = its CPUs as a bit mask (bit c: CPU c). */
    KIDE_CORE_NODES = 17,
    /** Device memory for a driver (device right): w1 = physical address, w2 = bytes (both
     *  page multiples, 0 < bytes <= KIDE_CORE_IO_MEM_MAX), w3 = va (page-aligned, heap range,
     *  free). Mapped read/write and uncacheable (the kernel's KIDE_MEM_DEV attribute) at va,
     *  recorded like ROM pages (records charged to the RAM quota, RAM_FREE leaves them) and
     *  exclusive until the caller is destroyed. The PCI ECAM window only for the platform
     *  right (KIDE_CORE_PCI_CONFIG). Cost O(pages) delegations, at most 1024.
     *  -> OK | DENIED (no device right; not device memory; PCI configuration space) | BUSY
     *  (another account holds part of it) | BAD_ADDR (va outside the heap or occupied) |
     *  QUOTA (no RAM quota for the records, or KIDE_CORE_DEV_GRANTS grants taken) | BAD_PARAM. */
    KIDE_CORE_IO_MEM = 18,
    /** A message-signalled interrupt (device right): w1 = selector in the caller for its
     *  semaphore (SM_DOWN). Routed to the account's CPU, exclusive until the caller is
     *  destroyed. -> OK, w1 = the address and w2 = the data the device must write, w3 = the
     *  MSI's index | DENIED | QUOTA (all KIDE_ROOT_MSIS taken) | BUSY (selector occupied) |
     *  BAD_PARAM. */
    KIDE_CORE_MSI = 19,
    /** PCI configuration access (platform right only, exclusive: the platform driver).
     *  -> OK, w1 = KIDE_PCI_CFG_ECAM: w2 = ECAM physical address of bus w3, w4 = last bus;
     *  the caller maps buses with KIDE_CORE_IO_MEM (1 MiB each) | w1 = KIDE_PCI_CFG_PORTS:
     *  ports 0xcf8..0xcff are delegated to the caller (no MCFG: i440fx)
     *  | DENIED (no platform right) | BUSY (held by another account). */
    KIDE_CORE_PCI_CONFIG = 20,
    /** The log ring of the caller's direct sub-account named `name` (live, or ended with
     *  its ring kept: docs/core.md "Log rings"): w1 = after (a sequence number; lines after
     *  it, 0: from the oldest kept), w2 = flags (KIDE_LOGS_FORGET: drop the kept ring of an
     *  ended sub-account, nothing read), then the name string.
     *  -> OK, w1 = count, w2 = lost (lines after `after` overwritten before this read),
     *  w3 = next (the sequence number the next line will get), then the lines as a string
     *  (<= KIDE_LOGS_CHUNK_MAX bytes) of records struct kide_log_line + text padded to
     *  8 bytes | NOT_FOUND (no such sub-account, or it has no ring) | BAD_PARAM. */
    KIDE_CORE_LOGS = 21,
    /** A thread: a new global EC in the caller's PD on the account's CPU, with its own SC.
     *  w1 = ip, w2 = sp (the thread starts at ip with RSP = sp, every other register 0),
     *  w3 = UTCB va (page-aligned, free, at or above KIDE_COMP_UTCB + 4096: the handler-UTCB
     *  area), w4 = selector in the caller for the EC capability (KIDE_EC_CTRL: recall, and
     *  the kernel's KIDE_CTRL_EC_POSIX / KIDE_CTRL_EC_FS), w5 = evt_base: 0 for the
     *  component's exception portals (KIDE_COMP_SEL_EVT, to core: a fault of the thread
     *  faults the account, as one of the main EC does), else the first of 33 selectors in
     *  the caller's space whose portals (the caller's own, e.g. a kide_portal_create portal
     *  per vector) get the thread's exceptions.
     *  CPU: the account's budget per period is divided evenly among its live threads, the
     *  main EC included (ctrl_sc SET on every one at each THREAD and THREAD_END), so the
     *  account's total never exceeds its quota however many threads it makes; a share below
     *  the kernel's 100 us minimum budget is kept exact by a longer period. Kernel memory
     *  (EC, UTCB page, SC) is charged to the account's caps quota. At most
     *  KIDE_CORE_MAX_THREADS - 1 threads besides the main EC.
     *  -> OK, w1 = thread id (for THREAD_END) | QUOTA (w1 = 1: KIDE_CORE_MAX_THREADS reached,
     *  2: the caps quota cannot pay, 3: core's selectors for the account are spent)
     *  | BUSY (w4 occupied) | BAD_ADDR (UTCB address refused or occupied) | BAD_PARAM. */
    KIDE_CORE_THREAD = 22,
    /** End a thread of the caller: w1 = thread id from KIDE_CORE_THREAD. Its CPU time stays
     *  in the account's total; the other threads' budgets grow back. The thread may be the
     *  caller itself: then there is no reply. The main EC is not a thread (KIDE_CORE_EXIT).
     *  -> OK | BAD_PARAM (no live thread of the caller with that id). */
    KIDE_CORE_THREAD_END = 23,
    /** Change the access to pages of the caller's own RAM (RAM_ALLOC's): w1 = va, w2 = bytes
     *  (page-aligned, 0 < bytes <= KIDE_CORE_PROTECT_MAX, inside one window as RAM_ALLOC's),
     *  w3 = KIDE_MEM_R, R|W, R|X, R|W|X, or 0: no access (the pages and their contents stay
     *  the caller's, charged as before, but unmapped until a later PROTECT gives access back).
     *  Fewer rights are taken from the caller and from anyone it passed the pages to, with a
     *  TLB shoot-down on every CPU before the reply. Nothing changes unless every page of the
     *  range is the caller's RAM. Cost O(pages) delegations or revokes, at most 1024.
     *  -> OK | BAD_ADDR (a page of the range is not the caller's RAM: unmapped, a boot
     *  module's, device memory, or a RAM_ALLOC still under way) | BAD_PARAM (unaligned,
     *  empty, too long, outside the windows, or w3 not one of those). */
    KIDE_CORE_RAM_PROTECT = 24,
};

#define KIDE_PCI_CFG_ECAM         1u
#define KIDE_PCI_CFG_PORTS        2u
#define KIDE_CORE_IO_MEM_MAX      (4ull << 20) /**< bytes per IO_MEM call */
#define KIDE_CORE_PROTECT_MAX     (4ull << 20) /**< bytes per RAM_PROTECT call */
#define KIDE_CORE_DEV_GRANTS      64u          /**< IO_MEM ranges core records, all accounts */
#define KIDE_OWN_DEVICES_PLATFORM 2u           /**< KIDE_OWN_DEVICES w1: devices and PCI config */

/* ---- owner session: call the portal from KIDE_CORE_CHILD ------------------- */
enum kide_core_owner_op {
    /** Load a program from ROM (boot module name string) into the sub-account:
     *  ELF segments, stack, info page. Charged to its RAM quota.
     *  -> OK | BAD_PARAM (no such ROM, or not a loadable ELF: reason logged) | QUOTA | BUSY
     * (loaded). */
    KIDE_OWN_LOAD = 32,
    /** Config JSON in chunks: w1 = total size (<= KIDE_COMP_CONFIG_MAX), w2 = offset,
     *  then the chunk as a string (<= KIDE_CORE_CHUNK_MAX bytes). Before START only.
     *  -> OK | QUOTA | BAD_PARAM | BUSY (already started). */
    KIDE_OWN_CONFIG = 33,
    /** w1 = args string for the info page (<= 127 bytes). Before START only. -> OK. */
    KIDE_OWN_ARGS = 34,
    /** Create the main EC and its SC (CPU quota and priority) and run it.
     *  -> OK | BUSY (already started) | BAD_PARAM (not loaded) | QUOTA. */
    KIDE_OWN_START = 35,
    /** -> OK, w1 = state (KIDE_ACC_*), w2 = exit code, w3 = fault vector, w4 = fault
     *  address, w5 = fault ip, w6 = RAM quota, w7 = RAM used, w8 = caps quota,
     *  w9 = caps used, w10 = CPU ns of its threads, w11 = threads, w12 = SC budget ns,
     *  w13 = SC period ns, w14 = effective priority, w15 = bytes of a pending yield request,
     *  w16 = CPU ns of the whole subtree: its threads, its live sub-accounts' subtrees and
     *  every destroyed sub-account's total, w17 = its CPU, w18 = the signal that ended it
     *  (KIDE_CORE_EXIT w2: 0 for a plain exit, a fault or while it runs), w19 = its RAM node
     *  policy (a node or KIDE_RAM_NODE_ANY), w20 = its policy flags (KIDE_RAM_NODE_STRICT),
     *  w21 = n nodes, w22.. = bytes of its own pages on node 0 .. n - 1 (RAM used minus
     *  the quotas of its sub-accounts, by where the pages lie). w10 counts every thread's
     *  time, ended ones too; w11 = live threads (the main EC and KIDE_CORE_THREAD's). */
    KIDE_OWN_STATE = 36,
    /** -> OK, w1 = n, w2.. = CPU ns of each of its threads (the accounting service). */
    KIDE_OWN_THREADS = 37,
    /** w1 = CPU quota percent (0..100), w2 = priority: applied in place to every SC of the
     *  sub-account and, recomputed, of its descendants. -> OK | BAD_PARAM | QUOTA (its
     *  siblings on its CPU and it would add up to more than 100%: lower one first). */
    KIDE_OWN_CPU = 38,
    /** w1 = new RAM quota. Growing takes from the caller's free quota (QUOTA if short).
     *  Shrinking takes what is free; if not enough is free, records a yield request for
     *  the missing bytes, ups the sub-account's signal semaphore and answers
     *  QUOTA with w1 = bytes still missing (call again after the notify semaphore). */
    KIDE_OWN_RAM = 39,
    /** w1 = new caps quota pages; moved between the PDs' kernel quotas.
     *  -> OK | QUOTA (the caller lacks free pages, or the sub-account uses them). */
    KIDE_OWN_CAPS = 40,
    /** Destroy the sub-account and everything below it: ECs, portals, memory, its own
     *  sub-accounts. Its quotas return to the caller. The owner portal, PD capability
     *  and notify semaphore become empty. -> OK. */
    KIDE_OWN_DESTROY = 41,
    /** Up the sub-account's signal semaphore (KIDE_COMP_SEL_SIGNAL), e.g. for a heartbeat
     *  or a parent request. -> OK | BAD_PARAM (not started). */
    KIDE_OWN_SIGNAL = 42,
    /** w1 = 1: grant the sub-account the device right (KIDE_CORE_IO_PORT, KIDE_CORE_IRQ,
     *  KIDE_CORE_IO_MEM, KIDE_CORE_MSI), 2 (KIDE_OWN_DEVICES_PLATFORM): that and the platform
     *  right (KIDE_CORE_PCI_CONFIG: the platform driver), 0: withdraw them (before START;
     *  devices it already holds stay until it is destroyed). Only an account holding a
     *  right can grant it; core gives both to init.
     *  -> OK | DENIED | BUSY (already started). */
    KIDE_OWN_DEVICES = 43,
    /** w1 = the CPU the sub-account runs on (< KIDE_CORE_STATS w5), before START only
     *  (default: the owner's CPU). Its main EC, SC, self and exception portals go there.
     *  CPU share: on its owner's CPU, its percent is of the owner's share; on another CPU,
     *  of that whole CPU, so only init may place sub-accounts on another CPU than its own
     *  (anyone else's share is of its own CPU). -> OK | BAD_PARAM | BUSY (already started)
     *  | DENIED (not init, and not the owner's CPU) | QUOTA (the shares on that CPU would
     *  add up to more than 100%). */
    KIDE_OWN_AFFINITY = 44,
    /** The sub-account's NUMA memory policy: w1 = node (< KIDE_CORE_NODES w1) or
     *  KIDE_RAM_NODE_ANY, w2 = flags (KIDE_RAM_NODE_STRICT). Every later page core gives
     *  the sub-account (RAM_ALLOC, LOAD, CONFIG) comes from that node first; when the node
     *  has none left, from the other nodes (preferred), or not at all (strict: QUOTA).
     *  KIDE_RAM_NODE_ANY: the node of the account's CPU first, then the others. Pages it
     *  already holds stay where they are. Sub-accounts created later inherit the policy.
     *  -> OK | BAD_PARAM (w1 = the number of nodes: no such node, or unknown flags). */
    KIDE_OWN_RAM_NODE = 45,
    /** Let the sub-account map boot module `name` with KIDE_CORE_ROM: the name string
     *  (<= 31 bytes). Before START only; a sub-account may always map the module it was
     *  loaded from, and up to KIDE_CORE_ROM_MAX others its owner named, each one the owner
     *  may map itself (init may map every module).
     *  -> OK | NOT_FOUND (no such module) | DENIED (the owner may not map it) | QUOTA
     *  (KIDE_CORE_ROM_MAX names already) | BUSY (started) | BAD_PARAM. */
    KIDE_OWN_ROM = 46,
    /** Load a program from pages of the caller's own RAM (kide_ram_alloc; not a boot
     *  module's, a device's or a dataspace another component shared): w1 = address,
     *  w2 = size (page multiples, 0 < size <= KIDE_CORE_LOAD_PAGES_MAX), then the name
     *  string the info page records as binary (<= 31 bytes, e.g. "pkg:alice/hello/1.0").
     *  core copies the pages into a snapshot charged to the sub-account, checks and loads
     *  the ELF from it (segments copied, never shared), and frees the snapshot: the
     *  sub-account's RAM quota must hold size + segments + stack at the peak
     *  (docs/decisions/0022-package-store.md). The name never lets it map a boot module.
     *  -> OK | BAD_PARAM (unaligned, too big, not the caller's RAM, or not a loadable ELF:
     *  reason logged) | QUOTA | BUSY (loaded). */
    KIDE_OWN_LOAD_PAGES = 47,
};

#define KIDE_CORE_LOAD_PAGES_MAX (64ull << 20) /**< bytes per KIDE_OWN_LOAD_PAGES image */

#define KIDE_RAM_NODE_ANY    (~0ull) /**< KIDE_OWN_RAM_NODE w1: no node preferred */
#define KIDE_RAM_NODE_STRICT 1ull    /**< KIDE_OWN_RAM_NODE w2: never another node */

/** Account states (KIDE_OWN_STATE w1). */
enum kide_acc_state {
    KIDE_ACC_CREATED = 0, /**< created, maybe loaded, not started */
    KIDE_ACC_RUNNING = 1,
    KIDE_ACC_EXITED = 2,  /**< ended with KIDE_CORE_EXIT; w2 = code, w18 = signal */
    KIDE_ACC_FAULTED = 3, /**< an EC stopped on an exception; w3..w5 describe it */
};

/** The name of an exception vector as core and hoitaja report it, or NULL for one
 *  without a name ("exception <n>"). */
static inline const char *kide_fault_name(kide_u64 vector)
{
    switch (vector) {
    case 0:
        return "divide error";
    case 6:
        return "invalid opcode";
    case 13:
        return "general protection";
    case 14:
        return "page fault";
    default:
        return 0;
    }
}

#define KIDE_CORE_LOG_MAX   480u          /**< bytes per LOG call */
#define KIDE_CORE_CHUNK_MAX 3840u         /**< bytes per CONFIG chunk */
#define KIDE_CORE_NAME_MAX  KIDE_NAME_MAX /**< a sub-account's name */
#define KIDE_CORE_ROM_MAX   8u            /**< boot modules an owner may name with KIDE_OWN_ROM */
#define KIDE_CORE_CAPS_MIN  KIDE_CAPS_MIN /**< smallest caps quota: the PD itself needs 8 pages */
/** Threads of an account: the main EC and up to this minus one KIDE_CORE_THREAD threads
 *  (the THREADS reply holds one word each). */
#define KIDE_CORE_MAX_THREADS 64u
#define KIDE_SIGNAL_MAX       64u         /**< KIDE_CORE_EXIT w2: signals 1..64 (Linux's numbers) */
#define KIDE_CORE_PERIOD_NS   10000000ull /**< every component SC has a 10 ms period */
#define KIDE_LOG_RING_BYTES   16384u      /**< an account's log ring, taken from its RAM quota */
#define KIDE_LOGS_CHUNK_MAX   3840u       /**< bytes of records per KIDE_CORE_LOGS reply */
#define KIDE_LOGS_FORGET      1u          /**< KIDE_CORE_LOGS w2: drop a kept ring */

/* ---- typed messages ----------------------------------------------------------
 * Each operation's arguments (the words after words[0] = op) and results (the
 * words after words[0] = status) as a struct whose layout is the wire's: every
 * field one word, or a string field { len; bytes[] } holding the length word and
 * the packed bytes, always the last field (only ceil(len / 8) of its byte words
 * travel). core decodes the struct from the UTCB once and validates it there;
 * callers use the client library (os/lib/component/include/kide/core_client.h)
 * and never write message words by hand. An operation without arguments or
 * results has no struct. A result struct is filled as far as the reply goes
 * (the rest zero), also for a failure that reports a word (QUOTA's w1 ...). */
#define KIDE_CORE_NODES_MAX 8u /**< nodes in a reply (the kernel's KIDE_BOOT_MAX_NODES) */

struct kide_core_log_req {
    struct {
        kide_u64 len;
        char bytes[KIDE_CORE_LOG_MAX];
    } text;
};
struct kide_core_ram_alloc_req {
    kide_u64 va, bytes, perm;
};
struct kide_core_ram_alloc_rep {
    kide_u64 ram_used, ram_quota; /**< also with QUOTA */
};
struct kide_core_ram_free_req {
    kide_u64 va, bytes;
};
struct kide_core_ram_free_rep {
    kide_u64 freed, ram_used;
};
struct kide_core_ram_protect_req {
    kide_u64 va, bytes, perm;
};
/** NUMA words shared by QUOTA and OWN_STATE. */
struct kide_core_numa {
    kide_u64 node_policy; /**< a node or KIDE_RAM_NODE_ANY */
    kide_u64 node_flags;  /**< KIDE_RAM_NODE_STRICT */
    kide_u64 nodes;
    kide_u64 node_bytes[KIDE_CORE_NODES_MAX]; /**< its own pages per node */
};
struct kide_core_quota_rep {
    kide_u64 ram_quota, ram_used, caps_quota, caps_used, cpu_ns;
    kide_u64 yield_request; /**< bytes the owner asked back (0: none) */
    struct kide_core_numa numa;
};
struct kide_core_handler_req {
    kide_u64 ip, sp, utcb, id, sel;
    kide_u64 cpu; /**< optional on the wire; the client always sends it */
};
struct kide_core_handler_rep {
    kide_u64 handler; /**< for KIDE_CORE_PORTAL */
};
struct kide_core_portal_req {
    kide_u64 handler, id, sel;
};
struct kide_core_sm_req {
    kide_u64 sel, count;
};
struct kide_core_exit_req {
    kide_u64 code;
    kide_u64 signal; /**< 0: none; 1..KIDE_SIGNAL_MAX */
};
struct kide_core_thread_req {
    kide_u64 ip, sp, utcb, sel;
    kide_u64 evt_base; /**< 0: KIDE_COMP_SEL_EVT (core's) */
};
struct kide_core_thread_rep {
    kide_u64 id; /**< OK: the thread id; QUOTA: 1 thread limit, 2 caps, 3 selectors */
};
struct kide_core_thread_end_req {
    kide_u64 id;
};
struct kide_core_child_req {
    kide_u64 own_sel, pd_sel, sm_sel, ram, caps, cpu_pct, prio;
    struct {
        kide_u64 len;
        char bytes[KIDE_CORE_NAME_MAX];
    } name;
};
struct kide_core_child_rep {
    kide_u64 id; /**< OK: the sub-account id; QUOTA: 1 RAM, 2 caps, 3 CPU, 4 selector blocks */
};
struct kide_core_stats_rep {
    kide_u64 ram_free, ram_total, caps_free, accounts, cpus, hold_us;
};
struct kide_core_threads_rep {
    kide_u64 n;
    kide_u64 ns[KIDE_CORE_MAX_THREADS];
};
struct kide_core_io_port_req {
    kide_u64 base, count;
};
struct kide_core_irq_req {
    kide_u64 gsi, sel, mode;
};
struct kide_core_rom_req {
    kide_u64 va;
    struct {
        kide_u64 len;
        char bytes[32]; /**< at most 31 */
    } name;
};
struct kide_core_rom_rep {
    kide_u64 size;
};
struct kide_core_self_req {
    kide_u64 cpu, sel;
};
/** KIDE_CORE_OWN's words before the owner operation and its arguments. */
struct kide_core_own_hdr {
    kide_u64 id, op;
};
struct kide_core_io_mem_req {
    kide_u64 phys, bytes, va;
};
struct kide_core_msi_req {
    kide_u64 sel;
};
struct kide_core_msi_rep {
    kide_u64 addr, data, index;
};
struct kide_core_pci_config_rep {
    kide_u64 kind;      /**< KIDE_PCI_CFG_ECAM or KIDE_PCI_CFG_PORTS */
    kide_u64 ecam_phys; /**< ECAM: configuration space of bus bus_start */
    kide_u64 bus_start, bus_end;
};
struct kide_core_nodes_rep {
    kide_u64 n;
    struct {
        kide_u64 total, free, cpus;
    } node[KIDE_CORE_NODES_MAX];
};

struct kide_own_load_req {
    struct {
        kide_u64 len;
        char bytes[32]; /**< at most 31 */
    } rom;
};
struct kide_own_load_pages_req {
    kide_u64 addr, size;
    struct {
        kide_u64 len;
        char bytes[32]; /**< at most 31 */
    } name;
};
struct kide_own_config_req {
    kide_u64 total, offset;
    struct {
        kide_u64 len;
        char bytes[KIDE_CORE_CHUNK_MAX];
    } chunk;
};
struct kide_own_args_req {
    struct {
        kide_u64 len;
        char bytes[128]; /**< at most 127 */
    } args;
};
struct kide_own_state_rep {
    kide_u64 state; /**< enum kide_acc_state */
    kide_u64 exit_code, fault_vector, fault_addr, fault_ip;
    kide_u64 ram_quota, ram_used, caps_quota, caps_used;
    kide_u64 cpu_ns, threads, budget_ns, period_ns, prio;
    kide_u64 yield_request, tree_ns, cpu;
    kide_u64 signal; /**< w18: KIDE_CORE_EXIT's signal (0: none) */
    struct kide_core_numa numa;
};
struct kide_own_cpu_req {
    kide_u64 pct, prio;
};
struct kide_own_ram_req {
    kide_u64 quota;
};
struct kide_own_ram_rep {
    kide_u64 missing; /**< QUOTA: bytes still to be given back */
};
struct kide_own_caps_req {
    kide_u64 pages;
};
struct kide_own_devices_req {
    kide_u64 on;
};
struct kide_own_affinity_req {
    kide_u64 cpu;
};
struct kide_own_ram_node_req {
    kide_u64 node, flags;
};
struct kide_own_ram_node_rep {
    kide_u64 nodes; /**< BAD_PARAM: the number of nodes */
};
struct kide_own_rom_req {
    struct {
        kide_u64 len;
        char bytes[32]; /**< at most 31 */
    } name;
};

/** KIDE_CORE_LOGS (and KIDE_MGMT_LOGS, which relays it). */
struct kide_core_logs_req {
    kide_u64 after, flags;
    struct {
        kide_u64 len;
        char bytes[KIDE_CORE_NAME_MAX];
    } name;
};
struct kide_core_logs_rep {
    kide_u64 count; /**< records in lines */
    kide_u64 lost;  /**< lines after `after` overwritten before they were read */
    kide_u64 next;  /**< the sequence number of the next line (the newest is next - 1) */
    struct {
        kide_u64 len;
        char bytes[KIDE_LOGS_CHUNK_MAX];
    } lines;
};
/** One record in kide_core_logs_rep.lines: this header, then len bytes of text (the
 *  line as the console shows it after "[label] ", without the newline), padded with
 *  zeros to a multiple of 8. */
struct kide_log_line {
    kide_u64 seq;     /**< from 1, per ring, never reused */
    kide_u64 time_ns; /**< kernel clock when core took the line */
    kide_u64 len;     /**< text bytes (<= KIDE_LOG_LINE_MAX) */
};
#define KIDE_LOG_LINE_MAX 512u /**< text bytes of one record */

/* The wire layout: words in the order the operations' comments above list them,
 * and every message within a UTCB (508 words, KIDE_UTCB_WORDS in utcb.h: the op or status word
 * and KIDE_CORE_OWN's header included). */
#define KIDE_WORDS_(t) (sizeof(struct t) / 8)
_Static_assert(KIDE_WORDS_(kide_core_log_req) == 1 + KIDE_CORE_LOG_MAX / 8, "LOG");
_Static_assert(KIDE_WORDS_(kide_core_ram_alloc_req) == 3, "RAM_ALLOC");
_Static_assert(KIDE_WORDS_(kide_core_ram_alloc_rep) == 2, "RAM_ALLOC");
_Static_assert(KIDE_WORDS_(kide_core_ram_free_req) == 2, "RAM_FREE");
_Static_assert(KIDE_WORDS_(kide_core_ram_free_rep) == 2, "RAM_FREE");
_Static_assert(KIDE_WORDS_(kide_core_ram_protect_req) == 3, "RAM_PROTECT");
_Static_assert(KIDE_WORDS_(kide_core_quota_rep) == 9 + KIDE_CORE_NODES_MAX, "QUOTA w1..w9, w10..");
_Static_assert(KIDE_WORDS_(kide_core_handler_req) == 6, "HANDLER");
_Static_assert(KIDE_WORDS_(kide_core_handler_rep) == 1, "HANDLER");
_Static_assert(KIDE_WORDS_(kide_core_portal_req) == 3, "PORTAL");
_Static_assert(KIDE_WORDS_(kide_core_sm_req) == 2, "SM");
_Static_assert(KIDE_WORDS_(kide_core_exit_req) == 2, "EXIT");
_Static_assert(KIDE_WORDS_(kide_core_thread_req) == 5, "THREAD");
_Static_assert(KIDE_WORDS_(kide_core_thread_rep) == 1, "THREAD");
_Static_assert(KIDE_WORDS_(kide_core_thread_end_req) == 1, "THREAD_END");
_Static_assert(KIDE_WORDS_(kide_core_child_req) == 8 + KIDE_CORE_NAME_MAX / 8, "CHILD");
_Static_assert(KIDE_WORDS_(kide_core_child_rep) == 1, "CHILD");
_Static_assert(KIDE_WORDS_(kide_core_stats_rep) == 6, "STATS");
_Static_assert(KIDE_WORDS_(kide_core_threads_rep) == 1 + KIDE_CORE_MAX_THREADS, "THREADS");
_Static_assert(1 + KIDE_WORDS_(kide_core_threads_rep) <= 508, "THREADS fits a UTCB");
_Static_assert(KIDE_WORDS_(kide_core_io_port_req) == 2, "IO_PORT");
_Static_assert(KIDE_WORDS_(kide_core_irq_req) == 3, "IRQ");
_Static_assert(KIDE_WORDS_(kide_core_rom_req) == 2 + 4, "ROM");
_Static_assert(KIDE_WORDS_(kide_core_rom_rep) == 1, "ROM");
_Static_assert(KIDE_WORDS_(kide_core_self_req) == 2, "SELF");
_Static_assert(KIDE_WORDS_(kide_core_own_hdr) == 2, "OWN");
_Static_assert(KIDE_WORDS_(kide_core_nodes_rep) == 1 + 3 * KIDE_CORE_NODES_MAX, "NODES");
_Static_assert(KIDE_WORDS_(kide_core_io_mem_req) == 3, "IO_MEM");
_Static_assert(KIDE_WORDS_(kide_core_msi_req) == 1, "MSI");
_Static_assert(KIDE_WORDS_(kide_core_msi_rep) == 3, "MSI");
_Static_assert(KIDE_WORDS_(kide_core_pci_config_rep) == 4, "PCI_CONFIG");
_Static_assert(KIDE_WORDS_(kide_core_logs_req) == 3 + KIDE_CORE_NAME_MAX / 8, "LOGS");
_Static_assert(KIDE_WORDS_(kide_core_logs_rep) == 4 + KIDE_LOGS_CHUNK_MAX / 8, "LOGS");
_Static_assert(1 + KIDE_WORDS_(kide_core_logs_rep) <= 508, "LOGS fits a UTCB");
_Static_assert(KIDE_WORDS_(kide_own_load_req) == 1 + 4, "LOAD");
_Static_assert(KIDE_WORDS_(kide_own_config_req) == 3 + KIDE_CORE_CHUNK_MAX / 8, "CONFIG");
_Static_assert(1 + KIDE_WORDS_(kide_core_own_hdr) + KIDE_WORDS_(kide_own_config_req) <= 508,
               "CONFIG through KIDE_CORE_OWN fits a UTCB");
_Static_assert(KIDE_WORDS_(kide_own_args_req) == 1 + 16, "ARGS");
_Static_assert(KIDE_WORDS_(kide_own_state_rep) == 21 + KIDE_CORE_NODES_MAX, "STATE w1..w21, w22..");
_Static_assert(__builtin_offsetof(struct kide_own_state_rep, signal) == 17 * 8, "STATE w18");
_Static_assert(KIDE_WORDS_(kide_own_cpu_req) == 2, "CPU");
_Static_assert(KIDE_WORDS_(kide_own_ram_req) == 1, "RAM");
_Static_assert(KIDE_WORDS_(kide_own_ram_rep) == 1, "RAM");
_Static_assert(KIDE_WORDS_(kide_own_caps_req) == 1, "CAPS");
_Static_assert(KIDE_WORDS_(kide_own_devices_req) == 1, "DEVICES");
_Static_assert(KIDE_WORDS_(kide_own_affinity_req) == 1, "AFFINITY");
_Static_assert(KIDE_WORDS_(kide_own_ram_node_req) == 2, "RAM_NODE");
_Static_assert(KIDE_WORDS_(kide_own_ram_node_rep) == 1, "RAM_NODE");
_Static_assert(KIDE_WORDS_(kide_own_rom_req) == 1 + 4, "ROM");
_Static_assert(KIDE_WORDS_(kide_own_load_pages_req) == 2 + 1 + 4, "LOAD_PAGES");

#endif
