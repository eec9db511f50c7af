/* SPDX-License-Identifier: MIT */
/* reply.h: writing replies with the os/lib/json writer (ops*.c, stream.c).
 * A reply is built in the agent's scratch buffer (KAGENT_REPLY_MAX); one that
 * does not fit becomes the error `too-large`, never truncated JSON. */
#ifndef KAGENT_REPLY_H
#define KAGENT_REPLY_H

#include "kagent.h"

/** Start {"id": id, "ok": true, "result": { ... in a's reply buffer. */
void kr_begin(struct kagent *a, struct kide_json_writer *w, kide_u64 id);
/** Close result and reply and queue it (too-large if it did not fit). */
void kr_end(struct kagent *a, struct kagent_conn *c, struct kide_json_writer *w, kide_u64 id);
/** Parse text (a report, configuration or result) into a's tokens. 0 or -1. */
int kr_parse(struct kagent *a, const char *text, __SIZE_TYPE__ len, struct kide_json_doc *d);
/** Write member `key` of object obj as the same key, if present. */
void kr_copy(struct kide_json_writer *w, const struct kide_json_doc *d, int obj, const char *key);
/** Write the member whose key token is `key` (key and value) as it is. */
void kr_member(struct kide_json_writer *w, const struct kide_json_doc *d, int key);
/** Integer member `key` of obj, or def. */
kide_u64 kr_u64(const struct kide_json_doc *d, int obj, const char *key, kide_u64 def);
/** The error for a backend status (with the backend's reason). */
void kr_backend_error(struct kagent *a, struct kagent_conn *c, kide_u64 id, int st,
                      const char *what);
/** Apply cfg (partial or not) at generation and reply with hoitaja's result verbatim. */
void kr_apply(struct kagent *a, struct kagent_conn *c, kide_u64 id, const char *cfg,
              __SIZE_TYPE__ len, kide_u64 generation, int partial);
/** The generation in force, from a fresh report; 0 (and an error reply queued) on failure. */
kide_u64 kr_generation(struct kagent *a, struct kagent_conn *c, kide_u64 id);

/* Operation handlers split over files. */
void kop_apply(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_set(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_habitat(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_watch(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_events(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_logs(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_enrol(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_token(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_install(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);
void kop_cancel(struct kagent *a, struct kagent_conn *c, const struct kagent_req *r);

#endif
