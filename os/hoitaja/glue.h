/* SPDX-License-Identifier: MIT */
/* hoitaja OS glue: the running habitat, shared by main.c, child.c, calls.c, session.c and
 * mgmt.c.
 *
 * Several threads touch this state: the main thread (child supervision:
 * exits, faults, restarts, heartbeats, the console report, deadlines of
 * calls into children) and the runtime's handler ECs, one per CPU that has
 * children (parent portals of the children, management sessions, live
 * reconfiguration), which may run at once on different CPUs. Invariant:
 * every field below is read or written with hj.lock held, except the
 * immutable ones set before the first child starts. The lock is a semaphore
 * (never a spin lock: a holder may be preempted on its CPU). Invariant: the
 * lock is never held across a call into a child's portal (calls.c): such a
 * call is made by a handler EC with the lock released and a deadline the
 * main thread polices; the main thread never calls a child's portal. IPC never crosses CPUs: a
 * thread on another CPU than hoitaja's reaches core through its own self portal (kide_core_portal)
 * and a child's owner session through it (KIDE_CORE_OWN, hj_own_chan); a server's root portal only
 * from the server's CPU (sibling sessions stay on one CPU).
 */
#ifndef HOITAJA_GLUE_H
#define HOITAJA_GLUE_H

#include "hoitaja.h"

#include <kide/component.h>
#include <kide/core.h>
#include <kide/core_client.h>
#include <kide/parent_client.h>
#include <kide/parent.h>
#include <kide/status.h>

#define HJ_SESSIONS_MAX  512u  /**< open sessions routed by this habitat */
#define HJ_YIELD_WAIT_MS 500u  /**< how long a shrink waits for the child to give RAM back */
#define HJ_REPORT_MS     1000u /**< console report at most this often */
#define HJ_RESERVE_RAM   (512u * 1024u) /**< RAM hoitaja keeps for its own heap */
#define HJ_RESERVE_CAPS  16u            /**< kernel pages hoitaja keeps for its own portals */
#define HJ_SRV_CALL_MS   2000u          /**< deadline of a call into a child server (calls.c) */
#define HJ_LIVE_CALL_MS  1000u /**< deadline of each call into a child's config portal (live.c) */
#define HJ_GRACE_MS      5000u /**< a removed slot is freed this long after, once no call names it */
#define HJ_PKG_TAKE_MS   5000u /**< a store takes an asked `pkg:` start this soon (pkgstart.c) */
#define HJ_PARKED_MAX    (2u * HJ_PROVIDES_MAX) /**< root-portal selectors parked per slot */
/** Sessions one child may hold as a client (open, opening, management): its caps
 *  quota / HJ_SESS_PER_CAPS, at least HJ_SESS_CHILD_MIN, at most HJ_SESS_CHILD_MAX,
 *  so no child fills the table of HJ_SESSIONS_MAX alone. */
#define HJ_SESS_PER_CAPS  2u
#define HJ_SESS_CHILD_MIN 8u
#define HJ_SESS_CHILD_MAX 32u
/** The upper bound for a habitat child, which forwards its own children's sessions. */
#define HJ_SESS_HABITAT_MAX 128u
/** Close notices one server may have pending (beyond them it is not told). */
#define HJ_CLOSING_MAX 32u

/** A service a child announced. */
struct hj_announce {
    char service[HJ_SERVICE_MAX + 1];
    kide_sel pt; /**< its root portal, in hoitaja's space */
};

