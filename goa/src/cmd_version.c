/* SPDX-License-Identifier: MIT */
/* goa bump-version and goa archive-versions: the project's version.
 *
 * bump-version rewrites the version line of goa.yaml (see yamledit.c);
 * archive-versions lists the versions of the project's archives (or of one
 * user/type/name) that a depot holds, oldest first.
 */
#include "cmd.h"
#include "depot.h"
#include "pathcheck.h"
#include "project.h"
#include "util.h"
#include "version.h"
#include "yamledit.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int goa_cmd_bump_version(int argc, char **argv)
{
    static const struct option lo[] = {{"port", no_argument, 0, 'p'}, {0, 0, 0, 0}};
    struct goa_project p;
    char today[16], *next = NULL;
    time_t now = time(NULL);
    int rc = 1, c, port = 0;

    if (goa_want_help(argc, argv))
        return 0;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'p')
            port = 1;
        else
            return 2;
    }
    if (optind + 1 < argc || (port && optind < argc)) {
        goa_error("bump-version", "run 'goa bump-version --help'",
                  "give either --port or one NEW-VERSION");
        return 2;
    }
    if (goa_project_load(goa_opt.dir, &p))
        return 1;
    strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
    if (optind < argc) {
        next = goa_xstrdup(argv[optind]);
    } else if (port) {
        next = goa_version_port_bump(p.version);
    } else if (p.nsources) {
        /* A port's version is upstream's: only upstream can raise it. */
        goa_error(p.file,
                  "for a change of the port run 'goa bump-version --port' (1.2.3 -> "
                  "1.2.3-kide1); for a new upstream release give its version: 'goa "
                  "bump-version 1.2.4' (and update sources)",
                  "%s ports upstream sources: refusing to invent upstream version after %s", p.name,
                  p.version);
        goto out;
    } else {
        next = goa_version_bump(p.version, today);
    }
    if (!goa_valid_name(next)) {
        goa_error(next, "versions match [A-Za-z0-9][A-Za-z0-9._+-]*", "not a valid version");
    } else if (goa_version_cmp(next, p.version) <= 0) {
        goa_error(next,
                  "versions only go forward (published ones are immutable): pick a version "
                  "after the current one, or 'goa bump-version --port'",
                  "refusing to go from %s to %s: not newer", p.version, next);
    } else if (goa_yaml_set(p.file, "version", next) == 0) {
        goa_info("goa: %s %s -> %s", p.name, p.version, next);
        if (goa_opt.json)
            printf("{\"old\":\"%s\",\"new\":\"%s\"}\n", p.version, next);
        else
            puts(next);
        rc = 0;
    }
out:
    free(next);
    goa_project_free(&p);
    return rc;
}

static int by_version(const void *a, const void *b)
{
    return goa_version_cmp(*(char *const *)a, *(char *const *)b);
}

/* Print the versions under DEPOT/WHAT (user/type/name); count them. */
static int list(const char *depot, const char *what)
{
    char *dir = goa_fmt("%s/%s", depot, what), **v = NULL;
    DIR *d = opendir(dir);
    struct dirent *e;
    size_t n = 0;

    while (d && (e = readdir(d))) {
        size_t l = strlen(e->d_name);
        if (l <= 7 || strcmp(e->d_name + l - 7, ".tar.xz"))
            continue;
        v = realloc(v, (n + 1) * sizeof *v);
        if (!v)
            abort();
        v[n++] = strndup(e->d_name, l - 7);
    }
    if (d)
        closedir(d);
    if (n)
        qsort(v, n, sizeof *v, by_version);
    for (size_t i = 0; i < n; i++) {
        if (goa_opt.json)
            printf("{\"archive\":\"%s\",\"version\":\"%s\"}\n", what, v[i]);
        else
            printf("%s/%s\n", what, v[i]);
        free(v[i]);
    }
    free(v);
    free(dir);
    return (int)n;
}

int goa_cmd_archive_versions(int argc, char **argv)
{
    static const struct option lo[] = {{"depot", required_argument, 0, 'd'},
                                       {"user", required_argument, 0, 'u'},
                                       {0, 0, 0, 0}};
    const char *dopt = NULL, *uopt = NULL;
    struct goa_project p;
    int c, total = 0;

    if (goa_want_help(argc, argv))
        return 0;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 'd')
            dopt = optarg;
        else if (c == 'u')
            uopt = optarg;
        else
            return 2;
    }
    if (optind < argc) {
        char *depot = goa_depot_dir(dopt, ".");
        for (int i = optind; i < argc; i++)
            total += list(depot, argv[i]);
        free(depot);
        return 0;
    }
    if (goa_project_load(goa_opt.dir, &p))
        return 1;
    char *user = goa_depot_user(uopt, &p), *depot = goa_depot_dir(dopt, p.dir);
    const char *types[] = {"src", "bin/" GOA_ARCH, "api", "pkg"};
    for (size_t i = 0; user && i < 4; i++) {
        char *what = goa_fmt("%s/%s/%s", user, types[i], p.name);
        total += list(depot, what);
        free(what);
    }
    if (user && total == 0)
        goa_info("goa: no archives of %s in %s (run 'goa export')", p.name, depot);
    free(user);
    free(depot);
    goa_project_free(&p);
    return 0;
}
