/* SPDX-License-Identifier: MIT */
/* Unit tests of kide_json: parser, every error path, limits, accessors, writer.
 *
 * Each error case checks the status code and where it was reported, so a
 * message that points at the wrong place is a failing test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include <kide/json.h>

#define NTOK 256
static struct kide_json_tok toks[NTOK];
static struct kide_json_doc doc;
static struct kide_json_error err;

static int parse(const char *s)
{
    return kide_json_parse(&doc, s, strlen(s), toks, NTOK, NULL, &err);
}

static void ok(const char *s)
{
    int rc = parse(s);
    if (rc) {
        char m[128];
        kide_json_error_format(&err, m, sizeof(m));
        fail_msg("'%s' rejected: %s", s, m);
    }
}

/* Expect status code at line:column. */
static void bad(const char *s, int code, unsigned line, unsigned col)
{
    int rc = parse(s);
    if (rc != code || err.line != line || err.column != col)
        fail_msg("'%s': got %d at %u:%u (%s), want %d at %u:%u", s, rc, err.line, err.column,
                 err.msg, code, line, col);
}

static void test_scalars(void **state)
{
    ok("0");
    assert_int_equal(doc.ntok, 1);
    assert_int_equal(kide_json_type(&doc, 0), KIDE_JSON_NUMBER);
    ok(" true ");
    assert_int_equal(kide_json_type(&doc, 0), KIDE_JSON_TRUE);
    ok("false");
    ok("null");
    ok("\"\"");
    assert_int_equal(kide_json_type(&doc, 0), KIDE_JSON_STRING);
    ok("-0");
    ok("-12.5e+3");
    ok("1E-2");
    ok("[]");
    ok("{}");
    ok("\t\r\n [ ] \n");
}

static void test_structure(void **state)
{
    ok("{\"a\": [1, 2, {\"b\": null}], \"c\": {\"d\": \"x\"}, \"e\": true}");
    assert_int_equal(kide_json_type(&doc, 0), KIDE_JSON_OBJECT);
    assert_int_equal(toks[0].count, 3);
    int a = kide_json_find(&doc, 0, "a");
    assert_int_equal(kide_json_type(&doc, a), KIDE_JSON_ARRAY);
    assert_int_equal(toks[a].count, 3);
    int n = 0;
    for (int e = kide_json_first(&doc, a); e >= 0; e = kide_json_next(&doc, e))
        n++;
    assert_int_equal(n, 3);
    int c = kide_json_find(&doc, 0, "c");
    int d = kide_json_find(&doc, c, "d");
    assert_true(kide_json_str_eq(&doc, d, "x"));
    assert_false(kide_json_str_eq(&doc, d, "xy"));
    assert_false(kide_json_str_eq(&doc, d, ""));
    int e = kide_json_find(&doc, 0, "e");
    bool b = false;
    assert_int_equal(kide_json_get_bool(&doc, e, &b), 0);
    assert_true(b);
    assert_int_equal(kide_json_find(&doc, 0, "zz"), KIDE_JSON_ENOENT);
    assert_int_equal(kide_json_find(&doc, a, "a"), KIDE_JSON_ETYPE);
    assert_int_equal(kide_json_find(&doc, 999, "a"), KIDE_JSON_EINVAL);
    /* iterate object keys */
    const char *want[] = {"a", "c", "e"};
    int k = kide_json_first(&doc, 0);
    for (int j = 0; j < 3; j++, k = kide_json_next(&doc, k)) {
        assert_true(k > 0);
        assert_true(toks[k].flags & KIDE_JSON_F_KEY);
        assert_true(kide_json_str_eq(&doc, k, want[j]));
    }
    assert_int_equal(k, -1);
    assert_int_equal(kide_json_first(&doc, kide_json_find(&doc, 0, "e")), -1);
    assert_int_equal(kide_json_next(&doc, 0), -1);
    assert_int_equal(kide_json_type(&doc, -1), KIDE_JSON_NONE);
    ok("[[], {}]");
    assert_int_equal(kide_json_first(&doc, 1), -1);
    assert_int_equal(kide_json_next(&doc, 1), 2);
}

