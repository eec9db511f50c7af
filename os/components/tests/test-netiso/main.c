/* SPDX-License-Identifier: MIT */
/* test-netiso: a habitat tries to get past the virtual router (scenario net-isolation).
 *
 * Sessions used: "Nic" (the router's downlink of its habitat), raw frames, no
 * stack. Config: {"addr": "10.1.0.2", "gw": "10.1.0.1", "sibling": "10.2.0.2",
 * "outside": "10.0.2.2", "uplink": "10.0.2.15", "fwd_port": 7008,
 * "timeout_ms": 30000}. Steps:
 *  1. a second "Nic" session of the same habitat must be refused (BUSY: the
 *     router's answer to a habitat that has its session, which a restarted
 *     stack retries until its old session is closed);
 *  2. ARP for the gateway must be answered (the router's MAC);
 *  3. the probes, each of which must get no answer: (a) a UDP datagram to the
 *     outside echo server with the sibling's address as source; (b) an ICMP
 *     echo request and a UDP datagram to the sibling's address; (c) a TCP SYN
 *     and a UDP datagram to the uplink address's port forwarded to the sibling;
 *  4. the control: the same UDP datagram as (a) from its own address must be
 *     answered by the outside echo server (through NAT), proving the path the
 *     probes took works; then QUIET_MS more without any other IPv4 frame.
 * Every wait is on the session's semaphore, bounded by a deadline. Ends with
 * "PASS net-isolation" and then sends one more spoofed datagram, so that the
 * router's next "drops" line follows the verdict in the log; or
 * "FAIL net-isolation: <why>" and exit code 1.
 */
#include "test.h"
#include "nic_client.h"
#include "tframe.h"
#include <kide/base.h>

#define QUIET_MS 1500
#define UDP_PORT 7
#define SRC_PORT 5555

static struct kide_env *env_;
static struct nic_client nic;
static kide_u8 mac[6], gw_mac[6];
static kide_u32 addr, gw, sibling, outside, uplink, fwd_port;
static kide_u64 deadline;
static kide_u8 frame[KIDE_NIC_SLOT_SIZE];

#define fail(...) t_fail(env_, "net-isolation", __VA_ARGS__)

/* Ethernet + IPv4 header from src to dst carrying len bytes of proto; -> the payload. */
static kide_u8 *ip_frame(kide_u32 src, kide_u32 dst, kide_u8 proto, kide_u32 len)
{
    memset(frame, 0, 14 + 20 + len);
    memcpy(frame, gw_mac, 6);
    memcpy(frame + 6, mac, 6);
    t_put16(frame + 12, 0x0800);
    kide_u8 *ip = frame + 14;
    ip[0] = 0x45, ip[8] = 64, ip[9] = proto;
    t_put16(ip + 2, 20 + len);
    t_put32(ip + 12, src), t_put32(ip + 16, dst);
    t_put16(ip + 10, ~t_csum(0, ip, 20) & 0xffff);
    return ip + 20;
}

/* The transport checksum over the pseudo-header and the segment at l4. */
static kide_u32 l4_sum(kide_u32 src, kide_u32 dst, kide_u8 proto, const kide_u8 *l4, kide_u32 len)
{
    kide_u32 s = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + len;
    return ~t_csum(s, l4, len) & 0xffff;
}

static void send(kide_u32 len)
{
    if (nic_client_send(&nic, frame, len < 60 ? 60 : len) != NIC_RING_OK)
        fail("the tx ring refused a frame");
    nic_client_flush(&nic);
}

static void send_udp(kide_u32 src, kide_u32 dst, kide_u32 dport)
{
    static const char msg[] = "isolation probe";
    kide_u8 *u = ip_frame(src, dst, 17, 8 + sizeof msg);
    t_put16(u, SRC_PORT), t_put16(u + 2, dport), t_put16(u + 4, 8 + sizeof msg);
    memcpy(u + 8, msg, sizeof msg);
    kide_u32 s = l4_sum(src, dst, 17, u, 8 + sizeof msg);
    t_put16(u + 6, s ? s : 0xffff);
    send(14 + 20 + 8 + sizeof msg);
}

static void send_ping(kide_u32 dst)
{
    kide_u8 *ic = ip_frame(addr, dst, 1, 16);
    ic[0] = 8, t_put16(ic + 4, 0x4b49), t_put16(ic + 6, 1);
    t_put16(ic + 2, ~t_csum(0, ic, 16) & 0xffff);
    send(14 + 20 + 16);
}

static void send_syn(kide_u32 dst, kide_u32 dport)
{
    kide_u8 *t = ip_frame(addr, dst, 6, 20);
    t_put16(t, SRC_PORT), t_put16(t + 2, dport), t_put32(t + 4, 0x12345678);
    t[12] = 5 << 4, t[13] = 0x02, t_put16(t + 14, 8192);
    t_put16(t + 16, l4_sum(addr, dst, 6, t, 20));
    send(14 + 20 + 20);
}

