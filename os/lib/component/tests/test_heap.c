/* SPDX-License-Identifier: MIT */
/* Unit tests of the heap (heap.c) on the host, over a fake RAM backend.
 *
 * The backend maps with aligned_alloc and can be given a quota, so the
 * tests see exactly what the heap asks core for: chunks come and go as
 * expected, large blocks get their own mapping, running out of quota gives
 * NULL, and after freeing everything a yield releases every chunk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rt.h"

static kide_u64 mapped, quota = ~0ull, maps, unmaps;

int rt_heap_map(kide_u64 size, void **addr)
{
    if (size > quota - mapped)
        return KIDE_QUOTA;
    *addr = aligned_alloc(4096, size);
    if (!*addr)
        return KIDE_QUOTA;
    memset(*addr, 0, size); /* core's RAM comes zeroed */
    mapped += size;
    maps++;
    return KIDE_OK;
}

void rt_heap_unmap(void *addr, kide_u64 size)
{
    mapped -= size;
    unmaps++;
    memset(addr, 0x5a, size);
    free(addr);
}

void rt_heap_lock(void) {}
void rt_heap_unlock(void) {}

/* The debug report (the test is built with KIDE_DEBUG): the last one and how many. */
static const void *misused;
static const char *misuse_op;
static unsigned misuses;

void rt_heap_misuse(const char *op, const void *p)
{
    misuse_op = op;
    misused = p;
    misuses++;
}

static int reset(void **state)
{
    (void)state;
    rt_heap_release();
    quota = ~0ull;
    return 0;
}

static void test_small_aligned_distinct(void **state)
{
    (void)state;
    void *p[100];
    for (int i = 0; i < 100; i++) {
        p[i] = kide_malloc((kide_u64)i * 7 + 1);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] & 15, 0);
        memset(p[i], i, (size_t)i * 7 + 1);
    }
    for (int i = 0; i < 100; i++)
        for (int j = 0; j < i * 7 + 1; j++)
            assert_int_equal(((unsigned char *)p[i])[j], i);
    for (int i = 0; i < 100; i++)
        kide_free(p[i]);
    struct kide_heap_stats st;
    kide_heap_stats(&st);
    assert_int_equal(st.live, 0);
    assert_int_equal(rt_heap_release(), st.chunk_bytes);
    assert_int_equal(mapped, 0);
}

static void test_zero_and_huge(void **state)
{
    (void)state;
    void *a = kide_malloc(0), *b = kide_malloc(0);
    assert_non_null(a);
    assert_ptr_not_equal(a, b);
    kide_free(a);
    kide_free(b);
    assert_null(kide_malloc(1ull << 50));
    assert_null(kide_calloc(1ull << 33, 1ull << 33)); /* n * size overflows */
    kide_free(NULL);
}

static void test_large_own_mapping(void **state)
{
    (void)state;
    kide_u64 before = maps;
    char *p = kide_malloc(100000);
    assert_non_null(p);
    assert_int_equal(maps, before + 1);
    assert_int_equal(mapped, (100000 + 16 + 4095) / 4096 * 4096);
    memset(p, 1, 100000);
    kide_free(p);
    assert_int_equal(mapped, 0); /* returned at once */
}

static void test_quota_gives_null(void **state)
{
    (void)state;
    quota = 3 * 0x10000;
    void *p[4096];
    int n = 0;
    while (n < 4096 && (p[n] = kide_malloc(1000)))
        n++;
    assert_true(n > 100 && n < 4096);
    assert_true(mapped <= quota);
    assert_null(kide_malloc(20000)); /* large too */
    for (int i = 0; i < n; i++)
        kide_free(p[i]);
    assert_int_equal(rt_heap_release(), 3 * 0x10000);
}

static void test_coalesce_reuse(void **state)
{
    (void)state;
    void *a = kide_malloc(1000), *b = kide_malloc(1000), *c = kide_malloc(1000);
    kide_free(a);
    kide_free(c);
    kide_free(b); /* merges with both neighbours */
    void *big = kide_malloc(12000);
    assert_non_null(big);
    struct kide_heap_stats st;
    kide_heap_stats(&st);
    assert_int_equal(st.chunks, 1); /* fitted into the merged space */
    kide_free(big);
}

