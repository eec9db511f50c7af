/* SPDX-License-Identifier: MIT */
/* Unit tests of the ELF64 checker (a valid image, then each way to be wrong)
 * and of the loading walk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../elf.h"
#include <kide/status.h>
#include <kide/syscall.h>

#define USER_END 0x0000800000000000ull

struct seg {
    uint64_t vaddr, memsz, offset, filesz;
    uint32_t flags, type;
};

static uint8_t img[8192];

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Build an ELF header at 0 and program headers at 64. */
static size_t build(uint64_t entry, const struct seg *s, int n)
{
    memset(img, 0, sizeof(img));
    memcpy(img, "\177ELF", 4);
    img[4] = 2, img[5] = 1, img[6] = 1;
    put(img + 16, 2, 2);
    put(img + 18, 62, 2);
    put(img + 20, 1, 4);
    put(img + 24, entry, 8);
    put(img + 32, 64, 8);
    put(img + 52, 64, 2);
    put(img + 54, 56, 2);
    put(img + 56, (uint64_t)n, 2);
    for (int i = 0; i < n; i++) {
        uint8_t *p = img + 64 + 56 * i;
        put(p, s[i].type ? s[i].type : 1, 4);
        put(p + 4, s[i].flags, 4);
        put(p + 8, s[i].offset, 8);
        put(p + 16, s[i].vaddr, 8);
        put(p + 24, s[i].vaddr, 8);
        put(p + 32, s[i].filesz, 8);
        put(p + 40, s[i].memsz, 8);
    }
    return sizeof(img);
}

static const struct seg text = {0x400000, 0x1000, 0x1000, 0x1000, 5, 1};
static const struct seg data = {0x401000, 0x2000, 0x1000, 0x800, 6, 1};

static void valid_image(void **state)
{
    (void)state;
    struct seg s[] = {data, text}; /* out of order on purpose */
    size_t n = build(0x400010, s, 2);
    struct kide_elf_info info;
    assert_int_equal(kide_elf_check(img, n, USER_END, &info), KIDE_ELF_OK);
    assert_int_equal(info.count, 2);
    assert_int_equal(info.entry, 0x400010);
    assert_int_equal(info.seg[0].vaddr, 0x400000);
    assert_int_equal(info.seg[0].perm, KIDE_MEM_R | KIDE_MEM_X);
    assert_int_equal(info.seg[1].perm, KIDE_MEM_R | KIDE_MEM_W);
    assert_int_equal(info.seg[1].filesz, 0x800);
}

/* A reader over img as core's snapshot is: pages that are not contiguous
 * (here: every read checks its bounds and never crosses a page), failing
 * from read number fail_read on. */
static unsigned reads, fail_read = ~0u;

static int paged_read(void *ctx, kide_u64 off, void *buf, kide_u64 n)
{
    const struct kide_elf_reader *self = ctx;
    assert_true(off <= self->size && n <= self->size - off);
    assert_true(n == 0 || off / 4096 == (off + n - 1) / 4096 || n <= 64);
    if (reads++ >= fail_read)
        return -1;
    memcpy(buf, img + off, n);
    return 0;
}

static enum kide_elf_error check_paged(size_t size, struct kide_elf_info *info)
{
    static struct kide_elf_reader r;
    r = (struct kide_elf_reader){paged_read, &r, size};
    return kide_elf_check_reader(&r, USER_END, info);
}

/* Both forms of the checker agree on every image. */
static void expect(enum kide_elf_error want, uint64_t entry, const struct seg *s, int n,
                   size_t size)
{
    size_t built = build(entry, s, n);
    struct kide_elf_info info, info2;
    assert_int_equal(kide_elf_check(img, size ? size : built, USER_END, &info), want);
    assert_int_equal(check_paged(size ? size : built, &info2), want);
    assert_int_equal(info.count, info2.count);
    assert_int_equal(info.entry, info2.entry);
    for (unsigned i = 0; i < info.count; i++) {
        assert_int_equal(info.seg[i].vaddr, info2.seg[i].vaddr);
        assert_int_equal(info.seg[i].memsz, info2.seg[i].memsz);
        assert_int_equal(info.seg[i].offset, info2.seg[i].offset);
        assert_int_equal(info.seg[i].filesz, info2.seg[i].filesz);
        assert_int_equal(info.seg[i].perm, info2.seg[i].perm);
    }
    assert_non_null(kide_elf_strerror(want));
}

