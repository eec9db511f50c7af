/* SPDX-License-Identifier: MIT */
/* Unit tests of the Multiboot 1 and 2 readers (os/kernel/multiboot.c): a valid
 * info of each version, then each way to be malformed. "Physical memory" is a
 * 64 KiB buffer; the map function refuses anything outside it, as the kernel's
 * refuses what lies beyond the boot mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "multiboot.h"

#define MEM 65536
static _Alignas(8) uint8_t mem[MEM];
static struct mb_boot out;

static const void *map(uint64_t phys, uint64_t len, void *ctx)
{
    (void)ctx;
    if (phys + len < phys || phys + len > MEM)
        return NULL;
    return mem + phys;
}

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static int setup(void **state)
{
    (void)state;
    memset(mem, 0, sizeof(mem));
    memset(&out, 0, sizeof(out));
    return 0;
}

/* ---- Multiboot 2: an info at INFO built tag by tag ---- */

#define INFO 0x1000
static uint32_t at; /* offset of the next tag from INFO */

static void mb2_begin(void)
{
    at = 8;
}

static uint8_t *tag(uint32_t type, uint32_t size)
{
    uint8_t *t = mem + INFO + at;
    put(t, type, 4);
    put(t + 4, size, 4);
    at += (size + 7) & ~7u;
    return t;
}

static void mb2_end(void)
{
    tag(0, 8);
    put(mem + INFO, at, 4);
}

static void mmap_tag(void)
{
    uint8_t *t = tag(6, 16 + 3 * 24);
    put(t + 8, 24, 4); /* entry size */
    put(t + 16, 0, 8), put(t + 24, 0x9fc00, 8), put(t + 32, 1, 4);
    put(t + 40, 0xf0000, 8), put(t + 48, 0x10000, 8), put(t + 56, 2, 4);
    put(t + 64, 0x100000, 8), put(t + 72, 0x7f00000, 8), put(t + 80, 1, 4);
}

static void module_tag(uint32_t start, uint32_t end, const char *s)
{
    uint32_t n = (uint32_t)strlen(s) + 1;
    uint8_t *t = tag(3, 16 + n);
    put(t + 8, start, 4);
    put(t + 12, end, 4);
    memcpy(t + 16, s, n);
}

static void rsdp_tag(int v2, uint8_t mark)
{
    uint32_t len = v2 ? 36 : 20;
    uint8_t *t = tag(v2 ? 15 : 14, 8 + len);
    memcpy(t + 8, "RSD PTR ", 8);
    t[8 + 15] = v2 ? 2 : 0;
    t[8 + 16] = mark;
}

static const char *mb2(void)
{
    return mb2_read(INFO, map, NULL, &out);
}

static void test_mb2_valid(void **state)
{
    (void)state;
    mb2_begin();
    tag(4, 16); /* basic meminfo: skipped */
    rsdp_tag(1, 0xaa);
    mmap_tag();
    module_tag(0x200000, 0x201000, "root.elf arg=1");
    tag(99, 13); /* unknown, odd size: the next tag is 8-aligned */
    module_tag(0x202000, 0x202000, "empty");
    rsdp_tag(0, 0xbb); /* an old RSDP after the new one does not replace it */
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.version, 2);
    assert_int_equal(out.ram_count, 2);
    assert_int_equal(out.ram[0].addr, 0);
    assert_int_equal(out.ram[0].len, 0x9fc00);
    assert_int_equal(out.ram[1].addr, 0x100000);
    assert_int_equal(out.mods_count, 2);
    assert_int_equal(out.mods[0].start, 0x200000);
    assert_int_equal(out.mods[0].end, 0x201000);
    assert_string_equal(out.mods[0].cmdline, "root.elf arg=1");
    assert_string_equal(out.mods[1].cmdline, "empty");
    assert_int_equal(out.rsdp_len, 36);
    assert_int_equal(out.rsdp[16], 0xaa);
    assert_int_equal(out.info_end, INFO + at);
}

static void test_mb2_old_rsdp_only(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    rsdp_tag(0, 0xbb);
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.rsdp_len, 20);
    assert_int_equal(out.rsdp[16], 0xbb);
    static const uint8_t zero[16];
    assert_memory_equal(out.rsdp + 20, zero, 16); /* zero-padded past the 20 bytes */
    assert_memory_equal(out.rsdp, "RSD PTR ", 8);
}

static void test_mb2_no_rsdp(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.rsdp_len, 0);
}

static void test_mb2_short_rsdp_ignored(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    tag(15, 8 + 20); /* a "new" RSDP tag too short for one */
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.rsdp_len, 0);
}

