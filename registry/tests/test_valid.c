/* SPDX-License-Identifier: MIT */
/* Tests of name, version, user and type validation and version order (src/valid.c). */
#include <string.h>

#include "unit.h"
#include "valid.h"

#define V(f, s) f(s, strlen(s))

static void names(void **state)
{
    char long_name[200];
    assert_true(V(reg_valid_name, "zlib"));
    assert_true(V(reg_valid_name, "Z"));
    assert_true(V(reg_valid_name, "gcc-c++_1.2"));
    assert_false(V(reg_valid_name, ""));
    assert_false(V(reg_valid_name, "."));
    assert_false(V(reg_valid_name, ".."));
    assert_false(V(reg_valid_name, ".hidden"));
    assert_false(V(reg_valid_name, "-x"));
    assert_false(V(reg_valid_name, "a/b"));
    assert_false(V(reg_valid_name, "a b"));
    assert_false(V(reg_valid_name, "a%2e"));
    assert_false(reg_valid_name("a\0b", 3));
    memset(long_name, 'a', sizeof(long_name));
    assert_true(reg_valid_name(long_name, 128));
    assert_false(reg_valid_name(long_name, 129));
}

static void versions(void **state)
{
    assert_true(V(reg_valid_version, "1.0"));
    assert_true(V(reg_valid_version, "2024-01-15"));
    assert_true(V(reg_valid_version, "1.0+git.abc"));
    assert_false(V(reg_valid_version, ".."));
    assert_false(V(reg_valid_version, "1.0~rc1"));
}

static void users(void **state)
{
    char long_user[80];
    assert_true(V(reg_valid_user, "alice"));
    assert_true(V(reg_valid_user, "0day_team-2"));
    assert_false(V(reg_valid_user, "Alice"));
    assert_false(V(reg_valid_user, "_x"));
    assert_false(V(reg_valid_user, "a.b"));
    assert_false(V(reg_valid_user, ""));
    memset(long_user, 'a', sizeof(long_user));
    assert_true(reg_valid_user(long_user, 64));
    assert_false(reg_valid_user(long_user, 65));
}

static void types(void **state)
{
    assert_true(V(reg_valid_type, "src"));
    assert_true(V(reg_valid_type, "pkg"));
    assert_true(V(reg_valid_type, "raw"));
    assert_true(V(reg_valid_type, "api"));
    assert_true(V(reg_valid_type, "bin/x86_64"));
    assert_false(V(reg_valid_type, "bin"));
    assert_false(V(reg_valid_type, "bin/"));
    assert_false(V(reg_valid_type, "bin/X86"));
    assert_false(V(reg_valid_type, "bin/x/y"));
    assert_false(V(reg_valid_type, "source"));
    assert_false(V(reg_valid_type, "sr"));
}

static int cmp(const char *a, const char *b)
{
    return reg_version_cmp(a, strlen(a), b, strlen(b));
}

static void version_order(void **state)
{
    assert_true(cmp("1.10", "1.9") > 0);
    assert_true(cmp("1.9", "1.10") < 0);
    assert_int_equal(cmp("1.0", "1.0"), 0);
    assert_int_equal(cmp("1.01", "1.1"), 0);
    assert_true(cmp("1.0.1", "1.0") > 0);
    assert_true(cmp("2024-02-01", "2024-01-31") > 0);
    assert_true(cmp("a", "b") < 0);
    assert_true(cmp("99999999999999999999999", "100000000000000000000000") < 0);
}

int reg_test_valid(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(names), cmocka_unit_test(versions),      cmocka_unit_test(users),
            cmocka_unit_test(types), cmocka_unit_test(version_order),
    };
    return cmocka_run_group_tests_name("valid", tests, NULL, NULL);
}