static void header_errors(void **state)
{
    (void)state;
    struct kide_elf_info info;
    struct seg s[] = {text};
    expect(KIDE_ELF_TOO_SMALL, 0x400000, s, 1, 63);
    build(0x400000, s, 1);
    img[1] = 'X';
    assert_int_equal(kide_elf_check(img, sizeof(img), USER_END, &info), KIDE_ELF_NOT_ELF);
    build(0x400000, s, 1);
    img[4] = 1;
    assert_int_equal(kide_elf_check(img, sizeof(img), USER_END, &info), KIDE_ELF_NOT_X86_64);
    build(0x400000, s, 1);
    put(img + 18, 3, 2);
    assert_int_equal(kide_elf_check(img, sizeof(img), USER_END, &info), KIDE_ELF_NOT_X86_64);
    build(0x400000, s, 1);
    put(img + 16, 3, 2); /* ET_DYN */
    assert_int_equal(kide_elf_check(img, sizeof(img), USER_END, &info), KIDE_ELF_NOT_EXEC);
}

static void phdr_errors(void **state)
{
    (void)state;
    struct kide_elf_info info;
    struct seg s[] = {text};
    build(0x400000, s, 1);
    put(img + 54, 32, 2); /* wrong entry size */
    assert_int_equal(kide_elf_check(img, sizeof(img), USER_END, &info), KIDE_ELF_BAD_PHDRS);
    build(0x400000, s, 1);
    put(img + 32, ~0ull - 8, 8); /* offset that would wrap */
    assert_int_equal(kide_elf_check(img, sizeof(img), USER_END, &info), KIDE_ELF_BAD_PHDRS);
    build(0x400000, s, 1);
    put(img + 56, 0xffff, 2); /* more headers than the file holds */
    assert_int_equal(kide_elf_check(img, sizeof(img), USER_END, &info), KIDE_ELF_BAD_PHDRS);
    struct seg many[17];
    for (int i = 0; i < 17; i++)
        many[i] = (struct seg){0x400000 + 0x1000ull * i, 0x10, 0, 0, 5, 1};
    expect(KIDE_ELF_TOO_MANY, 0x400000, many, 17, 0);
    struct seg note = {0x400000, 0x1000, 0, 0, 4, 4}; /* PT_NOTE only */
    expect(KIDE_ELF_NO_SEGMENTS, 0x400000, &note, 1, 0);
}

static void segment_errors(void **state)
{
    (void)state;
    struct seg s = text;
    s.filesz = s.memsz + 1;
    expect(KIDE_ELF_BAD_SEGMENT, 0x400000, &s, 1, 0);
    s = text;
    s.offset = 8000; /* beyond the 8 KiB image */
    expect(KIDE_ELF_BAD_SEGMENT, 0x400000, &s, 1, 0);
    s = text;
    s.vaddr = 0; /* page zero */
    expect(KIDE_ELF_BAD_SEGMENT, 0x10, &s, 1, 0);
    s = text;
    s.vaddr = USER_END - 0x800; /* runs past user space */
    expect(KIDE_ELF_BAD_SEGMENT, USER_END - 0x800, &s, 1, 0);
    s = text;
    s.memsz = ~0ull; /* wraps */
    expect(KIDE_ELF_BAD_SEGMENT, 0x400000, &s, 1, 0);
    struct seg two[] = {text, {0x400800, 0x100, 0, 0, 6, 1}};
    expect(KIDE_ELF_OVERLAP, 0x400000, two, 2, 0);
}

static void entry_errors(void **state)
{
    (void)state;
    struct seg s[] = {text, data};
    expect(KIDE_ELF_BAD_ENTRY, 0x401000, s, 2, 0); /* in the data segment */
    expect(KIDE_ELF_BAD_ENTRY, 0x900000, s, 2, 0);
}

/* The loading walk into a fake memory at 0x400000..0x403000. */
static uint8_t mem[0x3000];
static unsigned maps, fail_at = ~0u, fill_ro, reader_mode;

static int fake_map(void *ctx, unsigned index, const struct kide_elf_segment *seg, kide_u64 va,
                    kide_u64 size, const kide_u8 *bytes, int *filled)
{
    assert_ptr_equal(ctx, mem);
    assert_int_equal(va % 4096, 0);
    assert_int_equal(size % 4096, 0);
    assert_true(va <= seg->vaddr && seg->vaddr + seg->memsz <= va + size);
    assert_ptr_equal(bytes, reader_mode ? NULL : img + seg->offset);
    maps++;
    if (index == fail_at)
        return KIDE_QUOTA;
    memset(mem + (va - 0x400000), 0, size);
    if (fill_ro && !(seg->perm & KIDE_MEM_W)) {
        memset(mem + (va - 0x400000), 0x5a, size);
        *filled = 1;
    }
    return KIDE_OK;
}