static void test_mb2_misaligned(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    mb2_end();
    assert_non_null(mb2_read(INFO + 4, map, NULL, &out));
}

static void test_mb2_total_size_bounds(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    mb2_end();
    put(mem + INFO, 8, 4);
    assert_non_null(mb2());
    put(mem + INFO, MB2_MAX_INFO + 8, 4);
    assert_non_null(mb2());
    put(mem + INFO, MEM, 4); /* runs past the mapped memory */
    assert_non_null(mb2());
    put(mem + INFO, 0xfffffff8u, 4);
    assert_non_null(mb2());
}

static void test_mb2_info_outside(void **state)
{
    (void)state;
    assert_non_null(mb2_read(MEM - 8 + 8, map, NULL, &out));
    assert_non_null(mb2_read(0xfffffff8u, map, NULL, &out));
}

static void test_mb2_tag_past_total(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    uint8_t *t = tag(3, 32);
    mb2_end();
    put(t + 4, 4096, 4); /* the module tag claims more than the info holds */
    assert_non_null(mb2());
}

static void test_mb2_tag_too_small(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    uint8_t *t = tag(77, 8);
    mb2_end();
    put(t + 4, 0, 4); /* size 0 would never advance */
    assert_non_null(mb2());
    put(t + 4, 4, 4);
    assert_non_null(mb2());
}

static void test_mb2_no_end_tag(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    put(mem + INFO, at, 4); /* total size covers the map only */
    assert_non_null(mb2());
    /* the end tag lies past the total size */
    mb2_begin();
    mmap_tag();
    mb2_end();
    put(mem + INFO, at - 8, 4);
    assert_non_null(mb2());
}

static void test_mb2_bad_end_tag(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    tag(0, 16);
    put(mem + INFO, at, 4);
    assert_non_null(mb2());
}

static void test_mb2_no_mmap(void **state)
{
    (void)state;
    mb2_begin();
    module_tag(0x200000, 0x201000, "root.elf");
    mb2_end();
    assert_non_null(mb2());
}

static void test_mb2_bad_mmap(void **state)
{
    (void)state;
    mb2_begin();
    uint8_t *t = tag(6, 16 + 48);
    mb2_end();
    put(t + 8, 20, 4); /* below 24 */
    assert_non_null(mb2());
    put(t + 8, 28, 4); /* not a multiple of 8 */
    assert_non_null(mb2());
    put(t + 8, 0, 4);
    assert_non_null(mb2());
    memset(mem + INFO, 0, 64);
    mb2_begin();
    tag(6, 12); /* shorter than its header */
    mb2_end();
    assert_non_null(mb2());
}

static void test_mb2_mmap_partial_entry(void **state)
{
    (void)state;
    mb2_begin();
    uint8_t *t = tag(6, 16 + 24 + 16); /* one entry and a partial one */
    put(t + 8, 24, 4);
    put(t + 16, 0x100000, 8), put(t + 24, 0x100000, 8), put(t + 32, 1, 4);
    put(t + 40, 0x300000, 8), put(t + 48, 0x100000, 8);
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.ram_count, 1);
}

/* Types other than usable and reserved are the firmware's: kept apart (adjacent
 * ones merged), never RAM, and reserved (2) is in neither list. */
static void test_mb2_mmap_firmware(void **state)
{
    (void)state;
    mb2_begin();
    uint8_t *t = tag(6, 16 + 5 * 24);
    put(t + 8, 24, 4);
    put(t + 16, 0x100000, 8), put(t + 24, 0x100000, 8), put(t + 32, 1, 4);
    put(t + 40, 0x200000, 8), put(t + 48, 0x10000, 8), put(t + 56, 3, 4);       /* ACPI tables */
    put(t + 64, 0x210000, 8), put(t + 72, 0x10000, 8), put(t + 80, 4, 4);       /* NVS, adjacent */
    put(t + 88, 0xb0000000, 8), put(t + 96, 0x10000000, 8), put(t + 104, 2, 4); /* ECAM */
    put(t + 112, 0x400000, 8), put(t + 120, 0x1000, 8), put(t + 128, 5, 4);     /* defective */
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.ram_count, 1);
    assert_int_equal(out.firm_count, 2);
    assert_int_equal(out.firm[0].addr, 0x200000);
    assert_int_equal(out.firm[0].len, 0x20000);
    assert_int_equal(out.firm[1].addr, 0x400000);
    assert_int_equal(out.firm_dropped, 0);
}

