/* SPDX-License-Identifier: MIT */
/* Publishing archives and yanking versions.
 *
 * A publish is PUT /<user>/<type>/<name>/<version>.tar.xz with the archive as
 * body, X-Kide-Signature (base64 of the raw Ed25519 signature) and
 * Authorization: Bearer <token>. Headers are checked first (401, 403, 400,
 * 413); the body streams into a temporary file while it is hashed; then, in
 * order: the signature must verify against one of the user's active keys
 * (422), an existing version must have the same bytes (200) or the request
 * fails (409), the user's quota must hold (413), and only then is the blob
 * committed and the row inserted (201). Two concurrent publishes of one
 * version are settled by the primary key: the loser re-reads the winner.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include <cjson/cJSON.h>

#include "archive.h"
#include "server.h"

/** Most active keys per user considered when verifying a publish. */
#define REG_MAX_KEYS 32

int reg_auth(struct MHD_Connection *c, struct reg_req *r, sqlite3 *db)
{
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
    char user[REG_USER_MAX + 1];
    if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
        r->err_status = MHD_HTTP_UNAUTHORIZED;
        r->err = "missing API token";
        r->hint = "send 'Authorization: Bearer <token>'; the operator creates tokens with "
                  "'kide-registry token create <user>'";
        return -EACCES;
    }
    h += 7;
    int rc = reg_db_token_check(db, h, strlen(h), user);
    if (rc < 0) {
        r->err_status = rc == -EACCES ? MHD_HTTP_UNAUTHORIZED : MHD_HTTP_INTERNAL_SERVER_ERROR;
        r->err = rc == -EACCES ? "invalid or revoked API token" : "database error";
        r->hint = "check the token; ask the operator for a new one if it was revoked";
        return -EACCES;
    }
    snprintf(r->user, sizeof(r->user), "%s", user);
    if (strcmp(user, r->path.user) != 0) {
        r->err_status = MHD_HTTP_FORBIDDEN;
        r->err = "token belongs to another user";
        r->hint = "publish under /<your-user>/... or use that user's token";
        return -EPERM;
    }
    return 0;
}

static void bad(struct reg_req *r, unsigned status, const char *err, const char *hint)
{
    r->err_status = status;
    r->err = err;
    r->hint = hint;
}

void reg_publish_release(struct reg_req *r)
{
    if (r->reserved)
        reg_quota_release(r->srv->quota, r->path.user, r->reserved);
    r->reserved = 0;
}

/* Reserve quota for the upload to hold want bytes in total (quota.h). */
static int reserve(struct reg_req *r, uint64_t want)
{
    const struct reg_config *cfg = r->srv->cfg;
    if (!cfg->user_quota_bytes || want <= r->reserved)
        return 0;
    int rc = reg_quota_reserve(r->srv->quota, r->path.user, r->quota_used, cfg->user_quota_bytes,
                               want - r->reserved);
    if (rc == 0)
        r->reserved = want;
    return rc;
}

void reg_publish_begin(struct MHD_Connection *c, struct reg_req *r)
{
    const struct reg_config *cfg = r->srv->cfg;
    sqlite3 *db = reg_pool_get(&r->srv->pool);
    int rc = reg_auth(c, r, db);
    if (rc == 0 && cfg->user_quota_bytes && reg_db_user_usage(db, r->path.user, &r->quota_used) < 0)
        rc = -EIO;
    reg_pool_put(&r->srv->pool, db);
    if (rc == -EIO)
        bad(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error", "retry later");
    if (rc < 0)
        return;
    const char *sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Kide-Signature");
    size_t siglen = 0;
    if (!sig) {
        bad(r, MHD_HTTP_BAD_REQUEST, "missing X-Kide-Signature header",
            "send the base64 of the 64-byte Ed25519 signature of the archive");
        return;
    }
    if (reg_b64_decode(sig, strlen(sig), r->sig, sizeof(r->sig), &siglen) < 0 ||
        siglen != REG_SIG_LEN) {
        bad(r, MHD_HTTP_BAD_REQUEST, "X-Kide-Signature is not base64 of 64 bytes",
            "sign with 'openssl pkeyutl -sign -rawin' and base64-encode the raw signature");
        return;
    }
    const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl && strtoull(cl, NULL, 10) > cfg->max_archive_bytes) {
        bad(r, MHD_HTTP_CONTENT_TOO_LARGE, "archive larger than max_archive_bytes",
            "split the archive or ask the operator to raise max_archive_bytes");
        return;
    }
    if (cl && reserve(r, strtoull(cl, NULL, 10)) < 0) {
        bad(r, MHD_HTTP_CONTENT_TOO_LARGE, "storage quota exceeded",
            "ask the operator to raise user_quota_bytes (uploads in flight count too)");
        return;
    }
    if ((rc = reg_upload_begin(cfg->data, &r->up)) < 0) {
        fprintf(stderr,
                "kide-registry: cannot create upload file in %s/tmp: %s\n"
                "hint: check free space and permissions of the data directory\n",
                cfg->data, strerror(-rc));
        bad(r, MHD_HTTP_INSUFFICIENT_STORAGE, "cannot store the upload",
            "retry later; tell the registry operator if it persists");
    }
}

