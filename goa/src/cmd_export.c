/* SPDX-License-Identifier: MIT */
/* goa export: write the project's depot archives, reproducibly.
 *
 * Archives written (all at the project's exact version):
 *   <user>/src/<name>/<version>.tar.xz          goa.yaml, patches/, src/, ...
 *   <user>/bin/x86_64/<name>/<version>.tar.xz   var/bin/x86_64/: programs, stripped
 *   <user>/api/<name>/<version>.tar.xz          var/api/x86_64/: headers, static
 *                                               libraries, relocatable .pc files
 *   <user>/raw/<name>-doc/<version>.tar.xz      var/doc/x86_64/: manuals
 *   <user>/bin/x86_64/<name>-dbg/<version>.tar.xz  var/dbg/x86_64/: debug information
 *   <user>/pkg/<name>/<version>.tar.xz          runtime + archives (if runtime:)
 * Each tree of `goa build` (stage.c) gives an archive only if it is not empty.
 * Each archive is written to a temporary file first. If the depot already
 * holds that version: same bytes -> "unchanged"; different bytes -> refused,
 * because published versions are immutable (bump the version instead).
 * With --key FILE each archive is also signed (<archive>.sig, raw Ed25519),
 * so the depot can be served as a static download site.
 */
#include "cmd.h"
#include "depot.h"
#include "project.h"
#include "sign.h"
#include "tarxz.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Move TMP to FINAL unless FINAL exists; 0 new/unchanged, -1 refused. */
static int commit(const char *tmp, const char *final, const char *what)
{
    char *a = NULL, *b = NULL;
    size_t la, lb;
    int rc = -1;

    if (!goa_exists(final)) {
        if (rename(tmp, final)) {
            goa_error(final, NULL, "cannot write: %m");
            return -1;
        }
        goa_info("goa: exported %s", what);
        if (goa_opt.json)
            printf("{\"archive\":\"%s\",\"state\":\"new\"}\n", what);
        return 0;
    }
    if (goa_read_file(tmp, &a, &la) || goa_read_file(final, &b, &lb)) {
        goa_error(final, NULL, "cannot compare with the existing archive: %m");
        goto out;
    }
    if (la == lb && !memcmp(a, b, la)) {
        goa_info("goa: %s unchanged", what);
        if (goa_opt.json)
            printf("{\"archive\":\"%s\",\"state\":\"unchanged\"}\n", what);
        rc = 0;
    } else {
        goa_error(final, "versions are immutable: run 'goa bump-version' and export again",
                  "refusing to export %s: this version already exists with different content",
                  what);
    }
out:
    unlink(tmp);
    free(a);
    free(b);
    return rc;
}

/* The signing key of --key, or NULL: exports are then unsigned. */
static const char *sign_key;

static int sign_archive(const char *final)
{
    unsigned char sig[GOA_SIG_LEN];
    char *path = goa_fmt("%s.sig", final);
    int rc = goa_sign_file(sign_key, final, sig);

    if (rc == 0 && (rc = goa_write_file(path, sig, sizeof sig, 0644)))
        goa_error(path, NULL, "cannot write the signature: %m");
    free(path);
    return rc;
}

static int emit(struct goa_tar_list *l, const char *depot, const char *rel)
{
    char *final = goa_fmt("%s/%s.tar.xz", depot, rel);
    char *tmp = goa_fmt("%s.new.%d", final, (int)getpid());
    char *dir = goa_xstrdup(final);
    int rc = -1;

    *strrchr(dir, '/') = '\0';
    if (goa_mkdirs(dir)) {
        goa_error(dir, "check the depot directory (--depot, $GOA_DEPOT)", "cannot create: %m");
        goto out;
    }
    if (goa_tar_write(l, tmp)) {
        unlink(tmp);
        goto out;
    }
    rc = commit(tmp, final, rel);
    if (rc == 0 && sign_key)
        rc = sign_archive(final);
out:
    free(final);
    free(tmp);
    free(dir);
    return rc;
}

