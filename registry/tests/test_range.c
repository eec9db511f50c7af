/* SPDX-License-Identifier: MIT */
/* Tests of the Range header parser (src/range.c). */
#include <errno.h>

#include "range.h"
#include "unit.h"

static void satisfiable(void **state)
{
    uint64_t off, len;
    assert_int_equal(reg_range_parse("bytes=0-9", 100, &off, &len), REG_RANGE_OK);
    assert_int_equal(off, 0);
    assert_int_equal(len, 10);
    assert_int_equal(reg_range_parse("bytes=90-", 100, &off, &len), REG_RANGE_OK);
    assert_int_equal(off, 90);
    assert_int_equal(len, 10);
    assert_int_equal(reg_range_parse("bytes=-5", 100, &off, &len), REG_RANGE_OK);
    assert_int_equal(off, 95);
    assert_int_equal(len, 5);
    assert_int_equal(reg_range_parse("bytes=-500", 100, &off, &len), REG_RANGE_OK);
    assert_int_equal(off, 0);
    assert_int_equal(len, 100);
    assert_int_equal(reg_range_parse("bytes=50-1000", 100, &off, &len), REG_RANGE_OK);
    assert_int_equal(len, 50);
}

static void unsatisfiable(void **state)
{
    uint64_t off, len;
    assert_int_equal(reg_range_parse("bytes=100-", 100, &off, &len), -ERANGE);
    assert_int_equal(reg_range_parse("bytes=200-300", 100, &off, &len), -ERANGE);
    assert_int_equal(reg_range_parse("bytes=-0", 100, &off, &len), -ERANGE);
    assert_int_equal(reg_range_parse("bytes=0-", 0, &off, &len), -ERANGE);
}

static void ignored(void **state)
{
    uint64_t off, len;
    assert_int_equal(reg_range_parse("items=0-1", 100, &off, &len), REG_RANGE_IGNORE);
    assert_int_equal(reg_range_parse("bytes=0-1,5-6", 100, &off, &len), REG_RANGE_IGNORE);
    assert_int_equal(reg_range_parse("bytes=5-1", 100, &off, &len), REG_RANGE_IGNORE);
    assert_int_equal(reg_range_parse("bytes=x-1", 100, &off, &len), REG_RANGE_IGNORE);
    assert_int_equal(reg_range_parse("bytes=1-2x", 100, &off, &len), REG_RANGE_IGNORE);
    assert_int_equal(reg_range_parse("bytes=99999999999999999999999-", 100, &off, &len),
                     REG_RANGE_IGNORE);
}

/* If-None-Match compares whole entity tags (issue 12, point 7: it matched substrings). */
static void if_none_match(void **state)
{
    const char *t = "\"abc\"";
    assert_true(reg_etag_matches("\"abc\"", t));
    assert_true(reg_etag_matches("*", t));
    assert_true(reg_etag_matches(" \"x\" , W/\"abc\"", t));
    assert_true(reg_etag_matches("\"x\",\"abc\"", t));
    assert_false(reg_etag_matches(NULL, t));
    assert_false(reg_etag_matches("", t));
    assert_false(reg_etag_matches("x\"abc\"x", t));
    assert_false(reg_etag_matches("\"abc\"junk", t));
    assert_false(reg_etag_matches("\"xabc\"", t));
    assert_false(reg_etag_matches("\"abc", t));
    assert_false(reg_etag_matches("**", t));
}

int reg_test_range(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(satisfiable),
            cmocka_unit_test(unsatisfiable),
            cmocka_unit_test(ignored),
            cmocka_unit_test(if_none_match),
    };
    return cmocka_run_group_tests_name("range", tests, NULL, NULL);
}
