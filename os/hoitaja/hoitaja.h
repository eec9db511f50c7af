/* SPDX-License-Identifier: MIT */
/* hoitaja: types and entry points shared by the pure logic and the OS glue.
 *
 * hoitaja is split in two. The logic (config.c, plan.c, routes.c, backoff.c,
 * events.c, report.c) depends only on <kide/json.h> and a handful of string
 * functions, so the host unit tests and the fuzzer build it unchanged. The
 * glue (main.c, child.c, calls.c, session.c, mgmt.c; glue.h) talks to core,
 * the parent and the children. os/hoitaja/build.mk lists both halves.
 *
 * A configuration (docs/formats/hoitaja-config.md) is parsed completely into
 * a struct hj_config before anything changes: every string is copied into
 * fixed fields, a child's `config` and `habitat` objects are kept as
 * canonical JSON text (so "changed" is a byte comparison), and every error
 * names the field, the child, where it is and what to do.
 */
#ifndef HOITAJA_H
#define HOITAJA_H

#include <kide/types.h>
#include <kide/limits.h>
#include <kide/parent.h>

/* ---- portability: the host build (tests, fuzzer) or the freestanding one -- */
#ifdef HJ_HOST
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#define hj_malloc   malloc
#define hj_free     free
#define hj_snprintf snprintf
#else
#include <kide/component.h>
typedef unsigned long size_t;
#ifndef NULL
#define NULL ((void *)0)
#endif
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
#define hj_malloc   kide_malloc
#define hj_free     kide_free
#define hj_snprintf kide_snprintf
#endif

/* ---- limits (docs/hoitaja.md, "Limits"): the shared ones come from <kide/limits.h>,
 *      which kide-scenario compiles in with this validator. ------------------- */
#define HJ_NAME_MAX        KIDE_NAME_MAX     /**< child and binary names, bytes */
#define HJ_ARGS_MAX        KIDE_ARGS_MAX     /**< a child's args string, bytes (core's info page) */
#define HJ_SERVICE_MAX     KIDE_SERVICE_MAX  /**< service names, bytes */
#define HJ_CHILDREN_MAX    KIDE_CHILDREN_MAX /**< children per habitat */
#define HJ_ROUTES_MAX      KIDE_ROUTES_MAX   /**< routes per child */
#define HJ_PROVIDES_MAX    KIDE_PROVIDES_MAX /**< provided services per child */
#define HJ_NEST_MAX        KIDE_NEST_MAX     /**< habitats nested below this one */
#define HJ_CAPS_MIN        KIDE_CAPS_MIN     /**< kernel pages: a PD alone needs 8 */
#define HJ_CAPS_MAX        KIDE_CAPS_MAX
#define HJ_CONFIG_MAX      KIDE_CONFIG_MAX /**< bytes of configuration JSON */
#define HJ_ROMS_MAX        8u      /**< boot modules a POSIX child names (KIDE_CORE_ROM_MAX) */
#define HJ_POSIX_BINARY    "posix" /**< the boot module of the POSIX runtime */
#define HJ_TOKENS_MAX      32768u  /**< JSON values in one configuration */
#define HJ_BACKOFF_DEF     100u    /**< ms */
#define HJ_MAX_BACKOFF_DEF 10000u  /**< ms */
#define HJ_PRIO_DEF        64u
#define HJ_CPUS_MAX        KIDE_CPUS_MAX  /**< CPU numbers 0..15 (KIDE_MAX_CPUS) */
#define HJ_NODES_MAX       KIDE_NODES_MAX /**< NUMA nodes 0..7 (KIDE_BOOT_MAX_NODES) */
#define HJ_CLEAN_RUN_NS    60000000000ull /**< a minute of clean running resets the back-off */

enum hj_to { HJ_TO_PARENT = 1, HJ_TO_CHILD = 2, HJ_TO_DENIED = 3 };
enum hj_policy { HJ_RESTART_NEVER = 0, HJ_RESTART_ON_FAILURE = 1, HJ_RESTART_ALWAYS = 2 };

