/* SPDX-License-Identifier: MIT */
/* Unit tests: the table, JSON and YAML printers (out.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conn.h"
#include "out.h"

static char *buf;
static size_t len;

static FILE *mem(void)
{
    free(buf);
    buf = NULL;
    return open_memstream(&buf, &len);
}

static void test_table(void **state)
{
    static const char *const hdr[] = {"NAME", "STATE", "CPU%"};
    struct kuori_table t;
    FILE *f = mem();
    (void)state;
    kuori_table_init(&t, 3, hdr);
    kuori_table_row(&t, (const char *const[]){"timer", "running", "1.0"});
    kuori_table_row(&t, (const char *const[]){"demo", "running\033[2J", "20.0"});
    kuori_table_row(&t, (const char *const[]){"bad", NULL, "0.0"});
    kuori_table_sort(&t, 2, 1, 1);
    kuori_table_print(&t, f, 0);
    fclose(f);
    assert_string_equal(buf, "NAME   STATE        CPU%\n"
                             "demo   running?[2J  20.0\n"
                             "timer  running      1.0\n"
                             "bad    -            0.0\n");
    f = mem();
    kuori_table_sort(&t, 0, 0, 0);
    kuori_table_print(&t, f, 1);
    fclose(f);
    assert_non_null(strstr(buf, "\033[1mNAME"));
    assert_non_null(strstr(buf, "bad    -"));
    kuori_table_free(&t);
}

/* C1 controls encoded in UTF-8 (U+0080..U+009F: U+009B is CSI, U+009D OSC to many
 * terminals) are replaced like C0 ones; other UTF-8 (continuation bytes 0x80..0x9f of
 * longer characters included) stays. */
static void test_c1_controls(void **state)
{
    static const char *const hdr[] = {"NAME"};
    struct kuori_table t;
    char s[] = "x\xc2\x9b"
               "2J\xc2\x9d"
               "0;t\xc2\x9c \xc3\xa9\xe2\x82\xac\xc2\xa0";
    FILE *f = mem();
    (void)state;
    kuori_table_init(&t, 1, hdr);
    kuori_table_row(&t, (const char *const[]){s});
    kuori_table_print(&t, f, 0);
    fclose(f);
    assert_string_equal(buf, "NAME\nx??2J??0;t?? \xc3\xa9\xe2\x82\xac\xc2\xa0\n");
    kuori_table_free(&t);
    kuori_sanitize(s);
    assert_string_equal(s, "x??2J??0;t?? \xc3\xa9\xe2\x82\xac\xc2\xa0");
}

/* Every error message is for a terminal and often quotes the agent: sanitized once,
 * where it is made. */
static void test_error_message_sanitized(void **state)
{
    struct kuori_err e;
    (void)state;
    kuori_fail(&e, 5, "pin", NULL, "the agent reports fingerprint %s",
               "x\033[2J\xc2\x9b"
               "2J");
    assert_string_equal(e.msg, "the agent reports fingerprint x?[2J??2J");
}

static void test_json_and_yaml(void **state)
{
    cJSON *v = cJSON_Parse("{\"name\":\"demo\",\"ram\":{\"used\":1,\"quota\":2},"
                           "\"list\":[1,{\"a\":\"x: y\",\"b\":[]}],\"empty\":{},"
                           "\"odd key\":null,\"t\":true}");
    FILE *f = mem();
    (void)state;
    kuori_out_json(f, v);
    fclose(f);
    assert_string_equal(buf,
                        "{\"name\":\"demo\",\"ram\":{\"used\":1,\"quota\":2},\"list\":[1,{\"a\":"
                        "\"x: y\",\"b\":[]}],\"empty\":{},\"odd key\":null,\"t\":true}\n");
    f = mem();
    kuori_out_yaml(f, v);
    fclose(f);
    assert_string_equal(buf, "name: \"demo\"\n"
                             "ram:\n"
                             "  used: 1\n"
                             "  quota: 2\n"
                             "list:\n"
                             "- 1\n"
                             "- a: \"x: y\"\n"
                             "  b: []\n"
                             "empty: {}\n"
                             "\"odd key\": null\n"
                             "t: true\n");
    f = mem();
    kuori_out_value(f, KUORI_FMT_YAML, v);
    fclose(f);
    assert_memory_equal(buf, "---\nname:", 9);
    cJSON_Delete(v);
    free(buf);
    buf = NULL;
}

/* cJSON escapes C0 controls but writes C1 ones (U+0080..U+009F) as raw UTF-8, which a
 * terminal may take as CSI or OSC: -o json and -o yaml escape them too. */
static void test_json_and_yaml_escape_c1(void **state)
{
    cJSON *v = cJSON_Parse("{\"n\\u009b\":\"x\\u001b\\u009b2J\\u00a0\"}");
    FILE *f = mem();
    (void)state;
    kuori_out_json(f, v);
    fclose(f);
    assert_string_equal(buf, "{\"n\\u009b\":\"x\\u001b\\u009b2J\xc2\xa0\"}\n");
    f = mem();
    kuori_out_yaml(f, v);
    fclose(f);
    assert_string_equal(buf, "\"n\\u009b\": \"x\\u001b\\u009b2J\xc2\xa0\"\n");
    cJSON_Delete(v);
    free(buf);
    buf = NULL;
}

static void test_fmt_parse(void **state)
{
    (void)state;
    assert_int_equal(kuori_fmt_parse("table"), KUORI_FMT_TABLE);
    assert_int_equal(kuori_fmt_parse("json"), KUORI_FMT_JSON);
    assert_int_equal(kuori_fmt_parse("yaml"), KUORI_FMT_YAML);
    assert_int_equal(kuori_fmt_parse("xml"), -1);
}

static void test_no_color(void **state)
{
    FILE *f = tmpfile();
    (void)state;
    setenv("NO_COLOR", "1", 1);
    assert_int_equal(kuori_out_color(stdout), 0);
    unsetenv("NO_COLOR");
    assert_int_equal(kuori_out_color(f), 0); /* a file is not a terminal */
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_table),
            cmocka_unit_test(test_c1_controls),
            cmocka_unit_test(test_json_and_yaml),
            cmocka_unit_test(test_fmt_parse),
            cmocka_unit_test(test_no_color),
            cmocka_unit_test(test_error_message_sanitized),
            cmocka_unit_test(test_json_and_yaml_escape_c1),
    };
    return cmocka_run_group_tests_name("kuori printers", tests, NULL, NULL);
}
