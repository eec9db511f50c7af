/* SPDX-License-Identifier: MIT */
/* lwIP port, freestanding build only: the one <stdlib.h> function lwIP's
 * core calls, atoi (netif_find parses the number in an interface name such
 * as "en0"). Digits only, no sign: that is all an interface name has. */
#ifndef NET_FREESTANDING_STDLIB_H
#define NET_FREESTANDING_STDLIB_H

static inline int atoi(const char *s)
{
    int v = 0;

    while (*s >= '0' && *s <= '9' && v < 100000)
        v = v * 10 + (*s++ - '0');
    return v;
}

#endif