/** One route: where session requests for `service` go. */
struct hj_route {
    char service[HJ_SERVICE_MAX + 1]; /**< service name, or "*" */
    kide_u8 to;                       /**< enum hj_to */
    char child[HJ_NAME_MAX + 1];      /**< the sibling for HJ_TO_CHILD, else "" */
    kide_u32 line, col;               /**< where the route is written, for messages */
};

/** One child as configured. */
struct hj_child_cfg {
    char name[HJ_NAME_MAX + 1];
    char binary[HJ_NAME_MAX + 1];
    kide_u64 ram;       /**< bytes */
    kide_u64 caps;      /**< kernel-memory pages */
    kide_u32 cpu_quota; /**< percent of the habitat's CPU share (of the whole CPU when
                             the child runs on another CPU than the habitat) */
    kide_u32 priority;  /**< 0..127 */
    kide_u32 affinity;  /**< its CPU: cpu.affinity, or the habitat's CPU (hj_limits.home_cpu) */
    kide_u32 nprovides;
    char provides[HJ_PROVIDES_MAX][HJ_SERVICE_MAX + 1];
    kide_u32 nroutes;
    struct hj_route routes[HJ_ROUTES_MAX];
    kide_u8 policy; /**< enum hj_policy */
    kide_u64 backoff_ms, max_backoff_ms;
    kide_u64 heartbeat_ms; /**< 0: none */
    _Bool devices;         /**< asks core for the device right (KIDE_OWN_DEVICES) at start */
    _Bool platform;        /**< devices: "platform": also PCI configuration (the platform driver) */
    _Bool has_ram_node;    /**< ram_node was given (else the habitat's policy holds) */
    kide_u32 ram_node; /**< ram_node: the NUMA node its RAM comes from first (KIDE_OWN_RAM_NODE) */
    char args[HJ_ARGS_MAX + 1]; /**< passed with KIDE_OWN_ARGS before START ("": none) */
    char *config;               /**< canonical JSON of `config` (owned, NUL-terminated) */
    kide_u32 config_len;
    _Bool config_live; /**< config_live: a change of only `config` goes to the running child
                            (KIDE_CFG_*) instead of restarting it */
    char *habitat;     /**< canonical JSON of `habitat`, NULL unless binary is hoitaja */
    kide_u32 habitat_len;
    _Bool posix;    /**< a POSIX child (`posix:`): binary is "posix" (the runtime) and config
                         `{"posix": ...}`, checked by posix_config_parse (os/posix/config) */
    kide_u32 nroms; /**< posix: the boot modules named for KIDE_OWN_ROM before START */
    char roms[HJ_ROMS_MAX][HJ_NAME_MAX]; /**< posix: program first (each <= 31 bytes) */
    _Bool remove;                        /**< partial configurations: `"remove": true` */
    kide_u32 line;                       /**< line of the child object, for messages */
};

/** A whole configuration (or a partial one, before merging). */
struct hj_config {
    kide_u64 generation;             /**< 0 in a partial/nested one that gave none */
    char exit_with[HJ_NAME_MAX + 1]; /**< the child whose end ends the habitat, "" for none */
    kide_u32 nchildren;
    struct hj_child_cfg *child; /**< nchildren entries (owned) */
};

/** What the habitat may hand out: the bound of the quota sums. */
struct hj_limits {
    kide_u64 ram;      /**< bytes */
    kide_u64 caps;     /**< pages */
    kide_u32 cpu;      /**< percent the children on home_cpu may add up to (100) */
    kide_u32 cpus;     /**< CPUs of the machine (KIDE_CORE_STATS w5; 0 counts as 1) */
    kide_u32 home_cpu; /**< the habitat's own CPU: the default affinity; on every other
                            CPU the children's cpu.quota may add up to 100 */
    kide_u32 nest;     /**< habitats that may still nest below (HJ_NEST_MAX at the root) */
    _Bool no_devices;  /**< known to lack the device right (a nested habitat without devices):
                            no child may ask for it. Otherwise core decides at start. */
    kide_u32 nodes;    /**< NUMA nodes of the machine: ram_node must be below it (0: not
                            known here; core decides at start) */
};

