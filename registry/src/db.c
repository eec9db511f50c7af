/* SPDX-License-Identifier: MIT */
/* The metadata database: users, keys, tokens and archives in SQLite.
 *
 * Every statement is prepared per call (a few microseconds) to keep the
 * connection objects free of cached state; a busy timeout makes concurrent
 * writers queue instead of failing. The "version" collation orders versions
 * naturally (valid.h) for index listings and latest.
 */
#include "db.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token.h"

static const char schema[] =
        "CREATE TABLE IF NOT EXISTS users(name TEXT PRIMARY KEY, created INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS keys(user TEXT NOT NULL REFERENCES users(name),"
        " id TEXT NOT NULL, pem TEXT NOT NULL, created INTEGER NOT NULL, revoked INTEGER,"
        " keep_signed INTEGER NOT NULL DEFAULT 0, PRIMARY KEY(user, id));"
        "CREATE TABLE IF NOT EXISTS tokens(id TEXT PRIMARY KEY,"
        " user TEXT NOT NULL REFERENCES users(name), hash BLOB NOT NULL,"
        " created INTEGER NOT NULL, revoked INTEGER);"
        "CREATE TABLE IF NOT EXISTS archives(user TEXT NOT NULL REFERENCES users(name),"
        " type TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
        " sha256 TEXT NOT NULL, size INTEGER NOT NULL, sig BLOB NOT NULL,"
        " key_id TEXT NOT NULL, yanked INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL,"
        " PRIMARY KEY(user, type, name, version));"
        "CREATE INDEX IF NOT EXISTS archives_name ON archives(name);"
        "CREATE INDEX IF NOT EXISTS archives_sha ON archives(sha256);"
        "PRAGMA user_version = 1;";

static int version_collate(void *arg, int an, const void *a, int bn, const void *b)
{
    return reg_version_cmp(a, (size_t)an, b, (size_t)bn);
}

static int map(int src)
{
    switch (src & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return 0;
    case SQLITE_CONSTRAINT:
        return -EEXIST;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return -EBUSY;
    case SQLITE_NOMEM:
        return -ENOMEM;
    default:
        return -EIO;
    }
}

static int schema_version(sqlite3 *db)
{
    sqlite3_stmt *st;
    int v = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return v;
}

int reg_db_open(const char *data, sqlite3 **out)
{
    char path[PATH_MAX];
    sqlite3 *db = NULL;
    int rc;
    snprintf(path, sizeof(path), "%s/registry.db", data);
    int src = sqlite3_open_v2(
            path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK) {
        rc = map(src);
        goto error;
    }
    sqlite3_busy_timeout(db, 30000);
    src = sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                       "PRAGMA foreign_keys=ON;",
                       NULL, NULL, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_create_collation(db, "version", SQLITE_UTF8, NULL, version_collate);
    if (src == SQLITE_OK && schema_version(db) < 1) /* create once, not on every open */
        src = sqlite3_exec(db, schema, NULL, NULL, NULL);
    if (src != SQLITE_OK) {
        rc = map(src);
        goto error;
    }
    *out = db;
    return 0;
error:
    sqlite3_close(db);
    return rc < 0 ? rc : -EIO;
}

int reg_pool_init(struct reg_pool *pool, const char *data, unsigned n)
{
    int rc = 0;
    memset(pool, 0, sizeof(*pool));
    pthread_mutex_init(&pool->lock, NULL);
    pthread_cond_init(&pool->cond, NULL);
    pool->all = calloc(n, sizeof(*pool->all));
    pool->free = calloc(n, sizeof(*pool->free));
    pool->get = calloc(n, sizeof(*pool->get));
    if (!pool->all || !pool->free || !pool->get) {
        rc = -ENOMEM;
        goto error;
    }
    for (unsigned i = 0; i < n; i++) {
        if ((rc = reg_db_open(data, &pool->all[i])) < 0)
            goto error;
        pool->n++;
        pool->free[pool->nfree++] = pool->all[i];
    }
    return 0;
error:
    reg_pool_fini(pool);
    return rc;
}

