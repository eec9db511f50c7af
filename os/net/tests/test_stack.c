/* SPDX-License-Identifier: MIT */
/* os/net tests: two lwIP stacks joined by an in-memory wire.
 *
 * Stack A (10.0.0.1) and stack B (10.0.0.2) are the same lwIP sources and
 * port, linked twice (inst.h). The wire is a queue of frames in each
 * direction: A's send_frame appends to the A->B queue, B's receive_frame
 * takes from it, and the other way round. A queue rather than a direct call
 * of the peer's input, because lwIP is not reentrant: B answering inside
 * A's output would re-enter A. The clock is virtual; pump() advances it and
 * lets both stacks take their frames and run their timers, so the tests
 * never sleep and TIME_WAIT's two minutes take no real time.
 *
 * Checked: ARP resolves, a ping is answered, a TCP connection opens, 1 MiB
 * crosses it intact with the receiver's window as back-pressure, it closes,
 * a UDP datagram goes there and back, and afterwards every buffer of both
 * stacks is back in its pool.
 */
#include "frames.h"
#include "inst.h"

#include <kide/socket.h>
#include <kide/status.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

extern const struct net_inst_ops a_net_inst, b_net_inst;
#define A (&a_net_inst)
#define B (&b_net_inst)

#define QUEUE 512
struct queue {
    uint8_t frame[QUEUE][NET_FRAME_MAX];
    size_t len[QUEUE];
    size_t head, n;
};
static struct queue a_to_b, b_to_a;
static struct net_link link_a, link_b;
static uint32_t now;

static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x0a};
static const uint8_t mac_b[6] = {0x02, 0, 0, 0, 0, 0x0b};

void net_port_log(const char *line)
{
    fprintf(stderr, "lwip: %s\n", line);
}

void net_port_panic(const char *line)
{
    fprintf(stderr, "lwip: panic: %s\n", line);
    abort();
}

static int push(void *ctx, const void *frame, size_t len)
{
    struct queue *q = ctx;

    if (q->n == QUEUE || len > NET_FRAME_MAX)
        return -1;
    memcpy(q->frame[(q->head + q->n) % QUEUE], frame, len);
    q->len[(q->head + q->n) % QUEUE] = len;
    q->n++;
    return 0;
}

static size_t pop(struct queue *q, void *buf, size_t cap)
{
    size_t len;

    if (q->n == 0)
        return 0;
    len = q->len[q->head] < cap ? q->len[q->head] : cap;
    memcpy(buf, q->frame[q->head], len);
    q->head = (q->head + 1) % QUEUE;
    q->n--;
    return len;
}

static size_t recv_a(void *ctx, void *buf, size_t cap)
{
    return pop(&b_to_a, buf, cap);
}

static size_t recv_b(void *ctx, void *buf, size_t cap)
{
    return pop(&a_to_b, buf, cap);
}

/* Advance the clock by STEPS of STEP_MS, letting both stacks run. */
static void pump(unsigned steps, unsigned step_ms)
{
    for (unsigned i = 0; i < steps; i++) {
        now += step_ms;
        A->poll(now);
        B->poll(now);
    }
}

static int setup(void **state)
{
    static int started;

    if (started)
        return 0;
    started = 1;
    link_a = (struct net_link){.send_frame = push, .receive_frame = recv_a, .ctx = &a_to_b};
    link_b = (struct net_link){.send_frame = push, .receive_frame = recv_b, .ctx = &b_to_a};
    memcpy(link_a.mac, mac_a, 6);
    memcpy(link_b.mac, mac_b, 6);
    /* push() gets the queue it appends to; recv_* know their own. */
    if (A->init(&link_a, "10.0.0.1", 1) != 0 || B->init(&link_b, "10.0.0.2", 2) != 0)
        return -1;
    pump(10, 10);
    return 0;
}

static void test_udp_round_trip_resolves_arp(void **state)
{
    char buf[64];
    uint16_t port = 0;

    assert_false(A->arp_has("10.0.0.2"));
    assert_int_equal(A->udp_bind(4000), 0);
    assert_int_equal(B->udp_bind(7), 0);
    assert_int_equal(A->udp_sendto("10.0.0.2", 7, "hello, b", 8), 0);
    pump(20, 1);
    assert_true(A->arp_has("10.0.0.2")); /* the datagram waited for ARP */
    assert_true(B->arp_has("10.0.0.1")); /* B learnt A from A's request */
    assert_int_equal(B->udp_recv(buf, sizeof buf, &port), 8);
    assert_memory_equal(buf, "hello, b", 8);
    assert_int_equal(port, 4000);
    assert_int_equal(B->udp_sendto("10.0.0.1", port, "hello, a", 8), 0);
    pump(20, 1);
    assert_int_equal(A->udp_recv(buf, sizeof buf, &port), 8);
    assert_memory_equal(buf, "hello, a", 8);
    assert_int_equal(port, 7);
}

