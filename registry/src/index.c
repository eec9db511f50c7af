/* SPDX-License-Identifier: MIT */
/* The JSON index: per user, per archive name, latest, search, keys, health.
 *
 * Listings show only versions that are neither yanked nor invalidated by a
 * key revocation. They are paginated with ?page=N (from 1) and
 * ?per_page=M (1..1000, default 100); every page carries "total" and the
 * path of the "next" page or null. Versions sort in natural order (the
 * "version" collation), newest first. Each request runs one or two indexed
 * queries on a pooled connection.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "server.h"

/* The visible-archive condition, used by every listing. */
#define VISIBLE "a.yanked = 0 AND (k.revoked IS NULL OR k.keep_signed = 1)"
#define FROM    " FROM archives a LEFT JOIN keys k ON k.user = a.user AND k.id = a.key_id "

struct page {
    long page;     /**< 1-based page number */
    long per_page; /**< items per page */
};

static int parse_long(const char *s, long lo, long hi, long *out)
{
    char *end;
    if (!s)
        return 0;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -EINVAL;
    *out = v;
    return 0;
}

static int get_page(struct MHD_Connection *c, struct page *pg)
{
    pg->page = 1;
    pg->per_page = 100;
    if (parse_long(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "page"), 1, 1000000,
                   &pg->page) < 0)
        return -EINVAL;
    return parse_long(MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "per_page"), 1, 1000,
                      &pg->per_page);
}

static enum MHD_Result send_json(struct MHD_Connection *c, struct reg_req *r, cJSON *o)
{
    char *body = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!body)
        return reg_reply_error(c, r, 500, "out of memory", "retry later", 0);
    enum MHD_Result ret = reg_reply_text(c, r, MHD_HTTP_OK, "application/json", body, strlen(body));
    free(body);
    return ret;
}

/* Add one archive row (columns user, type, name, version, sha256, size, created) to arr. */
static void add_archive(cJSON *arr, sqlite3_stmt *st)
{
    char path[512];
    cJSON *o = cJSON_CreateObject();
    const char *u = (const char *)sqlite3_column_text(st, 0);
    const char *t = (const char *)sqlite3_column_text(st, 1);
    const char *n = (const char *)sqlite3_column_text(st, 2);
    const char *v = (const char *)sqlite3_column_text(st, 3);
    snprintf(path, sizeof(path), "/%s/%s/%s/%s.tar.xz", u, t, n, v);
    cJSON_AddStringToObject(o, "user", u);
    cJSON_AddStringToObject(o, "type", t);
    cJSON_AddStringToObject(o, "name", n);
    cJSON_AddStringToObject(o, "version", v);
    const char *sha = (const char *)sqlite3_column_text(st, 4);
    if (sha && sha[0]) { /* search rows carry no per-version columns */
        cJSON_AddStringToObject(o, "sha256", sha);
        cJSON_AddNumberToObject(o, "size", (double)sqlite3_column_int64(st, 5));
        cJSON_AddNumberToObject(o, "published", (double)sqlite3_column_int64(st, 6));
    }
    cJSON_AddStringToObject(o, "path", path);
    cJSON_AddItemToArray(arr, o);
}

