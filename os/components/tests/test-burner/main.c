/* SPDX-License-Identifier: MIT */
/* test-burner: burns a fixed amount of CPU time, then blocks for good.
 *
 * Scenario tests/accounting. It spins until core says its threads used
 * `burn_ms` of CPU (KIDE_CORE_QUOTA), logs the figure, and then only
 * blocks, so its CPU counter stops moving and two readers can compare it.
 * With `service` set it first announces that service: a session call
 * (op 1) answers the burner's own CPU ns as core reports it to the burner.
 * Handlers run on the caller's SC, so answering does not move the counter.
 */
#include "test.h"

static void *acct_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                       int *status)
{
    (void)env, (void)label, (void)args, (void)ram, (void)status;
    return (void *)1;
}

static void acct_close(struct kide_env *env, void *session)
{
    (void)env, (void)session;
}

static int acct_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct kide_quota q;
    (void)session;
    if (rpc->op != 1 || kide_quota(env, &q) != KIDE_OK)
        return KIDE_BAD_PARAM;
    kide_msg_put(&rpc->out, q.cpu_ns);
    return KIDE_OK;
}

static const struct kide_service_ops ops = {
        .open = acct_open, .close = acct_close, .call = acct_call};

void kide_main(struct kide_env *env)
{
    kide_u64 burn = t_cfg_u64(env, "burn_ms", 1000) * 1000000ull;
    char service[40];
    struct kide_quota q;
    volatile kide_u64 x = 0;

    t_cfg_str(env, "service", "", service, sizeof(service));
    do {
        for (int i = 0; i < 100000; i++)
            x = x + 1;
        if (kide_quota(env, &q) != KIDE_OK)
            t_fail(env, "burner", "kide_quota failed");
    } while (q.cpu_ns < burn);
    kide_log(env, "burner: burned %llu ns, blocking now", (unsigned long long)q.cpu_ns);
    if (*service) {
        int rc = kide_service_announce(env, service, &ops);
        if (rc != KIDE_OK)
            t_fail(env, "burner", "announcing %s: %s", service, t_status(rc));
        kide_serve(env);
    }
    /* A sub-account has no parent to serve: block on the signal semaphore. */
    for (;;)
        kide_wait_signal(env, 1000000);
}
