/* SPDX-License-Identifier: MIT */
/* Unit tests: bytes, percent, durations and their formatting (units.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "units.h"

static void test_bytes(void **state)
{
    uint64_t v;
    (void)state;
    assert_int_equal(kuori_parse_bytes("4096", &v), 0);
    assert_int_equal(v, 4096);
    assert_int_equal(kuori_parse_bytes("64M", &v), 0);
    assert_int_equal(v, 64ull << 20);
    assert_int_equal(kuori_parse_bytes("1G", &v), 0);
    assert_int_equal(v, 1ull << 30);
    assert_int_equal(kuori_parse_bytes("2KiB", &v), 0);
    assert_int_equal(v, 2048);
    assert_int_equal(kuori_parse_bytes("3MB", &v), 0);
    assert_int_equal(v, 3ull << 20);
    assert_int_equal(kuori_parse_bytes("64X", &v), -1);
    assert_int_equal(kuori_parse_bytes("-1M", &v), -1);
    assert_int_equal(kuori_parse_bytes(" 1M", &v), -1);
    assert_int_equal(kuori_parse_bytes("M", &v), -1);
    assert_int_equal(kuori_parse_bytes("", &v), -1);
    assert_int_equal(kuori_parse_bytes("99999999999999999999", &v), -1);
    assert_int_equal(kuori_parse_bytes("17179869184T", &v), -1); /* 2^34 T overflows */
}

static void test_percent_and_uint(void **state)
{
    unsigned p;
    uint64_t v;
    (void)state;
    assert_int_equal(kuori_parse_percent("30%", &p), 0);
    assert_int_equal(p, 30);
    assert_int_equal(kuori_parse_percent("100", &p), 0);
    assert_int_equal(kuori_parse_percent("0%", &p), -1);
    assert_int_equal(kuori_parse_percent("101%", &p), -1);
    assert_int_equal(kuori_parse_percent("30%%", &p), -1);
    assert_int_equal(kuori_parse_uint("256", 1000, &v), 0);
    assert_int_equal(v, 256);
    assert_int_equal(kuori_parse_uint("1001", 1000, &v), -1);
    assert_int_equal(kuori_parse_uint("12a", 1000, &v), -1);
}

static void test_duration(void **state)
{
    uint64_t ms;
    (void)state;
    assert_int_equal(kuori_parse_duration("2s", &ms), 0);
    assert_int_equal(ms, 2000);
    assert_int_equal(kuori_parse_duration("500ms", &ms), 0);
    assert_int_equal(ms, 500);
    assert_int_equal(kuori_parse_duration("1h", &ms), 0);
    assert_int_equal(ms, 3600000);
    assert_int_equal(kuori_parse_duration("5m", &ms), 0);
    assert_int_equal(ms, 300000);
    assert_int_equal(kuori_parse_duration("7", &ms), 0);
    assert_int_equal(ms, 7000);
    assert_int_equal(kuori_parse_duration("1w", &ms), -1);
    assert_int_equal(kuori_parse_duration("s", &ms), -1);
}

static void test_format(void **state)
{
    char b[32];
    (void)state;
    kuori_fmt_bytes(512, b, sizeof b);
    assert_string_equal(b, "512B");
    kuori_fmt_bytes(401408, b, sizeof b);
    assert_string_equal(b, "392K");
    kuori_fmt_bytes(4194304, b, sizeof b);
    assert_string_equal(b, "4.0M");
    kuori_fmt_bytes(64ull << 30, b, sizeof b);
    assert_string_equal(b, "64G");
    kuori_fmt_uptime(850000000ull, b, sizeof b);
    assert_string_equal(b, "850ms");
    kuori_fmt_uptime(42000000000ull, b, sizeof b);
    assert_string_equal(b, "42s");
    kuori_fmt_uptime(312000000000ull, b, sizeof b);
    assert_string_equal(b, "5m12s");
    kuori_fmt_uptime(7380000000000ull, b, sizeof b);
    assert_string_equal(b, "2h03m");
    kuori_fmt_uptime(352800000000000ull, b, sizeof b);
    assert_string_equal(b, "4d02h");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_bytes),
            cmocka_unit_test(test_percent_and_uint),
            cmocka_unit_test(test_duration),
            cmocka_unit_test(test_format),
    };
    return cmocka_run_group_tests_name("kuori units", tests, NULL, NULL);
}