/** One child: its configuration and what is running. */
struct hj_slot {
    struct hj_child_cfg cfg; /**< owned copy of the configuration it runs with */
    kide_u8 state;           /**< enum hj_state */
    int live;                /**< an account exists at core */
    kide_sel own_pt, pd;     /**< owner portal and PD capability (0: none) */
    kide_u64 acc_id;         /**< its sub-account id at core (KIDE_CORE_OWN) */
    kide_sel parent_pt;      /**< its parent portal (kide_portal_create) */
    kide_u64 exit_code, fault_vector, fault_addr, fault_ip;
    const char *fault_reason; /**< "heartbeat missed", or NULL: from the vector */
    kide_u64 signal;          /**< a POSIX child: the signal that ended it (hj_end_signal), 0 */
    kide_u64 started_ns;      /**< last START */
    kide_u64 ended_ns;        /**< when it exited or faulted */
    kide_u64 restart_at_ns;   /**< when state == RESTARTING */
    kide_u64 restarts;
    struct hj_backoff backoff;
    kide_u64 hb_next_ns;  /**< next heartbeat signal */
    kide_u64 hb_alive_ns; /**< last KIDE_PARENT_ALIVE (or start) */
    kide_u64 hb_sent_ns;  /**< start of the current unanswered round, 0: none */
    int hb_missed;        /**< reported for the current silence */
    kide_u32 pending;     /**< KIDE_PARENT_WANT_* for KIDE_PARENT_PENDING */
    kide_u64 donated_in;  /**< RAM clients donated to it (part of its core quota) */
    kide_u64 donated_out; /**< RAM it donated to servers (taken from its core quota) */
    unsigned nannounced;
    struct hj_announce announced[HJ_PROVIDES_MAX];
    kide_u64 ram_quota, ram_used; /**< last numbers from KIDE_OWN_STATE */
    kide_u64 caps_quota, caps_used;
    kide_u64 cpu_ns;
    kide_u64 epoch;   /**< bumped by every start and stop (calls.c) */
    unsigned calls;   /**< calls in flight naming it (client or server): not freed */
    unsigned nparked; /**< selectors of revoked root portals kept while calls > 0 */
    kide_sel parked[HJ_PARKED_MAX];
    int removed;         /**< removed by a reconfiguration: on hj.dead, freed later */
    kide_u64 removed_ns; /**< when */
    struct hj_slot *next_dead;
    int limit_said;      /**< its session limit was logged (until one of its sessions ends) */
    kide_sel cfg_pt;     /**< its config portal (KIDE_PARENT_CONFIG_PORTAL), 0: none */
    kide_u32 status_len; /**< bytes in status, 0: none published */
    int status_new;      /**< published since the last console report */
    char status[HJ_STATUS_TEXT_MAX + 1]; /**< its last status, canonical (live.c) */
    kide_u64 pkg_due_ns; /**< a `pkg:` start waits for its store's PENDING until then (0: none) */
};

/** A session's kind. OPENING: a handler EC is calling the server's (or our
 *  parent's) open without the lock; it finishes or undoes the entry itself.
 *  CLOSING: the client's side is gone, the server still has to be told
 *  (KIDE_SRV_CLOSE, delivered by a handler EC on the server's CPU, on its next
 *  KIDE_PARENT_PENDING or at once for a PARENT_CLOSE); `client` is whom its
 *  donation goes back to (NULL: hoitaja's pool). */
enum hj_sess_kind {
    HJ_SESS_SIBLING = 1,
    HJ_SESS_PARENT,
    HJ_SESS_MGMT,
    HJ_SESS_OPENING,
    HJ_SESS_CLOSING
};
#define HJ_GONE_CLIENT 1u /**< OPENING: the client stopped meanwhile */
#define HJ_GONE_SERVER 2u /**< OPENING: the server stopped meanwhile */

/** An open session of a child (the client). */
struct hj_session {
    kide_u8 kind; /**< enum hj_sess_kind, 0: free slot */
    kide_u32 gen; /**< bumped on reuse, part of the handle */
    struct hj_slot *client;
    struct hj_slot *server; /**< HJ_SESS_SIBLING */
    kide_u64 server_id;     /**< the server's session id, or the parent's handle */
    kide_sel srv_pt;        /**< the server's root portal (owned by its hj_announce) */
    kide_sel pt;            /**< hoitaja's copy of the session portal */
    kide_u64 donated;
    struct hj_mgmt *mgmt; /**< HJ_SESS_MGMT */
    kide_u8 gone;         /**< HJ_GONE_* (OPENING) */
    kide_u8 busy;         /**< CLOSING: a handler is delivering its close */
};

