/* SPDX-License-Identifier: MIT */
/* A TLS connection to a kuori-agent (see conn.h). */
#include "conn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "config.h"
#include "ssh.h"

static int conn_idx = -1;
static pthread_once_t conn_once = PTHREAD_ONCE_INIT;

static void conn_init(void)
{
    conn_idx = SSL_get_ex_new_index(0, "kuori_conn", NULL, NULL, NULL);
}

long long kuori_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The whole verification of the agent's certificate: its SHA-256 against the pin. */
static int verify_pin(X509_STORE_CTX *store, void *arg)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    struct kuori_conn *c = SSL_get_ex_data(ssl, conn_idx);
    X509 *leaf = X509_STORE_CTX_get0_cert(store);
    unsigned char md[32];
    unsigned mdlen = 0;
    (void)arg;
    if (!leaf || !X509_digest(leaf, EVP_sha256(), md, &mdlen) || mdlen != 32)
        return 0;
    strcpy(c->seen_pin, "sha256:");
    for (int i = 0; i < 32; i++)
        snprintf(c->seen_pin + 7 + 2 * i, 3, "%02x", md[i]);
    if (strncmp(c->seen_pin, c->want_pin, strlen(c->want_pin)) == 0) {
        c->pin_ok = 1;
        return 1;
    }
    c->pin_mismatch = 1;
    return 0;
}

/* Wait until @p fd is ready for @p events or the deadline passes; 1 ready, 0 timeout. */
static int wait_fd(int fd, short events, long long deadline_ms, int extra_fd, int *extra)
{
    struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = extra_fd, .events = POLLIN}};
    for (;;) {
        long long left = deadline_ms - kuori_now_ms();
        int r;
        if (left < 0)
            left = 0;
        r = poll(p, extra_fd >= 0 ? 2 : 1, (int)(left > 60000 ? 60000 : left));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return 0;
        if (extra_fd >= 0 && p[1].revents) {
            *extra = 1;
            return 1;
        }
        if (r > 0)
            return 1;
        if (left == 0)
            return 0;
    }
}

/* The cause of the last TLS failure, as an exit code and message. */
static int tls_error(struct kuori_conn *c, const char *during, struct kuori_err *e)
{
    unsigned long err = ERR_peek_last_error();
    char buf[256] = "connection closed";
    int reason = ERR_GET_REASON(err);
    if (c->pin_mismatch)
        return kuori_fail(e, KUORI_EXIT_DENIED, "pin",
                          "if the agent's key was rotated on purpose, remove the remote and add "
                          "it again with a new token; otherwise someone may be intercepting the "
                          "connection: do not continue",
                          "%s: the agent presents certificate %s, which does not match the pin "
                          "%s%s",
                          c->label, c->seen_pin, c->want_pin,
                          strlen(c->want_pin) < KUORI_PIN_LEN ? "... (from the token)" : "");
    if (err)
        ERR_error_string_n(err, buf, sizeof buf);
    ERR_clear_error();
    if (reason == SSL_R_SSLV3_ALERT_BAD_CERTIFICATE ||
        reason == SSL_R_SSLV3_ALERT_CERTIFICATE_UNKNOWN || reason == SSL_R_TLSV1_ALERT_UNKNOWN_CA ||
        reason == SSL_R_TLSV1_ALERT_ACCESS_DENIED ||
        reason == SSL_R_TLSV13_ALERT_CERTIFICATE_REQUIRED ||
        reason == SSL_R_SSLV3_ALERT_HANDSHAKE_FAILURE)
        return kuori_fail(e, KUORI_EXIT_DENIED, "certificate",
                          "the agent does not accept this client's certificate: enrol again "
                          "('kuori remote remove NAME', then 'kuori remote add' with a new token)",
                          "%s: TLS %s refused by the agent: %s", c->label, during, buf);
    return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "tls",
                      "check that the address is the agent's TLS port", "%s: TLS %s failed: %s",
                      c->label, during, buf);
}

