/* SPDX-License-Identifier: MIT */
/* Kide ABI: the parent interface, services and sessions, and the management
 * session of a habitat.
 *
 * Every component started by hoitaja holds a portal to it at
 * KIDE_COMP_SEL_PARENT (core.h). Through it the component opens sessions to
 * services; hoitaja resolves each request against the child's routes (first
 * match): to a sibling that announced the service, upwards to its own parent
 * (the label gets the child's name prefixed), or refused. The one service a
 * habitat provides itself is "Hoitaja", the management session.
 *
 * Sessions. A server announces a service with its *root portal*. To open a
 * session the parent calls the root portal with KIDE_SRV_OPEN; the server
 * answers with a session portal (a typed item) and the parent passes it on
 * to the client in its reply. Every session portal has its own portal id, so
 * the server knows which session a call belongs to. RAM the client donates is
 * moved from the client's RAM quota to the server's (KIDE_OWN_RAM on both)
 * and moved back when the session closes.
 *
 * Wire format as in core.h: words[0] = operation or status, strings are a
 * length word plus packed bytes. Capabilities travel as typed items: the
 * receiver sets its UTCB rcv_crd to one free selector before the call.
 */
#ifndef KIDE_PARENT_H
#define KIDE_PARENT_H

#include "types.h"

/* ---- parent interface: call KIDE_COMP_SEL_PARENT --------------------------- */
enum kide_parent_op {
    /** Open a session: w1 = RAM donated (bytes, may be 0), then the service name string,
     *  then the args string (<= 256 bytes), then optionally a label suffix string: a
     *  habitat forwarding a request upwards passes the rest of the client's path
     *  ("agent" for "tenant-a/agent"); the parent accepts it only as an extension of
     *  the caller's own label. The session portal arrives as a typed item
     *  (set rcv_crd first).
     *  -> OK, w1 = session handle (for CLOSE) | DENIED (route says no, or no route)
     *  | NOT_FOUND (routed to a sibling that is not running or did not announce it)
     *  | QUOTA (the donation exceeds the client's free RAM, or the client holds as many
     *  sessions as its limit allows: docs/hoitaja.md) | BAD_PARAM
     *  | TIMEOUT (the server did not answer within the deadline; it is restarted). */
    KIDE_PARENT_OPEN = 1,
    /** w1 = session handle: close it; the session portal is revoked, the donation returns. */
    KIDE_PARENT_CLOSE = 2,
    /** Announce a service: the service name string; the root portal as a typed item
     *  (PT_CALL). -> OK | DENIED (not in the child's `provides`) | BUSY (announced). */
    KIDE_PARENT_ANNOUNCE = 3,
    /** The component is alive (answer to a heartbeat: see KIDE_PARENT_PENDING). -> OK. */
    KIDE_PARENT_ALIVE = 4,
    /** What the parent wants (after KIDE_COMP_SEL_SIGNAL was upped):
     *  -> OK, w1 = bit set of KIDE_PARENT_WANT_*. */
    KIDE_PARENT_PENDING = 5,
    /** Upgrade a session: w1 = session handle, w2 = more RAM to donate (bytes). The
     *  parent moves it from the client to the server (forwarding upwards for a session
     *  it opened at its own parent) and tells the server (KIDE_SRV_UPGRADE).
     *  -> OK | QUOTA (the client has not that much free) | BAD_PARAM (no such session,
     *  or one that carries no donation: the habitat's management session). */
    KIDE_PARENT_UPGRADE = 6,
    /** Take the configuration live: the component's config portal (a raw portal,
     *  KIDE_CFG_*) as a typed item (PT_CALL). From then on a reconfiguration that
     *  changes only the child's `config` calls it instead of restarting the child.
     *  -> OK | DENIED (the child's entry lacks `config_live: true`) | BAD_PARAM
     *  (no portal came). Asking again replaces the portal. */
    KIDE_PARENT_CONFIG_PORTAL = 7,
    /** Publish the component's status: one string, a JSON object of at most
     *  KIDE_STATUS_MAX bytes (<= KIDE_STATUS_TOKENS values, depth <= 8). The parent
     *  keeps the newest in its state report (children[].status) and prints it on the
     *  console with the next report. -> OK | BAD_PARAM (too long, not a JSON object). */
    KIDE_PARENT_STATUS = 8,
};

#define KIDE_PARENT_WANT_HEARTBEAT 1u /**< answer with KIDE_PARENT_ALIVE */
#define KIDE_PARENT_WANT_YIELD     2u /**< give RAM back: see KIDE_CORE_QUOTA w6 */

