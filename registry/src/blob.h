/* SPDX-License-Identifier: MIT */
/* Content-addressed archive storage on disk.
 *
 * An archive's bytes live in <data>/blobs/<aa>/<sha256>, where aa is the
 * first two hex digits of its SHA-256. An upload is written to a fresh file
 * in <data>/tmp while its hash is computed; only when it is complete and
 * accepted is it fsynced, renamed into place and its directory fsynced. So a
 * blob path either does not exist or holds the full, durable bytes: a crash
 * leaves at most stray files in tmp/, which the server deletes at start.
 * Blobs are never modified; the same bytes published twice share one blob.
 */
#ifndef REG_BLOB_H
#define REG_BLOB_H

#include <limits.h>
#include <openssl/evp.h>
#include <stddef.h>
#include <stdint.h>

/** Hex digits in a SHA-256. */
#define REG_SHA_HEX 64

/** An upload in progress: a temporary file and the running hash. */
struct reg_upload {
    int fd;             /**< open temporary file, or -1 */
    char tmp[PATH_MAX]; /**< its path */
    EVP_MD_CTX *sha;    /**< running SHA-256 of the bytes so far */
    uint64_t size;      /**< bytes written so far */
};

/** Create the directory layout under data (blobs/, tmp/). Returns 0 or -errno. */
int reg_blob_init(const char *data);

/** Delete everything in <data>/tmp (only when no server runs). Returns 0 or -errno. */
int reg_blob_clean_tmp(const char *data);

/** Write the path of the blob with hash hex into out. Returns 0 or -ENAMETOOLONG. */
int reg_blob_path(const char *data, const char *hex, char *out, size_t cap);

/** Start an upload into a new temporary file. Returns 0 or -errno. */
int reg_upload_begin(const char *data, struct reg_upload *u);

/** Append n bytes to the upload. Returns 0 or -errno. */
int reg_upload_write(struct reg_upload *u, const void *buf, size_t n);

/** Finish hashing; hex gets the SHA-256 (65 bytes). Returns 0 or -EIO. */
int reg_upload_digest(struct reg_upload *u, char hex[REG_SHA_HEX + 1]);

/**
 * Make the upload durable as the blob hex: fsync, rename, fsync the
 * directory. If the blob already exists the temporary file is dropped.
 * Returns 0 or -errno; the upload is closed either way.
 */
int reg_upload_commit(const char *data, struct reg_upload *u, const char *hex);

/** Drop an upload: close and unlink its temporary file. Safe to call twice. */
void reg_upload_abort(struct reg_upload *u);

/** Hash the file at path: hex gets its SHA-256 and *size its length. Returns 0 or -errno. */
int reg_blob_hash_file(const char *path, char hex[REG_SHA_HEX + 1], uint64_t *size);

/** Encode n bytes as lower-case hex into out (2n + 1 bytes). */
void reg_hex(const uint8_t *b, size_t n, char *out);

#endif