static int load_identity(SSL_CTX *ctx, const struct kuori_dial *d, struct kuori_err *e)
{
    struct stat st;
    if (stat(d->key_path, &st) != 0)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "key", "enrol again with 'kuori remote add'",
                          "%s: cannot read the client key %s: %s", d->label, d->key_path,
                          strerror(errno));
    if (st.st_mode & 077)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "key", "run 'chmod 600' on it",
                          "%s: the client key %s is readable by others (mode %03o)", d->label,
                          d->key_path, (unsigned)(st.st_mode & 0777));
    if (SSL_CTX_use_certificate_file(ctx, d->cert_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(ctx, d->key_path, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        return kuori_fail(e, KUORI_EXIT_LOCAL, "key", "enrol again with 'kuori remote add'",
                          "%s: cannot load the client certificate %s and key %s", d->label,
                          d->cert_path, d->key_path);
    }
    return 0;
}

static int tls_setup(struct kuori_conn *c, const struct kuori_dial *d, struct kuori_err *e)
{
    int rc;
    pthread_once(&conn_once, conn_init);
    c->ctx = SSL_CTX_new(TLS_client_method());
    if (!c->ctx)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "tls", NULL, "cannot create a TLS context");
    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION);
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_cert_verify_callback(c->ctx, verify_pin, NULL);
    if (d->key_path && (rc = load_identity(c->ctx, d, e)))
        return rc;
    c->ssl = SSL_new(c->ctx);
    if (!c->ssl || SSL_set_fd(c->ssl, c->fd) != 1)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "tls", NULL, "cannot create a TLS connection");
    SSL_set_ex_data(c->ssl, conn_idx, c);
    return 0;
}

static int tls_handshake(struct kuori_conn *c, long long deadline, struct kuori_err *e)
{
    for (;;) {
        int r = SSL_connect(c->ssl), err, extra = 0;
        if (r == 1 && !c->pin_ok) /* no certificate was checked: an anonymous suite (if the
                                   * local OpenSSL configuration allows one) proves nothing */
            return kuori_fail(e, KUORI_EXIT_DENIED, "pin",
                              "someone may be intercepting the connection, or the local OpenSSL "
                              "configuration allows anonymous cipher suites: do not continue",
                              "%s: the agent presented no certificate, so nothing matched the "
                              "pin %s",
                              c->label, c->want_pin);
        if (r == 1)
            return 0;
        err = SSL_get_error(c->ssl, r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
            return tls_error(c, "handshake", e);
        if (!wait_fd(c->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, -1, &extra))
            return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "timeout",
                              "check that the agent runs and the address is its TLS port",
                              "%s: the TLS handshake timed out", c->label);
    }
}

static int send_all(struct kuori_conn *c, const unsigned char *p, size_t n, long long deadline,
                    struct kuori_err *e)
{
    while (n > 0) {
        int r = SSL_write(c->ssl, p, (int)n), err, extra = 0;
        if (r > 0) {
            p += r;
            n -= (size_t)r;
            continue;
        }
        err = SSL_get_error(c->ssl, r);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
            return tls_error(c, "write", e);
        if (!wait_fd(c->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline, -1, &extra))
            return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "timeout", NULL, "%s: sending timed out",
                              c->label);
    }
    return 0;
}

int kuori_conn_send(struct kuori_conn *c, cJSON *req, long long *id, struct kuori_err *e)
{
    unsigned char *buf;
    size_t len;
    int rc;
    *id = ++c->next_id;
    cJSON_DeleteItemFromObjectCaseSensitive(req, "id");
    cJSON_AddNumberToObject(req, "id", (double)*id);
    if ((rc = kuori_frame_encode(req, &buf, &len, e)))
        return rc;
    rc = send_all(c, buf, len, kuori_now_ms() + 10000, e);
    free(buf);
    return rc;
}

/* Feed buffered bytes into rx; 1 with a message in *msg, 0 need more, else an exit code. */
static int drain(struct kuori_conn *c, cJSON **msg, struct kuori_err *e)
{
    while (c->boff < c->blen) {
        size_t used = 0;
        int r = kuori_rx_feed(&c->rx, c->buf + c->boff, c->blen - c->boff, &used, e);
        c->boff += used;
        if (r == 1)
            return kuori_rx_take(&c->rx, msg, e) ? e->exit : 1;
        if (r != 0)
            return r;
    }
    return 0;
}

