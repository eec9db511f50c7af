/* SPDX-License-Identifier: MIT */
/* The client library of a habitat's management session (service "Hoitaja",
 * os/abi/kide/mgmt.h): one function per operation, typed request in, typed
 * reply out, status returned; and the two loops every client needs (read a
 * chunked report or result, upload a configuration in chunks).
 *
 * pt is the session portal (kide_session_open(env, "Hoitaja", ...).pt).
 * Replies are checked before they are handed out: a chunk or an event count
 * the reply cannot hold, or one longer than the words that came, is
 * KIDE_BAD_PARAM. Part of libkide; kuori-agent and the tests use it, so
 * nobody writes the management words by hand.
 */
#ifndef KIDE_MGMT_CLIENT_H
#define KIDE_MGMT_CLIENT_H

#include <kide/core_client.h> /* KIDE_WIRE_STR */
#include <kide/mgmt.h>

int kide_mgmt_report(kide_sel pt, const struct kide_mgmt_read_req *req,
                     struct kide_mgmt_report_rep *rep);
int kide_mgmt_upload(kide_sel pt, const struct kide_mgmt_upload_req *req);
int kide_mgmt_apply(kide_sel pt, const struct kide_mgmt_apply_req *req,
                    struct kide_mgmt_apply_rep *rep);
int kide_mgmt_result(kide_sel pt, const struct kide_mgmt_read_req *req,
                     struct kide_mgmt_result_rep *rep);
int kide_mgmt_events(kide_sel pt, const struct kide_mgmt_events_req *req,
                     struct kide_mgmt_events_rep *rep);
/** Stop, start or restart a child by name; rep->verdict is NUL-terminated. OK with
 *  rep->done 0: rejected (the verdict says why); BUSY: an apply runs. */
int kide_mgmt_control(kide_sel pt, const struct kide_mgmt_control_req *req,
                      struct kide_mgmt_control_rep *rep);
/** A chunk of the configuration in force (offset 0 takes a fresh snapshot). */
int kide_mgmt_config(kide_sel pt, const struct kide_mgmt_read_req *req,
                     struct kide_mgmt_config_rep *rep);
/** A child's log lines after req->after (req->flags 0); walk them with kide_logs_next
 *  (<kide/core_client.h>). */
int kide_mgmt_logs(kide_sel pt, const struct kide_mgmt_logs_req *req,
                   struct kide_mgmt_logs_rep *rep);
/** The events semaphore lands at rcv (a free selector); *got = rcv if it arrived, else 0. */
int kide_mgmt_subscribe(kide_sel pt, kide_sel rcv, kide_sel *got);

/** Read the whole report (op KIDE_MGMT_REPORT, a fresh snapshot), the last apply's
 *  result (KIDE_MGMT_RESULT) or the configuration in force (KIDE_MGMT_CONFIG) into buf,
 * NUL-terminated; *len its length (may be NULL). KIDE_OVERFLOW: it does not fit buf, or the chunks
 * do not add up. */
int kide_mgmt_read_all(kide_sel pt, kide_u64 op, char *buf, kide_u64 size, kide_u64 *len);
/** Upload len bytes of configuration JSON in chunks. */
int kide_mgmt_upload_all(kide_sel pt, const char *text, kide_u64 len);

/** Whether a reply of `op` with `have` result words is whole: its chunk or its events
 *  fit the struct and the words that came. Pure (the host tests check it). */
int kide_mgmt_reply_ok(kide_u64 op, const void *rep, kide_u64 have);

#endif