/* Run a counted, paginated listing. sql selects archive rows; count_sql counts them. */
static cJSON *listing(sqlite3 *db, const char *count_sql, const char *sql, const char *const *args,
                      const struct page *pg, const char *self, int *rc)
{
    sqlite3_stmt *cst = NULL, *st = NULL;
    cJSON *o = cJSON_CreateObject(), *items = cJSON_CreateArray();
    char next[600];
    int nargs = 0;
    *rc = -EIO;
    if (sqlite3_prepare_v2(db, count_sql, -1, &cst, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        goto out;
    for (; args[nargs]; nargs++) {
        sqlite3_bind_text(cst, nargs + 1, args[nargs], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, nargs + 1, args[nargs], -1, SQLITE_STATIC);
    }
    sqlite3_bind_int64(st, nargs + 1, pg->per_page);
    sqlite3_bind_int64(st, nargs + 2, (pg->page - 1) * pg->per_page);
    if (sqlite3_step(cst) != SQLITE_ROW)
        goto out;
    long total = (long)sqlite3_column_int64(cst, 0);
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW)
        add_archive(items, st);
    if (s != SQLITE_DONE)
        goto out;
    cJSON_AddNumberToObject(o, "page", (double)pg->page);
    cJSON_AddNumberToObject(o, "per_page", (double)pg->per_page);
    cJSON_AddNumberToObject(o, "total", (double)total);
    if (pg->page * pg->per_page < total) {
        snprintf(next, sizeof(next), "%s%cpage=%ld&per_page=%ld", self,
                 strchr(self, '?') ? '&' : '?', pg->page + 1, pg->per_page);
        cJSON_AddStringToObject(o, "next", next);
    } else {
        cJSON_AddNullToObject(o, "next");
    }
    cJSON_AddItemToObject(o, "items", items);
    items = NULL;
    *rc = 0;
out:
    sqlite3_finalize(cst);
    sqlite3_finalize(st);
    cJSON_Delete(items);
    if (*rc < 0) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

#define COLS "SELECT a.user, a.type, a.name, a.version, a.sha256, a.size, a.created"

static cJSON *index_user(sqlite3 *db, const struct reg_path *p, const struct page *pg, int *rc)
{
    char self[128];
    const char *args[] = {p->user, NULL};
    snprintf(self, sizeof(self), "/-/index/%s", p->user);
    return listing(db, "SELECT count(*)" FROM "WHERE a.user = ?1 AND " VISIBLE,
                   COLS FROM
                   "WHERE a.user = ?1 AND " VISIBLE
                   " ORDER BY a.type, a.name, a.version COLLATE version DESC LIMIT ?2 OFFSET ?3",
                   args, pg, self, rc);
}

static cJSON *index_name(sqlite3 *db, const struct reg_path *p, const struct page *pg, int *rc)
{
    char self[400];
    const char *args[] = {p->user, p->type, p->name, NULL};
    snprintf(self, sizeof(self), "/-/index/%s/%s/%s", p->user, p->type, p->name);
    return listing(db,
                   "SELECT count(*)" FROM "WHERE a.user = ?1 AND a.type = ?2 AND a.name = ?3"
                   " AND " VISIBLE,
                   COLS FROM "WHERE a.user = ?1 AND a.type = ?2 AND a.name = ?3 AND " VISIBLE
                             " ORDER BY a.version COLLATE version DESC LIMIT ?4 OFFSET ?5",
                   args, pg, self, rc);
}

/* Search: names containing q, one item per (user, type, name) with its latest version. */
static cJSON *search(sqlite3 *db, const char *q, const struct page *pg, int *rc)
{
    char self[200];
    const char *args[] = {q, NULL};
    snprintf(self, sizeof(self), "/-/search?q=%s", q);
    /* instr() instead of LIKE: names may contain '_' and '%'-free, and no escaping is needed. */
    return listing(
            db,
            "SELECT count(*) FROM (SELECT 1" FROM "WHERE instr(a.name, ?1) > 0 AND " VISIBLE
            " GROUP BY a.user, a.type, a.name)",
            "SELECT a.user, a.type, a.name, max(a.version COLLATE version), '', 0, 0" FROM
            "WHERE instr(a.name, ?1) > 0 AND " VISIBLE
            " GROUP BY a.user, a.type, a.name ORDER BY a.name, a.user, a.type LIMIT ?2 OFFSET ?3",
            args, pg, self, rc);
}

static enum MHD_Result latest(struct MHD_Connection *c, struct reg_req *r, sqlite3 *db)
{
    sqlite3_stmt *st;
    const struct reg_path *p = &r->path;
    cJSON *arr = cJSON_CreateArray();
    int s = SQLITE_ERROR;
    if (sqlite3_prepare_v2(db,
                           COLS FROM
                           "WHERE a.user = ?1 AND a.type = ?2 AND a.name = ?3 AND " VISIBLE
                           " ORDER BY a.version COLLATE version DESC LIMIT 1",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, p->user, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, p->type, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, p->name, -1, SQLITE_STATIC);
        s = sqlite3_step(st);
        if (s == SQLITE_ROW)
            add_archive(arr, st);
        sqlite3_finalize(st);
    }
    if (s == SQLITE_ROW) {
        cJSON *item = cJSON_DetachItemFromArray(arr, 0);
        cJSON_Delete(arr);
        return send_json(c, r, item);
    }
    cJSON_Delete(arr);
    if (s == SQLITE_DONE)
        return reg_reply_error(c, r, MHD_HTTP_NOT_FOUND, "no published, non-yanked version",
                               "check the user, type and name", 0);
    return reg_reply_error(c, r, 500, "database error", "retry later", 0);
}

static enum MHD_Result keys(struct MHD_Connection *c, struct reg_req *r, sqlite3 *db)
{
    sqlite3_stmt *st;
    bool one = r->path.route == REG_R_KEY_PEM;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, pem, created, revoked, keep_signed FROM keys"
                           " WHERE user = ?1 AND (?2 = '' OR id = ?2) ORDER BY created",
                           -1, &st, NULL) != SQLITE_OK)
        return reg_reply_error(c, r, 500, "database error", "retry later", 0);
    sqlite3_bind_text(st, 1, r->path.user, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, r->path.key_id, -1, SQLITE_STATIC);
    cJSON *o = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(o, "keys");
    cJSON_AddStringToObject(o, "user", r->path.user);
    enum MHD_Result ret = MHD_NO;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        /* Published as the canonical public key only, whatever an older registry stored
         * (before issue 12 a key file was stored verbatim, private key included). */
        char *pem = NULL;
        const char *raw = (const char *)sqlite3_column_text(st, 1);
        if (reg_key_public_pem(raw, (size_t)sqlite3_column_bytes(st, 1), &pem) < 0)
            continue; /* defensive: key add only stores keys that parse */
        if (one) {
            ret = reg_reply_text(c, r, MHD_HTTP_OK, "application/x-pem-file", pem, strlen(pem));
            free(pem);
            break;
        }
        cJSON *k = cJSON_CreateObject();
        cJSON_AddStringToObject(k, "id", (const char *)sqlite3_column_text(st, 0));
        cJSON_AddStringToObject(k, "pem", pem);
        free(pem);
        cJSON_AddNumberToObject(k, "created", (double)sqlite3_column_int64(st, 2));
        if (sqlite3_column_type(st, 3) == SQLITE_NULL)
            cJSON_AddNullToObject(k, "revoked");
        else
            cJSON_AddNumberToObject(k, "revoked", (double)sqlite3_column_int64(st, 3));
        cJSON_AddBoolToObject(k, "keep_signed", sqlite3_column_int(st, 4));
        cJSON_AddItemToArray(arr, k);
    }
    sqlite3_finalize(st);
    if (one) {
        cJSON_Delete(o);
        if (s == SQLITE_ROW)
            return ret;
        return reg_reply_error(c, r, MHD_HTTP_NOT_FOUND, "no such key",
                               "list the user's keys with GET /-/keys/<user>", 0);
    }
    return send_json(c, r, o);
}

