/* SPDX-License-Identifier: MIT */
/* test-counter: a server that logs every session close, and its client.
 *
 * Role "server" (default) serves `service` ("Count") and logs
 * `counter: session of <label> closed` when hoitaja tells it a session
 * ended (KIDE_SRV_CLOSE). Role "client" opens `sessions` (2) sessions to it,
 * logs `counter: opened <n> sessions` and exits with `exit_code` (3)
 * without closing them: hoitaja must tell the server once the client is
 * gone, also when the thread that reclaims the client runs on another CPU
 * than the server (the close-notice scenario).
 */
#include "test.h"

#define WHAT "counter"

static char labels[8][64];
static unsigned nlabels;

static void *count_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                        int *status)
{
    (void)env, (void)args, (void)ram;
    if (nlabels >= 8) {
        *status = KIDE_QUOTA;
        return (void *)0;
    }
    char *l = labels[nlabels++];
    unsigned i = 0;
    for (; label[i] && i < 63; i++)
        l[i] = label[i];
    l[i] = 0;
    return l;
}

static void count_close(struct kide_env *env, void *session)
{
    kide_log(env, "counter: session of %s closed", (const char *)session);
}

static int count_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    (void)env, (void)session, (void)rpc;
    return KIDE_OK;
}

static const struct kide_service_ops ops = {
        .open = count_open, .close = count_close, .call = count_call};

void kide_main(struct kide_env *env)
{
    char role[16], service[40];
    t_cfg_str(env, "role", "server", role, sizeof(role));
    t_cfg_str(env, "service", "Count", service, sizeof(service));
    if (t_streq(role, "server")) {
        int rc = kide_service_announce(env, service, &ops);
        if (rc != KIDE_OK)
            t_fail(env, WHAT, "announcing %s: %s", service, t_status(rc));
        kide_log(env, "counter: serving %s", service);
        kide_serve(env);
    }
    kide_u64 n = t_cfg_u64(env, "sessions", 2), code = t_cfg_u64(env, "exit_code", 3);
    struct kide_session s;
    for (kide_u64 i = 0; i < n; i++) {
        int st = KIDE_NOT_FOUND;
        for (unsigned k = 0; k < 200 && st == KIDE_NOT_FOUND; k++)
            if ((st = kide_session_open(env, service, "", 0, &s)) == KIDE_NOT_FOUND)
                kide_sleep_ms(50);
        if (st != KIDE_OK)
            t_fail(env, WHAT, "opening %s: %s", service, t_status(st));
    }
    kide_log(env, "counter: opened %llu sessions", (unsigned long long)n);
    kide_exit(env, (int)code);
}
