/* SPDX-License-Identifier: MIT */
/* test-worker: a well-behaved sibling that must keep working.
 *
 * Used by the ram, faults and reconfig scenarios. Every `period_ms` it
 * allocates and touches `alloc` bytes, frees them and logs
 * `worker: round N`; after `rounds` rounds it logs `PASS <what>` and idles.
 * A sibling that hogs RAM or keeps faulting must not stop these lines, so a
 * scenario expects a round line after the misbehaviour and the PASS.
 */
#include "test.h"

void kide_main(struct kide_env *env)
{
    kide_u64 rounds = t_cfg_u64(env, "rounds", 20);
    kide_u64 period = t_cfg_u64(env, "period_ms", 100);
    kide_u64 alloc = t_cfg_u64(env, "alloc", 65536);
    char what[64];
    t_cfg_str(env, "what", "sibling", what, sizeof(what));

    for (kide_u64 r = 1; r <= rounds; r++) {
        char *p = kide_malloc(alloc);
        if (!p)
            t_fail(env, what, "round %llu: %llu bytes refused", (unsigned long long)r,
                   (unsigned long long)alloc);
        for (kide_u64 i = 0; i < alloc; i += 4096)
            p[i] = (char)r;
        kide_free(p);
        kide_log(env, "worker: round %llu", (unsigned long long)r);
        kide_wait_signal(env, period); /* answers heartbeats while it waits */
    }
    t_pass(env, what);
    t_idle(env);
}
