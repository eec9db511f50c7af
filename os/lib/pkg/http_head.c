/* SPDX-License-Identifier: MIT */
/* The HTTP/1.1 response head of a registry fetch, checked; see
 * kide/pkg_fetch.h. Pure: no allocation, reads only buf[0..len). */
#include <kide/base.h>
#include "kide/pkg_fetch.h"

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Whether line[0..n) starts with header name `name` (lowercase) and a colon. */
static int is_header(const char *line, kide_u64 n, const char *name)
{
    kide_u64 k = strlen(name);
    if (n <= k || line[k] != ':')
        return 0;
    for (kide_u64 i = 0; i < k; i++)
        if (lower(line[i]) != name[i])
            return 0;
    return 1;
}

/* The value of a Content-Length line: digits between optional blanks, no
 * overflow. -1 when malformed. */
static int parse_length(const char *v, kide_u64 n, kide_u64 *out)
{
    kide_u64 i = 0, x = 0, digits = 0;
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    for (; i < n && v[i] >= '0' && v[i] <= '9'; i++, digits++) {
        if (x > (~0ull - 9) / 10)
            return -1;
        x = x * 10 + (kide_u64)(v[i] - '0');
    }
    while (i < n && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (!digits || i != n)
        return -1;
    *out = x;
    return 0;
}

/* The end of the head: the index after "\r\n\r\n" in buf[0..len), or 0. */
static kide_u64 head_end(const char *buf, kide_u64 len)
{
    for (kide_u64 i = 0; i + 3 < len; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return i + 4;
    return 0;
}

static int refuse(char *err, kide_u64 size, const char *why)
{
    snprintf(err, size, "%s", why);
    return -1;
}

/* The status line buf[0..n): "HTTP/1.x DDD" then a space or its end. */
static int status_line(const char *buf, kide_u64 n, unsigned *status)
{
    if (n < 12 || memcmp(buf, "HTTP/1.", 7) || (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ')
        return -1;
    unsigned s = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return -1;
        s = s * 10 + (unsigned)(buf[i] - '0');
    }
    if (n > 12 && buf[12] != ' ')
        return -1;
    *status = s;
    return 0;
}

int pkg_http_head_parse(const char *buf, kide_u64 len, kide_u64 max_body, struct pkg_http_head *h,
                        char *err, kide_u64 errsize)
{
    kide_u64 scan = len < PKG_HTTP_HEAD_MAX ? len : PKG_HTTP_HEAD_MAX;
    kide_u64 end = head_end(buf, scan);
    memset(h, 0, sizeof(*h));
    if (!end)
        return len >= PKG_HTTP_HEAD_MAX
                       ? refuse(err, errsize, "the response head is longer than 8192 bytes")
                       : 0;
    int have_length = 0;
    kide_u64 pos = 0, length = 0;
    for (unsigned line = 0; pos < end - 2; line++) {
        kide_u64 n = 0;
        while (buf[pos + n] != '\r' || buf[pos + n + 1] != '\n')
            n++; /* stops at the blank line's CR at the latest */
        const char *l = buf + pos;
        for (kide_u64 i = 0; i < n; i++)
            if ((unsigned char)l[i] < 0x20 && l[i] != '\t')
                return refuse(err, errsize, "a control byte in the response head");
        if (line == 0) {
            if (status_line(l, n, &h->status))
                return refuse(err, errsize, "not an HTTP/1.x status line");
        } else if (!n || l[0] == ' ' || l[0] == '\t') {
            return refuse(err, errsize, "a folded or empty header line");
        } else if (is_header(l, n, "transfer-encoding")) {
            return refuse(err, errsize,
                          "Transfer-Encoding is not supported: the registry must send "
                          "Content-Length");
        } else if (is_header(l, n, "content-length")) {
            kide_u64 v;
            if (parse_length(l + 15, n - 15, &v) || (have_length && v != length))
                return refuse(err, errsize, "a malformed or repeated Content-Length");
            length = v, have_length = 1;
        }
        pos += n + 2;
    }
    if (h->status >= 300 && h->status < 400) {
        snprintf(err, errsize, "redirect (status %u) refused: configure the registry's own address",
                 h->status);
        return -1;
    }
    if (h->status != 200) {
        snprintf(err, errsize, "status %u%s", h->status,
                 h->status == 404 ? ": not published (or not visible) in the registry" : "");
        return -1;
    }
    if (!have_length)
        return refuse(err, errsize, "no Content-Length in the response");
    if (length > max_body) {
        snprintf(err, errsize, "%lu bytes, more than the %lu allowed", length, max_body);
        return -1;
    }
    h->content_length = length;
    h->head_len = end;
    return 1;
}
