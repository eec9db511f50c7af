/* SPDX-License-Identifier: MIT */
/* net_none.c: the agent port of a build without the TLS library
 * (os/lib/tls, <kide/ktls.h>): not served (net.h says why). */
#include "net.h"

static const char *const no_tls =
        "this build has no TLS library (os/lib/tls): the agent port is not served, "
        "only the metrics port";

int knet_start(struct kide_env *env, struct kagent *a, struct kide_sock_client *sc, kide_u64 port,
               const kide_u8 seed[32], const char **why)
{
    (void)env;
    (void)a;
    (void)sc;
    (void)port;
    (void)seed;
    *why = no_tls;
    return -1;
}

int knet_serve(struct kide_env *env, struct kagent *a, kide_u64 *next)
{
    (void)env;
    (void)a;
    *next = ~0ull;
    return 0;
}

int knet_following(void)
{
    return 0;
}

int knet_restart(struct kide_env *env, const char **why)
{
    (void)env;
    *why = no_tls;
    return -1;
}