sqlite3 *reg_pool_get(struct reg_pool *pool)
{
    pthread_mutex_lock(&pool->lock);
    while (pool->nfree == 0)
        pthread_cond_wait(&pool->cond, &pool->lock);
    sqlite3 *db = pool->free[--pool->nfree];
    pthread_mutex_unlock(&pool->lock);
    return db;
}

void reg_pool_put(struct reg_pool *pool, sqlite3 *db)
{
    pthread_mutex_lock(&pool->lock);
    pool->free[pool->nfree++] = db;
    pthread_cond_signal(&pool->cond);
    pthread_mutex_unlock(&pool->lock);
}

void reg_pool_fini(struct reg_pool *pool)
{
    for (unsigned i = 0; i < pool->n; i++) {
        if (pool->get)
            sqlite3_finalize(pool->get[i]);
        sqlite3_close(pool->all[i]);
    }
    free(pool->all);
    free(pool->free);
    free(pool->get);
    pool->all = pool->free = NULL;
    pool->get = NULL;
    pool->n = pool->nfree = 0;
    pthread_mutex_destroy(&pool->lock);
    pthread_cond_destroy(&pool->cond);
}

/* Prepare sql and bind the NULL-terminated list of text arguments. */
static int prepare(sqlite3 *db, const char *sql, sqlite3_stmt **st, const char *const *args)
{
    if (sqlite3_prepare_v2(db, sql, -1, st, NULL) != SQLITE_OK)
        return -EIO;
    for (int i = 0; args && args[i]; i++)
        sqlite3_bind_text(*st, i + 1, args[i], -1, SQLITE_STATIC);
    return 0;
}

/* Run a statement without results; returns 0 or a mapped error. */
static int exec(sqlite3 *db, const char *sql, const char *const *args, int64_t extra)
{
    sqlite3_stmt *st;
    int rc = prepare(db, sql, &st, args);
    if (rc < 0)
        return rc;
    if (extra != INT64_MIN) {
        int n = 0;
        while (args && args[n])
            n++;
        sqlite3_bind_int64(st, n + 1, extra);
    }
    rc = map(sqlite3_step(st));
    sqlite3_finalize(st);
    return rc;
}

int reg_db_user_add(sqlite3 *db, const char *user)
{
    const char *args[] = {user, NULL};
    return exec(db, "INSERT INTO users(name, created) VALUES(?, ?)", args, time(NULL));
}

int reg_db_user_exists(sqlite3 *db, const char *user)
{
    sqlite3_stmt *st;
    const char *args[] = {user, NULL};
    int rc = prepare(db, "SELECT 1 FROM users WHERE name = ?", &st, args);
    if (rc < 0)
        return rc;
    int s = sqlite3_step(st);
    rc = s == SQLITE_ROW ? 0 : s == SQLITE_DONE ? -ENOENT : map(s);
    sqlite3_finalize(st);
    return rc;
}

int reg_db_key_add(sqlite3 *db, const char *user, const char *id, const char *pem)
{
    int rc = reg_db_user_exists(db, user);
    if (rc < 0)
        return rc;
    const char *args[] = {user, id, pem, NULL};
    return exec(db, "INSERT INTO keys(user, id, pem, created) VALUES(?, ?, ?, ?)", args,
                time(NULL));
}

int reg_db_key_revoke(sqlite3 *db, const char *user, const char *id, bool keep)
{
    const char *args[] = {keep ? "1" : "0", user, id, NULL};
    int rc = exec(db,
                  "UPDATE keys SET keep_signed = ?, revoked = ?4"
                  " WHERE user = ?2 AND id = ?3 AND revoked IS NULL",
                  args, time(NULL));
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = -ENOENT;
    return rc;
}

int reg_db_keys_active(sqlite3 *db, const char *user, reg_key_fn fn, void *arg)
{
    sqlite3_stmt *st;
    const char *args[] = {user, NULL};
    int rc = prepare(db, "SELECT id, pem FROM keys WHERE user = ? AND revoked IS NULL", &st, args);
    if (rc < 0)
        return rc;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        rc = fn(arg, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1));
        if (rc != 0)
            break;
    }
    if (rc == 0 && s != SQLITE_DONE)
        rc = map(s);
    sqlite3_finalize(st);
    return rc;
}