/** A configuration error: what, where, and a hint. */
struct hj_error {
    char msg[256];
    char hint[192];
};

/** Where a configuration error is, for tools that point elsewhere (kide-scenario
 *  names the YAML line the init.json value came from). */
struct hj_place {
    kide_u32 line, col; /**< in the configuration, 1-based; col 0: the line as a whole;
                             line 0: nowhere in particular */
    kide_u32 what;      /**< offset in hj_error.msg of the message without its place:
                             msg "child 'x' (line 7, column 14): ram ...", msg + what "ram ..." */
};

/* parse flags */
#define HJ_PARSE_PARTIAL 1u /**< children may be `{"name": x, "remove": true}`; no cross checks */
#define HJ_PARSE_NO_GEN  2u /**< `generation` is optional (nested habitats, management apply) */

/* ---- config.c ------------------------------------------------------------- */
/** What a name and a service name may be: the hints of every message about one
 *  (hoitaja's and kide-scenario's alike). */
#define HJ_NAME_HINT "names are 1 to 32 characters: a lowercase letter, then a-z, 0-9 or '-'"
#define HJ_SERVICE_HINT                                                                            \
    "service names are 1 to 32 characters: a letter, then letters, digits, '_' or '-' (like "      \
    "Timer or LOG)"
/** Whether s[0..len) is a name ([a-z][a-z0-9-]{0,31}) or, with service, a service
 *  name ([A-Za-z][A-Za-z0-9_-]{0,31}): 0, or -1 with why ("is 33 bytes, at most
 *  32", ...) for a message "<field> '<s>' <why>". The one check of names: hoitaja
 *  and kide-scenario both call it. */
int hj_name_check(const char *s, kide_u64 len, int service, char *why, kide_u64 size);
#define HJ_PKG_BINARY_MAX 31u /**< "pkg:..." fits core's LOAD_PAGES name and the info page */
#define HJ_BINARY_HINT                                                                             \
    "a boot module's name, or \"pkg:<user>/<name>/<version>\" (31 bytes at most) with a route "    \
    "for service Pkg"
/** Whether s[0..len) is a child's binary: a name (hj_name_check) or a package,
 *  "pkg:<user>/<name>/<version>" with user and name [a-z][a-z0-9-]*, version
 *  [0-9A-Za-z][0-9A-Za-z.+_-]*, at most HJ_PKG_BINARY_MAX bytes. 0, or -1 with why. */
int hj_binary_check(const char *s, kide_u64 len, char *why, kide_u64 size);
/** Whether binary names an installed package ("pkg:" prefix; checked by hj_binary_check). */
int hj_binary_is_pkg(const char *binary);

/** Parse and (unless partial) validate buf[0..len). Returns 0, or -1 with *err set
 *  (the output is then empty). The caller frees *out with hj_config_free. */
int hj_config_parse(const char *buf, kide_u64 len, const struct hj_limits *lim, unsigned flags,
                    struct hj_config *out, struct hj_error *err);
/** hj_config_parse that also says where the error is (*at; at may be NULL). */
int hj_config_parse_at(const char *buf, kide_u64 len, const struct hj_limits *lim, unsigned flags,
                       struct hj_config *out, struct hj_error *err, struct hj_place *at);
/** Cross-child checks of a whole configuration: unique names, routes, quota sums. */
int hj_config_check(const struct hj_config *c, const struct hj_limits *lim, struct hj_error *err);
/** cur with the partial configuration applied (replace or add the named children,
 *  drop the removed ones), then checked. Returns 0 or -1 with *err. */
int hj_config_merge(const struct hj_config *cur, const struct hj_config *part,
                    const struct hj_limits *lim, struct hj_config *out, struct hj_error *err);