enum MHD_Result reg_publish_data(struct MHD_Connection *c, struct reg_req *r, const char *data,
                                 size_t size)
{
    const struct reg_config *cfg = r->srv->cfg;
    if (r->up.size + size > cfg->max_archive_bytes)
        return reg_answer_now(c, r, MHD_HTTP_CONTENT_TOO_LARGE,
                              "archive larger than max_archive_bytes",
                              "split the archive or ask the operator to raise max_archive_bytes");
    if (cfg->request_timeout && reg_req_elapsed(r) > cfg->request_timeout)
        return reg_answer_now(c, r, MHD_HTTP_REQUEST_TIMEOUT, "upload took too long",
                              "upload over a faster link or ask the operator to raise "
                              "request_timeout");
    if (reserve(r, r->up.size + size) < 0)
        return reg_answer_now(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "storage quota exceeded",
                              "ask the operator to raise user_quota_bytes (uploads in flight "
                              "count too)");
    int rc = reg_upload_write(&r->up, data, size);
    if (rc < 0) {
        fprintf(stderr,
                "kide-registry: cannot write upload %s: %s\n"
                "hint: check free space in the data directory\n",
                r->up.tmp, strerror(-rc));
        return reg_answer_now(c, r, MHD_HTTP_INSUFFICIENT_STORAGE, "cannot store the upload",
                              "retry later; tell the registry operator");
    }
    return MHD_YES;
}

/* The user's active keys, copied out of the database so that verification (a
 * pass over the whole archive) does not hold a pooled connection. */
struct keyset {
    unsigned n;                /**< keys held */
    char id[REG_MAX_KEYS][17]; /**< their ids */
    char *pem[REG_MAX_KEYS];   /**< their PEM texts (owned) */
};

static int collect_key(void *arg, const char *id, const char *pem)
{
    struct keyset *ks = arg;
    if (ks->n == REG_MAX_KEYS)
        return 1; /* defensive: more active keys than anyone rotates through */
    snprintf(ks->id[ks->n], sizeof(ks->id[0]), "%s", id);
    ks->pem[ks->n] = strdup(pem);
    if (!ks->pem[ks->n])
        return -ENOMEM;
    ks->n++;
    return 0;
}

static void keyset_free(struct keyset *ks)
{
    for (unsigned i = 0; i < ks->n; i++)
        free(ks->pem[i]);
    ks->n = 0;
}

/* Verify r->sig over the uploaded file; returns 0 with key_id set, -EBADMSG or -errno. */
static int verify_upload(struct reg_req *r, char key_id[17])
{
    static const char empty = 0;
    struct keyset ks = {0};
    void *map = NULL;
    sqlite3 *db = reg_pool_get(&r->srv->pool);
    int rc = reg_db_keys_active(db, r->path.user, collect_key, &ks);
    reg_pool_put(&r->srv->pool, db);
    if (rc < 0)
        goto out;
    if (r->up.size > 0) {
        map = mmap(NULL, r->up.size, PROT_READ, MAP_SHARED, r->up.fd, 0);
        if (map == MAP_FAILED) {
            map = NULL;
            rc = -EIO;
            goto out;
        }
    }
    rc = -EBADMSG;
    for (unsigned i = 0; i < ks.n && rc == -EBADMSG; i++) {
        EVP_PKEY *key;
        if (reg_key_parse(ks.pem[i], strlen(ks.pem[i]), &key) < 0)
            continue;
        if (reg_sig_verify(key, map ? map : &empty, r->up.size, r->sig) == 0) {
            memcpy(key_id, ks.id[i], 17);
            rc = 0;
        }
        EVP_PKEY_free(key);
    }
out:
    if (map)
        munmap(map, r->up.size);
    keyset_free(&ks);
    return rc;
}

