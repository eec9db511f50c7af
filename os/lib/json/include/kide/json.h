/* SPDX-License-Identifier: MIT */
/* kide_json: the bounded JSON parser, accessors and writer of the component runtime.
 *
 * The parser turns a whole document into a flat array of tokens the caller
 * provides (no allocation, no recursion, no libc): token 0 is the root value,
 * a container is followed by its children in document order, and every token
 * records its parent and the index one past its subtree (`skip`), so walking
 * an object's members or an array's elements costs O(children). An object
 * member is a key token (a string flagged KIDE_JSON_F_KEY) immediately
 * followed by its value's subtree; a container's `count` is its number of
 * members or elements.
 *
 * Validation is strict RFC 8259: UTF-8 only (no overlong forms, no encoded
 * surrogates), no control characters in strings, escapes including \uXXXX
 * with paired surrogates, the number grammar, exact literals, no comments, no
 * trailing garbage, and no duplicate keys in one object (a configuration
 * must be unambiguous; keys are compared after unescaping). Limits: the token
 * array size, the nesting depth, the length of a string as written and the
 * document size (< 4 GiB, offsets are 32-bit). On error the parser reports a
 * closed status code, the byte offset, the line and column (both from 1,
 * columns in bytes) and a message naming what was expected.
 *
 * The writer builds a document into a caller buffer; it places commas,
 * checks that keys and values alternate and containers balance, never writes
 * past the buffer, and makes the first error sticky so a report that does not
 * fit is an error, never truncated JSON.
 *
 * Invariant: everything here depends only on the compiler (freestanding, no
 * floating point); the same objects link into core, hoitaja and host tools.
 */
#ifndef KIDE_JSON_H
#define KIDE_JSON_H

#include <kide/types.h>

/** Status codes: 0 is success, errors are negative (errno-style `rc`). */
enum kide_json_status {
    KIDE_JSON_OK = 0,
    KIDE_JSON_ESYNTAX = -1,  /**< grammar: unexpected character, trailing garbage */
    KIDE_JSON_ETRUNC = -2,   /**< input ended inside a value */
    KIDE_JSON_ESTRING = -3,  /**< bad string: control char, escape, surrogate, UTF-8 */
    KIDE_JSON_ENUMBER = -4,  /**< number does not follow the grammar */
    KIDE_JSON_EDUPKEY = -5,  /**< an object has the same key twice */
    KIDE_JSON_ETOKENS = -6,  /**< more values than the token array holds */
    KIDE_JSON_EDEPTH = -7,   /**< containers nested deeper than the limit */
    KIDE_JSON_ETOOLONG = -8, /**< string or document longer than the limit */
    KIDE_JSON_ETYPE = -9,    /**< accessor: token has another type */
    KIDE_JSON_ERANGE = -10,  /**< accessor: not an integer or out of range */
    KIDE_JSON_ENOENT = -11,  /**< accessor: no such member */
    KIDE_JSON_ENOSPC = -12,  /**< output buffer too small (accessor or writer) */
    KIDE_JSON_EINVAL = -13,  /**< bad argument or writer misuse (unbalanced, key/value order) */
};

/** Token types. */
enum kide_json_type {
    KIDE_JSON_NONE = 0,
    KIDE_JSON_OBJECT,
    KIDE_JSON_ARRAY,
    KIDE_JSON_STRING,
    KIDE_JSON_NUMBER,
    KIDE_JSON_TRUE,
    KIDE_JSON_FALSE,
    KIDE_JSON_NULL,
};

#define KIDE_JSON_F_KEY     0x1 /**< string token is an object key */
#define KIDE_JSON_F_ESCAPED 0x2 /**< string token contains backslash escapes */
#define KIDE_JSON_F_INTEGER 0x4 /**< number token has no fraction and no exponent */

#define KIDE_JSON_NO_PARENT 0xffffffffu /**< parent of the root token */

/** Default limits (used for a NULL limits argument or a zero field). */
#define KIDE_JSON_DEFAULT_DEPTH  32
#define KIDE_JSON_DEFAULT_STRING 4096
/** Writer nesting limit (one bit of container state per level). */
#define KIDE_JSON_WRITER_DEPTH 64

