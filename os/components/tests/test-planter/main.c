/* SPDX-License-Identifier: MIT */
/* test-planter: a server that misbehaves on every session request.
 *
 * Announces `service` ("Plant") with a raw root portal and answers
 * KIDE_SRV_OPEN in turn: OK without a session portal, OK with a semaphore
 * planted where the portal belongs, DENIED, a real session portal, OK with
 * a reply full of junk words, and every `slow_every`-th open (8) only after
 * `slow_ms` (2500), past hoitaja's deadline. KIDE_SRV_CLOSE and _UPGRADE
 * get odd statuses. Used by the parent-fuzz scenario: hoitaja must keep its
 * books straight and stay responsive whatever a server answers.
 */
#include "test.h"
#include <kide/syscall.h>

static kide_sel planted_sm, session_pt;
static kide_u64 n_open, slow_every, slow_ms;

static int session_call(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    (void)env, (void)obj;
    kide_msg_put(&rpc->out, rpc->op);
    return KIDE_OK;
}

static int root_call(struct kide_env *env, void *obj, struct kide_rpc *rpc)
{
    (void)env, (void)obj;
    if (rpc->op != KIDE_SRV_OPEN)
        return rpc->op == KIDE_SRV_CLOSE ? KIDE_BAD_PARAM : KIDE_OVERFLOW; /* odd on purpose */
    kide_u64 k = n_open++;
    if (slow_every && k % slow_every == slow_every - 1)
        kide_sleep_ms(slow_ms);
    switch (k % 5) {
    case 0: /* OK, but no session portal */
        kide_msg_put(&rpc->out, k);
        return KIDE_OK;
    case 1: /* a semaphore planted where the portal belongs */
        kide_msg_put(&rpc->out, k);
        rpc->cap_out = planted_sm;
        rpc->cap_perm = KIDE_SM_UP | KIDE_SM_DOWN;
        return KIDE_OK;
    case 2:
        return KIDE_DENIED;
    case 3: /* a real session */
        kide_msg_put(&rpc->out, k);
        rpc->cap_out = session_pt;
        return KIDE_OK;
    default: /* junk words after the id */
        for (unsigned i = 0; i < 40; i++)
            kide_msg_put(&rpc->out, ~k * (i + 1));
        rpc->cap_out = session_pt;
        return KIDE_OK;
    }
}

void kide_main(struct kide_env *env)
{
    char service[40];
    kide_sel root;
    t_cfg_str(env, "service", "Plant", service, sizeof(service));
    slow_every = t_cfg_u64(env, "slow_every", 8);
    slow_ms = t_cfg_u64(env, "slow_ms", 2500);
    int st = kide_sm_create(env, 0, &planted_sm);
    if (st == KIDE_OK)
        st = kide_portal_create(env, session_call, 0, &session_pt);
    if (st == KIDE_OK)
        st = kide_portal_create(env, root_call, 0, &root);
    if (st != KIDE_OK)
        t_fail(env, "planter", "creating its objects: %s", t_status(st));
    struct kide_parent_chan parent = {.pt = KIDE_COMP_SEL_PARENT};
    if ((st = kide_parent_announce(&parent, service, root)) != KIDE_OK)
        t_fail(env, "planter", "announcing %s: %s", service, t_status(st));
    kide_log(env, "planter: serving %s", service);
    kide_serve(env);
}
