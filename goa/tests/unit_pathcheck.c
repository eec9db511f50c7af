/* SPDX-License-Identifier: MIT */
/* goa unit tests: path, link and name checks (pathcheck.c).
 *
 * Table-driven: each case names the input and the expected verdict, so a
 * new attack shape is one line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "pathcheck.h"

static void test_path_inside(void **state)
{
    static const struct {
        const char *p;
        bool ok;
    } cases[] = {
            {"a", true},       {"a/b/c", true},      {"./a", true},
            {"a//b/", true},   {"a/../b", true},     {"a/b/../../c", true},
            {".", true},       {"", false},          {"/etc/passwd", false},
            {"..", false},     {"../a", false},      {"a/../../b", false},
            {"./../a", false}, {"a/./../..", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(goa_path_inside(cases[i].p), cases[i].ok);
    assert_false(goa_path_inside(NULL));
}

static void test_link_inside(void **state)
{
    assert_true(goa_link_inside("a/link", "b"));
    assert_true(goa_link_inside("a/link", "../b"));
    assert_true(goa_link_inside("a/b/link", "../../c"));
    assert_false(goa_link_inside("link", "../x"));
    assert_false(goa_link_inside("a/link", "../../x"));
    assert_false(goa_link_inside("a/link", "/etc/passwd"));
    assert_false(goa_link_inside("a/link", ""));
    assert_false(goa_link_inside("../link", "x"));
    assert_true(goa_link_inside("a/./link", "x/../y"));
}

static void test_names(void **state)
{
    assert_true(goa_valid_name("sqlite"));
    assert_true(goa_valid_name("3.44.2"));
    assert_true(goa_valid_name("a+b_c-d"));
    assert_false(goa_valid_name("."));
    assert_false(goa_valid_name(".."));
    assert_false(goa_valid_name(".hidden"));
    assert_false(goa_valid_name("a/b"));
    assert_false(goa_valid_name(""));
    char long_name[130];
    memset(long_name, 'a', 129);
    long_name[129] = '\0';
    assert_false(goa_valid_name(long_name));
    long_name[128] = '\0';
    assert_true(goa_valid_name(long_name));
    assert_true(goa_valid_user("kide"));
    assert_true(goa_valid_user("a_b-1"));
    assert_false(goa_valid_user("Kide"));
    assert_false(goa_valid_user("-x"));
    assert_true(goa_valid_type("src"));
    assert_true(goa_valid_type("bin/x86_64"));
    assert_false(goa_valid_type("bin/"));
    assert_false(goa_valid_type("bin/.."));
    assert_false(goa_valid_type("lib"));
    assert_true(
            goa_valid_sha256("1c6719a148bc41cf0f2bbbe3926d7ce3f5ca09d878f1246fcc20767b175bb407"));
    assert_false(goa_valid_sha256("1c6719a1"));
    assert_false(
            goa_valid_sha256("zc6719a148bc41cf0f2bbbe3926d7ce3f5ca09d878f1246fcc20767b175bb407"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_path_inside),
            cmocka_unit_test(test_link_inside),
            cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("goa pathcheck", tests, NULL, NULL);
}
