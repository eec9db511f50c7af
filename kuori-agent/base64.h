/* SPDX-License-Identifier: MIT */
/* base64.h: RFC 4648 base64 with padding (an encoding, not crypto), for the
 * DER blobs of enrol. Strict: no whitespace, no missing or extra padding. */
#ifndef KAGENT_BASE64_H
#define KAGENT_BASE64_H

#include <kide/types.h>

/** Encode n bytes into out (cap bytes, NUL-terminated). Length, or -1 if it does not fit. */
long kb64_encode(const kide_u8 *in, __SIZE_TYPE__ n, char *out, __SIZE_TYPE__ cap);
/** Decode the NUL-terminated in into out (cap bytes). Length, or -1 if malformed or too long. */
long kb64_decode(const char *in, kide_u8 *out, __SIZE_TYPE__ cap);

#endif
