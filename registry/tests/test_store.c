/* SPDX-License-Identifier: MIT */
/* Tests of the blob store (src/blob.c) and the metadata database (src/db.c).
 *
 * They work in a fresh directory under $BUILD (never outside the build tree)
 * and cover the error paths the server relies on: duplicate users and
 * versions, unknown users, bad, revoked and ambiguous tokens, key revocation
 * with and without --keep-archives, aborted uploads leaving nothing behind.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "blob.h"
#include "db.h"
#include "token.h"
#include "unit.h"

struct env {
    char dir[PATH_MAX]; /**< data directory of this run */
    sqlite3 *db;        /**< open database */
};

static int setup(void **state)
{
    static struct env e;
    const char *build = getenv("BUILD");
    snprintf(e.dir, sizeof(e.dir), "%s/registry/unit-XXXXXX", build ? build : "build");
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s/registry", build ? build : "build");
    mkdir(parent, 0755);
    if (!mkdtemp(e.dir) || reg_blob_init(e.dir) < 0 || reg_db_open(e.dir, &e.db) < 0)
        return -1;
    *state = &e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    char cmd[PATH_MAX + 16];
    sqlite3_close(e->db);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", e->dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int count_files(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *ent;
    while (d && (ent = readdir(d)) != NULL)
        n += ent->d_name[0] != '.';
    if (d)
        closedir(d);
    return n;
}

