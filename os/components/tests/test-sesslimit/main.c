/* SPDX-License-Identifier: MIT */
/* test-sesslimit: one child cannot fill hoitaja's session table.
 *
 * Opens sessions to `service` (no donation) until hoitaja refuses one. The
 * refusal must come after exactly `limit` open sessions, with KIDE_QUOTA
 * (hoitaja's per-child session limit, docs/hoitaja.md "Limits"); after
 * closing one session, one more open must succeed again. Logs
 * `sesslimit: refused after <n> sessions: <status>` and `PASS session limit`.
 * Config: `service` ("Echo"), `limit` (32), `tries` (600).
 */
#include "test.h"

#define WHAT "session limit"
#define MAXS 600u

static struct kide_session s[MAXS];

void kide_main(struct kide_env *env)
{
    char service[40];
    t_cfg_str(env, "service", "Echo", service, sizeof(service));
    kide_u64 limit = t_cfg_u64(env, "limit", 32);
    kide_u64 tries = t_cfg_u64(env, "tries", MAXS);
    if (tries > MAXS)
        tries = MAXS;
    int st = KIDE_NOT_FOUND;
    for (unsigned i = 0; i < 200 && st == KIDE_NOT_FOUND; i++)
        if ((st = kide_session_open(env, service, "", 0, &s[0])) == KIDE_NOT_FOUND)
            kide_sleep_ms(50);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "opening the first %s session: %s", service, t_status(st));
    unsigned n = 1;
    while (n < tries && (st = kide_session_open(env, service, "", 0, &s[n])) == KIDE_OK)
        n++;
    kide_log(env, "sesslimit: refused after %u sessions: %s", n, n < tries ? t_status(st) : "none");
    if (n != limit || st != KIDE_QUOTA)
        t_fail(env, WHAT, "opened %u sessions, then %s (expected %llu, then QUOTA)", n,
               n < tries ? t_status(st) : "no refusal", (unsigned long long)limit);
    kide_session_close(env, &s[n - 1]);
    if ((st = kide_session_open(env, service, "", 0, &s[n - 1])) != KIDE_OK)
        t_fail(env, WHAT, "after closing one, a new open failed: %s", t_status(st));
    t_pass(env, WHAT);
    t_idle(env);
}
