/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any bytes as an HTTP response head. The parser reads
 * only the input, and an accepted head is consistent: status 200, the head
 * inside the input and within PKG_HTTP_HEAD_MAX, the length within the bound. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "kide/pkg_fetch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pkg_http_head h;
    char err[PKG_HTTP_ERR_MAX];
    int r = pkg_http_head_parse((const char *)data, size, 1 << 20, &h, err, sizeof(err));
    if (r == 1 && (h.status != 200 || h.head_len > size || h.head_len > PKG_HTTP_HEAD_MAX ||
                   h.content_length > (1 << 20)))
        abort();
    if (r == 0 && size >= PKG_HTTP_HEAD_MAX)
        abort(); /* a head that long is refused, never waited for */
    return 0;
}