static bool valid_query(const char *q)
{
    return q && q[0] && strlen(q) <= REG_NAME_MAX &&
           strspn(q, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._+-") ==
                   strlen(q);
}

enum MHD_Result reg_handle_meta(struct MHD_Connection *c, struct reg_req *r)
{
    struct page pg;
    cJSON *o = NULL;
    int rc = 0;
    const char *q = NULL;
    if (r->path.route == REG_R_HEALTH)
        return reg_reply_text(c, r, MHD_HTTP_OK, "application/json", "{\"ok\":true}", 11);
    if (get_page(c, &pg) < 0)
        return reg_reply_error(c, r, MHD_HTTP_BAD_REQUEST, "bad page or per_page",
                               "page is 1 or more, per_page 1 to 1000", 0);
    if (r->path.route == REG_R_SEARCH) {
        q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
        if (!valid_query(q))
            return reg_reply_error(
                    c, r, MHD_HTTP_BAD_REQUEST, "bad or missing search term",
                    "use ?q=<part of a name>, 1 to 128 of [A-Za-z0-9._+-]; in a query "
                    "'+' means a space: write '+' as %2B (curl --data-urlencode)",
                    0);
    }
    sqlite3 *db = reg_pool_get(&r->srv->pool);
    enum MHD_Result ret;
    switch (r->path.route) {
    case REG_R_INDEX_USER:
        o = index_user(db, &r->path, &pg, &rc);
        break;
    case REG_R_INDEX_NAME:
        o = index_name(db, &r->path, &pg, &rc);
        break;
    case REG_R_SEARCH:
        o = search(db, q, &pg, &rc);
        break;
    case REG_R_LATEST:
        ret = latest(c, r, db);
        reg_pool_put(&r->srv->pool, db);
        return ret;
    default:
        ret = keys(c, r, db);
        reg_pool_put(&r->srv->pool, db);
        return ret;
    }
    reg_pool_put(&r->srv->pool, db);
    if (rc < 0)
        return reg_reply_error(c, r, 500, "database error", "retry later", 0);
    return send_json(c, r, o);
}