static enum MHD_Result reply_published(struct MHD_Connection *c, struct reg_req *r, unsigned status,
                                       const struct reg_archive *a)
{
    char path[512];
    snprintf(path, sizeof(path), "/%s/%s/%s/%s.tar.xz", r->path.user, r->path.type, r->path.name,
             r->path.version);
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "status", status == MHD_HTTP_CREATED ? "created" : "exists");
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddStringToObject(o, "sha256", a->sha256);
    cJSON_AddNumberToObject(o, "size", (double)a->size);
    cJSON_AddStringToObject(o, "key_id", a->key_id);
    char *body = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!body)
        return MHD_NO;
    enum MHD_Result ret = reg_reply_text(c, r, status, "application/json", body, strlen(body));
    free(body);
    return ret;
}

/* The version exists: same bytes is success, anything else a conflict. */
static enum MHD_Result existing(struct MHD_Connection *c, struct reg_req *r,
                                const struct reg_archive *old, const char *sha)
{
    if (strcmp(old->sha256, sha) == 0)
        return reply_published(c, r, MHD_HTTP_OK, old);
    return reg_reply_error(c, r, MHD_HTTP_CONFLICT, "version already published with other bytes",
                           "versions are immutable: bump the version and publish again", 0);
}

/* Is the upload a .tar.xz? NULL or what is wrong (archive.h). */
static const char *check_format(struct reg_req *r)
{
    if (r->up.size == 0)
        return "the archive is empty";
    void *map = mmap(NULL, r->up.size, PROT_READ, MAP_SHARED, r->up.fd, 0);
    if (map == MAP_FAILED)
        return "cannot read the upload";
    const char *why = reg_archive_check(map, r->up.size);
    munmap(map, r->up.size);
    return why;
}

/* Commit the upload as blob sha (reg_blob_lock held shared); logs failures. */
static int commit(struct reg_req *r, const char *sha)
{
    int rc = reg_upload_commit(r->srv->cfg->data, &r->up, sha);
    if (rc < 0)
        fprintf(stderr,
                "kide-registry: cannot store blob %s: %s\n"
                "hint: check free space and permissions of the data directory\n",
                sha, strerror(-rc));
    return rc;
}

/* The version exists. With the same bytes the upload is committed anyway: the
 * commit re-hashes the stored blob and replaces it if it was damaged, so
 * publishing the genuine archive again is the repair path. */
static enum MHD_Result same_again(struct MHD_Connection *c, struct reg_req *r,
                                  const struct reg_archive *old, const char *sha)
{
    if (strcmp(old->sha256, sha) == 0) {
        int lock = reg_blob_lock(r->srv->cfg->data, false);
        int rc = lock < 0 ? lock : commit(r, sha);
        reg_blob_unlock(lock);
        if (rc < 0)
            return reg_reply_error(c, r, MHD_HTTP_INSUFFICIENT_STORAGE, "cannot store the archive",
                                   "retry later; tell the registry operator", 0);
    }
    return existing(c, r, old, sha);
}

/* Verify, check and store the upload. Each database step borrows a pooled
 * connection only for its queries, never across verification or fsync, so big
 * publishes cannot starve downloads of connections. */
