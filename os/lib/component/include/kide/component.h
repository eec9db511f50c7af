/* SPDX-License-Identifier: MIT */
/* The public API native Kide components are written against.
 *
 * A component provides kide_main(); the runtime calls it once its
 * environment is set up. Under core/hoitaja (the normal case) the runtime
 * talks to core through the self session and to its parent through the
 * parent portal (os/abi/kide/core.h, parent.h). There is no other mode: a
 * component always runs under core.
 *
 * Threading: a component has one main thread plus portal handlers for the
 * services it provides. Handlers run on their caller's CPU time (the kernel
 * donates it), so they need no CPU quota of their own. The main thread and the
 * default handler run on the component's CPU (kide_info()->cpu); a component
 * that serves callers on other CPUs (hoitaja) gets one more handler per CPU
 * (kide_portal_create_on), since IPC never crosses CPUs. The runtime keeps its
 * state safe for calls from the main thread and handlers, on any CPU (it
 * serialises with semaphores, which work across CPUs, never with a spin lock:
 * a spinner could starve a lower priority holder on the same CPU).
 */
#ifndef KIDE_COMPONENT_H
#define KIDE_COMPONENT_H

#include <kide/types.h>
#include <kide/status.h> /* KIDE_OK, KIDE_QUOTA, ... */
#include <kide/parent.h> /* KIDE_DENIED, KIDE_NOT_FOUND */

struct kide_env;
struct kide_comp_info;

/** Provided by the component: its entry point. Returning means kide_exit(env, 0). */
void kide_main(struct kide_env *env);

/* ---- identity, logging, exit ----------------------------------------------- */
/** Log one line (printf-style; a newline is added). Core prefixes it with the
 *  component's label, e.g. "[tenant-a/demo] hello". Long lines are cut. */
