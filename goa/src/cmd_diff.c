/* SPDX-License-Identifier: MIT */
/* goa diff: local edits of src/ against the pristine import, as a patch.
 *
 * var/orig/ is the tree as `goa import` left it (patches applied); the
 * output is `diff -urN` with a/ and b/ prefixes, so it applies with
 * `patch -p1` and can be saved as patches/<name>.patch and listed in
 * goa.yaml. Exit status follows diff: 0 no edits, 1 edits, 2 trouble.
 * The file headers carry no times ("--- a/x.c", not "--- a/x.c\t2026-..."),
 * so a saved patch does not change when files are merely touched.
 */
#include "cmd.h"
#include "project.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Print diff output, cutting the time stamp off each file header line. */
static void print_without_times(char *out)
{
    for (char *l = out, *next; l && *l; l = next) {
        next = strchr(l, '\n');
        if (next)
            *next++ = '\0';
        if (!strncmp(l, "--- ", 4) || !strncmp(l, "+++ ", 4))
            l[strcspn(l, "\t")] = '\0';
        puts(l);
    }
}

int goa_cmd_diff(int argc, char **argv)
{
    struct goa_project p;
    int rc = 2;

    if (goa_want_help(argc, argv))
        return 0;
    if (goa_project_load(goa_opt.dir, &p))
        return 2;
    char *orig = goa_fmt("%s/var/orig", p.dir), *src = goa_fmt("%s/src", p.dir);
    if (!goa_isdir(orig) || !goa_isdir(src)) {
        goa_error(orig, "run 'goa import' first", "no pristine import to compare with");
        goto out;
    }
    /* Run diff from inside var/ so the paths read a/... and b/... */
    char *tmp = goa_fmt("%s/var/diff", p.dir);
    goa_rmrf(tmp);
    goa_mkdirs(tmp);
    char *la = goa_fmt("%s/a", tmp), *lb = goa_fmt("%s/b", tmp);
    char *ra = realpath(orig, NULL), *rb = realpath(src, NULL);
    if (ra && rb && !symlink(ra, la) && !symlink(rb, lb)) {
        char *av[] = {"diff", "-urN", "a/", "b/", NULL}, *out = NULL;
        rc = goa_capture(tmp, av, NULL, &out);
        if (rc > 2)
            rc = 2;
        print_without_times(out);
        free(out);
    }
    goa_rmrf(tmp);
    free(tmp), free(la), free(lb), free(ra), free(rb);
out:
    free(orig);
    free(src);
    goa_project_free(&p);
    return rc;
}
