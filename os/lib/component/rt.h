/* SPDX-License-Identifier: MIT */
/* Internal interface between the files of the component runtime (libkide.a).
 *
 * One runtime, two backends (README.md). The shared files (sync.c, sel.c,
 * heap.c, msg.c, call.c, config.c, ds.c, session.c and the client libraries:
 * libkide_common.a) call only the base library and the backend functions
 * below. The component backend (entry.c, env.c, log.c, core.c, ram.c,
 * portal.c, service.c, signal.c) does them through core; core supplies its
 * own (os/core/runtime.c) with direct system calls, as the root task.
 *
 * In a component the base library's crt0 enters the runtime on the main EC
 * (rt_main) and on handler ECs (rt_portal_entry), see entry.c. Its
 * global state is the one struct kide_env below plus a few
 * file-local tables; everything shared between the main thread and the
 * handler EC is guarded by one of two semaphore locks, taken in the order
 * misc -> heap (the heap never takes misc) and never held across a callback
 * into component code.
 *
 * Address-space plan inside core's RAM window [KIDE_COMP_HEAP, _END):
 * heap chunks and large heap blocks, then kide_ram_alloc dataspaces, then
 * handler stacks in fixed slots whose top words name the slot's UTCB (the
 * crt0 convention of kide/base.h) and its struct rt_handler, which is how a thread finds
 * its own UTCB, CPU and self portal to core.
 */
#ifndef KIDE_RT_H
#define KIDE_RT_H

#include <kide/component.h>
#include <kide/core_client.h>
#include <kide/parent_client.h>
#include <kide/core.h>
#include <kide/parent.h>
#include <kide/utcb.h>

#define RT_HEAP_VA     KIDE_COMP_HEAP
#define RT_HEAP_VA_END (KIDE_COMP_HEAP + 0x80000000000ull) /* 8 TiB of heap addresses */
#define RT_DS_VA       RT_HEAP_VA_END
/* 1 TiB of windows for dataspaces other components share with this one. */
#define RT_ATTACH_VA_END (KIDE_COMP_HEAP_END - 0x10000000000ull)
#define RT_ATTACH_VA     (RT_ATTACH_VA_END - 0x10000000000ull)
#define RT_DS_VA_END     RT_ATTACH_VA
#define RT_STACK_VA      RT_ATTACH_VA_END /* 1 TiB of handler stack slots up to the end */
#define RT_STACK_SLOT    0x20000ull /* 128 KiB per slot: the upper half mapped, the lower a guard */
#define RT_STACK_SIZE    0x10000ull
/* Handler UTCB when the info page gives no hint. */
#define RT_HANDLER_UTCB (KIDE_COMP_UTCB + 0x100000ull)

/* The schema's limits (kide/limits.h): what hoitaja and core accept, no more. */
#define RT_SERVICE_NAME_MAX KIDE_SERVICE_MAX
#define RT_ARGS_MAX         KIDE_SESSION_ARGS_MAX
#define RT_LABEL_MAX        (KIDE_LABEL_MAX + 1) /* a label's buffer, with its NUL */

struct kide_json_doc;

struct kide_env {
    const struct kide_comp_info *info; /**< core's info page (NULL if its magic is wrong) */
    const char *config;                /**< raw config JSON */
    kide_u64 config_len;
    char name[KIDE_LABEL_MAX + 1];
    char args[200];
    struct kide_mutex heap_mx, misc_mx; /**< see the file comment for the order */
    struct kide_mutex thread_mx;        /**< thread.c's table; taken before misc and heap */
    kide_sel parent;                    /**< the parent portal (a test may aim it elsewhere) */
    kide_sel sleep_sm;                  /**< count 0, only ever timed out on */
    void (*on_yield)(struct kide_env *env, kide_u64 bytes);
    /* kide_config_doc's cached result, guarded by misc_mx */
    int doc_state; /**< 0 not parsed, 1 ok, -1 failed */
    struct kide_json_doc *doc;
    char doc_err[160];
};

extern struct kide_env rt_env;

/** kide_msg_call_cap with any receive window (an object selector or a memory range). */
int rt_msg_call_window(struct kide_msg *m, kide_sel pt, kide_crd window_crd, kide_sel send,
                       unsigned perm);
