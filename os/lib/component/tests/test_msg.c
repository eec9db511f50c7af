/* SPDX-License-Identifier: MIT */
/* Unit tests of the marshalling (msg.c) on the host, over a fake UTCB.
 *
 * Every rule the wire format relies on is checked: packing, padding, bounds
 * against capacity and fill count, the latched `bad`, and the error paths
 * (overlong and truncated strings, embedded NULs, absurd length words).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rt.h"

static struct kide_utcb fake_utcb;

struct kide_utcb *rt_utcb(void)
{
    return &fake_utcb;
}

static kide_u64 buf[16];

static void test_begin_uses_utcb(void **state)
{
    (void)state;
    struct kide_msg m;
    kide_msg_begin(&m, 42);
    assert_ptr_equal(m.w, fake_utcb.words);
    assert_int_equal(m.n, 1);
    assert_int_equal(m.cap, KIDE_UTCB_WORDS - 2);
    assert_int_equal(fake_utcb.words[0], 42);
    assert_false(m.bad);
}

static void test_words_roundtrip(void **state)
{
    (void)state;
    struct kide_msg m;
    kide_msg_init(&m, buf, 16, 0);
    for (kide_u64 i = 0; i < 16; i++)
        kide_msg_put(&m, i * 3);
    assert_false(m.bad);
    kide_msg_put(&m, 99); /* one too many */
    assert_true(m.bad);
    assert_int_equal(m.n, 16);
    struct kide_msg r;
    kide_msg_init(&r, buf, 16, 16);
    for (kide_u64 i = 0; i < 16; i++)
        assert_int_equal(kide_msg_get(&r), i * 3);
    assert_false(r.bad);
    assert_int_equal(kide_msg_get(&r), 0);
    assert_true(r.bad);
}

static void test_str_roundtrip_lengths(void **state)
{
    (void)state;
    static const char *const strs[] = {"",          "a",
                                       "1234567",   "12345678",
                                       "123456789", "the quick brown fox jumps over the lazy dog"};
    for (size_t k = 0; k < sizeof(strs) / sizeof(strs[0]); k++) {
        struct kide_msg m;
        kide_msg_init(&m, buf, 16, 0);
        kide_msg_put(&m, 7);
        kide_msg_put_str(&m, strs[k]);
        kide_msg_put(&m, 8);
        assert_false(m.bad);
        size_t len = strlen(strs[k]);
        assert_int_equal(m.n, 3 + (len + 7) / 8);
        assert_int_equal(buf[1], len);
        struct kide_msg r;
        kide_msg_init(&r, buf, 16, m.n);
        char out[64];
        assert_int_equal(kide_msg_get(&r), 7);
        assert_int_equal(kide_msg_get_str(&r, out, sizeof(out)), len);
        assert_string_equal(out, strs[k]);
        assert_int_equal(kide_msg_get(&r), 8);
        assert_false(r.bad);
    }
}

static void test_str_packing_and_padding(void **state)
{
    (void)state;
    struct kide_msg m;
    memset(buf, 0xff, sizeof(buf));
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_str(&m, "abcdefghij");
    assert_int_equal(m.n, 3);
    assert_int_equal(buf[0], 10);
    assert_int_equal(buf[1], 0x6867666564636261ull); /* little-endian bytes */
    assert_int_equal(buf[2], 0x6a69ull);             /* padding is zero */
}

static void test_str_too_long_for_buffer(void **state)
{
    (void)state;
    struct kide_msg m;
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_str(&m, "0123456789");
    char out[10] = "junk";
    kide_msg_init(&m, buf, 16, m.n);
    assert_int_equal(kide_msg_get_str(&m, out, sizeof(out)), 0); /* needs 11 bytes */
    assert_true(m.bad);
    assert_string_equal(out, "");
    /* exactly fitting works */
    char out2[11];
    kide_msg_init(&m, buf, 16, 3);
    assert_int_equal(kide_msg_get_str(&m, out2, sizeof(out2)), 10);
    assert_false(m.bad);
}

static void test_truncated_string(void **state)
{
    (void)state;
    struct kide_msg m;
    buf[0] = 20; /* 20 bytes announced, 3 words needed, 1 present */
    buf[1] = 0x4141414141414141ull;
    kide_msg_init(&m, buf, 16, 2);
    char out[64];
    assert_int_equal(kide_msg_get_str(&m, out, sizeof(out)), 0);
    assert_true(m.bad);
    /* a length word with nothing after it */
    kide_msg_init(&m, buf, 16, 1);
    const void *p = NULL;
    assert_int_equal(kide_msg_get_bytes(&m, &p, 100), 0);
    assert_true(m.bad);
    assert_non_null(p); /* never left dangling */
}

