/* SPDX-License-Identifier: MIT */
/* One TLS connection to a kuori-agent: dial, pin check, hello, requests, streams.
 *
 * Transport: TCP, or an SSH direct-tcpip channel (ssh.c) presented as a local
 * socket, so everything above it is the same. TLS 1.2 or later with OpenSSL;
 * the agent's certificate is self-signed and is accepted if and only if its
 * SHA-256 matches the pin (the full pin of an enrolled remote, or the token's
 * 32-hex prefix while enrolling). The pin is checked inside the handshake,
 * before kuori sends its certificate, a token or anything else. The socket is
 * non-blocking and every wait has a deadline, so a dead or silent agent costs
 * at most the timeout. Not thread-safe: one connection per thread.
 */
#ifndef KUORI_CONN_H
#define KUORI_CONN_H

#include <openssl/ssl.h>

#include <cjson/cJSON.h>

#include "err.h"
#include "frame.h"

#define KUORI_VERSION      "1.0"
#define KUORI_RECV_TIMEOUT (-1) /* kuori_conn_recv: the deadline passed */
#define KUORI_RECV_EXTRA   (-2) /* kuori_conn_recv: the extra fd is readable */

/** How to reach an agent. */
struct kuori_dial {
    const char *label;      /**< the remote's name, for messages */
    const char *address;    /**< host:port or ssh://user@jump[:port]/host:port */
    const char *pin;        /**< "sha256:<64 hex>"; NULL while enrolling */
    const char *pin_prefix; /**< 32 hex (the token's pin) while enrolling */
    const char *key_path;   /**< client key (PEM); NULL while enrolling */
    const char *cert_path;  /**< client certificate (PEM); NULL while enrolling */
    int timeout_ms;         /**< connect + handshake + hello */
};

/** An open connection. */
struct kuori_conn {
    int fd; /**< the socket TLS runs over */
    SSL_CTX *ctx;
    SSL *ssl;
    void *ssh;          /**< the SSH tunnel (ssh.c) or NULL */
    struct kuori_rx rx; /**< partial message */
    unsigned char buf[16384];
    size_t boff, blen; /**< decrypted bytes not yet fed to rx */
    long long next_id; /**< the next request id */
    char want_pin[72]; /**< the expected pin: full, or a 32-hex prefix */
    char seen_pin[72]; /**< "sha256:<hex>" the agent presented */
    int pin_mismatch;  /**< 1 when the handshake failed on the pin */
    int pin_ok;        /**< 1 once the agent's certificate matched the pin */
    char label[64];
    char habitat[64]; /**< from hello */
    char role[16];    /**< "operator" or "tenant" */
    char client[64];  /**< our certificate's name, "" while enrolling */
};

/** Monotonic milliseconds (for deadlines). */
long long kuori_now_ms(void);

/** Dial, handshake, check the pin and say hello. On failure nothing stays open. */
int kuori_conn_open(struct kuori_conn *c, const struct kuori_dial *d, struct kuori_err *e);
/** Close and free. Safe on a closed or failed connection. */
void kuori_conn_close(struct kuori_conn *c);

/** Send @p req (which gets "id"); *id is the id it was given. */
int kuori_conn_send(struct kuori_conn *c, cJSON *req, long long *id, struct kuori_err *e);
/**
 * The next message, until @p deadline_ms (kuori_now_ms clock). Returns 0 and
 * *msg, KUORI_RECV_TIMEOUT, KUORI_RECV_EXTRA (when @p extra_fd >= 0 became
 * readable), or an exit code.
 */
int kuori_conn_recv(struct kuori_conn *c, cJSON **msg, long long deadline_ms, int extra_fd,
                    struct kuori_err *e);
/**
 * Send @p req (consumed) and wait for its reply within @p timeout_ms. On
 * success *result is the reply's result object (the caller frees it); an
 * agent error becomes @p e with the agent's code and message.
 */
int kuori_conn_call(struct kuori_conn *c, cJSON *req, cJSON **result, int timeout_ms,
                    struct kuori_err *e);
/** Like kuori_conn_call, for a request that opens a stream: *id is the stream's id. */
int kuori_conn_stream(struct kuori_conn *c, cJSON *req, long long *id, cJSON **result,
                      int timeout_ms, struct kuori_err *e);
/**
 * The next stream message of stream @p id (its "data", the caller frees it):
 * 0, KUORI_RECV_TIMEOUT, KUORI_RECV_EXTRA or an exit code (also when the
 * agent ended the stream). Messages of other ids are skipped.
 */
int kuori_conn_next(struct kuori_conn *c, long long id, cJSON **data, long long deadline_ms,
                    int extra_fd, struct kuori_err *e);
/** Turn an agent error message into @p e (exit code, code, message, a hint). */
int kuori_agent_error(const char *label, const struct kuori_msg *m, struct kuori_err *e);

#endif
