/* SPDX-License-Identifier: MIT */
/* kuori's configuration directory: remotes.json and one directory per remote.
 *
 * Layout (docs/kuori.md, "Configuration"):
 *   DIR/remotes.json            {"version": 1, "current": NAME|null, "remotes": [REMOTE...]}
 *   DIR/remotes/NAME/key.pem    the client's P-256 key (0600)
 *   DIR/remotes/NAME/cert.pem   the certificate the agent issued at enrolment
 *   DIR/history                 the REPL's history
 * DIR is $KUORI_CONFIG_DIR, else $XDG_CONFIG_HOME/kuori, else ~/.config/kuori.
 * remotes.json is data only (never executed) and parsed strictly: at most
 * 64 KiB, 64 remotes, no unknown fields, every value checked (names are
 * [a-z0-9-]{1,32}, so they are safe as path components). Writes go to a
 * temporary file renamed over the old one, so a crash never leaves half a file.
 * Fuzzed by fuzz/fuzz_config.c.
 */
#ifndef KUORI_CONFIG_H
#define KUORI_CONFIG_H

#include <stddef.h>

#include "err.h"

#define KUORI_NAME_MAX     32
#define KUORI_REMOTES_MAX  64
#define KUORI_CONFIG_BYTES 65536
#define KUORI_PIN_LEN      71 /* "sha256:" + 64 hex */

/** A parsed address: direct host:port, or through an SSH jump host. */
struct kuori_addr {
    char host[256];     /**< the agent's host (as the jump host resolves it, for SSH) */
    unsigned port;      /**< the agent's port */
    int ssh;            /**< 1: tunnel through ssh_host */
    char ssh_user[64];  /**< SSH user name */
    char ssh_host[256]; /**< the jump host */
    unsigned ssh_port;  /**< the jump host's port (22) */
};

/** One remote: an enrolled agent. */
struct kuori_remote {
    char name[KUORI_NAME_MAX + 1];
    char address[512]; /**< as given: host:port or ssh://user@jump[:port]/host:port */
    char habitat[KUORI_NAME_MAX + 1];
    char pin[KUORI_PIN_LEN + 1]; /**< "sha256:<64 hex>" of the agent's certificate */
};

/** The whole configuration file. */
struct kuori_config {
    char dir[1024];                   /**< the configuration directory */
    char current[KUORI_NAME_MAX + 1]; /**< the remote used by default ("" none) */
    int n;                            /**< remotes in use */
    struct kuori_remote remotes[KUORI_REMOTES_MAX];
};

/** Find the configuration directory (see above) into cfg->dir. */
int kuori_config_dir(struct kuori_config *cfg, struct kuori_err *e);
/** Load DIR/remotes.json; a missing file is an empty configuration. */
int kuori_config_load(struct kuori_config *cfg, struct kuori_err *e);
/** Parse remotes.json's text (bounded by @p len); the fuzzer's entry point. */
int kuori_config_parse(struct kuori_config *cfg, const char *text, size_t len, struct kuori_err *e);
/** Write DIR/remotes.json atomically (creating DIR 0700). */
int kuori_config_save(const struct kuori_config *cfg, struct kuori_err *e);
/** The remote called @p name, or NULL. */
struct kuori_remote *kuori_config_find(struct kuori_config *cfg, const char *name);
/** DIR/remotes/NAME/FILE into @p buf. */
int kuori_config_path(const struct kuori_config *cfg, const char *name, const char *file, char *buf,
                      size_t n, struct kuori_err *e);

/** 1 if @p s is a valid remote, client or habitat name ([a-z0-9-], 1..32). */
int kuori_valid_name(const char *s);
/** Parse host:port, [v6]:port or ssh://user@jump[:port]/host:port. */
int kuori_addr_parse(const char *s, struct kuori_addr *a, struct kuori_err *e);

/** A parsed enrolment token: kide1.<habitat>.<secret: 32 hex>.<pin: 32 hex>. */
struct kuori_token {
    char habitat[KUORI_NAME_MAX + 1];
    char pin_prefix[33]; /**< first 32 hex of the agent certificate's SHA-256 */
};
/** Parse and check a token's shape (the secret itself is only ever sent). */
int kuori_token_parse(const char *s, struct kuori_token *t, struct kuori_err *e);

#endif
