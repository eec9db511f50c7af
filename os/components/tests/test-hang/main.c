/* SPDX-License-Identifier: MIT */
/* test-hang: a server that never answers.
 *
 * Used by the hung-server scenarios: it announces the service named in its
 * config and, depending on `in`, blocks for good (its handler EC never
 * replies) either in the open callback when hoitaja forwards a client's
 * open ("open"), or in the first call on an opened session ("call": a
 * package store that opens sessions and then never answers OPEN or READ,
 * scenario pkg-hang). hoitaja must not freeze on it: the call has a
 * deadline, after which this server is treated as faulted and restarted,
 * and the client (or the start that needed it) gets an error. With
 * `deaf` its main thread never looks at a signal (no KIDE_PARENT_PENDING):
 * a store that is never asked to start anything (pkg-hang).
 * Config: {"service": "<name>", "in": "open" | "call", "deaf": 0 | 1}
 * ("Hang", "open", 0).
 */
#include "test.h"

static int hang_in_call;

static void never(struct kide_env *env, const char *what, const char *who)
{
    kide_log(env, "hang: %s from %s, never answering", what, who);
    for (volatile int forever = 1; forever;)
        kide_sleep_ms(1000000);
}

static void *hang_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                       int *status)
{
    (void)args, (void)ram, (void)status;
    if (!hang_in_call)
        never(env, "open", label);
    kide_log(env, "hang: opened a session for %s", label);
    return (void *)1; /* a session with no state: every call on it hangs */
}

static void hang_close(struct kide_env *env, void *session)
{
    (void)env, (void)session;
}

static int hang_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    (void)session, (void)rpc;
    if (hang_in_call)
        never(env, "call", "a session");
    return KIDE_BAD_PARAM;
}

static const struct kide_service_ops ops = {
        .open = hang_open, .close = hang_close, .call = hang_call};

void kide_main(struct kide_env *env)
{
    char service[40], in[8];
    t_cfg_str(env, "service", "Hang", service, sizeof(service));
    t_cfg_str(env, "in", "open", in, sizeof(in));
    if (!t_streq(in, "open") && !t_streq(in, "call"))
        t_fail(env, "hang", "config in: '%s' is neither \"open\" nor \"call\"", in);
    hang_in_call = t_streq(in, "call");
    int rc = kide_service_announce(env, service, &ops);
    if (rc != KIDE_OK)
        t_fail(env, "hang", "announcing %s: %s", service, t_status(rc));
    kide_log(env, "hang: serving %s", service);
    if (t_cfg_u64(env, "deaf", 0)) {
        kide_log(env, "hang: deaf to signals");
        for (volatile int forever = 1; forever;)
            kide_sleep_ms(1000000); /* a private semaphore: signals stay unread */
    }
    kide_serve(env);
}
