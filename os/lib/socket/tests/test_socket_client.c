/* SPDX-License-Identifier: MIT */
/* Unit tests of the socket client library (socket_client.c) on the host:
 * real marshalling (os/lib/component/msg.c) over a fake UTCB, and a fake
 * server in the channel's call and attach that records each request and
 * answers what the test set.
 *
 * Checked: every operation's op word and request words in the order of
 * socket.h's structs; data copied into the shared buffer at offset 0 and
 * out of it after the reply; lengths cut to the buffer; the reply checks
 * (short reply, more accepted or delivered than asked, a buffer of the
 * wrong size); refusals before any call (no buffer, oversized datagram,
 * bad address word, POLL counts out of range); the semaphore NOTIFY sends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "rt.h"
#include <kide/socket_client.h>

static struct kide_utcb fake_utcb;
struct kide_utcb *rt_utcb(void)
{
    return &fake_utcb;
}

/* The runtime's transports: the tests always give their own. */
int kide_msg_call_cap(struct kide_msg *m, kide_sel pt, kide_sel rcv, kide_sel send, unsigned perm)
{
    fail_msg("the runtime's transport was used");
    return KIDE_BAD_CAP;
}

int kide_msg_call_attach(struct kide_msg *m, kide_sel pt, kide_u64 pages, void **addr,
                         kide_u64 *got)
{
    fail_msg("the runtime's transport was used");
    return KIDE_BAD_CAP;
}

/* The fake server: what it saw, what it answers. */
static kide_u64 seen[KIDE_UTCB_WORDS];
static unsigned seen_n, calls;
static kide_sel seen_send;
static kide_u64 answer[16];
static unsigned answer_n;
static uint8_t shared[KIDE_SOCK_BUF_SIZE];
static kide_u64 shared_pages = KIDE_SOCK_BUF_SIZE / 4096;
/* What the server writes into the shared buffer before answering. */
static const char *server_data;
/* Non-zero: the kernel's answer instead of the server's (the stack is gone). */
static int kernel_status;

static void reply(struct kide_msg *m)
{
    memcpy(fake_utcb.words, answer, (size_t)answer_n * 8);
    m->w = fake_utcb.words;
    m->n = answer_n;
    m->pos = 1;
}

static int fake_call(const struct kide_sock_chan *ch, struct kide_msg *m, kide_sel send)
{
    calls++;
    seen_n = m->n;
    seen_send = send;
    memcpy(seen, m->w, (size_t)m->n * 8);
    if (kernel_status) {
        m->n = 0;
        return kernel_status;
    }
    if (server_data)
        memcpy(shared, server_data, strlen(server_data));
    reply(m);
    return answer_n ? (int)answer[0] : KIDE_BAD_PARAM;
}

static int fake_attach(const struct kide_sock_chan *ch, struct kide_msg *m, kide_u64 pages,
                       void **addr, kide_u64 *got)
{
    calls++;
    seen_n = m->n;
    memcpy(seen, m->w, (size_t)m->n * 8);
    *addr = shared;
    *got = shared_pages < pages ? shared_pages : pages;
    reply(m);
    return (int)answer[0];
}

static void answer_words(unsigned n, ...)
{
    va_list ap;

    va_start(ap, n);
    for (unsigned i = 0; i < n; i++)
        answer[i] = va_arg(ap, kide_u64);
    va_end(ap);
    answer_n = n;
}

static struct kide_sock_client client;

static int setup(void **state)
{
    memset(&client, 0, sizeof client);
    client.ch.call = fake_call;
    client.ch.attach = fake_attach;
    calls = seen_n = 0;
    seen_send = 0;
    kernel_status = 0;
    server_data = NULL;
    shared_pages = KIDE_SOCK_BUF_SIZE / 4096;
    memset(shared, 0, sizeof shared);
    return 0;
}

static void attach_buffer(void)
{
    answer_words(2, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_BUF_SIZE);
    assert_int_equal(kide_sock_buffer(&client), KIDE_OK);
    assert_ptr_equal(client.buf, shared);
    assert_int_equal(client.size, KIDE_SOCK_BUF_SIZE);
}

static void test_buffer(void **state)
{
    attach_buffer();
    assert_int_equal(seen_n, 1);
    assert_int_equal(seen[0], KIDE_SOCK_BUFFER);
    /* A buffer of the wrong size, or fewer pages than asked, is refused. */
    client.buf = NULL;
    answer_words(2, (kide_u64)KIDE_OK, (kide_u64)4096);
    assert_int_equal(kide_sock_buffer(&client), KIDE_BAD_PARAM);
    assert_null(client.buf);
    shared_pages = 1;
    answer_words(2, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_BUF_SIZE);
    assert_int_equal(kide_sock_buffer(&client), KIDE_BAD_PARAM);
    assert_null(client.buf);
}

