/* SPDX-License-Identifier: MIT */
/* Tests of token generation, format checks and hashing (src/token.c). */
#include <errno.h>
#include <string.h>

#include "token.h"
#include "unit.h"

static void fresh_tokens(void **state)
{
    char t1[REG_TOKEN_LEN + 1], t2[REG_TOKEN_LEN + 1], id1[REG_TOKEN_ID_LEN + 1],
            id2[REG_TOKEN_ID_LEN + 1], parsed[REG_TOKEN_ID_LEN + 1];
    assert_int_equal(reg_token_new(t1, id1), 0);
    assert_int_equal(reg_token_new(t2, id2), 0);
    assert_int_equal(strlen(t1), REG_TOKEN_LEN);
    assert_string_not_equal(t1, t2);
    assert_string_not_equal(id1, id2);
    assert_int_equal(reg_token_parse(t1, strlen(t1), parsed), 0);
    assert_string_equal(parsed, id1);
}

static void malformed(void **state)
{
    char t[REG_TOKEN_LEN + 1], id[REG_TOKEN_ID_LEN + 1];
    assert_int_equal(reg_token_new(t, id), 0);
    assert_int_equal(reg_token_parse(t, strlen(t) - 1, id), -EINVAL);
    assert_int_equal(reg_token_parse("", 0, id), -EINVAL);
    t[0] = 'K';
    assert_int_equal(reg_token_parse(t, strlen(t), id), -EINVAL);
    t[0] = 'k';
    t[3 + REG_TOKEN_ID_LEN] = '-';
    assert_int_equal(reg_token_parse(t, strlen(t), id), -EINVAL);
    t[3 + REG_TOKEN_ID_LEN] = '_';
    t[REG_TOKEN_LEN - 1] = 'G';
    assert_int_equal(reg_token_parse(t, strlen(t), id), -EINVAL);
}

static void hashing(void **state)
{
    uint8_t a[32], b[32], c[32];
    reg_token_hash("kr_x", 4, a);
    reg_token_hash("kr_x", 4, b);
    reg_token_hash("kr_y", 4, c);
    assert_true(reg_token_hash_eq(a, b));
    assert_false(reg_token_hash_eq(a, c));
    /* Known answer: SHA-256("abc"). */
    static const uint8_t abc[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
                                    0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
                                    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
                                    0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    reg_token_hash("abc", 3, a);
    assert_memory_equal(a, abc, 32);
}

int reg_test_token(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(fresh_tokens),
            cmocka_unit_test(malformed),
            cmocka_unit_test(hashing),
    };
    return cmocka_run_group_tests_name("token", tests, NULL, NULL);
}
