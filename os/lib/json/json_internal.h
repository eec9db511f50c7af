/* SPDX-License-Identifier: MIT */
/* kide_json library-internal helpers: UTF-8 checks and the unescaping iterator.
 *
 * Shared by the parser (validation), the accessors (unescaping, key
 * comparison) and the writer (validating what it escapes). Nothing here is
 * part of the public API; names carry the `json_` prefix.
 */
#ifndef KIDE_JSON_INTERNAL_H
#define KIDE_JSON_INTERNAL_H

#include <kide/json.h>
#include <stdbool.h>
#include <stddef.h>

typedef kide_u8 u8;
typedef kide_u32 u32;
typedef kide_u64 u64;
typedef kide_i64 i64;

/*
 * Length of the valid UTF-8 sequence at s[0..avail) (2..4; s[0] >= 0x80),
 * or 0 if it is invalid: a stray continuation byte, an overlong form, an
 * encoded surrogate, a value above U+10FFFF, or a sequence cut off by avail.
 */
static inline size_t json_utf8_len(const u8 *s, size_t avail)
{
    u8 c = s[0];
    size_t n;
    u8 lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf) {
        n = 2;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        if (c == 0xed)
            hi = 0x9f; /* surrogates U+D800..U+DFFF */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else {
        return 0;
    }
    if (avail < n || s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    return n;
}

/* Value of hex digit c, or -1. */
static inline int json_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Iterator over the unescaped UTF-8 bytes of a string token.
 * Invariant: the token was validated by the parser, so escapes are complete
 * and surrogates paired; the iterator still never reads past `end`.
 */
struct json_sit {
    const char *s; /* document buffer */
    u32 pos;       /* next byte to read */
    u32 end;       /* closing quote */
    u8 pend[4];    /* bytes of a decoded escape not yet returned */
    u8 npend;      /* how many */
    u8 ipend;      /* next to return */
};

void json_sit_init(struct json_sit *it, const struct kide_json_doc *doc, int i);
/* Next unescaped byte (0..255), or -1 at the end of the string. */
int json_sit_next(struct json_sit *it);

/* Order of the string tokens a and b by their unescaped bytes: -1, 0 or 1. */
int json_key_cmp(const struct kide_json_doc *d, u32 a, u32 b);

#endif
