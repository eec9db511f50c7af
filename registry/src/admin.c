/* SPDX-License-Identifier: MIT */
/* Administration verbs that change users, keys, tokens and yank flags.
 *
 * Each verb opens the database directly (safe while the server runs: SQLite
 * WAL serialises writers), changes one thing in one statement and says what
 * it did. Only `token create` prints to stdout, and only the token, so
 * scripts can capture it.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob.h"
#include "cli.h"
#include "db.h"
#include "token.h"

int reg_fail(const char *what, const char *why, const char *hint)
{
    fprintf(stderr, "kide-registry: %s: %s\nhint: %s\n", what, why, hint);
    return 1;
}

int reg_data_fail(const char *data, int rc)
{
    char what[PATH_MAX + 64];
    if (rc == -ENOTEMPTY) {
        fprintf(stderr,
                "kide-registry: %s is not a kide-registry data directory: it is not empty and "
                "has no " REG_DATA_MARKER " marker\n"
                "hint: point 'data' at a new or empty directory (the registry deletes files in "
                "its tmp/); an existing registry's directory holds registry.db\n",
                data);
        return 1;
    }
    snprintf(what, sizeof(what), "cannot use data directory %s", data);
    return reg_fail(what, strerror(-rc),
                    "check the 'data' directory in the configuration and its permissions");
}

void reg_cli_fix_owner(const char *data)
{
    static const char *const names[] = {
            "registry.db", "registry.db-wal", "registry.db-shm", "blobs",
            "tmp",         REG_DATA_MARKER,   "blobs.lock",      "serve.lock"};
    char p[PATH_MAX];
    struct stat st;
    if (geteuid() != 0 || stat(data, &st) < 0 || st.st_uid == 0)
        return;
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(p, sizeof(p), "%s/%s", data, names[i]);
        if (lchown(p, st.st_uid, st.st_gid) < 0 && errno != ENOENT)
            fprintf(stderr,
                    "kide-registry: cannot give %s to the data directory's owner (uid %u): %s\n"
                    "hint: chown -R it to the service user before starting the server\n",
                    p, (unsigned)st.st_uid, strerror(errno));
    }
}

int reg_cli_open_db(const struct reg_config *cfg, sqlite3 **db)
{
    int rc = reg_blob_init(cfg->data);
    if (rc < 0) {
        reg_data_fail(cfg->data, rc);
        return rc;
    }
    rc = reg_db_open(cfg->data, db);
    if (rc < 0) {
        reg_fail("cannot open the database", strerror(-rc),
                 "check the 'data' directory in the configuration and its permissions");
        return rc;
    }
    return 0;
}

static int need_user(const char *user)
{
    if (reg_valid_user(user, strlen(user)))
        return 0;
    reg_fail("invalid user name", user, "user names match [a-z0-9][a-z0-9_-]{0,63}");
    return -EINVAL;
}

int reg_cmd_user_add(const struct reg_config *cfg, int argc, char **argv)
{
    sqlite3 *db;
    if (argc != 2)
        return 2;
    if (need_user(argv[1]) < 0 || reg_cli_open_db(cfg, &db) < 0)
        return 1;
    int rc = reg_db_user_add(db, argv[1]);
    sqlite3_close(db);
    if (rc == -EEXIST)
        return reg_fail("cannot add user", "it already exists", "nothing to do");
    if (rc < 0)
        return reg_fail("cannot add user", strerror(-rc), "check the database with 'verify'");
    fprintf(stderr, "kide-registry: added user %s\n", argv[1]);
    return 0;
}

int reg_cmd_key_add(const struct reg_config *cfg, int argc, char **argv)
{
    char id[17], text[16385];
    char *pem = NULL;
    EVP_PKEY *key = NULL;
    sqlite3 *db = NULL;
    int rc, status = 1;
    if (argc != 3)
        return 2;
    if (need_user(argv[1]) < 0)
        return 1;
    FILE *f = fopen(argv[2], "rb");
    if (!f)
        return reg_fail("cannot read the public key", strerror(errno), "check the file name");
    size_t n = fread(text, 1, sizeof(text) - 1, f);
    fclose(f);
    text[n] = '\0';
    /* Only the canonical public key is stored and published: never the file as given. */
    rc = reg_key_canonical(text, n, &pem);
    if (rc == -EPERM)
        return reg_fail("cannot add key", "the file holds a private key",
                        "give only the public key: 'openssl pkey -in KEY -pubout -out KEY.pub'; "
                        "keep the private key with the porter, never on the registry");
    if (rc == -ENOTSUP)
        return reg_fail("cannot add key", "not an Ed25519 key",
                        "create one with 'openssl genpkey -algorithm ed25519'");
    if (rc < 0)
        return reg_fail("cannot add key", "not a PEM public key",
                        "export it with 'openssl pkey -in KEY -pubout'");
    if (reg_key_parse(pem, strlen(pem), &key) < 0 || reg_key_id(key, id) < 0 ||
        reg_cli_open_db(cfg, &db) < 0)
        goto out;
    rc = reg_db_key_add(db, argv[1], id, pem);
    if (rc == -ENOENT)
        reg_fail("cannot add key", "no such user", "add it first with 'user add'");
    else if (rc == -EEXIST)
        reg_fail("cannot add key", "this key is already registered for the user",
                 "keys are identified by their hash; nothing to do");
    else if (rc < 0)
        reg_fail("cannot add key", strerror(-rc), "check the database with 'verify'");
    else {
        printf("%s\n", id);
        status = 0;
    }