static void test_connect_listen_accept(void **state)
{
    struct kide_sock_connect_req creq = {.remote = KIDE_SOCK_ADDR(0x0a000002, 80)};
    struct kide_sock_listen_req lreq = {.local = KIDE_SOCK_ADDR(0, 8080), .backlog = 4};
    struct kide_sock_handle_req hreq = {.handle = 9};
    struct kide_sock_open_rep orep;
    struct kide_sock_accept_rep arep;

    answer_words(4, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_IN_PROGRESS, (kide_u64)7,
                 KIDE_SOCK_ADDR(0x0a000001, 49152));
    assert_int_equal(kide_sock_tcp_connect(&client, &creq, &orep), KIDE_OK);
    assert_int_equal(seen_n, 2);
    assert_int_equal(seen[0], KIDE_SOCK_TCP_CONNECT);
    assert_int_equal(seen[1], 0x500a000002ull); /* port 80 above the address */
    assert_int_equal(orep.err, KIDE_SOCK_IN_PROGRESS);
    assert_int_equal(orep.handle, 7);
    assert_int_equal(KIDE_SOCK_ADDR_PORT(orep.local), 49152);

    answer_words(4, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)9,
                 KIDE_SOCK_ADDR(0, 8080));
    assert_int_equal(kide_sock_tcp_listen(&client, &lreq, &orep), KIDE_OK);
    assert_int_equal(seen_n, 3);
    assert_int_equal(seen[0], KIDE_SOCK_TCP_LISTEN);
    assert_int_equal(seen[1], KIDE_SOCK_ADDR(0, 8080));
    assert_int_equal(seen[2], 4);

    answer_words(4, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)10,
                 KIDE_SOCK_ADDR(0x0a000003, 5555));
    assert_int_equal(kide_sock_tcp_accept(&client, &hreq, &arep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_SOCK_TCP_ACCEPT);
    assert_int_equal(seen[1], 9);
    assert_int_equal(arep.handle, 10);
    assert_int_equal(KIDE_SOCK_ADDR_IP(arep.remote), 0x0a000003);
}

static void test_short_reply_is_bad(void **state)
{
    struct kide_sock_connect_req creq = {.remote = KIDE_SOCK_ADDR(0x0a000002, 80)};
    struct kide_sock_open_rep orep;

    answer_words(2, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK); /* no handle */
    assert_int_equal(kide_sock_tcp_connect(&client, &creq, &orep), KIDE_BAD_PARAM);
    assert_int_equal(orep.handle, 0);
    /* A refusal carries no results and is passed on as it is. */
    answer_words(1, (kide_u64)KIDE_BAD_PARAM);
    assert_int_equal(kide_sock_tcp_connect(&client, &creq, &orep), KIDE_BAD_PARAM);
}

static void test_send_copies_into_buffer(void **state)
{
    static uint8_t big[KIDE_SOCK_BUF_SIZE + 100];
    struct kide_sock_send_rep rep;

    assert_int_equal(kide_sock_tcp_send(&client, 3, "x", 1, &rep), KIDE_BAD_PARAM);
    assert_int_equal(calls, 0); /* no buffer yet: refused before any call */
    attach_buffer();
    answer_words(3, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)5);
    assert_int_equal(kide_sock_tcp_send(&client, 3, "hello", 5, &rep), KIDE_OK);
    assert_int_equal(seen_n, 4);
    assert_int_equal(seen[0], KIDE_SOCK_TCP_SEND);
    assert_int_equal(seen[1], 3);
    assert_int_equal(seen[2], 0);
    assert_int_equal(seen[3], 5);
    assert_memory_equal(shared, "hello", 5);
    assert_int_equal(rep.accepted, 5);

    /* More than the buffer: one buffer's worth is offered. */
    memset(big, 0xab, sizeof big);
    answer_words(3, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)100);
    assert_int_equal(kide_sock_tcp_send(&client, 3, big, sizeof big, &rep), KIDE_OK);
    assert_int_equal(seen[3], KIDE_SOCK_BUF_SIZE);
    assert_int_equal(shared[KIDE_SOCK_BUF_SIZE - 1], 0xab);

    /* Window full. */
    answer_words(3, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_WOULD_BLOCK, (kide_u64)0);
    assert_int_equal(kide_sock_tcp_send(&client, 3, "hello", 5, &rep), KIDE_OK);
    assert_int_equal(rep.err, KIDE_SOCK_WOULD_BLOCK);
    assert_int_equal(rep.accepted, 0);

    /* A server claiming more than it was offered is not believed. */
    answer_words(3, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)6);
    assert_int_equal(kide_sock_tcp_send(&client, 3, "hello", 5, &rep), KIDE_BAD_PARAM);
}

