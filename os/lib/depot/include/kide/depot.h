/* SPDX-License-Identifier: MIT */
/* Depot packages inside Kide: check, unpack and read the runtime of a
 * `<user>/<type>/<name>/<version>.tar.xz` archive (docs/formats/depot.md,
 * docs/depot-in-kide.md).
 *
 * The order an installer must keep: depot_verify() over the exact bytes it
 * received, and only when that returns 0, depot_unpack(). Nothing here
 * allocates: the xz decoder and the unpacked tar live in the caller's heap
 * buffer, and every limit is the caller's. Every refusal returns a negative
 * DEPOT_E* code and fills err->msg with one line that names the cause and
 * the fix. Inputs are untrusted; nothing is trusted before it is checked.
 */
#ifndef KIDE_DEPOT_H
#define KIDE_DEPOT_H

#include <stddef.h>
#include <stdint.h>

#define DEPOT_ERR_MAX    256
#define DEPOT_PUBKEY_LEN 32
#define DEPOT_SIG_LEN    64
#define DEPOT_SHA256_LEN 32
#define DEPOT_PATH_MAX   256  /* longest member path accepted (bytes, without NUL) */
#define DEPOT_NAME_MAX   128  /* binary, requires, provides, rom entries */
#define DEPOT_LIST_MAX   16   /* entries of each list in a runtime */
#define DEPOT_CONFIG_MAX 4096 /* config text of a runtime */

enum {
    DEPOT_OK = 0,
    DEPOT_EINVAL = -1,   /* a malformed argument (NULL, zero keys, ...) */
    DEPOT_ESIG = -2,     /* signature absent, wrong length or not verifying */
    DEPOT_EFORMAT = -3,  /* the xz or tar data is corrupt */
    DEPOT_ELIMIT = -4,   /* a caller limit would be exceeded */
    DEPOT_EREFUSED = -5, /* a member the installer must not create */
    DEPOT_ENOMEM = -6,   /* the heap buffer is too small for the decoder */
    DEPOT_ECALLBACK = -7 /* the per-file callback refused */
};

struct depot_err {
    char msg[DEPOT_ERR_MAX];
};

/* One trusted key of a depot user (depots/<user>/pubkey). */
struct depot_pubkey {
    const char *user; /* for messages only */
    uint8_t key[DEPOT_PUBKEY_LEN];
};

/* Decode a PEM SubjectPublicKeyInfo Ed25519 public key (what `goa key
 * show` prints) into its 32 raw bytes. 0 or DEPOT_EINVAL. */
int depot_pubkey_from_pem(const char *pem, size_t len, uint8_t out[DEPOT_PUBKEY_LEN],
                          struct depot_err *err);

/* Check SIG (SIG_LEN bytes, the raw 64-byte .sig) over the exact LEN bytes
 * of ARCHIVE against each of the N keys in turn. On success *WHICH (if not
 * NULL) is the index of the key that verified and SHA256 (if not NULL)
 * holds the archive's SHA-256. DEPOT_ESIG when no key verifies. */
int depot_verify(const uint8_t *archive, size_t len, const uint8_t *sig, size_t sig_len,
                 const struct depot_pubkey *keys, size_t n, size_t *which,
                 uint8_t sha256[DEPOT_SHA256_LEN], struct depot_err *err);

/* Limits of one unpack; zero fields take the defaults below. */
struct depot_limits {
    size_t max_files;    /* entries (files and directories); default 256 */
    size_t max_unpacked; /* bytes of the decompressed tar stream; default 16 MiB */
    size_t max_file;     /* bytes of one file; default max_unpacked */
};
#define DEPOT_DEFAULT_FILES    256
#define DEPOT_DEFAULT_UNPACKED (16u << 20)

/* One member, valid during the callback only (data points into the heap). */
struct depot_file {
    const char *path; /* relative, no "..", no "//", NUL-terminated */
    const uint8_t *data;
    size_t size;
    int is_dir;
    int executable;
};

/* Returns 0 to continue; anything else stops the unpack with
 * DEPOT_ECALLBACK (the callback fills err->msg). */
typedef int (*depot_file_fn)(void *ctx, const struct depot_file *f, struct depot_err *err);

/* Decompress ARCHIVE (LEN bytes of .tar.xz) into HEAP (HEAP_SIZE bytes: the
 * decompressed tar, at most limits->max_unpacked bytes, plus the xz
 * decoder, whose memory is the archive's dictionary: 8 MiB for goa's preset
 * 6), check every member, and only when the whole archive is acceptable
 * call FN once per member in archive order. So a refused archive never
 * reaches FN. LIMITS may be NULL for the defaults. */
int depot_unpack(const uint8_t *archive, size_t len, void *heap, size_t heap_size,
                 const struct depot_limits *limits, depot_file_fn fn, void *ctx,
                 struct depot_err *err);

/* The same member checks over an uncompressed tar stream (used by
 * depot_unpack; public for tests and fuzzers). */
int depot_tar_walk(const uint8_t *tar, size_t len, const struct depot_limits *limits,
                   depot_file_fn fn, void *ctx, struct depot_err *err);

/* The `runtime` file of a pkg archive, as goa export writes it. */
struct depot_runtime {
    char binary[DEPOT_NAME_MAX];
    uint64_t ram; /* bytes; 16 MiB when absent (goa's default) */
    long caps;
    long cpu_quota; /* percent, 0: no limit */
    char requires[DEPOT_LIST_MAX][DEPOT_NAME_MAX];
    size_t n_requires;
    char provides[DEPOT_LIST_MAX][DEPOT_NAME_MAX];
    size_t n_provides;
    char rom[DEPOT_LIST_MAX][DEPOT_NAME_MAX];
    size_t n_rom;
    char config[DEPOT_CONFIG_MAX]; /* NUL-terminated, lines without the indent */
    size_t config_len;
};

/* Parse LEN bytes of TEXT into *RT. 0 or DEPOT_EFORMAT / DEPOT_ELIMIT. */
int depot_pkg_runtime(const char *text, size_t len, struct depot_runtime *rt,
                      struct depot_err *err);

/* A SHA-256 (libsodium's), for callers that hash what they store. */
void depot_sha256(const uint8_t *data, size_t len, uint8_t out[DEPOT_SHA256_LEN]);

#endif
