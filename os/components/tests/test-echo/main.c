/* SPDX-License-Identifier: MIT */
/* test-echo: a trivial server whose service name comes from its config.
 *
 * Used by the isolation scenario: one instance is the service a prober may
 * reach (the positive control), others are services it must not reach.
 * Config: {"service": "<name>"}. A session call with op 1 answers w1 + 1,
 * so a client can tell a real session from a stale selector.
 */
#include "test.h"
#include <kide/base.h>

#define ECHO_OP_INC     1
#define ECHO_OP_SHARE   2 /* reply shares two pages, read-only */
#define ECHO_OP_UNSHARE 3 /* free them: every client loses them */

static void *shared; /* the pages ECHO_OP_SHARE hands out, or NULL */

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
    (void)session;
    if (rpc->op == ECHO_OP_SHARE) {
        if (!shared && kide_ram_alloc(env, 2 * 4096, &shared) != KIDE_OK)
            return KIDE_QUOTA;
        memcpy(shared, "shared by echo", 15);
        ((char *)shared)[4096] = 'E';
        rpc->ds_out = shared;
        rpc->ds_pages = 2;
        return KIDE_OK;
    }
    if (rpc->op == ECHO_OP_UNSHARE) {
        int st = shared ? kide_ram_free(env, shared, 2 * 4096) : KIDE_BAD_PARAM;
        shared = NULL;
        return st;
    }
    if (rpc->op != ECHO_OP_INC)
        return KIDE_BAD_PARAM;
    kide_u64 v = kide_msg_get(&rpc->in);
    if (rpc->in.bad)
        return KIDE_BAD_PARAM;
    kide_msg_put(&rpc->out, v + 1);
    return KIDE_OK;
}

static void echo_upgrade(struct kide_env *env, void *session, kide_u64 ram)
{
    (void)session;
    kide_log(env, "echo: session upgraded by %llu bytes", (unsigned long long)ram);
}

static const struct kide_service_ops ops = {
        .open = echo_open, .close = echo_close, .call = echo_call, .upgrade = echo_upgrade};

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
