/* SPDX-License-Identifier: MIT */
/* goa: depot version strings -- ordering and bumping.
 *
 * Pure functions on strings, unit-tested in tests/unit_version.c.
 * Digit runs are compared by length after stripping leading zeros, then
 * bytewise, so arbitrarily long numbers never overflow.
 */
#include "version.h"

#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int isd(char c)
{
    return c >= '0' && c <= '9';
}

int goa_version_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isd(*a) && isd(*b)) {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (isd(a[la]))
                la++;
            while (isd(b[lb]))
                lb++;
            if (la != lb)
                return la < lb ? -1 : 1;
            int c = strncmp(a, b, la);
            if (c)
                return c;
            a += la;
            b += lb;
        } else {
            if (*a != *b)
                return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
            a++;
            b++;
        }
    }
    return *a ? 1 : *b ? -1 : 0;
}

static int is_date(const char *v)
{
    return strlen(v) >= 10 && isd(v[0]) && isd(v[1]) && isd(v[2]) && isd(v[3]) && v[4] == '-' &&
           isd(v[5]) && isd(v[6]) && v[7] == '-' && isd(v[8]) && isd(v[9]);
}

char *goa_version_bump(const char *v, const char *today)
{
    size_t n = strlen(v);

    if (is_date(v)) {
        if (strncmp(v, today, 10))
            return goa_xstrdup(today);
        char last = n > 10 ? v[n - 1] : 0;
        if (last >= 'a' && last < 'z')
            return goa_fmt("%.*s%c", (int)(n - 1), v, last + 1);
        return goa_fmt("%sa", v);
    }
    size_t end = n;
    while (end > 0 && !isd(v[end - 1]))
        end--;
    if (end == 0)
        return goa_fmt("%s.1", v);
    size_t start = end;
    while (start > 0 && isd(v[start - 1]))
        start--;
    /* Increment the digit run [start, end) as a decimal string. */
    char *num = strndup(v + start, end - start);
    size_t k = strlen(num);
    int carry = 1;
    for (size_t i = k; i-- > 0 && carry;) {
        if (num[i] == '9')
            num[i] = '0';
        else {
            num[i]++;
            carry = 0;
        }
    }
    char *r = goa_fmt("%.*s%s%s%s", (int)start, v, carry ? "1" : "", num, v + end);
    free(num);
    return r;
}

char *goa_version_port_bump(const char *v)
{
    const char *m = strstr(v, GOA_PORT_MARK), *r;

    /* Only a trailing -kideN counts; anything else after the mark is upstream's. */
    if (m) {
        r = m + strlen(GOA_PORT_MARK);
        size_t n = strspn(r, "0123456789");
        if (n && !r[n]) {
            char *up = goa_fmt("%.*s", (int)(m - v), v);
            char *next = goa_version_bump(r, "0000-00-00");
            char *out = goa_fmt("%s%s%s", up, GOA_PORT_MARK, next);
            free(up);
            free(next);
            return out;
        }
    }
    return goa_fmt("%s%s1", v, GOA_PORT_MARK);
}
