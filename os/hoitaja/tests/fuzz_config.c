/* SPDX-License-Identifier: MIT */
/* libFuzzer target: hoitaja's configuration parser (full and partial), the
 * merge and the plan against a fixed running configuration, and the check of a
 * child's published status (KIDE_PARENT_STATUS, status.c). Any input must
 * give a configuration or an error with a message and a hint, and a status
 * in canonical form (itself a fixpoint of the check) or a reason; never a
 * crash, a leak or undefined behaviour (suite os-hoitaja-fuzz). */
#include <assert.h>
#include <stdint.h>

#include "hoitaja.h"

static const char running[] =
        "{\"generation\":1,\"children\":["
        "{\"name\":\"timer\",\"binary\":\"timer\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":10},"
        "\"provides\":[\"Timer\"]},"
        "{\"name\":\"demo\",\"binary\":\"demo\",\"ram\":4096,\"caps\":16,\"cpu\":{\"quota\":10},"
        "\"routes\":[{\"service\":\"Timer\",\"to\":\"child\",\"child\":\"timer\"}]}]}";

/* The status check: accepted input comes out as a bounded canonical object
 * that the check accepts unchanged. */
static void fuzz_status(const uint8_t *data, size_t size)
{
    static char out[HJ_STATUS_TEXT_MAX + 1], again[HJ_STATUS_TEXT_MAX + 1];
    char why[160];
    kide_u64 n, m;
    if (hj_status_check((const char *)data, size, out, sizeof(out), &n, why, sizeof(why))) {
        assert(why[0]);
        return;
    }
    assert(size <= KIDE_STATUS_MAX && n < sizeof(out) && out[n] == 0 && out[0] == '{');
    for (kide_u64 i = 0; i < n; i++)
        assert((unsigned char)out[i] >= 0x20); /* one console line */
    if (n <= KIDE_STATUS_MAX) {
        assert(hj_status_check(out, n, again, sizeof(again), &m, why, sizeof(why)) == 0);
        assert(m == n && !memcmp(out, again, n));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_status(data, size);
    static const struct hj_limits lim = {
            .ram = 1ull << 32, .caps = 100000, .cpu = 100, .cpus = 4, .nest = 4};
    static struct hj_step steps[2 * HJ_CHILDREN_MAX + 2];
    struct hj_config cur, c, merged;
    struct hj_error err;
    assert(hj_config_parse(running, sizeof(running) - 1, &lim, 0, &cur, &err) == 0);
    if (hj_config_parse((const char *)data, size, &lim, 0, &c, &err) == 0) {
        int n = hj_plan(&cur, &c, steps);
        assert(n >= 0 && (unsigned)n <= cur.nchildren + c.nchildren);
        hj_config_free(&c);
    } else {
        assert(err.msg[0] && err.hint[0] && !c.nchildren);
    }
    if (hj_config_parse((const char *)data, size, &lim, HJ_PARSE_PARTIAL | HJ_PARSE_NO_GEN, &c,
                        &err) == 0) {
        if (hj_config_merge(&cur, &c, &lim, &merged, &err) == 0) {
            hj_plan(&cur, &merged, steps);
            hj_config_free(&merged);
        }
        hj_config_free(&c);
    }
    hj_config_free(&cur);
    return 0;
}
