/* SPDX-License-Identifier: MIT */
/* HTTP byte-range header parsing (RFC 9110, section 14).
 *
 * Only a single range is served: "bytes=a-b", "bytes=a-" or "bytes=-n".
 * A header the server does not understand, or one with several ranges, is
 * ignored and the whole representation is sent, as the RFC allows.
 */
#ifndef REG_RANGE_H
#define REG_RANGE_H

#include <stdbool.h>
#include <stdint.h>

/** The range is satisfiable: *off and *len are set. */
#define REG_RANGE_OK 0
/** Ignore the header and send everything with 200. */
#define REG_RANGE_IGNORE 1

/**
 * Parse the Range header hdr (NUL-terminated) for a representation of size
 * bytes. Returns REG_RANGE_OK, REG_RANGE_IGNORE or -ERANGE (reply 416).
 */
int reg_range_parse(const char *hdr, uint64_t size, uint64_t *off, uint64_t *len);

/**
 * Does the If-None-Match header inm (NUL-terminated, or NULL) match etag (a
 * quoted entity tag)? "*" or an exact member of the list (weak comparison).
 */
bool reg_etag_matches(const char *inm, const char *etag);

#endif
