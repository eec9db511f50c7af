/* SPDX-License-Identifier: MIT */
/* Unit tests of core's client library (core_client.c) on the host, over a fake
 * UTCB and a fake core in the channel's transport hook.
 *
 * Checked: each request's words on the wire (op, the struct's fields in
 * order, a string as its length and only ceil(len / 8) byte words with the
 * padding zero), KIDE_CORE_OWN's header for an owner call through a self
 * portal, replies copied as far as they go (the rest zero, also on failure),
 * malformed replies, the UTCB kept with `keep`, and strings that do not fit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <kide/core_client.h>

static struct kide_utcb u;
/* What the fake core saw and what it answers. */
static kide_u64 seen[KIDE_UTCB_WORDS];
static unsigned seen_n, calls;
static kide_u64 answer[KIDE_UTCB_WORDS];
static unsigned answer_n;
static int kernel_status;

static int fake_core(const struct kide_core_chan *ch)
{
    (void)ch;
    calls++;
    seen_n = KIDE_MSG_UNTYPED(ch->utcb->msg);
    memcpy(seen, ch->utcb->words, sizeof(seen));
    if (kernel_status != KIDE_OK)
        return kernel_status;
    memcpy(ch->utcb->words, answer, (size_t)answer_n * 8);
    ch->utcb->msg = KIDE_MSG(answer_n, 0);
    return KIDE_OK;
}

static struct kide_core_chan chan(void)
{
    struct kide_core_chan ch = kide_core_self_chan(&u, KIDE_COMP_SEL_CORE);
    ch.call = fake_core;
    return ch;
}

static int setup(void **state)
{
    (void)state;
    memset(&u, 0xa5, sizeof(u));
    memset(seen, 0, sizeof(seen));
    memset(answer, 0, sizeof(answer));
    answer[0] = KIDE_OK;
    answer_n = 1;
    seen_n = calls = 0;
    kernel_status = KIDE_OK;
    return 0;
}

static void test_fixed_request(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_core_ram_alloc_req req = {.va = 0x5000, .bytes = 8192, .perm = 3};
    struct kide_core_ram_alloc_rep rep;
    answer[1] = 111, answer[2] = 222;
    answer_n = 3;
    assert_int_equal(kide_core_ram_alloc(&ch, &req, &rep), KIDE_OK);
    assert_int_equal(seen_n, 4);
    assert_int_equal(seen[0], KIDE_CORE_RAM_ALLOC);
    assert_int_equal(seen[1], 0x5000);
    assert_int_equal(seen[2], 8192);
    assert_int_equal(seen[3], 3);
    assert_int_equal(rep.ram_used, 111);
    assert_int_equal(rep.ram_quota, 222);
}

