/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any byte string, read as Multiboot 1 or 2 information
 * (the first byte picks which) lying in a small "physical memory", is read
 * without a crash or a read outside it, and an accepted result keeps the
 * readers' promises (bounded counts, NUL-terminated strings, ordered modules). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "multiboot.h"

struct memory {
    const uint8_t *data;
    size_t size;
};

static const void *map(uint64_t phys, uint64_t len, void *ctx)
{
    const struct memory *m = ctx;
    if (phys + len < phys || phys + len > m->size)
        return NULL;
    return m->data + phys;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 9)
        return 0;
    /* The info at physical 8 (8-byte aligned); a private copy so that
     * AddressSanitizer catches any read past the end. */
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    struct memory m = {copy, size};
    struct mb_boot out;
    memset(&out, 0, sizeof(out));
    const char *why = (data[0] & 1) ? mb2_read(8, map, &m, &out) : mb1_read(8, map, &m, &out);
    if (!why) {
        if (out.ram_count > MB_MAX_RANGES || out.mods_count > MB_MAX_MODULES)
            abort();
        for (unsigned i = 0; i < out.mods_count; i++)
            if (out.mods[i].end < out.mods[i].start ||
                !memchr(out.mods[i].cmdline, 0, sizeof(out.mods[i].cmdline)))
                abort();
        if (out.rsdp_len != 0 && out.rsdp_len != 20 && out.rsdp_len != 36)
            abort();
    }
    free(copy);
    return 0;
}
