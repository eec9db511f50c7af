/* SPDX-License-Identifier: MIT */
/* goa: SHA-256 of files and buffers, and the tree hash of a directory.
 *
 * The tree hash identifies an unpacked source tree independently of how it
 * was archived (docs/formats/tree-hash.md): SHA-256 over the sorted records
 *   "<path>\0<mode>\0<sha256 of content>\n"
 * one per regular file and symlink, where path is relative with '/'
 * separators, mode is "755" for executable files, "644" for other files and
 * "120000" for symlinks (whose content is the link target). Directories, and
 * with them empty directories, owners and times, do not take part.
 */
#ifndef GOA_HASH_H
#define GOA_HASH_H

#include <stddef.h>

/** Hex digest buffer size: 64 digits and a NUL. */
#define GOA_HEX_LEN 65

/** SHA-256 of LEN bytes at DATA as lower-case hex into OUT. */
void goa_sha256_buf(const void *data, size_t len, char out[GOA_HEX_LEN]);
/** SHA-256 of the file PATH into OUT; 0 or -1 (errno set). */
int goa_sha256_file(const char *path, char out[GOA_HEX_LEN]);
/** Tree hash of directory DIR into OUT; 0 or -1 (errno set). */
int goa_tree_hash(const char *dir, char out[GOA_HEX_LEN]);

#endif
