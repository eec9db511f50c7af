/* SPDX-License-Identifier: MIT */
/* Response helpers shared by every handler.
 *
 * All responses go through reg_reply, which records the status and body size
 * for the access log and marks the request answered. Error bodies are JSON
 * objects with "error" and "hint", the format goa prints to its users.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"

enum MHD_Result reg_reply(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                          struct MHD_Response *resp)
{
    if (!resp)
        return MHD_NO;
    r->status = status;
    r->responded = true;
    /* While draining for shutdown, keep-alive clients must reconnect elsewhere. */
    if (atomic_load(&r->srv->stopping))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result reg_reply_text(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                               const char *ctype, const char *body, size_t len)
{
    struct MHD_Response *resp =
            MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    r->bytes = len;
    return reg_reply(c, r, status, resp);
}

enum MHD_Result reg_reply_error(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                                const char *msg, const char *hint, uint32_t retry_after)
{
    char ra[16];
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return MHD_NO;
    cJSON_AddStringToObject(o, "error", msg);
    cJSON_AddStringToObject(o, "hint", hint ? hint : "");
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!body)
        return MHD_NO;
    size_t len = strlen(body);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (retry_after) {
        snprintf(ra, sizeof(ra), "%u", retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    r->bytes = len;
    return reg_reply(c, r, status, resp);
}