static void test_mb2_mmap_wraps(void **state)
{
    (void)state;
    mb2_begin();
    uint8_t *t = tag(6, 16 + 24);
    put(t + 8, 24, 4);
    put(t + 16, 0xfffffffffffff000ull, 8), put(t + 24, 0x2000, 8), put(t + 32, 1, 4);
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.ram_count, 0); /* a wrapping range is not RAM */
}

static void test_mb2_mmap_merges_adjacent(void **state)
{
    (void)state;
    mb2_begin();
    uint8_t *t = tag(6, 16 + 4 * 24); /* as EFI lists them: free, boot data, free, a gap */
    put(t + 8, 24, 4);
    put(t + 16, 0x100000, 8), put(t + 24, 0x100000, 8), put(t + 32, 1, 4);
    put(t + 40, 0x200000, 8), put(t + 48, 0x3000, 8), put(t + 56, 1, 4);
    put(t + 64, 0x203000, 8), put(t + 72, 0x1000, 8), put(t + 80, 1, 4);
    put(t + 88, 0x300000, 8), put(t + 96, 0x1000, 8), put(t + 104, 1, 4);
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.ram_count, 2);
    assert_int_equal(out.ram[0].addr, 0x100000);
    assert_int_equal(out.ram[0].len, 0x104000);
    assert_int_equal(out.ram[1].addr, 0x300000);
}

static void test_mb2_module_string_unterminated(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    uint8_t *t = tag(3, 16 + 4);
    put(t + 8, 0x200000, 4);
    put(t + 12, 0x201000, 4);
    memcpy(t + 16, "abcd", 4);
    mb2_end();
    assert_non_null(mb2());
}

static void test_mb2_module_no_string(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    tag(3, 16);
    mb2_end();
    assert_non_null(mb2());
}

static void test_mb2_module_negative(void **state)
{
    (void)state;
    mb2_begin();
    mmap_tag();
    module_tag(0x201000, 0x200000, "x");
    mb2_end();
    assert_non_null(mb2());
}

static void test_mb2_module_limits(void **state)
{
    (void)state;
    char longs[400];
    memset(longs, 'a', sizeof(longs) - 1);
    longs[sizeof(longs) - 1] = 0;
    mb2_begin();
    mmap_tag();
    module_tag(0x200000, 0x201000, longs);
    for (int i = 1; i < MB_MAX_MODULES + 3; i++)
        module_tag(0x200000, 0x201000, "m");
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.mods_count, MB_MAX_MODULES);
    assert_int_equal(out.mods_dropped, 3);
    assert_int_equal(strlen(out.mods[0].cmdline), MB_CMDLINE - 1);
}

static void test_mb2_ram_limit(void **state)
{
    (void)state;
    mb2_begin();
    uint32_t n = MB_MAX_RANGES + 5;
    uint8_t *t = tag(6, 16 + n * 24);
    put(t + 8, 24, 4);
    for (uint32_t i = 0; i < n; i++)
        put(t + 16 + i * 24, (uint64_t)i << 20, 8), put(t + 24 + i * 24, 4096, 8),
                put(t + 32 + i * 24, 1, 4);
    mb2_end();
    assert_null(mb2());
    assert_int_equal(out.ram_count, MB_MAX_RANGES);
    assert_int_equal(out.ram_dropped, 5);
}

/* ---- Multiboot 1: info at INFO, map at 0x2000, modules at 0x3000 ---- */

static void mb1_build(void)
{
    uint8_t *mb = mem + INFO;
    put(mb, (1u << 6) | (1u << 3), 4);
    put(mb + 20, 2, 4);      /* mods_count */
    put(mb + 24, 0x3000, 4); /* mods_addr */
    put(mb + 44, 48, 4);     /* mmap_length */
    put(mb + 48, 0x2000, 4); /* mmap_addr */
    uint8_t *m = mem + 0x2000;
    put(m, 20, 4), put(m + 4, 0, 8), put(m + 12, 0x9fc00, 8), put(m + 20, 1, 4);
    put(m + 24, 20, 4), put(m + 28, 0x100000, 8), put(m + 36, 0xff00000, 8), put(m + 44, 1, 4);
    uint8_t *d = mem + 0x3000;
    put(d, 0x200000, 4), put(d + 4, 0x201000, 4), put(d + 8, 0x4000, 4);
    put(d + 16, 0x202000, 4), put(d + 20, 0x203000, 4), put(d + 24, 0, 4);
    strcpy((char *)mem + 0x4000, "root.elf x=1");
}

static const char *mb1(void)
{
    return mb1_read(INFO, map, NULL, &out);
}

