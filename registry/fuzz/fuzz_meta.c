/* SPDX-License-Identifier: MIT */
/* libFuzzer target: metadata validators and header parsers.
 *
 * Feeds the same bytes to the name/version/user/type validators, the version
 * order, the Range and If-None-Match parsers, base64 and the token format
 * check, and checks a few properties: version order is antisymmetric, ranges
 * stay in bounds, an entity tag only matches a list that holds it.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "range.h"
#include "sig.h"
#include "token.h"
#include "valid.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *s = (const char *)data;
    char id[REG_TOKEN_ID_LEN + 1];
    uint8_t out[256];
    size_t n;
    reg_valid_user(s, size);
    reg_valid_name(s, size);
    reg_valid_version(s, size);
    reg_valid_type(s, size);
    reg_token_parse(s, size, id);
    reg_b64_decode(s, size, out, sizeof(out), &n);
    size_t half = size / 2;
    int ab = reg_version_cmp(s, half, s + half, size - half);
    int ba = reg_version_cmp(s + half, size - half, s, half);
    assert((ab > 0) == (ba < 0) && (ab == 0) == (ba == 0));
    char *z = malloc(size + 1);
    if (!z)
        return 0;
    memcpy(z, data, size);
    z[size] = '\0';
    uint64_t off, len, total = size * 7 + 3;
    if (reg_range_parse(z, total, &off, &len) == REG_RANGE_OK)
        assert(len > 0 && off < total && off + len <= total);
    /* If-None-Match: a list that matches must hold the tag whole, or "*". */
    static const char tag[] = "\"0123abcd\"";
    if (reg_etag_matches(z, tag))
        assert(strstr(z, tag) || strchr(z, '*'));
    free(z);
    return 0;
}
