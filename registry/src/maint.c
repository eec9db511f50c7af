/* SPDX-License-Identifier: MIT */
/* Maintenance verbs: verify the store, collect garbage, serve.
 *
 * verify reads every archive row, re-hashes its blob and checks the stored
 * signature with the key that accepted it (revoked or not: verify is about
 * integrity, the revocation rule is applied when serving). gc deletes blobs
 * no row refers to and older than a grace period. It checks "referenced" and
 * unlinks while holding <data>/blobs.lock exclusive, and every publisher holds
 * it shared from committing a blob until its row is in, so a blob cannot gain a
 * reference between gc's check and its unlink (issue 12, point 1); the grace
 * period is only a second line for blobs written by other means.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blob.h"
#include "cli.h"
#include "db.h"
#include "server.h"

struct row {
    const char *user, *type, *name, *version, *sha, *key_id; /**< columns */
    uint64_t size;                                           /**< size column */
    const uint8_t *sig;                                      /**< signature column */
};

/* Check one blob against its row; returns NULL or what is wrong. */
static const char *check_blob(const struct reg_config *cfg, sqlite3 *db, const struct row *w)
{
    char path[PATH_MAX], hex[REG_SHA_HEX + 1];
    uint64_t size;
    char *pem = NULL;
    EVP_PKEY *key = NULL;
    const char *why = NULL;
    void *map = MAP_FAILED;
    int fd = -1;
    if (reg_blob_path(cfg->data, w->sha, path, sizeof(path)) < 0 ||
        reg_blob_hash_file(path, hex, &size) < 0)
        return "blob is missing or unreadable";
    if (size != w->size || strcmp(hex, w->sha) != 0)
        return "blob does not match its SHA-256 (tampered or corrupted)";
    if (reg_db_key_pem(db, w->user, w->key_id, &pem) < 0 ||
        reg_key_parse(pem, strlen(pem), &key) < 0) {
        why = "the signing key is missing from the database";
        goto out;
    }
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || (size && (map = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0)) == MAP_FAILED)) {
        why = "blob is unreadable";
        goto out;
    }
    if (reg_sig_verify(key, size ? map : "", size, w->sig) < 0)
        why = "signature does not verify";
out:
    if (map != MAP_FAILED)
        munmap(map, size);
    if (fd >= 0)
        close(fd);
    EVP_PKEY_free(key);
    free(pem);
    return why;
}

int reg_cmd_verify(const struct reg_config *cfg, int argc, char **argv)
{
    sqlite3 *db;
    sqlite3_stmt *st;
    unsigned long ok = 0, bad = 0;
    if (argc != 1)
        return 2;
    int rc = reg_cli_open_db(cfg, &db);
    if (rc < 0)
        return 1;
    if (sqlite3_prepare_v2(db,
                           "SELECT user, type, name, version, sha256, key_id, size, sig"
                           " FROM archives ORDER BY user, type, name, version",
                           -1, &st, NULL) != SQLITE_OK) {
        reg_fail("cannot read the database", sqlite3_errmsg(db), "restore from backup");
        sqlite3_close(db);
        return 1;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct row w = {
                (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2), (const char *)sqlite3_column_text(st, 3),
                (const char *)sqlite3_column_text(st, 4), (const char *)sqlite3_column_text(st, 5),
                (uint64_t)sqlite3_column_int64(st, 6),    sqlite3_column_blob(st, 7)};
        const char *why = sqlite3_column_bytes(st, 7) == REG_SIG_LEN
                                  ? check_blob(cfg, db, &w)
                                  : "stored signature is damaged";
        if (why) {
            bad++;
            fprintf(stderr, "kide-registry: verify: /%s/%s/%s/%s.tar.xz: %s\n", w.user, w.type,
                    w.name, w.version, why);
        } else {
            ok++;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        bad++;
    sqlite3_close(db);
    printf("verified %lu archive(s): %lu ok, %lu failed\n", ok + bad, ok, bad);
    if (bad)
        fprintf(stderr, "hint: restore the named blobs from backup, or yank those versions\n");
    return bad ? 1 : 0;
}

static bool referenced(sqlite3 *db, const char *sha)
{
    sqlite3_stmt *st;
    bool yes = true; /* on error keep the blob */
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM archives WHERE sha256 = ?", -1, &st, NULL) !=
        SQLITE_OK)
        return true;
    sqlite3_bind_text(st, 1, sha, -1, SQLITE_STATIC);
    yes = sqlite3_step(st) != SQLITE_DONE;
    sqlite3_finalize(st);
    return yes;
}

/* Visit one blobs/<aa> directory, holding the blob lock exclusive for it
 * (one directory at a time, so publishes wait at most one directory's sweep). */
static void gc_dir(const char *data, sqlite3 *db, const char *dir, time_t cutoff, unsigned long *n,
                   uint64_t *bytes)
{
    char p[PATH_MAX + 300];
    struct stat st;
    int lock = reg_blob_lock(data, true);
    if (lock < 0) {
        fprintf(stderr,
                "kide-registry: gc: cannot lock %s/blobs.lock: %s; skipping %s\n"
                "hint: check the permissions of the data directory\n",
                data, strerror(-lock), dir);
        return;
    }
    DIR *d = opendir(dir);
    if (!d) {
        reg_blob_unlock(lock);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strlen(e->d_name) != REG_SHA_HEX)
            continue;
        int len = snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        if (len < 0 || (size_t)len >= sizeof(p) || stat(p, &st) < 0 || st.st_mtime > cutoff ||
            referenced(db, e->d_name))
            continue;
        if (unlink(p) == 0) {
            (*n)++;
            *bytes += (uint64_t)st.st_size;
        }
    }
    closedir(d);
    reg_blob_unlock(lock);
}

int reg_cmd_gc(const struct reg_config *cfg, int argc, char **argv)
{
    char blobs[PATH_MAX], dir[PATH_MAX + 300], lock[PATH_MAX];
    long grace = 3600;
    unsigned long n = 0;
    uint64_t bytes = 0;
    sqlite3 *db;
    if (argc == 3 && strcmp(argv[1], "--grace") == 0) {
        char *end;
        grace = strtol(argv[2], &end, 10);
        if (*end || grace < 0)
            return 2;
    } else if (argc != 1) {
        return 2;
    }
    int rc = reg_cli_open_db(cfg, &db);
    if (rc < 0)
        return 1;
    snprintf(blobs, sizeof(blobs), "%s/blobs", cfg->data);
    DIR *d = opendir(blobs);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strlen(e->d_name) != 2)
                continue;
            int len = snprintf(dir, sizeof(dir), "%s/%s", blobs, e->d_name);
            if (len < 0 || (size_t)len >= sizeof(dir))
                continue;
            gc_dir(cfg->data, db, dir, time(NULL) - grace, &n, &bytes);
        }
        closedir(d);
    }
    sqlite3_close(db);
    /* With no server running, leftovers of interrupted uploads can go too. */
    snprintf(lock, sizeof(lock), "%s/serve.lock", cfg->data);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        reg_blob_clean_tmp(cfg->data);
    if (fd >= 0)
        close(fd);
    printf("removed %lu unreferenced blob(s), %" PRIu64 " bytes\n", n, bytes);
    return 0;
}

int reg_cmd_serve(const struct reg_config *cfg, int argc, char **argv)
{
    if (argc != 1)
        return 2;
    return reg_serve(cfg) < 0 ? 1 : 0;
}
