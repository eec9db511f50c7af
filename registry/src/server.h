/* SPDX-License-Identifier: MIT */
/* The HTTP server: daemon lifetime, per-request state and handler entry points.
 *
 * libmicrohttpd calls the access handler (server.c) several times per
 * request: once with the headers, then once per chunk of body, then once with
 * an empty chunk. server.c routes the request, applies the rate limit and
 * calls one handler per resource (download.c, publish.c, index.c). Each
 * request owns a struct reg_req, freed in the completion callback, which also
 * writes the access log line and drops any unfinished upload, so a client
 * that disconnects mid-upload leaves nothing behind.
 */
#ifndef REG_SERVER_H
#define REG_SERVER_H

#include <arpa/inet.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "blob.h"
#include "config.h"
#include "db.h"
#include "path.h"
#include "quota.h"
#include "ratelimit.h"
#include "vcache.h"

/** The running server. */
struct reg_server {
    const struct reg_config *cfg; /**< configuration (owned by the caller) */
    struct reg_pool pool;         /**< SQLite connections */
    struct reg_ratelimit *rl;     /**< per-client limiter */
    struct reg_vcache *vc;        /**< blobs whose bytes were verified (owned) */
    struct reg_quota *quota;      /**< quota reservations of uploads in flight (owned) */
    int log_fd;                   /**< access log, or -1 when off */
    atomic_int inflight;          /**< requests between first call and completion */
    atomic_bool stopping;         /**< SIGTERM seen: answers close their connection */
    struct MHD_Daemon *mhd;       /**< the libmicrohttpd daemon */
    char *tls_cert;               /**< certificate PEM text, kept alive for MHD */
    char *tls_key;                /**< key PEM text, kept alive for MHD */
};

/** State of one request, from its headers to its completion. */
struct reg_req {
    struct reg_server *srv;        /**< owning server */
    struct timespec start;         /**< arrival (CLOCK_MONOTONIC) */
    char method[8];                /**< request method, truncated */
    char url[256];                 /**< decoded path, truncated, for the log */
    char client[INET6_ADDRSTRLEN]; /**< peer address, for the log */
    char user[REG_USER_MAX + 1];   /**< authenticated user, or "" */
    unsigned status;               /**< status sent, for the log */
    uint64_t bytes;                /**< body bytes in the response */
    bool responded;                /**< a response is queued */
    bool body_call;                /**< the handler has been called at least once */
    struct reg_path path;          /**< parsed path */
    int path_rc;                   /**< reg_path_parse result */
    /* Request bodies (publish and yank). */
    struct reg_upload up;     /**< upload in progress (up.fd >= 0) */
    uint8_t sig[REG_SIG_LEN]; /**< decoded X-Kide-Signature */
    unsigned err_status;      /**< deferred error: sent once the body is drained */
    const char *err;          /**< deferred error message */
    const char *hint;         /**< deferred error hint */
    uint32_t retry_after;     /**< deferred Retry-After seconds, or 0 */
    bool expect_continue;     /**< client waits for 100 Continue */
    uint64_t drained;         /**< body bytes discarded after an error */
    bool lingering;           /**< answered early on the socket; the body is discarded */
    uint64_t quota_used;      /**< the user's committed bytes when the upload began */
    uint64_t reserved;        /**< bytes this upload holds in srv->quota */
};

/**
 * Queue a JSON error {"error": msg, "hint": hint} with status. retry_after,
 * if non-zero, becomes a Retry-After header. Returns MHD_YES or MHD_NO.
 */
enum MHD_Result reg_reply_error(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                                const char *msg, const char *hint, uint32_t retry_after);

/** Queue a response with the given body and Content-Type (copied). */
enum MHD_Result reg_reply_text(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                               const char *ctype, const char *body, size_t len);

/** Queue response resp with status, recording it for the log; destroys resp. */
enum MHD_Result reg_reply(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                          struct MHD_Response *resp);

/** Handle GET/HEAD of an archive or its signature. */
enum MHD_Result reg_handle_download(struct MHD_Connection *c, struct reg_req *r);

/** Handle GET of the index, latest, search, keys and health resources. */
enum MHD_Result reg_handle_meta(struct MHD_Connection *c, struct reg_req *r);

/** First call of a PUT: check auth, headers and start the upload. */
void reg_publish_begin(struct MHD_Connection *c, struct reg_req *r);

/** Body chunk of a PUT; may queue an early error (returns MHD_NO on failure). */
enum MHD_Result reg_publish_data(struct MHD_Connection *c, struct reg_req *r, const char *data,
                                 size_t size);

/** Release the request's quota reservation (idempotent). */
void reg_publish_release(struct reg_req *r);

/** Last call of a PUT: verify, store and answer. */
enum MHD_Result reg_publish_end(struct MHD_Connection *c, struct reg_req *r);

/** POST .../yank or .../unyank after the (ignored) body. */
enum MHD_Result reg_handle_yank(struct MHD_Connection *c, struct reg_req *r);

/**
 * Check the Authorization: Bearer token against the database and that its
 * user owns the path. On failure sets r->err_status/err/hint and returns
 * -EACCES (401) or -EPERM (403).
 */
int reg_auth(struct MHD_Connection *c, struct reg_req *r, sqlite3 *db);

/** Body bytes read and discarded after an error before the connection is cut. */
#define REG_DRAIN_MAX (1u << 20)

/**
 * Answer now, in the middle of the request body (early.c): abort the upload,
 * record the error (the first one recorded wins) and, on plain HTTP, write
 * the answer to the socket and start a lingering close; on HTTPS leave it
 * deferred for the last call. Returns MHD_YES to keep reading, MHD_NO to close.
 */
enum MHD_Result reg_answer_now(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                               const char *err, const char *hint);

/** A body chunk (n bytes; 0 for the last call) after an early answer: MHD_YES to read on. */
enum MHD_Result reg_linger(struct reg_req *r, size_t n);

/** Seconds since the request arrived. */
double reg_req_elapsed(const struct reg_req *r);

/** Run the server until SIGTERM or SIGINT, then shut down gracefully. Returns 0 or -errno. */
int reg_serve(const struct reg_config *cfg);

/** Write one JSON access-log line for r to fd (no-op for fd < 0). */
void reg_access_log(int fd, const struct reg_req *r);

#endif