static void test_syntax_errors(void **state)
{
    bad("", KIDE_JSON_ETRUNC, 1, 1);
    bad("   ", KIDE_JSON_ETRUNC, 1, 4);
    bad("{\"a\": 1\n  \"b\": 2}", KIDE_JSON_ESYNTAX, 2, 3);
    assert_string_equal(err.msg, "expected ',' or '}' after object member");
    char m[96];
    kide_json_error_format(&err, m, sizeof(m));
    assert_string_equal(m, "line 2, column 3: expected ',' or '}' after object member");
    bad("[1 2]", KIDE_JSON_ESYNTAX, 1, 4);
    assert_string_equal(err.msg, "expected ',' or ']' after array element");
    bad("[1,]", KIDE_JSON_ESYNTAX, 1, 4);
    bad("{\"a\":1,}", KIDE_JSON_ESYNTAX, 1, 8);
    assert_string_equal(err.msg, "expected a string key in object");
    bad("{\"a\" 1}", KIDE_JSON_ESYNTAX, 1, 6);
    assert_string_equal(err.msg, "expected ':' after object key");
    bad("{1:2}", KIDE_JSON_ESYNTAX, 1, 2);
    bad("[1] x", KIDE_JSON_ESYNTAX, 1, 5);
    assert_string_equal(err.msg, "unexpected data after the document");
    bad("1 2", KIDE_JSON_ESYNTAX, 1, 3);
    bad("tru", KIDE_JSON_ETRUNC, 1, 1);
    bad("trux", KIDE_JSON_ESYNTAX, 1, 1);
    bad("nul", KIDE_JSON_ETRUNC, 1, 1);
    bad("falsy", KIDE_JSON_ESYNTAX, 1, 1);
    bad("True", KIDE_JSON_ESYNTAX, 1, 1);
    bad("truex", KIDE_JSON_ESYNTAX, 1, 5);
    bad("/* c */ 1", KIDE_JSON_ESYNTAX, 1, 1);
    bad("[1] // c", KIDE_JSON_ESYNTAX, 1, 5);
    bad("'a'", KIDE_JSON_ESYNTAX, 1, 1);
    bad("\xef\xbb\xbf{}", KIDE_JSON_ESYNTAX, 1, 1);
    bad("[", KIDE_JSON_ETRUNC, 1, 2);
    bad("[1", KIDE_JSON_ETRUNC, 1, 3);
    bad("{", KIDE_JSON_ETRUNC, 1, 2);
    bad("{\"a\"", KIDE_JSON_ETRUNC, 1, 5);
    bad("{\"a\":", KIDE_JSON_ETRUNC, 1, 6);
    bad("{\"a\":1", KIDE_JSON_ETRUNC, 1, 7);
    bad("]", KIDE_JSON_ESYNTAX, 1, 1);
    bad("[}", KIDE_JSON_ESYNTAX, 1, 2);
    bad("{]", KIDE_JSON_ESYNTAX, 1, 2);
    bad("\v1", KIDE_JSON_ESYNTAX, 1, 1);
    /* an embedded NUL is data, not an end marker */
    assert_int_equal(kide_json_parse(&doc, "1\0", 2, toks, NTOK, NULL, &err), KIDE_JSON_ESYNTAX);
    assert_int_equal(kide_json_parse(&doc, NULL, 1, toks, NTOK, NULL, &err), KIDE_JSON_EINVAL);
    assert_int_equal(kide_json_parse(&doc, "1", 1, toks, NTOK, NULL, NULL), 0);
    assert_int_equal(kide_json_parse(&doc, "x", 1, toks, NTOK, NULL, NULL), KIDE_JSON_ESYNTAX);
}

