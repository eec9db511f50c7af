/* SPDX-License-Identifier: MIT */
/* kuori-agent's protocol core: framing, requests, operations, connections.
 *
 * Everything declared here is host-buildable (no Kide call; the habitat is
 * reached only through struct kagent_backend) so the host tests and the
 * fuzzer run the same code as the component. A connection here carries
 * plaintext: the transport (TLS in Kide, a pass-through in the tests) pumps
 * bytes into kagent_conn_input and out of kagent_conn_output.
 *
 * The protocol is docs/formats/kuori-protocol.md; the limits below are its
 * limits, or the agent's own tighter ones (documented in docs/kuori-agent.md).
 */
#ifndef KAGENT_H
#define KAGENT_H

#ifdef KAGENT_HOST
#include <stdio.h>
#include <string.h>
#else
#include <kide/base.h>
#endif
#include <kide/json.h>
#include <kide/types.h>

#include "backend.h"
#include "tokens.h"

struct kagent_installer;

#define KAGENT_VERSION       1
#define KAGENT_NAME          "kuori-agent/1.0"
#define KAGENT_REQ_MAX       65536u        /* largest request body (protocol limit) */
#define KAGENT_REQ_TOKENS    4096u         /* JSON values per request (protocol limit) */
#define KAGENT_REQ_DEPTH     16u           /* nesting per request (protocol limit) */
#define KAGENT_REPLY_MAX     (64u * 1024u) /* largest message the agent sends (its own limit) */
#define KAGENT_OUT_MAX       (2u * KAGENT_REPLY_MAX + 8u) /* output queue per connection */
#define KAGENT_STREAMS       4u                           /* outstanding streams per connection */
#define KAGENT_CONNS         8u                           /* connections per agent */
#define KAGENT_REQ_NS        (10ull * 1000000000ull)      /* a request must arrive within */
#define KAGENT_IDLE_NS       (300ull * 1000000000ull)     /* idle connection lifetime */
#define KAGENT_NAME_MAX      32u                          /* component / habitat / client names */
#define KAGENT_WATCH_NAMES   16u                          /* names in watch's `components` */
#define KAGENT_REPORT_MAX    (64u * 1024u)                /* the largest state report read */
#define KAGENT_CONFIG_MAX    (64u * 1024u) /* the largest configuration read or sent */
#define KAGENT_REPORT_TOKENS 8192u         /* JSON values of a report or configuration */

/** Operations, in the order of the protocol doc's table. */
enum kagent_op {
    KOP_HELLO,
    KOP_ENROL,
    KOP_STATE,
    KOP_CONFIG,
    KOP_WATCH,
    KOP_EVENTS,
    KOP_LOGS,
    KOP_APPLY,
    KOP_START,
    KOP_STOP,
    KOP_RESTART,
    KOP_SET,
    KOP_INSTALL,
    KOP_HAB_CREATE,
    KOP_HAB_RESIZE,
    KOP_HAB_REMOVE,
    KOP_TOKEN_CREATE,
    KOP_TOKEN_LIST,
    KOP_TOKEN_REVOKE,
    KOP_CANCEL,
    KOP_COUNT,
};

/** Error codes of the protocol (the `code` strings, kagent_err_name). */
enum kagent_err {
    KERR_NONE,
    KERR_BAD_REQUEST,
    KERR_TOO_LARGE,
    KERR_VERSION,
    KERR_HELLO_FIRST,
    KERR_DENIED,
    KERR_NOT_FOUND,
    KERR_STALE,
    KERR_BUSY,
    KERR_REJECTED,
    KERR_UNAVAILABLE,
    KERR_TOKEN,
    KERR_INTERNAL,
};

/* Which optional fields a request carried (kagent_req.has). */
#define KREQ_HAS_RAM        0x01u
#define KREQ_HAS_CPU        0x02u
#define KREQ_HAS_CAPS       0x04u
#define KREQ_HAS_GENERATION 0x08u
#define KREQ_HAS_CHILDREN   0x10u

/** One decoded, validated request. Strings are copies; `config` and
 *  `children` point into the request buffer and live until the reply is written. */
