/* SPDX-License-Identifier: MIT */
/* goa build, goa check, goa clean: build the imported sources with the Kide toolchain.
 *
 * Steps: resolve the dependencies' flags (build_deps.c); compare the build
 * stamp (everything that affects configuring: system, args, environment,
 * compiler, flags, dependencies) with the last successful build's and start
 * from a fresh var/build/<arch>/ when it differs or --rebuild is given;
 * refresh var/build/<arch>/ from src/; run the build system with CC, CFLAGS,
 * LDFLAGS, LIBS and PKG_CONFIG_PATH exported, installing into the staging
 * tree var/install/<arch>/ (DESTDIR); take the staged tree (or the listed
 * artifacts) and sort it into var/{bin,api,doc,dbg}/<arch>/ (stage.c).
 * goa check builds, then runs upstream's own test suite in the build tree;
 * goa clean removes everything a build wrote. Native components are built
 * against the Kide SDK (build_native.c).
 */
#include "build.h"
#include "cmd.h"
#include "depot.h"
#include "project.h"
#include "sdk.h"
#include "stage.h"
#include "util.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int sync_tree(const char *from, char *to)
{
    char *src = goa_fmt("%s/.", from);
    char *argv[] = {"cp", "-a", "-u", src, to, NULL};
    int r;

    goa_mkdirs(to);
    r = goa_run(NULL, argv, NULL, NULL);
    free(src);
    return r ? -1 : 0;
}

/* Copy one artifact A into TREE, trying the build tree, meson's and cmake's
 * build directory and the staging tree; every path tried is named on failure. */
static int collect_one(const struct goa_project *p, struct goa_build_ctx *b, const char *a,
                       const char *tree)
{
    const char *bases[] = {b->bdir, b->bdir, b->idir, b->idir};
    const char *subs[] = {"", "_build/", "usr/", ""};
    char *tried = goa_xstrdup(""), *from = NULL;
    int rc = -1;

    for (size_t i = 0; i < 4 && !from; i++) {
        char *c = goa_fmt("%s/%s%s", bases[i], subs[i], a);
        if (goa_exists(c)) {
            from = c;
            break;
        }
        char *n = goa_fmt("%s\n  %s", tried, c);
        free(tried);
        tried = n;
        free(c);
    }
    if (from) {
        char *to = goa_fmt("%s/%s", tree, a), *dir = goa_xstrdup(to);
        *strrchr(dir, '/') = '\0';
        goa_mkdirs(dir);
        char *argv[] = {"cp", "-a", from, to, NULL};
        rc = goa_run(NULL, argv, NULL, NULL) ? -1 : 0;
        if (rc)
            goa_error(to, "check free space", "cannot copy artifact '%s'", a);
        free(to), free(dir);
    } else {
        goa_error(p->file,
                  "fix the 'artifacts' list, or drop it to take what the install step staged",
                  "artifact '%s' was not built; looked for:%s", a, tried);
    }
    free(from);
    free(tried);
    return rc;
}

/* The tree to classify: the staged install (usr/), or the listed artifacts
 * copied into var/collect/<arch>; NULL after reporting. */
static char *collect(const struct goa_project *p, struct goa_build_ctx *b, const char *var)
{
    if (goa_strv_len(p->artifacts) == 0)
        return goa_fmt("%s/usr", b->idir);
    char *tree = goa_fmt("%s/collect/%s", var, GOA_ARCH);
    goa_rmrf(tree);
    goa_mkdirs(tree);
    for (size_t i = 0; p->artifacts[i]; i++)
        if (collect_one(p, b, p->artifacts[i], tree)) {
            free(tree);
            return NULL;
        }
    return tree;
}

static char **make_env(struct goa_build_ctx *b, const char *pcdir)
{
    size_t n = goa_strv_len(b->p->build_env), k = 0;
    char **env = goa_xmalloc((n + 10) * sizeof *env);

    env[k++] = goa_fmt("CC=%s", b->cc);
    env[k++] = goa_fmt("CFLAGS=%s", b->cflags);
    env[k++] = goa_fmt("LDFLAGS=%s", b->ldflags);
    env[k++] = goa_fmt("PKG_CONFIG_PATH=%s", pcdir);
    env[k++] = goa_fmt("PKG_CONFIG_LIBDIR=%s", pcdir);
    env[k++] = goa_fmt("LIBS=%s", b->libs);
    env[k++] = goa_fmt("LDLIBS=%s", b->libs);
    env[k++] = goa_xstrdup("MAKEFLAGS=");
    for (size_t i = 0; i < n; i++)
        env[k++] = goa_xstrdup(b->p->build_env[i]);
    return env;
}

/* Everything that affects configuring, one line each: when it changes, the
 * configure step must run again, which only a fresh build tree guarantees. */