/* A ping from A's addresses, built by hand, answered by B (ARP is resolved
 * by the test before, so the reply leaves at once). */
static void test_ping_is_answered(void **state)
{
    uint8_t frame[1200];
    size_t len, found = 0;

    for (uint16_t seq = 1; seq <= 3; seq++) {
        len = frame_echo_request(frame, mac_a, 0x0a000001, mac_b, 0x0a000002, 0x4b49, seq, 56);
        assert_int_equal(push(&a_to_b, frame, len), 0);
        now++;
        B->poll(now); /* B only: its answer stays on the wire for us */
        while ((len = pop(&b_to_a, frame, sizeof frame)) > 0)
            found += frame_is_echo_reply(frame, len, mac_a, 0x0a000001, 0x4b49, seq);
    }
    assert_int_equal(found, 3);
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 7 + (i >> 10));
}

static void test_tcp_one_mib(void **state)
{
    enum { TOTAL = 1 << 20 };
    static uint8_t out[TOTAL], in[8192];
    size_t sent = 0, got = 0, n;
    unsigned stalls = 0, rounds = 0;

    for (size_t i = 0; i < TOTAL; i++)
        out[i] = pattern(i);
    assert_int_equal(B->tcp_listen(5000), 0);
    assert_int_equal(A->tcp_connect("10.0.0.2", 5000), 0);
    pump(20, 1);
    assert_int_equal(A->tcp_state(), INST_TCP_OPEN);
    assert_int_equal(B->tcp_state(), INST_TCP_OPEN);

    /* Back-pressure: B reads nothing, so A's sends stop being taken once
     * its send buffer and B's window are full, with nothing lost. */
    while ((n = A->tcp_send(out + sent, TOTAL - sent)) > 0 || stalls++ < 50) {
        sent += n;
        pump(1, 1);
    }
    assert_true(sent < TOTAL);
    assert_true(sent <= 2 * (64 * 1024) + 2 * 1460);
    stalls = 0;

    while (got < TOTAL && rounds++ < 100000) {
        sent += A->tcp_send(out + sent, TOTAL - sent);
        pump(1, 1);
        while ((n = B->tcp_recv(in, sizeof in)) > 0) {
            assert_true(got + n <= TOTAL);
            for (size_t i = 0; i < n; i++)
                if (in[i] != pattern(got + i))
                    fail_msg("byte %zu differs", got + i);
            got += n;
        }
    }
    assert_int_equal(got, TOTAL);
    assert_int_equal(sent, TOTAL);

    assert_int_equal(A->tcp_close(), 0);
    pump(50, 1);
    assert_int_equal(B->tcp_state(), INST_TCP_PEER_CLOSED);
    assert_int_equal(B->tcp_close(), 0);
    pump(50, 1);
}

/* A request to A's socket session; returns the status, the reply in REP. */
static int sock(uint64_t op, unsigned nreq, const uint64_t *req, uint64_t *rep)
{
    unsigned n;

    memset(rep, 0xee, KIDE_SOCK_POLL_MAX * sizeof *rep);
    return A->sock_call(op, req, nreq, rep, &n);
}

#define SOCK(op, rep, ...)                                                                         \
    sock(op, (unsigned)(sizeof((uint64_t[]){__VA_ARGS__}) / 8), (uint64_t[]){__VA_ARGS__}, rep)

static void test_socket_session_refuses_bad_requests(void **state)
{
    uint64_t rep[KIDE_SOCK_POLL_MAX];

    assert_int_equal(SOCK(99, rep, 0), KIDE_BAD_PARAM);
    assert_int_equal(sock(KIDE_SOCK_TCP_LISTEN, 1, (uint64_t[]){KIDE_SOCK_ADDR(0, 1)}, rep),
                     KIDE_BAD_PARAM); /* one word short */
    assert_int_equal(SOCK(KIDE_SOCK_TCP_LISTEN, rep, KIDE_SOCK_ADDR(0, 1), 0), KIDE_BAD_PARAM);
    assert_int_equal(
            SOCK(KIDE_SOCK_TCP_LISTEN, rep, KIDE_SOCK_ADDR(0, 1), KIDE_SOCK_BACKLOG_MAX + 1),
            KIDE_BAD_PARAM);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_CONNECT, rep, 1ull << 60), KIDE_BAD_PARAM);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_ACCEPT, rep, KIDE_SOCK_MAX), KIDE_BAD_PARAM);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_RECV, rep, 0, 0, 1), KIDE_BAD_PARAM); /* not in use */
    assert_int_equal(SOCK(KIDE_SOCK_POLL, rep, 0), KIDE_BAD_PARAM);
    assert_int_equal(SOCK(KIDE_SOCK_POLL, rep, 2, 0), KIDE_BAD_PARAM); /* count > words */
}

