/* SPDX-License-Identifier: MIT */
/* goa: SHA-256 of files and buffers, and the tree hash of a directory.
 *
 * The tree walk collects one record per file into an array, sorts it by
 * path (bytewise, strcmp) and feeds the records to one SHA-256 context, so
 * the result does not depend on readdir order. Cost: one read of every file.
 */
#include "hash.h"

#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void hex(const unsigned char *md, char out[GOA_HEX_LEN])
{
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

void goa_sha256_buf(const void *data, size_t len, char out[GOA_HEX_LEN])
{
    unsigned char md[32];
    unsigned int n;

    EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
    hex(md, out);
}

int goa_sha256_file(const char *path, char out[GOA_HEX_LEN])
{
    unsigned char buf[65536], md[32];
    unsigned int n;
    int fd = open(path, O_RDONLY), rc = -1;
    EVP_MD_CTX *ctx;

    if (fd < 0)
        return -1;
    ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        EVP_DigestUpdate(ctx, buf, (size_t)r);
    }
    EVP_DigestFinal_ex(ctx, md, &n);
    hex(md, out);
    rc = 0;
out:
    EVP_MD_CTX_free(ctx);
    close(fd);
    return rc;
}

/** The records collected by the tree walk. */
struct records {
    char **v;   /**< "path\0mode\0hex\n" strings, path first so they sort by path */
    size_t n;   /**< records used */
    size_t cap; /**< records allocated */
};

static void add(struct records *r, const char *path, const char *mode, const char *digest)
{
    size_t lp = strlen(path), lm = strlen(mode), n = lp + 1 + lm + 1 + 64 + 1;
    char *s = goa_xmalloc(n + 1);

    memcpy(s, path, lp + 1);
    memcpy(s + lp + 1, mode, lm + 1);
    memcpy(s + lp + 1 + lm + 1, digest, 64);
    s[n - 1] = '\n';
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = realloc(r->v, r->cap * sizeof *r->v);
        if (!r->v)
            abort();
    }
    r->v[r->n] = s;
    r->n++;
}

static int walk(const char *root, const char *rel, struct records *r)
{
    char *dir = *rel ? goa_fmt("%s/%s", root, rel) : goa_xstrdup(root);
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = -1;

    if (!d)
        goto out;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *sub = *rel ? goa_fmt("%s/%s", rel, e->d_name) : goa_xstrdup(e->d_name);
        char *full = goa_fmt("%s/%s", root, sub);
        char digest[GOA_HEX_LEN];
        struct stat st;
        int bad = lstat(full, &st);
        if (!bad && S_ISDIR(st.st_mode)) {
            bad = walk(root, sub, r);
        } else if (!bad && S_ISLNK(st.st_mode)) {
            char target[4096];
            ssize_t n = readlink(full, target, sizeof target);
            bad = n < 0;
            if (!bad) {
                goa_sha256_buf(target, (size_t)n, digest);
                add(r, sub, "120000", digest);
            }
        } else if (!bad && S_ISREG(st.st_mode)) {
            bad = goa_sha256_file(full, digest);
            if (!bad)
                add(r, sub, (st.st_mode & 0111) ? "755" : "644", digest);
        }
        free(sub);
        free(full);
        if (bad)
            goto out;
    }
    rc = 0;
out:
    if (d)
        closedir(d);
    free(dir);
    return rc;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int goa_tree_hash(const char *dir, char out[GOA_HEX_LEN])
{
    struct records r = {0};
    EVP_MD_CTX *ctx;
    unsigned char md[32];
    unsigned int n;
    int rc;

    rc = walk(dir, "", &r);
    if (rc == 0) {
        /* Sorting pointers to records sorts by path: the path comes first
         * and ends in NUL, which strcmp treats as the end. */
        char **sorted = goa_xmalloc(r.n * sizeof *sorted);
        memcpy(sorted, r.v, r.n * sizeof *sorted);
        qsort(sorted, r.n, sizeof *sorted, cmp);
        ctx = EVP_MD_CTX_new();
        EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
        for (size_t i = 0; i < r.n; i++) {
            size_t lp = strlen(sorted[i]);
            size_t lm = strlen(sorted[i] + lp + 1);
            EVP_DigestUpdate(ctx, sorted[i], lp + 1 + lm + 1 + 64 + 1);
        }
        EVP_DigestFinal_ex(ctx, md, &n);
        EVP_MD_CTX_free(ctx);
        hex(md, out);
        free(sorted);
    }
    for (size_t i = 0; i < r.n; i++)
        free(r.v[i]);
    free(r.v);
    return rc;
}
