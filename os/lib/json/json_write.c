/* SPDX-License-Identifier: MIT */
/* kide_json writer: a bounded builder of one JSON document; see kide/json.h.
 *
 * States: before the top-level value (depth 0, !done), inside containers
 * (depth 1..KIDE_JSON_WRITER_DEPTH, bit depth-1 of is_object telling which
 * kind), and done. In an object, keys and values alternate (have_key).
 * Invariant: buf[len] == 0 and len < size whenever size > 0; on the first
 * error rc becomes non-zero, later calls do nothing, and finish() clears the
 * buffer so partial output cannot be used.
 */
#include "json_internal.h"

static void set_error(struct kide_json_writer *w, int rc)
{
    if (w->rc == KIDE_JSON_OK)
        w->rc = rc;
}

static void put_bytes(struct kide_json_writer *w, const char *s, size_t n)
{
    if (w->rc)
        return;
    if (w->size == 0 || n > w->size - 1 - w->len) {
        set_error(w, KIDE_JSON_ENOSPC);
        return;
    }
    for (size_t k = 0; k < n; k++)
        w->buf[w->len + k] = s[k];
    w->len += n;
    w->buf[w->len] = 0;
}

static void put_char(struct kide_json_writer *w, char c)
{
    put_bytes(w, &c, 1);
}

static bool in_object(const struct kide_json_writer *w)
{
    return w->depth > 0 && (w->is_object >> (w->depth - 1) & 1);
}

/* Before any value: check the position allows one and place the comma. */
static bool begin_value(struct kide_json_writer *w)
{
    if (w->rc)
        return false;
    if (w->depth == 0) {
        if (w->done) {
            set_error(w, KIDE_JSON_EINVAL); /* a second top-level value */
            return false;
        }
        return true;
    }
    if (in_object(w)) {
        if (!w->have_key) {
            set_error(w, KIDE_JSON_EINVAL); /* a value without its key */
            return false;
        }
        w->have_key = false;
        return true;
    }
    if (w->need_comma)
        put_char(w, ',');
    return w->rc == KIDE_JSON_OK;
}

/* After a complete value. */
static void end_value(struct kide_json_writer *w)
{
    if (w->depth == 0)
        w->done = true;
    else
        w->need_comma = true;
}

void kide_json_writer_init(struct kide_json_writer *w, char *buf, size_t size)
{
    w->buf = buf;
    w->size = buf ? size : 0;
    w->len = 0;
    w->is_object = 0;
    w->depth = 0;
    w->need_comma = w->have_key = w->done = false;
    w->rc = KIDE_JSON_OK;
    if (w->size)
        buf[0] = 0;
    else
        w->rc = KIDE_JSON_ENOSPC;
}

static void begin(struct kide_json_writer *w, bool object)
{
    if (!begin_value(w))
        return;
    if (w->depth >= KIDE_JSON_WRITER_DEPTH) {
        set_error(w, KIDE_JSON_EINVAL);
        return;
    }
    put_char(w, object ? '{' : '[');
    if (object)
        w->is_object |= (u64)1 << w->depth;
    else
        w->is_object &= ~((u64)1 << w->depth);
    w->depth++;
    w->need_comma = false;
}

static void end(struct kide_json_writer *w, bool object)
{
    if (w->rc)
        return;
    if (w->depth == 0 || in_object(w) != object || w->have_key) {
        set_error(w, KIDE_JSON_EINVAL); /* nothing open, wrong kind, or a key without value */
        return;
    }
    put_char(w, object ? '}' : ']');
    w->depth--;
    end_value(w);
}

void kide_json_begin_object(struct kide_json_writer *w)
{
    begin(w, true);
}
void kide_json_end_object(struct kide_json_writer *w)
{
    end(w, true);
}
void kide_json_begin_array(struct kide_json_writer *w)
{
    begin(w, false);
}
void kide_json_end_array(struct kide_json_writer *w)
{
    end(w, false);
}

/* Write byte c of a string body, escaped as JSON requires. */
static void put_escaped(struct kide_json_writer *w, u8 c)
{
    static const char hex[] = "0123456789abcdef";
    char e[6] = {'\\', 0};
    switch (c) {
    case '"':
        e[1] = '"';
        break;
    case '\\':
        e[1] = '\\';
        break;
    case '\b':
        e[1] = 'b';
        break;
    case '\f':
        e[1] = 'f';
        break;
    case '\n':
        e[1] = 'n';
        break;
    case '\r':
        e[1] = 'r';
        break;
    case '\t':
        e[1] = 't';
        break;
    default:
        if (c >= 0x20) {
            put_char(w, (char)c);
            return;
        }
        e[1] = 'u';
        e[2] = e[3] = '0';
        e[4] = hex[c >> 4];
        e[5] = hex[c & 15];
        put_bytes(w, e, 6);
        return;
    }
    put_bytes(w, e, 2);
}