static char *stamp_text(const struct goa_build_ctx *b, const char *system,
                        const struct goa_depflags *d)
{
    const struct goa_project *p = b->p;
    char *s = goa_fmt("system %s\ninstall %d\ncc %s\ncflags %s\nldflags %s\nlibs %s\npc %s\n",
                      system, p->build_install, b->cc, b->cflags, b->ldflags, b->libs, d->names);
    char **lists[] = {p->build_args, p->build_env, p->depends};
    const char *names[] = {"arg", "env", "depends"};

    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; lists[i][j]; j++) {
            char *n = goa_fmt("%s%s %s\n", s, names[i], lists[i][j]);
            free(s);
            s = n;
        }
    return s;
}

/* Remove the build tree if the stamp of the last successful build differs
 * (or is missing, or REBUILD); says why. */
static void check_stamp(const char *bdir, const char *stamp, const char *want, int rebuild)
{
    char *have = NULL;
    size_t len;

    if (!goa_isdir(bdir))
        return;
    if (rebuild)
        goa_info("goa: --rebuild: starting from a fresh build tree");
    else if (goa_read_file(stamp, &have, &len))
        goa_info("goa: no record of a finished build: starting from a fresh build tree");
    else if (strcmp(have, want))
        goa_info("goa: build settings changed since the last build: configuring again in a fresh "
                 "build tree");
    else {
        free(have);
        return;
    }
    free(have);
    goa_rmrf(bdir);
    unlink(stamp);
}

/* Where goa check runs the suite (--target), or NULL for goa build. */
static const char **check_target;

/* What goa build does, shared with goa check; fills *B and *SYSTEM. */
static int build(int argc, char **argv, struct goa_project *p, struct goa_build_ctx *b,
                 const char **system, struct goa_depflags *deps)
{
    static const struct option lo[] = {{"cc", required_argument, 0, 'c'},
                                       {"depot", required_argument, 0, 'd'},
                                       {"rebuild", no_argument, 0, 'r'},
                                       {"target", required_argument, 0, 't'},
                                       {0, 0, 0, 0}};
    const char *cc = getenv("GOA_CC"), *dopt = NULL;
    char *src = NULL, *pcdir = NULL, *depot = NULL, *abs = NULL, *var = NULL, *tree = NULL;
    char *stamp = NULL, *want = NULL, *why = NULL;
    int c, rc = -1, rebuild = 0;
    struct goa_stage_counts n;

    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'c')
            cc = optarg;
        else if (c == 'd')
            dopt = optarg;
        else if (c == 'r')
            rebuild = 1;
        else if (c == 't' && check_target)
            *check_target = optarg;
        else
            return 2;
    }
    if (goa_project_load(goa_opt.dir, p))
        return 1;
    abs = realpath(p->dir, NULL);
    if (!strcmp(p->type, "native")) {
        rc = goa_build_native(p, abs, cc && *cc ? cc : "gcc") ? -1 : 0;
        *system = "native";
        goto out;
    }
    src = goa_fmt("%s/src", abs);
    if (!goa_isdir(src)) {
        goa_error(src, "run 'goa import' first", "no sources to build");
        goto out;
    }
    var = goa_fmt("%s/var", abs);
    depot = goa_depot_dir(dopt, abs);
    pcdir = goa_fmt("%s/pkgconfig", var);
    if (goa_deps_prepare(p, depot, pcdir, deps))
        goto out;
    b->p = p;
    b->bdir = goa_fmt("%s/build/%s", var, GOA_ARCH);
    b->idir = goa_fmt("%s/install/%s", var, GOA_ARCH);
    b->log = goa_opt.verbose ? NULL : goa_fmt("%s/build.log", var);
    b->jobs = goa_opt.jobs;
    b->cc = cc && *cc ? cc : "musl-gcc";
    const char *cf = getenv("GOA_CFLAGS");
    b->cflags = goa_fmt("%s%s%s", cf && *cf ? cf : "-O2", *deps->cflags ? " " : "", deps->cflags);
    /* "--static" too: libtool eats "-static" (static libtool libraries only)
     * but passes "--static" to the compiler, which links fully static. */
    b->ldflags = goa_fmt("-static --static%s%s", *deps->ldflags ? " " : "", deps->ldflags);
    b->libs = goa_xstrdup(deps->libs);
    b->env = make_env(b, deps->pc_path);
    if (b->log)
        unlink(b->log);
    *system = strcmp(p->build_system, "auto") ? p->build_system : goa_build_detect(src, &why);
    stamp = goa_fmt("%s/build/%s.stamp", var, GOA_ARCH);
    want = stamp_text(b, *system, deps);
    check_stamp(b->bdir, stamp, want, rebuild);
    if (sync_tree(src, b->bdir)) {
        goa_error(b->bdir, "check free space", "cannot refresh the build tree from src/");
        goto out;
    }
    goa_rmrf(b->idir);
    goa_mkdirs(b->idir);
    if (why)
        goa_info("goa: build system: %s (%s)", *system, why);
    goa_info("goa: building %s %s with %s (%s, -j%d)", p->name, p->version, *system, b->cc,
             b->jobs);
    double t0 = goa_now();
    if (goa_build_run(b, *system))
        goto out;
    if (!(tree = collect(p, b, var)))
        goto out;
    if (goa_stage_split(tree, var, GOA_ARCH, 1, &n))
        goto out;
    if (n.bin + n.api == 0) {
        goa_error(p->file,
                  "the install step staged nothing under usr/ and no 'artifacts' are listed: set "
                  "build.install: true if the Makefile has an install target honouring DESTDIR, "
                  "or list the files in 'artifacts'",
                  "the build of %s produced nothing to package", p->name);
        goto out;
    }
    if (goa_write_file(stamp, want, strlen(want), 0644))
        goa_error(stamp, NULL, "cannot record the build settings: %m");
    goa_info("goa: built %s in %.1f s: %u files -> var/bin/%s, %u -> var/api/%s, %u -> "
             "var/doc/%s; %u stripped (debug information in var/dbg/%s)",
             p->name, goa_now() - t0, n.bin, GOA_ARCH, n.api, GOA_ARCH, n.doc, GOA_ARCH, n.stripped,
             GOA_ARCH);
    if (goa_opt.json)
        printf("{\"name\":\"%s\",\"system\":\"%s\",\"seconds\":%.3f,\"bin\":%u,\"api\":%u,"
               "\"doc\":%u,\"stripped\":%u}\n",
               p->name, *system, goa_now() - t0, n.bin, n.api, n.doc, n.stripped);
    rc = 0;
