/* SPDX-License-Identifier: MIT */
/* goa run and goa test: start the built package through a backend.
 *
 * `run` streams the log to stdout, passes its own stdin on (host target) and
 * exits with the program's exit code.
 * `test` feeds test.stdin, passes test.args, and judges: every line of
 * test.expect must occur as a substring of a log line, in order, and the
 * exit code must equal test.exit, all within test.timeout seconds. The log
 * is streamed as it arrives (prefixed with "| "), then a verdict line.
 * Both run either the project in -C DIR or, given USER/pkg/NAME/VERSION
 * first, an installed package: its goa.yaml comes from the src archive and
 * its binary from the bin archive that the pkg pulled into the depot.
 */
#include "backend.h"
#include "cmd.h"
#include "depot.h"
#include "project.h"
#include "sdk.h"
#include "util.h"

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/** Judging state of one run. */
struct judge {
    char *const *expect; /**< expected lines, in order */
    size_t next;         /**< first expectation not yet seen */
    int echo;            /**< print the log */
    const char *prefix;  /**< printed before each log line */
};

/* Count LINE against the next expectation. */
static void judge_line(struct judge *j, const char *line)
{
    if (j->expect && j->expect[j->next] && strstr(line, j->expect[j->next]))
        j->next++;
}

static void on_line(void *ctx, const char *line)
{
    struct judge *j = ctx;

    if (j->echo) {
        printf("%s%s\n", j->prefix, line);
        fflush(stdout);
    }
    judge_line(j, line);
}

/* A line of the boot around the program (kernel, core, hoitaja on Kide): on stderr,
 * so stdout holds the program's output alone; judged like the program's. */
static void on_boot_line(void *ctx, const char *line)
{
    struct judge *j = ctx;

    if (j->echo) {
        fprintf(stderr, "%s%s\n", j->prefix, line);
        fflush(stderr);
    }
    judge_line(j, line);
}

static char *find_binary(const struct goa_project *p, const char *bin_dir)
{
    const char *name = p->runtime.binary            ? p->runtime.binary
                       : goa_strv_len(p->artifacts) ? p->artifacts[0]
                                                    : p->name;
    char *a = goa_fmt("%s/%s", bin_dir, name), *b;

    if (goa_exists(a))
        return a;
    b = goa_fmt("%s/bin/%s", bin_dir, name);
    free(a);
    if (goa_exists(b))
        return b;
    goa_error(b, "run 'goa build' first, and check runtime.binary in goa.yaml",
              "no binary '%s' was built", name);
    free(b);
    return NULL;
}

/* The unpacked src archive of installed package PKG (user/pkg/name/version)
 * and, in *BIN_DIR, its bin archive; NULL after reporting. */
static char *installed_pkg(const char *pkg, const char *dopt, char **bin_dir)
{
    char *u, *t, *n, *v, *depot, *src = NULL, *hint;

    if (goa_depot_split(pkg, &u, &t, &n, &v) || strcmp(t, "pkg")) {
        if (!goa_depot_split(pkg, &u, &t, &n, &v))
            free(u), free(t), free(n), free(v);
        goa_error(pkg, "name an installed package as USER/pkg/NAME/VERSION",
                  "not a package archive path");
        return NULL;
    }
    char *given = goa_depot_dir(dopt, goa_opt.dir);
    /* Absolute: the backend starts the program from the package's directory. */
    depot = realpath(given, NULL);
    if (!depot)
        depot = given;
    else
        free(given);
    src = goa_fmt("%s/%s/src/%s/%s", depot, u, n, v);
    *bin_dir = goa_fmt("%s/%s/bin/%s/%s/%s", depot, u, GOA_ARCH, n, v);
    if (!goa_isdir(src) || !goa_isdir(*bin_dir)) {
        hint = goa_fmt("install it first: goa install --depot %s %s", depot, pkg);
        goa_error(pkg, hint, "not installed in the depot %s (its src and bin archives)", depot);
        free(hint);
        free(src), free(*bin_dir);
        src = *bin_dir = NULL;
    }
    free(depot);
    free(u), free(t), free(n), free(v);
    return src;
}