struct kagent_req {
    enum kagent_op op;
    kide_u64 id;
    kide_u32 has;                        /**< KREQ_HAS_* */
    kide_u32 versions;                   /**< hello: bit v for each version asked */
    char client[KAGENT_NAME_MAX + 1];    /**< hello: the client's self-description */
    char name[KAGENT_NAME_MAX + 1];      /**< enrol/habitat-*: the name */
    char component[KAGENT_NAME_MAX + 1]; /**< logs/start/stop/restart/set */
    char habitat[KAGENT_NAME_MAX + 1];   /**< token-create */
    char token[160];                     /**< enrol */
    char csr_spki[256];                  /**< enrol: base64 DER SubjectPublicKeyInfo */
    char token_id[9];                    /**< token-revoke */
    char registry[256], package[160];    /**< install */
    kide_u32 hz;                         /**< watch: 1..20 */
    kide_u32 ncomponents;                /**< watch: names in components (0: all) */
    char components[KAGENT_WATCH_NAMES][KAGENT_NAME_MAX + 1];
    kide_u64 after; /**< events */
    kide_u32 tail;  /**< logs: 0..1000 */
    _Bool follow, partial, dry_run, start;
    kide_u64 generation; /**< apply */
    const char *config;  /**< apply: the raw `config` object */
    kide_u32 config_len;
    const char *children; /**< habitat-create: the raw `children` array */
    kide_u32 children_len;
    kide_u64 ram, cpu, caps; /**< set, habitat-*: see has */
    kide_u64 ttl_s;          /**< token-create */
    kide_u64 target;         /**< cancel */
};

/** Framing of a connection's input: what kagent_frame_next found. */
enum kagent_frame {
    KFRAME_NEED_MORE, /**< no whole message yet */
    KFRAME_READY,     /**< a whole message: body at in + 4, *len bytes */
    KFRAME_TOO_LARGE, /**< its length is beyond KAGENT_REQ_MAX */
    KFRAME_EMPTY,     /**< its length is 0 */
};

/** Look at the start of in[0..have): is there a whole message? */
enum kagent_frame kagent_frame_next(const kide_u8 *in, kide_u32 have, kide_u32 *len);

/** Decode and validate one request body. On failure returns the error code and puts a
 *  message naming the field in msg (and req->id if it was readable, else 0). */
enum kagent_err kagent_req_decode(const char *body, kide_u32 len, struct kagent_req *req, char *msg,
                                  __SIZE_TYPE__ msg_cap);

/** The protocol name of an op ("habitat-create") or of an error code ("bad-request"). */
const char *kagent_op_name(enum kagent_op op);
const char *kagent_err_name(enum kagent_err e);

/** Roles: what the agent's place gives it (docs/kuori-agent.md, "Roles"). */
enum kagent_role { KROLE_TENANT, KROLE_OPERATOR };

/** The crypto the agent's identity, tokens and enrolment need (ktls in the component,
 *  OpenSSL-backed fakes in the host tests). No crypto here: only calls. */
struct kagent_crypto {
    void *ctx;
    /** n bytes from the DRBG. */
    void (*random)(void *ctx, void *out, __SIZE_TYPE__ n);
    /** SHA-256 of data. */
    void (*sha256)(const void *data, __SIZE_TYPE__ n, kide_u8 out[32]);
    /** A client certificate (DER) for a P-256 SubjectPublicKeyInfo, CN = cn, O = org,
     *  signed by the agent's key. 0, or < 0 if the key is not a P-256 point. */
    int (*issue)(void *ctx, const kide_u8 *spki, __SIZE_TYPE__ n, const char *cn, const char *org,
                 kide_u8 *out, __SIZE_TYPE__ cap, __SIZE_TYPE__ *len);
    kide_u8 fp[32]; /**< SHA-256 of the agent's own certificate */
};

/** What all connections of one agent share. */
struct kagent {
    const struct kagent_backend *be;
    const struct kagent_crypto *crypto; /**< NULL: no TLS: enrol and tokens unavailable */
    struct ktok_store tokens;           /**< the token authority's store (operator) */
    /** Around every use of tokens: the KuoriToken server's handler shares the store with
     *  the main thread (NULL: one thread, as in the host tests). */
    void (*tokens_lock)(void *ctx);
    void (*tokens_unlock)(void *ctx);
    void *lock_ctx;
    /** A tenant's agent: consume a token at the authority (KuoriToken): 0 consumed,
     *  -1 token error, -2 unreachable. NULL: no authority reachable. */
    int (*token_consume)(const kide_u8 hash[32]);
    /** The `install` op's fetch, verification and store (install.h); NULL: no store. */
    const struct kagent_installer *inst;
    enum kagent_role role;
    char habitat[KAGENT_NAME_MAX + 1];
    char self[KAGENT_NAME_MAX + 1]; /**< the agent's own child name (routes of Pkg to it) */
    int apply_busy;                 /**< an apply is under way (one at a time) */
    kide_u64 watch_seq;             /**< samples produced so far */
    /* Scratch shared by all connections (one thread; never held across calls). */
    char report[KAGENT_REPORT_MAX];
    /** Watch samples share one read: report holds a report read at report_ns
     *  (report_len bytes) until anything else writes report (then report_len is
     *  0). A sample may use a report younger than half its stream's period; the
     *  sample carries the report's own time_ns, so rates stay exact. */
    __SIZE_TYPE__ report_len;
    kide_u64 report_ns;
    char config[KAGENT_CONFIG_MAX];
    char result[16384];
    char reply[KAGENT_REPLY_MAX];
    char change[KAGENT_CONFIG_MAX]; /**< a partial configuration the agent builds (set, habitat-*)
                                     */
    struct kide_json_tok tok[KAGENT_REPORT_TOKENS]; /**< for reports and configurations */
};

