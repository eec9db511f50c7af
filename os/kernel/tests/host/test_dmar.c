/* SPDX-License-Identifier: MIT */
/* Host unit tests of the DMAR parser (os/kernel/arch/x86_64/dmar.c) on crafted
 * tables: the layout QEMU's intel-iommu writes, units of another segment,
 * more units than kept, structures too short for their type, with a zero or
 * unaligned register base, lengths of 0..3 and structures running past the
 * table, and random bytes (suite os-kernel-dmar). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dmar.h"

static unsigned char tab[4096];
static unsigned tlen;

static void put(unsigned off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        tab[off + i] = (unsigned char)(v >> (8 * i));
}

static void begin(unsigned haw_minus_1)
{
    memset(tab, 0, sizeof(tab));
    memcpy(tab, "DMAR", 4);
    tab[36] = (unsigned char)haw_minus_1;
    tlen = 48;
}

/* A DRHD with one device scope of 8 bytes (scopes are not parsed). */
static void drhd(uint8_t flags, uint16_t seg, uint64_t base, unsigned len)
{
    put(tlen, 0, 2);
    put(tlen + 2, len, 2);
    tab[tlen + 4] = flags;
    put(tlen + 6, seg, 2);
    if (len >= 16)
        put(tlen + 8, base, 8);
    tlen += len;
}

static void rmrr(void)
{
    put(tlen, 1, 2);
    put(tlen + 2, 24, 2);
    tlen += 24;
}

static void qemu_layout(void **st)
{
    (void)st;
    struct dmar_info d;
    begin(38);
    drhd(1, 0, 0xfed90000, 16);
    rmrr();
    dmar_parse(tab, tlen, &d);
    assert_int_equal(d.haw, 39);
    assert_int_equal(d.units, 1);
    assert_int_equal(d.unit[0].base, 0xfed90000);
    assert_int_equal(d.unit[0].flags, 1);
    assert_int_equal(d.rmrrs, 1);
    assert_int_equal(d.bad + d.dropped + d.other_seg, 0);
}

static void segments_and_limits(void **st)
{
    (void)st;
    struct dmar_info d;
    begin(47);
    drhd(0, 1, 0x10000, 16); /* another segment */
    for (unsigned i = 0; i < DMAR_MAX_UNITS + 2; i++)
        drhd(0, 0, 0x20000 + 0x1000 * i, 24);
    dmar_parse(tab, tlen, &d);
    assert_int_equal(d.units, DMAR_MAX_UNITS);
    assert_int_equal(d.unit[DMAR_MAX_UNITS - 1].base, 0x20000 + 0x1000 * (DMAR_MAX_UNITS - 1));
    assert_int_equal(d.dropped, 2);
    assert_int_equal(d.other_seg, 1);
}

static void bad_structures(void **st)
{
    (void)st;
    struct dmar_info d;
    begin(38);
    drhd(0, 0, 0, 16);          /* base 0 */
    drhd(0, 0, 0xfed90800, 16); /* unaligned */
    drhd(0, 0, 0xfed90000, 12); /* too short for the base */
    drhd(0, 0, 0xfed91000, 16); /* good */
    dmar_parse(tab, tlen, &d);
    assert_int_equal(d.bad, 3);
    assert_int_equal(d.units, 1);
    assert_int_equal(d.unit[0].base, 0xfed91000);
}

static void lengths(void **st)
{
    (void)st;
    struct dmar_info d;
    for (unsigned l = 0; l < 4; l++) { /* the walk stops: no endless loop */
        begin(38);
        put(48, 0, 2);
        put(50, l, 2);
        tlen = 48 + 64;
        dmar_parse(tab, tlen, &d);
        assert_int_equal(d.units, 0);
    }
    begin(38);
    drhd(0, 0, 0xfed90000, 16);
    dmar_parse(tab, tlen - 1, &d); /* runs past the table */
    assert_int_equal(d.units, 0);
    dmar_parse(tab, 47, &d); /* shorter than the header */
    assert_int_equal(d.units + d.haw, 0);
}

/* Random tables: never read past len (ASan), never keep a bad unit. */
static void random_tables(void **st)
{
    (void)st;
    struct dmar_info d;
    srand(14);
    for (unsigned round = 0; round < 20000; round++) {
        unsigned len = (unsigned)rand() % 512;
        unsigned char *t = malloc(len ? len : 1);
        for (unsigned i = 0; i < len; i++)
            t[i] = (unsigned char)(rand() % 4 == 0 ? rand() % 24 : rand());
        dmar_parse(t, len, &d);
        assert_true(d.units <= DMAR_MAX_UNITS);
        for (unsigned i = 0; i < d.units; i++)
            assert_true(d.unit[i].base && !(d.unit[i].base & 0xfff));
        free(t);
    }
}

/* A unit whose register page lies on RAM, firmware memory or other registers
 * the kernel knows (or repeats another unit's) is bogus: programming it would
 * write into that memory. It is dropped and counted as bad; the others stay
 * in order. */
static void bogus_bases(void **st)
{
    (void)st;
    struct dmar_info d;
    const struct dmar_range known[] = {
            {0x0, 0x9f000},           /* low RAM */
            {0x100000, 0x7fe0000},    /* RAM */
            {0x7fe0000, 0x8000000},   /* ACPI tables */
            {0xb0000000, 0xc0000000}, /* ECAM */
    };
    begin(38);
    drhd(0, 0, 0x200000, 16);   /* in RAM */
    drhd(0, 0, 0xfed90000, 16); /* a real one */
    drhd(0, 0, 0x7fff000, 16);  /* in the ACPI tables */
    drhd(0, 0, 0xfed90000, 16); /* the same unit again */
    drhd(0, 0, 0xb0008000, 16); /* in the ECAM window */
    drhd(0, 0, 0xfed91000, 16); /* another real one */
    dmar_parse(tab, tlen, &d);
    assert_int_equal(d.units, 4); /* DMAR_MAX_UNITS: the parser keeps the first four */
    dmar_drop_overlaps(&d, known, sizeof(known) / sizeof(known[0]));
    assert_int_equal(d.units, 1);
    assert_int_equal(d.unit[0].base, 0xfed90000);
    assert_int_equal(d.bad, 3);
    /* Nothing known: only the repeat goes. */
    dmar_parse(tab, tlen, &d);
    dmar_drop_overlaps(&d, known, 0);
    assert_int_equal(d.units, 3);
    assert_int_equal(d.unit[2].base, 0x7fff000);
    assert_int_equal(d.bad, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(qemu_layout),    cmocka_unit_test(segments_and_limits),
            cmocka_unit_test(bad_structures), cmocka_unit_test(lengths),
            cmocka_unit_test(random_tables),  cmocka_unit_test(bogus_bases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
