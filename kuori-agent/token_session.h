/* SPDX-License-Identifier: MIT */
/* token_session.h: the KuoriToken session (os/abi/kide/kuori_token.h), Kide only:
 * the client of a tenant habitat's agent and the server of the root's. */
#ifndef KAGENT_TOKEN_SESSION_H
#define KAGENT_TOKEN_SESSION_H

#include <kide/component.h>
#include <kide/kuori_token.h>

#include "kagent.h"

/** Client: open the session (the route must exist) and register fp. KIDE_OK or why not. */
int ktoken_client_open(struct kide_env *env, const kide_u8 fp[32]);
/** Client: consume the token whose secret hashes to hash: 0 consumed, -1 token error,
 *  -2 the authority is unreachable. */
int ktoken_client_consume(const kide_u8 hash[32]);
/** Client: register again every KTOKEN_REFRESH_NS (from the main loop), so a restarted
 *  authority learns the pin again without waiting for an enrolment (token-create
 *  needs the pin first). Does nothing before ktoken_client_open succeeded. */
#define KTOKEN_REFRESH_NS (5ull * 1000000000ull)
void ktoken_client_tick(kide_u64 now);

/** Server: announce KuoriToken over a's token store (the root habitat's agent). */
int ktoken_server_start(struct kide_env *env, struct kagent *a);
#endif