/** Release a configuration's memory (safe on a zeroed one). */
void hj_config_free(struct hj_config *c);
/** Deep copy of one child's configuration. Returns 0 or -1 (out of memory). */
int hj_child_cfg_copy(struct hj_child_cfg *dst, const struct hj_child_cfg *src);
/** Release what a child configuration owns. */
void hj_child_cfg_free(struct hj_child_cfg *c);
/** Whether generation gen may follow current (it must be current + 1). */
int hj_generation_ok(kide_u64 current, kide_u64 gen);
/** Exit code of a habitat ending with its exit_with child: the child's own exit code,
 *  HJ_EXIT_NO_CODE when it faulted, missed its heartbeat or could not start; a POSIX
 *  child that faulted: 128 + its signal (hj_end_signal; SIGSEGV: 139). */
#define HJ_EXIT_NO_CODE 111u
/** Add add to *sum if the result stays at most max; else set *sum to the sum (saturated
 *  at 2^64-1, never wrapped) and return -1. Every quota sum is made with it. */
int hj_add_within(kide_u64 *sum, kide_u64 add, kide_u64 max);
/** Index of the child named `name`, or -1. */
int hj_config_find(const struct hj_config *c, const char *name);

/* ---- cfgjson.c ------------------------------------------------------------ */
/** The configuration cfg as canonical JSON into buf (size bytes, NUL-terminated): a full
 *  configuration hj_config_parse reads back into the same struct (affinity is written
 *  only when it is not home_cpu). Returns its length, or -1 when it does not fit. */
long hj_config_json(const struct hj_config *cfg, kide_u32 home_cpu, char *buf, kide_u64 size);

/* ---- plan.c --------------------------------------------------------------- */
enum hj_act {
    HJ_ACT_NONE = 0, /**< unchanged */
    HJ_ACT_ADD,      /**< new child: start it */
    HJ_ACT_REMOVE,   /**< gone: destroy it, reclaim everything */
    HJ_ACT_RESTART,  /**< binary, args, routes, provides, devices, affinity, config or habitat
                        changed */
    HJ_ACT_UPDATE,   /**< changed in place: see HJ_UPD_* */
};
#define HJ_UPD_RAM    1u  /**< RAM quota */
#define HJ_UPD_CAPS   2u  /**< kernel-memory quota */
#define HJ_UPD_CPU    4u  /**< CPU quota or priority */
#define HJ_UPD_POLICY 8u  /**< restart policy, back-off or heartbeat: hoitaja's own bookkeeping */
#define HJ_UPD_CONFIG 16u /**< `config` of a config_live child: handed to the running child */

/** One step of a reconfiguration. */
struct hj_step {
    kide_u8 act; /**< enum hj_act */
    kide_u8 upd; /**< HJ_UPD_* for HJ_ACT_UPDATE */
    int old_idx; /**< index in the running configuration, -1 for ADD */
    int new_idx; /**< index in the new configuration, -1 for REMOVE */
};

/** Compare the running configuration with the new one. Writes at most
 *  cur->nchildren + next->nchildren steps in execution order: removals, then
 *  in-place updates that shrink, then the rest in the new configuration's order.
 *  Unchanged children get no step. Returns the number of steps. */
int hj_plan(const struct hj_config *cur, const struct hj_config *next, struct hj_step *steps);
/** Name of an action for results ("added", "removed", "restarted", "applied"). */
const char *hj_act_result(kide_u8 act);

/* ---- routes.c ------------------------------------------------------------- */
/** The first route of child c matching service (exact, or "*"), or NULL: denied. */
const struct hj_route *hj_route_find(const struct hj_child_cfg *c, const char *service);
/** Whether c may announce service (it is in `provides`). */
int hj_provides(const struct hj_child_cfg *c, const char *service);
/** Label of a client: "name" in the root habitat ("init"), else "habitat/name",
 *  plus "/suffix" when a nested habitat forwards for its own child. Returns 0 or
 *  -1 if it does not fit. */
int hj_label(char *out, kide_u64 size, const char *habitat, const char *child, const char *suffix);

