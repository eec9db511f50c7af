/* SPDX-License-Identifier: MIT */
/* Anonymous downloads of archives and their signatures.
 *
 * GET and HEAD /<user>/<type>/<name>/<version>.tar.xz stream the blob with
 * sendfile (libmicrohttpd's fd responses), with a single byte range (206 or
 * 416), the SHA-256 as strong ETag and If-None-Match (304). The .sig path
 * returns the 64 raw signature bytes from the database. Yanked versions stay
 * downloadable by exact path; versions signed by a revoked key whose archives
 * the operator did not keep answer 410. The blob's bytes are checked against
 * its SHA-256 before they are served (once per blob file, vcache.h), so a
 * damaged blob answers 500 and is never served under its immutable ETag.
 * Cost: one indexed SELECT, one open() and one fstat() per request.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "range.h"
#include "server.h"

static void common_headers(struct MHD_Response *resp, const char *etag, const struct reg_archive *a)
{
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            "public, max-age=31536000, immutable");
    MHD_add_response_header(resp, "X-Kide-Sha256", a->sha256);
    if (a->yanked)
        MHD_add_response_header(resp, "X-Kide-Yanked", "true");
}

static enum MHD_Result not_modified(struct MHD_Connection *c, struct reg_req *r, const char *etag,
                                    const struct reg_archive *a)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    common_headers(resp, etag, a);
    return reg_reply(c, r, MHD_HTTP_NOT_MODIFIED, resp);
}

static enum MHD_Result send_sig(struct MHD_Connection *c, struct reg_req *r, const char *etag,
                                const struct reg_archive *a)
{
    struct MHD_Response *resp =
            MHD_create_response_from_buffer(REG_SIG_LEN, (void *)a->sig, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    common_headers(resp, etag, a);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/octet-stream");
    r->bytes = REG_SIG_LEN;
    return reg_reply(c, r, MHD_HTTP_OK, resp);
}

static enum MHD_Result send_blob(struct MHD_Connection *c, struct reg_req *r, const char *etag,
                                 const struct reg_archive *a)
{
    char path[PATH_MAX], cr[96];
    struct stat st;
    uint64_t off = 0, len;
    unsigned status = MHD_HTTP_OK;
    if (reg_blob_path(r->srv->cfg->data, a->sha256, path, sizeof(path)) < 0)
        return MHD_NO;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || (uint64_t)st.st_size != a->size) {
        if (fd >= 0)
            close(fd);
        fprintf(stderr,
                "kide-registry: blob %s of %s is missing or has the wrong size\n"
                "hint: run 'kide-registry --config FILE verify' and restore from backup\n",
                a->sha256, r->url);
        return reg_reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "stored archive is damaged",
                               "tell the registry operator", 0);
    }
    /* The bytes must hash to the row's SHA-256 (cached per blob file, see vcache.h). */
    int vrc = reg_vcache_check(r->srv->vc, fd, &st, a->sha256);
    if (vrc < 0) {
        close(fd);
        fprintf(stderr,
                "kide-registry: blob %s of %s %s; not serving it\n"
                "hint: publish the genuine archive again to repair it, or restore it from "
                "backup; 'kide-registry --config FILE verify' lists all damage\n",
                a->sha256, r->url,
                vrc == -EBADMSG ? "does not match its SHA-256" : "cannot be read");
        return reg_reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "stored archive is damaged",
                               "tell the registry operator; do not trust a copy you may have "
                               "cached from this registry without checking its SHA-256",
                               0);
    }
    len = a->size;
    const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
    int rc = range ? reg_range_parse(range, a->size, &off, &len) : REG_RANGE_IGNORE;
    if (rc == -ERANGE) {
        close(fd);
        snprintf(cr, sizeof(cr), "bytes */%" PRIu64, a->size);
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, "", MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        return reg_reply(c, r, MHD_HTTP_RANGE_NOT_SATISFIABLE, resp);
    }
    if (rc == REG_RANGE_OK) {
        status = MHD_HTTP_PARTIAL_CONTENT;
        snprintf(cr, sizeof(cr), "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, off, off + len - 1,
                 a->size);
    } else {
        off = 0;
        len = a->size;
    }
    struct MHD_Response *resp = MHD_create_response_from_fd_at_offset64(len, fd, off);
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    common_headers(resp, etag, a);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/x-xz");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    if (status == MHD_HTTP_PARTIAL_CONTENT)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
    r->bytes = strcmp(r->method, "HEAD") == 0 ? 0 : len;
    return reg_reply(c, r, status, resp);
}

enum MHD_Result reg_handle_download(struct MHD_Connection *c, struct reg_req *r)
{
    struct reg_archive a;
    char etag[80];
    int rc = reg_pool_archive_get(&r->srv->pool, &r->path, &a);
    if (rc == -ENOENT)
        return reg_reply_error(c, r, MHD_HTTP_NOT_FOUND, "no such archive version",
                               "list the versions with GET /-/index/<user>/<type>/<name>", 0);
    if (rc < 0)
        return reg_reply_error(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "database error",
                               "retry later; tell the registry operator if it persists", 0);
    if (!a.valid)
        return reg_reply_error(c, r, MHD_HTTP_GONE, "archive was signed by a revoked key",
                               "ask the publisher to re-sign and publish a new version", 0);
    bool sig = r->path.route == REG_R_SIG;
    snprintf(etag, sizeof(etag), "\"%s%s\"", a.sha256, sig ? ".sig" : "");
    if (reg_etag_matches(
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH),
                etag))
        return not_modified(c, r, etag, &a);
    return sig ? send_sig(c, r, etag, &a) : send_blob(c, r, etag, &a);
}
