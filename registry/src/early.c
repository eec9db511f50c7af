/* SPDX-License-Identifier: MIT */
/* Answering a request whose body is still arriving.
 *
 * libmicrohttpd 0.9.75 accepts a response only before the body (first call)
 * or after all of it (last call); one queued in between is refused and the
 * connection closed, so the client saw "Send failure: Broken pipe" instead of
 * 408, 413 or 507 (issue 12, point 4). Reading the rest of a body the server
 * will not store can take unboundedly long (a trickling or endless upload).
 * So on plain HTTP the answer is written to the socket directly, complete
 * and with "Connection: close", the sending side is shut down, and the rest
 * of the body is read and discarded ("lingering close", as nginx and Apache
 * do) until the client, having read the answer, closes, or a bound passes.
 * Closing at once would make the kernel reset the connection while the client
 * is still sending, which can destroy the answer before the client reads it.
 * On HTTPS the bytes cannot be written around the TLS session: the error is
 * deferred and the body drained (bounded) so that the answer goes out on the
 * last call; a client that sends more than the bound is cut off.
 * States: not answered -> answered early (r->lingering) -> closed.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server.h"

/* Body bytes discarded after an early answer before the connection is cut.
 * Loopback socket buffers alone hold several MiB a client wrote before it
 * could read the answer, so this is well above REG_DRAIN_MAX. */
#define LINGER_MAX (64u << 20)

/* Only statuses early answers use need a reason phrase here. */
static const char *reason(unsigned status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Content Too Large";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 507:
        return "Insufficient Storage";
    default:
        return "Error";
    }
}

/* Write all of buf (len bytes) to the socket; the answer is small, so a full
 * socket buffer only happens for a peer that reads nothing: give up then. */
static int send_all(int fd, const char *buf, size_t len)
{
    for (int tries = 0; len > 0 && tries < 100; tries++) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return -errno;
        if (n > 0) {
            buf += n;
            len -= (size_t)n;
        }
    }
    return len ? -EAGAIN : 0;
}

enum MHD_Result reg_answer_now(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                               const char *err, const char *hint)
{
    char head[512];
    reg_upload_abort(&r->up);
    if (!r->err_status) {
        r->err_status = status;
        r->err = err;
        r->hint = hint;
    }
    const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (r->srv->tls_cert || !ci)
        return MHD_YES; /* drained and answered on the last call (see above) */
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "error", r->err);
    cJSON_AddStringToObject(o, "hint", r->hint ? r->hint : "");
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!body)
        return MHD_NO;
    size_t len = strlen(body);
    int n = snprintf(head, sizeof(head),
                     "HTTP/1.1 %u %s\r\nConnection: close\r\nContent-Type: application/json\r\n"
                     "Cache-Control: no-cache\r\nContent-Length: %zu\r\n",
                     r->err_status, reason(r->err_status), len);
    if (r->retry_after)
        n += snprintf(head + n, sizeof(head) - (size_t)n, "Retry-After: %u\r\n", r->retry_after);
    n += snprintf(head + n, sizeof(head) - (size_t)n, "\r\n");
    int fd = ci->connect_fd;
    int rc = send_all(fd, head, (size_t)n);
    if (rc == 0)
        rc = send_all(fd, body, len);
    free(body);
    if (rc < 0)
        return MHD_NO;
    shutdown(fd, SHUT_WR);
    r->status = r->err_status;
    r->bytes = len;
    r->responded = true;
    r->lingering = true;
    r->drained = 0;
    return MHD_YES;
}

enum MHD_Result reg_linger(struct reg_req *r, size_t n)
{
    const struct reg_config *cfg = r->srv->cfg;
    r->drained += n;
    /* Bounded: a client that keeps sending after the answer is cut off. */
    if (n == 0 || r->drained > LINGER_MAX ||
        reg_req_elapsed(r) > (double)cfg->request_timeout + cfg->idle_timeout)
        return MHD_NO;
    return MHD_YES;
}
