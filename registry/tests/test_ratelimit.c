/* SPDX-License-Identifier: MIT */
/* Tests of the per-client token-bucket rate limiter (src/ratelimit.c). */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "ratelimit.h"
#include "unit.h"

static struct sockaddr_in addr(uint32_t ip)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(ip);
    return a;
}

static void burst_then_refill(void **state)
{
    struct reg_ratelimit *rl = reg_rl_new(2, 3);
    struct sockaddr_in a = addr(0x7f000001), b = addr(0x7f000002);
    uint32_t ra = 0;
    assert_non_null(rl);
    for (int i = 0; i < 3; i++)
        assert_int_equal(reg_rl_take(rl, (struct sockaddr *)&a, 100.0, &ra), 0);
    assert_int_equal(reg_rl_take(rl, (struct sockaddr *)&a, 100.0, &ra), -EAGAIN);
    assert_int_equal(ra, 1);
    /* Another client is unaffected. */
    assert_int_equal(reg_rl_take(rl, (struct sockaddr *)&b, 100.0, &ra), 0);
    /* Half a second refills one token at 2/s. */
    assert_int_equal(reg_rl_take(rl, (struct sockaddr *)&a, 100.5, &ra), 0);
    assert_int_equal(reg_rl_take(rl, (struct sockaddr *)&a, 100.5, &ra), -EAGAIN);
    reg_rl_free(rl);
}

static void disabled(void **state)
{
    struct reg_ratelimit *rl = reg_rl_new(0, 1);
    struct sockaddr_in a = addr(1);
    uint32_t ra;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(reg_rl_take(rl, (struct sockaddr *)&a, 1.0, &ra), 0);
    reg_rl_free(rl);
}

static void many_clients(void **state)
{
    struct reg_ratelimit *rl = reg_rl_new(1, 1);
    uint32_t ra;
    /* More clients than slots: the table recycles stale buckets and never fails. */
    for (uint32_t i = 0; i < 20000; i++) {
        struct sockaddr_in a = addr(i);
        assert_int_equal(reg_rl_take(rl, (struct sockaddr *)&a, (double)i, &ra), 0);
    }
    reg_rl_free(rl);
}

int reg_test_ratelimit(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(burst_then_refill),
            cmocka_unit_test(disabled),
            cmocka_unit_test(many_clients),
    };
    return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
