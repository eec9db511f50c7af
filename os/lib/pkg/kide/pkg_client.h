/* SPDX-License-Identifier: MIT */
/* The `Pkg` session's client (os/abi/kide/pkg.h): what hoitaja uses to fetch
 * an installed program before it hands the bytes to core (KIDE_OWN_LOAD_PAGES).
 *
 * The transport is the caller's: hoitaja makes every call with its deadline
 * (hj_call_*), a plain component calls straight through (pkg_chan_direct).
 * Every reply is checked before it is used: a size over the caller's bound or
 * a READ that returns other than the bytes asked for is refused with
 * KIDE_BAD_PARAM.
 */
#ifndef KIDE_PKG_CLIENT_H
#define KIDE_PKG_CLIENT_H

#include <kide/component.h>
#include <kide/pkg.h>

struct pkg_chan {
    kide_sel pt; /**< the session portal */
    /** Call pt with m (as kide_msg_call, no capability either way). */
    int (*call)(const struct pkg_chan *ch, struct kide_msg *m);
    void *ctx;
};

/** The plain transport: kide_msg_call, no deadline. */
struct pkg_chan pkg_chan_direct(kide_sel pt);

/** OPEN: size and SHA-256 of file `file` ("" = the program) of package `name`. */
int pkg_open(const struct pkg_chan *ch, const char *name, const char *file,
             struct kide_pkg_open_rep *rep);

/** The whole file into fresh RAM of the caller (kide_ram_alloc, *alloc bytes,
 *  page multiple; free it with kide_ram_free(env, *image, *alloc)): OPEN, then
 *  READ in chunks of KIDE_PKG_READ_MAX bytes.
 *  max bounds the size (KIDE_BAD_PARAM beyond; *size says how big it was).
 *  On failure nothing is left allocated. */
int pkg_fetch(struct kide_env *env, const struct pkg_chan *ch, const char *name, const char *file,
              kide_u64 max, void **image, kide_u64 *size, kide_u64 *alloc);

#endif
