/* SPDX-License-Identifier: MIT */
/* goa: build systems -- detection and the steps each one runs.
 *
 * Detection order is debhelper's (first match wins): configure or
 * configure.ac (autoconf), Makefile/makefile/GNUmakefile (make),
 * CMakeLists.txt (cmake), meson.build (meson), *.c files (plain). Many
 * tarballs carry several (xz ships configure and CMakeLists.txt); the
 * maintainers' release path is the generated configure, so it wins, and the
 * choice is printed with the alternatives so build.system can override it.
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

const char *goa_build_detect(const char *dir, char **why)
{
    static const struct {
        const char *file, *system;
    } order[] = {{"configure", "autoconf"},    {"configure.ac", "autoconf"},
                 {"configure.in", "autoconf"}, {"Makefile", "make"},
                 {"makefile", "make"},         {"GNUmakefile", "make"},
                 {"CMakeLists.txt", "cmake"},  {"meson.build", "meson"}};
    const char *pick = NULL, *file = NULL;
    char *others = NULL;

    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!has(dir, order[i].file))
            continue;
        if (!pick) {
            pick = order[i].system, file = order[i].file;
        } else if (strcmp(order[i].system, pick)) {
            char *n = goa_fmt("%s%s%s", others ? others : "", others ? ", " : "", order[i].file);
            free(others);
            others = n;
        }
    }
    if (!pick && has_c_files(dir))
        pick = "plain", file = "*.c";
    if (why) {
        if (!pick)
            *why = goa_xstrdup("no configure, Makefile, CMakeLists.txt, meson.build or *.c");
        else if (others)
            *why = goa_fmt("found %s; also present: %s (set build.system to choose another)", file,
                           others);
        else
            *why = goa_fmt("found %s", file);
    }
    free(others);
    return pick ? pick : "none";
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
    char *libs = goa_fmt("-DCMAKE_C_STANDARD_LIBRARIES=%s", b->libs);
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
                            libs,
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
    free(libs);
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
        script = goa_fmt("set -e; $CC $CFLAGS -I. -o %s *.c $LDFLAGS $LIBS", out);
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

/* Does the Makefile in DIR have TARGET? (make -n answers 2 for an unknown target) */
static int has_target(struct goa_build_ctx *b, const char *target)
{
    char *argv[] = {"make", "-n", (char *)target, NULL};
    return goa_run(b->bdir, argv, b->env, "/dev/null") == 0;
}

int goa_build_check(struct goa_build_ctx *b, const char *system)
{
    char *j = goa_fmt("-j%d", b->jobs);
    int rc = -1;

    if (goa_strv_len(b->p->build_check)) {
        /* The recipe's own commands, like debhelper's override_dh_auto_test. */
        for (size_t i = 0; b->p->build_check[i]; i++) {
            char *argv[] = {"sh", "-ec", b->p->build_check[i], NULL};
            if ((rc = step(b, b->bdir, b->p->build_check[i], argv)))
                break;
        }
    } else if (!strcmp(system, "autoconf") || !strcmp(system, "make")) {
        const char *t = has_target(b, "check") ? "check" : has_target(b, "test") ? "test" : NULL;
        if (!t) {
            goa_error("check", "add a test to goa.yaml and use 'goa test' instead",
                      "the Makefile has neither a 'check' nor a 'test' target");
            goto out;
        }
        const char *mk[] = {"make", j, t, NULL};
        rc = run_v(b, b->bdir, t, args(mk, strcmp(system, "make") ? NULL : b->p->build_args, NULL));
    } else if (!strcmp(system, "cmake")) {
        const char *ct[] = {"ctest", "--test-dir", "_build", "--output-on-failure", j, NULL};
        rc = run_v(b, b->bdir, "ctest", args(ct, NULL, NULL));
    } else if (!strcmp(system, "meson")) {
        const char *mt[] = {"meson", "test", "-C", "_build", "--print-errorlogs", NULL};
        rc = run_v(b, b->bdir, "meson test", args(mt, NULL, NULL));
    } else {
        goa_error("check", "describe a run in goa.yaml's test: and use 'goa test'",
                  "the %s build system has no upstream test suite to run", system);
    }
out:
    free(j);
    return rc;
}
