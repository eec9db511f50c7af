/* SPDX-License-Identifier: MIT */
/* test_http_parse: host unit tests of http_parse (cmocka, ASan+UBSan).
 *
 * Each case parses one head given as a C string and checks the result and,
 * for a complete head, what was read from it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "http_parse.h"

static enum http_parse_result parse(const char *s, struct http_req *req)
{
    return http_parse((const kide_u8 *)s, strlen(s), req);
}

static void test_get_root(void **state)
{
    struct http_req r;
    const char *s = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    assert_int_equal(parse(s, &r), HTTP_PARSE_OK);
    assert_int_equal(r.method, HTTP_GET);
    assert_string_equal(r.path, "/");
    assert_int_equal(r.minor, 1);
    assert_int_equal(r.keep_alive, 1);
    assert_int_equal(r.head_len, strlen(s));
}

static void test_query_and_head(void **state)
{
    struct http_req r;
    assert_int_equal(parse("HEAD /healthz?x=1 HTTP/1.1\r\n\r\n", &r), HTTP_PARSE_OK);
    assert_int_equal(r.method, HTTP_HEAD);
    assert_string_equal(r.path, "/healthz");
    assert_int_equal(parse("DELETE /x HTTP/1.1\r\n\r\n", &r), HTTP_PARSE_OK);
    assert_int_equal(r.method, HTTP_OTHER);
}

static void test_keep_alive(void **state)
{
    struct http_req r;
    assert_int_equal(parse("GET / HTTP/1.0\r\n\r\n", &r), HTTP_PARSE_OK);
    assert_int_equal(r.keep_alive, 0);
    assert_int_equal(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r), HTTP_PARSE_OK);
    assert_int_equal(r.keep_alive, 1);
    assert_int_equal(parse("GET / HTTP/1.1\r\nconnection: foo, close \r\n\r\n", &r), HTTP_PARSE_OK);
    assert_int_equal(r.keep_alive, 0);
}

static void test_incomplete(void **state)
{
    struct http_req r;
    assert_int_equal(parse("", &r), HTTP_PARSE_INCOMPLETE);
    assert_int_equal(parse("GET / HTTP/1.1\r\nHost: x\r\n", &r), HTTP_PARSE_INCOMPLETE);
    assert_int_equal(parse("GET / HTTP/1.1\r\n\r", &r), HTTP_PARSE_INCOMPLETE);
}

static void test_pipelined(void **state)
{
    struct http_req r;
    const char *s = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
    assert_int_equal(parse(s, &r), HTTP_PARSE_OK);
    assert_string_equal(r.path, "/a");
    assert_int_equal(r.head_len, 19);
    assert_int_equal(parse(s + r.head_len, &r), HTTP_PARSE_OK);
    assert_string_equal(r.path, "/b");
}

static void test_bad(void **state)
{
    static const char *const bad[] = {
            "\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 \r\n\r\n",
            "GET / HTTP/2.0\r\n\r\n",
            "GET / HTTP/1.1\n\r\n\r\n",
            "GET / HTTP/1.1\r\nHost x\r\n\r\n",
            "GET / HTTP/1.1\r\n: x\r\n\r\n",
            "GET / HTTP/1.1\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
            "get / HTTP/1.1\r\n\r\n",
            "GET x HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length:\r\n\r\n",
            "GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "ABCDEFGHIJKLMNOPQ / HTTP/1.1\r\n\r\n",
    };
    struct http_req r;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (parse(bad[i], &r) != HTTP_PARSE_BAD)
            fail_msg("accepted: case %zu", i);
    }
    /* A NUL inside the head. */
    static const kide_u8 nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n";
    assert_int_equal(http_parse(nul, sizeof nul - 1, &r), HTTP_PARSE_BAD);
}

static void test_long_path(void **state)
{
    static char s[HTTP_PATH_MAX + 64];
    struct http_req r;
    memset(s, 'a', sizeof s);
    memcpy(s, "GET /", 5);
    strcpy(s + HTTP_PATH_MAX + 4, " HTTP/1.1\r\n\r\n");
    assert_int_equal(parse(s, &r), HTTP_PARSE_BAD);
    strcpy(s + HTTP_PATH_MAX + 3, " HTTP/1.1\r\n\r\n"); /* a path of HTTP_PATH_MAX - 1 bytes */
    assert_int_equal(parse(s, &r), HTTP_PARSE_OK);
    assert_int_equal(strlen(r.path), HTTP_PATH_MAX - 1);
}

static void test_too_large(void **state)
{
    static kide_u8 s[HTTP_HEAD_MAX + 100];
    struct http_req r;
    memcpy(s, "GET / HTTP/1.1\r\nX: ", 19);
    memset(s + 19, 'a', sizeof s - 19);
    assert_int_equal(http_parse(s, HTTP_HEAD_MAX - 1, &r), HTTP_PARSE_INCOMPLETE);
    assert_int_equal(http_parse(s, HTTP_HEAD_MAX, &r), HTTP_PARSE_TOO_LARGE);
    assert_int_equal(http_parse(s, sizeof s, &r), HTTP_PARSE_TOO_LARGE);
    /* A head of exactly HTTP_HEAD_MAX bytes is served. */
    memcpy(s + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
    assert_int_equal(http_parse(s, sizeof s, &r), HTTP_PARSE_OK);
    assert_int_equal(r.head_len, HTTP_HEAD_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_get_root),   cmocka_unit_test(test_query_and_head),
            cmocka_unit_test(test_keep_alive), cmocka_unit_test(test_incomplete),
            cmocka_unit_test(test_pipelined),  cmocka_unit_test(test_bad),
            cmocka_unit_test(test_long_path),  cmocka_unit_test(test_too_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
