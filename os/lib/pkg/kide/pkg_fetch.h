/* SPDX-License-Identifier: MIT */
/* Fetching a package from a kide-registry over HTTP/1.1 (docs/registry.md:
 * GET /<user>/<type>/<name>/<version>.tar.xz and .tar.xz.sig), over the
 * socket session (os/lib/socket). Deliberately small: one GET per
 * connection (Connection: close), a response head of at most
 * PKG_HTTP_HEAD_MAX bytes, status 200 only (redirects are refused: the
 * archive's signature, not the URL, says whose it is, and a redirect could
 * send the fetch anywhere), Content-Length required and bounded by the
 * caller (no chunked transfer), a deadline over the whole exchange. The
 * bytes are not trusted here: depot_verify does that.
 */
#ifndef KIDE_PKG_FETCH_H
#define KIDE_PKG_FETCH_H

#include <kide/pkg.h>
#include <kide/socket_client.h>

#define PKG_HTTP_HEAD_MAX 8192u /**< bytes of status line and headers */
#define PKG_HTTP_PATH_MAX 512u
#define PKG_HTTP_ERR_MAX  160u

struct pkg_http_head {
    unsigned status;         /**< 200 when parsed */
    kide_u64 content_length; /**< <= the caller's max_body */
    kide_u64 head_len;       /**< bytes up to and including the blank line */
};

/** Parse a response head at the start of buf[0..len) (pure; the fuzzer's
 *  target). -> 1: complete and acceptable, *h filled; 0: more bytes needed
 *  (len < PKG_HTTP_HEAD_MAX and no blank line yet); -1: refused, err says why
 *  and what to do (status not 200, a redirect, no or a malformed or too big
 *  Content-Length, Transfer-Encoding, a malformed line, a head too long). */
int pkg_http_head_parse(const char *buf, kide_u64 len, kide_u64 max_body, struct pkg_http_head *h,
                        char *err, kide_u64 errsize);

struct pkg_http_req {
    kide_u32 ip; /**< the registry's IPv4 address, host order (10.0.2.2 under QEMU) */
    kide_u16 port;
    const char *host; /**< for the Host header, e.g. "10.0.2.2:17600" */
    const char *path; /**< "/alice/bin/x86_64/hello/1.0.tar.xz"; '/' then printable, no space */
    kide_u64 timeout_ms;
};

/** GET req->path into buf: on KIDE_OK the body is buf[0..*len), at most
 *  max_body bytes; buf must hold max_body + PKG_HTTP_HEAD_MAX bytes (head and
 *  body arrive together). sm is the session's notify semaphore (kide_sock_open).
 *  -> KIDE_OK | KIDE_BAD_PARAM (a request field, or the response refused) |
 *  KIDE_TIMEOUT | KIDE_NOT_FOUND (status 404) | KIDE_ABORTED (connection failed
 *  or closed early) | a socket call's status; err says what happened. */
int pkg_http_get(struct kide_sock_client *c, kide_sel sm, const struct pkg_http_req *req,
                 kide_u64 max_body, void *buf, kide_u64 cap, kide_u64 *len, char *err,
                 kide_u64 errsize);

#endif