/* 2: ARP for the gateway, answered with the router's MAC. */
static void resolve_gateway(void)
{
    send(t_arp_request(frame, mac, addr, gw));
    for (kide_u32 len; (len = t_next_frame(&nic, frame, sizeof frame, deadline)) != 0;)
        if (t_is_arp_reply(frame, len, gw)) {
            memcpy(gw_mac, frame + 22, 6);
            return;
        }
    fail("no ARP reply from the gateway");
}

/* An IPv4 frame that answers the control datagram (from outside:7 to us). */
static int is_control_reply(kide_u32 len)
{
    return len >= 42 && t_get16(frame + 12) == 0x0800 && frame[23] == 17 &&
           t_get32(frame + 26) == outside && t_get32(frame + 30) == addr &&
           t_get16(frame + 34) == UDP_PORT && t_get16(frame + 36) == SRC_PORT;
}

/* 4: after the control's answer, QUIET_MS without any other IPv4 frame (the
 * control's own repeats may still be answered). */
static void quiet_period(void)
{
    kide_u64 until = kide_now_ns() + QUIET_MS * 1000000ull;
    for (kide_u32 len; (len = t_next_frame(&nic, frame, sizeof frame, until)) != 0;)
        if (t_get16(frame + 12) == 0x0800 && !is_control_reply(len))
            fail("a probe was answered: IPv4 from %u.%u.%u.%u proto %u", frame[26], frame[27],
                 frame[28], frame[29], frame[23]);
}

static void open_session(void)
{
    int st = nic_client_open(env_, &nic, 0);
    for (int i = 0; st == KIDE_NOT_FOUND && i < 600; i++) {
        kide_sleep_ms(50); /* retry of an open while the router starts, not synchronisation */
        st = nic_client_open(env_, &nic, 0);
    }
    if (st != KIDE_OK)
        fail("no NIC session: %s", t_status(st));
    for (int i = 0; i < 6; i++)
        mac[i] = (kide_u8)(nic.info.mac >> (8 * i));
    struct nic_client second;
    st = nic_client_open(env_, &second, 0);
    if (st != KIDE_BUSY)
        fail("a second session of the habitat got %s, not BUSY", t_status(st));
}

/* Config "stranger": 1: this component's habitat is not in the router's
 * configuration, so its session must be refused (DENIED); a FAIL line if not. */
static void stranger(void)
{
    int st = nic_client_open(env_, &nic, 0);
    for (int i = 0; st == KIDE_NOT_FOUND && i < 600; i++) {
        kide_sleep_ms(50); /* retry of an open while the router starts, not synchronisation */
        st = nic_client_open(env_, &nic, 0);
    }
    if (st != KIDE_DENIED)
        fail("a habitat the router does not know got %s, not DENIED", t_status(st));
    kide_log(env_, "netiso: the router refused this habitat (DENIED)");
    for (;;)
        kide_wait_signal(env_, 1000);
}

void kide_main(struct kide_env *env)
{
    env_ = env;
    if (t_cfg_u64(env, "stranger", 0))
        stranger();
    addr = t_cfg_ip(env_, "net-isolation", "addr", "10.1.0.2"),
    gw = t_cfg_ip(env_, "net-isolation", "gw", "10.1.0.1");
    sibling = t_cfg_ip(env_, "net-isolation", "sibling", "10.2.0.2"),
    outside = t_cfg_ip(env_, "net-isolation", "outside", "10.0.2.2");
    uplink = t_cfg_ip(env_, "net-isolation", "uplink", "10.0.2.15");
    fwd_port = (kide_u32)t_cfg_u64(env, "fwd_port", 7008);
    deadline = kide_now_ns() + t_cfg_u64(env, "timeout_ms", 30000) * 1000000ull;
    open_session();
    resolve_gateway();
    send_udp(sibling, outside, UDP_PORT); /* (a) the sibling's address as source */
    send_ping(sibling);                   /* (b) the sibling's network */
    send_udp(addr, sibling, UDP_PORT);
    send_syn(uplink, fwd_port); /* (c) the port forwarded to the sibling */
    send_udp(addr, uplink, fwd_port);
    /* The control: the outside echo server may start after us, so it is sent
     * again every second until answered (lost ones are ARP or start-up). */
    int answered = 0;
    for (kide_u64 t = kide_now_ns(); !answered && kide_now_ns() < deadline; t = kide_now_ns()) {
        send_udp(addr, outside, UDP_PORT);
        kide_u32 len;
        while ((len = t_next_frame(&nic, frame, sizeof frame, t + 1000000000ull)) != 0 &&
               !is_control_reply(len))
            if (t_get16(frame + 12) == 0x0800)
                fail("a probe was answered: IPv4 from %u.%u.%u.%u proto %u", frame[26], frame[27],
                     frame[28], frame[29], frame[23]);
        answered = len != 0;
    }
    if (!answered)
        fail("the control datagram to the outside was not answered");
    quiet_period();
    t_pass(env, "net-isolation");
    send_udp(sibling, outside, UDP_PORT); /* after the verdict: the router logs it next */
    for (;;)
        kide_wait_signal(env, 1000);
}
