/* SPDX-License-Identifier: MIT */
/* goa: the staging tree -- classifying what a build installed into depot archives.
 *
 * A build installs into var/install/<arch>/ (DESTDIR, prefix /usr), or its
 * artifacts list is copied into var/collect/<arch>/. goa_stage_split() walks
 * that tree once and sorts every file into one of four output trees under
 * var/ (each the content of one archive):
 *
 *   api/<arch>  everything under include/, *.h (into include/), *.a (into lib/),
 *               .pc files of lib/pkgconfig or share/pkgconfig (into lib/pkgconfig/, made
 *               relocatable: prefix=${pcfiledir}/../..)
 *   doc/<arch>  share/man, share/doc, share/info
 *   dbg/<arch>  the debug information split off by stripping: <file>.debug
 *               for every ELF program, and the unstripped static libraries
 *   bin/<arch>  everything else (programs stripped, with a .gnu_debuglink)
 *
 * Dropped: libtool .la files and CMake package files (lib/cmake,
 * share/cmake), whose absolute /usr paths are wrong for a depot, and shared
 * libraries (lib/lib*.so and its versions): Kide programs are linked statically. The walk
 * is sorted, and strip/objcopy are deterministic, so the same build gives
 * the same trees.
 */
#include "stage.h"
#include "pcfile.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int starts(const char *s, const char *p)
{
    return !strncmp(s, p, strlen(p));
}

static int ends(const char *s, const char *e)
{
    size_t n = strlen(s), m = strlen(e);
    return n >= m && !strcmp(s + n - m, e);
}

static const char *base(const char *rel)
{
    const char *s = strrchr(rel, '/');
    return s ? s + 1 : rel;
}

