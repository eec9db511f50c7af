/* SPDX-License-Identifier: MIT */
/* libFuzzer: the tar reader on any bytes. Every member handed to the
 * callback is read in full (ASan sees an out-of-bounds pointer) and its
 * path checked against the rules the reader promises. */
#include <kide/depot.h>

#include <stdlib.h>
#include <string.h>

/* The reader's promise: relative, no empty, "." or ".." component. */
static int path_ok(const char *p)
{
    size_t n = strlen(p), s = 0;

    if (n == 0 || n > DEPOT_PATH_MAX || p[0] == '/')
        return 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '/')
            continue;
        size_t l = i - s;
        if (l == 0 || (l == 1 && p[s] == '.') || (l == 2 && p[s] == '.' && p[s + 1] == '.'))
            return 0;
        s = i + 1;
    }
    return 1;
}

static int touch(void *ctx, const struct depot_file *f, struct depot_err *err)
{
    unsigned *sum = ctx;
    (void)err;
    if (!path_ok(f->path))
        abort();
    for (size_t i = 0; i < f->size; i++)
        *sum += f->data[i];
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct depot_limits lim = {.max_files = 64, .max_unpacked = 1u << 20};
    struct depot_err err;
    unsigned sum = 0;

    depot_tar_walk(data, size, &lim, touch, &sum, &err);
    if (memchr(err.msg, '\0', sizeof err.msg) == NULL)
        abort();
    return 0;
}
