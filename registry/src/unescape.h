/* SPDX-License-Identifier: MIT */
/* Strict percent-decoding of request paths and query arguments.
 *
 * libmicrohttpd's own decoder turns %00 into a NUL that silently ends the
 * string, so "/a/src/n/1.tar.xz%00.evil" was served as "/a/src/n/1.tar.xz"
 * (issue 12, point 3). This decoder is installed as its unescape callback
 * instead. It decodes nothing unless the whole string decodes cleanly: a
 * malformed escape, one that would produce a control character (0x00-0x1f,
 * 0x7f), or a raw control character leaves the string exactly as received. Every
 * path and argument validator rejects '%' (and control characters), so such a
 * request is refused with 400, and the access log shows what was sent.
 */
#ifndef REG_UNESCAPE_H
#define REG_UNESCAPE_H

#include <stddef.h>

/**
 * Decode s (NUL-terminated) in place, all or nothing (see above). Returns
 * the new length; the result never holds a NUL before that length.
 */
size_t reg_url_unescape(char *s);

#endif