/** A call into a child's (or our parent's) portal in flight, one per CPU: the
 *  handler EC of that CPU makes it without hj.lock (calls.c). */
struct hj_call {
    int busy;
    struct hj_slot *server; /**< the child server called; NULL: our own parent (no deadline) */
    kide_u64 server_epoch;  /**< server->epoch when called */
    kide_u64 deadline_ns;
    const char *why; /**< the fault reason when the deadline passes */
    int timed_out;   /**< the main thread faulted the server for it */
};

/** A management session's buffers. */
struct hj_mgmt {
    char *upload; /**< configuration being uploaded */
    kide_u64 upload_total, upload_have;
    char *result; /**< last apply's result JSON */
    long result_len;
    char *report; /**< report snapshot */
    long report_len;
    kide_u64 report_seq;
    kide_sel events_sm; /**< upped per event once subscribed (KIDE_MGMT_SUBSCRIBE), or 0 */
    char *config;       /**< snapshot of the configuration in force (KIDE_MGMT_CONFIG) */
    long config_len;
    kide_u64 config_gen;
    struct hj_slot *client; /**< the child that holds the session */
    int busy;               /**< an apply of this session runs (it may release hj.lock: live.c) */
    int closed;             /**< closed meanwhile: the apply frees it when it ends */
};

/** The habitat. */
struct hj {
    struct kide_env *env;
    char label[KIDE_LABEL_MAX + 1]; /**< own label: "init" or "tenant-a" */
    int root;                       /**< the root habitat: no parent portal */
    struct kide_mutex lock;
    kide_sel children_sm; /**< from the first KIDE_CORE_CHILD, 0 before */
    kide_sel yield_sm;    /**< upped by the main thread when children_sm fires */
    volatile int yield_waiting;
    struct hj_limits lim;                  /**< what the children may add up to */
    struct hj_config cfg;                  /**< the configuration in force (children in order) */
    struct hj_slot *slot[HJ_CHILDREN_MAX]; /**< slot[i] runs cfg.child[i] */
    struct hj_session *sess;               /**< HJ_SESSIONS_MAX */
    struct hj_events events;
    kide_u64 report_seq;
    int dirty;            /**< something changed since the last console report */
    int status_dirty;     /**< a child published a status since the last console report */
    unsigned status_next; /**< first child in line for the status console budget (report.c) */
    int applying;         /**< an apply runs (one at a time: it may release hj.lock) */
    kide_u64 report_next_ns;
    int exit_pending;                 /**< the exit_with child ended: the main thread exits */
    kide_u64 exit_code;               /**< with this code */
    char exit_child[HJ_NAME_MAX + 1]; /**< the exit_with child that ended */
    /** by CPU: the handler's call in flight; [HJ_CPUS_MAX]: the main thread's, which
     *  makes none (a `pkg:` start is asked of the store: pkgstart.c) */
    struct hj_call call[HJ_CPUS_MAX + 1];
    kide_u64 stall_end_ns[HJ_CPUS_MAX + 1]; /**< when that entry's last such call ended */
    struct hj_slot *dead;                   /**< removed slots not freed yet */
};

extern struct hj hj;

/* child.c */
/** The channel to s's owner session from the calling thread, on any CPU: the owner
 *  portal on hoitaja's CPU, else KIDE_CORE_OWN through this CPU's self portal. */
struct kide_core_chan hj_own_chan(struct hj_slot *s);
/* mgmt.c */
/** Snapshot a request's first `words` argument words (after the op) into req, zero
 *  beyond what came; a shorter message latches rpc->in.bad. */