static void test_socket_session_tcp(void **state)
{
    enum { IN = 256 * 1024, OUT = 50 * 1024 };
    static uint8_t out[IN];
    uint64_t rep[KIDE_SOCK_POLL_MAX], l, c;
    size_t sent = 0, got = 0, n;
    uint8_t buf[4096];
    unsigned rounds = 0;

    assert_int_equal(SOCK(KIDE_SOCK_TCP_LISTEN, rep, KIDE_SOCK_ADDR(0, 6000), 2), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    l = rep[1];
    assert_int_equal(KIDE_SOCK_ADDR_PORT(rep[2]), 6000);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_ACCEPT, rep, l), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_WOULD_BLOCK);

    assert_int_equal(B->tcp_connect("10.0.0.1", 6000), 0);
    pump(20, 1);
    assert_int_equal(SOCK(KIDE_SOCK_POLL, rep, 1, l), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_READABLE);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_ACCEPT, rep, l), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    c = rep[1];
    assert_int_equal(KIDE_SOCK_ADDR_IP(rep[2]), 0x0a000002);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_SEND, rep, l, 0, 1), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_WRONG_TYPE);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_RECV, rep, c, KIDE_SOCK_BUF_SIZE - 10, 11), KIDE_BAD_PARAM);

    /* B sends while A does not read: the server holds one window, no more. */
    for (size_t i = 0; i < IN; i++)
        out[i] = pattern(i);
    while ((n = B->tcp_send(out + sent, IN - sent)) > 0 || rounds++ < 50) {
        sent += n;
        pump(1, 1);
    }
    assert_true(sent < IN);
    assert_true(sent <= 2 * (64 * 1024) + 2 * 1460);
    for (rounds = 0; got < IN && rounds < 100000; rounds++) {
        sent += B->tcp_send(out + sent, IN - sent);
        pump(1, 1);
        assert_int_equal(SOCK(KIDE_SOCK_TCP_RECV, rep, c, 100, sizeof buf), KIDE_OK);
        if (rep[0] == KIDE_SOCK_WOULD_BLOCK)
            continue;
        assert_int_equal(rep[0], KIDE_SOCK_OK);
        assert_true(rep[1] <= sizeof buf && got + rep[1] <= IN);
        assert_memory_equal(A->sock_buf + 100, out + got, rep[1]);
        got += rep[1];
    }
    assert_int_equal(got, IN);

    /* A sends to B through the shared buffer, retrying on WOULD_BLOCK. */
    for (sent = got = 0, rounds = 0; got < OUT && rounds < 100000; rounds++) {
        if (sent < OUT) {
            n = OUT - sent < 3000 ? OUT - sent : 3000;
            memcpy(A->sock_buf, out + sent, n);
            assert_int_equal(SOCK(KIDE_SOCK_TCP_SEND, rep, c, 0, n), KIDE_OK);
            assert_true(rep[0] == KIDE_SOCK_OK || rep[0] == KIDE_SOCK_WOULD_BLOCK);
            sent += rep[1];
        }
        pump(1, 1);
        while ((n = B->tcp_recv(buf, sizeof buf)) > 0) {
            assert_memory_equal(buf, out + got, n);
            got += n;
        }
    }
    assert_int_equal(got, OUT);

    /* B closes: A reads CLOSED, then closes its side; the listener goes too. */
    assert_int_equal(B->tcp_close(), 0);
    pump(20, 1);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_RECV, rep, c, 0, 10), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_CLOSED);
    assert_int_equal(SOCK(KIDE_SOCK_STATUS, rep, c), KIDE_OK);
    assert_int_equal(rep[1], KIDE_SOCK_S_PEER_CLOSED);
    assert_int_equal(SOCK(KIDE_SOCK_CLOSE, rep, c), KIDE_OK);
    assert_int_equal(SOCK(KIDE_SOCK_CLOSE, rep, l), KIDE_OK);
    assert_int_equal(SOCK(KIDE_SOCK_STATUS, rep, c), KIDE_BAD_PARAM);
    pump(20, 1);
}