/* The words issue 16 added: THREAD's five, EXIT's signal, OWN_STATE's w18. */
static void test_thread_exit_signal(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_core_thread_req req = {.ip = 1, .sp = 2, .utcb = 3, .sel = 4, .evt_base = 5};
    struct kide_core_thread_rep rep;
    answer[1] = 0x4201;
    answer_n = 2;
    assert_int_equal(kide_core_thread(&ch, &req, &rep), KIDE_OK);
    assert_int_equal(seen_n, 6);
    assert_int_equal(seen[0], KIDE_CORE_THREAD);
    for (unsigned i = 1; i <= 5; i++)
        assert_int_equal(seen[i], i);
    assert_int_equal(rep.id, 0x4201);
    struct kide_core_thread_end_req end = {.id = 0x4201};
    assert_int_equal(kide_core_thread_end(&ch, &end), KIDE_OK);
    assert_int_equal(seen_n, 2);
    assert_int_equal(seen[0], KIDE_CORE_THREAD_END);
    assert_int_equal(seen[1], 0x4201);
    struct kide_core_ram_protect_req prot = {
            .va = 0x10000, .bytes = 0x3000, .perm = 1 /* KIDE_MEM_R */};
    answer[0] = KIDE_BAD_ADDR;
    answer_n = 1;
    assert_int_equal(kide_core_ram_protect(&ch, &prot), KIDE_BAD_ADDR);
    assert_int_equal(seen_n, 4);
    assert_int_equal(seen[0], KIDE_CORE_RAM_PROTECT);
    assert_int_equal(seen[1], 0x10000);
    assert_int_equal(seen[2], 0x3000);
    assert_int_equal(seen[3], 1);
    answer[0] = KIDE_OK;
    struct kide_core_exit_req ex = {.code = 137, .signal = 9};
    kide_core_exit(&ch, &ex);
    assert_int_equal(seen_n, 3);
    assert_int_equal(seen[0], KIDE_CORE_EXIT);
    assert_int_equal(seen[1], 137);
    assert_int_equal(seen[2], 9);
    struct kide_own_state_rep st;
    memset(answer, 0, sizeof(answer));
    answer[0] = KIDE_OK, answer[1] = KIDE_ACC_EXITED, answer[2] = 137, answer[18] = 9;
    answer[19] = KIDE_RAM_NODE_ANY, answer[21] = 1, answer[22] = 4096;
    answer_n = 23;
    assert_int_equal(kide_own_state(&ch, &st), KIDE_OK);
    assert_int_equal(st.exit_code, 137);
    assert_int_equal(st.signal, 9);
    assert_true(st.numa.node_policy == KIDE_RAM_NODE_ANY);
    assert_int_equal(st.numa.nodes, 1);
    assert_int_equal(st.numa.node_bytes[0], 4096);
}

static void test_string_words(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_core_child_req req = {.own_sel = 1,
                                      .pd_sel = 2,
                                      .sm_sel = 3,
                                      .ram = 4096,
                                      .caps = 16,
                                      .cpu_pct = 50,
                                      .prio = 7};
    struct kide_core_child_rep rep;
    memset(req.name.bytes, 'Z', sizeof(req.name.bytes)); /* stale bytes must not travel */
    assert_int_equal(KIDE_WIRE_STR(req.name, "abcdefghij", 10), KIDE_OK);
    answer[1] = 9;
    answer_n = 2;
    assert_int_equal(kide_core_child(&ch, &req, &rep), KIDE_OK);
    assert_int_equal(seen_n, 1 + 7 + 1 + 2); /* op, 7 words, length, 2 byte words */
    assert_int_equal(seen[0], KIDE_CORE_CHILD);
    assert_int_equal(seen[7], 7);
    assert_int_equal(seen[8], 10);
    assert_memory_equal(&seen[9], "abcdefghij\0\0\0\0\0\0", 16);
    assert_int_equal(rep.id, 9);
}

/* LOAD_PAGES: address and size, then the name string, nothing past it. */
static void test_load_pages(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_own_load_pages_req req = {.addr = 0x500000000000, .size = 0x3000};
    assert_int_equal(KIDE_WIRE_STR(req.name, "pkg:a/b/1", 9), KIDE_OK);
    answer_n = 1;
    assert_int_equal(kide_own_load_pages(&ch, &req), KIDE_OK);
    assert_int_equal(seen_n, 1 + 2 + 1 + 2);
    assert_int_equal(seen[0], KIDE_OWN_LOAD_PAGES);
    assert_int_equal(seen[1], 0x500000000000);
    assert_int_equal(seen[2], 0x3000);
    assert_int_equal(seen[3], 9);
    assert_memory_equal(&seen[4], "pkg:a/b/1\0\0\0\0\0\0\0", 16);
}

static void test_empty_string(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_own_load_req req;
    assert_int_equal(KIDE_WIRE_STR(req.rom, "", 0), KIDE_OK);
    assert_int_equal(kide_own_load(&ch, &req), KIDE_OK);
    assert_int_equal(seen_n, 2);
    assert_int_equal(seen[0], KIDE_OWN_LOAD);
    assert_int_equal(seen[1], 0);
}

