/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any byte string is checked without a crash, and an
 * accepted image's description is consistent with the file. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include "../elf.h"

#include <string.h>

/* The reader form over the same bytes, bounds-checked on every read. */
struct buf {
    const uint8_t *data;
    size_t size;
};

static int read_buf(void *ctx, kide_u64 off, void *out, kide_u64 n)
{
    const struct buf *b = ctx;
    if (off > b->size || n > b->size - off)
        abort(); /* the checker asked outside the image */
    memcpy(out, b->data + off, n);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kide_elf_info info, info2;
    struct buf b = {data, size};
    const struct kide_elf_reader r = {read_buf, &b, size};
    enum kide_elf_error e = kide_elf_check(data, size, 0x0000800000000000ull, &info);
    if (kide_elf_check_reader(&r, 0x0000800000000000ull, &info2) != e)
        abort(); /* both forms must judge alike */
    if (e != KIDE_ELF_OK)
        return 0;
    if (info.count != info2.count || info.entry != info2.entry)
        abort();
    for (unsigned i = 0; i < info.count; i++) {
        const struct kide_elf_segment *x = &info.seg[i], *y = &info2.seg[i];
        if (x->vaddr != y->vaddr || x->memsz != y->memsz || x->offset != y->offset ||
            x->filesz != y->filesz || x->perm != y->perm)
            abort();
    }
    for (unsigned i = 0; i < info.count; i++) {
        const struct kide_elf_segment *s = &info.seg[i];
        if (s->offset > size || s->filesz > size - s->offset || s->filesz > s->memsz)
            abort();
        if (i && info.seg[i - 1].vaddr >= s->vaddr)
            abort();
    }
    return 0;
}