void kide_log(struct kide_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** End the component with an exit code 0..255 (larger codes are reported as 255). */
__attribute__((noreturn)) void kide_exit(struct kide_env *env, int code);
/** End the component as ended by signal sig (1..KIDE_SIGNAL_MAX, core.h; anything else
 *  is sent as 0, a plain exit): the owner reads code and signal with KIDE_OWN_STATE.
 *  By convention code = 128 + sig. */
__attribute__((noreturn)) void kide_exit_signal(struct kide_env *env, int code, int sig);
/** The component's arguments (the info page's args); never NULL. */
const char *kide_args(struct kide_env *env);
/** The component's label (path from the root habitat), e.g. "tenant-a/demo". */
const char *kide_name(struct kide_env *env);
/** The info page core mapped (core.h), or NULL if it is not valid. */
const struct kide_comp_info *kide_info(struct kide_env *env);
/** 1 when core gave the component a parent portal (KIDE_COMP_SEL_PARENT); 0 for
 *  the root habitat, the one core starts from the boot modules, and a root task.
 *  A fact of the capability space, not of the label: hoitaja decides by it
 *  whether it is the root habitat. */
int kide_has_parent(struct kide_env *env);
/** Kernel clock in ns. */
kide_u64 kide_now_ns(void);
/** The CPU the calling thread runs on: the component's (info->cpu) for the main
 *  thread and the default handler, the handler's for kide_portal_create_on handlers. */
unsigned kide_cpu(struct kide_env *env);
/** Number of CPUs of the machine (core's KIDE_CORE_STATS; 1 if core does not say). */
unsigned kide_cpus(struct kide_env *env);
/** The self portal to core for the calling thread's CPU (KIDE_COMP_SEL_CORE on the
 *  component's CPU), for raw calls to core with kide_msg_call. */
kide_sel kide_core_portal(void);
/** The calling thread's UTCB (a handler's or the main thread's): where the protocol
 *  client libraries (kide/core_client.h) build their messages. */
struct kide_utcb *kide_utcb(void);
/** Block the calling thread for ms milliseconds (a semaphore with a deadline). */
void kide_sleep_ms(kide_u64 ms);

/* ---- threads ------------------------------------------------------------------ */
/** A thread (core's KIDE_CORE_THREAD): a global EC with its own SC on the component's
 *  CPU. The component's CPU budget is split evenly among its live threads (the main
 *  thread included), so more threads never mean more CPU; each costs kernel memory (EC,
 *  UTCB, SC: caps quota). At most KIDE_CORE_MAX_THREADS - 1 besides the main thread. */
struct kide_thread {
    kide_sel ec;   /**< its EC capability (KIDE_EC_CTRL) in the component's space */
    kide_u64 id;   /**< core's thread id */
    kide_u64 utcb; /**< its UTCB, picked by the runtime in the handler-UTCB area */
};
/** A thread starting at ip with RSP = sp (every other register 0). evt_base: 0 for the
 *  component's exception portals (a fault of the thread then faults the component), or
 *  the first of 33 selectors holding the component's own exception portals. The thread
 *  runs at once. Runtime calls (kide_log, kide_malloc, ...) from it need its stack
 *  registered (kide_thread_stack). -> KIDE_OK | KIDE_QUOTA (thread limit or caps quota)
 *  | KIDE_BAD_ADDR | KIDE_BAD_PARAM | a status. */
int kide_thread_create(struct kide_env *env, kide_u64 ip, kide_u64 sp, kide_sel evt_base,
                       struct kide_thread *t);
/** Let runtime calls made by thread t with its stack pointer in [lo, hi) use its UTCB (the
 *  runtime finds the calling thread's UTCB by its stack). One range per thread; a second
 *  call replaces it. -> KIDE_OK | KIDE_BAD_PARAM (not a live thread, or an empty range). */
int kide_thread_stack(struct kide_env *env, const struct kide_thread *t, kide_u64 lo, kide_u64 hi);
/** End thread t (KIDE_CORE_THREAD_END) and free what the runtime holds for it (the stack
 *  of a kide_thread_start thread). Ending the calling thread never returns (its stack is
 *  freed by a later kide_thread_start, kide_thread_create or kide_thread_end).
 *  -> KIDE_OK | KIDE_BAD_PARAM (not a live thread of this runtime). */
int kide_thread_end(struct kide_env *env, struct kide_thread *t);
/** The convenient thread: runs fn(arg) on a fresh stack of stack_bytes (rounded up to
 *  pages, 0: 64 KiB; from kide_ram_alloc's range, below it an unmapped guard page) with
 *  the runtime usable from it; when fn returns the thread ends (kide_thread_exit).
 *  -> as kide_thread_create, or KIDE_QUOTA when the RAM quota cannot hold the stack. */
int kide_thread_start(struct kide_env *env, void (*fn)(void *arg), void *arg, kide_u64 stack_bytes,
                      struct kide_thread *t);
/** End the calling kide_thread_start / kide_thread_create thread (the main thread: use
 *  kide_exit). */
__attribute__((noreturn)) void kide_thread_exit(struct kide_env *env);

/* ---- configuration ------------------------------------------------------------ */
/** The raw config JSON and its length; "{}" when the component has none. */
const char *kide_config(struct kide_env *env, kide_u64 *len);
struct kide_json_doc;
/** The config parsed with <kide/json.h> (parsed once, on first use, with up to
 *  4096 tokens). Returns 0, or -1 and a message in err (what is wrong, where). */
int kide_config_doc(struct kide_env *env, const struct kide_json_doc **doc, char *err,
                    kide_u64 errlen);

/* ---- memory --------------------------------------------------------------- */
/** Heap over RAM from core, charged to the RAM quota; NULL when the quota is
 *  exhausted (never aborts). 16-byte aligned. Thread-safe. */
void *kide_malloc(kide_u64 size);
void *kide_calloc(kide_u64 n, kide_u64 size);
void *kide_realloc(void *p, kide_u64 size);
void kide_free(void *p);
/** What the heap holds, and how often it was misused. */
struct kide_heap_stats {
    kide_u64 chunks;      /**< 64 KiB chunks of small blocks held */
    kide_u64 chunk_bytes; /**< bytes in those chunks */
    kide_u64 large;       /**< blocks with a mapping of their own */
    kide_u64 large_bytes; /**< bytes mapped for them */
    kide_u64 live;        /**< blocks allocated and not yet freed */
    /** kide_free or kide_realloc of a pointer that is not a live block of this
     *  heap (a bad or a double free): ignored and counted in every build;
     *  a debug build (make DEBUG=1) also logs a line naming the address. */
    kide_u64 bad_frees;
};
/** Copy the heap's statistics to *st. */
void kide_heap_stats(struct kide_heap_stats *st);
/** A dataspace: `size` bytes (rounded up to pages) of zeroed RAM mapped
 *  read-write at a fresh address. Returns KIDE_OK or KIDE_QUOTA / another
 *  status; *addr is set on success. */
int kide_ram_alloc(struct kide_env *env, kide_u64 size, void **addr);
/** Free a dataspace from kide_ram_alloc (exact address and size). */
int kide_ram_free(struct kide_env *env, void *addr, kide_u64 size);

struct kide_quota {
    kide_u64 ram_quota, ram_used;   /**< bytes */
    kide_u64 caps_quota, caps_used; /**< kernel-memory pages */
    kide_u64 cpu_ns;                /**< CPU time of its threads */
    kide_u64 yield_request;         /**< bytes the parent asked back (0: none) */
};
int kide_quota(struct kide_env *env, struct kide_quota *q);

/** Called (in the main thread, from kide_wait_signal/kide_serve) when the
 *  parent asks for `bytes` of RAM back. Free what you can; the runtime then
 *  releases free heap dataspaces. */
void kide_on_yield(struct kide_env *env, void (*fn)(struct kide_env *env, kide_u64 bytes));
/** A live configuration's callback: json (NUL-terminated, len bytes) is the child's
 *  new `config`. Validate it, and apply it as a whole (return 0, *text may get a
 *  short note of what changed) or not at all (return -1, *text gets the reason,
 *  at most size - 1 bytes). Runs in the component's handler EC, concurrently with
 *  its main thread, and must return within the parent's deadline (1 s). */
typedef int (*kide_config_fn)(struct kide_env *env, void *ctx, const char *json, kide_u64 len,
                              char *text, kide_u64 size);
/** Take the configuration live (the child's entry says `config_live: true`): a change
 *  of only its `config` then calls fn instead of restarting the component. Once per
 *  component. -> KIDE_OK | KIDE_DENIED (the entry lacks config_live) | a status. */
int kide_live_config(struct kide_env *env, kide_config_fn fn, void *ctx);
/** Publish the component's status, a JSON object of at most KIDE_STATUS_MAX bytes,
 *  into the parent's state report (children[].status). Overwrites the last one.
 *  -> KIDE_OK | KIDE_BAD_PARAM (too long, not an object) | a status. */
int kide_status_publish(struct kide_env *env, const char *json);

/* ---- marshalling: checked, bounded access to UTCB words ---------------------- */
/** A message under construction or being read. Every get/put is bounds-checked;
 *  after any failure `bad` is set and further calls do nothing, so a handler
 *  checks once at the end ("if (m.bad) reply BAD_PARAM"). */
struct kide_msg {
    kide_u64 *w;  /**< the UTCB words */
    unsigned n;   /**< words written (put) or available (get) */
    unsigned pos; /**< read position */
    unsigned cap; /**< capacity in words */
    int bad;
    unsigned items; /**< after kide_msg_call: typed items that arrived with the reply */
    kide_sel rcv;   /**< after kide_msg_call: rcv_sel if a capability landed there, else 0 */
};
/** A message over a caller-owned buffer of `cap` words holding `n` words already
 *  (0 to build one, n to read one); pos = 0. For tests and private buffers. */
void kide_msg_init(struct kide_msg *m, kide_u64 *words, unsigned cap, unsigned n);
/** Start building a request in the calling thread's UTCB (words[0] = op). */
void kide_msg_begin(struct kide_msg *m, kide_u64 op);
void kide_msg_put(struct kide_msg *m, kide_u64 v);
void kide_msg_put_str(struct kide_msg *m, const char *s);
void kide_msg_put_bytes(struct kide_msg *m, const void *p, kide_u64 len);
/** Read the next word (0 when exhausted, and sets bad). */
kide_u64 kide_msg_get(struct kide_msg *m);
/** Copy the next string into buf (NUL-terminated, at most size-1 bytes, else bad);
 *  returns its length. Rejects embedded NULs. */
kide_u64 kide_msg_get_str(struct kide_msg *m, char *buf, kide_u64 size);
/** Borrow the next byte string in place (no copy); returns its length. */
kide_u64 kide_msg_get_bytes(struct kide_msg *m, const void **p, kide_u64 max);
/** Call portal `pt` with the message; on return m holds the reply for get calls
 *  (pos = 1, after the status word). If rcv_sel != 0, a capability sent back
 *  lands there. Returns the reply status (words[0]) or the kernel's status. */
int kide_msg_call(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel);
/** As kide_msg_call, and also send capability `send` (if non-zero) as a typed item with
 *  the rights `perm` (0: KIDE_PT_CALL). */
int kide_msg_call_cap(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel, kide_sel send,
                      unsigned perm);
/** As kide_msg_call, with the receive window open for I/O ports: ports the reply
 *  delegates (a server's rpc->io_count) land at their own numbers. On KIDE_OK,
 *  *port and *count say what arrived (count 0: none). */
int kide_msg_call_ports(struct kide_msg *m, kide_sel pt, kide_u64 *port, kide_u64 *count);

/* ---- capability selectors, semaphores, locks ----------------------------------- */
/** Allocate 2^order naturally aligned free selectors (from KIDE_COMP_SEL_FREE up);
 *  0 when none are left. Every selector a component uses must come from here. */
kide_sel kide_sel_alloc(unsigned order);
/** Return selectors (their capabilities must be gone: see kide_cap_drop). */
void kide_sel_free(kide_sel sel, unsigned order);
/** Revoke the capability at sel from the own space (and everything derived
 *  from it) and free the selector. */
void kide_cap_drop(kide_sel sel);
/** A semaphore (KIDE_CORE_SM) with an initial count at a fresh selector. */
int kide_sm_create(struct kide_env *env, kide_u64 count, kide_sel *sel);
/** A sleeping lock between the main thread and handlers (a semaphore of count 1).
 *  Not recursive. A zeroed kide_mutex (sm = 0) does nothing: fine while
 *  a component has a single thread. */
struct kide_mutex {
    kide_sel sm;
};
int kide_mutex_init(struct kide_env *env, struct kide_mutex *mx);
void kide_mutex_lock(struct kide_mutex *mx);
void kide_mutex_unlock(struct kide_mutex *mx);

/* ---- shared dataspaces ------------------------------------------------------ */
/** A server shares pages of a dataspace it allocated (kide_ram_alloc) by setting
 *  rpc->ds_out/ds_pages in a reply; they stay charged to the server, and freeing
 *  them (kide_ram_free) takes them away from every client at once. */
#define KIDE_DS_MAX_PAGES 64u
struct kide_msg;
/** Call `pt` like kide_msg_call and attach the pages the reply shares: a window
 *  of `pages` pages (a power of two, <= KIDE_DS_MAX_PAGES) is reserved, and on
 *  return *addr is its address and *got the number of pages that arrived (0: none
 *  shared). Returns the reply status. */
int kide_msg_call_attach(struct kide_msg *m, kide_sel pt, kide_u64 pages, void **addr,
                         kide_u64 *got);
/** Give attached pages back (the window is not reused). */
int kide_ds_detach(struct kide_env *env, void *addr, kide_u64 pages);

/* ---- sessions (client side) ------------------------------------------------- */
struct kide_session {
    kide_sel pt;      /**< the session portal */
    kide_u64 handle;  /**< the parent's handle, for closing */
    kide_u64 donated; /**< RAM donated */
};
/** Open a session to `service` through the parent, donating `ram` bytes.
 *  Returns KIDE_OK, KIDE_DENIED, KIDE_NOT_FOUND, KIDE_QUOTA or another status. */
int kide_session_open(struct kide_env *env, const char *service, const char *args, kide_u64 ram,
                      struct kide_session *s);
/** Donate `ram` more bytes to an open session (a server that needs more memory for
 *  it answers KIDE_QUOTA on a call; the client upgrades and retries). Returns KIDE_OK,
 *  KIDE_QUOTA (not that much free RAM) or another status; s->donated grows on success. */
int kide_session_upgrade(struct kide_env *env, struct kide_session *s, kide_u64 ram);
void kide_session_close(struct kide_env *env, struct kide_session *s);

/* ---- services (server side) --------------------------------------------------- */
struct kide_rpc {
    struct kide_msg in;  /**< the request (pos = 1, after the op word) */
    struct kide_msg out; /**< the reply being built (words[0] = status, set by the runtime) */
    kide_u64 op;         /**< the request's op word */
    kide_sel cap_out;    /**< non-zero: send this capability back as a typed item */
    unsigned cap_perm;   /**< rights for cap_out (0: KIDE_PT_CALL) */
    kide_sel cap_in;     /**< a capability that came with the request, or 0. It is
                              revoked after the call unless the callee sets cap_in = 0
                              (it then owns the selector). */
    void *ds_out;        /**< non-NULL: share these pages (from kide_ram_alloc, page-aligned)
                              in the reply; not together with cap_out */
    kide_u64 ds_pages;   /**< how many (1..KIDE_DS_MAX_PAGES) */
    int ds_writable;     /**< the client may write them (else read-only) */
    kide_u64 io_base;    /**< io_count non-zero: delegate ports [io_base, io_base + io_count)
                              the server holds (a power of two, aligned; alone in a reply) */
    kide_u64 io_count;
};
struct kide_service_ops {
    /** A client wants a session: label, args, donated RAM. Return a session
     *  object (non-NULL) or NULL with *status set (KIDE_DENIED, KIDE_QUOTA). */
    void *(*open)(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                  int *status);
    /** The session ended. */
    void (*close)(struct kide_env *env, void *session);
    /** A call on a session: read rpc->in, fill rpc->out, return the status. */
    int (*call)(struct kide_env *env, void *session, struct kide_rpc *rpc);
    /** Optional (may be NULL): the client donated `ram` more bytes to the session;
     *  they are already part of the server's RAM quota. */
    void (*upgrade)(struct kide_env *env, void *session, kide_u64 ram);
};
/** Provide `service`: create a handler and its root portal, announce it to the
 *  parent. Returns KIDE_OK or why not (KIDE_DENIED: not in `provides`). */
int kide_service_announce(struct kide_env *env, const char *service,
                          const struct kide_service_ops *ops);
/** A raw portal: every call on `*pt` runs fn(env, obj, rpc) in the component's
 *  handler EC; fn reads rpc->in (pos = 1), fills rpc->out, returns the status.
 *  For protocols other than sessions (hoitaja's parent portals). */
typedef int (*kide_portal_fn)(struct kide_env *env, void *obj, struct kide_rpc *rpc);
int kide_portal_create(struct kide_env *env, kide_portal_fn fn, void *obj, kide_sel *pt);
/** As kide_portal_create, but served by the component's handler EC on `cpu`
 *  (< kide_cpus(); made on first use, with its own stack, UTCB and self portal to
 *  core): only threads on that CPU can call the portal. fn may run on several CPUs
 *  at once: guard shared state with a kide_mutex. KIDE_BAD_PARAM for a CPU core does
 *  not know; KIDE_QUOTA when the caps quota cannot pay for the handler. */
int kide_portal_create_on(struct kide_env *env, unsigned cpu, kide_portal_fn fn, void *obj,
                          kide_sel *pt);
/** Revoke a raw portal (also every copy delegated from it) and forget it; a call
 *  already queued on it is answered KIDE_BAD_PARAM. */
void kide_portal_destroy(struct kide_env *env, kide_sel pt);
/** Serve forever: wait for signals (yield requests, heartbeats) and answer them;
 *  sessions are handled by the handler EC meanwhile. Never returns. */
__attribute__((noreturn)) void kide_serve(struct kide_env *env);
/** Wait up to ms for a signal from the parent and handle it; returns 1 if one was
 *  handled, 0 on timeout. For components with their own main loop. */
int kide_wait_signal(struct kide_env *env, kide_u64 ms);

/* ---- small libc-like helpers (freestanding) ---------------------------------- */
int kide_snprintf(char *buf, kide_u64 size, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/** A status's name: "OK", "QUOTA", "DENIED", ... ("?" for unknown codes). */
const char *kide_status_name(int status);

#endif