/** One parsed value. Offsets index the input buffer. */
struct kide_json_tok {
    kide_u8 type;    /**< enum kide_json_type */
    kide_u8 flags;   /**< KIDE_JSON_F_* */
    kide_u16 depth;  /**< nesting depth: 0 for the root value */
    kide_u32 start;  /**< first byte: for strings the byte after the opening quote */
    kide_u32 end;    /**< one past the last byte: for strings the closing quote */
    kide_u32 count;  /**< containers: number of members or elements; else 0 */
    kide_u32 skip;   /**< index one past this token's subtree */
    kide_u32 parent; /**< index of the enclosing container, KIDE_JSON_NO_PARENT for the root */
};

/** Parser limits; a zero field takes the default. */
struct kide_json_limits {
    kide_u32 max_depth;  /**< deepest container nesting (root container = 1) */
    kide_u32 max_string; /**< longest string (key or value) in bytes as written */
};

/** Where and why a parse failed. */
struct kide_json_error {
    int code;        /**< enum kide_json_status */
    kide_u32 offset; /**< byte offset of the problem */
    kide_u32 line;   /**< line of the problem, from 1 */
    kide_u32 column; /**< column in bytes, from 1 */
    const char *msg; /**< static text, e.g. "expected ',' or '}' after object member" */
};

/** A parsed document: the input and its tokens (both owned by the caller). */
struct kide_json_doc {
    const char *buf;           /**< the input; must outlive the document */
    kide_u32 len;              /**< input length in bytes */
    struct kide_json_tok *tok; /**< the caller's token array; tok[0] is the root */
    kide_u32 ntok;             /**< tokens in use */
};

/**
 * Parse buf[0..len) into toks[0..max_tok). Returns KIDE_JSON_OK and fills
 * *doc, or a negative status and (if err is not NULL) fills *err. Reads no byte
 * at or beyond buf[len]; the input needs no terminating NUL. lim may be NULL.
 */
int kide_json_parse(struct kide_json_doc *doc, const char *buf, __SIZE_TYPE__ len,
                    struct kide_json_tok *toks, __SIZE_TYPE__ max_tok,
                    const struct kide_json_limits *lim, struct kide_json_error *err);

/**
 * Format err as "line L, column C: MSG" into out (always NUL-terminated if
 * size > 0). Returns the length written, truncating to fit.
 */
__SIZE_TYPE__ kide_json_error_format(const struct kide_json_error *err, char *out,
                                     __SIZE_TYPE__ size);

/** Static one-line description of a status code. */
const char *kide_json_strerror(int status);

/** Type of token i (KIDE_JSON_NONE if i is out of range). Token indexes are int: a
 * document holds at most 2^31-1 tokens. */
int kide_json_type(const struct kide_json_doc *doc, int i);

/**
 * Value of member `key` in object token obj: the value's token index, or
 * KIDE_JSON_ENOENT / KIDE_JSON_ETYPE (obj is not an object). Keys are
 * compared after unescaping; cost O(members).
 */
int kide_json_find(const struct kide_json_doc *doc, int obj, const char *key);

/**
 * First child of container i: the first element of an array or the first
 * KEY token of an object (its value is key + 1). -1 if empty or not a container.
 */
int kide_json_first(const struct kide_json_doc *doc, int i);

/** Next sibling of element or key i, -1 after the last. O(1). */
int kide_json_next(const struct kide_json_doc *doc, int i);

/** Integer value of number token i: KIDE_JSON_ERANGE for fractions, exponents, overflow. */
int kide_json_get_i64(const struct kide_json_doc *doc, int i, kide_i64 *out);
/** As kide_json_get_i64, for non-negative integers up to 2^64-1. */
int kide_json_get_u64(const struct kide_json_doc *doc, int i, kide_u64 *out);
/** Value of a true/false token. */
int kide_json_get_bool(const struct kide_json_doc *doc, int i, _Bool *out);

/**
 * Copy string token i, unescaped (UTF-8), into out with a terminating NUL.
 * Returns the length without the NUL (the copy may contain NUL bytes if the
 * document escapes them as \u0000), KIDE_JSON_ENOSPC if length + 1 > size
 * (out then holds "" if size > 0), or KIDE_JSON_ETYPE.
 */