static void test_string_too_long(void **state)
{
    (void)state;
    struct kide_own_rom_req req;
    char s[40];
    memset(s, 'a', sizeof(s));
    assert_int_equal(KIDE_WIRE_STR(req.name, s, sizeof(s)), KIDE_BAD_PARAM);
    assert_int_equal(req.name.len, 0);
    assert_int_equal(KIDE_WIRE_STR(req.name, s, 32), KIDE_OK);
    assert_int_equal(kide_wire_strlen("hoitaja"), 7);
}

/* A length word the caller set past the field sends no more than the field. */
static void test_forged_length_bounded(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_core_log_req req;
    req.text.len = 1ull << 40;
    memset(req.text.bytes, 'x', sizeof(req.text.bytes));
    assert_int_equal(kide_core_log(&ch, &req), KIDE_OK);
    assert_int_equal(seen_n, 1 + 1 + KIDE_CORE_LOG_MAX / 8);
}

static void test_own_via_self(void **state)
{
    (void)state;
    struct kide_core_chan ch = kide_core_own_via(&u, KIDE_COMP_SEL_CORE, 5);
    ch.call = fake_core;
    struct kide_own_cpu_req req = {.pct = 30, .prio = 40};
    assert_int_equal(kide_own_cpu(&ch, &req), KIDE_OK);
    assert_int_equal(seen_n, 5);
    assert_int_equal(seen[0], KIDE_CORE_OWN);
    assert_int_equal(seen[1], 5);
    assert_int_equal(seen[2], KIDE_OWN_CPU);
    assert_int_equal(seen[3], 30);
    assert_int_equal(seen[4], 40);
}

static void test_reply_short_and_failure_words(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_own_state_rep rep;
    memset(&rep, 0xff, sizeof(rep));
    answer[1] = KIDE_ACC_EXITED, answer[2] = 3;
    answer_n = 3;
    assert_int_equal(kide_own_state(&ch, &rep), KIDE_OK);
    assert_int_equal(rep.state, KIDE_ACC_EXITED);
    assert_int_equal(rep.exit_code, 3);
    assert_int_equal(rep.fault_vector, 0);
    assert_int_equal(rep.numa.nodes, 0);
    /* QUOTA carries a word */
    struct kide_own_ram_req rq = {.quota = 4096};
    struct kide_own_ram_rep rr;
    answer[0] = KIDE_QUOTA, answer[1] = 8192;
    answer_n = 2;
    assert_int_equal(kide_own_ram(&ch, &rq, &rr), KIDE_QUOTA);
    assert_int_equal(rr.missing, 8192);
}

static void test_bad_replies(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_core_stats_rep rep;
    answer_n = 0; /* no status word */
    assert_int_equal(kide_core_stats(&ch, &rep), KIDE_BAD_PARAM);
    answer[0] = 0x10000; /* no status */
    answer_n = 1;
    assert_int_equal(kide_core_stats(&ch, &rep), KIDE_BAD_PARAM);
    kernel_status = KIDE_BAD_CAP;
    memset(&rep, 0xff, sizeof(rep));
    assert_int_equal(kide_core_stats(&ch, &rep), KIDE_BAD_CAP);
    assert_int_equal(rep.cpus, 0);
}

static void test_keep(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    ch.keep = 1;
    for (unsigned i = 0; i < KIDE_CORE_KEEP_WORDS; i++)
        u.words[i] = 1000 + i;
    u.msg = KIDE_MSG(7, 0);
    u.rcv_crd = 0x1234;
    struct kide_core_quota_rep rep;
    answer[1] = 4096;
    answer_n = 2;
    assert_int_equal(kide_core_quota(&ch, &rep), KIDE_OK);
    assert_int_equal(rep.ram_quota, 4096);
    for (unsigned i = 0; i < KIDE_CORE_KEEP_WORDS; i++)
        assert_int_equal(u.words[i], 1000 + i);
    assert_int_equal(u.msg, KIDE_MSG(7, 0));
    assert_int_equal(u.rcv_crd, 0x1234);
    /* a request over the kept window is refused before any call */
    struct kide_own_config_req big = {.total = 4000, .offset = 0};
    char text[1000];
    memset(text, 'c', sizeof(text));
    KIDE_WIRE_STR(big.chunk, text, sizeof(text));
    calls = 0;
    assert_int_equal(kide_own_config(&ch, &big), KIDE_BAD_PARAM);
    assert_int_equal(calls, 0);
    /* ... and a refused call's reply reads as empty (here: not whole words) */
    struct kide_own_ram_rep missing = {.missing = 99};
    kide_u64 word = 0;
    assert_int_equal(kide_core_call(&ch, KIDE_OWN_RAM, &word, 7, &missing, sizeof(missing)),
                     KIDE_BAD_PARAM);
    assert_int_equal(missing.missing, 0);
}

