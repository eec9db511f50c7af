/* SPDX-License-Identifier: MIT */
/* test-echo-client: TCP and UDP round trips to an echo server through the
 * habitat's own TCP/IP stack.
 *
 * Sessions used: "Socket" (its habitat's `net`). Config: {"server":
 * "10.0.9.1", "port": 7, "timeout_ms": 60000}. It opens the socket
 * session (retrying while the stack has not announced it: NOT_FOUND, every
 * 50 ms, answering its parent meanwhile), connects to the server
 * (retrying while the other side is not up yet: REFUSED, UNREACHABLE or
 * TIMED_OUT, at once or later, every RETRY_MS), then sends messages of SIZES bytes, each a
 * different pseudo-random pattern, reading the echo while it sends, and
 * checks every echo byte for byte; then one UDP datagram there and back
 * (sent again every RETRY_MS until the answer comes). Every wait is for a
 * condition (the session's notification semaphore, then POLL), bounded by
 * the one deadline `timeout_ms` from the start. Ends with
 * "PASS net-echo", or "FAIL net-echo: <why>" and exit code 1.
 */
#include "test.h"
#include "tsock.h"
#include <kide/base.h>

#define RETRY_MS 500
#define MSG_MAX  65536u
#define UDP_LEN  1000u

static const kide_u32 SIZES[] = {1, 2, 100, 1460, 1461, 4096, 16384, MSG_MAX};

static struct t_sock ts;
static kide_u8 out[MSG_MAX], in[MSG_MAX];

#define fail(...) t_fail(ts.env, "net-echo", __VA_ARGS__)

/* Send `len` bytes of a pattern seeded by `seed` and read the echo back, interleaved. */
static void echo_one(kide_u64 h, kide_u32 len, kide_u32 seed)
{
    kide_u32 x = seed * 2654435761u | 1, sent = 0, got = 0;
    for (kide_u32 i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 17, x ^= x << 5;
        out[i] = (kide_u8)x;
    }
    while (got < len) {
        int moved = 0;
        if (sent < len) {
            struct kide_sock_send_rep r = {0};
            int st = kide_sock_tcp_send(&ts.sc, h, out + sent, len - sent, &r);
            if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
                fail("SEND of %u bytes: %s, socket error %u", len, kide_status_name(st),
                     (unsigned)r.err);
            sent += (kide_u32)r.accepted;
            moved |= r.accepted > 0;
        }
        struct kide_sock_recv_rep r = {0};
        int st = kide_sock_tcp_recv(&ts.sc, h, in + got, len - got, &r);
        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            fail("RECV of %u bytes: %s, socket error %u after %u bytes", len, kide_status_name(st),
                 (unsigned)r.err, got);
        got += (kide_u32)r.len;
        moved |= r.len > 0;
        if (!moved)
            t_sock_wait(&ts, RETRY_MS, ts.deadline, "waiting for the echo");
    }
    for (kide_u32 i = 0; i < len; i++)
        if (in[i] != out[i])
            fail("echo of %u bytes differs at byte %u: 0x%02x, sent 0x%02x", len, i, in[i], out[i]);
    kide_log(ts.env, "echo-client: %u bytes echoed over TCP", len);
}

static void udp_round_trip(kide_u64 remote)
{
    struct kide_sock_bind_req br = {KIDE_SOCK_ADDR(0, 0)};
    struct kide_sock_open_rep b = {0};
    int st = kide_sock_udp_bind(&ts.sc, &br, &b);
    if (st != KIDE_OK || b.err != KIDE_SOCK_OK)
        fail("UDP BIND: %s, socket error %u", kide_status_name(st), (unsigned)b.err);
    for (kide_u32 i = 0; i < UDP_LEN; i++)
        out[i] = (kide_u8)(i * 7 + 3);
    for (;;) {
        struct kide_sock_err_rep e = {0};
        st = kide_sock_udp_sendto(&ts.sc, b.handle, remote, out, UDP_LEN, &e);
        if (st != KIDE_OK || (e.err != KIDE_SOCK_OK && e.err != KIDE_SOCK_NO_BUFFERS))
            fail("SENDTO: %s, socket error %u", kide_status_name(st), (unsigned)e.err);
        kide_u64 until = kide_now_ns() + RETRY_MS * 1000000ull;
        while (kide_now_ns() < until) {
            struct kide_sock_recvfrom_rep r = {0};
            st = kide_sock_udp_recvfrom(&ts.sc, b.handle, in, sizeof in, &r);
            if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
                fail("RECVFROM: %s, socket error %u", kide_status_name(st), (unsigned)r.err);
            if (r.err == KIDE_SOCK_OK) {
                if (r.remote != remote || r.len != UDP_LEN || r.truncated ||
                    memcmp(in, out, UDP_LEN) != 0)
                    fail("UDP echo differs (%u bytes from port %u)", (unsigned)r.len,
                         KIDE_SOCK_ADDR_PORT(r.remote));
                kide_log(ts.env, "echo-client: %u bytes echoed over UDP", UDP_LEN);
                t_sock_close(&ts, b.handle);
                return;
            }
            t_sock_wait(&ts, RETRY_MS, ts.deadline, "waiting for the UDP echo");
        }
    }
}

void kide_main(struct kide_env *env)
{
    char server[40];
    kide_u64 remote = t_sock_setup(&ts, env, "net-echo", 7, server, sizeof server);
    kide_u64 h = t_sock_connect(&ts, remote, RETRY_MS, ts.deadline, 0);
    kide_log(env, "echo-client: connected to %s:%u", server, (unsigned)KIDE_SOCK_ADDR_PORT(remote));
    for (unsigned i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++)
        echo_one(h, SIZES[i], i + 1);
    t_sock_close(&ts, h);
    udp_round_trip(remote);
    kide_log(env, "PASS net-echo");
    kide_exit(env, 0);
}
