/* SPDX-License-Identifier: MIT */
/* install.h: what the `install` op (ops_install.c) needs from the component.
 *
 * The core stays host-buildable: it validates the request, parses the
 * registry URL and the package name, picks the bin archive from the pkg
 * archive's `archives`, writes the child and applies it. Fetching (HTTP with
 * deadlines), signature checks against the habitat's configured keys,
 * unpacking and the package store are the installer's (install_kide.c in
 * Kide, a fake in the host tests). The installer must keep depot's order:
 * verify the exact bytes received, and only then unpack; a refused archive
 * leaves nothing in the store.
 */
#ifndef KAGENT_INSTALL_H
#define KAGENT_INSTALL_H

#include <kide/types.h>

#define KINST_PATH_MAX     200u  /* "<user>/<type>/<name>/<version>" */
#define KINST_FIELD_MAX    128u  /* a runtime name (binary, a requires entry) */
#define KINST_REQUIRES_MAX 16u   /* the runtime's requires (depot's DEPOT_LIST_MAX) */
#define KINST_ARCHIVES_MAX 2048u /* bytes of the pkg archive's `archives` file */
/* "<user>/<name>/<version>": hoitaja's binary "pkg:..." is at most 31 bytes (decision 0022). */
#define KINST_PKG_NAME_MAX 27u

/** A registry the agent reaches: "http://a.b.c.d:port" (no DNS in a habitat,
 *  no TLS for downloads: the signature, not the transport, says whose it is). */
struct kinst_registry {
    kide_u32 ip; /**< host order */
    kide_u16 port;
    char host[32]; /**< "a.b.c.d:port" for the Host header */
};

/** What the installer found in a verified pkg archive. */
struct kinst_pkg {
    kide_u8 sha256[32];                /**< of the pkg archive */
    char archives[KINST_ARCHIVES_MAX]; /**< the `archives` file, NUL-terminated */
    char binary[KINST_FIELD_MAX];      /**< runtime: binary */
    kide_u64 ram, caps, cpu;           /**< runtime: ram (bytes), caps, cpu_quota (%) */
    unsigned nrequires;
    char requires[KINST_REQUIRES_MAX][KINST_FIELD_MAX];
};

/** How an installer call ended (ops_install.c maps each to a protocol error). */
enum kinst_status {
    KINST_OK = 0,
    KINST_UNREACHABLE, /**< no connection, or the deadline passed */
    KINST_NOTFOUND,    /**< the registry answered 404 */
    KINST_TOOBIG,      /**< beyond the agent's archive bound */
    KINST_REFUSED,     /**< signature, archive format or content refused */
    KINST_QUOTA,       /**< the agent's RAM (unpack heap or store) is short */
    KINST_ERROR,       /**< anything else (err says what) */
};

struct kagent_installer {
    void *ctx;
    /** Fetch `<path>.tar.xz` and its `.sig` from reg, verify, unpack, and read its
     *  `archives` and `runtime` into *out. err: one line naming the cause. */
    int (*pkg)(void *ctx, const struct kinst_registry *reg, const char *path, struct kinst_pkg *out,
               char *err, __SIZE_TYPE__ cap);
    /** Fetch, verify and unpack the bin archive `path`, and add its file `binary`
     *  to the store as package `store_name` ("<user>/<name>/<version>"); one that
     *  is stored already is left as it is (versions are immutable). sha256: of
     *  the archive (zero when it was stored already). */
    int (*bin)(void *ctx, const struct kinst_registry *reg, const char *path, const char *binary,
               const char *store_name, kide_u8 sha256[32], char *err, __SIZE_TYPE__ cap);
};

/** Parse "http://a.b.c.d:port" (port 1..65535, no path but an optional '/').
 *  0, or -1 with a message in err. */
int kinst_registry_parse(const char *url, struct kinst_registry *reg, char *err, __SIZE_TYPE__ cap);

/** A package argument "<user>/pkg/<name>/<version>", split. */
struct kinst_name {
    char user[32 + 1], name[32 + 1], version[28 + 1]; /* together within KIDE_PKG_NAME_MAX */
};

/** Split and check a package name: user [a-z][a-z0-9-]{0,31} (the store's pkg_name_valid), the
 * child's name [a-z][a-z0-9-]{0,31} (it names the component too), version
 *  [0-9A-Za-z][0-9A-Za-z.+_-]{0,27}, and "<user>/<name>/<version>" at most
 *  KINST_PKG_NAME_MAX bytes. 0, or -1 with a message in err. */
int kinst_name_parse(const char *package, struct kinst_name *n, char *err, __SIZE_TYPE__ cap);

/** The bin archive of archives (one depot path per line) for n: the line
 *  "<user>/bin/x86_64/<name>/<version>" of n's own user and name. 0 (path
 *  copied), or -1 when there is none. */
int kinst_pick_bin(const char *archives, const struct kinst_name *n, char *path, __SIZE_TYPE__ cap);

#endif
