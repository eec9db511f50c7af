/* SPDX-License-Identifier: MIT */
/* goa: safe extraction of source and depot archives with libarchive.
 *
 * Checks are lexical (pathcheck.c) and happen on the member's own name, so
 * they do not depend on what is already on disk; libarchive's SECURE_* flags
 * are kept as a second line of defence (except NOABSOLUTEPATHS: members are
 * rewritten to DEST/<checked name>, and DEST may be absolute). Owners are never restored; modes
 * are, minus set-id bits.
 */
#include "extract.h"

#include "pathcheck.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Drop N leading components of P; NULL if nothing is left. */
static const char *strip_path(const char *p, int n)
{
    while (*p == '/' && n > 0)
        p++;
    for (int i = 0; i < n; i++) {
        const char *s = strchr(p, '/');
        if (!s)
            return NULL;
        p = s;
        while (*p == '/')
            p++;
    }
    while (p[0] == '.' && p[1] == '/')
        p += 2;
    return *p && strcmp(p, ".") ? p : NULL;
}

static int refuse(const char *archive, const char *member, const char *why)
{
    goa_error(archive,
              "the archive is unsafe or corrupt; nothing from it was kept. Check its source, or "
              "fetch it again",
              "refusing member '%s': %s", member, why);
    return -1;
}

/* Check and rewrite one entry; 1 to skip it, 0 to write it, -1 refused. */
static int judge(struct archive_entry *e, const char *archive, const char *dest, int strip)
{
    const char *name = archive_entry_pathname(e);
    const char *hl = archive_entry_hardlink(e);
    const char *sl = archive_entry_symlink(e);
    mode_t type = archive_entry_filetype(e);
    const char *rel;

    if (!name)
        return refuse(archive, "(unnamed)", "member without a name");
    if (name[0] == '/')
        return refuse(archive, name, "absolute path");
    if (!goa_path_inside(name))
        return refuse(archive, name, "path leads outside the tree ('..')");
    if (!hl && type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
        return refuse(archive, name, "not a file, directory or link");
    if (hl && (hl[0] == '/' || !goa_path_inside(hl)))
        return refuse(archive, name, "hard link leads outside the tree");
    rel = strip_path(name, strip);
    if (!rel)
        return 1;
    if (type == AE_IFLNK && !hl && (!sl || !goa_link_inside(rel, sl)))
        return refuse(archive, name, "symlink leads outside the tree");
    if (hl) {
        const char *t = strip_path(hl, strip);
        if (!t || hl[0] == '/' || !goa_path_inside(hl))
            return refuse(archive, name, "hard link leads outside the tree");
        char *full = goa_fmt("%s/%s", dest, t);
        archive_entry_set_hardlink(e, full);
        free(full);
    }
    char *out = goa_fmt("%s/%s", dest, rel);
    archive_entry_set_pathname(e, out);
    free(out);
    archive_entry_set_perm(e, archive_entry_perm(e) & 0777);
    return 0;
}

int goa_extract(const char *path, const char *archive, const char *dest, int strip)
{
    struct archive *a = archive_read_new(), *w = archive_write_disk_new();
    struct archive_entry *e;
    int rc = -1, r;

    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                              ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                              ARCHIVE_EXTRACT_SECURE_NODOTDOT);
    if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
        goa_error(archive, "check that the file is a tar, tar.gz, tar.bz2, tar.xz or zip archive",
                  "cannot open the archive: %s", archive_error_string(a));
        goto out;
    }
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        int j = judge(e, archive, dest, strip);
        if (j < 0)
            goto out;
        if (j > 0)
            continue;
        if (archive_write_header(w, e) != ARCHIVE_OK) {
            goa_error(archive, "check free space and permissions of the destination",
                      "cannot write '%s': %s", archive_entry_pathname(e), archive_error_string(w));
            goto out;
        }
        const void *buf;
        size_t len;
        la_int64_t off;
        while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK)
            if (archive_write_data_block(w, buf, len, off) != ARCHIVE_OK) {
                goa_error(archive, "check free space in the destination", "cannot write '%s': %s",
                          archive_entry_pathname(e), archive_error_string(w));
                goto out;
            }
        if (r != ARCHIVE_EOF) {
            goa_error(archive, "the archive is truncated or corrupt; fetch it again",
                      "cannot read member data: %s", archive_error_string(a));
            goto out;
        }
        archive_write_finish_entry(w);
    }
    if (r != ARCHIVE_EOF) {
        goa_error(archive, "the archive is truncated or corrupt; fetch it again",
                  "cannot read the archive: %s", archive_error_string(a));
        goto out;
    }
    if (archive_write_close(w) != ARCHIVE_OK) {
        goa_error(archive, NULL, "cannot finish extraction: %s", archive_error_string(w));
        goto out;
    }
    rc = 0;
out:
    archive_read_free(a);
    archive_write_free(w);
    return rc;
}
