/* SPDX-License-Identifier: MIT */
/* posix_config: the one parser of a POSIX child's `posix:` configuration.
 *
 * hoitaja links it to refuse a bad child with a clear message before starting
 * it; the POSIX runtime (os/posix) links it to use the configuration. The
 * input is the `posix` object of a parsed JSON document (<kide/json.h>); the
 * result holds bounded copies of every string in its own fixed pool, so the
 * document may be released afterwards. Form and defaults: docs/hoitaja.md
 * ("POSIX children") and docs/posix.md.
 *
 * Invariants of a parsed configuration (the parser refuses anything else):
 *  - program and every ROM module name: 1..POSIX_NAME_MAX bytes of
 *    [A-Za-z0-9._+-], starting with a letter or digit;
 *  - argc 1..POSIX_ARGS_MAX, envc 0..POSIX_ENV_MAX, argv/envp NULL-terminated;
 *    every string 0..POSIX_STR_MAX bytes without NUL; every env entry NAME=value
 *    with a non-empty NAME free of '=', names unique;
 *  - cwd and every path (mounts, file: streams): absolute, normalised (no
 *    empty, "." or ".." components, no trailing '/' except "/" itself);
 *  - mounts: 1..POSIX_MOUNTS_MAX, paths unique, one of them "/", none at or
 *    below /dev or /proc (the runtime provides those); ram mounts have no
 *    modules, rom mounts 1..POSIX_MOUNT_MODULES_MAX distinct ones and no size;
 *  - roms[]: the distinct ROM modules the child uses (program first, then the
 *    stdin module, then the mount modules in order), at most POSIX_ROMS_MAX
 *    (= KIDE_CORE_ROM_MAX: what its owner may name with KIDE_OWN_ROM);
 *  - stack: a multiple of 4 KiB in POSIX_STACK_MIN..POSIX_STACK_MAX.
 *
 * The structure is NOT copyable by assignment: its pointers point into its own
 * pool. Parse again, or copy the strings you keep.
 *
 * Freestanding: depends on the compiler and <kide/json.h> only (no libc).
 */
#ifndef POSIX_CONFIG_H
#define POSIX_CONFIG_H

#include <kide/json.h>
#include <kide/types.h>

#define POSIX_ARGS_MAX          64u    /**< argv entries, argv[0] included */
#define POSIX_ENV_MAX           64u    /**< envp entries */
#define POSIX_STR_MAX           255u   /**< bytes of one string (argument, path, ...) */
#define POSIX_NAME_MAX          31u    /**< bytes of a ROM module name (KIDE_OWN_ROM's limit) */
#define POSIX_MOUNTS_MAX        16u    /**< mounts, / included */
#define POSIX_MOUNT_MODULES_MAX 8u     /**< modules of one rom mount */
#define POSIX_ROMS_MAX          8u     /**< distinct ROM modules of a child (KIDE_CORE_ROM_MAX) */
#define POSIX_POOL_MAX          16384u /**< bytes of all copied strings with their NULs */
#define POSIX_STACK_DEF         0x100000ull       /**< 1 MiB */
#define POSIX_STACK_MIN         0x4000ull         /**< 16 KiB */
#define POSIX_STACK_MAX         0x40000000ull     /**< 1 GiB */
#define POSIX_RAMFS_MIN         0x1000ull         /**< smallest ram mount size: one page */
#define POSIX_RAMFS_MAX         0x400000000000ull /**< 64 TiB (KIDE_RAM_MAX) */

/** Mount types. */
enum posix_mount_type {
    POSIX_MOUNT_RAM = 1, /**< a RAM file system, charged to the component's RAM */
    POSIX_MOUNT_ROM = 2, /**< read-only: each module one file named like the module */
};

/** Where a standard stream goes (or comes from). */
enum posix_stream_kind {
    POSIX_STREAM_NONE = 0, /**< stdin only: "none" (reads give end of file) */
    POSIX_STREAM_LOG = 1,  /**< stdout/stderr: "log", one LOG line per line */
    POSIX_STREAM_ROM = 2,  /**< stdin only: "rom:<module>", arg = the module name */
    POSIX_STREAM_FILE = 3, /**< stdout/stderr: "file:/path", arg = the absolute path */
};

/** One standard stream. */
struct posix_stream {
    kide_u8 kind;    /**< enum posix_stream_kind */
    const char *arg; /**< ROM: module name, FILE: path, else NULL */
};

/** One mount. */
struct posix_mount {
    const char *path; /**< absolute, normalised */
    kide_u8 type;     /**< enum posix_mount_type */
    kide_u64 size;    /**< ram: byte limit (0: none beyond the component's RAM); rom: 0 */
    kide_u32 nmodules;
    const char *modules[POSIX_MOUNT_MODULES_MAX]; /**< rom: the module names, in order */
};

/** A parsed `posix:` object. Every pointer points into pool (or is NULL). */
struct posix_config {
    const char *program;                  /**< the ROM module holding the static ELF */
    kide_u32 argc;                        /**< 1..POSIX_ARGS_MAX */
    const char *argv[POSIX_ARGS_MAX + 1]; /**< argv[argc] == NULL; default {program} */
    kide_u32 envc;                        /**< 0..POSIX_ENV_MAX */
    const char *envp[POSIX_ENV_MAX + 1];  /**< envp[envc] == NULL; default empty */
    const char *cwd;                      /**< default "/" */
    kide_u32 nmounts;                     /**< default 1: {path "/", ram, size 0} */
    struct posix_mount mounts[POSIX_MOUNTS_MAX];
    struct posix_stream std_in;       /**< `stdin`, default none */
    struct posix_stream std_out;      /**< `stdout`, default log */
    struct posix_stream std_err;      /**< `stderr`, default log */
    kide_u64 stack;                   /**< bytes, default POSIX_STACK_DEF */
    kide_u32 nroms;                   /**< distinct ROM modules, program included */
    const char *roms[POSIX_ROMS_MAX]; /**< program first (see invariants) */
    int err_token;                    /**< after an error: the token it is about (or
                                           obj_token), for a line/column; else -1 */
    kide_u32 pool_used;               /**< bytes of pool in use */
    char pool[POSIX_POOL_MAX];
};

/**
 * Parse the `posix` object at token obj_token of doc into *out. Returns 0, or
 * -1 with a one-line message in err[0..errlen) (always NUL-terminated when
 * errlen > 0) naming the field and the fix, e.g.
 * "posix.mounts[2].path: must be absolute, e.g. /data", and out->err_token.
 * Unknown fields are refused with the list of known ones. Sizes (stack,
 * mounts[].size) are an integer of bytes or a string with K, M, G or T
 * (1024-based): 1048576, "1M". On error *out holds no configuration (argc 0).
 * Cost: linear in the object's tokens (duplicate checks quadratic in at most
 * 64 entries); no recursion, no allocation.
 */
int posix_config_parse(const struct kide_json_doc *doc, int obj_token, struct posix_config *out,
                       char *err, __SIZE_TYPE__ errlen);

#endif