static void test_recv_copies_out(void **state)
{
    char buf[16] = {0};
    struct kide_sock_recv_rep rep;

    attach_buffer();
    server_data = "world";
    answer_words(3, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)5);
    assert_int_equal(kide_sock_tcp_recv(&client, 4, buf, sizeof buf, &rep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_SOCK_TCP_RECV);
    assert_int_equal(seen[1], 4);
    assert_int_equal(seen[2], 0);
    assert_int_equal(seen[3], sizeof buf);
    assert_memory_equal(buf, "world", 5);

    /* More delivered than there was room for: refused, nothing copied. */
    memset(buf, 0, sizeof buf);
    answer_words(3, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)17);
    assert_int_equal(kide_sock_tcp_recv(&client, 4, buf, sizeof buf, &rep), KIDE_BAD_PARAM);
    assert_int_equal(buf[0], 0);

    answer_words(3, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_CLOSED, (kide_u64)0);
    assert_int_equal(kide_sock_tcp_recv(&client, 4, buf, sizeof buf, &rep), KIDE_OK);
    assert_int_equal(rep.err, KIDE_SOCK_CLOSED);
}

static void test_udp(void **state)
{
    static uint8_t huge[KIDE_SOCK_DGRAM_MAX + 1];
    struct kide_sock_bind_req breq = {.local = KIDE_SOCK_ADDR(0, 0)};
    struct kide_sock_open_rep orep;
    struct kide_sock_err_rep erep;
    struct kide_sock_recvfrom_rep rrep;
    char buf[8];

    answer_words(4, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)2,
                 KIDE_SOCK_ADDR(0, 50000));
    assert_int_equal(kide_sock_udp_bind(&client, &breq, &orep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_SOCK_UDP_BIND);
    assert_int_equal(KIDE_SOCK_ADDR_PORT(orep.local), 50000);

    attach_buffer();
    answer_words(2, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK);
    assert_int_equal(
            kide_sock_udp_sendto(&client, 2, KIDE_SOCK_ADDR(0x0a000002, 7), "ping", 4, &erep),
            KIDE_OK);
    assert_int_equal(seen_n, 5);
    assert_int_equal(seen[0], KIDE_SOCK_UDP_SENDTO);
    assert_int_equal(seen[1], 2);
    assert_int_equal(seen[2], KIDE_SOCK_ADDR(0x0a000002, 7));
    assert_int_equal(seen[3], 0);
    assert_int_equal(seen[4], 4);
    assert_memory_equal(shared, "ping", 4);

    calls = 0;
    assert_int_equal(
            kide_sock_udp_sendto(&client, 2, KIDE_SOCK_ADDR(1, 7), huge, sizeof huge, &erep),
            KIDE_BAD_PARAM);
    assert_int_equal(kide_sock_udp_sendto(&client, 2, 1ull << 50, "x", 1, &erep), KIDE_BAD_PARAM);
    assert_int_equal(calls, 0);

    server_data = "pong!";
    answer_words(5, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK, (kide_u64)5,
                 KIDE_SOCK_ADDR(0x0a000002, 7), (kide_u64)0);
    assert_int_equal(kide_sock_udp_recvfrom(&client, 2, buf, sizeof buf, &rrep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_SOCK_UDP_RECVFROM);
    assert_int_equal(seen[3], sizeof buf);
    assert_memory_equal(buf, "pong!", 5);
    assert_int_equal(KIDE_SOCK_ADDR_PORT(rrep.remote), 7);
}

static void test_poll(void **state)
{
    struct kide_sock_poll_req req = {.count = 3, .handles = {1, 2, 5}};
    struct kide_sock_poll_rep rep;

    answer_words(4, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_READABLE, (kide_u64)0,
                 (kide_u64)(KIDE_SOCK_WRITABLE | KIDE_SOCK_ERROR));
    assert_int_equal(kide_sock_poll(&client, &req, &rep), KIDE_OK);
    assert_int_equal(seen_n, 5);
    assert_int_equal(seen[0], KIDE_SOCK_POLL);
    assert_int_equal(seen[1], 3);
    assert_int_equal(seen[2], 1);
    assert_int_equal(seen[4], 5);
    assert_int_equal(rep.events[0], KIDE_SOCK_READABLE);
    assert_int_equal(rep.events[2], KIDE_SOCK_WRITABLE | KIDE_SOCK_ERROR);
    assert_int_equal(rep.events[3], 0);

    calls = 0;
    req.count = 0;
    assert_int_equal(kide_sock_poll(&client, &req, &rep), KIDE_BAD_PARAM);
    req.count = KIDE_SOCK_POLL_MAX + 1;
    assert_int_equal(kide_sock_poll(&client, &req, &rep), KIDE_BAD_PARAM);
    assert_int_equal(calls, 0);
}

static void test_notify_close_status(void **state)
{
    struct kide_sock_handle_req hreq = {.handle = 6};
    struct kide_sock_err_rep erep;
    struct kide_sock_status_rep srep;

    answer_words(1, (kide_u64)KIDE_OK);
    assert_int_equal(kide_sock_notify(&client, 321), KIDE_OK);
    assert_int_equal(seen[0], KIDE_SOCK_NOTIFY);
    assert_int_equal(seen_send, 321);

    answer_words(2, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_OK);
    assert_int_equal(kide_sock_close(&client, &hreq, &erep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_SOCK_CLOSE);
    assert_int_equal(seen[1], 6);

    answer_words(5, (kide_u64)KIDE_OK, (kide_u64)KIDE_SOCK_RESET, (kide_u64)KIDE_SOCK_S_FAILED,
                 KIDE_SOCK_ADDR(0x0a000001, 1000), KIDE_SOCK_ADDR(0x0a000002, 80));
    assert_int_equal(kide_sock_status(&client, &hreq, &srep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_SOCK_STATUS);
    assert_int_equal(srep.err, KIDE_SOCK_RESET);
    assert_int_equal(srep.state, KIDE_SOCK_S_FAILED);
}

static void test_ip_parse(void **state)
{
    (void)state;
    kide_u32 ip = 7;
    assert_int_equal(kide_sock_ip_parse("10.0.2.15", &ip), 0);
    assert_int_equal(ip, 0x0a00020f);
    assert_int_equal(kide_sock_ip_parse("255.255.255.255", &ip), 0);
    assert_int_equal(ip, 0xffffffffu);
    static const char *const bad[] = {"",         "1.2.3",       "1.2.3.4.5", "1..2.3", "256.0.0.1",
                                      "1.2.3.4x", "01234.1.1.1", "a.b.c.d",   "1.2.3.", " 1.2.3.4"};
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ip = 7;
        assert_int_equal(kide_sock_ip_parse(bad[i], &ip), -1);
        assert_int_equal(ip, 7); /* untouched */
    }
}

/* The stack went away: the first call that says so (ABORTED: its threads are
 * stopped; BAD_CAP: its portal revoked) marks the session lost, and from then
 * on nothing calls again or touches the shared buffer (its pages are gone:
 * here the buffer is pointed at an address that faults). */
static void test_stack_gone(void **state)
{
    static const int gone[] = {KIDE_ABORTED, KIDE_BAD_CAP};
    uint8_t data[64] = {0};

    for (unsigned i = 0; i < 2; i++) {
        setup(state);
        attach_buffer();
        assert_false(kide_sock_gone(KIDE_OK));
        assert_false(kide_sock_gone(KIDE_BAD_PARAM));
        assert_true(kide_sock_gone(gone[i]));
        kernel_status = gone[i];
        struct kide_sock_handle_req h = {1};
        struct kide_sock_accept_rep ar;
        assert_int_equal(kide_sock_tcp_accept(&client, &h, &ar), gone[i]);
        assert_true(client.lost);
        kernel_status = 0;
        calls = 0;
        client.buf = (uint8_t *)(uintptr_t)16; /* revoked: any touch faults */
        struct kide_sock_send_rep sr;
        struct kide_sock_recv_rep rr;
        struct kide_sock_err_rep er;
        struct kide_sock_recvfrom_rep fr;
        assert_int_equal(kide_sock_tcp_send(&client, 1, data, sizeof data, &sr), KIDE_ABORTED);
        assert_int_equal(kide_sock_tcp_recv(&client, 1, data, sizeof data, &rr), KIDE_ABORTED);
        assert_int_equal(kide_sock_udp_sendto(&client, 1, KIDE_SOCK_ADDR(0x0a000001, 7), data,
                                              sizeof data, &er),
                         KIDE_ABORTED);
        assert_int_equal(kide_sock_udp_recvfrom(&client, 1, data, sizeof data, &fr), KIDE_ABORTED);
        assert_int_equal(kide_sock_close(&client, &h, &er), KIDE_ABORTED);
        assert_int_equal(kide_sock_buffer(&client), KIDE_ABORTED);
        assert_int_equal(calls, 0); /* nothing reached the (gone) server */
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_buffer, setup),
            cmocka_unit_test_setup(test_connect_listen_accept, setup),
            cmocka_unit_test_setup(test_short_reply_is_bad, setup),
            cmocka_unit_test_setup(test_send_copies_into_buffer, setup),
            cmocka_unit_test_setup(test_recv_copies_out, setup),
            cmocka_unit_test_setup(test_udp, setup),
            cmocka_unit_test_setup(test_poll, setup),
            cmocka_unit_test_setup(test_notify_close_status, setup),
            cmocka_unit_test(test_ip_parse),
            cmocka_unit_test(test_stack_gone),
    };

    return cmocka_run_group_tests_name("os-socket-client", tests, NULL, NULL);
}
