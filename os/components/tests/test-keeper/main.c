/* SPDX-License-Identifier: MIT */
/* test-keeper: holds RAM and refuses to give it back.
 *
 * Scenario tests/reconfig. It takes `hold` bytes, writes to every page (so
 * the memory is in use, not just reserved) and ignores yield requests:
 * shrinking its quota below that must be rejected, and it must keep running.
 */
#include "test.h"

static void on_yield(struct kide_env *env, kide_u64 bytes)
{
    kide_log(env, "keeper: asked for %llu bytes, keeping everything", (unsigned long long)bytes);
}

void kide_main(struct kide_env *env)
{
    kide_u64 size = t_cfg_u64(env, "hold", 2u << 20);
    void *p;
    int rc = kide_ram_alloc(env, size, &p);
    if (rc != KIDE_OK)
        t_fail(env, "keeper", "taking %llu bytes: %s", (unsigned long long)size, t_status(rc));
    for (kide_u64 i = 0; i < size; i += 4096)
        ((volatile char *)p)[i] = 1;
    kide_on_yield(env, on_yield);
    kide_log(env, "keeper: holding %llu bytes", (unsigned long long)size);
    kide_serve(env);
}
