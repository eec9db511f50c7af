/* SPDX-License-Identifier: MIT */
/* Unit tests: YAML to JSON (yaml2json.c) and the structural diff (diff.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diff.h"
#include "yaml2json.h"

static cJSON *conv(const char *y, int want_rc)
{
    struct kuori_err e;
    cJSON *out = NULL;
    assert_int_equal(kuori_yaml_to_json(y, strlen(y), "t.yaml", &out, &e), want_rc);
    return out;
}

static void test_types(void **state)
{
    cJSON *j = conv("a: 1\nb: -2.5\nc: true\nd: ~\ne: hello\nf: '1'\ng: \"true\"\nh:\n"
                    "i: [1, x]\nj: {k: v}\n",
                    0);
    char *s = cJSON_PrintUnformatted(j);
    (void)state;
    assert_string_equal(s, "{\"a\":1,\"b\":-2.5,\"c\":true,\"d\":null,\"e\":\"hello\",\"f\":\"1\","
                           "\"g\":\"true\",\"h\":null,\"i\":[1,\"x\"],\"j\":{\"k\":\"v\"}}");
    free(s);
    cJSON_Delete(j);
}

static void test_habitat_file(void **state)
{
    cJSON *j = conv("generation: 3\nchildren:\n  - name: demo\n    ram: 4194304\n"
                    "    cpu:\n      quota: 30\n",
                    0);
    (void)state;
    const cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "children"), 0);
    assert_string_equal(cJSON_GetObjectItem(c, "name")->valuestring, "demo");
    assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "cpu"), "quota")->valueint, 30);
    cJSON_Delete(j);
}

static void test_refused(void **state)
{
    struct kuori_err e;
    cJSON *out;
    (void)state;
    assert_null(conv("a: &x 1\nb: *x\n", KUORI_EXIT_LOCAL));
    assert_null(conv("a: 1\na: 2\n", KUORI_EXIT_LOCAL));
    assert_null(conv("- 1\n- 2\n", KUORI_EXIT_LOCAL));        /* not a mapping */
    assert_null(conv("a: 1\n---\nb: 2\n", KUORI_EXIT_LOCAL)); /* two documents */
    assert_null(conv("a: [1, 2\n", KUORI_EXIT_LOCAL));
    assert_null(conv("? [a]\n: 1\n", KUORI_EXIT_LOCAL)); /* a non-scalar key */
    assert_null(conv("", KUORI_EXIT_LOCAL));
    /* nesting beyond 32 */
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    assert_int_equal(kuori_yaml_to_json(deep, strlen(deep), "deep", &out, &e), KUORI_EXIT_LOCAL);
    assert_non_null(strstr(e.msg, "nested deeper"));
    const char *dup = "a: 1\nb: {c: 1, c: 2}\n";
    kuori_yaml_to_json(dup, strlen(dup), "dup.yaml", &out, &e);
    assert_non_null(strstr(e.msg, "dup.yaml:2: duplicate key \"c\""));
}

static void test_diff(void **state)
{
    cJSON *a = cJSON_Parse("{\"children\":[{\"name\":\"demo\",\"ram\":1},{\"name\":\"bad\","
                           "\"ram\":2}],\"exit_with\":\"demo\"}");
    cJSON *b = cJSON_Parse("{\"children\":[{\"name\":\"new\",\"ram\":3},{\"name\":\"demo\","
                           "\"ram\":5}]}");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;
    assert_int_equal(kuori_diff(f, a, b, 0), 4);
    fclose(f);
    assert_string_equal(buf, "+ children[new]: {\"name\":\"new\",\"ram\":3}\n"
                             "~ children[demo].ram: 1 -> 5\n"
                             "- children[bad]: {\"name\":\"bad\",\"ram\":2}\n"
                             "- exit_with: \"demo\"\n");
    assert_int_equal(kuori_diff(NULL, a, a, 0), 0);
    free(buf);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

/* Keys and names in a path come from the agent's configuration too: never raw. */
static void test_diff_hostile_keys(void **state)
{
    cJSON *a = cJSON_Parse("{\"children\":[{\"name\":\"x\\u001b[2J\",\"config\":"
                           "{\"k\\u001b]0;t\\u0007\\u009b\":1}}]}");
    cJSON *b = cJSON_Parse("{\"children\":[{\"name\":\"x\\u001b[2J\",\"config\":{}}]}");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    (void)state;
    assert_int_equal(kuori_diff(f, a, b, 0), 1);
    fclose(f);
    assert_string_equal(buf, "- children[x?[2J].config.k?]0;t???: 1\n");
    free(buf);
    cJSON_Delete(a);
    cJSON_Delete(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_types),
            cmocka_unit_test(test_habitat_file),
            cmocka_unit_test(test_refused),
            cmocka_unit_test(test_diff),
            cmocka_unit_test(test_diff_hostile_keys),
    };
    return cmocka_run_group_tests_name("kuori yaml and diff", tests, NULL, NULL);
}