static void test_mb1_valid(void **state)
{
    (void)state;
    mb1_build();
    assert_null(mb1());
    assert_int_equal(out.version, 1);
    assert_int_equal(out.ram_count, 2);
    assert_int_equal(out.ram[1].addr, 0x100000);
    assert_int_equal(out.mods_count, 2);
    assert_string_equal(out.mods[0].cmdline, "root.elf x=1");
    assert_string_equal(out.mods[1].cmdline, "");
    assert_int_equal(out.rsdp_len, 0);
    assert_int_equal(out.info_end, 0x4000 + 13);
}

static void test_mb1_no_mmap(void **state)
{
    (void)state;
    mb1_build();
    put(mem + INFO, 1u << 3, 4);
    assert_non_null(mb1());
}

static void test_mb1_bad_entry_size(void **state)
{
    (void)state;
    mb1_build();
    put(mem + 0x2000 + 24, 0, 4); /* the second entry's size */
    assert_non_null(mb1());
    put(mem + 0x2000 + 24, 100, 4); /* past the map's length */
    assert_non_null(mb1());
    mb1_build();
    put(mem + INFO + 44, 40, 4); /* the map ends inside the second entry */
    assert_non_null(mb1());
}

static void test_mb1_outside(void **state)
{
    (void)state;
    mb1_build();
    put(mem + INFO + 48, MEM - 16, 4); /* the map runs past memory */
    assert_non_null(mb1());
    mb1_build();
    put(mem + INFO + 24, MEM - 16, 4); /* the module list does */
    assert_non_null(mb1());
    mb1_build();
    put(mem + 0x3000 + 8, MEM - 4, 4); /* a string runs off the end unterminated */
    memset(mem + MEM - 4, 'x', 4);
    assert_non_null(mb1());
    assert_non_null(mb1_read(MEM - 8, map, NULL, &out));
}

static void test_mb1_module_checks(void **state)
{
    (void)state;
    mb1_build();
    put(mem + 0x3000, 0x204000, 4); /* start after end */
    assert_non_null(mb1());
    mb1_build();
    put(mem + INFO + 20, 100000, 4); /* implausible count */
    assert_non_null(mb1());
}

static void test_mb1_no_modules(void **state)
{
    (void)state;
    mb1_build();
    put(mem + INFO + 20, 0, 4);          /* no modules ... */
    put(mem + INFO + 24, 0xfffff000, 4); /* ... so their list's address means nothing */
    assert_null(mb1());
    assert_int_equal(out.mods_count, 0);
    assert_int_equal(out.info_end, 0x2000 + 48); /* the map's end, not the stray address */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_mb2_valid, setup),
            cmocka_unit_test_setup(test_mb2_old_rsdp_only, setup),
            cmocka_unit_test_setup(test_mb2_no_rsdp, setup),
            cmocka_unit_test_setup(test_mb2_short_rsdp_ignored, setup),
            cmocka_unit_test_setup(test_mb2_misaligned, setup),
            cmocka_unit_test_setup(test_mb2_total_size_bounds, setup),
            cmocka_unit_test_setup(test_mb2_info_outside, setup),
            cmocka_unit_test_setup(test_mb2_tag_past_total, setup),
            cmocka_unit_test_setup(test_mb2_tag_too_small, setup),
            cmocka_unit_test_setup(test_mb2_no_end_tag, setup),
            cmocka_unit_test_setup(test_mb2_bad_end_tag, setup),
            cmocka_unit_test_setup(test_mb2_no_mmap, setup),
            cmocka_unit_test_setup(test_mb2_bad_mmap, setup),
            cmocka_unit_test_setup(test_mb2_mmap_partial_entry, setup),
            cmocka_unit_test_setup(test_mb2_mmap_wraps, setup),
            cmocka_unit_test_setup(test_mb2_mmap_firmware, setup),
            cmocka_unit_test_setup(test_mb2_mmap_merges_adjacent, setup),
            cmocka_unit_test_setup(test_mb2_module_string_unterminated, setup),
            cmocka_unit_test_setup(test_mb2_module_no_string, setup),
            cmocka_unit_test_setup(test_mb2_module_negative, setup),
            cmocka_unit_test_setup(test_mb2_module_limits, setup),
            cmocka_unit_test_setup(test_mb2_ram_limit, setup),
            cmocka_unit_test_setup(test_mb1_valid, setup),
            cmocka_unit_test_setup(test_mb1_no_mmap, setup),
            cmocka_unit_test_setup(test_mb1_bad_entry_size, setup),
            cmocka_unit_test_setup(test_mb1_outside, setup),
            cmocka_unit_test_setup(test_mb1_module_checks, setup),
            cmocka_unit_test_setup(test_mb1_no_modules, setup),
    };
    return cmocka_run_group_tests_name("multiboot", tests, NULL, NULL);
}
