/* SPDX-License-Identifier: MIT */
/* goa: building a native component against the Kide SDK.
 *
 * Every C file in src/ is compiled with the SDK's flags and linked with its start
 * code, the component library and the runtime into var/bin/<arch>/<binary>.
 * A native component is freestanding: no libc, only <kide/...> headers.
 */
#include "build.h"
#include "sdk.h"
#include "depot.h"
#include "util.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Split a flags line into argv entries appended to v (at most max). */
static size_t split(char *line, char **v, size_t n, size_t max)
{
    for (char *t = strtok(line, " \t"); t && n < max; t = strtok(NULL, " \t"))
        v[n++] = t;
    return n;
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int goa_build_native(const struct goa_project *p, const char *dir, const char *cc)
{
    int rc = 1;
    char *sdk = NULL, *cflags = NULL, *ldflags = NULL, *obj = NULL, *out = NULL, *bin = NULL;
    char *src = goa_fmt("%s/src", dir), *log = goa_fmt("%s/var/build.log", dir);
    char *names[256];
    size_t count = 0;
    DIR *d = NULL;

    if (!(sdk = goa_sdk_dir("build")) || !(cflags = goa_sdk_line(sdk, "cflags")) ||
        !(ldflags = goa_sdk_line(sdk, "ldflags")))
        goto out;
    if (!(d = opendir(src))) {
        goa_error(src, "a native component keeps its C sources in src/", "cannot open the sources");
        goto out;
    }
    for (struct dirent *e; (e = readdir(d));) {
        size_t n = strlen(e->d_name);
        if (n > 2 && !strcmp(e->d_name + n - 2, ".c") && count < 256)
            names[count++] = goa_xstrdup(e->d_name);
    }
    closedir(d);
    if (!count) {
        goa_error(src, "add a .c file with kide_main() (see 'goa new')", "no C sources");
        goto out;
    }
    qsort(names, count, sizeof *names, cmp);
    obj = goa_fmt("%s/var/build/%s", dir, GOA_ARCH);
    out = goa_fmt("%s/var/bin/%s", dir, GOA_ARCH);
    goa_rmrf(obj);
    goa_mkdirs(obj);
    goa_mkdirs(out);
    unlink(log);
    char *objs[256];
    for (size_t i = 0; i < count; i++) {
        char *v[128];
        char *flags = goa_xstrdup(cflags);
        char *in = goa_fmt("%s/%s", src, names[i]);
        objs[i] = goa_fmt("%s/%s.o", obj, names[i]);
        size_t n = 0;
        v[n++] = (char *)cc;
        n = split(flags, v, n, 120);
        v[n++] = "-c", v[n++] = in, v[n++] = "-o", v[n++] = objs[i], v[n] = NULL;
        int r = goa_run(dir, v, NULL, log);
        free(flags), free(in);
        if (r) {
            goa_error(names[i], "see var/build.log", "compiling failed (exit %d)", r);
            for (size_t k = 0; k <= i; k++)
                free(objs[k]);
            goto out;
        }
    }
    bin = goa_fmt("%s/%s", out, p->has_runtime && p->runtime.binary ? p->runtime.binary : p->name);
    {
        char *v[400];
        char *flags = goa_xstrdup(ldflags);
        char *crt0 = goa_fmt("%s/lib/crt0.o", sdk), *libkide = goa_fmt("%s/lib/libkide.a", sdk),
             *libkbase = goa_fmt("%s/lib/libkbase.a", sdk);
        size_t n = 0;
        v[n++] = "ld";
        n = split(flags, v, n, 100);
        v[n++] = crt0;
        for (size_t i = 0; i < count; i++)
            v[n++] = objs[i];
        v[n++] = libkide, v[n++] = libkbase, v[n++] = "-o", v[n++] = bin, v[n] = NULL;
        int r = goa_run(dir, v, NULL, log);
        free(flags), free(crt0), free(libkide), free(libkbase);
        for (size_t i = 0; i < count; i++)
            free(objs[i]);
        if (r) {
            goa_error(bin, "see var/build.log", "linking failed (exit %d)", r);
            goto out;
        }
    }
    goa_info("goa: built native component %s -> %s", p->name, bin);
    rc = 0;
out:
    for (size_t i = 0; i < count; i++)
        free(names[i]);
    free(sdk), free(cflags), free(ldflags), free(obj), free(out), free(bin), free(src), free(log);
    return rc;
}
