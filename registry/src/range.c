/* SPDX-License-Identifier: MIT */
/* HTTP byte-range header parsing (RFC 9110, section 14).
 *
 * Numbers are parsed with overflow checks; anything malformed is ignored
 * (REG_RANGE_IGNORE) rather than rejected, as the RFC requires.
 */
#include "range.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

static bool number(const char **p, uint64_t *out)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9')
        return false;
    while (*s >= '0' && *s <= '9') {
        if (v > (UINT64_MAX - 9) / 10)
            return false;
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    *p = s;
    *out = v;
    return true;
}

int reg_range_parse(const char *hdr, uint64_t size, uint64_t *off, uint64_t *len)
{
    uint64_t first, last;
    const char *p = hdr;
    if (strncmp(p, "bytes=", 6) != 0)
        return REG_RANGE_IGNORE;
    p += 6;
    if (strchr(p, ','))
        return REG_RANGE_IGNORE;
    if (*p == '-') {
        p++;
        if (!number(&p, &last) || *p != '\0')
            return REG_RANGE_IGNORE;
        if (last == 0 || size == 0)
            return -ERANGE;
        if (last > size)
            last = size;
        *off = size - last;
        *len = last;
        return REG_RANGE_OK;
    }
    if (!number(&p, &first) || *p++ != '-')
        return REG_RANGE_IGNORE;
    if (*p == '\0') {
        last = UINT64_MAX;
    } else if (!number(&p, &last) || *p != '\0' || last < first) {
        return REG_RANGE_IGNORE;
    }
    if (first >= size)
        return -ERANGE;
    if (last >= size)
        last = size - 1;
    *off = first;
    *len = last - first + 1;
    return REG_RANGE_OK;
}

/* If-None-Match (RFC 9110 13.1.2): "*" or a comma-separated list of entity
 * tags, compared weakly (a W/ prefix is ignored) but each one whole: a tag
 * that merely contains ours, or ours with junk around it, does not match. */
bool reg_etag_matches(const char *inm, const char *etag)
{
    size_t n = strlen(etag);
    if (!inm)
        return false;
    for (const char *p = inm; *p;) {
        p += strspn(p, " \t,");
        if (!*p)
            break;
        const char *end = p + strcspn(p, ",");
        const char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        if (last - p == 1 && *p == '*')
            return true;
        if (last - p > 2 && strncmp(p, "W/", 2) == 0)
            p += 2;
        if ((size_t)(last - p) == n && memcmp(p, etag, n) == 0)
            return true;
        p = end;
    }
    return false;
}
