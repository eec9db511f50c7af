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
            cmocka_unit_test(test_json_and_yaml),
            cmocka_unit_test(test_fmt_parse),
            cmocka_unit_test(test_no_color),
    };
    return cmocka_run_group_tests_name("kuori printers", tests, NULL, NULL);
}
