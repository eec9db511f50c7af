/* SPDX-License-Identifier: MIT */
/* ktls: a bounded DER writer (encoding only, no crypto) for the
 * certificates ktls writes (cert.c).
 *
 * Invariants: nothing is written at or beyond cap; once a write does not
 * fit, bad is set and every later call does nothing, so a caller checks
 * once at the end. Constructed elements nest at most DER_DEPTH deep and
 * hold at most 65535 bytes (three-byte lengths at most). */
#ifndef KTLS_DER_H
#define KTLS_DER_H

#include <stddef.h>

#define DER_DEPTH 8

#define DER_INTEGER      0x02
#define DER_BIT_STRING   0x03
#define DER_OCTET_STRING 0x04
#define DER_OID          0x06
#define DER_UTF8         0x0c
#define DER_UTCTIME      0x17
#define DER_GENTIME      0x18
#define DER_SEQUENCE     0x30
#define DER_SET          0x31
#define DER_BOOLEAN      0x01

struct der {
    unsigned char *p;
    size_t cap, len;
    int bad;
    int depth;
    size_t open[DER_DEPTH]; /* offset of each open element's length byte */
};

void der_init(struct der *d, unsigned char *buf, size_t cap);
/* Raw bytes (an already encoded element). */
void der_raw(struct der *d, const void *data, size_t n);
/* A primitive element: tag, length, content. */
void der_prim(struct der *d, unsigned char tag, const void *data, size_t n);
/* Opens a constructed element (SEQUENCE, SET, [n], or an OCTET/BIT STRING
 * that wraps DER); der_end closes the innermost one and writes its length. */
void der_begin(struct der *d, unsigned char tag);
void der_end(struct der *d);
/* 0 when everything fit and every element was closed. */
int der_ok(const struct der *d);

#endif