/* First bytes of PATH equal MAGIC? */
static int magic(const char *path, const char *m, size_t n)
{
    char buf[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(buf, 1, n, f) : 0;

    if (f)
        fclose(f);
    return got == n && !memcmp(buf, m, n);
}

/* Make DEST's parent directory. */
static void parent(const char *dest)
{
    char *d = goa_xstrdup(dest);
    char *s = strrchr(d, '/');
    if (s) {
        *s = '\0';
        goa_mkdirs(d);
    }
    free(d);
}

static int tool(const char *a, const char *b, const char *c, const char *d)
{
    char *argv[] = {(char *)a, (char *)b, (char *)c, (char *)d, NULL};
    return goa_run(NULL, argv, NULL, NULL) ? -1 : 0;
}

/* A .pc file rewritten so it works wherever the archive is unpacked. */
static int copy_pc(const char *from, const char *to)
{
    char *data, *out;
    size_t len;
    int rc;

    if (goa_read_file(from, &data, &len))
        return -1;
    out = goa_pc_relocate(data);
    rc = goa_write_file(to, out, strlen(out), 0644);
    free(out);
    free(data);
    return rc;
}

/** Walk state. */
struct walk {
    const char *var, *arch; /**< output root var/ and architecture */
    int strip;              /**< strip programs and libraries */
    struct goa_stage_counts *n;
};

static char *out_path(struct walk *w, const char *kind, const char *rel)
{
    return goa_fmt("%s/%s/%s/%s", w->var, kind, w->arch, rel);
}

/* Copy one entry FROM (relative REL) into its archive tree. */
static int place(struct walk *w, const char *from, const char *rel, const struct stat *st)
{
    const char *kind = "bin";
    char *dest_rel = goa_xstrdup(rel), *dest, *dbg = NULL;
    int rc = 0, elf = 0, ar = 0;

    if (ends(rel, ".la") || starts(rel, "lib/cmake/") || starts(rel, "share/cmake/") ||
        (starts(rel, "lib/") && (ends(rel, ".so") || strstr(rel, ".so.")))) {
        w->n->dropped++;
        free(dest_rel);
        return 0;
    }
    if (starts(rel, "include/")) {
        kind = "api";
    } else if (ends(rel, ".h") || ends(rel, ".hpp")) {
        kind = "api";
        free(dest_rel);
        dest_rel = goa_fmt("include/%s", base(rel));
    } else if (ends(rel, ".a")) {
        kind = "api", ar = 1;
        free(dest_rel);
        dest_rel = goa_fmt("lib/%s", base(rel));
    } else if (ends(rel, ".pc") &&
               (starts(rel, "lib/pkgconfig/") || starts(rel, "share/pkgconfig/"))) {
        kind = "api";
        free(dest_rel);
        dest_rel = goa_fmt("lib/pkgconfig/%s", base(rel));
    } else if (starts(rel, "share/man/") || starts(rel, "share/doc/") ||
               starts(rel, "share/info/")) {
        kind = "doc";
    } else if (S_ISREG(st->st_mode)) {
        elf = magic(from, "\177ELF", 4);
    }
    dest = out_path(w, kind, dest_rel);
    parent(dest);
    if (S_ISLNK(st->st_mode)) {
        char target[4096];
        ssize_t l = readlink(from, target, sizeof target - 1);
        if (l < 0)
            rc = -1;
        else {
            target[l] = '\0';
            unlink(dest);
            rc = symlink(target, dest);
        }
    } else if (!strcmp(kind, "api") && ends(rel, ".pc")) {
        rc = copy_pc(from, dest);
    } else {
        rc = goa_copy_file(from, dest);
    }
    if (rc) {
        goa_error(dest, "check free space", "cannot place %s: %m", rel);
        goto out;
    }
    ar = ar && S_ISREG(st->st_mode) && magic(from, "!<arch>\n", 8);
    if (w->strip && elf) {
        /* The program keeps a .gnu_debuglink to its <name>.debug in the dbg archive. */
        char *d0 = out_path(w, "dbg", dest_rel);
        dbg = goa_fmt("%s.debug", d0);
        free(d0);
        parent(dbg);
        rc = tool("objcopy", "--only-keep-debug", dest, dbg) ||
             tool("strip", "--strip-all", dest, NULL);
        if (!rc) {
            /* Run in the debug file's directory: objcopy records only its
             * base name and CRC, so the link does not depend on var/. */
            char *opt = goa_fmt("--add-gnu-debuglink=%s", base(dbg));
            char *dir = goa_xstrdup(dbg);
            *strrchr(dir, '/') = '\0';
            char *argv[] = {"objcopy", opt, dest, NULL};
            rc = goa_run(dir, argv, NULL, NULL) ? -1 : 0;
            free(opt);
            free(dir);
        }
        w->n->stripped++;
    } else if (w->strip && ar) {
        dbg = out_path(w, "dbg", dest_rel);
        parent(dbg);
        rc = goa_copy_file(dest, dbg) ||
             tool("strip", "--strip-debug", "--enable-deterministic-archives", dest);
        w->n->stripped++;
    }
    if (rc)
        goa_error(dest, "is binutils installed (strip, objcopy)?", "cannot strip %s", rel);
    if (!strcmp(kind, "bin"))
        w->n->bin++;
    else if (!strcmp(kind, "api"))
        w->n->api++;
    else
        w->n->doc++;
out:
    free(dest);
    free(dbg);
    free(dest_rel);
    return rc;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Walk DIR (relative REL) in sorted order. */
static int walk(struct walk *w, const char *dir, const char *rel)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    size_t n = 0;
    int rc = 0;

    if (!d)
        return 0;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        if (!names)
            abort();
        names[n++] = goa_xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp);
    for (size_t i = 0; i < n; i++) {
        char *path = goa_fmt("%s/%s", dir, names[i]);
        char *r = *rel ? goa_fmt("%s/%s", rel, names[i]) : goa_xstrdup(names[i]);
        struct stat st;
        if (rc == 0 && lstat(path, &st) == 0)
            rc = S_ISDIR(st.st_mode) ? walk(w, path, r) : place(w, path, r, &st);
        free(path);
        free(r);
        free(names[i]);
    }
    free(names);
    return rc;
}

int goa_stage_split(const char *tree, const char *var, const char *arch, int strip,
                    struct goa_stage_counts *n)
{
    static const char *const kinds[] = {"bin", "api", "doc", "dbg"};
    struct walk w = {.var = var, .arch = arch, .strip = strip, .n = n};

    memset(n, 0, sizeof *n);
    for (size_t i = 0; i < 4; i++) {
        char *d = goa_fmt("%s/%s/%s", var, kinds[i], arch);
        goa_rmrf(d);
        free(d);
    }
    return walk(&w, tree, "");
}
