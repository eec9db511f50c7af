/* SPDX-License-Identifier: MIT */
/* Host unit tests of the SRAT parser (os/kernel/arch/x86_64/srat.c) on crafted
 * tables: the layouts QEMU writes, disabled entries, entries too short for
 * their type, lengths of 0 and 1, entries running past the table, more
 * proximity domains than nodes, and the splitting of RAM at node boundaries
 * (suite os-kernel-srat). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "srat.h"

static unsigned char tab[4096];
static unsigned tlen;

static void put(unsigned off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        tab[off + i] = (unsigned char)(v >> (8 * i));
}

static void begin(unsigned rev)
{
    memset(tab, 0, sizeof(tab));
    memcpy(tab, "SRAT", 4);
    tab[8] = (unsigned char)rev;
    tlen = 48;
}

static void cpu0(uint32_t domain, uint8_t apic, uint32_t flags)
{
    tab[tlen] = 0, tab[tlen + 1] = 16;
    tab[tlen + 2] = (unsigned char)domain;
    tab[tlen + 3] = apic;
    put(tlen + 4, flags, 4);
    put(tlen + 9, domain >> 8, 3);
    tlen += 16;
}

static void mem1(uint32_t domain, uint64_t base, uint64_t len, uint32_t flags)
{
    tab[tlen] = 1, tab[tlen + 1] = 40;
    put(tlen + 2, domain, 4);
    put(tlen + 8, base, 8);
    put(tlen + 16, len, 8);
    put(tlen + 28, flags, 4);
    tlen += 40;
}

static void x2apic2(uint32_t domain, uint32_t id, uint32_t flags)
{
    tab[tlen] = 2, tab[tlen + 1] = 24;
    put(tlen + 4, domain, 4);
    put(tlen + 8, id, 4);
    put(tlen + 12, flags, 4);
    tlen += 24;
}

static struct srat_info s;

#define GIB (1ull << 30)

/* What QEMU writes for -numa node,nodeid=0,cpus=0 -numa node,nodeid=1,cpus=1, 2 GiB. */
static void test_qemu_two_nodes(void **state)
{
    (void)state;
    begin(3);
    cpu0(0, 0, 1);
    cpu0(1, 1, 1);
    mem1(0, 0, 0xa0000, 1);
    mem1(0, 0x100000, GIB - 0x100000, 1);
    mem1(1, GIB, GIB, 1);
    mem1(0, 0, 0, 0); /* QEMU's empty, disabled filler entries */
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.nodes, 2);
    assert_int_equal(s.cpu_count, 2);
    assert_int_equal(s.mem_count, 3);
    assert_int_equal(srat_node_of_cpu(&s, 0), 0);
    assert_int_equal(srat_node_of_cpu(&s, 1), 1);
    assert_int_equal(srat_node_of_cpu(&s, 7), 0); /* not listed: node 0 */
    assert_int_equal(s.bad + s.folded + s.mem_dropped + s.cpu_dropped, 0);
}

/* Nodes follow the domains' order, not the entries'; x2APIC entries count. */
static void test_domain_order_and_x2apic(void **state)
{
    (void)state;
    begin(3);
    x2apic2(7, 300, 1);
    cpu0(2, 0, 1);
    mem1(7, 4 * GIB, GIB, 1);
    mem1(2, 0, GIB, 1);
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.nodes, 2);
    assert_int_equal(s.domain[0], 2);
    assert_int_equal(s.domain[1], 7);
    assert_int_equal(srat_node_of_cpu(&s, 300), 1);
    assert_int_equal(srat_node_of_cpu(&s, 0), 0);
}

/* Disabled entries (flags bit 0 clear) say nothing, not even a node. */
static void test_disabled_entries(void **state)
{
    (void)state;
    begin(3);
    cpu0(0, 0, 1);
    cpu0(1, 1, 0);
    x2apic2(2, 2, 2); /* hot-pluggable, not enabled */
    mem1(3, GIB, GIB, 2);
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.nodes, 1);
    assert_int_equal(s.cpu_count, 1);
    assert_int_equal(s.mem_count, 0);
}

/* The high bytes of a type 0 domain exist from table revision 2 on. */
static void test_type0_domain_high_bytes(void **state)
{
    (void)state;
    begin(1);
    cpu0(0x100, 0, 1); /* revision 1: domain 0x00 */
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.domain[0], 0);
    begin(2);
    cpu0(0x100, 0, 1);
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.domain[0], 0x100);
}

