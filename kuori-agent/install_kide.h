/* SPDX-License-Identifier: MIT */
/* install_kide.h: the installer of kuori-agent in Kide (install.h's
 * kagent_installer over pkg_http_get, depot_verify/depot_unpack and a
 * pkg_store served as `Pkg`). */
#ifndef KAGENT_INSTALL_KIDE_H
#define KAGENT_INSTALL_KIDE_H

#include <kide/depot.h>
#include <kide/socket_client.h>

#include "install.h"

#define KIKI_KEYS_MAX      8u         /* keys in the agent's config */
#define KIKI_ARCHIVE_MAX   (2u << 20) /* the largest .tar.xz fetched */
#define KIKI_UNPACKED_MAX  (1u << 20) /* the largest unpacked tar */
#define KIKI_FETCH_MS      60000u     /* deadline of each GET */
#define KIKI_STORE_DEFAULT (8u << 20) /* store_bytes when the config has none */
#define KIKI_PACKAGES      8u         /* packages in the store */

/** The habitat's trusted keys (from the agent's config, never from a registry). */
struct kiki_keys {
    unsigned n;
    char user[KIKI_KEYS_MAX][33];
    struct depot_pubkey key[KIKI_KEYS_MAX];
};

/** Set up the store (store_bytes of program RAM), announce `Pkg` and fill in.
 *  Fetches use sc (the agent's socket session) and its notify semaphore *sm.
 *  KIDE_OK or why not (the agent then answers install with `unavailable`). */
int kiki_start(struct kide_env *env, struct kide_sock_client *sc, const kide_sel *sm,
               const struct kiki_keys *keys, kide_u64 store_bytes, struct kagent_installer *in);

#endif
