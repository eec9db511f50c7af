/* SPDX-License-Identifier: MIT */
/* The protocol's framing: a 4-byte big-endian length, then one JSON object.
 *
 * The receiver (struct kuori_rx) is a small state machine fed with whatever
 * bytes the transport delivers: header (4 bytes), then exactly N bytes into a
 * buffer it owns. Invariant: got <= len <= KUORI_MSG_MAX_IN, so a hostile
 * agent cannot make kuori allocate more than 1 MiB per connection. A message
 * is parsed with cJSON under that length bound and then classified (reply,
 * error, stream data, stream end) with every field's type checked, so the
 * printers only ever see validated messages. Fuzzed by fuzz/fuzz_frame.c.
 */
#ifndef KUORI_FRAME_H
#define KUORI_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "err.h"

#define KUORI_MSG_MAX_IN  (1u << 20)         /* agent to client (protocol: N <= 1 MiB) */
#define KUORI_MSG_MAX_OUT 65536u             /* client to agent */
#define KUORI_ID_MAX      9007199254740991.0 /* 2^53 - 1 */

/** A receiver: feed bytes, take whole messages. */
struct kuori_rx {
    unsigned char hdr[4]; /**< the length header as it arrives */
    size_t hdr_got;       /**< header bytes so far (0..4) */
    unsigned char *buf;   /**< the body, len bytes allocated once the header is complete */
    size_t len;           /**< the body's length from the header */
    size_t got;           /**< body bytes so far */
};

/** What a message from the agent is. */
enum kuori_msg_kind {
    KUORI_MSG_OK,     /**< {"id", "ok": true, "result": {...}} */
    KUORI_MSG_ERROR,  /**< {"id", "ok": false, "error": {"code", "message"}} */
    KUORI_MSG_STREAM, /**< {"id", "stream": op, "data": {...}} */
    KUORI_MSG_END,    /**< {"id", "end": reason} */
};

/** A classified message; pointers point into the cJSON tree it came from. */
struct kuori_msg {
    enum kuori_msg_kind kind;
    long long id;
    const cJSON *body; /**< result, data or error object */
    const char *code;  /**< error code (ERROR) */
    const char *text;  /**< error message (ERROR), stream op (STREAM), reason (END) */
};

/**
 * Feed up to @p n bytes. Returns 1 when a whole message is in rx->buf (call
 * kuori_rx_take), 0 when more bytes are needed, or an exit code on a
 * malformed length. *used is how many bytes were consumed.
 */
int kuori_rx_feed(struct kuori_rx *rx, const unsigned char *p, size_t n, size_t *used,
                  struct kuori_err *e);
/** Parse the complete message as one JSON object and reset @p rx. */
int kuori_rx_take(struct kuori_rx *rx, cJSON **out, struct kuori_err *e);
/** Free the receiver's buffer. */
void kuori_rx_free(struct kuori_rx *rx);

/** Check a parsed message's shape and fill @p m; an exit code when it is not a valid message. */
int kuori_msg_classify(const cJSON *msg, struct kuori_msg *m, struct kuori_err *e);

/** Encode a request: 4-byte length and compact JSON; *out is malloc'd. */
int kuori_frame_encode(const cJSON *req, unsigned char **out, size_t *len, struct kuori_err *e);

#endif
