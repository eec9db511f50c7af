/* SPDX-License-Identifier: MIT */
/* Content-addressed archive storage on disk.
 *
 * Invariant: a file under blobs/ is complete and durable before any
 * database row refers to it (the caller inserts the row after commit).
 */
#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void reg_hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

static int mkdir_p(const char *path)
{
    if (mkdir(path, 0750) < 0 && errno != EEXIST)
        return -errno;
    return 0;
}

static int fsync_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    return rc;
}

int reg_blob_init(const char *data)
{
    char p[PATH_MAX];
    int rc = mkdir_p(data);
    if (rc < 0)
        return rc;
    snprintf(p, sizeof(p), "%s/blobs", data);
    if ((rc = mkdir_p(p)) < 0)
        return rc;
    snprintf(p, sizeof(p), "%s/tmp", data);
    return mkdir_p(p);
}

int reg_blob_clean_tmp(const char *data)
{
    char dir[PATH_MAX], p[PATH_MAX + 256];
    snprintf(dir, sizeof(dir), "%s/tmp", data);
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    return 0;
}

int reg_blob_path(const char *data, const char *hex, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%s/blobs/%.2s/%s", data, hex, hex);
    return (n < 0 || (size_t)n >= cap) ? -ENAMETOOLONG : 0;
}

int reg_upload_begin(const char *data, struct reg_upload *u)
{
    int rc;
    u->fd = -1;
    u->size = 0;
    u->tmp[0] = '\0';
    u->sha = EVP_MD_CTX_new();
    if (!u->sha)
        return -ENOMEM;
    if (EVP_DigestInit_ex(u->sha, EVP_sha256(), NULL) != 1) {
        rc = -EIO;
        goto error;
    }
    snprintf(u->tmp, sizeof(u->tmp), "%s/tmp/upload-XXXXXX", data);
    u->fd = mkostemp(u->tmp, O_CLOEXEC);
    if (u->fd < 0) {
        rc = -errno;
        u->tmp[0] = '\0';
        goto error;
    }
    return 0;
error:
    reg_upload_abort(u);
    return rc;
}

int reg_upload_write(struct reg_upload *u, const void *buf, size_t n)
{
    const char *p = buf;
    if (EVP_DigestUpdate(u->sha, buf, n) != 1)
        return -EIO;
    while (n > 0) {
        ssize_t w = write(u->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += w;
        n -= (size_t)w;
        u->size += (uint64_t)w;
    }
    return 0;
}

int reg_upload_digest(struct reg_upload *u, char hex[REG_SHA_HEX + 1])
{
    uint8_t md[32];
    unsigned int len = 0;
    if (EVP_DigestFinal_ex(u->sha, md, &len) != 1 || len != 32)
        return -EIO;
    reg_hex(md, 32, hex);
    return 0;
}

int reg_upload_commit(const char *data, struct reg_upload *u, const char *hex)
{
    char dir[PATH_MAX], dst[PATH_MAX];
    int rc = 0;
    snprintf(dir, sizeof(dir), "%s/blobs/%.2s", data, hex);
    if ((rc = mkdir_p(dir)) < 0 || (rc = reg_blob_path(data, hex, dst, sizeof(dst))) < 0)
        goto out;
    if (access(dst, F_OK) == 0)
        goto out; /* same bytes already stored: keep the existing blob */
    if (fsync(u->fd) < 0) {
        rc = -errno;
        goto out;
    }
    if (rename(u->tmp, dst) < 0) {
        rc = -errno;
        goto out;
    }
    u->tmp[0] = '\0';
    rc = fsync_dir(dir);
out:
    reg_upload_abort(u);
    return rc;
}

void reg_upload_abort(struct reg_upload *u)
{
    if (u->fd >= 0)
        close(u->fd);
    u->fd = -1;
    if (u->tmp[0])
        unlink(u->tmp);
    u->tmp[0] = '\0';
    EVP_MD_CTX_free(u->sha);
    u->sha = NULL;
}

int reg_blob_hash_file(const char *path, char hex[REG_SHA_HEX + 1], uint64_t *size)
{
    int rc = 0;
    uint8_t buf[65536], md[32];
    unsigned int len;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *size = 0;
    if (!ctx) {
        rc = -ENOMEM;
        goto out;
    }
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (;;) {
        ssize_t r = read(fd, buf, sizeof(buf));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rc = -errno;
            goto out;
        }
        if (r == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)r);
        *size += (uint64_t)r;
    }
    if (EVP_DigestFinal_ex(ctx, md, &len) != 1) {
        rc = -EIO;
        goto out;
    }
    reg_hex(md, 32, hex);
out:
    if (fd >= 0)
        close(fd);
    EVP_MD_CTX_free(ctx);
    return rc;
}