/** The calling thread's channel to core's self session (kide/core_client.h): its
 *  UTCB and self portal, the caller's UTCB message kept across the call (a request
 *  of at most KIDE_CORE_KEEP_WORDS words). */
struct kide_core_chan rt_core_chan(void);

/* heap.c, over the backend in ram.c (or a fake one in the host tests) */
int rt_heap_map(kide_u64 size, void **addr);
void rt_heap_unmap(void *addr, kide_u64 size);
void rt_heap_lock(void);
void rt_heap_unlock(void);
/** Give every wholly free heap chunk back; returns the bytes released. */
kide_u64 rt_heap_release(void);
/** Report a misuse of the heap: OP ("kide_free", "kide_realloc") was given P,
 *  which is not a live block. Called only in debug builds (RT_DEBUG), outside
 *  the heap lock (the report may allocate or call core). */
void rt_heap_misuse(const char *op, const void *p);

/* 1 in a debug build of the runtime (make DEBUG=1 defines KIDE_DEBUG): its
 * extra reports are plain ifs on this constant, so both builds compile them. */
#ifdef KIDE_DEBUG
#define RT_DEBUG 1
#else
#define RT_DEBUG 0
#endif

/* portal.c: portal kinds, encoded in the low byte of a portal id */
enum { RT_PT_FREE, RT_PT_RAW, RT_PT_SERVICE, RT_PT_SESSION };
/** A handler EC: one per CPU the component serves. Found from its stack slot (the
 *  word above the UTCB word at the slot's top). */
struct rt_handler {
    unsigned cpu;
    kide_u64 nr;      /**< core's handler number (KIDE_CORE_PORTAL) */
    kide_sel rcv;     /**< its receive window */
    kide_sel core_pt; /**< its self portal to core (on its CPU) */
    kide_u64 in_buf[KIDE_UTCB_WORDS], out_buf[KIDE_UTCB_WORDS];
};
/** The calling thread's handler, or NULL for the main thread. */
struct rt_handler *rt_handler_self(void);
/** A portal of `kind` to the handler on `cpu` (created on first use); *id and *sel get
 *  its id and our selector for it. */
int rt_portal_new(unsigned kind, unsigned cpu, kide_portal_fn fn,
                  const struct kide_service_ops *ops, void *obj, kide_u64 service, kide_u64 *id,
                  kide_sel *sel);
/** Revoke the portal with this id and free its entry. */
void rt_portal_drop(kide_u64 id);

/* env.c: the main EC's start (reads the info page, calls kide_main). */
__attribute__((noreturn)) void rt_main(void);
/* portal.c: a call on one of the component's portals; sets the UTCB's reply. */
void rt_portal_entry(kide_u64 id, kide_u64 msg, struct kide_utcb *u);

/* ---- the backend: what the shared files need, one definition per program ---- */
/** Create a semaphore object with `count` at the free selector `sel`, charged to
 *  this program; returns a status (component: core's SM; core: create_sm). */
int rt_sm_make(kide_sel sel, kide_u64 count);
/** The calling thread's UTCB (component: a handler's from its stack slot, else
 *  the main EC's). */
struct kide_utcb *rt_utcb(void);
/* rt_heap_map and rt_heap_unmap above are the backend's too (component: ram.c). */

/* sel.c: selectors from `first` up (the backend says which: KIDE_COMP_SEL_FREE
 * in a component, KIDE_ROOT_SEL_FREE in core). */
void rt_sel_init(kide_sel first);
/** Largest order kide_sel_alloc hands out: up to 2^15, core's account blocks. */
#define RT_SEL_ORDER_MAX 15

/* thread.c: the UTCB of a kide_thread whose registered stack holds sp, or 0. */
kide_u64 rt_thread_utcb(kide_u64 sp);
/* portal.c: the first address of the handler-UTCB area (the info page's hint). */
kide_u64 rt_utcb_area(void);
/* ram.c: size bytes of RAM at a fresh dataspace address with `guard` unmapped bytes
 * below it (never handed out). */
int rt_ram_alloc_guarded(kide_u64 size, kide_u64 guard, void **addr);

/* log.c */
void rt_log_init(void);

/* signal.c */
void rt_handle_signal(struct kide_env *env);

#endif