static void test_no_args_ops(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    assert_int_equal(kide_own_start(&ch), KIDE_OK);
    assert_int_equal(seen_n, 1);
    assert_int_equal(seen[0], KIDE_OWN_START);
    assert_int_equal(kide_own_destroy(&ch), KIDE_OK);
    assert_int_equal(seen[0], KIDE_OWN_DESTROY);
    assert_int_equal(u.rcv_crd, 0xa5a5a5a5a5a5a5a5ull); /* restored */
}

/* The device operations: IO_MEM's three words, MSI's selector and its three
 * result words, PCI_CONFIG without arguments and its four. */
static void test_device_ops(void **state)
{
    (void)state;
    struct kide_core_chan ch = chan();
    struct kide_core_io_mem_req io = {.phys = 0xfebf0000, .bytes = 0x4000, .va = 0x500000000000};
    assert_int_equal(kide_core_io_mem(&ch, &io), KIDE_OK);
    assert_int_equal(seen_n, 4);
    assert_int_equal(seen[0], KIDE_CORE_IO_MEM);
    assert_int_equal(seen[1], 0xfebf0000);
    assert_int_equal(seen[2], 0x4000);
    assert_int_equal(seen[3], 0x500000000000);
    struct kide_core_msi_rep msi;
    answer[1] = 0xfee01000, answer[2] = 0x51, answer[3] = 1;
    answer_n = 4;
    assert_int_equal(kide_core_msi(&ch, &(struct kide_core_msi_req){.sel = 300}, &msi), KIDE_OK);
    assert_int_equal(seen_n, 2);
    assert_int_equal(seen[0], KIDE_CORE_MSI);
    assert_int_equal(seen[1], 300);
    assert_int_equal(msi.addr, 0xfee01000);
    assert_int_equal(msi.data, 0x51);
    assert_int_equal(msi.index, 1);
    struct kide_core_pci_config_rep pc;
    memset(&pc, 0xff, sizeof(pc));
    answer[0] = KIDE_BAD_PERM;
    answer_n = 1;
    assert_int_equal(kide_core_pci_config(&ch, &pc), KIDE_BAD_PERM);
    assert_int_equal(seen_n, 1);
    assert_int_equal(seen[0], KIDE_CORE_PCI_CONFIG);
    assert_int_equal(pc.kind, 0);
    assert_int_equal(pc.ecam_phys, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_fixed_request, setup),
            cmocka_unit_test_setup(test_thread_exit_signal, setup),
            cmocka_unit_test_setup(test_string_words, setup),
            cmocka_unit_test_setup(test_empty_string, setup),
            cmocka_unit_test_setup(test_load_pages, setup),
            cmocka_unit_test_setup(test_string_too_long, setup),
            cmocka_unit_test_setup(test_forged_length_bounded, setup),
            cmocka_unit_test_setup(test_own_via_self, setup),
            cmocka_unit_test_setup(test_reply_short_and_failure_words, setup),
            cmocka_unit_test_setup(test_bad_replies, setup),
            cmocka_unit_test_setup(test_keep, setup),
            cmocka_unit_test_setup(test_no_args_ops, setup),
            cmocka_unit_test_setup(test_device_ops, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
