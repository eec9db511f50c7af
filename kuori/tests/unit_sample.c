/* SPDX-License-Identifier: MIT */
/* Unit tests: CPU rates and component rows from samples (sample.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "sample.h"

static const char *S1 = "{\"seq\":1,\"time_ns\":1000000000,\"components\":["
                        "{\"name\":\"demo\",\"state\":\"running\",\"cpu\":{\"ns\":100000000,"
                        "\"quota\":50},\"ram\":{\"used\":4096,\"quota\":8192},\"restarts\":0},"
                        "{\"name\":\"crash\",\"state\":\"running\",\"cpu\":{\"ns\":900000000}}]}";
static const char *S2 = "{\"seq\":2,\"time_ns\":1500000000,\"components\":["
                        "{\"name\":\"demo\",\"state\":\"running\",\"cpu\":{\"ns\":200000000,"
                        "\"quota\":30},\"ram\":{\"used\":4096,\"quota\":8192},\"restarts\":1},"
                        "{\"name\":\"crash\",\"state\":\"running\",\"cpu\":{\"ns\":50000000}},"
                        "{\"name\":\"new\",\"cpu\":{\"ns\":-5}},\"junk\"]}";

static void test_rate(void **state)
{
    (void)state;
    assert_float_equal(kuori_cpu_percent(0, 500000000, 0, 1000000000), 50.0, 1e-9);
    assert_float_equal(kuori_cpu_percent(0, 2000000000, 0, 1000000000), 200.0, 1e-9);
    /* the counter went back (restart): count from zero */
    assert_float_equal(kuori_cpu_percent(900, 100, 0, 1000), 10.0, 1e-9);
    assert_float_equal(kuori_cpu_percent(0, 100, 5, 5), 0.0, 1e-9); /* no time passed */
}

static void test_rows(void **state)
{
    cJSON *a = cJSON_Parse(S1), *b = cJSON_Parse(S2);
    struct kuori_row *r;
    int n = kuori_sample_rows(a, b, &r);
    (void)state;
    assert_int_equal(n, 3); /* "junk" is skipped */
    assert_string_equal(r[0].name, "demo");
    assert_float_equal(r[0].cpu_pct, 20.0, 1e-9); /* 100 ms over 500 ms */
    assert_int_equal(r[0].cpu_quota, 30);
    assert_int_equal(r[0].restarts, 1);
    assert_float_equal(r[1].cpu_pct, 10.0, 1e-9); /* restarted: 50 ms over 500 ms */
    assert_float_equal(r[2].cpu_pct, -1, 1e-9);   /* new: no previous sample */
    assert_int_equal(r[2].cpu_ns, 0);             /* a negative counter reads as 0 */
    assert_string_equal(r[2].state, "?");
    free(r);
    kuori_sample_annotate(b, a);
    assert_float_equal(
            cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "components"), 0),
                                "cpu_percent")
                    ->valuedouble,
            20.0, 1e-9);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(
            cJSON_GetArrayItem(cJSON_GetObjectItem(b, "components"), 2), "cpu_percent")));
    assert_int_equal(kuori_sample_rows(NULL, cJSON_GetObjectItem(b, "seq"), &r), -1);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

static void test_report_children(void **state)
{
    cJSON *rep = cJSON_Parse("{\"children\":[{\"name\":\"x\",\"state\":\"stopped\"}]}");
    struct kuori_row *r;
    (void)state;
    assert_int_equal(kuori_sample_rows(NULL, rep, &r), 1);
    assert_string_equal(r[0].state, "stopped");
    assert_int_equal(kuori_num(rep, "children"), 0);
    free(r);
    cJSON_Delete(rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_rate),
            cmocka_unit_test(test_rows),
            cmocka_unit_test(test_report_children),
    };
    return cmocka_run_group_tests_name("kuori samples", tests, NULL, NULL);
}
