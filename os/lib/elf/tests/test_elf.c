/* SPDX-License-Identifier: MIT */
/* Unit tests of the ELF64 checker: a valid image, then each way to be wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "../elf.h"
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

static void expect(enum kide_elf_error want, uint64_t entry, const struct seg *s, int n,
                   size_t size)
{
    size_t built = build(entry, s, n);
    struct kide_elf_info info;
    assert_int_equal(kide_elf_check(img, size ? size : built, USER_END, &info), want);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(valid_image),  cmocka_unit_test(header_errors),
            cmocka_unit_test(phdr_errors),  cmocka_unit_test(segment_errors),
            cmocka_unit_test(entry_errors),
    };
    return cmocka_run_group_tests_name("os-elf", tests, NULL, NULL);
}