int reg_db_key_pem(sqlite3 *db, const char *user, const char *id, char **pem)
{
    sqlite3_stmt *st;
    const char *args[] = {user, id, NULL};
    int rc = prepare(db, "SELECT pem FROM keys WHERE user = ? AND id = ?", &st, args);
    if (rc < 0)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW) {
        *pem = strdup((const char *)sqlite3_column_text(st, 0));
        rc = *pem ? 0 : -ENOMEM;
    } else {
        rc = s == SQLITE_DONE ? -ENOENT : map(s);
    }
    sqlite3_finalize(st);
    return rc;
}

int reg_db_token_add(sqlite3 *db, const char *user, const char *id, const uint8_t hash[32])
{
    sqlite3_stmt *st;
    int rc = reg_db_user_exists(db, user);
    if (rc < 0)
        return rc;
    const char *args[] = {id, user, NULL};
    if ((rc = prepare(db, "INSERT INTO tokens(id, user, hash, created) VALUES(?, ?, ?, ?)", &st,
                      args)) < 0)
        return rc;
    sqlite3_bind_blob(st, 3, hash, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, time(NULL));
    rc = map(sqlite3_step(st));
    sqlite3_finalize(st);
    return rc;
}

int reg_db_token_check(sqlite3 *db, const char *token, size_t n, char *user)
{
    char id[REG_TOKEN_ID_LEN + 1];
    uint8_t hash[32];
    sqlite3_stmt *st;
    if (reg_token_parse(token, n, id) < 0)
        return -EACCES;
    reg_token_hash(token, n, hash);
    const char *args[] = {id, NULL};
    int rc = prepare(db, "SELECT user, hash FROM tokens WHERE id = ? AND revoked IS NULL", &st,
                     args);
    if (rc < 0)
        return rc;
    int s = sqlite3_step(st);
    rc = -EACCES;
    if (s == SQLITE_ROW && sqlite3_column_bytes(st, 1) == 32 &&
        reg_token_hash_eq(hash, sqlite3_column_blob(st, 1))) {
        snprintf(user, REG_USER_MAX + 1, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = 0;
    } else if (s != SQLITE_ROW && s != SQLITE_DONE) {
        rc = map(s);
    }
    sqlite3_finalize(st);
    return rc;
}

int reg_db_token_revoke(sqlite3 *db, const char *user, const char *prefix, char *id_out)
{
    sqlite3_stmt *st;
    const char *args[] = {user, prefix, NULL};
    int rc = prepare(db,
                     "SELECT id FROM tokens WHERE user = ? AND revoked IS NULL"
                     " AND substr(id, 1, length(?2)) = ?2",
                     &st, args);
    if (rc < 0)
        return rc;
    int matches = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (matches++ == 0)
            snprintf(id_out, REG_TOKEN_ID_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    if (s != SQLITE_DONE)
        return map(s);
    if (matches == 0)
        return -ENOENT;
    if (matches > 1)
        return -EEXIST;
    const char *uargs[] = {id_out, NULL};
    return exec(db, "UPDATE tokens SET revoked = ?2 WHERE id = ?1", uargs, time(NULL));
}

#define ARCHIVE_GET                                                                                \
    "SELECT a.sha256, a.size, a.sig, a.key_id, a.yanked, a.created,"                               \
    " (k.revoked IS NULL OR k.keep_signed) FROM archives a"                                        \
    " LEFT JOIN keys k ON k.user = a.user AND k.id = a.key_id"                                     \
    " WHERE a.user = ? AND a.type = ? AND a.name = ? AND a.version = ?"

/* Bind p to a prepared ARCHIVE_GET, step it once and read the row into a. */
static int archive_step(sqlite3_stmt *st, const struct reg_path *p, struct reg_archive *a)
{
    int rc;
    sqlite3_bind_text(st, 1, p->user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->type, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->version, -1, SQLITE_STATIC);
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW && sqlite3_column_bytes(st, 2) == REG_SIG_LEN) {
        snprintf(a->sha256, sizeof(a->sha256), "%s", (const char *)sqlite3_column_text(st, 0));
        a->size = (uint64_t)sqlite3_column_int64(st, 1);
        memcpy(a->sig, sqlite3_column_blob(st, 2), REG_SIG_LEN);
        snprintf(a->key_id, sizeof(a->key_id), "%s", (const char *)sqlite3_column_text(st, 3));
        a->yanked = sqlite3_column_int(st, 4) != 0;
        a->created = sqlite3_column_int64(st, 5);
        a->valid = sqlite3_column_int(st, 6) != 0;
        rc = 0;
    } else {
        rc = s == SQLITE_DONE ? -ENOENT : s == SQLITE_ROW ? -EIO : map(s);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

int reg_db_archive_get(sqlite3 *db, const struct reg_path *p, struct reg_archive *a)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, ARCHIVE_GET, -1, &st, NULL) != SQLITE_OK)
        return -EIO;
    int rc = archive_step(st, p, a);
    sqlite3_finalize(st);
    return rc;
}

