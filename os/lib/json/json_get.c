/* SPDX-License-Identifier: MIT */
/* kide_json accessors: lookup, iteration, typed values; see kide/json.h.
 *
 * All accessors work on a document kide_json_parse() accepted and check the
 * token index they are given, so a stale or wrong index yields an error or
 * -1, never an out-of-bounds read. Strings are unescaped on the fly by
 * json_sit, so comparing a key costs no copy and no buffer.
 */
#include "json_internal.h"

static const struct kide_json_tok *tok(const struct kide_json_doc *d, int i)
{
    if (!d || !d->tok || i < 0 || (u32)i >= d->ntok)
        return NULL;
    return &d->tok[i];
}

void json_sit_init(struct json_sit *it, const struct kide_json_doc *d, int i)
{
    const struct kide_json_tok *t = &d->tok[i];
    it->s = d->buf;
    it->pos = t->start;
    it->end = t->end;
    it->npend = it->ipend = 0;
}

/* Four hex digits at s[at..]; the parser validated them. */
static u32 hex4_at(const struct json_sit *it, u32 at)
{
    u32 v = 0;
    for (u32 k = 0; k < 4 && at + k < it->end; k++)
        v = v * 16 + (u32)json_hex(it->s[at + k]);
    return v;
}

/* Decode the escape at pos into pend. */
static void decode_escape(struct json_sit *it)
{
    char c = it->pos + 1 < it->end ? it->s[it->pos + 1] : 0;
    u32 cp;
    it->pos += 2;
    switch (c) {
    case 'b':
        cp = '\b';
        break;
    case 'f':
        cp = '\f';
        break;
    case 'n':
        cp = '\n';
        break;
    case 'r':
        cp = '\r';
        break;
    case 't':
        cp = '\t';
        break;
    case 'u':
        cp = hex4_at(it, it->pos);
        it->pos += 4;
        if (cp >= 0xd800 && cp <= 0xdbff && it->pos + 6 <= it->end) {
            u32 lo = hex4_at(it, it->pos + 2);
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            it->pos += 6;
        }
        break;
    default:
        cp = (u8)c;
        break; /* '"', '\\', '/' */
    }
    it->ipend = 0;
    if (cp < 0x80) {
        it->pend[0] = (u8)cp;
        it->npend = 1;
    } else if (cp < 0x800) {
        it->pend[0] = (u8)(0xc0 | cp >> 6);
        it->pend[1] = (u8)(0x80 | (cp & 0x3f));
        it->npend = 2;
    } else if (cp < 0x10000) {
        it->pend[0] = (u8)(0xe0 | cp >> 12);
        it->pend[1] = (u8)(0x80 | ((cp >> 6) & 0x3f));
        it->pend[2] = (u8)(0x80 | (cp & 0x3f));
        it->npend = 3;
    } else {
        it->pend[0] = (u8)(0xf0 | cp >> 18);
        it->pend[1] = (u8)(0x80 | ((cp >> 12) & 0x3f));
        it->pend[2] = (u8)(0x80 | ((cp >> 6) & 0x3f));
        it->pend[3] = (u8)(0x80 | (cp & 0x3f));
        it->npend = 4;
    }
}

int json_sit_next(struct json_sit *it)
{
    if (it->ipend < it->npend)
        return it->pend[it->ipend++];
    if (it->pos >= it->end)
        return -1;
    if (it->s[it->pos] != '\\')
        return (u8)it->s[it->pos++];
    decode_escape(it);
    return it->pend[it->ipend++];
}

int json_key_cmp(const struct kide_json_doc *d, u32 a, u32 b)
{
    struct json_sit ia, ib;
    json_sit_init(&ia, d, (int)a);
    json_sit_init(&ib, d, (int)b);
    for (;;) {
        int ca = json_sit_next(&ia), cb = json_sit_next(&ib);
        if (ca != cb)
            return ca < cb ? -1 : 1; /* -1 (the end) sorts before every byte */
        if (ca < 0)
            return 0;
    }
}

int kide_json_type(const struct kide_json_doc *d, int i)
{
    const struct kide_json_tok *t = tok(d, i);
    return t ? t->type : KIDE_JSON_NONE;
}

bool kide_json_str_eq(const struct kide_json_doc *d, int i, const char *s)
{
    const struct kide_json_tok *t = tok(d, i);
    if (!t || t->type != KIDE_JSON_STRING || !s)
        return false;
    struct json_sit it;
    json_sit_init(&it, d, i);
    for (;; s++) {
        int c = json_sit_next(&it);
        if (c < 0)
            return *s == 0;
        if (*s == 0 || c != (u8)*s)
            return false;
    }
}

