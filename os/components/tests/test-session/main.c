/* SPDX-License-Identifier: MIT */
/* test-session: a client's donation follows its session.
 *
 * Opens a session to a sibling's "Echo" service donating `ram` bytes, calls
 * it, upgrades it by as much again, tries an upgrade beyond its free RAM,
 * and closes it, checking its own RAM quota after each step: down by what
 * it donated, back to where it started once the session is closed. The
 * server's side (the quota arriving and the upgrade callback) shows in its
 * log lines, which the scenario expects.
 */
#include "test.h"
#include <kide/sys.h>
#include <kide/base.h>

#define WHAT "sessions"

/** Whether this component holds a page at p (the kernel's view, not a probe). */
static int mapped(const void *p)
{
    kide_u64 found = 0, info = 0;
    return kide_lookup(KIDE_CRD(KIDE_CRD_MEM, (kide_u64)p >> 12, 0, 0), &found, &info) == KIDE_OK &&
           KIDE_CRD_KIND(found) == KIDE_CRD_MEM;
}

static kide_u64 ram_quota(struct kide_env *env)
{
    struct kide_quota q;
    int st = kide_quota(env, &q);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "KIDE_CORE_QUOTA: %s", t_status(st));
    return q.ram_quota;
}

static void expect_quota(struct kide_env *env, const char *step, kide_u64 want)
{
    kide_u64 got = ram_quota(env);
    if (got != want)
        t_fail(env, WHAT, "%s: RAM quota %llu, expected %llu", step, (unsigned long long)got,
               (unsigned long long)want);
}

void kide_main(struct kide_env *env)
{
    kide_u64 d = t_cfg_u64(env, "ram", 65536);
    kide_u64 q0 = ram_quota(env);
    struct kide_session s;
    int st = KIDE_NOT_FOUND;
    /* The server may not have announced yet: retry for a while. */
    for (unsigned i = 0; i < 100 && st == KIDE_NOT_FOUND; i++)
        if ((st = kide_session_open(env, "Echo", "", d, &s)) == KIDE_NOT_FOUND)
            kide_sleep_ms(50);
    if (st != KIDE_OK)
        t_fail(env, WHAT, "opening Echo: %s", t_status(st));
    expect_quota(env, "after open", q0 - d);

    struct kide_msg m;
    kide_msg_begin(&m, 1);
    kide_msg_put(&m, 41);
    st = kide_msg_call(&m, s.pt, 0);
    if (st != KIDE_OK || kide_msg_get(&m) != 42)
        t_fail(env, WHAT, "calling the session: %s", t_status(st));

    /* A dataspace the server shares: attached read-only, gone when detached,
     * and gone everywhere when the server frees it. */
    void *ds;
    kide_u64 got;
    kide_msg_begin(&m, 2);
    st = kide_msg_call_attach(&m, s.pt, 4, &ds, &got);
    if (st != KIDE_OK || got != 2 || memcmp(ds, "shared by echo", 15) || ((char *)ds)[4096] != 'E')
        t_fail(env, WHAT, "attaching the shared pages: %s, %llu pages", t_status(st),
               (unsigned long long)got);
    if (kide_ds_detach(env, ds, 4) != KIDE_OK || mapped(ds))
        t_fail(env, WHAT, "the pages are still there after detaching");
    kide_msg_begin(&m, 2);
    st = kide_msg_call_attach(&m, s.pt, 2, &ds, &got);
    if (st != KIDE_OK || got != 2 || !mapped(ds))
        t_fail(env, WHAT, "attaching again: %s", t_status(st));
    kide_msg_begin(&m, 3);
    if ((st = kide_msg_call(&m, s.pt, 0)) != KIDE_OK || mapped(ds) || mapped((char *)ds + 4096))
        t_fail(env, WHAT, "the server freed the pages, but they are still here (%s)", t_status(st));
    kide_log(env, "session: shared dataspace attached, detached, revoked by its owner");

    if ((st = kide_session_upgrade(env, &s, d)) != KIDE_OK)
        t_fail(env, WHAT, "upgrading by %llu: %s", (unsigned long long)d, t_status(st));
    expect_quota(env, "after upgrade", q0 - 2 * d);
    if (s.donated != 2 * d)
        t_fail(env, WHAT, "the session says %llu donated", (unsigned long long)s.donated);

    st = kide_session_upgrade(env, &s, 1ull << 40);
    if (st != KIDE_QUOTA)
        t_fail(env, WHAT, "an upgrade beyond the free RAM returned %s, not QUOTA", t_status(st));
    expect_quota(env, "after a refused upgrade", q0 - 2 * d);

    kide_session_close(env, &s);
    expect_quota(env, "after close", q0);
    t_pass(env, WHAT);
    t_idle(env);
}
