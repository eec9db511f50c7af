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
#include <kide/base.h>
#include <kide/socket_client.h>
#include <kide/sys.h>

#define RETRY_MS 500
#define MSG_MAX  65536u
#define UDP_LEN  1000u

static const kide_u32 SIZES[] = {1, 2, 100, 1460, 1461, 4096, 16384, MSG_MAX};

static struct kide_env *env_;
static struct kide_sock_client sc;
static kide_sel sm;
static kide_u64 deadline;
static kide_u8 out[MSG_MAX], in[MSG_MAX];

#define fail(...) t_fail(env_, "net-echo", __VA_ARGS__)

/* Wait for the next notification or `ms`, whichever is first; fail past the deadline. */
static void wait_ready(kide_u64 ms, const char *what)
{
    kide_u64 now = kide_now_ns(), until = now + ms * 1000000;
    if (now >= deadline)
        fail("timed out %s", what);
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, until < deadline ? until : deadline);
}

static kide_u64 poll_one(kide_u64 h)
{
    struct kide_sock_poll_req req = {.count = 1, .handles = {h}};
    struct kide_sock_poll_rep rep = {0};
    int st = kide_sock_poll(&sc, &req, &rep);
    if (st != KIDE_OK)
        fail("POLL: %s", kide_status_name(st));
    return rep.events[0];
}

static kide_u64 sock_err(kide_u64 h)
{
    struct kide_sock_handle_req req = {h};
    struct kide_sock_status_rep rep = {0};
    return kide_sock_status(&sc, &req, &rep) == KIDE_OK ? rep.err : KIDE_SOCK_ERR_COUNT;
}

static void sock_close(kide_u64 h)
{
    struct kide_sock_handle_req req = {h};
    struct kide_sock_err_rep rep = {0};
    kide_sock_close(&sc, &req, &rep);
}

/* Errors that mean the other side is not up yet (no listener, the link or
 * the peer's stack not there): worth another try. */
static int retry_err(kide_u64 err)
{
    return err == KIDE_SOCK_REFUSED || err == KIDE_SOCK_UNREACHABLE || err == KIDE_SOCK_TIMED_OUT;
}

/* Connect, retrying while the server's side is not there yet. */
static kide_u64 tcp_open(kide_u64 remote)
{
    for (;;) {
        struct kide_sock_connect_req req = {remote};
        struct kide_sock_open_rep rep = {0};
        int st = kide_sock_tcp_connect(&sc, &req, &rep);
        if (st == KIDE_OK && retry_err(rep.err)) { /* e.g. the link is still down */
            wait_ready(RETRY_MS, "connecting");
            continue;
        }
        if (st != KIDE_OK || (rep.err != KIDE_SOCK_OK && rep.err != KIDE_SOCK_IN_PROGRESS))
            fail("CONNECT: %s, socket error %u", kide_status_name(st), (unsigned)rep.err);
        kide_u64 ev;
        while (!((ev = poll_one(rep.handle)) & (KIDE_SOCK_WRITABLE | KIDE_SOCK_ERROR)))
            wait_ready(RETRY_MS, "connecting");
        if (!(ev & KIDE_SOCK_ERROR))
            return rep.handle;
        kide_u64 err = sock_err(rep.handle);
        sock_close(rep.handle);
        if (!retry_err(err))
            fail("connection failed: socket error %u", (unsigned)err);
        wait_ready(RETRY_MS, "connecting"); /* the server is not up yet: again */
    }
}

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
            int st = kide_sock_tcp_send(&sc, h, out + sent, len - sent, &r);
            if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
                fail("SEND of %u bytes: %s, socket error %u", len, kide_status_name(st),
                     (unsigned)r.err);
            sent += (kide_u32)r.accepted;
            moved |= r.accepted > 0;
        }
        struct kide_sock_recv_rep r = {0};
        int st = kide_sock_tcp_recv(&sc, h, in + got, len - got, &r);
        if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
            fail("RECV of %u bytes: %s, socket error %u after %u bytes", len, kide_status_name(st),
                 (unsigned)r.err, got);
        got += (kide_u32)r.len;
        moved |= r.len > 0;
        if (!moved)
            wait_ready(RETRY_MS, "waiting for the echo");
    }
    for (kide_u32 i = 0; i < len; i++)
        if (in[i] != out[i])
            fail("echo of %u bytes differs at byte %u: 0x%02x, sent 0x%02x", len, i, in[i], out[i]);
    kide_log(env_, "echo-client: %u bytes echoed over TCP", len);
}

