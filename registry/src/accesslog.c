/* SPDX-License-Identifier: MIT */
/* The structured access log: one JSON object per request and line.
 *
 * Fields: ts (UTC, ISO 8601 with milliseconds), client, method, path,
 * status, bytes (response body), ms (duration) and user (authenticated
 * publisher, or null). Each line is built in a stack buffer and written with
 * a single write() on an O_APPEND descriptor, so concurrent lines never
 * interleave. The path is escaped: it came from the client.
 */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "server.h"

/* Append s to out as JSON string contents; returns the new length. */
static size_t escape(char *out, size_t at, size_t cap, const char *s)
{
    for (; *s && at + 7 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            out[at++] = '\\';
            out[at++] = (char)ch;
        } else if (ch < 0x20 || ch >= 0x7f) {
            at += (size_t)snprintf(out + at, cap - at, "\\u%04x", ch);
        } else {
            out[at++] = (char)ch;
        }
    }
    return at;
}

void reg_access_log(int fd, const struct reg_req *r)
{
    char line[1024], ts[32];
    struct timeval tv;
    struct tm tm;
    if (fd < 0)
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
    size_t n = (size_t)snprintf(line, sizeof(line),
                                "{\"ts\":\"%s.%03ldZ\",\"client\":\"%s\",\"method\":\"", ts,
                                (long)(tv.tv_usec / 1000), r->client);
    n = escape(line, n, sizeof(line) - 200, r->method);
    n += (size_t)snprintf(line + n, sizeof(line) - n, "\",\"path\":\"");
    n = escape(line, n, sizeof(line) - 200, r->url);
    n += (size_t)snprintf(line + n, sizeof(line) - n,
                          "\",\"status\":%u,\"bytes\":%llu,\"ms\":%.3f,\"user\":%s%s%s}\n",
                          r->status, (unsigned long long)r->bytes, reg_req_elapsed(r) * 1000.0,
                          r->user[0] ? "\"" : "", r->user[0] ? r->user : "null",
                          r->user[0] ? "\"" : "");
    if (n > sizeof(line))
        n = sizeof(line);
    ssize_t w = write(fd, line, n);
    (void)w; /* a full disk must not take the server down; the line is lost */
}
