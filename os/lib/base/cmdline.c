/* SPDX-License-Identifier: MIT */
/* Numbers and "key=value" options from a module's command line. */
#include <kide/base.h>

u64 base_strtou64(const char *s, const char **end)
{
    u64 v = 0;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (;; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            break;
        v = v * base + d;
    }
    if (end)
        *end = s;
    return v;
}

const char *base_cmdline_get(const char *cmdline, const char *key)
{
    size_t klen = strlen(key);
    const char *p = cmdline;
    while (p && *p) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, klen) && p[klen] == '=')
            return p + klen + 1;
        p = strchr(p, ' ');
    }
    return NULL;
}

u64 base_cmdline_num(const char *cmdline, const char *key, u64 def)
{
    const char *end;
    const char *v = base_cmdline_get(cmdline, key);
    if (!v)
        return def;
    u64 n = base_strtou64(v, &end);
    if (end == v || (*end && *end != ' '))
        return def;
    return n;
}
