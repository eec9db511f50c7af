/* SPDX-License-Identifier: MIT */
/* Kide ABI: the `Pkg` session (decision 0022, docs/formats/pkg.md): the
 * programs and rom files of installed packages, served by the component that
 * keeps the package store (kuori-agent; os/components/tests/test-pkgstore).
 *
 * hoitaja opens a session to "Pkg" by the route of the child it starts
 * (`binary: "pkg:<user>/<name>/<version>"`), asks OPEN for the program's
 * size and SHA-256, READs it in chunks of at most KIDE_PKG_READ_MAX bytes
 * carried in the reply itself, copies them into its own RAM and hands that to
 * core (KIDE_OWN_LOAD_PAGES). Not a shared dataspace: the server could free
 * the pages while hoitaja copies them, and a read of a revoked page faults
 * the reader, so a hostile store could kill the habitat's manager.
 * The server keeps no state per session beyond the session itself: every
 * request names the package and the file, so a package removed between
 * two calls answers NOT_FOUND, never stale bytes.
 *
 * Wire format: words[0] = operation, then the words each operation lists;
 * strings are a length word and the bytes packed into words (kide_msg_put_str).
 * Reply words[0] = enum kide_status, then the reply struct's words. The client
 * library os/lib/pkg (<kide/pkg_client.h>) packs and checks them.
 */
#ifndef KIDE_PKG_H
#define KIDE_PKG_H

#include "types.h"

#define KIDE_PKG_SERVICE  "Pkg"
#define KIDE_PKG_NAME_MAX 95u    /**< "<user>/<name>/<version>" */
#define KIDE_PKG_FILE_MAX 63u    /**< a rom file's name in the package */
#define KIDE_PKG_READ_MAX 3584u  /**< bytes per READ reply (fits a UTCB) */
#define KIDE_PKG_PREFIX   "pkg:" /**< a child's binary that names a package */

enum kide_pkg_op {
    /** A file of a package: w1.. = the package name string ("<user>/<name>/<version>",
     *  at most KIDE_PKG_NAME_MAX bytes), then the file name string ("" for the
     *  program, else one of its rom files, at most KIDE_PKG_FILE_MAX bytes).
     *  -> OK, struct kide_pkg_open_rep | NOT_FOUND (no such package or file) |
     *  BAD_PARAM (a malformed request). */
    KIDE_PKG_OPEN = 1,
    /** w1 = offset (below the file's size), w2 = len (1..KIDE_PKG_READ_MAX), then
     *  the two strings as for OPEN: -> OK, the bytes [offset, offset + n) as a
     *  string, n = min(len, size - offset) | NOT_FOUND | BAD_PARAM (offset at or
     *  past the end, len out of range). */
    KIDE_PKG_READ = 2,
};

struct kide_pkg_open_rep {
    kide_u64 size;      /**< bytes */
    kide_u8 sha256[32]; /**< of the file's bytes (the store computed it at add) */
};
_Static_assert(sizeof(struct kide_pkg_open_rep) == 5 * 8, "OPEN reply: 5 words");

#endif
