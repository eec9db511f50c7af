/* SPDX-License-Identifier: MIT */
/* goa unit tests: version ordering and bumping (version.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <cmocka.h>

#include "version.h"

static void test_cmp(void **state)
{
    assert_true(goa_version_cmp("1.9", "1.10") < 0);
    assert_true(goa_version_cmp("1.10", "1.9") > 0);
    assert_int_equal(goa_version_cmp("1.01", "1.1"), 0);
    assert_true(goa_version_cmp("2024-01-31", "2024-02-01") < 0);
    assert_true(goa_version_cmp("1.0", "1.0a") < 0);
    assert_true(goa_version_cmp("99999999999999999999", "100000000000000000000") < 0);
}

static void check_bump(const char *from, const char *today, const char *want)
{
    char *got = goa_version_bump(from, today);
    assert_string_equal(got, want);
    free(got);
}

static void test_bump(void **state)
{
    check_bump("1.2.3", "2026-11-22", "1.2.4");
    check_bump("1.9", "2026-11-22", "1.10");
    check_bump("0.99", "2026-11-22", "0.100");
    check_bump("1.0-rc1", "2026-11-22", "1.0-rc2");
    check_bump("1.0-beta", "2026-11-22", "1.1-beta");
    check_bump("alpha", "2026-11-22", "alpha.1");
    check_bump("2024-01-31", "2026-11-22", "2026-11-22");
    check_bump("2026-11-22", "2026-11-22", "2026-11-22a");
    check_bump("2026-11-22a", "2026-11-22", "2026-11-22b");
}

static void check_port(const char *from, const char *want)
{
    char *got = goa_version_port_bump(from);
    assert_string_equal(got, want);
    free(got);
}

/* Port revisions (issue 13, point 10): upstream's part never moves. */
static void test_port_revision(void **state)
{
    check_port("0.9.24", "0.9.24-kide1");
    check_port("0.9.24-kide1", "0.9.24-kide2");
    check_port("1.2.3-kide9", "1.2.3-kide10");
    check_port("2024-01-31", "2024-01-31-kide1");
    check_port("1.0-kidex", "1.0-kidex-kide1");
    assert_true(goa_version_cmp("1.2.3", "1.2.3-kide1") < 0);
    assert_true(goa_version_cmp("1.2.3-kide2", "1.2.3-kide10") < 0);
    assert_true(goa_version_cmp("1.2.3-kide10", "1.2.4") < 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_cmp),
            cmocka_unit_test(test_bump),
            cmocka_unit_test(test_port_revision),
    };
    return cmocka_run_group_tests_name("goa version", tests, NULL, NULL);
}
