/* SPDX-License-Identifier: MIT */
/* http_parse: a bounded parser of one HTTP/1.x request head.
 *
 * The parser sees the bytes received so far on a connection and says
 * whether they hold a complete request head (request line, header fields,
 * empty line), and if so what it asks for. It keeps no state between
 * calls: the caller calls it again with more bytes. It reads at most
 * HTTP_HEAD_MAX bytes, copies at most HTTP_PATH_MAX - 1 bytes of target,
 * never allocates and never writes outside *req. Requests with a body
 * (Content-Length other than 0, any Transfer-Encoding) are refused as
 * malformed: the server serves only GET and HEAD.
 * Invariant: every result other than HTTP_PARSE_OK leaves *req unspecified.
 */
#ifndef HTTP_PARSE_H
#define HTTP_PARSE_H

#include <kide/types.h>

#define HTTP_HEAD_MAX 4096 /* the largest request head served (bigger: 431) */
#define HTTP_PATH_MAX 256  /* the longest target kept, with its NUL (longer: 414 as 400) */

/** What a request head turned out to be. */
enum http_parse_result {
    HTTP_PARSE_OK,         /**< a complete head: *req is filled */
    HTTP_PARSE_INCOMPLETE, /**< no empty line yet and under HTTP_HEAD_MAX: read more */
    HTTP_PARSE_BAD,        /**< malformed: answer 400 and close */
    HTTP_PARSE_TOO_LARGE,  /**< the head exceeds HTTP_HEAD_MAX: answer 431 and close */
};

/** The methods told apart. */
enum http_method {
    HTTP_GET,   /**< GET */
    HTTP_HEAD,  /**< HEAD: as GET without the body */
    HTTP_OTHER, /**< any other well-formed method token (answered 405) */
};

/** A parsed request head. */
struct http_req {
    enum http_method method;  /**< the method */
    char path[HTTP_PATH_MAX]; /**< the target up to '?', NUL-terminated */
    kide_u32 head_len;        /**< bytes of the head, empty line included */
    int minor;                /**< 0 for HTTP/1.0, 1 for HTTP/1.1 */
    int keep_alive;           /**< 1 if the connection stays open after the answer */
};

/** Parse the head at the start of BUF (LEN bytes received so far). */
enum http_parse_result http_parse(const kide_u8 *buf, kide_u64 len, struct http_req *req);

#endif