void hj_rpc_decode(struct kide_rpc *rpc, void *req, unsigned words);
/** Start slot s from s->cfg. Returns KIDE_OK or a status; why gets the reason. */
int hj_child_start(struct hj_slot *s, char *why, kide_u64 size);
/** Destroy the child's account (if any), close its sessions, reclaim everything. */
void hj_child_stop(struct hj_slot *s);
/** Poll core for s's state and act on an exit or fault (restart policy). */
void hj_child_poll(struct hj_slot *s, kide_u64 now);
/** Timers: due restarts and heartbeats; returns the next deadline (ns, ~0: none). */
kide_u64 hj_child_timers(struct hj_slot *s, kide_u64 now);
/** s ended for good (no restart follows) with code: if it is the habitat's exit_with
 *  child, mark the habitat to end (hj.exit_pending; the main thread acts on it). */
void hj_child_gone(struct hj_slot *s, kide_u64 code);
/** Treat s as faulted for `reason` (no exception: e.g. a call past its deadline):
 *  report it and stop or restart it by its policy. */
void hj_child_fault(struct hj_slot *s, const char *reason, kide_u64 now);
/** Numbers for the report. */
void hj_child_status(struct hj_slot *s, kide_u64 now, struct hj_status *out);
/** Move RAM quota of a running child to `quota` (shrinking waits for a yield).
 *  Returns KIDE_OK or KIDE_QUOTA with *kept = bytes it did not give back. */
int hj_child_set_ram(struct hj_slot *s, kide_u64 quota, kide_u64 *kept, int wait);
int hj_child_set_caps(struct hj_slot *s, kide_u64 pages);
int hj_child_set_cpu(struct hj_slot *s, kide_u32 quota, kide_u32 prio);
/** Log a console line (core prefixes the label) and mark the report dirty. */
#define hj_say(...) (kide_log(hj.env, __VA_ARGS__), hj.dirty = 1)
/** Record an event. */
void hj_event(kide_u64 type, const char *child, kide_u64 a, kide_u64 b);
/** Name of a status for messages. */
const char *hj_status_name(int st);

/* calls.c */
/** Call pt (a child server's root portal, or our parent's when srv is NULL) with m
 *  without holding hj.lock, which the caller (a handler EC) holds and holds again
 *  on return; client and srv stay allocated meanwhile. KIDE_TIMEOUT when the
 *  server missed the deadline and was faulted. The reply stays in m. */
int hj_call_unlocked(struct hj_slot *client, struct hj_slot *srv, struct kide_msg *m, kide_sel pt,
                     kide_sel rcv);
/** hj_call_unlocked with its own deadline (ms) and the fault reason when it passes. */
int hj_call_deadline(struct hj_slot *client, struct hj_slot *srv, struct kide_msg *m, kide_sel pt,
                     kide_sel rcv, kide_u64 ms, const char *why);
/** Main thread: fault the servers of calls past their deadline; the next deadline. */
kide_u64 hj_calls_police(kide_u64 now);
/** Since when the handler of `cpu` has been free of such calls (~0: busy now). */
kide_u64 hj_cpu_free_since(unsigned cpu);
void hj_slot_hold(struct hj_slot *s);
void hj_slot_put(struct hj_slot *s);
/** Drop a root portal of s; its selector is parked while calls name s. */
void hj_slot_park(struct hj_slot *s, kide_sel pt);
/** A slot removed by a reconfiguration: freed by hj_slots_reap when safe. */
void hj_slot_retire(struct hj_slot *s);
void hj_slots_reap(kide_u64 now);

/* live.c */
/** Hand config text (len bytes) to s's config portal and get its verdict (handler EC,
 *  hj.lock held; released during each call). Returns 0 when s took it (or is not
 *  running: it gets it at its next start) or -1; res gets the result text ("applied",
 *  "rejected: ..."). */