int kide_json_first(const struct kide_json_doc *d, int i)
{
    const struct kide_json_tok *t = tok(d, i);
    if (!t || (t->type != KIDE_JSON_OBJECT && t->type != KIDE_JSON_ARRAY) || t->count == 0)
        return -1;
    return i + 1;
}

int kide_json_next(const struct kide_json_doc *d, int i)
{
    const struct kide_json_tok *t = tok(d, i);
    if (!t || t->parent == KIDE_JSON_NO_PARENT)
        return -1;
    u32 j = t->skip;
    if (t->flags & KIDE_JSON_F_KEY) {
        const struct kide_json_tok *v = tok(d, i + 1);
        if (!v)
            return -1; /* defensive: a key is always followed by its value */
        j = v->skip;
    }
    if (j >= d->ntok || d->tok[j].parent != t->parent)
        return -1;
    return (int)j;
}

int kide_json_find(const struct kide_json_doc *d, int obj, const char *key)
{
    const struct kide_json_tok *t = tok(d, obj);
    if (!t || !key)
        return KIDE_JSON_EINVAL;
    if (t->type != KIDE_JSON_OBJECT)
        return KIDE_JSON_ETYPE;
    for (int k = kide_json_first(d, obj); k >= 0; k = kide_json_next(d, k))
        if (kide_json_str_eq(d, k, key))
            return k + 1;
    return KIDE_JSON_ENOENT;
}

/* Magnitude of integer token t in *mag, sign in *neg; ERANGE beyond 2^64-1. */
static int integer(const struct kide_json_doc *d, int i, u64 *mag, bool *neg)
{
    const struct kide_json_tok *t = tok(d, i);
    if (!t)
        return KIDE_JSON_EINVAL;
    if (t->type != KIDE_JSON_NUMBER)
        return KIDE_JSON_ETYPE;
    if (!(t->flags & KIDE_JSON_F_INTEGER))
        return KIDE_JSON_ERANGE;
    u32 at = t->start;
    *neg = d->buf[at] == '-';
    if (*neg)
        at++;
    u64 v = 0;
    for (; at < t->end; at++) {
        u64 digit = (u64)(d->buf[at] - '0');
        if (v > (~(u64)0 - digit) / 10)
            return KIDE_JSON_ERANGE;
        v = v * 10 + digit;
    }
    *mag = v;
    return KIDE_JSON_OK;
}

int kide_json_get_i64(const struct kide_json_doc *d, int i, i64 *out)
{
    u64 mag;
    bool neg;
    int rc = integer(d, i, &mag, &neg);
    if (rc)
        return rc;
    const u64 lim = (u64)1 << 63; /* |INT64_MIN| */
    if (mag > lim || (!neg && mag == lim))
        return KIDE_JSON_ERANGE;
    *out = neg ? (i64)(0 - mag) : (i64)mag;
    return KIDE_JSON_OK;
}

int kide_json_get_u64(const struct kide_json_doc *d, int i, u64 *out)
{
    u64 mag;
    bool neg;
    int rc = integer(d, i, &mag, &neg);
    if (rc)
        return rc;
    if (neg && mag != 0)
        return KIDE_JSON_ERANGE;
    *out = mag;
    return KIDE_JSON_OK;
}

int kide_json_get_bool(const struct kide_json_doc *d, int i, bool *out)
{
    const struct kide_json_tok *t = tok(d, i);
    if (!t)
        return KIDE_JSON_EINVAL;
    if (t->type != KIDE_JSON_TRUE && t->type != KIDE_JSON_FALSE)
        return KIDE_JSON_ETYPE;
    *out = t->type == KIDE_JSON_TRUE;
    return KIDE_JSON_OK;
}

int kide_json_get_string(const struct kide_json_doc *d, int i, char *out, size_t size)
{
    const struct kide_json_tok *t = tok(d, i);
    if (!t || (!out && size))
        return KIDE_JSON_EINVAL;
    if (t->type != KIDE_JSON_STRING)
        return KIDE_JSON_ETYPE;
    struct json_sit it;
    json_sit_init(&it, d, i);
    size_t n = 0;
    for (int c; (c = json_sit_next(&it)) >= 0; n++) {
        if (n + 1 >= size || n >= 0x7ffffffe) {
            if (size)
                out[0] = 0;
            return KIDE_JSON_ENOSPC;
        }
        out[n] = (char)c;
    }
    if (size == 0)
        return KIDE_JSON_ENOSPC;
    out[n] = 0;
    return (int)n;
}