static void test_numbers(void **state)
{
    bad("01", KIDE_JSON_ENUMBER, 1, 2);
    assert_string_equal(err.msg, "leading zeros are not allowed in numbers");
    bad("-", KIDE_JSON_ENUMBER, 1, 2);
    bad("-a", KIDE_JSON_ENUMBER, 1, 2);
    bad("1.", KIDE_JSON_ENUMBER, 1, 3);
    bad("1.e5", KIDE_JSON_ENUMBER, 1, 3);
    bad(".5", KIDE_JSON_ESYNTAX, 1, 1);
    bad("1e", KIDE_JSON_ENUMBER, 1, 3);
    bad("1e+", KIDE_JSON_ENUMBER, 1, 4);
    bad("+1", KIDE_JSON_ESYNTAX, 1, 1);
    bad("0x10", KIDE_JSON_ESYNTAX, 1, 2);
    bad("NaN", KIDE_JSON_ESYNTAX, 1, 1);
    bad("-Infinity", KIDE_JSON_ENUMBER, 1, 2);

    int64_t v;
    uint64_t u;
    ok("9223372036854775807");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), 0);
    assert_true(v == INT64_MAX);
    ok("-9223372036854775808");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), 0);
    assert_true(v == INT64_MIN);
    assert_int_equal(kide_json_get_u64(&doc, 0, &u), KIDE_JSON_ERANGE);
    ok("9223372036854775808");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), KIDE_JSON_ERANGE);
    assert_int_equal(kide_json_get_u64(&doc, 0, &u), 0);
    assert_true(u == 9223372036854775808ull);
    ok("18446744073709551615");
    assert_int_equal(kide_json_get_u64(&doc, 0, &u), 0);
    assert_true(u == UINT64_MAX);
    ok("18446744073709551616");
    assert_int_equal(kide_json_get_u64(&doc, 0, &u), KIDE_JSON_ERANGE);
    ok("-9223372036854775809");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), KIDE_JSON_ERANGE);
    ok("1.0");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), KIDE_JSON_ERANGE);
    ok("1e3");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), KIDE_JSON_ERANGE);
    ok("-0");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), 0);
    assert_true(v == 0);
    assert_int_equal(kide_json_get_u64(&doc, 0, &u), 0);
    ok("-42");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), 0);
    assert_true(v == -42);
    ok("\"1\"");
    assert_int_equal(kide_json_get_i64(&doc, 0, &v), KIDE_JSON_ETYPE);
    bool b;
    assert_int_equal(kide_json_get_bool(&doc, 0, &b), KIDE_JSON_ETYPE);
    assert_int_equal(kide_json_get_i64(&doc, 5, &v), KIDE_JSON_EINVAL);
}