int hj_live_push(struct hj_slot *s, const char *text, kide_u32 len, char *res, kide_u64 size);
/** KIDE_PARENT_CONFIG_PORTAL and KIDE_PARENT_STATUS of child c. */
int hj_live_register(struct hj_slot *c, struct kide_rpc *rpc);
int hj_live_status(struct hj_slot *c, struct kide_rpc *rpc);
/** Forget what a stopped child registered (its config portal is parked). */
void hj_live_forget(struct hj_slot *s);
/** Console: the status lines of children that published since the last time. */
void hj_report_status_console(kide_u64 now);

/* session.c */
/** The parent-portal handler of slot `obj`. */
int hj_parent_call(struct kide_env *env, void *obj, struct kide_rpc *rpc);
/** Close the sessions child s holds as a client (before its account goes). */
void hj_sessions_drop_client(struct hj_slot *s);
/** Forget the sessions s served (after its account went): credit the clients. */
void hj_sessions_drop_server(struct hj_slot *s);
/** The most sessions child s may hold as a client. */
unsigned hj_session_limit(const struct hj_slot *s);
/** hoitaja's own session at sibling `server`'s `service` in client c's name (its
 *  label, no donation; counted against c's session limit): the Pkg session of a
 *  `pkg:` child's start. -> KIDE_OK with *out (its portal is (*out)->pt) |
 *  KIDE_NOT_FOUND (not running or not announced) | the server's refusal. */
int hj_session_open_for(struct hj_slot *c, const char *server, const char *service,
                        struct hj_session **out);
/** Close a session from hj_session_open_for (the server is told later, never waited for). */
void hj_session_close_for(struct hj_session *ss);

/** A start failed (why): said, and a `pkg:` child is tried again by its restart
 *  policy (its store may come up or install it later); others are gone. */
void hj_child_start_failed(struct hj_slot *s, const char *why, kide_u64 now);

/* pkgload.c */
/** Load child s from the package its binary names ("pkg:<user>/<name>/<version>"):
 *  the Pkg session by its route, OPEN and READ into hoitaja's RAM, then
 *  KIDE_OWN_LOAD_PAGES; the session is closed again. why says what failed. */
int hj_pkg_load(struct hj_slot *s, char *why, kide_u64 size);

/* pkgstart.c */
/** Main thread: start `pkg:` child s (boot or restart) without calling its store: s
 *  waits (restarting) until the store's next PENDING runs the start in a handler EC;
 *  the store is signalled. A store not up (or no route) fails the start at once. */
void hj_pkg_start_ask(struct hj_slot *s, kide_u64 now);
/** Main thread: fail s's asked start once the store did not take it by its due time;
 *  the next due time (~0: none). */
kide_u64 hj_pkg_start_due(struct hj_slot *s, kide_u64 now);
/** Handler EC, from store's KIDE_PARENT_PENDING: run the starts asked of it. */
void hj_pkg_start_pending(struct hj_slot *store);

/* mgmt.c */
/** Open a management session: its portal into *pt. */
int hj_mgmt_open(struct hj_session *ss, kide_sel *pt);
void hj_mgmt_close(struct hj_session *ss);
/** Publish the report on the console (main thread, rate-limited by the caller). */
void hj_report_console(kide_u64 now);

/* control.c */
/** KIDE_MGMT_CONTROL: action (KIDE_CTL_*) on the child named `name`, asked by `caller`
 *  (hj.lock held, no apply running). Returns 1 when done, 0 when rejected; verdict gets
 *  "stopped", "started", "restarted" or "rejected: <reason>". */
int hj_control(struct hj_slot *caller, kide_u64 action, const char *name, char *verdict,
               kide_u64 size);
/** Forget the log ring core keeps of an ended child named `name` (it was removed). */
void hj_logs_forget(const char *name);

/** Apply a configuration (full or partial) as generation gen; results into m. */
int hj_apply(struct hj_mgmt *m, const char *text, kide_u64 len, kide_u64 gen, int partial);

#endif
