/* SPDX-License-Identifier: MIT */
/* goa diff: local edits of src/ against the pristine import, as a patch.
 *
 * var/orig/ is the tree as `goa import` left it (patches applied); the
 * output is `diff -urN` with a/ and b/ prefixes, so it applies with
 * `patch -p1` and can be saved as patches/<name>.patch and listed in
 * goa.yaml. Exit status follows diff: 0 no edits, 1 edits, 2 trouble.
 */
#include "cmd.h"
#include "project.h"
#include "util.h"

#include <stdlib.h>
#include <unistd.h>

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
        char *av[] = {"diff", "-urN", "a/", "b/", NULL};
        rc = goa_run(tmp, av, NULL, NULL);
        if (rc > 2)
            rc = 2;
    }
    goa_rmrf(tmp);
    free(tmp), free(la), free(lb), free(ra), free(rb);
out:
    free(orig);
    free(src);
    goa_project_free(&p);
    return rc;
}