static void test_realloc_calloc(void **state)
{
    (void)state;
    char *p = kide_realloc(NULL, 10);
    assert_non_null(p);
    memcpy(p, "0123456789", 10);
    assert_ptr_equal(kide_realloc(p, 5), p); /* shrinking keeps the block */
    char *q = kide_realloc(p, 50000);        /* to a large block */
    assert_non_null(q);
    assert_memory_equal(q, "0123456789", 10);
    assert_null(kide_realloc(q, 0));
    unsigned char *z = kide_malloc(64);
    memset(z, 0xee, 64);
    kide_free(z);
    z = kide_calloc(8, 8);
    for (int i = 0; i < 64; i++)
        assert_int_equal(z[i], 0);
    kide_free(z);
}

static void test_bad_free_ignored(void **state)
{
    (void)state;
    _Alignas(16) unsigned char fake[64];
    memset(fake, 0xff, sizeof(fake));
    struct kide_heap_stats before, after;
    kide_heap_stats(&before);
    kide_free(fake + 32);
    memset(fake, 0, sizeof(fake));
    kide_free(fake + 32);
    kide_free(fake + 33);
    void *p = kide_malloc(40);
    kide_free(p);
    kide_free(p); /* double free */
    kide_heap_stats(&after);
    assert_int_equal(after.bad_frees, before.bad_frees + 4);
    assert_null(kide_realloc(fake + 32, 100));
}

/* Every misuse is counted and, in a debug build, reported with its address;
 * the heap stays usable and its live count right. */
static void test_bad_free_reported(void **state)
{
    (void)state;
    struct kide_heap_stats before, after;
    kide_heap_stats(&before);
    unsigned reports = misuses;
    void *p = kide_malloc(40), *big = kide_malloc(100000);
    assert_non_null(p);
    assert_non_null(big);
    kide_free(p);
    assert_int_equal(misuses, reports); /* a good free reports nothing */
    kide_free(p);                       /* double free of a small block */
    assert_int_equal(misuses, reports + 1);
    assert_ptr_equal(misused, p);
    assert_string_equal(misuse_op, "kide_free");
    _Alignas(16) unsigned char fake[64] = {0};
    assert_null(kide_realloc(fake + 16, 8)); /* never allocated */
    assert_ptr_equal(misused, fake + 16);
    assert_string_equal(misuse_op, "kide_realloc");
    kide_free(big);
    kide_heap_stats(&after);
    assert_int_equal(after.bad_frees, before.bad_frees + 2);
    assert_int_equal(misuses, reports + 2);
    assert_int_equal(after.live, before.live);
    void *q = kide_malloc(40);
    assert_non_null(q);
    kide_free(q);
}

static void test_random_stress(void **state)
{
    (void)state;
    enum { SLOTS = 512 };
    static unsigned char *p[SLOTS];
    static size_t len[SLOTS];
    srand(1234);
    for (int round = 0; round < 20000; round++) {
        int i = rand() % SLOTS;
        if (p[i]) {
            for (size_t j = 0; j < len[i]; j++)
                assert_int_equal(p[i][j], (unsigned char)i);
            kide_free(p[i]);
            p[i] = NULL;
        } else {
            len[i] = (size_t)(rand() % 3 ? rand() % 300 : rand() % 40000);
            p[i] = kide_malloc(len[i]);
            assert_non_null(p[i]);
            memset(p[i], i, len[i]);
        }
    }
    for (int i = 0; i < SLOTS; i++)
        kide_free(p[i]);
    rt_heap_release();
    assert_int_equal(mapped, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_small_aligned_distinct, reset),
            cmocka_unit_test_teardown(test_zero_and_huge, reset),
            cmocka_unit_test_teardown(test_large_own_mapping, reset),
            cmocka_unit_test_teardown(test_quota_gives_null, reset),
            cmocka_unit_test_teardown(test_coalesce_reuse, reset),
            cmocka_unit_test_teardown(test_realloc_calloc, reset),
            cmocka_unit_test_teardown(test_bad_free_ignored, reset),
            cmocka_unit_test_teardown(test_bad_free_reported, reset),
            cmocka_unit_test_teardown(test_random_stress, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