/* ---- backoff.c ------------------------------------------------------------ */
/** Restart bookkeeping of one child. */
struct hj_backoff {
    kide_u64 next_ms; /**< delay of the next restart (0: not started yet) */
};
/** Whether the policy restarts a child that ended: exited (code) or faulted. */
int hj_should_restart(kide_u8 policy, int faulted, kide_u64 exit_code);
/** Delay of the next restart: base for the first or after ran_ns >= a clean
 *  minute, then doubling up to max. Updates *b. */
kide_u64 hj_backoff_next(struct hj_backoff *b, kide_u64 base_ms, kide_u64 max_ms, kide_u64 ran_ns);

/* ---- events.c ------------------------------------------------------------- */
#define HJ_EVENTS_RING 128u
/** The management event ring: the newest HJ_EVENTS_RING events. */
struct hj_events {
    struct kide_mgmt_event ev[HJ_EVENTS_RING];
    kide_u64 next_seq; /**< sequence number of the next event (first is 1) */
};
void hj_events_init(struct hj_events *e);
/** Record an event; returns its sequence number. */
kide_u64 hj_events_push(struct hj_events *e, kide_u64 type, const char *child, kide_u64 time_ns,
                        kide_u64 a, kide_u64 b);
/** Copy up to max events with seq > after into out; *first = seq of the first copied,
 *  *lost = events after `after` already overwritten. Returns the count. */
unsigned hj_events_read(const struct hj_events *e, kide_u64 after, struct kide_mgmt_event *out,
                        unsigned max, kide_u64 *first, kide_u64 *lost);

/* ---- status.c ------------------------------------------------------------- */
#define HJ_STATUS_DEPTH    8u    /**< nesting of a published status */
#define HJ_STATUS_STRING   256u  /**< longest string in it, bytes as written */
#define HJ_STATUS_TEXT_MAX 1280u /**< its canonical form, bytes (escapes may lengthen it) */
/** Check a status a child published (in, len bytes: a JSON object within the
 *  bounds above) and write its canonical form into out (size bytes, NUL-terminated),
 *  its length into *out_len. Returns 0, or -1 with why (why_size bytes) filled. */
int hj_status_check(const char *in, kide_u64 len, char *out, kide_u64 size, kide_u64 *out_len,
                    char *why, kide_u64 why_size);
/** The result text of a config_live child's verdict: KIDE_OK "applied";
 *  KIDE_INVALID "rejected: <reason>" (a reason that is not printable UTF-8 text
 *  of at most KIDE_VERDICT_MAX bytes is refused, named as such, never cut); KIDE_TIMEOUT "rejected:
 * child did not answer within <deadline_ms> ms; config unchanged"; else the status's name
 * (st_name). Returns 0 for applied, -1 for rejected. */
int hj_live_verdict(int st, const char *reason, const char *st_name, kide_u64 deadline_ms,
                    char *res, kide_u64 size);

/* ---- report.c ------------------------------------------------------------- */
/** The signal that ended a child, for its report: a POSIX child that exited with
 *  core's signal word (KIDE_OWN_STATE w18, 0 for a plain exit) reports that signal; one
 *  that faulted the signal of the vector (posix_fault_signal: 14/13 SIGSEGV, 6 SIGILL,
 *  0 SIGFPE, 3 SIGTRAP, ...; fault_reason faults such as a missed heartbeat: none).
 *  Native children: 0, they have no signals. */
kide_u64 hj_end_signal(int posix, int faulted, kide_u64 exit_signal, kide_u64 fault_vector,
                       const char *fault_reason);
/** The part of the exit log line and report line naming the signal: " (signal 11 SIGSEGV)"
 *  into buf, or "" for signal 0. */
const char *hj_signal_text(kide_u64 signal, char *buf, kide_u64 size);
enum hj_state {
    HJ_ST_STARTING = 0,
    HJ_ST_RUNNING,
    HJ_ST_EXITED,
    HJ_ST_FAULTED,
    HJ_ST_RESTARTING,
    HJ_ST_STOPPED,
};