static void test_absurd_lengths(void **state)
{
    (void)state;
    struct kide_msg m;
    const void *p;
    buf[0] = ~0ull;
    kide_msg_init(&m, buf, 16, 16);
    assert_int_equal(kide_msg_get_bytes(&m, &p, ~0ull), 0);
    assert_true(m.bad);
    buf[0] = ~0ull - 6; /* ceil(len / 8) must not wrap */
    kide_msg_init(&m, buf, 16, 16);
    assert_int_equal(kide_msg_get_bytes(&m, &p, ~0ull), 0);
    assert_true(m.bad);
    buf[0] = 1ull << 61;
    kide_msg_init(&m, buf, 16, 16);
    assert_int_equal(kide_msg_get_bytes(&m, &p, ~0ull), 0);
    assert_true(m.bad);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    struct kide_msg m;
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_bytes(&m, "ab\0cd", 5);
    assert_false(m.bad);
    char out[16];
    kide_msg_init(&m, buf, 16, 2);
    assert_int_equal(kide_msg_get_str(&m, out, sizeof(out)), 0);
    assert_true(m.bad);
    /* as bytes it is fine */
    const void *p;
    kide_msg_init(&m, buf, 16, 2);
    assert_int_equal(kide_msg_get_bytes(&m, &p, 16), 5);
    assert_memory_equal(p, "ab\0cd", 5);
    assert_false(m.bad);
}

static void test_get_bytes_max(void **state)
{
    (void)state;
    struct kide_msg m;
    const void *p;
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_bytes(&m, "12345678", 8);
    kide_msg_init(&m, buf, 16, 2);
    assert_int_equal(kide_msg_get_bytes(&m, &p, 7), 0);
    assert_true(m.bad);
    kide_msg_init(&m, buf, 16, 2);
    assert_int_equal(kide_msg_get_bytes(&m, &p, 8), 8);
    assert_false(m.bad);
    assert_int_equal(m.pos, 2);
}

static void test_put_overflow(void **state)
{
    (void)state;
    struct kide_msg m;
    char big[200];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_str(&m, big); /* 1 + 25 words > 16 */
    assert_true(m.bad);
    assert_int_equal(m.n, 0); /* nothing half written */
    /* exactly at capacity: 1 + 15 words = 120 bytes */
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_bytes(&m, big, 120);
    assert_false(m.bad);
    assert_int_equal(m.n, 16);
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_bytes(&m, big, 121);
    assert_true(m.bad);
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_bytes(&m, big, ~0ull);
    assert_true(m.bad);
}

static void test_bad_latches(void **state)
{
    (void)state;
    struct kide_msg m;
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_str(&m, NULL);
    assert_true(m.bad);
    kide_msg_put(&m, 1);
    kide_msg_put_str(&m, "x");
    assert_int_equal(m.n, 0);
    kide_msg_init(&m, buf, 16, 0);
    kide_msg_put_bytes(&m, NULL, 3);
    assert_true(m.bad);
    /* reads after a failure return 0 even if words remain */
    buf[0] = 5;
    buf[1] = 6;
    kide_msg_init(&m, buf, 16, 2);
    char c[1];
    kide_msg_get_str(&m, c, 0);
    assert_true(m.bad);
    assert_int_equal(kide_msg_get(&m), 0);
    assert_int_equal(m.pos, 0);
    kide_msg_init(&m, buf, 16, 2);
    assert_int_equal(kide_msg_get_str(&m, NULL, 10), 0);
    assert_true(m.bad);
}

static void test_init_checks(void **state)
{
    (void)state;
    struct kide_msg m;
    kide_msg_init(&m, buf, 4, 5);
    assert_true(m.bad);
    kide_msg_init(&m, NULL, 4, 0);
    assert_true(m.bad);
    /* a corrupted fill count beyond capacity is caught on use */
    kide_msg_init(&m, buf, 4, 4);
    m.n = 9;
    assert_int_equal(kide_msg_get(&m), 0);
    assert_true(m.bad);
    kide_msg_init(&m, buf, 4, 4);
    m.n = 9;
    kide_msg_put(&m, 1);
    assert_true(m.bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_begin_uses_utcb),
            cmocka_unit_test(test_words_roundtrip),
            cmocka_unit_test(test_str_roundtrip_lengths),
            cmocka_unit_test(test_str_packing_and_padding),
            cmocka_unit_test(test_str_too_long_for_buffer),
            cmocka_unit_test(test_truncated_string),
            cmocka_unit_test(test_absurd_lengths),
            cmocka_unit_test(test_embedded_nul),
            cmocka_unit_test(test_get_bytes_max),
            cmocka_unit_test(test_put_overflow),
            cmocka_unit_test(test_bad_latches),
            cmocka_unit_test(test_init_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