/* ---- a server's root portal: called by the parent ------------------------- */
enum kide_srv_op {
    /** w1 = RAM donated, then the label string (the client's path, e.g.
     *  "tenant-a/agent"), then the args string.
     *  -> OK + the session portal as a typed item, w1 = session id | DENIED | QUOTA. */
    KIDE_SRV_OPEN = 1,
    /** w1 = session id: the session ends (the parent revokes the portal). -> OK. */
    KIDE_SRV_CLOSE = 2,
    /** w1 = session id, w2 = bytes: the client donated that much more RAM (already in
     *  the server's quota). -> OK. */
    KIDE_SRV_UPGRADE = 3,
};

/* ---- a component's config portal: called by the parent ---------------------
 * Registered with KIDE_PARENT_CONFIG_PORTAL. The parent sends the new `config`
 * text (canonical JSON, <= KIDE_LIVE_CONFIG_MAX bytes) in order, chunk by chunk,
 * then asks for the verdict. The component validates and applies it as a whole
 * or not at all. The parent bounds the calls with a deadline (hoitaja: 1 s for
 * all chunks of one update, 1 s for the apply); a component that does not
 * answer in time is treated as faulted. */
enum kide_cfg_op {
    /** w1 = total bytes, w2 = offset, then the chunk string (offsets in order,
     *  starting at 0). -> OK | BAD_PARAM (out of order, total changed or too big)
     *  | QUOTA (no RAM for the text). */
    KIDE_CFG_CHUNK = 1,
    /** w1 = total bytes (all sent). -> OK, then a note string (what changed, may be "")
     *  | KIDE_INVALID, then the reason string (<= KIDE_VERDICT_MAX bytes): nothing
     *  changed | BAD_PARAM (the text is incomplete). */
    KIDE_CFG_APPLY = 2,
};
#define KIDE_LIVE_CONFIG_MAX (64u * 1024u) /**< bytes of a config taken live */
#define KIDE_VERDICT_MAX     160u          /**< bytes of a verdict's reason or note */
#define KIDE_STATUS_MAX      1024u         /**< bytes of a published status object */
#define KIDE_STATUS_TOKENS   128u          /**< JSON values in a status object */
#define KIDE_CFG_CHUNK_MAX   3840u         /**< bytes of config text per KIDE_CFG_CHUNK */

/* ---- typed messages ------------------------------------------------------------
 * Each operation's arguments and results as a struct. Those of whole words
 * are laid out as on the wire (static asserts below); a request with strings
 * (OPEN, ANNOUNCE, SRV_OPEN) names them and the client library
 * (<kide/parent_client.h>, in libkide) packs them in the order the operation
 * lists. Nobody writes these words by hand. */
struct kide_parent_open_req {
    kide_u64 ram;             /**< RAM donated, bytes */
    const char *service;      /**< the service name */
    const char *args;         /**< its args ("" for none) */
    const char *label_suffix; /**< NULL: not sent (a component's own request) */
};
struct kide_parent_open_rep {
    kide_u64 handle; /**< for CLOSE and UPGRADE */
};
struct kide_parent_close_req {
    kide_u64 handle;
};
struct kide_parent_upgrade_req {
    kide_u64 handle, ram;
};
struct kide_parent_pending_rep {
    kide_u64 want; /**< KIDE_PARENT_WANT_* */
};
struct kide_cfg_chunk_req {
    kide_u64 total, offset; /**< the whole text's length, this chunk's offset */
    const char *chunk;      /**< NUL-free text */
    kide_u64 len;           /**< its bytes (<= KIDE_CFG_CHUNK_MAX) */
};
struct kide_cfg_apply_req {
    kide_u64 total;
};
struct kide_cfg_apply_rep {
    char text[KIDE_VERDICT_MAX + 1]; /**< OK: the note; KIDE_INVALID: the reason */
};
struct kide_srv_open_req {
    kide_u64 ram;      /**< RAM donated (already in the server's quota) */
    const char *label; /**< the client's path */
    const char *args;
};
struct kide_srv_open_rep {
    kide_u64 id; /**< the session id */
};
struct kide_srv_close_req {
    kide_u64 id;
};
struct kide_srv_upgrade_req {
    kide_u64 id, ram;
};
_Static_assert(sizeof(struct kide_parent_open_rep) == 8, "OPEN w1");
_Static_assert(sizeof(struct kide_parent_close_req) == 8, "CLOSE w1");
_Static_assert(sizeof(struct kide_parent_upgrade_req) == 16, "UPGRADE w1, w2");
_Static_assert(sizeof(struct kide_parent_pending_rep) == 8, "PENDING w1");
_Static_assert(sizeof(struct kide_srv_open_rep) == 8, "SRV_OPEN w1");
_Static_assert(sizeof(struct kide_srv_close_req) == 8, "SRV_CLOSE w1");
_Static_assert(sizeof(struct kide_srv_upgrade_req) == 16, "SRV_UPGRADE w1, w2");

