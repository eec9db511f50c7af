/* SPDX-License-Identifier: MIT */
/* test-echo: a trivial server whose service name comes from its config.
 *
 * Used by the isolation scenario: one instance is the service a prober may
 * reach (the positive control), others are services it must not reach.
 * Config: {"service": "<name>"}. A session call with op 1 answers w1 + 1,
 * so a client can tell a real session from a stale selector.
 */
#include "test.h"

#define ECHO_OP_INC 1

static void *echo_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                       int *status)
{
    (void)args, (void)ram, (void)status;
    kide_log(env, "echo: session for %s", label);
    return (void *)1; /* stateless: any non-NULL object */
}

static void echo_close(struct kide_env *env, void *session)
{
    (void)env, (void)session;
}

static int echo_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    (void)env, (void)session;
    if (rpc->op != ECHO_OP_INC)
        return KIDE_BAD_PARAM;
    kide_u64 v = kide_msg_get(&rpc->in);
    if (rpc->in.bad)
        return KIDE_BAD_PARAM;
    kide_msg_put(&rpc->out, v + 1);
    return KIDE_OK;
}

static const struct kide_service_ops ops = {echo_open, echo_close, echo_call};

void kide_main(struct kide_env *env)
{
    char service[40];
    t_cfg_str(env, "service", "Echo", service, sizeof(service));
    int rc = kide_service_announce(env, service, &ops);
    if (rc != KIDE_OK)
        t_fail(env, "echo", "announcing %s: %s", service, t_status(rc));
    kide_log(env, "echo: serving %s", service);
    kide_serve(env);
}