static void test_strings(void **state)
{
    char out[64];
    ok("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
    assert_int_equal(kide_json_get_string(&doc, 0, out, sizeof(out)), 12);
    assert_memory_equal(out, "a\"b\\c/d\b\f\n\r\t", 13);
    assert_true(kide_json_str_eq(&doc, 0, "a\"b\\c/d\b\f\n\r\t"));
    ok("\"\\u00e9\\u20AC\\ud83d\\ude00\"");
    assert_int_equal(kide_json_get_string(&doc, 0, out, sizeof(out)), 9);
    assert_string_equal(out, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
    ok("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"");
    assert_true(kide_json_str_eq(&doc, 0, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));
    ok("\"a\\u0000b\"");
    assert_int_equal(kide_json_get_string(&doc, 0, out, sizeof(out)), 3);
    assert_memory_equal(out, "a\0b", 4);
    assert_false(kide_json_str_eq(&doc, 0, "a"));
    /* buffer sizes */
    ok("\"abc\"");
    assert_int_equal(kide_json_get_string(&doc, 0, out, 4), 3);
    assert_int_equal(kide_json_get_string(&doc, 0, out, 3), KIDE_JSON_ENOSPC);
    assert_string_equal(out, "");
    assert_int_equal(kide_json_get_string(&doc, 0, out, 0), KIDE_JSON_ENOSPC);
    ok("\"\"");
    assert_int_equal(kide_json_get_string(&doc, 0, out, 1), 0);
    assert_int_equal(kide_json_get_string(&doc, 0, out, 0), KIDE_JSON_ENOSPC);
    ok("1");
    assert_int_equal(kide_json_get_string(&doc, 0, out, 4), KIDE_JSON_ETYPE);
    assert_false(kide_json_str_eq(&doc, 0, "1"));

    /* errors */
    bad("\"abc", KIDE_JSON_ETRUNC, 1, 1);
    assert_string_equal(err.msg, "unterminated string");
    bad("\"a\nb\"", KIDE_JSON_ESTRING, 1, 3);
    bad("\"a\tb\"", KIDE_JSON_ESTRING, 1, 3);
    bad("\"\x1f\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\x41\"", KIDE_JSON_ESTRING, 1, 2);
    assert_string_equal(err.msg, "invalid escape sequence in string");
    bad("\"\\u12\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\u12g4\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\", KIDE_JSON_ETRUNC, 1, 3);
    bad("\"\\u00", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\ud83d\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\ud83dx\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\ud83d\\n\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\ud83d\\ud83d\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\\ude00\"", KIDE_JSON_ESTRING, 1, 2);
    assert_string_equal(err.msg, "unpaired low surrogate in \\u escape");
    /* UTF-8 */
    bad("\"\x80\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\xc0\xaf\"", KIDE_JSON_ESTRING, 1, 2);         /* overlong '/' */
    bad("\"\xe0\x80\xaf\"", KIDE_JSON_ESTRING, 1, 2);     /* overlong */
    bad("\"\xed\xa0\x80\"", KIDE_JSON_ESTRING, 1, 2);     /* encoded surrogate */
    bad("\"\xf4\x90\x80\x80\"", KIDE_JSON_ESTRING, 1, 2); /* > U+10FFFF */
    bad("\"\xf5\x80\x80\x80\"", KIDE_JSON_ESTRING, 1, 2);
    bad("\"\xe2\x82\"", KIDE_JSON_ESTRING, 1, 2); /* cut short */
    assert_int_equal(kide_json_parse(&doc, "\"\xe2\x82", 3, toks, NTOK, NULL, &err),
                     KIDE_JSON_ESTRING);
    ok("\"\xf4\x8f\xbf\xbf\xef\xbf\xbf\x7f\"");
}

static void test_duplicate_keys(void **state)
{
    bad("{\"a\":1,\"b\":2,\"a\":3}", KIDE_JSON_EDUPKEY, 1, 14);
    assert_string_equal(err.msg, "duplicate key in object");
    bad("{\"a\":1,\"\\u0061\":2}", KIDE_JSON_EDUPKEY, 1, 8);
    bad("{\"\\u00e9\":1,\"\xc3\xa9\":2}", KIDE_JSON_EDUPKEY, 1, 13);
    bad("{\"x\":{\"a\":[1,{\"a\":2}],\"a\":3}}", KIDE_JSON_EDUPKEY, 1, 23);
    /* same key in different objects is fine, as are prefixes */
    ok("{\"a\":{\"a\":1},\"b\":{\"a\":2},\"ab\":0,\"\":1}");
    assert_int_equal(kide_json_find(&doc, 0, ""), (int)doc.ntok - 1);
    int v = kide_json_find(&doc, 0, "\xc3\xa9");
    assert_int_equal(v, KIDE_JSON_ENOENT);
    ok("{\"\\u00e9\":7}");
    v = kide_json_find(&doc, 0, "\xc3\xa9");
    assert_int_equal(v, 2);
}

static void test_limits(void **state)
{
    struct kide_json_tok small[3];
    assert_int_equal(kide_json_parse(&doc, "[1,2]", 5, small, 3, NULL, &err), 0);
    assert_int_equal(kide_json_parse(&doc, "[1,2,3]", 7, small, 3, NULL, &err), KIDE_JSON_ETOKENS);
    assert_int_equal(err.column, 6);
    assert_int_equal(kide_json_parse(&doc, "1", 1, small, 0, NULL, &err), KIDE_JSON_ETOKENS);

    /* depth: default 32 */
    char deep[200];
    for (int n = 31; n <= 33; n++) {
        memset(deep, '[', (size_t)n);
        memset(deep + n, ']', (size_t)n);
        deep[2 * n] = 0;
        int rc = parse(deep);
        assert_int_equal(rc, n <= 32 ? 0 : KIDE_JSON_EDEPTH);
    }
    assert_int_equal(err.column, 33);
    struct kide_json_limits lim = {.max_depth = 2};
    assert_int_equal(kide_json_parse(&doc, "[{}]", 4, toks, NTOK, &lim, &err), 0);
    assert_int_equal(kide_json_parse(&doc, "[{\"a\":[]}]", 10, toks, NTOK, &lim, &err),
                     KIDE_JSON_EDEPTH);
    /* a very deep document never recurses: 100000 levels with a high limit */
    static char huge[200000];
    static struct kide_json_tok many[100001];
    memset(huge, '[', 100000);
    memset(huge + 100000, ']', 100000);
    lim.max_depth = 200000;
    assert_int_equal(kide_json_parse(&doc, huge, sizeof(huge), many, 100001, &lim, &err),
                     KIDE_JSON_EDEPTH); /* capped at 65535 by the 16-bit depth */
    memset(huge, '[', 65535);
    memset(huge + 65535, ']', 65535);
    lim.max_depth = 65535;
    assert_int_equal(kide_json_parse(&doc, huge, 2 * 65535, many, 100001, &lim, &err), 0);
    assert_int_equal(doc.ntok, 65535);
    assert_int_equal(many[65534].depth, 65534);
    /* string length */
    lim = (struct kide_json_limits){.max_string = 3};
    assert_int_equal(kide_json_parse(&doc, "\"abc\"", 5, toks, NTOK, &lim, &err), 0);
    assert_int_equal(kide_json_parse(&doc, "\"abcd\"", 6, toks, NTOK, &lim, &err),
                     KIDE_JSON_ETOOLONG);
    assert_int_equal(kide_json_parse(&doc, "{\"abcd\":1}", 10, toks, NTOK, &lim, &err),
                     KIDE_JSON_ETOOLONG);
    assert_int_equal(err.column, 2);
}

static void test_error_format(void **state)
{
    bad("{\n\n  \"a\": x}", KIDE_JSON_ESYNTAX, 3, 8);
    char m[16];
    size_t n = kide_json_error_format(&err, m, sizeof(m));
    assert_int_equal(n, 15);
    assert_string_equal(m, "line 3, column ");
    assert_int_equal(kide_json_error_format(&err, m, 0), 0);
    assert_string_equal(kide_json_strerror(KIDE_JSON_EDUPKEY), "duplicate key in object");
    assert_string_equal(kide_json_strerror(42), "unknown status");
    for (int s = 0; s >= KIDE_JSON_EINVAL; s--)
        assert_string_not_equal(kide_json_strerror(s), "unknown status");
}

/* --- writer ------------------------------------------------------------- */

static void test_writer(void **state)
{
    char buf[256];
    struct kide_json_writer w;
    kide_json_writer_init(&w, buf, sizeof(buf));
    kide_json_begin_object(&w);
    kide_json_key(&w, "name");
    kide_json_string(&w, "a\"b\\\n\x01\x7f\xc3\xa9");
    kide_json_key(&w, "n");
    kide_json_i64(&w, INT64_MIN);
    kide_json_key(&w, "u");
    kide_json_u64(&w, UINT64_MAX);
    kide_json_key(&w, "l");
    kide_json_begin_array(&w);
    kide_json_bool(&w, true);
    kide_json_bool(&w, false);
    kide_json_null(&w);
    kide_json_begin_object(&w);
    kide_json_end_object(&w);
    kide_json_begin_array(&w);
    kide_json_end_array(&w);
    kide_json_number_text(&w, "-1.5e+3", 7);
    kide_json_i64(&w, 0);
    kide_json_end_array(&w);
    kide_json_key(&w, "z");
    kide_json_string_n(&w, "a\0b", 3);
    kide_json_end_object(&w);
    long n = kide_json_writer_finish(&w);
    const char *want = "{\"name\":\"a\\\"b\\\\\\n\\u0001\x7f\xc3\xa9\",\"n\":-9223372036854775808,"
                       "\"u\":18446744073709551615,\"l\":[true,false,null,{},[],-1.5e+3,0],"
                       "\"z\":\"a\\u0000b\"}";
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
    /* and it parses back */
    ok(buf);
    char s[32];
    assert_int_equal(kide_json_get_string(&doc, kide_json_find(&doc, 0, "name"), s, sizeof(s)), 9);
    assert_string_equal(s, "a\"b\\\n\x01\x7f\xc3\xa9");
}

static void test_writer_members(void **state)
{
    char buf[128];
    struct kide_json_writer w;
    (void)state;
    kide_json_writer_init(&w, buf, sizeof(buf));
    kide_json_begin_object(&w);
    kide_json_member_string(&w, "s", "x");
    kide_json_member_u64(&w, "u", 7);
    kide_json_member_bool(&w, "b", true);
    kide_json_member_object(&w, "o");
    kide_json_member_u64(&w, "n", 0);
    kide_json_end_object(&w);
    kide_json_end_object(&w);
    assert_true(kide_json_writer_finish(&w) > 0);
    assert_string_equal(buf, "{\"s\":\"x\",\"u\":7,\"b\":true,\"o\":{\"n\":0}}");
    /* a member outside an object is the same error as a key there */
    kide_json_writer_init(&w, buf, sizeof(buf));
    kide_json_begin_array(&w);
    kide_json_member_u64(&w, "u", 1);
    assert_int_equal(kide_json_writer_finish(&w), KIDE_JSON_EINVAL);
}

static void test_writer_truncation(void **state)
{
    /* every buffer size short of the full document is an error with "" left */
    const char *full = "{\"k\":[1,\"two\",true]}";
    for (size_t size = 0; size <= strlen(full) + 1; size++) {
        char buf[64];
        memset(buf, 'X', sizeof(buf));
        struct kide_json_writer w;
        kide_json_writer_init(&w, size ? buf : NULL, size);
        kide_json_begin_object(&w);
        kide_json_key(&w, "k");
        kide_json_begin_array(&w);
        kide_json_i64(&w, 1);
        kide_json_string(&w, "two");
        kide_json_bool(&w, true);
        kide_json_end_array(&w);
        kide_json_end_object(&w);
        long n = kide_json_writer_finish(&w);
        if (size > strlen(full)) {
            assert_int_equal(n, strlen(full));
            assert_string_equal(buf, full);
        } else {
            assert_int_equal(n, KIDE_JSON_ENOSPC);
            if (size)
                assert_string_equal(buf, "");
        }
        assert_true(size == 0 || buf[size] == 'X' || size >= sizeof(buf)); /* no overrun */
    }
}

static long misuse(int which)
{
    char buf[128];
    struct kide_json_writer w;
    kide_json_writer_init(&w, buf, sizeof(buf));
    switch (which) {
    case 0:
        break; /* empty document */
    case 1:
        kide_json_begin_object(&w);
        break; /* unclosed */
    case 2:
        kide_json_begin_object(&w);
        kide_json_i64(&w, 1);
        break; /* value without key */
    case 3:
        kide_json_begin_array(&w);
        kide_json_key(&w, "k");
        break; /* key in array */
    case 4:
        kide_json_begin_array(&w);
        kide_json_end_object(&w);
        break; /* wrong close */
    case 5:
        kide_json_end_array(&w);
        break; /* nothing open */
    case 6:
        kide_json_i64(&w, 1);
        kide_json_i64(&w, 2);
        break; /* two top-level values */
    case 7:
        kide_json_begin_object(&w);
        kide_json_key(&w, "a");
        kide_json_key(&w, "b"); /* key after key */
        break;
    case 8:
        kide_json_begin_object(&w);
        kide_json_key(&w, "a");
        kide_json_end_object(&w); /* key without value */
        break;
    case 9:
        kide_json_string(&w, "\xff");
        break; /* invalid UTF-8 */
    case 10:
        kide_json_number_text(&w, "01", 2);
        break;
    case 11:
        kide_json_number_text(&w, "1.", 2);
        break;
    case 12:
        kide_json_string(&w, NULL);
        break;
    case 13:
        for (int k = 0; k < KIDE_JSON_WRITER_DEPTH + 1; k++)
            kide_json_begin_array(&w);
        break;
    case 14:
        kide_json_key(&w, "k");
        break; /* key at top level */
    case 15:
        kide_json_begin_object(&w);
        kide_json_key(&w, "\xc0\x80");
        break;
    }
    if (which != 0 && which != 1)
        assert_int_not_equal(w.rc, 0);
    long rc = kide_json_writer_finish(&w);
    assert_string_equal(buf, "");
    return rc;
}

static void test_writer_misuse(void **state)
{
    for (int k = 0; k <= 15; k++) {
        long rc = misuse(k);
        if (rc != KIDE_JSON_EINVAL)
            fail_msg("misuse case %d: got %ld", k, rc);
    }
    /* exactly the maximal depth is fine */
    char buf[256];
    struct kide_json_writer w;
    kide_json_writer_init(&w, buf, sizeof(buf));
    for (int k = 0; k < KIDE_JSON_WRITER_DEPTH; k++)
        kide_json_begin_array(&w);
    for (int k = 0; k < KIDE_JSON_WRITER_DEPTH; k++)
        kide_json_end_array(&w);
    assert_int_equal(kide_json_writer_finish(&w), 2 * KIDE_JSON_WRITER_DEPTH);
}

static void test_writer_copy(void **state)
{
    const char *src = "{\"a\" : [1, 2.5e-3, \"\\u00e9\\ud83d\\ude00\\/\", {\"b\": {}}, []],"
                      " \"c\" : null , \"d\":{\"e\":false}}";
    ok(src);
    char buf[256];
    struct kide_json_writer w;
    kide_json_writer_init(&w, buf, sizeof(buf));
    kide_json_value(&w, &doc, 0);
    assert_true(kide_json_writer_finish(&w) > 0);
    assert_string_equal(buf, "{\"a\":[1,2.5e-3,\"\xc3\xa9\xf0\x9f\x98\x80/\",{\"b\":{}},[]],"
                             "\"c\":null,\"d\":{\"e\":false}}");
    /* copy a member's value into a new object */
    kide_json_writer_init(&w, buf, sizeof(buf));
    kide_json_begin_object(&w);
    kide_json_key(&w, "x");
    kide_json_value(&w, &doc, kide_json_find(&doc, 0, "d"));
    kide_json_key(&w, "y");
    kide_json_value(&w, &doc, kide_json_find(&doc, 0, "c"));
    kide_json_end_object(&w);
    assert_true(kide_json_writer_finish(&w) > 0);
    assert_string_equal(buf, "{\"x\":{\"e\":false},\"y\":null}");
    /* a key token is not a value */
    kide_json_writer_init(&w, buf, sizeof(buf));
    kide_json_value(&w, &doc, 1);
    assert_int_equal(kide_json_writer_finish(&w), KIDE_JSON_EINVAL);
    kide_json_writer_init(&w, buf, sizeof(buf));
    kide_json_value(&w, &doc, -1);
    assert_int_equal(kide_json_writer_finish(&w), KIDE_JSON_EINVAL);
}

/* Member order does not change the sorted copy; escaped keys sort by their
 * unescaped bytes; arrays keep their order; nesting inside a member works. */
static void test_writer_sorted(void **state)
{
    char a[256], b[256];
    struct kide_json_writer w;
    ok("{\"z\":1,\"a\":{\"y\":[3,{\"k\":1,\"b\":2}],\"x\":true},\"\\u0062\":null,\"aa\":\"s\"}");
    kide_json_writer_init(&w, a, sizeof(a));
    kide_json_value_sorted(&w, &doc, 0);
    assert_true(kide_json_writer_finish(&w) > 0);
    assert_string_equal(a, "{\"a\":{\"x\":true,\"y\":[3,{\"b\":2,\"k\":1}]},\"aa\":\"s\","
                           "\"b\":null,\"z\":1}");
    ok("{\"aa\":\"s\",\"b\":null,\"a\":{\"x\":true,\"y\":[3,{\"b\":2,\"k\":1}]},\"z\":1}");
    kide_json_writer_init(&w, b, sizeof(b));
    kide_json_value_sorted(&w, &doc, 0);
    assert_true(kide_json_writer_finish(&w) > 0);
    assert_string_equal(a, b);
    /* scalars and empty containers copy as they are */
    ok("[{},[],\"x\",-1.5]");
    kide_json_writer_init(&w, b, sizeof(b));
    kide_json_value_sorted(&w, &doc, 0);
    assert_int_equal(kide_json_writer_finish(&w), 16);
    assert_string_equal(b, "[{},[],\"x\",-1.5]");
    /* errors: a key token, a bad index, too small a buffer */
    ok("{\"b\":1,\"a\":2}");
    kide_json_writer_init(&w, b, sizeof(b));
    kide_json_value_sorted(&w, &doc, 1);
    assert_int_equal(kide_json_writer_finish(&w), KIDE_JSON_EINVAL);
    kide_json_writer_init(&w, b, 8);
    kide_json_value_sorted(&w, &doc, 0);
    assert_int_equal(kide_json_writer_finish(&w), KIDE_JSON_ENOSPC);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_scalars),
            cmocka_unit_test(test_structure),
            cmocka_unit_test(test_syntax_errors),
            cmocka_unit_test(test_numbers),
            cmocka_unit_test(test_strings),
            cmocka_unit_test(test_duplicate_keys),
            cmocka_unit_test(test_limits),
            cmocka_unit_test(test_error_format),
            cmocka_unit_test(test_writer),
            cmocka_unit_test(test_writer_members),
            cmocka_unit_test(test_writer_truncation),
            cmocka_unit_test(test_writer_misuse),
            cmocka_unit_test(test_writer_copy),
            cmocka_unit_test(test_writer_sorted),
    };
    return cmocka_run_group_tests_name("os-json-unit", tests, NULL, NULL);
}
