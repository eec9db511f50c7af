/* SPDX-License-Identifier: MIT */
/* goa: reproducible .tar.xz archives.
 *
 * The same set of files (names, contents, executable bits, link targets)
 * always gives the same archive bytes: entries are sorted by path (bytewise),
 * every entry has mtime GOA_TAR_MTIME (or $SOURCE_DATE_EPOCH), uid/gid 0,
 * owner names "root", mode 0755 for directories and executables, 0644 for
 * other files; the format is POSIX pax in its restricted form (extended
 * headers only where ustar cannot hold a name), compressed with xz preset 6,
 * single-threaded. No atime, ctime, xattrs, ACLs or file flags are stored.
 */
#ifndef GOA_TARXZ_H
#define GOA_TARXZ_H

#include <stddef.h>

/** Fixed mtime of every entry unless $SOURCE_DATE_EPOCH is set (1980-01-01). */
#define GOA_TAR_MTIME 315532800L

/** One member to archive: its name in the archive and where it is on disk. */
struct goa_tar_member {
    char *name; /**< path inside the archive (no leading "./") */
    char *path; /**< file on disk */
};

/** A growing list of members. */
struct goa_tar_list {
    struct goa_tar_member *v; /**< members */
    size_t n;                 /**< used */
    size_t cap;               /**< allocated */
};

/** Add DIR's whole tree under the archive prefix PREFIX ("" for top level). */
int goa_tar_add_tree(struct goa_tar_list *l, const char *dir, const char *prefix,
                     const char *const *skip);

/** Add one file or directory PATH as NAME. */
void goa_tar_add(struct goa_tar_list *l, const char *name, const char *path);

/** Write the sorted members into the archive OUT; 0 or -1 (reported). */
int goa_tar_write(struct goa_tar_list *l, const char *out);

/** Free the list. */
void goa_tar_free(struct goa_tar_list *l);

#endif