static void udp_round_trip(kide_u64 remote)
{
    struct kide_sock_bind_req br = {KIDE_SOCK_ADDR(0, 0)};
    struct kide_sock_open_rep b = {0};
    int st = kide_sock_udp_bind(&sc, &br, &b);
    if (st != KIDE_OK || b.err != KIDE_SOCK_OK)
        fail("UDP BIND: %s, socket error %u", kide_status_name(st), (unsigned)b.err);
    for (kide_u32 i = 0; i < UDP_LEN; i++)
        out[i] = (kide_u8)(i * 7 + 3);
    for (;;) {
        struct kide_sock_err_rep e = {0};
        st = kide_sock_udp_sendto(&sc, b.handle, remote, out, UDP_LEN, &e);
        if (st != KIDE_OK || (e.err != KIDE_SOCK_OK && e.err != KIDE_SOCK_NO_BUFFERS))
            fail("SENDTO: %s, socket error %u", kide_status_name(st), (unsigned)e.err);
        kide_u64 until = kide_now_ns() + RETRY_MS * 1000000ull;
        while (kide_now_ns() < until) {
            struct kide_sock_recvfrom_rep r = {0};
            st = kide_sock_udp_recvfrom(&sc, b.handle, in, sizeof in, &r);
            if (st != KIDE_OK || (r.err != KIDE_SOCK_OK && r.err != KIDE_SOCK_WOULD_BLOCK))
                fail("RECVFROM: %s, socket error %u", kide_status_name(st), (unsigned)r.err);
            if (r.err == KIDE_SOCK_OK) {
                if (r.remote != remote || r.len != UDP_LEN || r.truncated ||
                    memcmp(in, out, UDP_LEN) != 0)
                    fail("UDP echo differs (%u bytes from port %u)", (unsigned)r.len,
                         KIDE_SOCK_ADDR_PORT(r.remote));
                kide_log(env_, "echo-client: %u bytes echoed over UDP", UDP_LEN);
                sock_close(b.handle);
                return;
            }
            wait_ready(RETRY_MS, "waiting for the UDP echo");
        }
    }
}

void kide_main(struct kide_env *env)
{
    char server[40];
    env_ = env;
    t_cfg_str(env, "server", "10.0.9.1", server, sizeof server);
    kide_u64 port = t_cfg_u64(env, "port", 7);
    deadline = kide_now_ns() + t_cfg_u64(env, "timeout_ms", 60000) * 1000000;
    kide_u32 ip = 0;
    kide_sock_ip_parse(server, &ip); /* stays 0 (refused below) if malformed */
    if (!ip || !port || port > 65535)
        fail("config: server must be \"a.b.c.d\" and port 1..65535");
    kide_u64 now = kide_now_ns();
    int st = kide_sock_open(env, &sc, &sm, deadline > now ? (deadline - now) / 1000000 : 0);
    if (st != KIDE_OK)
        fail("socket session: %s", kide_status_name(st));
    kide_u64 remote = KIDE_SOCK_ADDR(ip, port);
    kide_u64 h = tcp_open(remote);
    kide_log(env, "echo-client: connected to %s:%u", server, (unsigned)port);
    for (unsigned i = 0; i < sizeof SIZES / sizeof SIZES[0]; i++)
        echo_one(h, SIZES[i], i + 1);
    sock_close(h);
    udp_round_trip(remote);
    kide_log(env, "PASS net-echo");
    kide_exit(env, 0);
}
