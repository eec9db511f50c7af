/* SPDX-License-Identifier: MIT */
/* libFuzzer: depot_unpack (liblzma's decoder into the bounded heap, then
 * the tar reader) on any bytes. The heap is allocated once; the decoder
 * must stay inside it whatever dictionary size the input claims. */
#include <kide/depot.h>

#include <stdlib.h>

#define HEAP (12u << 20)

static int count(void *ctx, const struct depot_file *f, struct depot_err *err)
{
    (void)err;
    if (f->size && f->data[f->size - 1] == 0xA5)
        ++*(unsigned *)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static void *heap;
    struct depot_limits lim = {.max_files = 64, .max_unpacked = 1u << 20};
    struct depot_err err;
    unsigned n = 0;

    if (!heap && !(heap = malloc(HEAP)))
        abort();
    depot_unpack(data, size, heap, HEAP, &lim, count, &n, &err);
    return 0;
}
