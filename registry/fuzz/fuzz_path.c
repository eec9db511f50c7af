/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the strict URL decoder (src/unescape.c) followed by the
 * request-path parser (src/path.c), as the server runs them.
 *
 * Invariants checked beyond "no crash": the decoder never yields a control
 * character or grows the string, and whatever parses is made of valid
 * components, so no accepted path can carry traversal or odd bytes.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"
#include "unescape.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct reg_path p;
    char *url = malloc(size + 1);
    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    size_t before = strlen(url), n = reg_url_unescape(url);
    assert(n <= before && strlen(url) == n);
    /* Decoded or not, the string holds no control byte that was not already there. */
    if (n < before)
        for (size_t i = 0; i < n; i++)
            assert((unsigned char)url[i] >= 0x20 && url[i] != 0x7f);
    int rc = reg_path_parse(url, n, &p);
    free(url);
    if (rc != 0)
        return 0;
    assert(p.user[0] == '\0' || reg_valid_user(p.user, strlen(p.user)));
    assert(p.type[0] == '\0' || reg_valid_type(p.type, strlen(p.type)));
    assert(p.name[0] == '\0' || reg_valid_name(p.name, strlen(p.name)));
    assert(p.version[0] == '\0' || reg_valid_version(p.version, strlen(p.version)));
    assert(strstr(p.name, "..") != p.name && strcmp(p.version, "..") != 0);
    return 0;
}