int kide_json_get_string(const struct kide_json_doc *doc, int i, char *out, __SIZE_TYPE__ size);

/** Whether string token i, unescaped, equals the NUL-terminated s. No copy. */
_Bool kide_json_str_eq(const struct kide_json_doc *doc, int i, const char *s);

/** A bounded JSON builder; all fields are private to json_write.c. */
struct kide_json_writer {
    char *buf;          /**< caller's buffer */
    __SIZE_TYPE__ size; /**< its size; output is kept NUL-terminated */
    __SIZE_TYPE__ len;  /**< bytes written so far, without the NUL */
    kide_u64 is_object; /**< bit d: the container at depth d+1 is an object */
    kide_u32 depth;     /**< open containers */
    _Bool need_comma;   /**< the current container already has a member or element */
    _Bool have_key;     /**< in an object: a key was written, its value is due */
    _Bool done;         /**< the top-level value is complete */
    int rc;             /**< first error, sticky */
};

/** Start building into buf[0..size). */
void kide_json_writer_init(struct kide_json_writer *w, char *buf, __SIZE_TYPE__ size);
/** Open an object (as a value). */
void kide_json_begin_object(struct kide_json_writer *w);
/** Close the innermost object. */
void kide_json_end_object(struct kide_json_writer *w);
/** Open an array (as a value). */
void kide_json_begin_array(struct kide_json_writer *w);
/** Close the innermost array. */
void kide_json_end_array(struct kide_json_writer *w);
/** Write an object key (NUL-terminated, UTF-8). */
void kide_json_key(struct kide_json_writer *w, const char *key);
/** Write a string value (NUL-terminated, UTF-8; invalid UTF-8 is KIDE_JSON_EINVAL). */
void kide_json_string(struct kide_json_writer *w, const char *s);
/** Write a string value of n bytes (may contain NUL, escaped as \u0000). */
void kide_json_string_n(struct kide_json_writer *w, const char *s, __SIZE_TYPE__ n);
/** Write a signed integer. */
void kide_json_i64(struct kide_json_writer *w, kide_i64 v);
/** Write an unsigned integer. */
void kide_json_u64(struct kide_json_writer *w, kide_u64 v);
/** Write true or false. */
void kide_json_bool(struct kide_json_writer *w, _Bool v);
/** Write null. */
void kide_json_null(struct kide_json_writer *w);
/* Object members in one call: the key, then the value (as the two calls would). */
void kide_json_member_u64(struct kide_json_writer *w, const char *key, kide_u64 v);
void kide_json_member_string(struct kide_json_writer *w, const char *key, const char *s);
void kide_json_member_bool(struct kide_json_writer *w, const char *key, _Bool v);
/** The key, then open an object as its value. */
void kide_json_member_object(struct kide_json_writer *w, const char *key);
/**
 * Write a number given as text (e.g. "1.5e3"); the text must follow the
 * RFC 8259 number grammar exactly, else KIDE_JSON_EINVAL. Not a raw escape hatch.
 */
void kide_json_number_text(struct kide_json_writer *w, const char *s, __SIZE_TYPE__ n);
/**
 * Copy value token i of doc (and its subtree), unescaped and re-escaped in
 * canonical form (no whitespace, numbers as written), as the next value.
 * Nesting deeper than KIDE_JSON_WRITER_DEPTH in total is KIDE_JSON_EINVAL.
 */
void kide_json_value(struct kide_json_writer *w, const struct kide_json_doc *doc, int i);

/**
 * The same as kide_json_value, but every object's members in the order of
 * their unescaped keys (bytewise): two documents that differ only in member
 * order give the same text. Costs O(m^2) key comparisons per object of m
 * members and allocates nothing.
 */
void kide_json_value_sorted(struct kide_json_writer *w, const struct kide_json_doc *doc, int i);

/**
 * Finish: returns the document length, or the first error (KIDE_JSON_ENOSPC
 * if it did not fit, KIDE_JSON_EINVAL if unbalanced or misused). On error the
 * buffer holds "" so no partial document can be mistaken for a whole one.
 */
long kide_json_writer_finish(struct kide_json_writer *w);

#endif