static bool valid_utf8(const char *s, size_t n)
{
    for (size_t k = 0; k < n;) {
        if ((u8)s[k] < 0x80) {
            k++;
            continue;
        }
        size_t m = json_utf8_len((const u8 *)s + k, n - k);
        if (m == 0)
            return false;
        k += m;
    }
    return true;
}

/* A quoted, escaped string; validated before anything is written. */
static void put_string(struct kide_json_writer *w, const char *s, size_t n)
{
    if (!s || !valid_utf8(s, n)) {
        set_error(w, KIDE_JSON_EINVAL);
        return;
    }
    put_char(w, '"');
    for (size_t k = 0; k < n && !w->rc; k++)
        put_escaped(w, (u8)s[k]);
    put_char(w, '"');
}

static size_t cstrlen(const char *s)
{
    size_t n = 0;
    while (s && s[n])
        n++;
    return n;
}

void kide_json_key(struct kide_json_writer *w, const char *key)
{
    if (w->rc)
        return;
    if (!in_object(w) || w->have_key) {
        set_error(w, KIDE_JSON_EINVAL); /* a key outside an object or twice */
        return;
    }
    if (w->need_comma)
        put_char(w, ',');
    put_string(w, key, cstrlen(key));
    put_char(w, ':');
    w->have_key = true;
}

void kide_json_string_n(struct kide_json_writer *w, const char *s, size_t n)
{
    if (!s && n == 0)
        s = "";
    if (!begin_value(w))
        return;
    put_string(w, s, n);
    end_value(w);
}

void kide_json_string(struct kide_json_writer *w, const char *s)
{
    if (!s) {
        set_error(w, KIDE_JSON_EINVAL);
        return;
    }
    kide_json_string_n(w, s, cstrlen(s));
}