static enum MHD_Result finish(struct MHD_Connection *c, struct reg_req *r)
{
    const struct reg_config *cfg = r->srv->cfg;
    struct reg_pool *pool = &r->srv->pool;
    struct reg_archive a = {.size = r->up.size, .created = (int64_t)time(NULL)}, old;
    uint64_t used = 0;
    int rc;
    if (reg_upload_digest(&r->up, a.sha256) < 0)
        return reg_reply_error(c, r, 500, "hashing failed", "retry", 0);
    const char *bad_format = cfg->check_format ? check_format(r) : NULL;
    if (bad_format)
        return reg_reply_error(c, r, MHD_HTTP_UNPROCESSABLE_CONTENT, bad_format,
                               "publish the .tar.xz itself (tar -cJf); the operator can turn "
                               "the check off with check_archive_format: 0",
                               0);
    rc = verify_upload(r, a.key_id);
    if (rc == -EBADMSG)
        return reg_reply_error(c, r, MHD_HTTP_UNPROCESSABLE_CONTENT,
                               "signature does not verify against the user's active keys",
                               "sign the exact .tar.xz bytes with a key registered with "
                               "'kide-registry key add'; see GET /-/keys/<user>",
                               0);
    if (rc < 0)
        return reg_reply_error(c, r, 500, "cannot read the upload", "retry later", 0);
    memcpy(a.sig, r->sig, REG_SIG_LEN);
    sqlite3 *db = reg_pool_get(pool);
    rc = reg_db_archive_get(db, &r->path, &old);
    if (rc == -ENOENT)
        rc = reg_db_user_usage(db, r->path.user, &used) < 0 ? -EIO : -ENOENT;
    reg_pool_put(pool, db);
    if (rc == 0)
        return same_again(c, r, &old, a.sha256);
    if (rc != -ENOENT)
        return reg_reply_error(c, r, 500, "database error", "retry later", 0);
    if (cfg->user_quota_bytes && used + a.size > cfg->user_quota_bytes)
        return reg_reply_error(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "storage quota exceeded",
                               "ask the operator to raise user_quota_bytes", 0);
    /* From the blob commit until the row is in (or refused) the blob is pinned:
     * gc deletes only under the exclusive lock. */
    int lock = reg_blob_lock(cfg->data, false);
    if (lock < 0 || (rc = commit(r, a.sha256)) < 0) {
        reg_blob_unlock(lock);
        return reg_reply_error(c, r, MHD_HTTP_INSUFFICIENT_STORAGE, "cannot store the archive",
                               "retry later; tell the registry operator", 0);
    }
    /* The quota was checked above to refuse early; the insert checks it again
     * atomically. A blob left behind by a refused insert is removed by gc. */
    db = reg_pool_get(pool);
    rc = reg_db_archive_insert(db, &r->path, &a, cfg->user_quota_bytes);
    if (rc == -EEXIST)
        rc = reg_db_archive_get(db, &r->path, &old) == 0 ? -EEXIST : -EIO;
    reg_pool_put(pool, db);
    reg_blob_unlock(lock);
    if (rc == -EEXIST)
        return existing(c, r, &old, a.sha256);
    if (rc == -EDQUOT)
        return reg_reply_error(c, r, MHD_HTTP_CONTENT_TOO_LARGE, "storage quota exceeded",
                               "ask the operator to raise user_quota_bytes", 0);
    if (rc < 0)
        return reg_reply_error(c, r, 500, "database error", "retry later", 0);
    return reply_published(c, r, MHD_HTTP_CREATED, &a);
}

enum MHD_Result reg_publish_end(struct MHD_Connection *c, struct reg_req *r)
{
    enum MHD_Result ret = finish(c, r);
    reg_upload_abort(&r->up);
    reg_publish_release(r); /* the bytes are in the database's usage now, or gone */
    return ret;
}

enum MHD_Result reg_handle_yank(struct MHD_Connection *c, struct reg_req *r)
{
    bool yank = r->path.route == REG_R_YANK;
    sqlite3 *db = reg_pool_get(&r->srv->pool);
    int rc = reg_auth(c, r, db);
    if (rc == 0)
        rc = reg_db_archive_yank(db, &r->path, yank);
    reg_pool_put(&r->srv->pool, db);
    if (r->err_status)
        return reg_reply_error(c, r, r->err_status, r->err, r->hint, 0);
    if (rc == -ENOENT)
        return reg_reply_error(c, r, MHD_HTTP_NOT_FOUND, "no such archive version",
                               "check the path: /<user>/<type>/<name>/<version>/yank", 0);
    if (rc < 0)
        return reg_reply_error(c, r, 500, "database error", "retry later", 0);
    char body[64];
    int n = snprintf(body, sizeof(body), "{\"yanked\":%s}", yank ? "true" : "false");
    return reg_reply_text(c, r, MHD_HTTP_OK, "application/json", body, (size_t)n);
}
