/* SPDX-License-Identifier: MIT */
/* Content-addressed archive storage on disk.
 *
 * Invariant: a file under blobs/ is complete and durable before any
 * database row refers to it (the caller inserts the row after commit).
 * Invariant: a blob is only ever replaced by a file whose bytes hash to its
 * name, so a rename over a damaged blob is the repair path.
 * Invariant: between committing a blob and inserting (or failing to insert)
 * its row, the publisher holds <data>/blobs.lock shared; gc deletes only
 * while holding it exclusive. So gc never sees a blob that is about to be
 * referenced, whichever process (server or admin verb) publishes.
 */
#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
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

/* Is the directory empty (apart from . and ..)? Returns 1, 0 or -errno. */
static int dir_empty(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return -errno;
    struct dirent *e;
    int empty = 1;
    while (empty && (e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            empty = 0;
    closedir(d);
    return empty;
}

/* Make sure data is a kide-registry data directory: it holds our marker, or
 * it is new or empty (then the marker is created), or it holds a registry.db
 * of a registry from before the marker existed (adopted). Anything else is
 * someone else's directory and is refused, because the server deletes files
 * in its tmp/. */
static int claim(const char *data)
{
    char p[PATH_MAX];
    struct stat st;
    snprintf(p, sizeof(p), "%s/" REG_DATA_MARKER, data);
    if (stat(p, &st) == 0)
        return 0;
    int empty = dir_empty(data);
    if (empty < 0)
        return empty;
    snprintf(p, sizeof(p), "%s/registry.db", data);
    if (!empty && stat(p, &st) < 0)
        return -ENOTEMPTY;
    snprintf(p, sizeof(p), "%s/" REG_DATA_MARKER, data);
    int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -errno;
    static const char text[] = "kide-registry data directory: do not put other files here\n";
    int rc = write(fd, text, sizeof(text) - 1) == (ssize_t)(sizeof(text) - 1) ? 0 : -EIO;
    close(fd);
    return rc;
}

int reg_blob_init(const char *data)
{
    char p[PATH_MAX];
    int rc = mkdir_p(data);
    if (rc < 0 || (rc = claim(data)) < 0)
        return rc;
    snprintf(p, sizeof(p), "%s/blobs", data);
    if ((rc = mkdir_p(p)) < 0)
        return rc;
    snprintf(p, sizeof(p), "%s/tmp", data);
    return mkdir_p(p);
}

int reg_blob_same_fs(const char *data)
{
    char p[PATH_MAX];
    struct stat tmp, blobs;
    snprintf(p, sizeof(p), "%s/tmp", data);
    if (stat(p, &tmp) < 0)
        return -errno;
    snprintf(p, sizeof(p), "%s/blobs", data);
    if (stat(p, &blobs) < 0)
        return -errno;
    return tmp.st_dev == blobs.st_dev ? 0 : -EXDEV;
}

int reg_blob_clean_tmp(const char *data)
{
    char dir[PATH_MAX], p[PATH_MAX + 256];
    struct stat st;
    snprintf(p, sizeof(p), "%s/" REG_DATA_MARKER, data);
    if (stat(p, &st) < 0)
        return -ENOTEMPTY; /* not our directory: touch nothing */
    snprintf(dir, sizeof(dir), "%s/tmp", data);
    DIR *d = opendir(dir);
    if (!d)
        return -errno;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        /* Only our own upload files, whatever else someone put there. */
        if (strncmp(e->d_name, "upload-", 7) != 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    return 0;
}

int reg_blob_lock(const char *data, bool exclusive)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/blobs.lock", data);
    int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return -errno;
    while (flock(fd, exclusive ? LOCK_EX : LOCK_SH) < 0) {
        if (errno != EINTR) {
            int rc = -errno;
            close(fd);
            return rc;
        }
    }
    return fd;
}

void reg_blob_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* closing the only descriptor releases the flock */
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

/* Does the blob at path exist with exactly the bytes named hex (size bytes)? */
static bool existing_is_good(const char *path, const char *hex, uint64_t size)
{
    char got[REG_SHA_HEX + 1];
    uint64_t n;
    if (access(path, F_OK) < 0)
        return false;
    if (reg_blob_hash_file(path, got, &n) == 0 && n == size && strcmp(got, hex) == 0)
        return true;
    fprintf(stderr,
            "kide-registry: blob %s was damaged; replacing it with the bytes just uploaded\n"
            "hint: run 'kide-registry --config FILE verify' to find other damage\n",
            hex);
    return false;
}

int reg_upload_commit(const char *data, struct reg_upload *u, const char *hex)
{
    char dir[PATH_MAX], dst[PATH_MAX];
    int rc = 0;
    snprintf(dir, sizeof(dir), "%s/blobs/%.2s", data, hex);
    if ((rc = mkdir_p(dir)) < 0 || (rc = reg_blob_path(data, hex, dst, sizeof(dst))) < 0)
        goto out;
    if (existing_is_good(dst, hex, u->size)) {
        /* Same bytes already stored: keep them, and make the blob young again so
         * that a gc grace period counts from this publish. */
        if (utimensat(AT_FDCWD, dst, NULL, 0) < 0)
            rc = -errno;
        goto out;
    }
    /* No blob, or a damaged one: the upload (whose hash is hex) takes its place. */
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
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *size = 0;
    if (fd < 0)
        return -errno;
    int rc = reg_blob_hash_fd(fd, hex, size);
    close(fd);
    return rc;
}

int reg_blob_hash_fd(int fd, char hex[REG_SHA_HEX + 1], uint64_t *size)
{
    int rc = 0;
    uint8_t buf[65536], md[32];
    unsigned int len;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    *size = 0;
    if (!ctx)
        return -ENOMEM;
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (;;) {
        ssize_t r = pread(fd, buf, sizeof(buf), (off_t)*size);
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
    EVP_MD_CTX_free(ctx);
    return rc;
}
