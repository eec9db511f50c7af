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
#include <stdbool.h>
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

/** The file that marks a directory as a kide-registry data directory. */
#define REG_DATA_MARKER ".kide-registry-data"

/**
 * Create the directory layout under data (marker, blobs/, tmp/). A directory
 * that exists, is not empty and holds neither the marker nor a registry.db is
 * someone else's: -ENOTEMPTY, and nothing in it is touched. Returns 0 or -errno.
 */
int reg_blob_init(const char *data);

/**
 * Are <data>/tmp and <data>/blobs on one filesystem? A finished upload is
 * renamed from one into the other, which cannot cross filesystems (every
 * publish would fail with 507). Returns 0, -EXDEV or -errno.
 */
int reg_blob_same_fs(const char *data);

/**
 * Delete leftover upload files (upload-*) in <data>/tmp; only when no server
 * runs, and only in a directory carrying the marker. Returns 0 or -errno.
 */
int reg_blob_clean_tmp(const char *data);

/**
 * Take <data>/blobs.lock: shared by a publisher from committing a blob until its
 * row is inserted (or refused), exclusive by gc while it deletes. Blocks.
 * Returns a descriptor for reg_blob_unlock or -errno.
 */
int reg_blob_lock(const char *data, bool exclusive);

/** Release a lock taken with reg_blob_lock (ignores fd < 0). */
void reg_blob_unlock(int fd);

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
 * directory. If a blob with these exact bytes already exists (it is re-hashed)
 * the temporary file is dropped and the blob's mtime refreshed; a damaged
 * existing blob is replaced. Call with reg_blob_lock held shared.
 * Returns 0 or -errno; the upload is closed either way.
 */
int reg_upload_commit(const char *data, struct reg_upload *u, const char *hex);

/** Drop an upload: close and unlink its temporary file. Safe to call twice. */
void reg_upload_abort(struct reg_upload *u);

/** Hash the file at path: hex gets its SHA-256 and *size its length. Returns 0 or -errno. */
int reg_blob_hash_file(const char *path, char hex[REG_SHA_HEX + 1], uint64_t *size);

/** As reg_blob_hash_file for an open file (read with pread from offset 0). */
int reg_blob_hash_fd(int fd, char hex[REG_SHA_HEX + 1], uint64_t *size);

/** Encode n bytes as lower-case hex into out (2n + 1 bytes). */
void reg_hex(const uint8_t *b, size_t n, char *out);

#endif
