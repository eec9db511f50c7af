/* SPDX-License-Identifier: MIT */
/* goa fuzzer: the archive path and symlink checks.
 *
 * The input is split at the first NUL into a member name and a link
 * target. Whatever the checker accepts is resolved again by an independent
 * reference (a stack of components) and must stay inside the tree; a crash
 * or a disagreement aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pathcheck.h"

/* Reference: depth after resolving PATH from depth START; -1 if it escapes. */
static int ref_depth(const char *path, int start)
{
    int depth = start;
    char *s = strdup(path), *save = NULL;

    if (!s)
        abort();
    for (char *c = strtok_r(s, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
        if (!strcmp(c, "."))
            continue;
        if (!strcmp(c, "..")) {
            if (--depth < 0)
                break;
        } else
            depth++;
    }
    free(s);
    return depth;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 2);
    const char *name, *target;

    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = buf[size + 1] = '\0';
    name = buf;
    target = buf + strlen(buf) + 1;
    if (target > buf + size)
        target = "";
    if (goa_path_inside(name)) {
        if (name[0] == '/' || ref_depth(name, 0) < 0)
            abort();
    }
    if (goa_link_inside(name, target)) {
        const char *slash = strrchr(name, '/');
        char *dir = slash ? strndup(name, (size_t)(slash - name)) : strdup("");
        int d = ref_depth(dir, 0);
        if (target[0] == '/' || d < 0 || ref_depth(target, d) < 0)
            abort();
        free(dir);
    }
    goa_valid_name(name);
    goa_valid_user(name);
    goa_valid_type(name);
    goa_valid_sha256(name);
    free(buf);
    return 0;
}