/* An entry with length 0 or 1 ends the walk (it cannot be stepped over). */
static void test_length_zero_and_one(void **state)
{
    (void)state;
    for (unsigned l = 0; l < 2; l++) {
        begin(3);
        cpu0(0, 0, 1);
        tab[tlen + 1] = (unsigned char)l; /* the next entry's length */
        tab[tlen] = 1;
        tlen += 40;
        mem1(1, GIB, GIB, 1); /* never reached */
        srat_parse(tab, tlen, &s);
        assert_int_equal(s.nodes, 1);
        assert_int_equal(s.mem_count, 0);
    }
}

/* An entry shorter than its type needs is skipped and counted; one running
 * past the table ends the walk; a table shorter than its header is empty. */
static void test_truncated(void **state)
{
    (void)state;
    begin(3);
    tab[tlen] = 1, tab[tlen + 1] = 24; /* memory entry of 24 bytes: too short */
    put(tlen + 2, 5, 4);
    tlen += 24;
    cpu0(0, 0, 1);
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.bad, 1);
    assert_int_equal(s.nodes, 1);
    assert_int_equal(s.domain[0], 0);

    begin(3);
    cpu0(0, 0, 1);
    mem1(1, GIB, GIB, 1);
    srat_parse(tab, tlen - 1, &s); /* the memory entry runs past the end */
    assert_int_equal(s.nodes, 1);
    assert_int_equal(s.mem_count, 0);

    srat_parse(tab, 47, &s);
    assert_int_equal(s.nodes, 0);
    srat_parse(NULL, 0, &s);
    assert_int_equal(s.nodes, 0);
}

/* Empty and wrapping memory ranges are refused. */
static void test_bad_ranges(void **state)
{
    (void)state;
    begin(3);
    mem1(0, 5 * GIB, 0, 1);
    mem1(1, ~0ull - 4095, 8192, 1);
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.nodes, 0);
    assert_int_equal(s.mem_count, 0);
}

/* More domains than KIDE_BOOT_MAX_NODES: the smallest are kept, the others'
 * entries fold into node 0 and are counted. */
static void test_too_many_nodes(void **state)
{
    (void)state;
    begin(3);
    for (unsigned d = KIDE_BOOT_MAX_NODES + 2; d-- > 0;)
        mem1(d, d * GIB, GIB, 1);
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.nodes, KIDE_BOOT_MAX_NODES);
    for (unsigned i = 0; i < KIDE_BOOT_MAX_NODES; i++)
        assert_int_equal(s.domain[i], i);
    assert_int_equal(s.folded, 2);
    unsigned node = 99;
    srat_piece(&s, (KIDE_BOOT_MAX_NODES + 1) * GIB, ~0ull, &node);
    assert_int_equal(node, 0);
    srat_piece(&s, 3 * GIB, ~0ull, &node);
    assert_int_equal(node, 3);
}

/* More memory entries than SRAT_MAX_MEM are counted, not written past mem[]. */
static void test_too_many_ranges(void **state)
{
    (void)state;
    begin(3);
    for (unsigned i = 0; i < SRAT_MAX_MEM + 3; i++)
        mem1(0, (uint64_t)i << 20, 1 << 20, 1);
    srat_parse(tab, tlen, &s);
    assert_int_equal(s.mem_count, SRAT_MAX_MEM);
    assert_int_equal(s.mem_dropped, 3);
}

/* RAM is cut where nodes change; RAM no range covers is node 0. */
static void test_pieces(void **state)
{
    (void)state;
    begin(3);
    mem1(0, 0, GIB, 1);
    mem1(1, GIB, GIB, 1);
    mem1(1, 3 * GIB, GIB, 1);
    srat_parse(tab, tlen, &s);
    unsigned node = 9;
    assert_int_equal(srat_piece(&s, 0x100000, 4 * GIB, &node), GIB);
    assert_int_equal(node, 0);
    assert_int_equal(srat_piece(&s, GIB, 4 * GIB, &node), 2 * GIB);
    assert_int_equal(node, 1);
    assert_int_equal(srat_piece(&s, 2 * GIB, 4 * GIB, &node), 3 * GIB); /* hole */
    assert_int_equal(node, 0);
    assert_int_equal(srat_piece(&s, 3 * GIB + 4096, 3 * GIB + 8192, &node), 3 * GIB + 8192);
    assert_int_equal(node, 1);
    struct srat_info none = {0};
    assert_int_equal(srat_piece(&none, 4096, GIB, &node), GIB);
    assert_int_equal(node, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_qemu_two_nodes),
            cmocka_unit_test(test_domain_order_and_x2apic),
            cmocka_unit_test(test_disabled_entries),
            cmocka_unit_test(test_type0_domain_high_bytes),
            cmocka_unit_test(test_length_zero_and_one),
            cmocka_unit_test(test_truncated),
            cmocka_unit_test(test_bad_ranges),
            cmocka_unit_test(test_too_many_nodes),
            cmocka_unit_test(test_too_many_ranges),
            cmocka_unit_test(test_pieces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
