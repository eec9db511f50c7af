/* SPDX-License-Identifier: MIT */
/* Strict percent-decoding (see unescape.h). Linear in the string; two passes
 * so that nothing is changed unless everything decodes.
 */
#include "unescape.h"

#include <stdbool.h>
#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool control(unsigned v)
{
    return v < 0x20 || v == 0x7f;
}

/* The byte encoded at s[0..2] ("%XY"), or -1 if malformed. */
static int escaped(const char *s)
{
    int hi = hexval(s[1]), lo = hi < 0 ? -1 : hexval(s[2]);
    return lo < 0 ? -1 : hi << 4 | lo;
}

size_t reg_url_unescape(char *s)
{
    size_t n = strlen(s), o = 0;
    for (size_t i = 0; i < n; i++) {
        if (control((unsigned char)s[i]))
            return n; /* raw control bytes: refused as they are */
        if (s[i] != '%')
            continue;
        int v = escaped(s + i); /* reads at most the terminating NUL */
        if (v < 0 || control((unsigned)v))
            return n;
        i += 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%') {
            s[o++] = (char)escaped(s + i);
            i += 2;
        } else {
            s[o++] = s[i];
        }
    }
    s[o] = '\0';
    return o;
}