/* The runtime description of the pkg archive, in a fixed field order. */
static char *runtime_yaml(const struct goa_project *p)
{
    const struct goa_runtime *r = &p->runtime;
    char *s = goa_fmt("binary: %s\nram: %s\ncaps: %ld\ncpu_quota: %ld\n", r->binary,
                      r->ram ? r->ram : "16M", r->caps, r->cpu_quota);
    char **lists[] = {r->requires, r->provides, r->rom};
    const char *names[] = {"requires", "provides", "rom"};

    for (int i = 0; i < 3; i++) {
        char *n = goa_fmt("%s%s: [", s, names[i]);
        free(s);
        s = n;
        for (size_t j = 0; lists[i][j]; j++) {
            n = goa_fmt("%s%s\"%s\"", s, j ? ", " : "", lists[i][j]);
            free(s);
            s = n;
        }
        n = goa_fmt("%s]\n", s);
        free(s);
        s = n;
    }
    if (r->config) {
        char *n = goa_fmt("%sconfig: |\n", s);
        free(s);
        s = n;
        char *c = goa_xstrdup(r->config), *save = NULL;
        for (char *line = strtok_r(c, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
            n = goa_fmt("%s  %s\n", s, line);
            free(s);
            s = n;
        }
        free(c);
    }
    return s;
}

static int export_pkg(const struct goa_project *p, const char *user, const char *depot,
                      const char *var, int has_bin)
{
    char *runtime = runtime_yaml(p);
    char *archives = goa_fmt("%s/src/%s/%s\n", user, p->name, p->version);
    char *rpath = goa_fmt("%s/pkg.runtime", var), *apath = goa_fmt("%s/pkg.archives", var);
    struct goa_tar_list l = {0};
    int rc = -1;

    if (has_bin) {
        char *n = goa_fmt("%s%s/bin/%s/%s/%s\n", archives, user, GOA_ARCH, p->name, p->version);
        free(archives);
        archives = n;
    }
    for (size_t i = 0; p->depends[i]; i++) {
        char *n = goa_fmt("%s%s\n", archives, p->depends[i]);
        free(archives);
        archives = n;
    }
    if (goa_write_file(rpath, runtime, strlen(runtime), 0644) ||
        goa_write_file(apath, archives, strlen(archives), 0644)) {
        goa_error(var, NULL, "cannot write the package description: %m");
        goto out;
    }
    goa_tar_add(&l, "archives", apath);
    goa_tar_add(&l, "runtime", rpath);
    char *rel = goa_fmt("%s/pkg/%s/%s", user, p->name, p->version);
    rc = emit(&l, depot, rel);
    free(rel);
out:
    goa_tar_free(&l);
    free(runtime), free(archives), free(rpath), free(apath);
    return rc;
}

int goa_cmd_export(int argc, char **argv)
{
    static const struct option lo[] = {{"depot", required_argument, 0, 'd'},
                                       {"user", required_argument, 0, 'u'},
                                       {"key", required_argument, 0, 'k'},
                                       {0, 0, 0, 0}};
    static const char *const skip[] = {"var", ".git", ".goa", NULL};
    struct goa_project p;
    const char *dopt = NULL, *uopt = NULL;
    char *user = NULL, *depot = NULL, *var = NULL, *bin = NULL, *rel = NULL;
    struct goa_tar_list l = {0};
    int c, rc = 1, has_bin;

    if (goa_want_help(argc, argv))
        return 0;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'd')
            dopt = optarg;
        else if (c == 'u')
            uopt = optarg;
        else if (c == 'k')
            sign_key = optarg;
        else
            return 2;
    }
    if (goa_project_load(goa_opt.dir, &p))
        return 1;
    if (!(user = goa_depot_user(uopt, &p)))
        goto out;
    depot = goa_depot_dir(dopt, p.dir);
    var = goa_fmt("%s/var", p.dir);
    goa_mkdirs(var);
    /* src: the project itself, without goa's state. */
    if (goa_tar_add_tree(&l, p.dir, "", skip))
        goto out;
    rel = goa_fmt("%s/src/%s/%s", user, p.name, p.version);
    if (emit(&l, depot, rel))
        goto out;
    goa_tar_free(&l);
    free(rel);
    rel = NULL;
    /* The trees goa build sorted the staged files into (stage.c). */
    const char *trees[] = {"bin", "api", "doc", "dbg"};
    const char *types[] = {"bin/" GOA_ARCH, "api", "raw", "bin/" GOA_ARCH};
    const char *suffix[] = {"", "", "-doc", "-dbg"};
    int built = 0;
    has_bin = 0;
    for (size_t i = 0; i < 4; i++) {
        free(bin);
        bin = goa_fmt("%s/%s/%s", var, trees[i], GOA_ARCH);
        if (!goa_isdir(bin))
            continue;
        built = 1;
        if (goa_tar_add_tree(&l, bin, "", NULL))
            goto out;
        if (l.n == 0)
            continue;
        free(rel);
        rel = goa_fmt("%s/%s/%s%s/%s", user, types[i], p.name, suffix[i], p.version);
        if (emit(&l, depot, rel))
            goto out;
        goa_tar_free(&l);
        if (i == 0)
            has_bin = 1;
    }
    if (!built)
        goa_info("goa: no bin archive: run 'goa build' first to export one");
    if (p.has_runtime && export_pkg(&p, user, depot, var, has_bin))
        goto out;
    rc = 0;
out:
    goa_tar_free(&l);
    free(user), free(depot), free(var), free(bin), free(rel);
    goa_project_free(&p);
    return rc;
}
