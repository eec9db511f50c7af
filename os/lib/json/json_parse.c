/* SPDX-License-Identifier: MIT */
/* kide_json parser: strict RFC 8259 into a flat token array; see kide/json.h.
 *
 * The parser is a loop over a small state machine, not a recursive descent:
 * the open container is `cur` and closing it returns to tok[cur].parent, so
 * nesting costs no stack and depth is bounded by a counter. Each byte is
 * looked at a bounded number of times, except for duplicate-key detection,
 * which compares a new key with the earlier keys of its object (O(members^2)
 * per object, bounded by the token array).
 *
 * Invariant: `pos <= len` always; every read of s[pos] is guarded by a check
 * of `pos < len`.
 */
#include "json_internal.h"

enum state {
    S_VALUE,     /* a value is due */
    S_OBJ_FIRST, /* after '{': a key or '}' */
    S_OBJ_KEY,   /* after ',' in an object: a key */
    S_ARR_FIRST, /* after '[': a value or ']' */
    S_AFTER,     /* a value is complete: ',' or the container's end, or end of input */
};

struct parser {
    const char *s;
    u32 len;
    u32 pos;
    struct kide_json_tok *t;
    u32 n;     /* tokens in use */
    u32 cap;   /* size of t */
    u32 cur;   /* open container, KIDE_JSON_NO_PARENT at top level */
    u32 depth; /* open containers */
    u32 max_depth;
    u32 max_string;
    struct kide_json_error *err;
};

