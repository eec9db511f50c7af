/* SPDX-License-Identifier: MIT */
/* The package store and its `Pkg` service (decision 0022): what kuori-agent
 * keeps after it verified and unpacked a package (os/lib/depot), and serves
 * to hoitaja (os/abi/kide/pkg.h).
 *
 * Every byte is the caller's: files are copied at add into the caller's RAM
 * (kide_ram_alloc, page-rounded), the table into its heap; both bounded by
 * the limits given to pkg_store_init (packages, bytes), so a store cannot
 * grow past what its owner planned for. The store copies what it is given
 * (the depot_unpack heap may be reused right after add) and computes each
 * file's SHA-256 with the hash the caller passes (depot_sha256), so this
 * library links no crypto itself. One lock guards the table: add, remove
 * and the service's handler may run on different threads.
 */
#ifndef KIDE_PKG_STORE_H
#define KIDE_PKG_STORE_H

#include <kide/component.h>
#include <kide/pkg.h>

#define PKG_STORE_FILES_MAX 9u /**< the program and up to 8 rom files per package */

/** A file to add (valid during pkg_store_add only). name "" is the program. */
struct pkg_add_file {
    const char *name;
    const kide_u8 *data;
    kide_u64 size;
};

struct pkg_stored_file {
    char name[KIDE_PKG_FILE_MAX + 1];
    kide_u8 *data; /**< kide_ram_alloc, `alloc` bytes, zero past size */
    kide_u64 size, alloc;
    kide_u8 sha256[32];
};

struct pkg_entry {
    int used;
    char name[KIDE_PKG_NAME_MAX + 1]; /**< "<user>/<name>/<version>" */
    unsigned nfiles;
    struct pkg_stored_file file[PKG_STORE_FILES_MAX];
};

typedef void (*pkg_sha256_fn)(const kide_u8 *data, kide_u64 len, kide_u8 out[32]);

struct pkg_store {
    struct kide_env *env;
    struct kide_mutex mx;
    pkg_sha256_fn sha256;
    unsigned max_packages;
    kide_u64 max_bytes, bytes; /**< bound and use of file RAM (page-rounded) */
    struct pkg_entry *entry;   /**< max_packages of them (kide_malloc) */
};

/** A store for at most max_packages packages and max_bytes of files.
 *  -> KIDE_OK | KIDE_BAD_PARAM (0 limits, no hash) | KIDE_QUOTA (no heap). */
int pkg_store_init(struct pkg_store *st, struct kide_env *env, unsigned max_packages,
                   kide_u64 max_bytes, pkg_sha256_fn sha256);
/** Whether name is a package name: <user>/<name>/<version> as hoitaja's
 *  `pkg:` binaries (user, name [a-z][a-z0-9-]*, version [0-9A-Za-z][0-9A-Za-z.+_-]*). */
int pkg_name_valid(const char *name);
/** Add package `name` with files[0..n) (exactly one named "" is the program;
 *  other names unique, at most KIDE_PKG_FILE_MAX bytes, no '/').
 *  -> KIDE_OK | KIDE_BAD_PARAM (a name or the file list is malformed) |
 *  KIDE_BUSY (installed already: remove it first) | KIDE_QUOTA (a limit, or
 *  no RAM; nothing is kept then). */
int pkg_store_add(struct pkg_store *st, const char *name, const struct pkg_add_file *files,
                  unsigned n);
/** Remove package name; its RAM goes back. -> KIDE_OK | KIDE_NOT_FOUND. */
int pkg_store_remove(struct pkg_store *st, const char *name);
/** Copy up to len bytes of file `file` of package `name` at off into out; with
 *  out NULL only the size and hash. Under the lock, so a concurrent remove
 *  never leaves a reader with freed bytes. -> KIDE_OK (*n bytes, *size, sha) |
 *  KIDE_NOT_FOUND | KIDE_BAD_PARAM (off at or past the end). */
int pkg_store_read(struct pkg_store *st, const char *name, const char *file, kide_u64 off,
                   void *out, kide_u64 len, kide_u64 *n, kide_u64 *size, kide_u8 sha256[32]);

/** Provide service "Pkg" (kide_service_announce) from store st: OPEN and READ
 *  of kide/pkg.h. The component must list Pkg in its `provides`. */
int pkg_serve(struct pkg_store *st);

#endif
