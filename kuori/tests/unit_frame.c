/* SPDX-License-Identifier: MIT */
/* Unit tests: framing and message classification (frame.c), agent error mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn.h"
#include "frame.h"

static int feed_all(struct kuori_rx *rx, const unsigned char *p, size_t n, cJSON **out,
                    struct kuori_err *e)
{
    size_t used;
    int r = kuori_rx_feed(rx, p, n, &used, e);
    if (r == 1)
        return kuori_rx_take(rx, out, e);
    return r == 0 ? -1 : r;
}

static void test_roundtrip_bytewise(void **state)
{
    cJSON *req = cJSON_Parse("{\"op\":\"state\",\"id\":7}"), *out = NULL;
    unsigned char *buf;
    size_t len, used;
    struct kuori_rx rx = {0};
    struct kuori_err e;
    int r = 0;
    (void)state;
    assert_int_equal(kuori_frame_encode(req, &buf, &len, &e), 0);
    assert_int_equal(buf[3], len - 4);
    for (size_t i = 0; i < len; i++) { /* one byte at a time */
        r = kuori_rx_feed(&rx, buf + i, 1, &used, &e);
        assert_int_equal(used, 1);
        assert_int_equal(r, i + 1 == len ? 1 : 0);
    }
    assert_int_equal(kuori_rx_take(&rx, &out, &e), 0);
    assert_true(cJSON_Compare(req, out, 1));
    free(buf);
    cJSON_Delete(req);
    cJSON_Delete(out);
}

static void test_bad_frames(void **state)
{
    struct kuori_rx rx = {0};
    struct kuori_err e;
    cJSON *out = NULL;
    (void)state;
    assert_int_equal(feed_all(&rx, (const unsigned char *)"\0\0\0\0", 4, &out, &e),
                     KUORI_EXIT_SERVER);
    kuori_rx_free(&rx);
    assert_int_equal(feed_all(&rx, (const unsigned char *)"\0\x10\0\x01", 4, &out, &e),
                     KUORI_EXIT_SERVER); /* 1 MiB + 1 */
    assert_non_null(strstr(e.msg, "1048577 bytes"));
    kuori_rx_free(&rx);
    assert_int_equal(feed_all(&rx, (const unsigned char *)"\0\0\0\x03[1]", 7, &out, &e),
                     KUORI_EXIT_SERVER); /* not an object */
    assert_int_equal(feed_all(&rx, (const unsigned char *)"\0\0\0\x04{}{}", 8, &out, &e),
                     KUORI_EXIT_SERVER); /* two values */
    assert_int_equal(feed_all(&rx, (const unsigned char *)"\0\0\0\x03{}\0", 7, &out, &e),
                     KUORI_EXIT_SERVER); /* a NUL inside */
    assert_int_equal(feed_all(&rx, (const unsigned char *)"\0\0\0\x03{} ", 7, &out, &e), 0);
    cJSON_Delete(out);
}

static void test_classify(void **state)
{
    static const struct {
        const char *json;
        int rc, kind;
    } cases[] = {
            {"{\"id\":1,\"ok\":true,\"result\":{}}", 0, KUORI_MSG_OK},
            {"{\"id\":1,\"ok\":true}", KUORI_EXIT_SERVER, 0},
            {"{\"id\":2,\"ok\":false,\"error\":{\"code\":\"stale\",\"message\":\"m\"}}", 0,
             KUORI_MSG_ERROR},
            {"{\"id\":2,\"ok\":false,\"error\":{\"code\":1,\"message\":\"m\"}}", KUORI_EXIT_SERVER,
             0},
            {"{\"id\":3,\"stream\":\"watch\",\"data\":{}}", 0, KUORI_MSG_STREAM},
            {"{\"id\":3,\"end\":\"cancelled\"}", 0, KUORI_MSG_END},
            {"{\"id\":0,\"ok\":true,\"result\":{}}", KUORI_EXIT_SERVER, 0},
            {"{\"id\":1.5,\"ok\":true,\"result\":{}}", KUORI_EXIT_SERVER, 0},
            {"{\"id\":9007199254740992,\"ok\":true,\"result\":{}}", KUORI_EXIT_SERVER, 0},
            {"{\"id\":\"1\",\"ok\":true,\"result\":{}}", KUORI_EXIT_SERVER, 0},
            {"{\"id\":1}", KUORI_EXIT_SERVER, 0},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *j = cJSON_Parse(cases[i].json);
        struct kuori_msg m;
        struct kuori_err e;
        assert_int_equal(kuori_msg_classify(j, &m, &e), cases[i].rc);
        if (!cases[i].rc)
            assert_int_equal(m.kind, cases[i].kind);
        cJSON_Delete(j);
    }
}

static void test_agent_errors(void **state)
{
    cJSON *j = cJSON_Parse("{\"id\":2,\"ok\":false,\"error\":{\"code\":\"stale\",\"message\":"
                           "\"gen\\u001b[2J\",\"current\":4}}");
    struct kuori_msg m;
    struct kuori_err e;
    (void)state;
    assert_int_equal(kuori_msg_classify(j, &m, &e), 0);
    assert_int_equal(kuori_agent_error("a", &m, &e), KUORI_EXIT_REJECTED);
    assert_string_equal(e.msg, "a: gen?[2J (stale)"); /* no escape reaches the terminal */
    assert_int_equal(e.current, 4);
    assert_int_equal(kuori_exit_for_code("denied"), KUORI_EXIT_DENIED);
    assert_int_equal(kuori_exit_for_code("token"), KUORI_EXIT_DENIED);
    assert_int_equal(kuori_exit_for_code("not-found"), KUORI_EXIT_NOTFOUND);
    assert_int_equal(kuori_exit_for_code("whatever"), KUORI_EXIT_SERVER);
    cJSON_Delete(j);
}

static void test_request_too_large(void **state)
{
    cJSON *req = cJSON_CreateObject();
    char *big = malloc(70000);
    unsigned char *buf;
    size_t len;
    struct kuori_err e;
    (void)state;
    memset(big, 'x', 69999);
    big[69999] = 0;
    cJSON_AddStringToObject(req, "op", big);
    assert_int_equal(kuori_frame_encode(req, &buf, &len, &e), KUORI_EXIT_USAGE);
    assert_null(buf);
    free(big);
    cJSON_Delete(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_roundtrip_bytewise), cmocka_unit_test(test_bad_frames),
            cmocka_unit_test(test_classify),           cmocka_unit_test(test_agent_errors),
            cmocka_unit_test(test_request_too_large),
    };
    return cmocka_run_group_tests_name("kuori framing", tests, NULL, NULL);
}
