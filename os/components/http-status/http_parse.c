/* SPDX-License-Identifier: MIT */
/* http_parse: the bounded parser of one HTTP/1.x request head (http_parse.h).
 *
 * Two passes over at most HTTP_HEAD_MAX bytes: find the empty line that
 * ends the head (CRLF CRLF), then walk the request line and every header
 * field line by line, each check against an end pointer that never passes
 * the head. Grammar (RFC 9112, narrowed): method = 1..16 upper-case
 * letters; target = 1..HTTP_PATH_MAX-1 visible bytes starting with '/';
 * version = "HTTP/1.0" or "HTTP/1.1"; field = token ":" OWS value OWS
 * with value bytes visible, SP or HTAB; no line folding, no bare LF, no
 * NUL. Cost: O(head) time, no memory beyond *req.
 */
#include "http_parse.h"

#define METHOD_MAX 16

/* RFC 9110 tchar. */
static int tchar(kide_u8 c)
{
    if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
        return 1;
    for (const char *p = "!#$%&'*+-.^_`|~"; *p; p++)
        if (c == (kide_u8)*p)
            return 1;
    return 0;
}

static kide_u8 lower(kide_u8 c)
{
    return c >= 'A' && c <= 'Z' ? (kide_u8)(c + 32) : c;
}

/* 1 if [p, e) equals the lower-case word W ignoring case. */
static int ieq(const kide_u8 *p, const kide_u8 *e, const char *w)
{
    for (; p < e && *w; p++, w++)
        if (lower(*p) != (kide_u8)*w)
            return 0;
    return p == e && !*w;
}

/* The end of the head (just past CRLF CRLF) in BUF, or 0. */
static kide_u64 head_end(const kide_u8 *buf, kide_u64 len)
{
    for (kide_u64 i = 3; i < len; i++)
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* The end of the line starting at P (the CR of its CRLF), or 0 if the line
 * holds a bare CR, a bare LF or a NUL. The head ends in CRLF, so one is found. */
static const kide_u8 *line_end(const kide_u8 *p, const kide_u8 *e)
{
    for (; p + 1 < e; p++) {
        if (*p == '\r')
            return p[1] == '\n' ? p : 0;
        if (*p == '\n' || *p == 0)
            return 0;
    }
    return 0;
}

static int request_line(const kide_u8 *p, const kide_u8 *e, struct http_req *req)
{
    const kide_u8 *m = p;
    while (p < e && *p >= 'A' && *p <= 'Z' && p - m < METHOD_MAX)
        p++;
    if (p == m || p == e || *p != ' ')
        return -1;
    /* The method holds only upper-case letters, so ieq compares exactly. */
    req->method = ieq(m, p, "get") ? HTTP_GET : ieq(m, p, "head") ? HTTP_HEAD : HTTP_OTHER;
    p++;
    if (p == e || *p != '/')
        return -1;
    kide_u32 n = 0;
    int query = 0;
    for (; p<e && * p> 0x20 && *p < 0x7f; p++) {
        if (*p == '?' || *p == '#')
            query = 1;
        if (!query) {
            if (n + 1 >= HTTP_PATH_MAX)
                return -1;
            req->path[n++] = (char)*p;
        }
    }
    req->path[n] = 0;
    if (e - p != 9 || p[0] != ' ')
        return -1;
    const char *v = " HTTP/1.";
    for (int i = 0; i < 8; i++)
        if (p[i] != (kide_u8)v[i])
            return -1;
    if (p[8] != '0' && p[8] != '1')
        return -1;
    req->minor = p[8] - '0';
    req->keep_alive = req->minor == 1;
    return 0;
}

/* Apply a Connection value: a comma-separated list of tokens. */
static void connection(const kide_u8 *p, const kide_u8 *e, struct http_req *req)
{
    while (p < e) {
        while (p < e && (*p == ' ' || *p == '\t' || *p == ','))
            p++;
        const kide_u8 *t = p;
        while (p < e && *p != ',' && *p != ' ' && *p != '\t')
            p++;
        if (ieq(t, p, "close"))
            req->keep_alive = 0;
        else if (ieq(t, p, "keep-alive") && req->minor == 0)
            req->keep_alive = 1;
    }
}

static int field(const kide_u8 *p, const kide_u8 *e, struct http_req *req)
{
    const kide_u8 *n = p;
    while (p < e && tchar(*p))
        p++;
    if (p == n || p == e || *p != ':')
        return -1;
    const kide_u8 *ne = p++;
    while (p < e && (*p == ' ' || *p == '\t'))
        p++;
    const kide_u8 *v = p;
    for (; p < e; p++)
        if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            return -1;
    while (p > v && (p[-1] == ' ' || p[-1] == '\t'))
        p--;
    if (ieq(n, ne, "connection"))
        connection(v, p, req);
    else if (ieq(n, ne, "transfer-encoding"))
        return -1; /* a body we do not read */
    else if (ieq(n, ne, "content-length")) {
        if (v == p)
            return -1;
        for (const kide_u8 *q = v; q < p; q++)
            if (*q != '0')
                return -1; /* a body we do not read, or not a number */
    }
    return 0;
}

enum http_parse_result http_parse(const kide_u8 *buf, kide_u64 len, struct http_req *req)
{
    kide_u64 scan = len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX;
    kide_u64 end = head_end(buf, scan);
    if (!end)
        return len >= HTTP_HEAD_MAX ? HTTP_PARSE_TOO_LARGE : HTTP_PARSE_INCOMPLETE;
    const kide_u8 *p = buf, *e = buf + end;
    const kide_u8 *le = line_end(p, e);
    if (!le || request_line(p, le, req) != 0)
        return HTTP_PARSE_BAD;
    /* Invariant: p < e on every turn; the last line is the empty one. */
    for (p = le + 2; p < e - 2; p = le + 2) {
        le = line_end(p, e);
        if (!le || le == p || field(p, le, req) != 0)
            return HTTP_PARSE_BAD;
    }
    req->head_len = (kide_u32)end;
    return HTTP_PARSE_OK;
}