/* Record an error at offset off and return its code. */
static int fail(struct parser *p, int code, u32 off, const char *msg)
{
    if (p->err) {
        u32 line = 1, col = 1;
        for (u32 k = 0; k < off && k < p->len; k++) {
            if (p->s[k] == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
        p->err->code = code;
        p->err->offset = off;
        p->err->line = line;
        p->err->column = col;
        p->err->msg = msg;
    }
    return code;
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len) {
        char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
            break;
        p->pos++;
    }
}

/* A new token of the given type at the current position, child of cur. */
static int new_tok(struct parser *p, int type, u32 *idx)
{
    if (p->n >= p->cap)
        return fail(p, KIDE_JSON_ETOKENS, p->pos, "too many values for the token array");
    struct kide_json_tok *t = &p->t[p->n];
    t->type = (u8)type;
    t->flags = 0;
    t->depth = (kide_u16)p->depth;
    t->start = p->pos;
    t->end = p->pos;
    t->count = 0;
    t->skip = p->n + 1;
    t->parent = p->cur;
    *idx = p->n++;
    return KIDE_JSON_OK;
}

/* Read 4 hex digits at s[at..]; -1 if missing or malformed. */
static long hex4(const struct parser *p, u32 at)
{
    if (p->len - at < 4)
        return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = json_hex(p->s[at + k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Validate one escape at s[pos] == '\\'; advance past it. */
static int scan_escape(struct parser *p, struct kide_json_tok *t)
{
    u32 at = p->pos;
    if (p->len - at < 2)
        return fail(p, KIDE_JSON_ETRUNC, p->len, "unterminated string");
    char c = p->s[at + 1];
    t->flags |= KIDE_JSON_F_ESCAPED;
    if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' || c == 'n' || c == 'r' ||
        c == 't') {
        p->pos += 2;
        return KIDE_JSON_OK;
    }
    if (c != 'u')
        return fail(p, KIDE_JSON_ESTRING, at, "invalid escape sequence in string");
    long u = hex4(p, at + 2);
    if (u < 0)
        return fail(p, KIDE_JSON_ESTRING, at, "\\u must be followed by 4 hexadecimal digits");
    if (u >= 0xdc00 && u <= 0xdfff)
        return fail(p, KIDE_JSON_ESTRING, at, "unpaired low surrogate in \\u escape");
    p->pos += 6;
    if (u >= 0xd800 && u <= 0xdbff) {
        long lo = -1;
        if (p->len - p->pos >= 6 && p->s[p->pos] == '\\' && p->s[p->pos + 1] == 'u')
            lo = hex4(p, p->pos + 2);
        if (lo < 0xdc00 || lo > 0xdfff)
            return fail(p, KIDE_JSON_ESTRING, at,
                        "high surrogate in \\u escape must be followed by a low surrogate");
        p->pos += 6;
    }
    return KIDE_JSON_OK;
}

/* Scan a string starting at the opening quote into a new token. */
static int scan_string(struct parser *p, bool key)
{
    u32 idx, open = p->pos;
    int rc = new_tok(p, KIDE_JSON_STRING, &idx);
    if (rc)
        return rc;
    struct kide_json_tok *t = &p->t[idx];
    if (key)
        t->flags |= KIDE_JSON_F_KEY;
    p->pos++;
    t->start = p->pos;
    for (;;) {
        if (p->pos >= p->len)
            return fail(p, KIDE_JSON_ETRUNC, open, "unterminated string");
        if (p->pos - t->start > p->max_string)
            return fail(p, KIDE_JSON_ETOOLONG, open, "string longer than the limit");
        u8 c = (u8)p->s[p->pos];
        if (c == '"')
            break;
        if (c < 0x20)
            return fail(p, KIDE_JSON_ESTRING, p->pos,
                        "control character in string (escape it, e.g. \\n or \\u001f)");
        if (c == '\\') {
            rc = scan_escape(p, t);
            if (rc)
                return rc;
        } else if (c < 0x80) {
            p->pos++;
        } else {
            size_t n = json_utf8_len((const u8 *)p->s + p->pos, p->len - p->pos);
            if (n == 0)
                return fail(p, KIDE_JSON_ESTRING, p->pos, "invalid UTF-8 in string");
            p->pos += (u32)n;
        }
    }
    if (p->pos - t->start > p->max_string)
        return fail(p, KIDE_JSON_ETOOLONG, open, "string longer than the limit");
    t->end = p->pos++;
    return KIDE_JSON_OK;
}

static bool is_digit(const struct parser *p, u32 at)
{
    return at < p->len && p->s[at] >= '0' && p->s[at] <= '9';
}

static int scan_number(struct parser *p)
{
    u32 idx;
    int rc = new_tok(p, KIDE_JSON_NUMBER, &idx);
    if (rc)
        return rc;
    struct kide_json_tok *t = &p->t[idx];
    u32 at = p->pos;
    bool integer = true;
    if (p->s[at] == '-')
        at++;
    if (!is_digit(p, at))
        return fail(p, KIDE_JSON_ENUMBER, at, "expected a digit in number");
    if (p->s[at] == '0') {
        at++;
        if (is_digit(p, at))
            return fail(p, KIDE_JSON_ENUMBER, at, "leading zeros are not allowed in numbers");
    } else {
        while (is_digit(p, at))
            at++;
    }
    if (at < p->len && p->s[at] == '.') {
        integer = false;
        at++;
        if (!is_digit(p, at))
            return fail(p, KIDE_JSON_ENUMBER, at, "expected a digit after '.' in number");
        while (is_digit(p, at))
            at++;
    }
    if (at < p->len && (p->s[at] == 'e' || p->s[at] == 'E')) {
        integer = false;
        at++;
        if (at < p->len && (p->s[at] == '+' || p->s[at] == '-'))
            at++;
        if (!is_digit(p, at))
            return fail(p, KIDE_JSON_ENUMBER, at, "expected a digit in number exponent");
        while (is_digit(p, at))
            at++;
    }
    if (integer)
        t->flags |= KIDE_JSON_F_INTEGER;
    t->end = p->pos = at;
    return KIDE_JSON_OK;
}

static int scan_literal(struct parser *p, const char *word, int type)
{
    u32 at = p->pos, k = 0;
    for (; word[k]; k++)
        if (at + k >= p->len || p->s[at + k] != word[k])
            return fail(p, at + k >= p->len ? KIDE_JSON_ETRUNC : KIDE_JSON_ESYNTAX, at,
                        "invalid literal (expected true, false or null)");
    u32 idx;
    int rc = new_tok(p, type, &idx);
    if (rc)
        return rc;
    p->t[idx].end = p->pos = at + k;
    return KIDE_JSON_OK;
}

/* Whether keys a and b are equal after unescaping (unescaped keys of
 * different lengths differ at once, without decoding). */
static bool same_key(const struct kide_json_doc *d, u32 a, u32 b)
{
    const struct kide_json_tok *ta = &d->tok[a], *tb = &d->tok[b];
    if (!((ta->flags | tb->flags) & KIDE_JSON_F_ESCAPED) &&
        ta->end - ta->start != tb->end - tb->start)
        return false;
    return json_key_cmp(d, a, b) == 0;
}

/* Reject key `key` if an earlier member of object obj has the same key. */
static int check_dup(struct parser *p, u32 obj, u32 key)
{
    struct kide_json_doc d = {.buf = p->s, .len = p->len, .tok = p->t, .ntok = p->n};
    for (u32 k = obj + 1; k < key; k = p->t[k + 1].skip)
        if (same_key(&d, k, key))
            return fail(p, KIDE_JSON_EDUPKEY, p->t[key].start - 1, "duplicate key in object");
    return KIDE_JSON_OK;
}

/* Parse a key and the colon after it, in the open object. */
static int parse_key(struct parser *p)
{
    if (p->pos >= p->len)
        return fail(p, KIDE_JSON_ETRUNC, p->pos, "expected a string key in object");
    if (p->s[p->pos] != '"')
        return fail(p, KIDE_JSON_ESYNTAX, p->pos, "expected a string key in object");
    u32 key = p->n;
    int rc = scan_string(p, true);
    if (rc)
        return rc;
    rc = check_dup(p, p->cur, key);
    if (rc)
        return rc;
    p->t[p->cur].count++;
    skip_ws(p);
    if (p->pos >= p->len)
        return fail(p, KIDE_JSON_ETRUNC, p->pos, "expected ':' after object key");
    if (p->s[p->pos] != ':')
        return fail(p, KIDE_JSON_ESYNTAX, p->pos, "expected ':' after object key");
    p->pos++;
    return KIDE_JSON_OK;
}

/* Parse one value at pos: a scalar completely, a container's opening. */
static int parse_value(struct parser *p, enum state *st)
{
    if (p->pos >= p->len)
        return fail(p, KIDE_JSON_ETRUNC, p->pos, "expected a value");
    char c = p->s[p->pos];
    if (p->cur != KIDE_JSON_NO_PARENT && p->t[p->cur].type == KIDE_JSON_ARRAY)
        p->t[p->cur].count++;
    *st = S_AFTER;
    if (c == '{' || c == '[') {
        if (p->depth >= p->max_depth)
            return fail(p, KIDE_JSON_EDEPTH, p->pos, "containers nested deeper than the limit");
        u32 idx;
        int rc = new_tok(p, c == '{' ? KIDE_JSON_OBJECT : KIDE_JSON_ARRAY, &idx);
        if (rc)
            return rc;
        p->depth++;
        p->cur = idx;
        p->pos++;
        *st = c == '{' ? S_OBJ_FIRST : S_ARR_FIRST;
        return KIDE_JSON_OK;
    }
    if (c == '"')
        return scan_string(p, false);
    if (c == '-' || (c >= '0' && c <= '9'))
        return scan_number(p);
    if (c == 't')
        return scan_literal(p, "true", KIDE_JSON_TRUE);
    if (c == 'f')
        return scan_literal(p, "false", KIDE_JSON_FALSE);
    if (c == 'n')
        return scan_literal(p, "null", KIDE_JSON_NULL);
    return fail(p, KIDE_JSON_ESYNTAX, p->pos, "expected a value");
}

/* Close the open container at pos (its closing bracket). */
static void close_container(struct parser *p)
{
    struct kide_json_tok *t = &p->t[p->cur];
    p->pos++;
    t->end = p->pos;
    t->skip = p->n;
    p->depth--;
    p->cur = t->parent;
}

/* After a complete value: a separator, a closing bracket, or the end. */
static int parse_after(struct parser *p, enum state *st)
{
    if (p->cur == KIDE_JSON_NO_PARENT) {
        if (p->pos < p->len)
            return fail(p, KIDE_JSON_ESYNTAX, p->pos, "unexpected data after the document");
        return 1; /* done */
    }
    bool obj = p->t[p->cur].type == KIDE_JSON_OBJECT;
    const char *msg = obj ? "expected ',' or '}' after object member"
                          : "expected ',' or ']' after array element";
    if (p->pos >= p->len)
        return fail(p, KIDE_JSON_ETRUNC, p->pos, msg);
    char c = p->s[p->pos];
    if (c == ',') {
        p->pos++;
        *st = obj ? S_OBJ_KEY : S_VALUE;
        return KIDE_JSON_OK;
    }
    if (c == (obj ? '}' : ']')) {
        close_container(p);
        return KIDE_JSON_OK;
    }
    return fail(p, KIDE_JSON_ESYNTAX, p->pos, msg);
}

/* Advance the state machine by one step; 1 when the document is complete. */
static int step(struct parser *p, enum state *st)
{
    skip_ws(p);
    switch (*st) {
    case S_VALUE:
        return parse_value(p, st);
    case S_OBJ_FIRST:
        if (p->pos < p->len && p->s[p->pos] == '}') {
            close_container(p);
            *st = S_AFTER;
            return KIDE_JSON_OK;
        }
        /* fall through */
    case S_OBJ_KEY: {
        int rc = parse_key(p);
        *st = S_VALUE;
        return rc;
    }
    case S_ARR_FIRST:
        if (p->pos < p->len && p->s[p->pos] == ']') {
            close_container(p);
            *st = S_AFTER;
            return KIDE_JSON_OK;
        }
        return parse_value(p, st);
    case S_AFTER:
        return parse_after(p, st);
    }
    return fail(p, KIDE_JSON_EINVAL, p->pos, "internal parser state"); /* defensive */
}

int kide_json_parse(struct kide_json_doc *doc, const char *buf, size_t len,
                    struct kide_json_tok *toks, size_t max_tok, const struct kide_json_limits *lim,
                    struct kide_json_error *err)
{
    struct parser p = {.s = buf, .t = toks, .cur = KIDE_JSON_NO_PARENT, .err = err};
    p.max_depth = lim && lim->max_depth ? lim->max_depth : KIDE_JSON_DEFAULT_DEPTH;
    p.max_string = lim && lim->max_string ? lim->max_string : KIDE_JSON_DEFAULT_STRING;
    if (p.max_depth > 0xffff)
        p.max_depth = 0xffff; /* tok.depth is 16 bits */
    if (err) {
        err->code = KIDE_JSON_OK;
        err->offset = err->line = err->column = 0;
        err->msg = "";
    }
    if (!doc || (!buf && len) || !toks)
        return fail(&p, KIDE_JSON_EINVAL, 0, "invalid argument");
    if (len >= KIDE_JSON_NO_PARENT)
        return fail(&p, KIDE_JSON_ETOOLONG, 0, "document larger than 4 GiB");
    p.len = (u32)len;
    /* accessors take token indexes as int */
    p.cap = max_tok > 0x7fffffff ? 0x7fffffff : (u32)max_tok;
    enum state st = S_VALUE;
    int rc;
    while ((rc = step(&p, &st)) == KIDE_JSON_OK)
        ;
    if (rc < 0)
        return rc;
    doc->buf = buf;
    doc->len = p.len;
    doc->tok = toks;
    doc->ntok = p.n;
    return KIDE_JSON_OK;
}

/* Append s to out[*at..size-1), keeping room for the NUL. */
static void put(char *out, size_t size, size_t *at, const char *s)
{
    while (*s && *at + 1 < size)
        out[(*at)++] = *s++;
}

static void put_u32(char *out, size_t size, size_t *at, u32 v)
{
    char d[11];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    char r[11];
    for (int k = 0; k < n; k++)
        r[k] = d[n - 1 - k];
    r[n] = 0;
    put(out, size, at, r);
}

size_t kide_json_error_format(const struct kide_json_error *err, char *out, size_t size)
{
    size_t at = 0;
    if (!out || size == 0)
        return 0;
    if (err) {
        put(out, size, &at, "line ");
        put_u32(out, size, &at, err->line);
        put(out, size, &at, ", column ");
        put_u32(out, size, &at, err->column);
        put(out, size, &at, ": ");
        put(out, size, &at, err->msg ? err->msg : kide_json_strerror(err->code));
    }
    out[at] = 0;
    return at;
}

const char *kide_json_strerror(int status)
{
    switch (status) {
    case KIDE_JSON_OK:
        return "success";
    case KIDE_JSON_ESYNTAX:
        return "syntax error";
    case KIDE_JSON_ETRUNC:
        return "unexpected end of input";
    case KIDE_JSON_ESTRING:
        return "invalid string";
    case KIDE_JSON_ENUMBER:
        return "invalid number";
    case KIDE_JSON_EDUPKEY:
        return "duplicate key in object";
    case KIDE_JSON_ETOKENS:
        return "too many values for the token array";
    case KIDE_JSON_EDEPTH:
        return "nested too deeply";
    case KIDE_JSON_ETOOLONG:
        return "string or document too long";
    case KIDE_JSON_ETYPE:
        return "value has another type";
    case KIDE_JSON_ERANGE:
        return "not an integer in range";
    case KIDE_JSON_ENOENT:
        return "no such member";
    case KIDE_JSON_ENOSPC:
        return "output buffer too small";
    case KIDE_JSON_EINVAL:
        return "invalid argument or writer misuse";
    }
    return "unknown status";
}
