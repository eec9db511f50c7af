/* SPDX-License-Identifier: MIT */
/* The metadata database: users, keys, tokens and archives in SQLite.
 *
 * One file, <data>/registry.db, in WAL mode with synchronous=FULL, so a
 * committed publish survives a crash and readers never block the writer.
 * Archive rows point at blobs by SHA-256 and are inserted only after the
 * blob is durable (blob.h). A row is the sole source of truth for whether a
 * version exists; versions are immutable, so rows are never updated except
 * for the yanked flag. A pool hands one connection to each request.
 *
 * Key revocation rule: an archive is valid while the key that signed it is
 * active, or when the operator revoked the key with --keep-archives. Invalid
 * archives vanish from index, search and latest and downloads answer 410.
 */
#ifndef REG_DB_H
#define REG_DB_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "path.h"
#include "sig.h"

/** One stored archive version. */
struct reg_archive {
    char sha256[65];          /**< hex SHA-256 of the bytes (the blob name) */
    uint64_t size;            /**< length in bytes */
    uint8_t sig[REG_SIG_LEN]; /**< detached Ed25519 signature */
    char key_id[17];          /**< id of the key that verified sig */
    bool yanked;              /**< hidden from index and latest */
    bool valid;               /**< false once its key is revoked without --keep-archives */
    int64_t created;          /**< publish time, seconds since the epoch */
};

/** A fixed set of connections shared by request threads. */
struct reg_pool {
    pthread_mutex_t lock; /**< guards free/nfree */
    pthread_cond_t cond;  /**< signalled when a connection is returned */
    sqlite3 **all;        /**< every connection */
    sqlite3_stmt **get;   /**< per connection: the cached archive lookup, or NULL */
    sqlite3 **free;       /**< stack of idle connections */
    unsigned n, nfree;    /**< pool size, idle count */
};

/** Open (creating if needed) the database of data dir. Returns 0 or -errno. */
int reg_db_open(const char *data, sqlite3 **out);

/** Open n connections into pool. Returns 0 or -errno. */
int reg_pool_init(struct reg_pool *pool, const char *data, unsigned n);
/** Borrow a connection; blocks while all are in use. */
sqlite3 *reg_pool_get(struct reg_pool *pool);
/** Return a borrowed connection. */
void reg_pool_put(struct reg_pool *pool, sqlite3 *db);
/** Close every connection. */
void reg_pool_fini(struct reg_pool *pool);

/**
 * Look up an archive version on a pooled connection with a cached prepared
 * statement (the download hot path). Returns 0, -ENOENT or -EIO.
 */
int reg_pool_archive_get(struct reg_pool *pool, const struct reg_path *p, struct reg_archive *a);

/** Process-wide SQLite settings; call once before any other reg_db or reg_pool function. */
void reg_db_global_init(void);

/** Add a user. Returns 0, -EEXIST or -EIO. */
int reg_db_user_add(sqlite3 *db, const char *user);
/** Return 0 if the user exists, -ENOENT if not, -EIO on error. */
int reg_db_user_exists(sqlite3 *db, const char *user);

/** Register a public key (PEM) with its id. Returns 0, -EEXIST, -ENOENT (no user) or -EIO. */
int reg_db_key_add(sqlite3 *db, const char *user, const char *id, const char *pem);
/** Revoke a key; keep says whether archives it signed stay valid. Returns 0, -ENOENT, -EIO. */
int reg_db_key_revoke(sqlite3 *db, const char *user, const char *id, bool keep);
/** Callback for reg_db_keys_active: return non-zero to stop. */
typedef int (*reg_key_fn)(void *arg, const char *id, const char *pem);
/** Call fn for each active key of user. Returns fn's stop value, 0, or -EIO. */
int reg_db_keys_active(sqlite3 *db, const char *user, reg_key_fn fn, void *arg);
/** Fetch the PEM of any key (even revoked) into *pem (free()). Returns 0, -ENOENT, -EIO. */
int reg_db_key_pem(sqlite3 *db, const char *user, const char *id, char **pem);

/** Store a token hash. Returns 0, -ENOENT (no user) or -EIO. */
int reg_db_token_add(sqlite3 *db, const char *user, const char *id, const uint8_t hash[32]);
/**
 * Check a presented token; on success user (REG_USER_MAX + 1 bytes) gets its
 * owner. Returns 0, -EACCES (unknown, revoked or malformed) or -EIO.
 */
int reg_db_token_check(sqlite3 *db, const char *token, size_t n, char *user);
/** Revoke the user's token whose id starts with prefix. Returns 0, -ENOENT, -EEXIST (ambiguous),
 * -EIO. */
int reg_db_token_revoke(sqlite3 *db, const char *user, const char *prefix, char *id_out);

/** Look up an archive version. Returns 0, -ENOENT or -EIO. */
int reg_db_archive_get(sqlite3 *db, const struct reg_path *p, struct reg_archive *a);
/**
 * Insert a new version in one transaction; with quota non-zero, fail with
 * -EDQUOT if the user's archives would exceed quota bytes.
 * Returns 0, -EEXIST (version exists), -EDQUOT, -EBUSY or -EIO.
 */
int reg_db_archive_insert(sqlite3 *db, const struct reg_path *p, const struct reg_archive *a,
                          uint64_t quota);
/** Set or clear the yanked flag. Returns 0, -ENOENT or -EIO. */
int reg_db_archive_yank(sqlite3 *db, const struct reg_path *p, bool yanked);
/** Sum of the sizes of the user's archives. Returns 0 or -EIO. */
int reg_db_user_usage(sqlite3 *db, const char *user, uint64_t *bytes);

#endif