int kuori_conn_recv(struct kuori_conn *c, cJSON **msg, long long deadline_ms, int extra_fd,
                    struct kuori_err *e)
{
    *msg = NULL;
    for (;;) {
        int r = drain(c, msg, e), err, extra = 0;
        if (r == 1)
            return 0;
        if (r != 0)
            return r;
        r = SSL_read(c->ssl, c->buf, sizeof c->buf);
        if (r > 0) {
            c->boff = 0;
            c->blen = (size_t)r;
            continue;
        }
        err = SSL_get_error(c->ssl, r);
        if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0))
            return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "closed",
                              "the agent may have restarted; run the command again",
                              "%s: the agent closed the connection", c->label);
        if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
            return tls_error(c, "read", e);
        if (!wait_fd(c->fd, err == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline_ms, extra_fd,
                     &extra))
            return KUORI_RECV_TIMEOUT;
        if (extra)
            return KUORI_RECV_EXTRA;
    }
}

int kuori_agent_error(const char *label, const struct kuori_msg *m, struct kuori_err *e)
{
    static const struct {
        const char *code, *hint;
    } hints[] = {
            {"denied", "this remote's credentials do not reach that; operator verbs need the "
                       "root habitat's remote"},
            {"token", "ask the operator for a new token ('kuori token create --habitat H')"},
            {"not-found", "'kuori ps' lists the components"},
            {"busy", "try again in a moment"},
            {"unavailable", "try again later; the agent's log says what it cannot reach"},
            {"version", "use a kuori and a kuori-agent that share a protocol version"},
            {"internal", "report this with the agent's log"},
    };
    char msg[600];
    int exit = kuori_exit_for_code(m->code);
    const char *hint = NULL;
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (strcmp(m->code, hints[i].code) == 0)
            hint = hints[i].hint;
    snprintf(msg, sizeof msg, "%s", m->text);
    kuori_sanitize(msg);
    kuori_fail(e, exit, m->code, hint, "%s: %s (%s)", label, msg, m->code);
    const cJSON *cur = cJSON_GetObjectItemCaseSensitive(m->body, "current");
    if (cJSON_IsNumber(cur) && cur->valuedouble >= 0 && cur->valuedouble <= KUORI_ID_MAX)
        e->current = (long long)cur->valuedouble;
    return exit;
}

int kuori_conn_stream(struct kuori_conn *c, cJSON *req, long long *id, cJSON **result,
                      int timeout_ms, struct kuori_err *e)
{
    long long deadline = kuori_now_ms() + timeout_ms;
    int rc = kuori_conn_send(c, req, id, e);
    cJSON_Delete(req);
    *result = NULL;
    while (!rc) {
        cJSON *msg;
        struct kuori_msg m;
        rc = kuori_conn_recv(c, &msg, deadline, -1, e);
        if (rc == KUORI_RECV_TIMEOUT)
            return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "timeout",
                              "the agent may be overloaded; try again or raise --timeout",
                              "%s: no reply within %d ms", c->label, timeout_ms);
        if (rc)
            return rc;
        rc = kuori_msg_classify(msg, &m, e);
        if (!rc && m.id == *id && m.kind == KUORI_MSG_OK) {
            *result = cJSON_DetachItemFromObjectCaseSensitive(msg, "result");
            cJSON_Delete(msg);
            return 0;
        }
        if (!rc && m.id == *id && m.kind == KUORI_MSG_ERROR)
            rc = kuori_agent_error(c->label, &m, e);
        cJSON_Delete(msg); /* a late message of a cancelled stream: skipped */
    }
    return rc;
}

int kuori_conn_call(struct kuori_conn *c, cJSON *req, cJSON **result, int timeout_ms,
                    struct kuori_err *e)
{
    long long id;
    return kuori_conn_stream(c, req, &id, result, timeout_ms, e);
}

int kuori_conn_next(struct kuori_conn *c, long long id, cJSON **data, long long deadline_ms,
                    int extra_fd, struct kuori_err *e)
{
    *data = NULL;
    for (;;) {
        cJSON *msg;
        struct kuori_msg m;
        int rc = kuori_conn_recv(c, &msg, deadline_ms, extra_fd, e);
        if (rc)
            return rc;
        rc = kuori_msg_classify(msg, &m, e);
        if (!rc && m.id == id && m.kind == KUORI_MSG_STREAM) {
            *data = cJSON_DetachItemFromObjectCaseSensitive(msg, "data");
            cJSON_Delete(msg);
            return 0;
        }
        if (!rc && m.id == id && m.kind == KUORI_MSG_END) {
            char why[128];
            snprintf(why, sizeof why, "%s", m.text);
            kuori_sanitize(why);
            rc = kuori_fail(e, KUORI_EXIT_SERVER, "end", "run the command again",
                            "%s: the agent ended the stream: %s", c->label, why);
        }
        cJSON_Delete(msg);
        if (rc)
            return rc;
    }
}