/* Status values beyond enum kide_status, used by the parent and servers. */
#define KIDE_DENIED    64 /**< the route or the server refused */
#define KIDE_NOT_FOUND 65 /**< no such service, child or ROM */
#define KIDE_STALE     66 /**< a configuration's generation is not current + 1 */
#define KIDE_INVALID   67 /**< a configuration was rejected; the reason is in the result */

/* ---- management session: service "Hoitaja" -------------------------------- */
enum kide_mgmt_op {
    /** Read the current state report (JSON, docs/hoitaja.md):
     *  w1 = offset. -> OK, w1 = total length, w2 = report sequence number, then the chunk
     *  as a string (<= KIDE_MGMT_CHUNK_MAX bytes). Offset 0 takes a fresh snapshot;
     *  further offsets read the same snapshot. */
    KIDE_MGMT_REPORT = 1,
    /** Upload a configuration in chunks: w1 = total (<= KIDE_MGMT_CONFIG_MAX), w2 = offset,
     *  then the chunk string. -> OK | BAD_PARAM. */
    KIDE_MGMT_UPLOAD = 2,
    /** Apply the uploaded configuration: w1 = its generation, w2 = 1 for a partial
     *  configuration (only the children it names change; `"remove": true` removes one),
     *  0 for a full one. -> OK (all applied) | KIDE_STALE | KIDE_INVALID | KIDE_OK with
     *  per-child results that may include rejections; w1 = result length. Read the
     *  result JSON with KIDE_MGMT_RESULT. */
    KIDE_MGMT_APPLY = 3,
    /** w1 = offset into the last apply's result JSON.
     *  -> OK, w1 = total length, then the chunk string. */
    KIDE_MGMT_RESULT = 4,
    /** Events after sequence number w1 (0: from the oldest kept).
     *  -> OK, w1 = sequence number of the first returned, w2 = count (<= KIDE_MGMT_EVENTS_MAX),
     *  w3 = events lost (overwritten before being read), then count events of
     *  KIDE_MGMT_EVENT_WORDS words each (struct kide_mgmt_event). */
    KIDE_MGMT_EVENTS = 5,
    /** Subscribe to events: -> OK + a semaphore (SM_DOWN) as a typed item (set rcv_crd).
     *  The habitat ups it once per event it records, so a client blocks on it (with a
     *  deadline) instead of polling, then reads KIDE_MGMT_EVENTS from its last sequence
     *  number. Asking again sends the same semaphore. */
    KIDE_MGMT_SUBSCRIBE = 6,
    /** Stop, start or restart one child (struct kide_mgmt_control_req in mgmt.h): w1 =
     *  KIDE_CTL_*, then the child's name. -> OK, w1 = 1 if it was done, then the verdict
     *  string ("stopped", "started", "restarted", "rejected: <reason>") | BUSY (an apply
     *  runs) | BAD_PARAM. */
    KIDE_MGMT_CONTROL = 7,
    /** w1 = offset into the configuration in force (canonical JSON, a full configuration
     *  with its generation). Offset 0 takes a fresh snapshot. -> OK, w1 = total, w2 =
     *  generation, then the chunk string. */
    KIDE_MGMT_CONFIG = 8,
    /** A child's log lines (struct kide_mgmt_logs_req): w1 = after, w2 = 0, then the
     *  child's name. -> as KIDE_CORE_LOGS (core.h) | NOT_FOUND (no such child, or no
     *  lines kept). */
    KIDE_MGMT_LOGS = 9,
};

/** KIDE_MGMT_CONTROL actions. */
enum kide_mgmt_ctl {
    KIDE_CTL_STOP = 1,
    KIDE_CTL_START = 2,
    KIDE_CTL_RESTART = 3,
};

enum kide_mgmt_event_type {
    KIDE_EV_STARTED = 1,   /**< a = 0 */
    KIDE_EV_EXITED = 2,    /**< a = exit code */
    KIDE_EV_FAULTED = 3,   /**< a = vector, b = address */
    KIDE_EV_RESTARTED = 4, /**< a = restart count */
    KIDE_EV_QUOTA = 5,     /**< a = RAM quota, b = CPU quota percent */
    KIDE_EV_APPLIED = 6,   /**< a = generation */
    KIDE_EV_REMOVED = 7,   /**< the child is gone */
    KIDE_EV_STOPPED = 8,   /**< stopped by KIDE_MGMT_CONTROL; a = 0 */
};

struct kide_mgmt_event {
    kide_u64 seq;
    kide_u64 type;    /**< enum kide_mgmt_event_type */
    kide_u64 time_ns; /**< kernel clock */
    kide_u64 a, b;
    char child[40]; /**< child name, NUL-terminated */
};
#define KIDE_MGMT_EVENT_WORDS (sizeof(struct kide_mgmt_event) / 8)
#define KIDE_MGMT_EVENTS_MAX  32u
#define KIDE_MGMT_CHUNK_MAX   3840u
#define KIDE_MGMT_CONFIG_MAX  (256u * 1024u)

#endif
