/* SPDX-License-Identifier: MIT */
/* hoitaja component status: the check of what a child publishes (KIDE_PARENT_STATUS).
 *
 * A child may publish one small JSON object about itself (a router's packet
 * counters). It comes from a tenant, so it is parsed once with the bounded
 * parser (at most KIDE_STATUS_MAX bytes, KIDE_STATUS_TOKENS values, nesting
 * depth HJ_STATUS_DEPTH, strings HJ_STATUS_STRING bytes), must be an object,
 * and is kept in canonical form: compact, one line, no control characters
 * (the writer escapes them), so it can go into the report JSON as a value and
 * onto the console as it is. Canonical text can be longer than the input
 * (escapes); what does not fit in HJ_STATUS_TEXT_MAX bytes is refused, never
 * cut. Also the result text of a live configuration's verdict (live.c), here
 * so the host tests see every case. Pure: the caller owns every buffer.
 */
#include "hoitaja.h"

#include <kide/json.h>
#include <kide/status.h>

int hj_status_check(const char *in, kide_u64 len, char *out, kide_u64 size, kide_u64 *out_len,
                    char *why, kide_u64 why_size)
{
    struct kide_json_tok tok[KIDE_STATUS_TOKENS];
    struct kide_json_doc doc;
    struct kide_json_error je;
    const struct kide_json_limits lim = {.max_depth = HJ_STATUS_DEPTH,
                                         .max_string = HJ_STATUS_STRING};
    if (len > KIDE_STATUS_MAX) {
        hj_snprintf(why, why_size, "status is %lu bytes, at most %u", len, KIDE_STATUS_MAX);
        return -1;
    }
    if (kide_json_parse(&doc, in, len, tok, KIDE_STATUS_TOKENS, &lim, &je) != KIDE_JSON_OK) {
        char where[96];
        kide_json_error_format(&je, where, sizeof(where));
        hj_snprintf(why, why_size, "status is not JSON: %s", where);
        return -1;
    }
    if (kide_json_type(&doc, 0) != KIDE_JSON_OBJECT) {
        hj_snprintf(why, why_size, "status must be a JSON object");
        return -1;
    }
    struct kide_json_writer w;
    kide_json_writer_init(&w, out, size);
    kide_json_value(&w, &doc, 0);
    long n = kide_json_writer_finish(&w);
    if (n < 0) {
        hj_snprintf(why, why_size, "status in canonical form is more than %lu bytes",
                    size ? size - 1 : 0);
        return -1;
    }
    *out_len = (kide_u64)n;
    return 0;
}

/* Whether a child's reason (len bytes) is printable UTF-8 text: no control
 * characters, and valid UTF-8 as the JSON writer checks it (the same check,
 * so a reason accepted here never makes the result document fail). */
static int reason_printable(const char *s, kide_u64 len)
{
    char scratch[KIDE_VERDICT_MAX * 6 + 8];
    struct kide_json_writer w;
    for (kide_u64 i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] == 0x7f)
            return 0;
    kide_json_writer_init(&w, scratch, sizeof(scratch));
    kide_json_string_n(&w, s, len);
    return kide_json_writer_finish(&w) >= 0;
}

int hj_live_verdict(int st, const char *reason, const char *st_name, kide_u64 deadline_ms,
                    char *res, kide_u64 size)
{
    /* The reason comes from a tenant and goes into the result JSON and onto the
     * console: checked once here, refused whole (never cut or altered). */
    if (st == KIDE_INVALID && reason && reason[0] &&
        (strlen(reason) > KIDE_VERDICT_MAX || !reason_printable(reason, strlen(reason)))) {
        hj_snprintf(res, size,
                    "rejected: the child's reason is not printable UTF-8 text of at most %u "
                    "bytes; config unchanged",
                    KIDE_VERDICT_MAX);
        return -1;
    }
    if (st == KIDE_OK) {
        hj_snprintf(res, size, "applied");
        return 0;
    }
    if (st == KIDE_INVALID)
        hj_snprintf(res, size, "rejected: %s",
                    reason && reason[0] ? reason : "the child gave no reason; config unchanged");
    else if (st == KIDE_TIMEOUT)
        hj_snprintf(res, size, "rejected: child did not answer within %lu ms; config unchanged",
                    deadline_ms);
    else
        hj_snprintf(res, size, "rejected: child's config portal answered %s; config unchanged",
                    st_name);
    return -1;
}