int reg_pool_archive_get(struct reg_pool *pool, const struct reg_path *p, struct reg_archive *a)
{
    int rc = -EIO;
    unsigned i;
    sqlite3 *db = reg_pool_get(pool);
    for (i = 0; i < pool->n && pool->all[i] != db; i++)
        ;
    /* Invariant: a borrowed connection is one of pool->all. */
    if (i < pool->n && !pool->get[i] &&
        sqlite3_prepare_v3(db, ARCHIVE_GET, -1, SQLITE_PREPARE_PERSISTENT, &pool->get[i], NULL) !=
                SQLITE_OK)
        pool->get[i] = NULL;
    if (i < pool->n && pool->get[i])
        rc = archive_step(pool->get[i], p, a);
    reg_pool_put(pool, db);
    return rc;
}

void reg_db_global_init(void)
{
    /* No allocation statistics: they take a global mutex on every malloc. */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int insert_row(sqlite3 *db, const struct reg_path *p, const struct reg_archive *a)
{
    sqlite3_stmt *st;
    const char *args[] = {p->user, p->type, p->name, p->version, a->sha256, NULL};
    int rc = prepare(db,
                     "INSERT INTO archives(user, type, name, version, sha256, size, sig,"
                     " key_id, created) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     &st, args);
    if (rc < 0)
        return rc;
    sqlite3_bind_int64(st, 6, (int64_t)a->size);
    sqlite3_bind_blob(st, 7, a->sig, REG_SIG_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, a->key_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, a->created);
    rc = map(sqlite3_step(st));
    sqlite3_finalize(st);
    return rc;
}

int reg_db_archive_insert(sqlite3 *db, const struct reg_path *p, const struct reg_archive *a,
                          uint64_t quota)
{
    uint64_t used = 0;
    /* IMMEDIATE takes the write lock first, so the quota check and the insert are atomic
     * with respect to concurrent publishes of the same user. */
    int rc = map(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL));
    if (rc < 0)
        return rc;
    if (quota && (rc = reg_db_user_usage(db, p->user, &used)) == 0 && used + a->size > quota)
        rc = -EDQUOT;
    if (rc == 0)
        rc = insert_row(db, p, a);
    if (rc == 0)
        rc = map(sqlite3_exec(db, "COMMIT", NULL, NULL, NULL));
    if (rc < 0)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

int reg_db_archive_yank(sqlite3 *db, const struct reg_path *p, bool yanked)
{
    const char *args[] = {p->user, p->type, p->name, p->version, NULL};
    int rc = exec(db,
                  "UPDATE archives SET yanked = ?5"
                  " WHERE user = ?1 AND type = ?2 AND name = ?3 AND version = ?4",
                  args, yanked);
    if (rc == 0 && sqlite3_changes(db) == 0)
        rc = -ENOENT;
    return rc;
}

int reg_db_user_usage(sqlite3 *db, const char *user, uint64_t *bytes)
{
    sqlite3_stmt *st;
    const char *args[] = {user, NULL};
    int rc = prepare(db, "SELECT coalesce(sum(size), 0) FROM archives WHERE user = ?", &st, args);
    if (rc < 0)
        return rc;
    int s = sqlite3_step(st);
    if (s == SQLITE_ROW)
        *bytes = (uint64_t)sqlite3_column_int64(st, 0);
    rc = s == SQLITE_ROW ? 0 : map(s);
    sqlite3_finalize(st);
    return rc;
}