/** One open stream of a connection. */
struct kagent_stream {
    int used;
    enum kagent_op op;  /**< KOP_WATCH, KOP_EVENTS, KOP_LOGS */
    kide_u64 id;        /**< the request's id */
    kide_u64 period_ns; /**< watch: 1e9 / hz */
    kide_u64 due_ns;    /**< watch: the next sample */
    kide_u64 after;     /**< events/logs: the last sequence number sent */
    kide_u64 dropped;   /**< messages dropped because the client did not read */
    kide_u32 ncomponents;
    char components[KAGENT_WATCH_NAMES][KAGENT_NAME_MAX + 1];
    char component[KAGENT_NAME_MAX + 1];
};

/** One client connection (plaintext side). */
struct kagent_conn {
    int used;
    int closing;                      /**< send what is queued, then close */
    int hello;                        /**< hello was answered */
    int enrol_only;                   /**< no client certificate: only hello and enrol */
    char client[KAGENT_NAME_MAX + 1]; /**< the certificate's CN ("" on enrolment) */
    const char *close_why;            /**< for the log: why the connection ends */
    kide_u64 opened_ns, last_ns, req_start_ns;
    kide_u32 in_len;
    kide_u32 out_off, out_len;
    struct kagent_stream streams[KAGENT_STREAMS];
    kide_u8 in[4 + KAGENT_REQ_MAX];
    kide_u8 out[KAGENT_OUT_MAX];
};

/** Set up the agent's shared state. */
void kagent_init(struct kagent *a, const struct kagent_backend *be, enum kagent_role role,
                 const char *habitat);
/** Give the agent its crypto (and register its own fingerprint as its habitat's pin). */
void kagent_set_crypto(struct kagent *a, const struct kagent_crypto *crypto);
/** Make a token for habitat (operator): 0; -1 no pin for habitat (its agent has not
 *  registered); -2 the store is full; -3 no crypto. */
int kagent_token_create(struct kagent *a, const char *habitat, kide_u64 ttl_s,
                        char text[KTOK_TEXT_MAX], char id[9]);

/** A new connection; client is the verified certificate's CN, or NULL for an enrolment one. */
void kagent_conn_open(struct kagent *a, struct kagent_conn *c, const char *client);
/** Plaintext from the client: takes what fits, handles whole requests. Returns bytes taken. */
kide_u32 kagent_conn_input(struct kagent *a, struct kagent_conn *c, const void *in, kide_u32 n);
/** Plaintext for the client: the queued bytes (NULL, 0 when none). */
const kide_u8 *kagent_conn_output(struct kagent_conn *c, kide_u32 *n);
/** n bytes of kagent_conn_output went out. */
void kagent_conn_sent(struct kagent_conn *c, kide_u32 n);
/** Time passes: streams due get their messages, timeouts close. Returns the next
 *  deadline this connection needs a tick at (~0 when none). */
kide_u64 kagent_conn_tick(struct kagent *a, struct kagent_conn *c, kide_u64 now);
/** Whether the connection is over (closing and everything sent, or dead). */
int kagent_conn_done(const struct kagent_conn *c);

/* ---- internal to the core, shared between its files ---------------------- */
/** Queue one framed message (kagent_conn's out), or return -1 if it does not fit. */
int kagent_queue(struct kagent_conn *c, const char *body, kide_u32 len);
/** Queue a stream message only if a whole reply still fits after it; -1 (dropped) if not. */
int kagent_queue_stream(struct kagent_conn *c, const char *body, kide_u32 len);
/** Streams of ops.c: send what stream s owes at now (watch sample, new events, log lines). */
void kagent_stream_tick(struct kagent *a, struct kagent_conn *c, struct kagent_stream *s,
                        kide_u64 now);
/** Queue an error reply. */
void kagent_reply_error(struct kagent_conn *c, kide_u64 id, enum kagent_err e, const char *msg);
/** Handle one decoded request. */
void kagent_dispatch(struct kagent *a, struct kagent_conn *c, const struct kagent_req *req);
/** Write one watch sample (the stream's `data` object) from a parsed state report. */
void kagent_watch_sample(struct kide_json_writer *w, const struct kide_json_doc *report,
                         const struct kagent_stream *s, kide_u64 seq);
/** Prometheus text (format 0.0.4) of a state report into out. Returns its length or < 0. */
long kagent_metrics(struct kagent *a, const char *report, __SIZE_TYPE__ rlen, char *out,
                    __SIZE_TYPE__ cap);

#endif
