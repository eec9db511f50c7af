/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any byte string is checked without a crash, and an
 * accepted image's description is consistent with the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "../elf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kide_elf_info info;
    if (kide_elf_check(data, size, 0x0000800000000000ull, &info) != KIDE_ELF_OK)
        return 0;
    for (unsigned i = 0; i < info.count; i++) {
        const struct kide_elf_segment *s = &info.seg[i];
        if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz)
            abort();
        if (i && info.seg[i - 1].vaddr >= s->vaddr)
            abort();
    }
    return 0;
}
