/* SPDX-License-Identifier: MIT */
/* goa: build systems -- detection and the steps each one runs.
 *
 * Detection order (first match wins): meson.build, CMakeLists.txt,
 * configure, configure.ac, Makefile/makefile/GNUmakefile, *.c files.
 * Every system is configured for static linking against musl: autoconf with
 * --disable-shared, cmake with BUILD_SHARED_LIBS=OFF, meson with
 * default_library=static, and LDFLAGS=-static everywhere. Configure steps
 * run once per build directory; build and install steps on every build.
 */
#include "build.h"

#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has(const char *dir, const char *name)
{
    char *p = goa_fmt("%s/%s", dir, name);
    int r = goa_exists(p);

    free(p);
    return r;
}

static int has_c_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int r = 0;

    while (d && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n > 2 && !strcmp(e->d_name + n - 2, ".c"))
            r = 1;
    }
    if (d)
        closedir(d);
    return r;
}

const char *goa_build_detect(const char *dir)
{
    if (has(dir, "meson.build"))
        return "meson";
    if (has(dir, "CMakeLists.txt"))
        return "cmake";
    if (has(dir, "configure") || has(dir, "configure.ac"))
        return "autoconf";
    if (has(dir, "Makefile") || has(dir, "makefile") || has(dir, "GNUmakefile"))
        return "make";
    if (has_c_files(dir))
        return "plain";
    return "none";
}

/* Run one step: argv in CWD; report and return -1 if it fails. */
static int step(struct goa_build_ctx *b, const char *cwd, const char *what, char **argv)
{
    if (goa_opt.verbose) {
        fprintf(stderr, "+");
        for (int i = 0; argv[i]; i++)
            fprintf(stderr, " %s", argv[i]);
        fputc('\n', stderr);
    }
    int r = goa_run(cwd, argv, b->env, b->log);
    if (r == 0)
        return 0;
    if (b->log) {
        fprintf(stderr, "--- last lines of %s:\n", b->log);
        char *tail[] = {"tail", "-n", "25", b->log, NULL};
        goa_run(NULL, tail, NULL, NULL);
    }
    goa_error("build",
              "read the build log above; fix the sources in src/ (then goa diff) or the build args "
              "in goa.yaml",
              "%s failed in %s (exit %d)", what, cwd, r);
    return -1;
}

/* Build argv: fixed words, then the project's extra args, then more words. */
static char **args(const char *const *pre, char *const *extra, const char *const *post)
{
    size_t n = 0, k = 0;
    char **v;

    while (pre && pre[n])
        n++;
    n += goa_strv_len(extra);
    for (size_t i = 0; post && post[i]; i++)
        n++;
    v = goa_xmalloc((n + 1) * sizeof *v);
    for (size_t i = 0; pre && pre[i]; i++)
        v[k++] = goa_xstrdup(pre[i]);
    for (size_t i = 0; extra && extra[i]; i++)
        v[k++] = goa_xstrdup(extra[i]);
    for (size_t i = 0; post && post[i]; i++)
        v[k++] = goa_xstrdup(post[i]);
    return v;
}

static int run_v(struct goa_build_ctx *b, const char *cwd, const char *what, char **v)
{
    int rc = step(b, cwd, what, v);

    goa_strv_free(v);
    return rc;
}

static int sys_autoconf(struct goa_build_ctx *b, int install)
{
    char *j = goa_fmt("-j%d", b->jobs), *dest = goa_fmt("DESTDIR=%s", b->idir);
    int rc = -1;

    if (!has(b->bdir, "configure")) {
        const char *ar[] = {"autoreconf", "-fi", NULL};
        if (run_v(b, b->bdir, "autoreconf", args(ar, NULL, NULL)))
            goto out;
    }
    if (!has(b->bdir, "config.status")) {
        const char *cf[] = {"./configure", "--prefix=/usr", "--disable-shared", "--enable-static",
                            NULL};
        if (run_v(b, b->bdir, "configure", args(cf, b->p->build_args, NULL)))
            goto out;
    }
    const char *mk[] = {"make", j, NULL};
    if (run_v(b, b->bdir, "make", args(mk, b->p->build_targets, NULL)))
        goto out;
    if (install) {
        const char *in[] = {"make", dest, "install", NULL};
        if (run_v(b, b->bdir, "make install", args(in, NULL, NULL)))
            goto out;
    }
    rc = 0;
out:
    free(j);
    free(dest);
    return rc;
}

