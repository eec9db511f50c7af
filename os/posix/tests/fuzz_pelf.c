/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the static-executable checker (pelf.c) on any bytes.
 * It must never read outside the input, and what it accepts must satisfy
 * the invariants the loader relies on (checked here). Seeds: the musl test
 * programs (os/posix/build.mk copies them). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "pelf.h"
#include "linux.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly size bytes, so ASan sees any read past the end. */
    uint8_t *img = malloc(size ? size : 1);
    if (!img)
        return 0;
    memcpy(img, data, size);
    struct posix_elf e;
    if (posix_elf_check(img, size, &e) == POSIX_ELF_OK) {
        if (!e.nload || e.nload > POSIX_ELF_MAX_LOADS || e.lo >= e.hi)
            abort();
        for (unsigned i = 0; i < e.nload; i++) {
            const struct posix_elf_seg *s = &e.load[i];
            if (s->filesz > s->memsz || s->offset + s->filesz > size || s->vaddr < POSIX_LOW ||
                s->vaddr + s->memsz > POSIX_LOW_END || s->vaddr < e.lo ||
                s->vaddr + s->memsz > e.hi)
                abort();
            if (i && s->vaddr < e.load[i - 1].vaddr + e.load[i - 1].memsz)
                abort();
        }
        if (e.entry < e.lo || e.entry >= e.hi || e.phdr < e.lo || e.phdr >= e.hi)
            abort();
    }
    free(img);
    return 0;
}