/** What the report says about one child. */
struct hj_status {
    const char *name, *binary;
    _Bool devices; /**< configured with the device right */
    kide_u8 state; /**< enum hj_state */
    kide_u64 exit_code;
    kide_u64 fault_vector, fault_addr, fault_ip;
    const char *fault_reason; /**< overrides the vector's name (e.g. "heartbeat missed") */
    kide_u64 signal;          /**< exited or faulted POSIX child: the Linux signal that ended
                                   it (hj_end_signal), 0: none. Reported as "signal" and
                                   "signal_name" */
    kide_u64 ram_quota, ram_used;
    kide_u64 caps_quota, caps_used;
    kide_u64 cpu_ns;
    kide_u32 cpu_quota, priority, affinity;
    _Bool has_ram_node; /**< ram_node was configured */
    kide_u32 ram_node;  /**< the configured ram_node */
    kide_u64 restarts, uptime_ns;
    const char *status; /**< its published status (canonical JSON object), or NULL */
};

/** What the report says about the habitat itself. */
struct hj_habitat_status {
    const char *label; /**< "init" or "tenant-a" */
    kide_u64 generation, seq, time_ns;
    kide_u64 ram_quota, ram_used; /**< hoitaja's own account (children included) */
    kide_u64 caps_quota, caps_used;
};

/** Name of a state ("running", ...). */
const char *hj_state_name(kide_u8 st);
/** Reason of a fault vector: "page fault", ..., "exception <n>" (into buf). */
const char *hj_fault_reason(kide_u64 vector, char *buf, kide_u64 size);
/** The report as JSON into buf. Returns its length or a negative kide_json status. */
long hj_report_json(const struct hj_habitat_status *h, const struct hj_status *c, unsigned n,
                    char *buf, kide_u64 size);
/** One console line for child c (without "report: "), into buf. */
void hj_report_line(const struct hj_status *c, char *buf, kide_u64 size);
/** Console lines of child c's status (without "report: "): one line
 *  "child <name>: status <json>" when it fits in size bytes, else pieces
 *  "child <name>: status (i/n) <part>" that together are the whole object.
 *  Calls out(ctx, line) per line; returns the number of lines. */
unsigned hj_report_status_lines(const struct hj_status *c, char *buf, kide_u64 size,
                                void (*out)(void *ctx, const char *line), void *ctx);
/** Status bytes (canonical text) hoitaja prints per console tick, all children
 *  together: a third of core's per-account LOG budget (4 KiB/s), so children's
 *  statuses never crowd out hoitaja's own lines. Holds the largest status. */
#define HJ_STATUS_CONSOLE_BYTES 1536u
/** Which fresh statuses (fresh[i], len[i] bytes) go onto the console this
 *  tick: in round-robin order from *next, while their lengths add up to at
 *  most HJ_STATUS_CONSOLE_BYTES; the first that does not fit ends the tick
 *  and is first the next one (*next), so nobody starves. Sets pick[i];
 *  returns how many fresh ones wait. */
unsigned hj_status_pick(const kide_u32 *len, const int *fresh, unsigned n, unsigned *next,
                        int *pick);
/** The habitat's sum line (without "report: "), into buf. */
void hj_report_sum_line(const struct hj_habitat_status *h, const struct hj_status *c, unsigned n,
                        char *buf, kide_u64 size);
/** Result of a reconfiguration as JSON: {"generation": g, "status": "...",
 *  "results": [{"child": x, "result": "..."}...]}. Returns length or < 0. */
#define HJ_RESULT_TEXT                                                                             \
    256u /**< holds "rejected: " + a child's reason of KIDE_VERDICT_MAX bytes                      \
          */
struct hj_result {
    char child[HJ_NAME_MAX + 1];
    char text[HJ_RESULT_TEXT]; /**< "added", "applied", "rejected: child kept 4096 bytes", ... */
};
long hj_result_json(kide_u64 generation, const char *status, const struct hj_result *r, unsigned n,
                    char *buf, kide_u64 size);
/** Bytes hj_result_json needs at most for these texts (every byte escaped). */
kide_u64 hj_result_json_size(const char *status, const struct hj_result *r, unsigned n);

#endif
