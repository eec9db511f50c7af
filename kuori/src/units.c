/* SPDX-License-Identifier: MIT */
/* Parsing and formatting of bytes, percentages and durations (see units.h). */
#include "units.h"

#include <stdio.h>
#include <string.h>

/* Digits only, no sign or space, with overflow detection; *end after them. */
static int parse_digits(const char *s, uint64_t *out, const char **end)
{
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
            return -1;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    *out = v;
    *end = p;
    return 0;
}

int kuori_parse_uint(const char *s, uint64_t max, uint64_t *out)
{
    const char *end;
    uint64_t v;
    if (!s || parse_digits(s, &v, &end) != 0 || *end || v > max)
        return -1;
    *out = v;
    return 0;
}

int kuori_parse_bytes(const char *s, uint64_t *out)
{
    static const char *const units = "KMGT";
    const char *end;
    uint64_t v, mul = 1;
    if (!s || parse_digits(s, &v, &end) != 0)
        return -1;
    if (*end) {
        const char *u = strchr(units, *end);
        if (!u || !*u)
            return -1;
        for (const char *q = units; q <= u; q++)
            mul *= 1024;
        end++;
        if (strcmp(end, "") != 0 && strcmp(end, "i") != 0 && strcmp(end, "iB") != 0 &&
            strcmp(end, "B") != 0)
            return -1;
    }
    if (v > UINT64_MAX / mul)
        return -1;
    *out = v * mul;
    return 0;
}

int kuori_parse_percent(const char *s, unsigned *out)
{
    const char *end;
    uint64_t v;
    if (!s || parse_digits(s, &v, &end) != 0)
        return -1;
    if (*end == '%')
        end++;
    if (*end || v < 1 || v > 100)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int kuori_parse_duration(const char *s, uint64_t *ms)
{
    static const struct {
        const char *suffix;
        uint64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
    const char *end;
    uint64_t v;
    if (!s || parse_digits(s, &v, &end) != 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(end, units[i].suffix) != 0)
            continue;
        if (v > UINT64_MAX / units[i].ms)
            return -1;
        *ms = v * units[i].ms;
        return 0;
    }
    return -1;
}

void kuori_fmt_bytes(uint64_t v, char *buf, size_t n)
{
    static const char units[] = "KMGTPE";
    double d = (double)v;
    int u = -1;
    if (v < 1024) {
        snprintf(buf, n, "%lluB", (unsigned long long)v);
        return;
    }
    while (d >= 1024.0 && u < 5) {
        d /= 1024.0;
        u++;
    }
    if (d < 10.0)
        snprintf(buf, n, "%.1f%c", d, units[u]);
    else
        snprintf(buf, n, "%.0f%c", d, units[u]);
}

void kuori_fmt_uptime(uint64_t ns, char *buf, size_t n)
{
    uint64_t s = ns / 1000000000ull;
    if (s == 0)
        snprintf(buf, n, "%llums", (unsigned long long)(ns / 1000000ull));
    else if (s < 60)
        snprintf(buf, n, "%llus", (unsigned long long)s);
    else if (s < 3600)
        snprintf(buf, n, "%llum%02llus", (unsigned long long)(s / 60),
                 (unsigned long long)(s % 60));
    else if (s < 86400)
        snprintf(buf, n, "%lluh%02llum", (unsigned long long)(s / 3600),
                 (unsigned long long)(s / 60 % 60));
    else
        snprintf(buf, n, "%llud%02lluh", (unsigned long long)(s / 86400),
                 (unsigned long long)(s / 3600 % 24));
}
