/* SPDX-License-Identifier: MIT */
/* Kide ABI: the typed messages of a habitat's management session (service
 * "Hoitaja"; the operations and their words are described in parent.h,
 * enum kide_mgmt_op).
 *
 * As in core.h: each operation's arguments (the words after words[0] = op)
 * and results (after words[0] = status) as a struct whose layout is the
 * wire's; a string field { len; bytes[] } is the last field and only
 * ceil(len / 8) of its byte words travel. hoitaja's server (os/hoitaja/mgmt.c)
 * decodes these, and clients use the management client library
 * (<kide/mgmt_client.h>, in libkide) instead of writing words by hand.
 */
#ifndef KIDE_MGMT_H
#define KIDE_MGMT_H

#include "core.h"
#include "parent.h"

/** REPORT and RESULT: the offset to read from (REPORT at 0 takes a fresh snapshot). */
struct kide_mgmt_read_req {
    kide_u64 offset;
};
struct kide_mgmt_report_rep {
    kide_u64 total; /**< the snapshot's length in bytes */
    kide_u64 seq;   /**< the report's sequence number */
    struct {
        kide_u64 len;
        char bytes[KIDE_MGMT_CHUNK_MAX];
    } chunk;
};
struct kide_mgmt_result_rep {
    kide_u64 total; /**< the last apply's result JSON, bytes */
    struct {
        kide_u64 len;
        char bytes[KIDE_MGMT_CHUNK_MAX];
    } chunk;
};
struct kide_mgmt_upload_req {
    kide_u64 total, offset;
    struct {
        kide_u64 len;
        char bytes[KIDE_MGMT_CHUNK_MAX];
    } chunk;
};
struct kide_mgmt_apply_req {
    kide_u64 generation;
    kide_u64 partial; /**< 1: only the children it names change; 0: a full configuration */
};
struct kide_mgmt_apply_rep {
    kide_u64 result_len; /**< read it with RESULT */
};
struct kide_mgmt_events_req {
    kide_u64 after; /**< a sequence number (0: from the oldest kept) */
};
struct kide_mgmt_events_rep {
    kide_u64 first, count, lost;
    struct kide_mgmt_event ev[KIDE_MGMT_EVENTS_MAX];
};

/** CONTROL: an action on one child by name. */
struct kide_mgmt_control_req {
    kide_u64 action; /**< enum kide_mgmt_ctl */
    struct {
        kide_u64 len;
        char bytes[KIDE_NAME_MAX];
    } child;
};
#define KIDE_MGMT_VERDICT_MAX 200u /**< bytes of a CONTROL verdict */
struct kide_mgmt_control_rep {
    kide_u64 done; /**< 1: the action happened; 0: rejected (the verdict says why) */
    struct {
        kide_u64 len;
        char bytes[KIDE_MGMT_VERDICT_MAX];
    } verdict;
};
/** CONFIG: a chunk of the configuration in force (request: kide_mgmt_read_req). */
struct kide_mgmt_config_rep {
    kide_u64 total;      /**< the snapshot's length in bytes */
    kide_u64 generation; /**< the snapshot's generation */
    struct {
        kide_u64 len;
        char bytes[KIDE_MGMT_CHUNK_MAX];
    } chunk;
};
/** LOGS: the lines of one child after a sequence number; flags must be 0. The reply is
 *  core's (struct kide_core_logs_rep, records struct kide_log_line). */
#define kide_mgmt_logs_req kide_core_logs_req
#define kide_mgmt_logs_rep kide_core_logs_rep

#define KIDE_MGMT_WORDS_(t) (sizeof(struct t) / 8)
_Static_assert(sizeof(struct kide_mgmt_event) % 8 == 0, "events are whole words");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_read_req) == 1, "REPORT, RESULT");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_report_rep) == 3 + KIDE_MGMT_CHUNK_MAX / 8, "REPORT");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_result_rep) == 2 + KIDE_MGMT_CHUNK_MAX / 8, "RESULT");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_upload_req) == 3 + KIDE_MGMT_CHUNK_MAX / 8, "UPLOAD");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_apply_req) == 2, "APPLY");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_apply_rep) == 1, "APPLY");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_events_req) == 1, "EVENTS");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_events_rep) ==
                       3 + KIDE_MGMT_EVENTS_MAX * KIDE_MGMT_EVENT_WORDS,
               "EVENTS");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_control_req) == 2 + KIDE_NAME_MAX / 8, "CONTROL");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_control_rep) == 2 + KIDE_MGMT_VERDICT_MAX / 8, "CONTROL");
_Static_assert(KIDE_MGMT_WORDS_(kide_mgmt_config_rep) == 3 + KIDE_MGMT_CHUNK_MAX / 8, "CONFIG");
/* Every message fits a request's room in the UTCB (508 words less a typed item's 2). */
_Static_assert(1 + KIDE_MGMT_WORDS_(kide_mgmt_upload_req) <= 506, "UPLOAD fits");
_Static_assert(1 + KIDE_MGMT_WORDS_(kide_mgmt_events_rep) <= 506, "EVENTS fits");
_Static_assert(1 + KIDE_MGMT_WORDS_(kide_core_logs_rep) <= 506, "LOGS fits");

#endif
