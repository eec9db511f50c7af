/* SPDX-License-Identifier: MIT */
/* test-yielder: holds RAM and gives it back when its parent asks.
 *
 * Scenario tests/reconfig. It takes `hold` bytes as one dataspace and serves
 * signals; on a yield request it frees the dataspace, so shrinking its RAM
 * quota below what it held must be applied.
 */
#include "test.h"

static void *held;
static kide_u64 held_size;

static void on_yield(struct kide_env *env, kide_u64 bytes)
{
    if (held) {
        kide_ram_free(env, held, held_size);
        held = 0;
    }
    kide_log(env, "yielder: asked for %llu bytes, released %llu", (unsigned long long)bytes,
             (unsigned long long)held_size);
}

void kide_main(struct kide_env *env)
{
    held_size = t_cfg_u64(env, "hold", 2u << 20);
    int rc = kide_ram_alloc(env, held_size, &held);
    if (rc != KIDE_OK)
        t_fail(env, "yielder", "taking %llu bytes: %s", (unsigned long long)held_size,
               t_status(rc));
    kide_on_yield(env, on_yield);
    kide_log(env, "yielder: holding %llu bytes", (unsigned long long)held_size);
    kide_serve(env);
}
