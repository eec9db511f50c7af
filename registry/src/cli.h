/* SPDX-License-Identifier: MIT */
/* The administration verbs of kide-registry and their help texts.
 *
 * Every verb gets the loaded configuration and its own arguments (argv[0] is
 * the verb's last word) and returns a process exit status: 0 success, 1 the
 * operation failed, 2 usage error. Messages follow the house format,
 * "kide-registry: what failed: why" and a "hint:" line.
 */
#ifndef REG_CLI_H
#define REG_CLI_H

#include <sqlite3.h>

#include "config.h"

/** A verb's implementation. */
typedef int (*reg_verb_fn)(const struct reg_config *cfg, int argc, char **argv);

/** One entry of the verb table. */
struct reg_verb {
    const char *name;    /**< one or two words, e.g. "key add" */
    const char *args;    /**< argument synopsis */
    const char *summary; /**< one line for the overview */
    const char *help;    /**< the verb's --help text */
    reg_verb_fn fn;      /**< implementation */
};

/** The verb table, terminated by an entry with name NULL. */
extern const struct reg_verb reg_verbs[];

/** Print "kide-registry: what: why" and "hint: hint" to stderr; returns 1. */
int reg_fail(const char *what, const char *why, const char *hint);

/**
 * Make sure the configured data directory is ours (reg_blob_init) and open
 * its database; prints what failed and returns -errno on failure.
 */
int reg_cli_open_db(const struct reg_config *cfg, sqlite3 **db);

/**
 * When run as root on a data directory owned by another user (the service
 * user), give that user the files and directories a verb may have created
 * (registry.db and its -wal/-shm, blobs/, tmp/, the marker, the lock files),
 * so the server, running as the service user, can write them.
 */
void reg_cli_fix_owner(const char *data);

/** Print why the data directory cannot be used (rc from reg_blob_init); returns 1. */
int reg_data_fail(const char *data, int rc);

/** `user add` */
int reg_cmd_user_add(const struct reg_config *cfg, int argc, char **argv);
/** `key add` */
int reg_cmd_key_add(const struct reg_config *cfg, int argc, char **argv);
/** `key revoke` */
int reg_cmd_key_revoke(const struct reg_config *cfg, int argc, char **argv);
/** `token create` */
int reg_cmd_token_create(const struct reg_config *cfg, int argc, char **argv);
/** `token revoke` */
int reg_cmd_token_revoke(const struct reg_config *cfg, int argc, char **argv);
/** `yank` and `unyank` (argv[0] says which) */
int reg_cmd_yank(const struct reg_config *cfg, int argc, char **argv);
/** `verify` */
int reg_cmd_verify(const struct reg_config *cfg, int argc, char **argv);
/** `gc` */
int reg_cmd_gc(const struct reg_config *cfg, int argc, char **argv);
/** `serve` */
int reg_cmd_serve(const struct reg_config *cfg, int argc, char **argv);

#endif
