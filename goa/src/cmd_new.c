/* SPDX-License-Identifier: MIT */
/* goa new: create a project directory from a template.
 *
 * A template is a directory under templates/ (native, posix, library); every
 * file is copied with "@NAME@" replaced by the project name, in contents
 * and in file names. The new project's src/ is also recorded as the
 * pristine tree (var/orig) so `goa diff` works from the start. An existing
 * directory is never touched.
 */
#include "cmd.h"
#include "pathcheck.h"
#include "project.h"
#include "util.h"

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *subst(const char *s, const char *name)
{
    char *out = goa_xstrdup(""), *n;
    const char *p;

    while ((p = strstr(s, "@NAME@"))) {
        n = goa_fmt("%s%.*s%s", out, (int)(p - s), s, name);
        free(out);
        out = n;
        s = p + 6;
    }
    n = goa_fmt("%s%s", out, s);
    free(out);
    return n;
}

static int copy_tree(const char *from, const char *to, const char *name)
{
    DIR *d = opendir(from);
    struct dirent *e;
    int rc = 0;

    if (!d || goa_mkdirs(to)) {
        goa_error(d ? to : from, "check the template directory (--templates, $GOA_TEMPLATES)",
                  "cannot copy: %m");
        if (d)
            closedir(d);
        return -1;
    }
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *fn = subst(e->d_name, name);
        char *src = goa_fmt("%s/%s", from, e->d_name), *dst = goa_fmt("%s/%s", to, fn);
        struct stat st;
        char *data = NULL;
        if (stat(src, &st))
            rc = -1;
        else if (S_ISDIR(st.st_mode))
            rc = copy_tree(src, dst, name);
        else if (goa_read_file(src, &data, NULL) == 0) {
            char *out = subst(data, name);
            rc = goa_write_file(dst, out, strlen(out), st.st_mode & 0777);
            free(out);
        } else
            rc = -1;
        if (rc)
            goa_error(src, NULL, "cannot copy to %s: %m", dst);
        free(data), free(fn), free(src), free(dst);
    }
    closedir(d);
    return rc;
}

int goa_cmd_new(int argc, char **argv)
{
    static const struct option lo[] = {{"template", required_argument, 0, 't'},
                                       {"templates", required_argument, 0, 'T'},
                                       {0, 0, 0, 0}};
    const char *tmpl = "native", *tdir = getenv("GOA_TEMPLATES"), *name;
    struct goa_project p;
    int c, rc = 1;

    if (goa_want_help(argc, argv))
        return 0;
    while ((c = getopt_long(argc, argv, "t:", lo, NULL)) != -1) {
        if (c == 't')
            tmpl = optarg;
        else if (c == 'T')
            tdir = optarg;
        else
            return 2;
    }
    if (optind != argc - 1) {
        goa_error("new", "run 'goa new [--template native|posix|library] NAME'",
                  "expected one project name");
        return 2;
    }
    name = argv[optind];
    if (!goa_valid_name(name) || strchr(name, '/')) {
        goa_error(name,
                  "use letters, digits, '.', '_', '+' and '-', starting with a letter or digit",
                  "not a valid project name");
        return 2;
    }
    if (!tdir || !*tdir)
        tdir = GOA_DEFAULT_TEMPLATES;
    char *from = goa_fmt("%s/%s", tdir, tmpl), *to = goa_fmt("%s/%s", goa_opt.dir, name);
    if (!goa_isdir(from)) {
        goa_error(from, "templates are native, posix and library", "no such template '%s'", tmpl);
        goto out;
    }
    if (goa_exists(to)) {
        goa_error(to, "choose another name or remove the directory", "already exists");
        goto out;
    }
    if (copy_tree(from, to, name) || goa_project_load(to, &p)) {
        goa_rmrf(to);
        goto out;
    }
    goa_project_free(&p);
    char *src = goa_fmt("%s/src", to), *orig = goa_fmt("%s/var/orig", to),
         *var = goa_fmt("%s/var", to);
    if (goa_isdir(src)) {
        goa_mkdirs(var);
        char *av[] = {"cp", "-a", src, orig, NULL};
        goa_run(NULL, av, NULL, NULL);
    }
    free(src), free(orig), free(var);
    goa_info("goa: created %s from the %s template; next: cd %s && goa build", to, tmpl, to);
    rc = 0;
out:
    free(from);
    free(to);
    return rc;
}
