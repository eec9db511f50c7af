/* SPDX-License-Identifier: MIT */
/* goa: the Kide SDK (made by `make -C os sdk`): headers, the component
 * runtime libraries, link script and start code, compiler flags, and the
 * kernel that boots components. Found through $KIDE_SDK or, for a goa built
 * in the Kide tree, at build/os/sdk relative to the goa binary. */
#include "sdk.h"

#include "util.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const needed[] = {"cflags",        "ldflags",        "lib/crt0.o",
                                     "lib/libkide.a", "lib/libkbase.a", "lib/user.ld",
                                     "boot/kide.bin"};

static char *guess(void)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    /* build/goa/<variant>/goa -> build/os/sdk */
    char *d = dirname(dirname(dirname(exe)));
    return goa_fmt("%s/os/sdk", d);
}

char *goa_sdk_dir(const char *what)
{
    const char *env = getenv("KIDE_SDK");
    char *dir = env && *env ? goa_xstrdup(env) : guess();
    if (!dir || !goa_isdir(dir)) {
        goa_error(what, "run 'make -C os sdk' in the Kide tree, or point KIDE_SDK at an SDK",
                  "no Kide SDK found%s%s", dir ? " at " : "", dir ? dir : "");
        free(dir);
        return NULL;
    }
    for (size_t i = 0; i < sizeof needed / sizeof needed[0]; i++) {
        char *f = goa_fmt("%s/%s", dir, needed[i]);
        bool ok = goa_exists(f);
        free(f);
        if (!ok) {
            goa_error(what, "rebuild it with 'make -C os sdk'", "the Kide SDK at %s lacks %s", dir,
                      needed[i]);
            free(dir);
            return NULL;
        }
    }
    return dir;
}

char *goa_sdk_line(const char *sdk, const char *name)
{
    char *path = goa_fmt("%s/%s", sdk, name), *data = NULL;
    size_t len = 0;
    if (goa_read_file(path, &data, &len)) {
        goa_error(path, "rebuild the SDK with 'make -C os sdk'", "cannot read the SDK's %s", name);
        free(path);
        return NULL;
    }
    free(path);
    data[strcspn(data, "\n")] = 0;
    return data;
}

bool goa_sdk_has_posix(char **where)
{
    const char *env = getenv("KIDE_SDK");
    char *dir = env && *env ? goa_xstrdup(env) : guess();
    char *posix = dir ? goa_fmt("%s/boot/posix", dir) : NULL;
    bool ok = posix && goa_exists(posix);

    *where = posix ? posix : goa_xstrdup("(no SDK)");
    free(dir);
    return ok;
}
