/* SPDX-License-Identifier: MIT */
/* ktls: the bounded DER writer (der.h). A constructed element is written
 * with a one-byte length placeholder; der_end moves its content up when
 * the real length needs more bytes. */
#include "der.h"

#include <string.h>

#define DER_MAX_ELEMENT 65535

void der_init(struct der *d, unsigned char *buf, size_t cap)
{
    d->p = buf;
    d->cap = cap;
    d->len = 0;
    d->bad = 0;
    d->depth = 0;
}

static int room(struct der *d, size_t n)
{
    if (d->bad || n > d->cap - d->len) {
        d->bad = 1;
        return 0;
    }
    return 1;
}

void der_raw(struct der *d, const void *data, size_t n)
{
    if (!room(d, n))
        return;
    memcpy(d->p + d->len, data, n);
    d->len += n;
}

static size_t len_bytes(size_t n)
{
    return n < 0x80 ? 1 : n < 0x100 ? 2 : 3;
}

static void put_len(unsigned char *at, size_t n)
{
    if (n < 0x80) {
        at[0] = (unsigned char)n;
    } else if (n < 0x100) {
        at[0] = 0x81;
        at[1] = (unsigned char)n;
    } else {
        at[0] = 0x82;
        at[1] = (unsigned char)(n >> 8);
        at[2] = (unsigned char)n;
    }
}

void der_prim(struct der *d, unsigned char tag, const void *data, size_t n)
{
    if (n > DER_MAX_ELEMENT) {
        d->bad = 1;
        return;
    }
    if (!room(d, 1 + len_bytes(n) + n))
        return;
    d->p[d->len++] = tag;
    put_len(d->p + d->len, n);
    d->len += len_bytes(n);
    if (n)
        memcpy(d->p + d->len, data, n);
    d->len += n;
}

void der_begin(struct der *d, unsigned char tag)
{
    if (d->depth >= DER_DEPTH) {
        d->bad = 1;
        return;
    }
    if (!room(d, 2))
        return;
    d->p[d->len++] = tag;
    d->open[d->depth++] = d->len;
    d->p[d->len++] = 0;
}

void der_end(struct der *d)
{
    if (d->bad)
        return;
    if (d->depth == 0) {
        d->bad = 1;
        return;
    }
    size_t at = d->open[--d->depth];
    size_t n = d->len - at - 1;
    size_t lb = len_bytes(n);
    if (n > DER_MAX_ELEMENT) { /* its length has no form here: never left as 0 */
        d->bad = 1;
        return;
    }
    if (!room(d, lb - 1))
        return;
    if (lb > 1)
        memmove(d->p + at + lb, d->p + at + 1, n);
    put_len(d->p + at, n);
    d->len += lb - 1;
}

int der_ok(const struct der *d)
{
    return !d->bad && d->depth == 0 ? 0 : -1;
}
