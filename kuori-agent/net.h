/* SPDX-License-Identifier: MIT */
/* net.h: the agent port (Kide only): TCP connections through the habitat's
 * Socket session, each behind a TLS server (net_tls.c over <kide/ktls.h>),
 * feeding the protocol core's connections. The agent never speaks the
 * protocol in plaintext on the network. */
#ifndef KAGENT_NET_H
#define KAGENT_NET_H

#include <kide/component.h>
#include <kide/socket_client.h>

#include "kagent.h"

/** Listen on port and derive the agent's identity from seed (32 bytes).
 *  0, or -1 with the reason in *why (logged by the caller; the agent then serves
 *  metrics only: e.g. no hardware randomness). */
int knet_start(struct kide_env *env, struct kagent *a, struct kide_sock_client *sc, kide_u64 port,
               const kide_u8 seed[32], const char **why);
/** Move bytes of every connection, tick them. Returns 1 if anything moved; *next gets
 *  the earliest deadline a connection needs a tick at. */
int knet_serve(struct kide_env *env, struct kagent *a, kide_u64 *next);
/** Whether a connection has an events or logs stream open (they are polled). */
int knet_following(void);
/** The socket session is lost: forget every connection, then listen again. */
int knet_restart(struct kide_env *env, const char **why);

#endif