static int sys_cmake(struct goa_build_ctx *b, int install)
{
    char *cc = goa_fmt("-DCMAKE_C_COMPILER=%s", b->cc), *j = goa_fmt("-j%d", b->jobs);
    char *cfl = goa_fmt("-DCMAKE_C_FLAGS=%s", b->cflags);
    char *lfl = goa_fmt("-DCMAKE_EXE_LINKER_FLAGS=%s", b->ldflags);
    char *dest = goa_fmt("DESTDIR=%s", b->idir);
    int rc = -1;

    if (!has(b->bdir, "_build/CMakeCache.txt")) {
        const char *cf[] = {"cmake",
                            "-S",
                            ".",
                            "-B",
                            "_build",
                            cc,
                            cfl,
                            lfl,
                            "-DCMAKE_BUILD_TYPE=Release",
                            "-DBUILD_SHARED_LIBS=OFF",
                            "-DCMAKE_INSTALL_PREFIX=/usr",
                            "-DCMAKE_INSTALL_LIBDIR=lib",
                            NULL};
        if (run_v(b, b->bdir, "cmake configure", args(cf, b->p->build_args, NULL)))
            goto out;
    }
    const char *bd[] = {"cmake", "--build", "_build", j, NULL};
    if (run_v(b, b->bdir, "cmake build", args(bd, NULL, NULL)))
        goto out;
    if (install) {
        const char *in[] = {"env", dest, "cmake", "--install", "_build", NULL};
        if (run_v(b, b->bdir, "cmake install", args(in, NULL, NULL)))
            goto out;
    }
    rc = 0;
out:
    free(cc);
    free(j);
    free(cfl);
    free(lfl);
    free(dest);
    return rc;
}

static int sys_meson(struct goa_build_ctx *b, int install)
{
    char *j = goa_fmt("-j%d", b->jobs), *dest = goa_fmt("DESTDIR=%s", b->idir);
    int rc = -1;

    if (!has(b->bdir, "_build/build.ninja")) {
        const char *cf[] = {"meson",
                            "setup",
                            "_build",
                            "--prefix=/usr",
                            "--libdir=lib",
                            "--default-library=static",
                            "--buildtype=release",
                            NULL};
        if (run_v(b, b->bdir, "meson setup", args(cf, b->p->build_args, NULL)))
            goto out;
    }
    const char *bd[] = {"ninja", "-C", "_build", j, NULL};
    if (run_v(b, b->bdir, "ninja", args(bd, NULL, NULL)))
        goto out;
    if (install) {
        const char *in[] = {"env", dest, "meson", "install", "-C", "_build", "--no-rebuild", NULL};
        if (run_v(b, b->bdir, "meson install", args(in, NULL, NULL)))
            goto out;
    }
    rc = 0;
out:
    free(j);
    free(dest);
    return rc;
}

static int sys_make(struct goa_build_ctx *b, int install)
{
    char *j = goa_fmt("-j%d", b->jobs), *cc = goa_fmt("CC=%s", b->cc);
    char *dest = goa_fmt("DESTDIR=%s", b->idir);
    int rc = -1;

    const char *mk[] = {"make", j, cc, NULL};
    char **targets = b->p->build_targets;
    char **v = args(mk, b->p->build_args, (const char *const *)targets);
    if (run_v(b, b->bdir, "make", v))
        goto out;
    if (install) {
        const char *in[] = {"make", cc, dest, "PREFIX=/usr", "prefix=/usr", "install", NULL};
        if (run_v(b, b->bdir, "make install", args(in, b->p->build_args, NULL)))
            goto out;
    }
    rc = 0;
out:
    free(j);
    free(cc);
    free(dest);
    return rc;
}

/* Plain C: every *.c of the top directory into one program or library. */
static int sys_plain(struct goa_build_ctx *b)
{
    int library = !strcmp(b->p->type, "library");
    char *out = library ? goa_fmt("lib%s.a", b->p->name) : goa_xstrdup(b->p->name);
    char *script;
    int rc;

    if (library)
        script = goa_fmt(
                "set -e; for f in *.c; do $CC $CFLAGS -I. -c \"$f\" -o \"${f%%.c}.o\"; done; "
                "mkdir -p lib include; rm -f lib/%s; ar rcs lib/%s *.o; "
                "for h in *.h; do [ -e \"$h\" ] && cp \"$h\" include/; done; true",
                out, out);
    else
        script = goa_fmt("set -e; $CC $CFLAGS -I. -o %s *.c $LDFLAGS", out);
    char *argv[] = {"sh", "-c", script, NULL};
    rc = step(b, b->bdir, "compile", argv);
    free(script);
    free(out);
    return rc;
}

int goa_build_run(struct goa_build_ctx *b, const char *system)
{
    int inst = b->p->build_install;

    if (!strcmp(system, "autoconf"))
        return sys_autoconf(b, inst != 0);
    if (!strcmp(system, "cmake"))
        return sys_cmake(b, inst != 0);
    if (!strcmp(system, "meson"))
        return sys_meson(b, inst != 0);
    if (!strcmp(system, "make"))
        return sys_make(b, inst == 1);
    if (!strcmp(system, "plain"))
        return sys_plain(b);
    return 0;
}