static int hello(struct kuori_conn *c, int timeout_ms, struct kuori_err *e)
{
    cJSON *req = cJSON_CreateObject(), *res;
    const int v[] = {1};
    int rc;
    cJSON_AddStringToObject(req, "op", "hello");
    cJSON_AddItemToObject(req, "versions", cJSON_CreateIntArray(v, 1));
    cJSON_AddStringToObject(req, "client", "kuori/" KUORI_VERSION);
    if ((rc = kuori_conn_call(c, req, &res, timeout_ms, e)))
        return rc;
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(res, "habitat");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(res, "role");
    const cJSON *cl = cJSON_GetObjectItemCaseSensitive(res, "client");
    const cJSON *ver = cJSON_GetObjectItemCaseSensitive(res, "version");
    if (!cJSON_IsString(h) || !cJSON_IsString(r) || !cJSON_IsNumber(ver) || ver->valueint != 1) {
        cJSON_Delete(res);
        return kuori_fail(e, KUORI_EXIT_SERVER, "protocol", "check that ADDRESS is a kuori-agent",
                          "%s: the agent's hello lacks version 1, habitat or role", c->label);
    }
    snprintf(c->habitat, sizeof c->habitat, "%s", h->valuestring);
    snprintf(c->role, sizeof c->role, "%s", r->valuestring);
    snprintf(c->client, sizeof c->client, "%s", cJSON_IsString(cl) ? cl->valuestring : "");
    kuori_sanitize(c->habitat);
    kuori_sanitize(c->role);
    kuori_sanitize(c->client);
    cJSON_Delete(res);
    return 0;
}

int kuori_conn_open(struct kuori_conn *c, const struct kuori_dial *d, struct kuori_err *e)
{
    long long deadline = kuori_now_ms() + d->timeout_ms;
    struct kuori_addr a;
    int rc;
    memset(c, 0, sizeof *c);
    c->fd = -1;
    snprintf(c->label, sizeof c->label, "%s", d->label);
    snprintf(c->want_pin, sizeof c->want_pin, "%s%s",
             d->pin ? "" : "sha256:", d->pin ? d->pin : d->pin_prefix);
    if ((rc = kuori_addr_parse(d->address, &a, e)))
        return rc;
    if (a.ssh)
        rc = kuori_ssh_open(&a, deadline, &c->fd, &c->ssh, e);
    else
        rc = kuori_tcp_connect(a.host, a.port, deadline, &c->fd, e);
    if (rc) { /* name the remote: in a fleet, several of these lines come together */
        char msg[sizeof e->msg];
        size_t n = strlen(c->label);
        memcpy(msg, e->msg, sizeof msg);
        if (n + 2 < sizeof e->msg) {
            memcpy(e->msg, c->label, n);
            memcpy(e->msg + n, ": ", 2);
            memcpy(e->msg + n + 2, msg, sizeof e->msg - n - 2);
            e->msg[sizeof e->msg - 1] = 0;
        }
        goto error;
    }
    if ((rc = tls_setup(c, d, e)) || (rc = tls_handshake(c, deadline, e)))
        goto error;
    long long left = deadline - kuori_now_ms();
    if ((rc = hello(c, left > 1000 ? (int)left : 1000, e)))
        goto error;
    return 0;
error:
    kuori_conn_close(c);
    return rc;
}

void kuori_conn_close(struct kuori_conn *c)
{
    if (c->ssl) {
        SSL_shutdown(c->ssl); /* best effort: the socket is non-blocking */
        SSL_free(c->ssl);
    }
    if (c->ctx)
        SSL_CTX_free(c->ctx);
    if (c->fd >= 0)
        close(c->fd);
    if (c->ssh)
        kuori_ssh_close(c->ssh);
    kuori_rx_free(&c->rx);
    c->ssl = NULL;
    c->ctx = NULL;
    c->fd = -1;
    c->ssh = NULL;
}
