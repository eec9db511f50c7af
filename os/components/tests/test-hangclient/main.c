/* SPDX-License-Identifier: MIT */
/* test-hangclient: a client whose server never answers gets an error, not a hang.
 *
 * Opens a session to `service` (retrying NOT_FOUND until the server has
 * announced it) and expects hoitaja to answer the open with an error within
 * `max_ms`: the server's deadline passed and it was treated as faulted.
 * Logs `hangclient: open <service>: <status>` and `PASS hung open refused`,
 * then only answers its parent. Config: `service` ("Hang"), `max_ms` (6000).
 */
#include "test.h"

#define WHAT "hung open refused"

void kide_main(struct kide_env *env)
{
    char service[40];
    t_cfg_str(env, "service", "Hang", service, sizeof(service));
    kide_u64 max_ms = t_cfg_u64(env, "max_ms", 6000);
    struct kide_session s;
    int st = KIDE_NOT_FOUND;
    kide_u64 t0 = kide_now_ns();
    for (unsigned i = 0; i < 200 && st == KIDE_NOT_FOUND; i++) {
        t0 = kide_now_ns();
        if ((st = kide_session_open(env, service, "", 0, &s)) == KIDE_NOT_FOUND)
            kide_sleep_ms(50);
    }
    kide_u64 ms = (kide_now_ns() - t0) / 1000000ull;
    kide_log(env, "hangclient: open %s: %s", service, t_status(st));
    if (st == KIDE_OK)
        t_fail(env, WHAT, "the open succeeded, but the server never answers");
    if (ms > max_ms)
        t_fail(env, WHAT, "the answer took %llu ms (at most %llu)", (unsigned long long)ms,
               (unsigned long long)max_ms);
    t_pass(env, WHAT);
    t_idle(env);
}
