/* SPDX-License-Identifier: MIT */
/* test-hang: a server that never answers KIDE_SRV_OPEN.
 *
 * Used by the hung-server scenario: it announces the service named in its
 * config and, when hoitaja forwards a client's open, blocks in the open
 * callback for good (its handler EC never replies). hoitaja must not freeze
 * on it: the call has a deadline, after which this server is treated as
 * faulted and restarted, and the client gets an error.
 * Config: {"service": "<name>"} ("Hang").
 */
#include "test.h"

static void *hang_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                       int *status)
{
    (void)args, (void)ram, (void)status;
    kide_log(env, "hang: open from %s, never answering", label);
    for (volatile int forever = 1; forever;)
        kide_sleep_ms(1000000);
    return (void *)0;
}

static void hang_close(struct kide_env *env, void *session)
{
    (void)env, (void)session;
}

static int hang_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    (void)env, (void)session, (void)rpc;
    return KIDE_BAD_PARAM;
}

static const struct kide_service_ops ops = {
        .open = hang_open, .close = hang_close, .call = hang_call};

void kide_main(struct kide_env *env)
{
    char service[40];
    t_cfg_str(env, "service", "Hang", service, sizeof(service));
    int rc = kide_service_announce(env, service, &ops);
    if (rc != KIDE_OK)
        t_fail(env, "hang", "announcing %s: %s", service, t_status(rc));
    kide_log(env, "hang: serving %s", service);
    kide_serve(env);
}
