/* SPDX-License-Identifier: MIT */
/* Framing and message classification (see frame.h). */
#include "frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const PROTO_HINT =
        "the agent does not speak kuori protocol version 1 correctly; check that ADDRESS is a "
        "kuori-agent and report this with the agent's version";

int kuori_rx_feed(struct kuori_rx *rx, const unsigned char *p, size_t n, size_t *used,
                  struct kuori_err *e)
{
    size_t i = 0;
    *used = 0;
    while (rx->hdr_got < 4 && i < n)
        rx->hdr[rx->hdr_got++] = p[i++];
    if (rx->hdr_got < 4) {
        *used = i;
        return 0;
    }
    if (!rx->buf) {
        uint32_t len = (uint32_t)rx->hdr[0] << 24 | (uint32_t)rx->hdr[1] << 16 |
                       (uint32_t)rx->hdr[2] << 8 | rx->hdr[3];
        if (len == 0 || len > KUORI_MSG_MAX_IN) {
            *used = i;
            return kuori_fail(e, KUORI_EXIT_SERVER, "protocol", PROTO_HINT,
                              "the agent sent a message of %u bytes (allowed: 1 to %u)", len,
                              KUORI_MSG_MAX_IN);
        }
        rx->buf = malloc(len + 1);
        if (!rx->buf) {
            *used = i;
            return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
        }
        rx->len = len;
        rx->got = 0;
    }
    size_t take = n - i < rx->len - rx->got ? n - i : rx->len - rx->got;
    memcpy(rx->buf + rx->got, p + i, take);
    rx->got += take;
    *used = i + take;
    return rx->got == rx->len ? 1 : 0;
}

void kuori_rx_free(struct kuori_rx *rx)
{
    free(rx->buf);
    memset(rx, 0, sizeof *rx);
}

int kuori_rx_take(struct kuori_rx *rx, cJSON **out, struct kuori_err *e)
{
    const char *end = NULL;
    cJSON *j;
    size_t len = rx->len;
    *out = NULL;
    if (!rx->buf || rx->got != rx->len)
        return kuori_fail(e, KUORI_EXIT_SERVER, "internal", NULL, "no complete message (a bug)");
    rx->buf[len] = 0;
    j = cJSON_ParseWithLengthOpts((const char *)rx->buf, len, &end, 0);
    if (j && end) {
        while (end < (const char *)rx->buf + len && strchr(" \t\r\n", *end) && *end)
            end++;
    }
    int bad = !j || !cJSON_IsObject(j) || end != (const char *)rx->buf + len;
    free(rx->buf);
    memset(rx, 0, sizeof *rx);
    if (bad) {
        cJSON_Delete(j);
        return kuori_fail(e, KUORI_EXIT_SERVER, "protocol", PROTO_HINT,
                          "the agent sent a message that is not one JSON object");
    }
    *out = j;
    return 0;
}

static int bad_msg(struct kuori_err *e, const char *what)
{
    return kuori_fail(e, KUORI_EXIT_SERVER, "protocol", PROTO_HINT,
                      "the agent sent an invalid message: %s", what);
}

int kuori_msg_classify(const cJSON *msg, struct kuori_msg *m, struct kuori_err *e)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "id");
    const cJSON *ok = cJSON_GetObjectItemCaseSensitive(msg, "ok");
    const cJSON *stream = cJSON_GetObjectItemCaseSensitive(msg, "stream");
    const cJSON *end = cJSON_GetObjectItemCaseSensitive(msg, "end");
    memset(m, 0, sizeof *m);
    if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > KUORI_ID_MAX ||
        floor(id->valuedouble) != id->valuedouble)
        return bad_msg(e, "\"id\" is not an integer 1..2^53-1");
    m->id = (long long)id->valuedouble;
    if (cJSON_IsBool(ok) && cJSON_IsTrue(ok)) {
        m->kind = KUORI_MSG_OK;
        m->body = cJSON_GetObjectItemCaseSensitive(msg, "result");
        if (!cJSON_IsObject(m->body))
            return bad_msg(e, "a reply without a \"result\" object");
        return 0;
    }
    if (cJSON_IsBool(ok)) {
        m->kind = KUORI_MSG_ERROR;
        m->body = cJSON_GetObjectItemCaseSensitive(msg, "error");
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(m->body, "code");
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(m->body, "message");
        if (!cJSON_IsObject(m->body) || !cJSON_IsString(code) || !cJSON_IsString(text))
            return bad_msg(e, "an error without \"code\" and \"message\" strings");
        m->code = code->valuestring;
        m->text = text->valuestring;
        return 0;
    }
    if (cJSON_IsString(stream)) {
        m->kind = KUORI_MSG_STREAM;
        m->text = stream->valuestring;
        m->body = cJSON_GetObjectItemCaseSensitive(msg, "data");
        if (!cJSON_IsObject(m->body))
            return bad_msg(e, "a stream message without a \"data\" object");
        return 0;
    }
    if (cJSON_IsString(end)) {
        m->kind = KUORI_MSG_END;
        m->text = end->valuestring;
        return 0;
    }
    return bad_msg(e, "neither a reply, a stream message nor a stream end");
}

int kuori_frame_encode(const cJSON *req, unsigned char **out, size_t *len, struct kuori_err *e)
{
    char *s = cJSON_PrintUnformatted(req);
    size_t n;
    *out = NULL;
    if (!s)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    n = strlen(s);
    if (n == 0 || n > KUORI_MSG_MAX_OUT) {
        free(s);
        return kuori_fail(e, KUORI_EXIT_USAGE, "too-large", "make the file or value smaller",
                          "the request is %zu bytes; the protocol allows at most %u", n,
                          KUORI_MSG_MAX_OUT);
    }
    *out = malloc(n + 4);
    if (!*out) {
        free(s);
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    }
    (*out)[0] = (unsigned char)(n >> 24);
    (*out)[1] = (unsigned char)(n >> 16);
    (*out)[2] = (unsigned char)(n >> 8);
    (*out)[3] = (unsigned char)n;
    memcpy(*out + 4, s, n);
    *len = n + 4;
    free(s);
    return 0;
}
