/* SPDX-License-Identifier: MIT */
/* goa: reproducible .tar.xz archives.
 *
 * Members are collected first, sorted, then written in one pass; metadata
 * is taken from lstat() only for the file type and the executable bit, so
 * owners, times and umask of the exporting machine do not leak into the
 * archive. Cost: one read of every member.
 */
#include "tarxz.h"

#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void goa_tar_add(struct goa_tar_list *l, const char *name, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v)
            abort();
    }
    l->v[l->n].name = goa_xstrdup(name);
    l->v[l->n++].path = goa_xstrdup(path);
}

static int skipped(const char *name, const char *const *skip)
{
    for (size_t i = 0; skip && skip[i]; i++)
        if (!strcmp(name, skip[i]))
            return 1;
    return 0;
}

int goa_tar_add_tree(struct goa_tar_list *l, const char *dir, const char *prefix,
                     const char *const *skip)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    if (!d) {
        goa_error(dir, NULL, "cannot read directory: %m");
        return -1;
    }
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") || skipped(e->d_name, skip))
            continue;
        char *name = *prefix ? goa_fmt("%s/%s", prefix, e->d_name) : goa_xstrdup(e->d_name);
        char *path = goa_fmt("%s/%s", dir, e->d_name);
        struct stat st;
        goa_tar_add(l, name, path);
        int r = 0;
        if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
            r = goa_tar_add_tree(l, path, name, NULL);
        free(name);
        free(path);
        if (r) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct goa_tar_member *)a)->name,
                  ((const struct goa_tar_member *)b)->name);
}

static long fixed_mtime(void)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");

    return s && *s ? strtol(s, NULL, 10) : GOA_TAR_MTIME;
}

static int write_member(struct archive *a, const struct goa_tar_member *m, long mtime)
{
    struct archive_entry *e = archive_entry_new();
    struct stat st;
    char *data = NULL;
    size_t len = 0;
    int rc = -1;

    if (lstat(m->path, &st)) {
        goa_error(m->path, NULL, "cannot read: %m");
        goto out;
    }
    archive_entry_set_pathname(e, m->name);
    archive_entry_set_mtime(e, mtime, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    archive_entry_set_uname(e, "root");
    archive_entry_set_gname(e, "root");
    if (S_ISDIR(st.st_mode)) {
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, 0755);
    } else if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(m->path, target, sizeof target - 1);
        if (n < 0) {
            goa_error(m->path, NULL, "cannot read link: %m");
            goto out;
        }
        target[n] = '\0';
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_perm(e, 0777);
        archive_entry_set_symlink(e, target);
    } else if (S_ISREG(st.st_mode)) {
        if (goa_read_file(m->path, &data, &len)) {
            goa_error(m->path, NULL, "cannot read: %m");
            goto out;
        }
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, (st.st_mode & 0111) ? 0755 : 0644);
        archive_entry_set_size(e, (la_int64_t)len);
    } else {
        goa_error(m->path, "remove sockets, fifos and devices from the tree",
                  "not a file, directory or link");
        goto out;
    }
    if (archive_write_header(a, e) != ARCHIVE_OK ||
        (len && archive_write_data(a, data, len) != (la_ssize_t)len)) {
        goa_error(m->path, NULL, "cannot archive: %s", archive_error_string(a));
        goto out;
    }
    rc = 0;
out:
    free(data);
    archive_entry_free(e);
    return rc;
}

int goa_tar_write(struct goa_tar_list *l, const char *out)
{
    struct archive *a = archive_write_new();
    long mtime = fixed_mtime();
    int rc = -1;

    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, by_name);
    archive_write_set_format_pax_restricted(a);
    archive_write_add_filter_xz(a);
    archive_write_set_filter_option(a, "xz", "compression-level", "6");
    archive_write_set_filter_option(a, "xz", "threads", "1");
    archive_write_set_bytes_in_last_block(a, 1);
    if (archive_write_open_filename(a, out) != ARCHIVE_OK) {
        goa_error(out, "check that the depot directory is writable", "cannot create: %s",
                  archive_error_string(a));
        goto out;
    }
    for (size_t i = 0; i < l->n; i++)
        if (write_member(a, &l->v[i], mtime))
            goto out;
    if (archive_write_close(a) != ARCHIVE_OK) {
        goa_error(out, NULL, "cannot finish: %s", archive_error_string(a));
        goto out;
    }
    rc = 0;
out:
    archive_write_free(a);
    return rc;
}

void goa_tar_free(struct goa_tar_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].name);
        free(l->v[i].path);
    }
    free(l->v);
    memset(l, 0, sizeof *l);
}
