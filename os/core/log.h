/* SPDX-License-Identifier: MIT */
/* core's LOG service and console (log.c, docs/core.md "LOG").
 *
 * A LOG request is handled in two steps so that the slow part, the UART,
 * never runs under core's lock: log_request (under core's lock: the account
 * is alive, its bucket is core's data) checks the rate limit and formats the
 * attributable lines into a buffer on the handler's stack; log_write (after
 * core's lock is released) writes them under the console lock.
 */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include "core.h"

/** Characters of a component's (escaped) text per console line. */
#define LOG_TEXT_MAX 480u
/** One request's output: an optional "dropped" notice and the line itself. */
#define LOG_OUT_MAX 1024u

/** Lines/bytes a LOG request produced (out holds them, NUL-terminated). */
struct log_out {
    char text[LOG_OUT_MAX];
    unsigned prefix; /**< length of "[label] ": repeated if a line is ever torn */
};

/** Create the console lock and route core's own console (printf, base_panic) through it. */
int log_init(void);
/** Under core's lock: rate-limit and format account a's LOG text (len bytes,
 *  at most KIDE_CORE_LOG_MAX, borrowed from the request) into out.
 *  Returns KIDE_OK, or KIDE_QUOTA when the line is dropped (out is empty). */
int log_request(struct account *a, const char *text, u64 len, struct log_out *out);
/** Without core's lock: write out's lines to the console. */
void log_write(const struct log_out *out);

#endif
