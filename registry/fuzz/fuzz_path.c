/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the request-path parser (src/path.c).
 *
 * Invariant checked beyond "no crash": whatever parses is made of valid
 * components, so no accepted path can carry traversal or odd bytes.
 */
#include <assert.h>
#include <string.h>

#include "path.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    struct reg_path p;
    if (reg_path_parse((const char *)data, size, &p) != 0)
        return 0;
    assert(p.user[0] == '\0' || reg_valid_user(p.user, strlen(p.user)));
    assert(p.type[0] == '\0' || reg_valid_type(p.type, strlen(p.type)));
    assert(p.name[0] == '\0' || reg_valid_name(p.name, strlen(p.name)));
    assert(p.version[0] == '\0' || reg_valid_version(p.version, strlen(p.version)));
    assert(strstr(p.name, "..") != p.name && strcmp(p.version, "..") != 0);
    return 0;
}
