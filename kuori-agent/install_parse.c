/* SPDX-License-Identifier: MIT */
/* install_parse.c: the pure parts of `install` (install.h): the registry URL,
 * the package name, the bin archive in a pkg archive's `archives`. Inputs
 * come from clients and registries: every length is checked before a copy. */
#ifdef KAGENT_HOST
#include <stdio.h>
#include <string.h>
#else
#include <kide/base.h>
#endif

#include "kagent.h"
#include "install.h"

static int lower(char c)
{
    return c >= 'a' && c <= 'z';
}

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

/* A decimal number of at most max in s[0..len). */
static int number(const char *s, __SIZE_TYPE__ len, kide_u32 max, kide_u32 *out)
{
    kide_u32 v = 0;
    if (!len || len > 5 || (len > 1 && s[0] == '0'))
        return -1;
    for (__SIZE_TYPE__ i = 0; i < len; i++) {
        if (!digit(s[i]))
            return -1;
        v = v * 10 + (kide_u32)(s[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

int kinst_registry_parse(const char *url, struct kinst_registry *reg, char *err, __SIZE_TYPE__ cap)
{
    static const char scheme[] = "http://";
    const char *p = url;
    kide_u32 ip = 0, v = 0;
    if (strncmp(url, scheme, sizeof scheme - 1)) {
        snprintf(err, cap,
                 "registry '%.64s': write http://A.B.C.D:PORT (the agent fetches over plain "
                 "HTTP; the signature says whose the package is)",
                 url);
        return -1;
    }
    p += sizeof scheme - 1;
    for (int part = 0; part < 4; part++) {
        const char *start = p;
        while (digit(*p))
            p++;
        if (number(start, (__SIZE_TYPE__)(p - start), 255, &v) < 0 || *p != (part < 3 ? '.' : ':'))
            goto bad;
        ip = ip << 8 | v;
        p++;
    }
    const char *port = p;
    while (digit(*p))
        p++;
    if (number(port, (__SIZE_TYPE__)(p - port), 65535, &v) < 0 || v == 0 ||
        (*p && !(p[0] == '/' && !p[1])))
        goto bad;
    reg->ip = ip;
    reg->port = (kide_u16)v;
    snprintf(reg->host, sizeof reg->host, "%u.%u.%u.%u:%u", (unsigned)(ip >> 24),
             (unsigned)(ip >> 16 & 255), (unsigned)(ip >> 8 & 255), (unsigned)(ip & 255),
             (unsigned)v);
    return 0;
bad:
    snprintf(err, cap,
             "registry '%.64s': write http://A.B.C.D:PORT with an IPv4 address (a habitat "
             "has no DNS; from QEMU the host is 10.0.2.2)",
             url);
    return -1;
}

/* s[0..len): [a-z][a-z0-9-]* (user, name) or [0-9A-Za-z][0-9A-Za-z.+_-]* (version). */
static int part_ok(const char *s, __SIZE_TYPE__ len, int version)
{
    if (!len)
        return 0;
    for (__SIZE_TYPE__ i = 0; i < len; i++) {
        char c = s[i];
        int alnum = lower(c) || digit(c) || (version && c >= 'A' && c <= 'Z');
        int ok = version ? alnum || (i && (c == '.' || c == '+' || c == '_' || c == '-'))
                         : lower(c) || (i && (digit(c) || c == '-'));
        if (!ok)
            return 0;
    }
    return 1;
}

int kinst_name_parse(const char *package, struct kinst_name *n, char *err, __SIZE_TYPE__ cap)
{
    const char *seg[4];
    __SIZE_TYPE__ len[4];
    unsigned k = 0;
    const char *start = package, *p = package;
    for (;; p++) {
        if (*p && *p != '/')
            continue;
        if (k == 4)
            goto bad;
        seg[k] = start;
        len[k++] = (__SIZE_TYPE__)(p - start);
        if (!*p)
            break;
        start = p + 1;
    }
    if (k != 4 || len[1] != 3 || strncmp(seg[1], "pkg", 3) || !part_ok(seg[0], len[0], 0) ||
        !part_ok(seg[2], len[2], 0) || !part_ok(seg[3], len[3], 1) || len[0] >= sizeof n->user ||
        len[2] >= sizeof n->name || len[3] >= sizeof n->version ||
        len[0] + len[2] + len[3] + 2 > KINST_PKG_NAME_MAX)
        goto bad;
    memcpy(n->user, seg[0], len[0]);
    n->user[len[0]] = 0;
    memcpy(n->name, seg[2], len[2]);
    n->name[len[2]] = 0;
    memcpy(n->version, seg[3], len[3]);
    n->version[len[3]] = 0;
    return 0;
bad:
    snprintf(err, cap,
             "package '%.80s': write USER/pkg/NAME/VERSION as goa publish printed it (user and "
             "name [a-z][a-z0-9-], at most 32; version [0-9A-Za-z][0-9A-Za-z.+_-]; "
             "user/name/version "
             "at most 27 bytes: the child's binary pkg:... is at most 31, decision 0022)",
             package);
    return -1;
}

int kinst_pick_bin(const char *archives, const struct kinst_name *n, char *path, __SIZE_TYPE__ cap)
{
    char want[KINST_PATH_MAX];
    int w = snprintf(want, sizeof want, "%s/bin/x86_64/%s/%s", n->user, n->name, n->version);
    if (w < 0 || (__SIZE_TYPE__)w >= sizeof want || (__SIZE_TYPE__)w >= cap)
        return -1;
    for (const char *line = archives; *line;) {
        const char *end = line;
        while (*end && *end != '\n')
            end++;
        __SIZE_TYPE__ len = (__SIZE_TYPE__)(end - line);
        if (len && line[len - 1] == '\r')
            len--;
        if (len == (__SIZE_TYPE__)w && !memcmp(line, want, len)) {
            memcpy(path, want, (__SIZE_TYPE__)w + 1);
            return 0;
        }
        line = *end ? end + 1 : end;
    }
    return -1;
}