static void upload_commit_and_abort(void **state)
{
    struct env *e = *state;
    struct reg_upload u;
    char hex[REG_SHA_HEX + 1], path[PATH_MAX], tmp[PATH_MAX + 8], hex2[REG_SHA_HEX + 1];
    uint64_t size;
    snprintf(tmp, sizeof(tmp), "%s/tmp", e->dir);
    assert_int_equal(reg_upload_begin(e->dir, &u), 0);
    assert_int_equal(reg_upload_write(&u, "abc", 3), 0);
    assert_int_equal(count_files(tmp), 1);
    assert_int_equal(reg_upload_digest(&u, hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert_int_equal(reg_upload_commit(e->dir, &u, hex), 0);
    assert_int_equal(count_files(tmp), 0);
    assert_int_equal(reg_blob_path(e->dir, hex, path, sizeof(path)), 0);
    assert_int_equal(reg_blob_hash_file(path, hex2, &size), 0);
    assert_string_equal(hex, hex2);
    assert_int_equal(size, 3);
    /* The same bytes again: the existing blob stays, the temporary file goes. */
    assert_int_equal(reg_upload_begin(e->dir, &u), 0);
    assert_int_equal(reg_upload_write(&u, "abc", 3), 0);
    assert_int_equal(reg_upload_digest(&u, hex), 0);
    assert_int_equal(reg_upload_commit(e->dir, &u, hex), 0);
    assert_int_equal(count_files(tmp), 0);
    /* Abort leaves nothing; aborting twice is harmless. */
    assert_int_equal(reg_upload_begin(e->dir, &u), 0);
    assert_int_equal(reg_upload_write(&u, "partial", 7), 0);
    reg_upload_abort(&u);
    reg_upload_abort(&u);
    assert_int_equal(count_files(tmp), 0);
    assert_int_equal(reg_blob_hash_file("/nonexistent/blob", hex2, &size), -ENOENT);
    assert_int_equal(reg_upload_begin("/nonexistent/data", &u), -ENOENT);
}

static void users_and_tokens(void **state)
{
    struct env *e = *state;
    char token[REG_TOKEN_LEN + 1], id[REG_TOKEN_ID_LEN + 1], user[REG_USER_MAX + 1], out[16];
    uint8_t hash[32];
    assert_int_equal(reg_db_user_add(e->db, "tok"), 0);
    assert_int_equal(reg_db_user_add(e->db, "tok"), -EEXIST);
    assert_int_equal(reg_db_user_exists(e->db, "nobody"), -ENOENT);
    assert_int_equal(reg_token_new(token, id), 0);
    reg_token_hash(token, strlen(token), hash);
    assert_int_equal(reg_db_token_add(e->db, "nobody", id, hash), -ENOENT);
    assert_int_equal(reg_db_token_add(e->db, "tok", id, hash), 0);
    assert_int_equal(reg_db_token_check(e->db, token, strlen(token), user), 0);
    assert_string_equal(user, "tok");
    /* Right id, wrong secret. */
    char forged[REG_TOKEN_LEN + 1];
    memcpy(forged, token, sizeof(forged));
    forged[REG_TOKEN_LEN - 1] = forged[REG_TOKEN_LEN - 1] == '0' ? '1' : '0';
    assert_int_equal(reg_db_token_check(e->db, forged, strlen(forged), user), -EACCES);
    assert_int_equal(reg_db_token_check(e->db, "kr_x", 4, user), -EACCES);
    /* Prefix revoke: unknown, then exact. */
    assert_int_equal(reg_db_token_revoke(e->db, "tok", "zzzz", out), -ENOENT);
    assert_int_equal(reg_db_token_revoke(e->db, "other", id, out), -ENOENT);
    assert_int_equal(reg_db_token_revoke(e->db, "tok", id, out), 0);
    assert_string_equal(out, id);
    assert_int_equal(reg_db_token_check(e->db, token, strlen(token), user), -EACCES);
    /* An empty prefix matching several tokens is ambiguous. */
    char t2[REG_TOKEN_LEN + 1], id2[REG_TOKEN_ID_LEN + 1], t3[REG_TOKEN_LEN + 1],
            id3[REG_TOKEN_ID_LEN + 1];
    assert_int_equal(reg_token_new(t2, id2), 0);
    assert_int_equal(reg_token_new(t3, id3), 0);
    reg_token_hash(t2, strlen(t2), hash);
    assert_int_equal(reg_db_token_add(e->db, "tok", id2, hash), 0);
    reg_token_hash(t3, strlen(t3), hash);
    assert_int_equal(reg_db_token_add(e->db, "tok", id3, hash), 0);
    assert_int_equal(reg_db_token_revoke(e->db, "tok", "", out), -EEXIST);
}

static void archives_and_keys(void **state)
{
    struct env *e = *state;
    struct reg_path p = {.route = REG_R_ARCHIVE};
    struct reg_archive a = {.size = 3, .created = 1}, got;
    const char *pem = "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAcPVsIeIwHx/J3Me8s9vq92OnDo61yp/"
                      "UiexqJFffxvM=\n-----END PUBLIC KEY-----\n";
    strcpy(p.user, "arc");
    strcpy(p.type, "src");
    strcpy(p.name, "zlib");
    strcpy(p.version, "1.0");
    strcpy(a.sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    strcpy(a.key_id, "00112233aabbccdd");
    assert_int_equal(reg_db_key_add(e->db, "arc", a.key_id, pem), -ENOENT);
    assert_int_equal(reg_db_user_add(e->db, "arc"), 0);
    assert_int_equal(reg_db_key_add(e->db, "arc", a.key_id, pem), 0);
    assert_int_equal(reg_db_key_add(e->db, "arc", a.key_id, pem), -EEXIST);
    assert_int_equal(reg_db_archive_get(e->db, &p, &got), -ENOENT);
    assert_int_equal(reg_db_archive_insert(e->db, &p, &a, 0), 0);
    assert_int_equal(reg_db_archive_insert(e->db, &p, &a, 0), -EEXIST);
    /* Quota: 3 bytes stored, 3 more would exceed 5 and nothing is inserted. */
    struct reg_path q = p;
    strcpy(q.version, "1.1");
    assert_int_equal(reg_db_archive_insert(e->db, &q, &a, 5), -EDQUOT);
    assert_int_equal(reg_db_archive_get(e->db, &q, &got), -ENOENT);
    assert_int_equal(reg_db_archive_insert(e->db, &q, &a, 6), 0);
    assert_int_equal(reg_db_archive_get(e->db, &p, &got), 0);
    assert_string_equal(got.sha256, a.sha256);
    assert_true(got.valid);
    assert_false(got.yanked);
    assert_int_equal(reg_db_archive_yank(e->db, &p, true), 0);
    assert_int_equal(reg_db_archive_get(e->db, &p, &got), 0);
    assert_true(got.yanked);
    uint64_t used;
    assert_int_equal(reg_db_user_usage(e->db, "arc", &used), 0);
    assert_int_equal(used, 6);
    /* Revocation without keep invalidates; a second revoke finds nothing active. */
    assert_int_equal(reg_db_key_revoke(e->db, "arc", a.key_id, false), 0);
    assert_int_equal(reg_db_archive_get(e->db, &p, &got), 0);
    assert_false(got.valid);
    assert_int_equal(reg_db_key_revoke(e->db, "arc", a.key_id, true), -ENOENT);
    struct reg_path missing = p;
    strcpy(missing.version, "9.9");
    assert_int_equal(reg_db_archive_yank(e->db, &missing, true), -ENOENT);
    char *out = NULL;
    assert_int_equal(reg_db_key_pem(e->db, "arc", a.key_id, &out), 0);
    assert_string_equal(out, pem);
    free(out);
    assert_int_equal(reg_db_key_pem(e->db, "arc", "ffffffffffffffff", &out), -ENOENT);
}

static void pool_lookup(void **state)
{
    struct env *e = *state;
    struct reg_pool pool;
    struct reg_path p = {.route = REG_R_ARCHIVE};
    struct reg_archive got;
    strcpy(p.user, "arc");
    strcpy(p.type, "src");
    strcpy(p.name, "zlib");
    strcpy(p.version, "1.0");
    assert_int_equal(reg_pool_init(&pool, e->dir, 2), 0);
    for (int i = 0; i < 5; i++) /* the cached statement is reusable */
        assert_int_equal(reg_pool_archive_get(&pool, &p, &got), 0);
    strcpy(p.version, "2.0");
    assert_int_equal(reg_pool_archive_get(&pool, &p, &got), -ENOENT);
    reg_pool_fini(&pool);
}

int reg_test_store(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(upload_commit_and_abort),
            cmocka_unit_test(users_and_tokens),
            cmocka_unit_test(archives_and_keys),
            cmocka_unit_test(pool_lookup),
    };
    return cmocka_run_group_tests_name("store", tests, setup, teardown);
}