static void *fake_ptr(void *ctx, kide_u64 va)
{
    assert_true(va >= 0x400000 && va < 0x403000);
    return (uint8_t *)ctx + (va - 0x400000);
}

static void load_walk(void **state)
{
    (void)state;
    struct seg s[] = {text, data};
    size_t n = build(0x400010, s, 2);
    for (unsigned i = 0x1000; i < 0x2000; i++)
        img[i] = (uint8_t)(i * 7 + 1);
    struct kide_elf_info info;
    assert_int_equal(kide_elf_check(img, n, USER_END, &info), KIDE_ELF_OK);
    const struct kide_elf_loader l = {fake_map, fake_ptr, mem};
    memset(mem, 0xee, sizeof(mem));
    maps = 0, fail_at = ~0u, fill_ro = 0;
    assert_int_equal(kide_elf_load(img, &info, &l), KIDE_OK);
    assert_int_equal(maps, 2);
    assert_memory_equal(mem, img + 0x1000, 0x1000);         /* text: the whole page */
    assert_memory_equal(mem + 0x1000, img + 0x1000, 0x800); /* data: filesz bytes ... */
    for (unsigned i = 0x1800; i < 0x3000; i++)              /* ... then zeros */
        assert_int_equal(mem[i], 0);
    /* a segment the map callback filled itself is not copied over */
    fill_ro = 1;
    assert_int_equal(kide_elf_load(img, &info, &l), KIDE_OK);
    assert_int_equal(mem[0], 0x5a);
    assert_int_equal(mem[0x1000], img[0x1000]);
    /* the first failing map ends the walk with its status */
    maps = 0, fail_at = 0, fill_ro = 0;
    assert_int_equal(kide_elf_load(img, &info, &l), KIDE_QUOTA);
    assert_int_equal(maps, 1);
}

/* The reader form: nothing mapped in place (map gets no bytes, *filled is
 * ignored), bytes copied through the reader; a reader that fails ends it. */
static void load_walk_reader(void **state)
{
    (void)state;
    struct seg s[] = {text, data};
    size_t n = build(0x400010, s, 2);
    for (unsigned i = 0x1000; i < 0x2000; i++)
        img[i] = (uint8_t)(i * 5 + 3);
    struct kide_elf_info info;
    reads = 0, fail_read = ~0u;
    assert_int_equal(check_paged(n, &info), KIDE_ELF_OK);
    static struct kide_elf_reader r;
    r = (struct kide_elf_reader){paged_read, &r, n};
    const struct kide_elf_loader l = {fake_map, fake_ptr, mem};
    memset(mem, 0xee, sizeof(mem));
    maps = 0, fail_at = ~0u, fill_ro = 1, reader_mode = 1;
    assert_int_equal(kide_elf_load_reader(&r, &info, &l), KIDE_OK);
    assert_int_equal(maps, 2);
    assert_memory_equal(mem, img + 0x1000, 0x1000); /* copied although map "filled" it */
    assert_memory_equal(mem + 0x1000, img + 0x1000, 0x800);
    for (unsigned i = 0x1800; i < 0x3000; i++)
        assert_int_equal(mem[i], 0);
    /* a reader failing in the walk: BAD_PARAM; in the check: UNREADABLE */
    reads = 0, fail_read = 0, fill_ro = 0;
    assert_int_equal(kide_elf_load_reader(&r, &info, &l), KIDE_BAD_PARAM);
    reads = 0, fail_read = 1;
    assert_int_equal(check_paged(n, &info), KIDE_ELF_UNREADABLE);
    reads = 0, fail_read = 0;
    assert_int_equal(check_paged(n, &info), KIDE_ELF_UNREADABLE);
    fail_read = ~0u, reader_mode = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(valid_image),      cmocka_unit_test(header_errors),
            cmocka_unit_test(phdr_errors),      cmocka_unit_test(segment_errors),
            cmocka_unit_test(entry_errors),     cmocka_unit_test(load_walk),
            cmocka_unit_test(load_walk_reader),
    };
    return cmocka_run_group_tests_name("os-elf", tests, NULL, NULL);
}