out:
    free(src), free(pcdir), free(depot), free(abs), free(var), free(tree);
    free(stamp), free(want), free(why);
    return rc;
}

static void ctx_free(struct goa_build_ctx *b)
{
    goa_strv_free(b->env);
    free(b->bdir), free(b->idir), free(b->log), free(b->cflags), free(b->ldflags), free(b->libs);
}

int goa_cmd_build(int argc, char **argv)
{
    struct goa_project p = {0};
    struct goa_build_ctx b = {0};
    struct goa_depflags d = {0};
    const char *system = NULL;
    int rc;

    if (goa_want_help(argc, argv))
        return 0;
    rc = build(argc, argv, &p, &b, &system, &d);
    ctx_free(&b);
    goa_deps_free(&d);
    /* 1 and 2: the project was not loaded (bad goa.yaml, bad option). */
    if (rc == 0 || rc == -1)
        goa_project_free(&p);
    return rc == -1 ? 1 : rc;
}

int goa_cmd_check(int argc, char **argv)
{
    struct goa_project p = {0};
    struct goa_build_ctx b = {0};
    struct goa_depflags d = {0};
    const char *system = NULL;
    int rc;

    const char *target = "host";

    if (goa_want_help(argc, argv))
        return 0;
    check_target = &target;
    rc = build(argc, argv, &p, &b, &system, &d);
    check_target = NULL;
    if (rc == 0 && strcmp(target, "host")) {
        /* Upstream suites are POSIX programs: on Kide they need the personality. */
        char *where = NULL;
        goa_sdk_has_posix(&where);
        goa_error("check", "run the suite with --target host (the default)",
                  "%s: upstream test suites cannot run on Kide yet: they need the POSIX "
                  "personality (%s), and running them there is not implemented",
                  target, where);
        free(where);
        rc = 1;
    } else if (rc == 0 && !strcmp(system, "native")) {
        goa_error("check", "use 'goa test' for native components",
                  "a native component has no upstream test suite");
        rc = 1;
    } else if (rc == 0) {
        goa_info("goa: running the upstream test suite of %s (%s) on the host", p.name, system);
        double t0 = goa_now();
        rc = goa_build_check(&b, system) ? 1 : 0;
        if (rc == 0)
            goa_info("goa: upstream tests of %s passed in %.1f s", p.name, goa_now() - t0);
    }
    ctx_free(&b);
    goa_deps_free(&d);
    if (rc == 0 || rc == -1 || system)
        goa_project_free(&p);
    return rc == -1 ? 1 : rc;
}

int goa_cmd_clean(int argc, char **argv)
{
    static const char *const dirs[] = {"build", "install", "collect",   "bin",       "api",
                                       "doc",   "dbg",     "pkgconfig", "build.log", NULL};
    struct goa_project p;

    if (goa_want_help(argc, argv))
        return 0;
    if (goa_project_load(goa_opt.dir, &p))
        return 1;
    for (size_t i = 0; dirs[i]; i++) {
        char *d = goa_fmt("%s/var/%s", p.dir, dirs[i]);
        if (goa_rmrf(d))
            goa_error(d, NULL, "cannot remove: %m");
        free(d);
    }
    goa_info("goa: removed the build trees and outputs of %s (sources, depot and downloads kept)",
             p.name);
    goa_project_free(&p);
    return 0;
}