/* Shared driver of run (TEST=0) and test (TEST=1). */
static int drive(int argc, char **argv, int test)
{
    static const struct option lo[] = {{"target", required_argument, 0, 't'},
                                       {"timeout", required_argument, 0, 'T'},
                                       {"depot", required_argument, 0, 'd'},
                                       {0, 0, 0, 0}};
    struct goa_project p;
    const char *target = NULL, *why, *pkg = NULL, *dopt = NULL;
    int timeout = 0, c, rc = 1;
    char *bin_dir = NULL, *binary = NULL, *abs = NULL, *in = NULL, *pdir = NULL;
    struct goa_run_result res;

    if (goa_want_help(argc, argv))
        return 0;
    /* An installed package comes first: goa run USER/pkg/NAME/VERSION [options] [-- ARGS]. */
    if (argc > 1 && argv[1][0] != '-' && strchr(argv[1], '/')) {
        pkg = argv[1];
        argv[1] = argv[0];
        argc--, argv++;
    }
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 't')
            target = optarg;
        else if (c == 'T')
            timeout = atoi(optarg);
        else if (c == 'd')
            dopt = optarg;
        else
            return 2;
    }
    if (pkg) {
        if (!(pdir = installed_pkg(pkg, dopt, &bin_dir)))
            return 1;
        if (goa_project_load(pdir, &p)) {
            free(pdir), free(bin_dir);
            return 1;
        }
    } else if (goa_project_load(goa_opt.dir, &p)) {
        return 1;
    }
    if (test && !p.has_test) {
        goa_error(p.file, "add a 'test:' section (args, stdin, expect, exit, timeout)",
                  "the project has no test");
        goto out;
    }
    const struct goa_backend *be = goa_backend_find(target ? target : p.test.target);
    if (!be)
        goto out;
    /* A library has nothing to run on Kide; a posix project boots under the SDK's
     * POSIX runtime (the backend says when the SDK lacks it). */
    if (!strcmp(be->name, "qemu") && !strcmp(p.type, "library")) {
        goa_error(test ? "test" : "run", "run a program or component that uses the library",
                  "%s is a library project: there is no program to boot on Kide", p.name);
        goto out;
    }
    if (!strcmp(be->name, "qemu") && !strcmp(p.type, "posix")) {
        char *where = NULL;
        bool posix = goa_sdk_has_posix(&where);
        if (!posix)
            goa_error(test ? "test" : "run",
                      "build it (make -C os posix) and rebuild the SDK (make -C os sdk), or use "
                      "--target host (the default for posix projects)",
                      "posix runtime missing: %s is a posix project, and the POSIX runtime that "
                      "runs static musl programs on Kide is not in the SDK (%s)",
                      p.name, where);
        free(where);
        if (!posix)
            goto out;
    }
    if (!be->available(&why)) {
        goa_error(test ? "test" : "run", "use --target host for POSIX programs",
                  "backend '%s' unavailable: %s", be->name, why);
        goto out;
    }
    abs = realpath(p.dir, NULL);
    if (!bin_dir)
        bin_dir = goa_fmt("%s/var/bin/%s", abs, GOA_ARCH);
    if (!(binary = find_binary(&p, bin_dir)))
        goto out;
    if (test && p.test.stdin_file)
        in = goa_fmt("%s/%s", abs, p.test.stdin_file);
    else if (!test && fcntl(0, F_GETFD) != -1)
        in = goa_xstrdup("/dev/stdin"); /* goa run passes its input on */
    struct judge j = {test ? p.test.expect : NULL, 0, !goa_opt.json, test ? "| " : ""};
    struct goa_run_req req = {
            .project = &p,
            .binary = binary,
            .bin_dir = bin_dir,
            .args = test ? p.test.args : argv + optind,
            .stdin_file = in,
            .cwd = abs,
            .timeout = timeout > 0 ? timeout : p.test.timeout,
            .on_line = on_line,
            .on_boot_line = on_boot_line,
            .ctx = &j,
    };
    if (be->run(&req, &res))
        goto out;
    if (!test) {
        if (res.timed_out)
            goa_error("run", "raise --timeout if the program needs longer", "stopped after %d s",
                      req.timeout);
        rc = res.timed_out ? 124 : res.exit_code;
        goto out;
    }
    size_t nexp = goa_strv_len(p.test.expect);
    int pass = !res.timed_out && res.exit_code == p.test.exit_code && j.next == nexp;
    if (goa_opt.json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "passed", pass);
        cJSON_AddNumberToObject(o, "exit_code", res.exit_code);
        cJSON_AddBoolToObject(o, "timed_out", res.timed_out);
        cJSON_AddNumberToObject(o, "expectations_met", (double)j.next);
        cJSON_AddNumberToObject(o, "expectations", (double)nexp);
        cJSON_AddNumberToObject(o, "seconds", res.seconds);
        char *s = cJSON_PrintUnformatted(o);
        puts(s);
        free(s);
        cJSON_Delete(o);
    }
    if (pass) {
        goa_info("goa: test passed: %zu expected lines, exit code %d, %.2f s (%s)", nexp,
                 res.exit_code, res.seconds, be->name);
        rc = 0;
    } else if (res.timed_out) {
        goa_error("test", "raise test.timeout in goa.yaml if the program needs longer",
                  "%s timed out after %d s", p.name, req.timeout);
    } else if (j.next < nexp) {
        goa_error("test", "compare the log above with test.expect in goa.yaml",
                  "expected line %zu of %zu never appeared: \"%s\"", j.next + 1, nexp,
                  p.test.expect[j.next]);
    } else {
        goa_error("test", "compare the log above with test.exit in goa.yaml",
                  "exit code %d, expected %d", res.exit_code, p.test.exit_code);
    }
out:
    free(bin_dir), free(binary), free(abs), free(in), free(pdir);
    goa_project_free(&p);
    return rc;
}

int goa_cmd_run(int argc, char **argv)
{
    return drive(argc, argv, 0);
}

int goa_cmd_test(int argc, char **argv)
{
    return drive(argc, argv, 1);
}
