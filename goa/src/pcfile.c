/* SPDX-License-Identifier: MIT */
/* goa: pkg-config files made relocatable for the depot (see pcfile.h).
 *
 * A line is a variable definition when a '=' comes before any ':' (pkg-config's
 * own rule); only those are rewritten. Linear in the input: the output is
 * built in one buffer at most len + 32 bytes per line long. Fuzzed by
 * fuzz/fuzz_pc.c.
 */
#include "pcfile.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

char *goa_pc_relocate(const char *text)
{
    size_t n = strlen(text), lines = 1;

    for (const char *c = text; *c; c++)
        lines += *c == '\n';
    char *out = goa_xmalloc(n + 32 * lines + 1), *o = out;
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) : strlen(l);
        const char *eq = memchr(l, '=', len), *colon = memchr(l, ':', len);
        int var = eq && (!colon || eq < colon);
        size_t vlen = var ? len - (size_t)(eq + 1 - l) : 0;
        const char *val = var ? eq + 1 : NULL;
        if (var && (size_t)(eq - l) == 6 && !strncmp(l, "prefix", 6)) {
            o += sprintf(o, "prefix=${pcfiledir}/../..");
        } else if (var && vlen >= 4 && !strncmp(val, "/usr", 4) && (vlen == 4 || val[4] == '/')) {
            o += sprintf(o, "%.*s=${prefix}%.*s", (int)(eq - l), l, (int)(vlen - 4), val + 4);
        } else {
            memcpy(o, l, len);
            o += len;
        }
        *o++ = '\n';
        l += len + (e ? 1 : 0);
    }
    *o = '\0';
    return out;
}
