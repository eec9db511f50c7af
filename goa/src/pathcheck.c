/* SPDX-License-Identifier: MIT */
/* goa: checks for names and paths that come from outside.
 *
 * Paths are judged lexically, component by component, with a depth counter:
 * "." keeps the depth, ".." lowers it, anything else raises it. A path is
 * inside the tree when the depth never drops below zero. This is the rule the
 * extractor relies on; it also refuses absolute paths outright.
 */
#include "pathcheck.h"

#include <string.h>

/* Walk PATH's components starting at DEPTH; -1 if it climbs above zero. */
static int walk(const char *path, int depth)
{
    const char *p = path;

    while (*p) {
        size_t n = strcspn(p, "/");
        if (n == 1 && p[0] == '.')
            ;
        else if (n == 2 && p[0] == '.' && p[1] == '.') {
            if (--depth < 0)
                return -1;
        } else if (n > 0)
            depth++;
        p += n;
        while (*p == '/')
            p++;
    }
    return depth;
}

bool goa_path_inside(const char *path)
{
    if (!path || !*path || path[0] == '/')
        return false;
    return walk(path, 0) >= 0;
}

bool goa_link_inside(const char *linkpath, const char *target)
{
    int depth;
    const char *slash;

    if (!goa_path_inside(linkpath) || !target || !*target || target[0] == '/')
        return false;
    /* Depth of the link's directory: the link path minus its last component. */
    slash = strrchr(linkpath, '/');
    depth = 0;
    if (slash) {
        char dir[4096];
        size_t n = (size_t)(slash - linkpath);
        if (n >= sizeof dir)
            return false;
        memcpy(dir, linkpath, n);
        dir[n] = '\0';
        depth = walk(dir, 0);
        if (depth < 0)
            return false;
    }
    return walk(target, depth) >= 0;
}

static bool name_chars(const char *s, size_t max, bool lower_only, const char *extra)
{
    size_t n = s ? strlen(s) : 0;

    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  (!lower_only && c >= 'A' && c <= 'Z');
        if (!ok && (i == 0 || !strchr(extra, c)))
            return false;
    }
    return true;
}

bool goa_valid_name(const char *s)
{
    if (!name_chars(s, 128, false, "._+-"))
        return false;
    return strcmp(s, ".") && strcmp(s, "..");
}

bool goa_valid_user(const char *s)
{
    return name_chars(s, 64, true, "_-");
}

bool goa_valid_type(const char *s)
{
    static const char *const plain[] = {"src", "pkg", "raw", "api"};

    if (!s)
        return false;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(s, plain[i]))
            return true;
    return !strncmp(s, "bin/", 4) && goa_valid_name(s + 4);
}

bool goa_valid_sha256(const char *s)
{
    size_t n = s ? strlen(s) : 0;

    if (n != 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789abcdefABCDEF", s[i]))
            return false;
    return true;
}
