/* SPDX-License-Identifier: MIT */
/* libFuzzer target: hoitaja's configuration parser (full and partial), the
 * merge and the plan against a fixed running configuration, and the check of a
 * child's published status (KIDE_PARENT_STATUS, status.c). Any input must
 * give a configuration or an error with a message and a hint; an accepted one
 * written out as JSON (KIDE_MGMT_CONFIG, cfgjson.c) must read back as the same
 * configuration (no plan step) in the same bytes; and a status
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

/* The configuration in force as JSON reads back unchanged (cfgjson.c). */
static void round_trip(const struct hj_config *c, const struct hj_limits *lim,
                       struct hj_step *steps)
{
    static char out[2 * HJ_CONFIG_MAX], again[2 * HJ_CONFIG_MAX];
    struct hj_config back;
    struct hj_error err;
    long n = hj_config_json(c, lim->home_cpu, out, sizeof(out));
    assert(n > 0 && strlen(out) == (size_t)n);
    if (hj_config_parse(out, (kide_u64)n, lim, 0, &back, &err) != 0) {
        /* Longer than the input's limit when written out canonically (defaults
         * spelled out): the one way it may be refused. */
        assert(n > (long)HJ_CONFIG_MAX);
        return;
    }
    assert(hj_plan(c, &back, steps) == 0);
    assert(back.generation == c->generation && !strcmp(back.exit_with, c->exit_with));
    assert(hj_config_json(&back, lim->home_cpu, again, sizeof(again)) == n);
    assert(!memcmp(out, again, (size_t)n));
    hj_config_free(&back);
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
        round_trip(&c, &lim, steps);
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