/* Decimal digits of v, sign prefixed if neg. */
static void put_decimal(struct kide_json_writer *w, u64 v, bool neg)
{
    char d[21];
    int n = (int)sizeof(d);
    do {
        d[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (neg)
        d[--n] = '-';
    put_bytes(w, d + n, sizeof(d) - (size_t)n);
}

void kide_json_u64(struct kide_json_writer *w, u64 v)
{
    if (!begin_value(w))
        return;
    put_decimal(w, v, false);
    end_value(w);
}

void kide_json_i64(struct kide_json_writer *w, i64 v)
{
    if (!begin_value(w))
        return;
    put_decimal(w, v < 0 ? 0 - (u64)v : (u64)v, v < 0);
    end_value(w);
}

static void literal(struct kide_json_writer *w, const char *word)
{
    if (!begin_value(w))
        return;
    put_bytes(w, word, cstrlen(word));
    end_value(w);
}

void kide_json_bool(struct kide_json_writer *w, bool v)
{
    literal(w, v ? "true" : "false");
}
void kide_json_null(struct kide_json_writer *w)
{
    literal(w, "null");
}

/* Whether s[0..n) is exactly one number of the RFC 8259 grammar. */
static bool number_grammar(const char *s, size_t n)
{
    size_t k = 0;
#define DIGIT(i) ((i) < n && s[i] >= '0' && s[i] <= '9')
    if (k < n && s[k] == '-')
        k++;
    if (!DIGIT(k))
        return false;
    if (s[k] == '0')
        k++;
    else
        while (DIGIT(k))
            k++;
    if (k < n && s[k] == '.') {
        k++;
        if (!DIGIT(k))
            return false;
        while (DIGIT(k))
            k++;
    }
    if (k < n && (s[k] == 'e' || s[k] == 'E')) {
        k++;
        if (k < n && (s[k] == '+' || s[k] == '-'))
            k++;
        if (!DIGIT(k))
            return false;
        while (DIGIT(k))
            k++;
    }
#undef DIGIT
    return k == n;
}

void kide_json_number_text(struct kide_json_writer *w, const char *s, size_t n)
{
    if (w->rc)
        return;
    if (!s || !number_grammar(s, n)) {
        set_error(w, KIDE_JSON_EINVAL);
        return;
    }
    if (!begin_value(w))
        return;
    put_bytes(w, s, n);
    end_value(w);
}

/* Copy string token i unescaped-then-escaped (the parser validated it). */
static void copy_string(struct kide_json_writer *w, const struct kide_json_doc *d, int i)
{
    struct json_sit it;
    json_sit_init(&it, d, i);
    put_char(w, '"');
    for (int c; !w->rc && (c = json_sit_next(&it)) >= 0;)
        put_escaped(w, (u8)c);
    put_char(w, '"');
}

/*
 * Copy the subtree of token i. Iterative: the token array is in document
 * order, so the subtree is tok[i..skip), and an open container ends before
 * the first token at or past its own skip.
 */
void kide_json_value(struct kide_json_writer *w, const struct kide_json_doc *d, int i)
{
    if (w->rc)
        return;
    if (!d || !d->tok || i < 0 || (u32)i >= d->ntok || (d->tok[i].flags & KIDE_JSON_F_KEY)) {
        set_error(w, KIDE_JSON_EINVAL);
        return;
    }
    u32 end_i = d->tok[i].skip;
    u32 open[KIDE_JSON_WRITER_DEPTH]; /* token indexes of the containers copied so far */
    u32 nopen = 0;
    for (u32 k = (u32)i; k < end_i && !w->rc; k++) {
        const struct kide_json_tok *t = &d->tok[k];
        while (nopen > 0 && d->tok[open[nopen - 1]].skip <= k) {
            end(w, d->tok[open[--nopen]].type == KIDE_JSON_OBJECT);
        }
        if (t->flags & KIDE_JSON_F_KEY) {
            if (!in_object(w) || w->have_key) {
                set_error(w, KIDE_JSON_EINVAL);
                break;
            }
            if (w->need_comma)
                put_char(w, ',');
            copy_string(w, d, (int)k);
            put_char(w, ':');
            w->have_key = true;
            continue;
        }
        switch (t->type) {
        case KIDE_JSON_OBJECT:
        case KIDE_JSON_ARRAY:
            if (nopen >= KIDE_JSON_WRITER_DEPTH) {
                set_error(w, KIDE_JSON_EINVAL);
                break;
            }
            begin(w, t->type == KIDE_JSON_OBJECT);
            open[nopen++] = k;
            break;
        case KIDE_JSON_STRING:
            if (begin_value(w)) {
                copy_string(w, d, (int)k);
                end_value(w);
            }
            break;
        case KIDE_JSON_NUMBER:
            kide_json_number_text(w, d->buf + t->start, t->end - t->start);
            break;
        case KIDE_JSON_TRUE:
            kide_json_bool(w, true);
            break;
        case KIDE_JSON_FALSE:
            kide_json_bool(w, false);
            break;
        case KIDE_JSON_NULL:
            kide_json_null(w);
            break;
        default:
            set_error(w, KIDE_JSON_EINVAL);
            break;
        }
    }
    while (nopen > 0 && !w->rc)
        end(w, d->tok[open[--nopen]].type == KIDE_JSON_OBJECT);
}

/* One value with every object's members in key order. Recursion depth is
 * bounded by the writer's own nesting limit (begin() fails past it, and a
 * failed writer returns at once). An object of m members costs O(m^2) key
 * comparisons: selection without a scratch array, so nothing is allocated. */
static void value_sorted(struct kide_json_writer *w, const struct kide_json_doc *d, u32 i)
{
    const struct kide_json_tok *t = &d->tok[i];
    if (t->type == KIDE_JSON_ARRAY) {
        begin(w, false);
        for (u32 k = i + 1; k < t->skip && !w->rc; k = d->tok[k].skip)
            value_sorted(w, d, k);
        end(w, false);
        return;
    }
    if (t->type != KIDE_JSON_OBJECT) {
        kide_json_value(w, d, (int)i);
        return;
    }
    begin(w, true);
    /* Keys are unique (the parser refuses duplicates), so "the smallest key
     * above the last one written" visits each member exactly once. */
    u32 last = 0;
    for (u32 written = 0; !w->rc; written++) {
        u32 best = 0;
        for (u32 k = i + 1; k < t->skip; k = d->tok[k + 1].skip)
            if ((!written || json_key_cmp(d, k, last) > 0) &&
                (!best || json_key_cmp(d, k, best) < 0))
                best = k;
        if (!best)
            break;
        if (w->need_comma)
            put_char(w, ',');
        copy_string(w, d, (int)best);
        put_char(w, ':');
        w->have_key = true;
        value_sorted(w, d, best + 1);
        last = best;
    }
    end(w, true);
}

void kide_json_value_sorted(struct kide_json_writer *w, const struct kide_json_doc *d, int i)
{
    if (w->rc)
        return;
    if (!d || !d->tok || i < 0 || (u32)i >= d->ntok || (d->tok[i].flags & KIDE_JSON_F_KEY)) {
        set_error(w, KIDE_JSON_EINVAL);
        return;
    }
    value_sorted(w, d, (u32)i);
}

long kide_json_writer_finish(struct kide_json_writer *w)
{
    if (w->rc == KIDE_JSON_OK && (w->depth != 0 || !w->done))
        w->rc = KIDE_JSON_EINVAL; /* unbalanced or empty */
    if (w->rc) {
        if (w->size)
            w->buf[0] = 0;
        return w->rc;
    }
    return (long)w->len;
}

void kide_json_member_u64(struct kide_json_writer *w, const char *key, u64 v)
{
    kide_json_key(w, key);
    kide_json_u64(w, v);
}

void kide_json_member_string(struct kide_json_writer *w, const char *key, const char *s)
{
    kide_json_key(w, key);
    kide_json_string(w, s);
}

void kide_json_member_bool(struct kide_json_writer *w, const char *key, bool v)
{
    kide_json_key(w, key);
    kide_json_bool(w, v);
}

void kide_json_member_object(struct kide_json_writer *w, const char *key)
{
    kide_json_key(w, key);
    kide_json_begin_object(w);
}