static void test_socket_session_udp(void **state)
{
    uint64_t rep[KIDE_SOCK_POLL_MAX], u;
    char buf[16];
    uint16_t port;

    assert_int_equal(SOCK(KIDE_SOCK_UDP_BIND, rep, KIDE_SOCK_ADDR(0, 53)), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    u = rep[1];
    assert_int_equal(SOCK(KIDE_SOCK_UDP_RECVFROM, rep, u, 0, 64), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_WOULD_BLOCK);
    assert_int_equal(B->udp_sendto("10.0.0.1", 53, "query", 5), 0);
    pump(5, 1);
    assert_int_equal(SOCK(KIDE_SOCK_UDP_RECVFROM, rep, u, 8, 3), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    assert_int_equal(rep[1], 3);
    assert_int_equal(KIDE_SOCK_ADDR_PORT(rep[2]), 7);
    assert_int_equal(rep[3], 1); /* truncated */
    assert_memory_equal(A->sock_buf + 8, "que", 3);

    memcpy(A->sock_buf + 20, "reply", 5);
    assert_int_equal(SOCK(KIDE_SOCK_UDP_SENDTO, rep, u, KIDE_SOCK_ADDR(0x0a000002, 7), 20, 5),
                     KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    assert_int_equal(SOCK(KIDE_SOCK_UDP_SENDTO, rep, u, KIDE_SOCK_ADDR(0x0a000002, 7),
                          KIDE_SOCK_BUF_SIZE, 1),
                     KIDE_BAD_PARAM);
    pump(5, 1);
    assert_int_equal(B->udp_recv(buf, sizeof buf, &port), 5);
    assert_memory_equal(buf, "reply", 5);
    assert_int_equal(port, 53);
    assert_int_equal(SOCK(KIDE_SOCK_CLOSE, rep, u), KIDE_OK);
}

/* A server restarted on its port (echo after a restart of its own): its old
 * connection, which it closed first, waits in TIME_WAIT for 2 MSL (120 s);
 * a new listen on the port must work at once, as it does for a POSIX server
 * with SO_REUSEADDR. Two listeners on one port are still refused. */
static void test_socket_session_relisten(void **state)
{
    uint64_t rep[KIDE_SOCK_POLL_MAX], l, c;

    assert_int_equal(SOCK(KIDE_SOCK_TCP_LISTEN, rep, KIDE_SOCK_ADDR(0, 6001), 2), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    l = rep[1];
    assert_int_equal(SOCK(KIDE_SOCK_TCP_LISTEN, rep, KIDE_SOCK_ADDR(0, 6001), 2), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_ADDR_IN_USE);
    assert_int_equal(B->tcp_connect("10.0.0.1", 6001), 0);
    pump(20, 1);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_ACCEPT, rep, l), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    c = rep[1];
    assert_int_equal(SOCK(KIDE_SOCK_CLOSE, rep, c), KIDE_OK); /* A first: TIME_WAIT on A */
    pump(20, 1);
    assert_int_equal(B->tcp_state(), INST_TCP_PEER_CLOSED);
    assert_int_equal(B->tcp_close(), 0);
    pump(20, 1);
    assert_int_equal(SOCK(KIDE_SOCK_CLOSE, rep, l), KIDE_OK);
    assert_int_equal(SOCK(KIDE_SOCK_TCP_LISTEN, rep, KIDE_SOCK_ADDR(0, 6001), 2), KIDE_OK);
    assert_int_equal(rep[0], KIDE_SOCK_OK);
    assert_int_equal(SOCK(KIDE_SOCK_CLOSE, rep, rep[1]), KIDE_OK);
}

/* After everything: TIME_WAIT ends (2 MSL, 120 s; lwIP's slow timer runs
 * at most once per poll, so 200 s of 100 ms steps), and every
 * buffer, segment and connection of both stacks is back in its pool. */
static void test_nothing_leaks(void **state)
{
    struct inst_stats sa, sb;

    pump(2000, 100);
    A->stats(&sa);
    B->stats(&sb);
    assert_int_equal(sa.pbuf_pool + sb.pbuf_pool, 0);
    assert_int_equal(sa.pbuf_ref + sb.pbuf_ref, 0);
    assert_int_equal(sa.tcp_pcbs + sb.tcp_pcbs, 0);
    assert_int_equal(sa.tcp_segs + sb.tcp_segs, 0);
    assert_int_equal(sa.arp_queue + sb.arp_queue, 0);
    assert_int_equal(sa.mem_used + sb.mem_used, 0);
    assert_int_equal(link_a.send_drop + link_b.send_drop, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_udp_round_trip_resolves_arp, setup),
            cmocka_unit_test_setup(test_ping_is_answered, setup),
            cmocka_unit_test_setup(test_tcp_one_mib, setup),
            cmocka_unit_test_setup(test_socket_session_refuses_bad_requests, setup),
            cmocka_unit_test_setup(test_socket_session_tcp, setup),
            cmocka_unit_test_setup(test_socket_session_udp, setup),
            cmocka_unit_test_setup(test_socket_session_relisten, setup),
            cmocka_unit_test_setup(test_nothing_leaks, setup),
    };

    return cmocka_run_group_tests_name("os-net-stack", tests, NULL, NULL);
}
