/* SPDX-License-Identifier: MIT */
/* kagent_backend: what the protocol core needs from the habitat.
 *
 * The core (frame.c, req.c, ops.c, conn.c, watch.c, metrics.c) makes no Kide
 * call: everything it learns about the habitat comes through these
 * functions. In Kide they are backend_mgmt.c over <kide/mgmt_client.h>; the
 * host tests and the fuzzer use tests/fake_backend.c. Every function
 * returns a enum kagent_bstatus; buffers are the caller's and a reply that
 * does not fit is KAGENT_B_TOOLARGE, never truncated.
 */
#ifndef KAGENT_BACKEND_H
#define KAGENT_BACKEND_H

#include <kide/types.h>
#include <kide/parent.h> /* struct kide_mgmt_event */

/** What a backend call ended with (mapped to protocol error codes by ops.c). */
enum kagent_bstatus {
    KAGENT_B_OK = 0,
    KAGENT_B_STALE,       /**< apply: generation is not current + 1 (result holds the current) */
    KAGENT_B_INVALID,     /**< apply: hoitaja rejected the whole change (result holds its text) */
    KAGENT_B_UNAVAILABLE, /**< the habitat cannot do this (yet): msg says why */
    KAGENT_B_NOTFOUND,    /**< no such component */
    KAGENT_B_TOOLARGE,    /**< the answer does not fit the buffer */
    KAGENT_B_BUSY,        /**< another management session's apply is under way */
    KAGENT_B_ERROR,       /**< the session failed (status in msg) */
};

/** Start, stop, restart of one component. */
enum kagent_control { KAGENT_START, KAGENT_STOP, KAGENT_RESTART };

struct kagent_backend {
    void *ctx;
    /** The kernel clock, ns. */
    kide_u64 (*now_ns)(void *ctx);
    /** A fresh state report (hoitaja's JSON) into buf, NUL-terminated; *len its length. */
    int (*report)(void *ctx, char *buf, __SIZE_TYPE__ cap, __SIZE_TYPE__ *len);
    /** The configuration in force (JSON object) and its generation. */
    int (*config)(void *ctx, char *buf, __SIZE_TYPE__ cap, __SIZE_TYPE__ *len,
                  kide_u64 *generation);
    /** Upload cfg, apply it at generation (partial: only the children it names), and
     *  read the result JSON into result (also for STALE and INVALID). */
    int (*apply)(void *ctx, const char *cfg, __SIZE_TYPE__ len, kide_u64 generation, int partial,
                 char *result, __SIZE_TYPE__ cap, __SIZE_TYPE__ *rlen);
    /** Up to max events after seq `after`; *first the seq of ev[0], *lost overwritten ones. */
    int (*events)(void *ctx, kide_u64 after, struct kide_mgmt_event *ev, unsigned max,
                  unsigned *count, kide_u64 *first, kide_u64 *lost);
    /** Start/stop/restart a component; verdict (hoitaja's text) into verdict. */
    int (*control)(void *ctx, enum kagent_control what, const char *component, char *verdict,
                   __SIZE_TYPE__ cap);
    /** A component's log lines as a JSON array of {"seq","time_ns","text"} after seq `after`,
     *  at most `tail` of the newest; *lost lines overwritten. */
    int (*logs)(void *ctx, const char *component, kide_u64 after, unsigned tail, char *buf,
                __SIZE_TYPE__ cap, __SIZE_TYPE__ *len, kide_u64 *lost);
    /** Why the last call failed (static or ctx-owned text), for KAGENT_B_UNAVAILABLE/ERROR. */
    const char *(*why)(void *ctx);
};

#endif