out:
    EVP_PKEY_free(key);
    free(pem);
    sqlite3_close(db);
    return status;
}

int reg_cmd_key_revoke(const struct reg_config *cfg, int argc, char **argv)
{
    sqlite3 *db;
    bool keep = false;
    if (argc == 4 && strcmp(argv[3], "--keep-archives") == 0)
        keep = true;
    else if (argc != 3)
        return 2;
    if (need_user(argv[1]) < 0 || reg_cli_open_db(cfg, &db) < 0)
        return 1;
    int rc = reg_db_key_revoke(db, argv[1], argv[2], keep);
    sqlite3_close(db);
    if (rc == -ENOENT)
        return reg_fail("cannot revoke key", "no active key with this id for the user",
                        "list keys with GET /-/keys/<user>");
    if (rc < 0)
        return reg_fail("cannot revoke key", strerror(-rc), "check the database with 'verify'");
    fprintf(stderr, "kide-registry: revoked key %s of %s; archives it signed %s\n", argv[2],
            argv[1], keep ? "stay valid" : "are no longer served (410)");
    return 0;
}

int reg_cmd_token_create(const struct reg_config *cfg, int argc, char **argv)
{
    char token[REG_TOKEN_LEN + 1], id[REG_TOKEN_ID_LEN + 1];
    uint8_t hash[32];
    sqlite3 *db;
    if (argc != 2)
        return 2;
    if (need_user(argv[1]) < 0 || reg_cli_open_db(cfg, &db) < 0)
        return 1;
    int rc = reg_token_new(token, id);
    if (rc == 0) {
        reg_token_hash(token, strlen(token), hash);
        rc = reg_db_token_add(db, argv[1], id, hash);
    }
    sqlite3_close(db);
    if (rc == -ENOENT)
        return reg_fail("cannot create token", "no such user", "add it first with 'user add'");
    if (rc < 0)
        return reg_fail("cannot create token", strerror(-rc), "check the database with 'verify'");
    printf("%s\n", token);
    fprintf(stderr,
            "kide-registry: created token %s for %s (shown once; only its hash is "
            "stored)\n",
            id, argv[1]);
    return 0;
}

int reg_cmd_token_revoke(const struct reg_config *cfg, int argc, char **argv)
{
    char id[REG_TOKEN_ID_LEN + 1] = "", prefix[REG_TOKEN_ID_LEN + 1];
    sqlite3 *db;
    if (argc != 3)
        return 2;
    /* Accept a whole token, "kr_<id>", or an id prefix. */
    const char *p = strncmp(argv[2], "kr_", 3) == 0 ? argv[2] + 3 : argv[2];
    size_t n = strcspn(p, "_");
    if (n == 0 || n > REG_TOKEN_ID_LEN || strspn(p, "0123456789abcdef") < n)
        return reg_fail("cannot revoke token", "not a token id",
                        "give the id that 'token create' "
                        "printed to stderr, or a unique prefix of it");
    memcpy(prefix, p, n);
    prefix[n] = '\0';
    if (need_user(argv[1]) < 0 || reg_cli_open_db(cfg, &db) < 0)
        return 1;
    int rc = reg_db_token_revoke(db, argv[1], prefix, id);
    sqlite3_close(db);
    if (rc == -ENOENT)
        return reg_fail("cannot revoke token", "no active token of the user has this id",
                        "check the user and the id");
    if (rc == -EEXIST)
        return reg_fail("cannot revoke token", "the prefix matches several tokens",
                        "give more digits of the id");
    if (rc < 0)
        return reg_fail("cannot revoke token", strerror(-rc), "check the database with 'verify'");
    fprintf(stderr, "kide-registry: revoked token %s of %s\n", id, argv[1]);
    return 0;
}

int reg_cmd_yank(const struct reg_config *cfg, int argc, char **argv)
{
    char url[1100];
    struct reg_path p;
    sqlite3 *db;
    bool yank = strcmp(argv[0], "yank") == 0;
    if (argc != 2)
        return 2;
    snprintf(url, sizeof(url), "/%s/%s", argv[1], yank ? "yank" : "unyank");
    if (reg_path_parse(url, strlen(url), &p) < 0 ||
        (p.route != REG_R_YANK && p.route != REG_R_UNYANK))
        return reg_fail("bad archive", argv[1], "give <user>/<type>/<name>/<version>");
    if (reg_cli_open_db(cfg, &db) < 0)
        return 1;
    int rc = reg_db_archive_yank(db, &p, yank);
    sqlite3_close(db);
    if (rc == -ENOENT)
        return reg_fail(yank ? "cannot yank" : "cannot unyank", "no such archive version",
                        "check the path against GET /-/index/<user>");
    if (rc < 0)
        return reg_fail("cannot change the archive", strerror(-rc), "retry");
    fprintf(stderr, "kide-registry: %s %s\n", yank ? "yanked" : "unyanked", argv[1]);
    return 0;
}
