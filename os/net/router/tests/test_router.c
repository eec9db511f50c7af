/* SPDX-License-Identifier: MIT */
/* Unit tests of the virtual router (suite os-router-unit): ARP, DHCP, NAT of TCP, UDP and
 * ICMP both ways, port forwards, isolation, per-habitat bounds, fairness, expiry,
 * configuration errors and live updates. Frames are built here and every checksum the
 * router writes is verified by this file's own ones' complement sum, not the router's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "rtr_internal.h"

/* ---- frames out ------------------------------------------------------------------- */

#define OUT_MAX 512
struct sent {
    int port;
    u32 len;
    u8 d[RTR_FRAME_MAX];
};
static struct sent out[OUT_MAX];
static u32 nout;
static struct rtr *r;

static void emit(void *ctx, int port, const u8 *f, u32 len)
{
    (void)ctx;
    assert_true(len <= RTR_FRAME_MAX);
    if (nout < OUT_MAX) {
        out[nout].port = port;
        out[nout].len = len;
        memcpy(out[nout].d, f, len);
    }
    nout++;
}

/* ---- an independent checksum ------------------------------------------------------ */

static u16 t_sum(const u8 *p, size_t n, uint64_t s)
{
    for (size_t i = 0; i < n; i++)
        s += i & 1 ? p[i] : (uint64_t)p[i] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (u16)~s;
}

/* The IPv4 header and the transport checksum of frame f verify. */
static void check_sums(const u8 *f)
{
    const u8 *ip = f + 14, *l4 = ip + 20;
    u32 tot = (u32)(ip[2] << 8 | ip[3]), l4len = tot - 20;
    uint64_t ph = 0;
    assert_int_equal(t_sum(ip, 20, 0), 0);
    for (int i = 12; i < 20; i += 2)
        ph += (u32)(ip[i] << 8 | ip[i + 1]);
    ph += ip[9] + l4len;
    if (ip[9] == RTR_ICMP)
        assert_int_equal(t_sum(l4, l4len, 0), 0);
    else if (!(ip[9] == RTR_UDP && l4[6] == 0 && l4[7] == 0))
        assert_int_equal(t_sum(l4, l4len, ph), 0);
}

/* ---- frames in -------------------------------------------------------------------- */

static const u8 mac_a[6] = {2, 0, 0, 0, 0, 0x0a}, mac_b[6] = {2, 0, 0, 0, 0, 0x0b};
static const u8 mac_rtr[6] = {0x02, 0x6b, 0x69, 0x64, 0x65, 0x00};
static const u8 mac_up[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
static const u8 mac_gw[6] = {0x52, 0x55, 0x0a, 0, 2, 2};
static const u8 bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

#define IP(a, b, c, d) ((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (u32)(d))
#define A_ADDR         IP(10, 1, 0, 2)
#define B_ADDR         IP(10, 2, 0, 2)
#define UP_ADDR        IP(10, 0, 2, 15)
#define REMOTE         IP(93, 184, 216, 34)

struct frame {
    u32 len;
    u8 d[RTR_FRAME_MAX];
};

/* An IPv4 frame with a transport header of l4len bytes (l4 given), checksums right. */
static struct frame ipf(const u8 *dmac, const u8 *smac, u32 src, u32 dst, u8 proto, const u8 *l4,
                        u32 l4len)
{
    struct frame f = {0};
    u8 *ip = f.d + 14, *t = ip + 20;
    uint64_t ph = 0;
    memcpy(f.d, dmac, 6);
    memcpy(f.d + 6, smac, 6);
    put16(f.d + 12, ETH_TYPE_IPV4);
    ip[0] = 0x45;
    put16(ip + 2, 20 + l4len);
    put16(ip + 4, 0x1234);
    put16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, t_sum(ip, 20, 0));
    memcpy(t, l4, l4len);
    ph = (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto + l4len;
    if (proto == RTR_TCP)
        put16(t + 16, t_sum(t, l4len, ph));
    else if (proto == RTR_UDP && (t[6] || t[7]))
        put16(t + 6, 0), put16(t + 6, t_sum(t, l4len, ph) ? t_sum(t, l4len, ph) : 0xffff);
    else if (proto == RTR_ICMP)
        put16(t + 2, t_sum(t, l4len, 0));
    f.len = 14 + 20 + l4len;
    return f;
}

static struct frame tcpf(const u8 *dmac, const u8 *smac, u32 src, u16 sp, u32 dst, u16 dp, u8 flags)
{
    u8 t[26] = {0};
    put16(t, sp);
    put16(t + 2, dp);
    put32(t + 4, 0x01020304);
    t[12] = 5 << 4;
    t[13] = flags;
    put16(t + 14, 8192);
    memcpy(t + 20, "hello!", 6);
    return ipf(dmac, smac, src, dst, RTR_TCP, t, sizeof(t));
}

static struct frame udpf(const u8 *dmac, const u8 *smac, u32 src, u16 sp, u32 dst, u16 dp,
                         _Bool csum)
{
    u8 t[13] = {0};
    put16(t, sp);
    put16(t + 2, dp);
    put16(t + 4, sizeof(t));
    t[6] = csum; /* nonzero: ipf computes the checksum */
    memcpy(t + 8, "query", 5);
    return ipf(dmac, smac, src, dst, RTR_UDP, t, sizeof(t));
}

static struct frame icmpf(const u8 *dmac, const u8 *smac, u32 src, u32 dst, u8 type, u16 id)
{
    u8 t[16] = {type, 0, 0, 0};
    put16(t + 4, id);
    put16(t + 6, 7);
    memcpy(t + 8, "pingpong", 8);
    return ipf(dmac, smac, src, dst, RTR_ICMP, t, sizeof(t));
}

static struct frame arpf(const u8 *smac, u32 op, u32 spa, const u8 *tha, u32 tpa)
{
    struct frame f;
    f.len = rtr_arp_build(f.d, op, smac, spa, tha, tpa);
    return f;
}

static void in(int port, struct frame f, u64 now)
{
    assert_int_equal(rtr_input(r, port, f.d, f.len, now), 0);
}

static u64 drops(int port, int reason)
{
    return rtr_counters(r, port)->drops[reason];
}

static void invariants(void)
{
    const char *why = NULL;
    if (rtr_check_invariants(r, &why) < 0)
        fail_msg("invariant: %s", why);
}

/* ---- configuration ---------------------------------------------------------------- */

#define UPLINK                                                                                     \
    "\"uplink\":{\"mac\":\"52:54:00:12:34:56\",\"address\":\"10.0.2.15/"                           \
    "24\",\"gateway\":\"10.0.2.2\"}"
#define HAB_A                                                                                      \
    "{\"name\":\"a\",\"mac\":\"02:00:00:00:00:0a\",\"address\":\"10.1.0.2/"                        \
    "24\",\"gateway\":\"10.1.0.1\",\"dhcp\":true}"
#define HAB_B                                                                                      \
    "{\"name\":\"b\",\"mac\":\"02:00:00:00:00:0b\",\"address\":\"10.2.0.2/"                        \
    "24\",\"gateway\":\"10.2.0.1\",\"nat_max\":4}"
#define FWD "{\"proto\":\"tcp\",\"port\":7443,\"to\":\"a\",\"to_port\":443}"
#define BASE_CFG(extra)                                                                            \
    "{" UPLINK ",\"dns\":\"10.0.2.3\",\"habitats\":[" HAB_A "," HAB_B "],\"forward\":[" FWD        \
    "]" extra "}"

static int sa, sb; /* the habitats' slots */

static int setup(void **state)
{
    struct rtr_error err;
    (void)state;
    r = calloc(1, sizeof(*r));
    rtr_init(r, emit, NULL);
    if (rtr_configure(r, BASE_CFG(""), strlen(BASE_CFG("")), 0, &err) < 0)
        fail_msg("%s (%s)", err.msg, err.hint);
    sa = rtr_slot(r, "a");
    sb = rtr_slot(r, "b");
    assert_true(sa >= 0 && sb >= 0 && sa != sb);
    nout = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    invariants();
    free(r);
    return 0;
}

/* The uplink gateway answers the router's ARP request. */
static void learn_gateway(void)
{
    assert_int_equal(rtr_poll(r, 0, 1), 1); /* the ARP request, within the budget */
    assert_true(nout >= 1);
    assert_int_equal(out[nout - 1].port, RTR_UPLINK);
    assert_int_equal(get16(out[nout - 1].d + 20), 1);
    assert_int_equal(get32(out[nout - 1].d + 38), IP(10, 0, 2, 2));
    in(RTR_UPLINK, arpf(mac_gw, 2, IP(10, 0, 2, 2), mac_up, UP_ADDR), 0);
    nout = 0;
}

static u16 mapped(int slot, u32 index)
{
    return (u16)(RTR_NAT_PORT_BASE + slot * RTR_NAT_PER_HAB + index);
}

/* ---- tests ------------------------------------------------------------------------ */

static void test_arp(void **state)
{
    (void)state;
    in(sa, arpf(mac_a, 1, A_ADDR, bcast, IP(10, 1, 0, 1)), 0);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, sa);
    assert_memory_equal(out[0].d, mac_a, 6);
    assert_int_equal(get16(out[0].d + 20), 2);
    assert_memory_equal(out[0].d + 22, mac_rtr, 6);
    assert_int_equal(get32(out[0].d + 28), IP(10, 1, 0, 1));
    assert_int_equal(get32(out[0].d + 38), A_ADDR);
    /* Not the router's address, or another habitat's gateway: no answer. */
    in(sa, arpf(mac_a, 1, A_ADDR, bcast, IP(10, 2, 0, 1)), 0);
    in(sa, arpf(mac_a, 1, A_ADDR, bcast, IP(10, 1, 0, 7)), 0);
    assert_int_equal(nout, 1);
    /* Claiming another address: spoofed. */
    in(sa, arpf(mac_a, 1, B_ADDR, bcast, IP(10, 1, 0, 1)), 0);
    assert_int_equal(drops(sa, RTR_DROP_SPOOFED), 1);
    /* The uplink's address on the uplink. */
    in(RTR_UPLINK, arpf(mac_gw, 1, IP(10, 0, 2, 2), bcast, UP_ADDR), 0);
    assert_int_equal(nout, 2);
    assert_int_equal(out[1].port, RTR_UPLINK);
    assert_memory_equal(out[1].d + 22, mac_up, 6);
    assert_memory_equal(out[1].d, mac_gw, 6);
    assert_int_equal(rtr_counters(r, sa)->answered, 1);
}

static void test_nat_tcp(void **state)
{
    struct frame f;
    (void)state;
    learn_gateway();
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 50000, REMOTE, 80, TCP_SYN), 1);
    assert_int_equal(nout, 0); /* queued */
    assert_int_equal(rtr_poll(r, 1, 8), 1);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, RTR_UPLINK);
    assert_memory_equal(out[0].d, mac_gw, 6);
    assert_memory_equal(out[0].d + 6, mac_up, 6);
    assert_int_equal(get32(out[0].d + 26), UP_ADDR);
    assert_int_equal(get32(out[0].d + 30), REMOTE);
    assert_int_equal(get16(out[0].d + 34), mapped(sa, 0));
    assert_int_equal(get16(out[0].d + 36), 80);
    assert_int_equal(out[0].d[22], 63);
    assert_memory_equal(out[0].d + 54, "hello!", 6);
    check_sums(out[0].d);
    /* The answer comes back to a. */
    f = tcpf(mac_up, mac_gw, REMOTE, 80, UP_ADDR, mapped(sa, 0), TCP_SYN | TCP_ACK);
    in(RTR_UPLINK, f, 2);
    assert_int_equal(nout, 2);
    assert_int_equal(out[1].port, sa);
    assert_memory_equal(out[1].d, mac_a, 6);
    assert_memory_equal(out[1].d + 6, mac_rtr, 6);
    assert_int_equal(get32(out[1].d + 30), A_ADDR);
    assert_int_equal(get16(out[1].d + 36), 50000);
    assert_int_equal(get32(out[1].d + 26), REMOTE);
    check_sums(out[1].d);
    /* From another remote port: not this connection's. */
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 81, UP_ADDR, mapped(sa, 0), TCP_ACK), 3);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_NO_MAPPING), 1);
    /* A segment without SYN opens nothing. */
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 50001, REMOTE, 80, TCP_ACK), 4);
    rtr_poll(r, 4, 8);
    assert_int_equal(drops(sa, RTR_DROP_NO_MAPPING), 1);
    assert_int_equal(rtr_nat_used(r, sa), 1);
}

static void test_nat_udp(void **state)
{
    (void)state;
    learn_gateway();
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 5353, IP(10, 0, 2, 3), 53, 1), 0);
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 5354, REMOTE, 53, 0), 0);
    /* 10.0.2.3 is on-link: its MAC is asked for (a frame of the budget), the first datagram
     * is dropped, the second goes to the gateway. */
    assert_int_equal(rtr_poll(r, 0, 8), 2);
    assert_int_equal(drops(sa, RTR_DROP_NO_NEIGHBOUR), 1);
    assert_int_equal(get32(out[0].d + 38), IP(10, 0, 2, 3)); /* the ARP request */
    in(RTR_UPLINK, arpf(mac_gw, 2, IP(10, 0, 2, 3), mac_up, UP_ADDR), 0);
    /* The checksumless datagram went to the gateway with checksum 0 still. */
    assert_int_equal(get32(out[1].d + 30), REMOTE);
    assert_int_equal(get16(out[1].d + 40), 0);
    check_sums(out[1].d);
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 5353, IP(10, 0, 2, 3), 53, 1), 1);
    assert_int_equal(rtr_poll(r, 1, 8), 1);
    assert_int_equal(get16(out[2].d + 34), mapped(sa, 1));
    assert_int_not_equal(get16(out[2].d + 40), 0);
    check_sums(out[2].d);
    in(RTR_UPLINK, udpf(mac_up, mac_gw, IP(10, 0, 2, 3), 53, UP_ADDR, mapped(sa, 1), 1), 2);
    assert_int_equal(out[3].port, sa);
    assert_int_equal(get16(out[3].d + 36), 5353);
    assert_int_equal(get32(out[3].d + 30), A_ADDR);
    check_sums(out[3].d);
}

static void test_nat_icmp(void **state)
{
    (void)state;
    learn_gateway();
    in(sb, icmpf(mac_rtr, mac_b, B_ADDR, REMOTE, ICMP_ECHO, 0x1234), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 1);
    assert_int_equal(get32(out[0].d + 26), UP_ADDR);
    assert_int_equal(get16(out[0].d + 38), mapped(sb, 0));
    check_sums(out[0].d);
    in(RTR_UPLINK, icmpf(mac_up, mac_gw, REMOTE, UP_ADDR, ICMP_ECHO_REPLY, mapped(sb, 0)), 1);
    assert_int_equal(nout, 2);
    assert_int_equal(out[1].port, sb);
    assert_int_equal(get16(out[1].d + 38), 0x1234);
    assert_int_equal(get32(out[1].d + 30), B_ADDR);
    check_sums(out[1].d);
    /* An echo request from outside and an unknown id are not forwarded. */
    in(RTR_UPLINK, icmpf(mac_up, mac_gw, REMOTE, UP_ADDR, ICMP_ECHO, 1), 1);
    in(RTR_UPLINK, icmpf(mac_up, mac_gw, REMOTE, UP_ADDR, ICMP_ECHO_REPLY, mapped(sb, 1)), 1);
    assert_int_equal(nout, 2);
}

static void test_forward(void **state)
{
    (void)state;
    learn_gateway();
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, IP(198, 51, 100, 7), 33333, UP_ADDR, 7443, TCP_SYN), 0);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, sa);
    assert_int_equal(get32(out[0].d + 30), A_ADDR);
    assert_int_equal(get16(out[0].d + 36), 443);
    check_sums(out[0].d);
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 443, IP(198, 51, 100, 7), 33333, TCP_SYN | TCP_ACK), 1);
    assert_int_equal(rtr_poll(r, 1, 8), 1);
    assert_int_equal(out[1].port, RTR_UPLINK);
    assert_int_equal(get32(out[1].d + 26), UP_ADDR);
    assert_int_equal(get16(out[1].d + 34), 7443);
    check_sums(out[1].d);
    /* Another client without SYN: nothing. */
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, IP(198, 51, 100, 8), 1, UP_ADDR, 7443, TCP_ACK), 2);
    assert_int_equal(nout, 2);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_NO_MAPPING), 1);
}

static void test_forward_not_configured(void **state)
{
    (void)state;
    learn_gateway();
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 1000, UP_ADDR, 8080, TCP_SYN), 0);
    in(RTR_UPLINK, udpf(mac_up, mac_gw, REMOTE, 1000, UP_ADDR, 7443, 1), 0);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 1000, UP_ADDR, 443, TCP_SYN), 0);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 1000, A_ADDR, 443, TCP_SYN), 0);
    assert_int_equal(nout, 0);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_NO_MAPPING), 3);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_NOT_ROUTED), 1);
    /* From outside, posing as a habitat or the router: not let in, even to a forward. */
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, B_ADDR, 1000, UP_ADDR, 7443, TCP_SYN), 0);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, UP_ADDR, 1000, UP_ADDR, 7443, TCP_SYN), 0);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, IP(127, 0, 0, 1), 1000, UP_ADDR, 7443, TCP_SYN), 0);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_SPOOFED), 3);
    assert_int_equal(nout, 0);
    /* A habitat cannot send to the uplink network's broadcast address. */
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 1, IP(10, 0, 2, 255), 53, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(drops(sa, RTR_DROP_NOT_ROUTED), 1);
    assert_int_equal(nout, 0);
}

static void test_spoofed(void **state)
{
    (void)state;
    learn_gateway();
    in(sa, udpf(mac_rtr, mac_a, IP(10, 1, 0, 99), 1, REMOTE, 53, 1), 0);
    in(sa, udpf(mac_rtr, mac_a, B_ADDR, 1, REMOTE, 53, 1), 0);
    in(sa, udpf(mac_rtr, mac_b, A_ADDR, 1, REMOTE, 53, 1), 0);
    in(sa, udpf(mac_rtr, mac_a, UP_ADDR, 1, REMOTE, 53, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 0);
    assert_int_equal(drops(sa, RTR_DROP_SPOOFED), 4);
    assert_int_equal(rtr_nat_used(r, sa), 0);
}

static void update_ok(const char *doc, int want)
{
    static struct rtr_verdicts v;
    struct rtr_error err;
    int rc = rtr_update(r, doc, strlen(doc), 0, &v, &err);
    if (rc < 0)
        fail_msg("%s (%s)", err.msg, err.hint);
    for (u32 i = 0; i < v.n; i++)
        if (!v.v[i].applied)
            print_message("rejected %s: %s\n", v.v[i].item, v.v[i].err.msg);
    assert_int_equal(rc, want);
}

static void test_sibling(void **state)
{
    (void)state;
    learn_gateway();
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 4000, B_ADDR, 80, TCP_SYN), 0);
    in(sa, icmpf(mac_rtr, mac_a, A_ADDR, B_ADDR, ICMP_ECHO, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 0);
    assert_int_equal(drops(sa, RTR_DROP_ISOLATION), 2);
    update_ok(BASE_CFG(",\"allow\":[{\"from\":\"a\",\"to\":\"b\",\"proto\":\"tcp\",\"port\":80}]"),
              0);
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 4000, B_ADDR, 80, TCP_SYN), 1);
    rtr_poll(r, 1, 8);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, sb);
    assert_memory_equal(out[0].d, mac_b, 6);
    assert_int_equal(get32(out[0].d + 26), A_ADDR);
    assert_int_equal(get32(out[0].d + 30), B_ADDR);
    check_sums(out[0].d);
    /* b answers from port 80; b cannot open its own connection to a. */
    in(sb, tcpf(mac_rtr, mac_b, B_ADDR, 80, A_ADDR, 4000, TCP_SYN | TCP_ACK), 2);
    in(sb, tcpf(mac_rtr, mac_b, B_ADDR, 5000, A_ADDR, 22, TCP_SYN), 2);
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 4000, B_ADDR, 22, TCP_SYN), 2);
    in(sa, icmpf(mac_rtr, mac_a, A_ADDR, B_ADDR, ICMP_ECHO, 1), 2);
    rtr_poll(r, 2, 8);
    assert_int_equal(nout, 2);
    assert_int_equal(out[1].port, sa);
    assert_int_equal(drops(sb, RTR_DROP_ISOLATION), 1);
    assert_int_equal(drops(sa, RTR_DROP_ISOLATION), 4);
}

/* A rule of proto any lets echo through one way; a UDP forward; a new uplink drops every entry. */
static void test_more(void **state)
{
    const char *doc;
    (void)state;
    learn_gateway();
    update_ok(BASE_CFG(",\"allow\":[{\"from\":\"b\",\"to\":\"a\"}]"), 0);
    in(sb, icmpf(mac_rtr, mac_b, B_ADDR, A_ADDR, ICMP_ECHO, 9), 0);
    in(sa, icmpf(mac_rtr, mac_a, A_ADDR, B_ADDR, ICMP_ECHO_REPLY, 9), 0);
    in(sa, icmpf(mac_rtr, mac_a, A_ADDR, B_ADDR, ICMP_ECHO, 9), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 2);
    assert_int_equal(out[0].port + out[1].port, sa + sb);
    check_sums(out[0].d);
    check_sums(out[1].d);
    assert_int_equal(drops(sa, RTR_DROP_ISOLATION), 1);
    /* A UDP forward into b and b's answer. */
    doc = "{" UPLINK ",\"habitats\":[" HAB_A "," HAB_B "],\"forward\":[{\"proto\":\"udp\","
          "\"port\":5353,\"to\":\"b\",\"to_port\":53}]}";
    update_ok(doc, 0);
    nout = 0;
    in(RTR_UPLINK, udpf(mac_up, mac_gw, REMOTE, 999, UP_ADDR, 5353, 1), 1);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, sb);
    assert_int_equal(get16(out[0].d + 36), 53);
    check_sums(out[0].d);
    in(sb, udpf(mac_rtr, mac_b, B_ADDR, 53, REMOTE, 999, 1), 1);
    rtr_poll(r, 1, 8);
    assert_int_equal(get16(out[1].d + 34), 5353);
    check_sums(out[1].d);
    assert_int_equal(rtr_nat_used(r, sb), 1);
    /* A new uplink address: every entry and the ARP cache go. */
    doc = "{\"uplink\":{\"mac\":\"52:54:00:12:34:56\",\"address\":\"10.0.2.16/24\","
          "\"gateway\":\"10.0.2.2\"},\"habitats\":[" HAB_A "," HAB_B "],\"forward\":[{\"proto\":"
          "\"udp\",\"port\":5353,\"to\":\"b\",\"to_port\":53}]}";
    update_ok(doc, 0);
    assert_int_equal(rtr_nat_used(r, sb), 0);
    nout = 0;
    in(sb, udpf(mac_rtr, mac_b, B_ADDR, 53, REMOTE, 999, 1), 2);
    rtr_poll(r, 2, 8);
    assert_int_equal(drops(sb, RTR_DROP_NO_NEIGHBOUR), 1);
}

/* ARP requests for unresolved next hops count against the budget. */
static void test_budget(void **state)
{
    (void)state;
    learn_gateway();
    assert_int_equal(rtr_queue_room(r, sa), RTR_QUEUE_DEFAULT);
    assert_int_equal(rtr_queue_room(r, RTR_UPLINK), 0);
    for (u32 i = 0; i < 10; i++)
        in(sa, udpf(mac_rtr, mac_a, A_ADDR, 1, IP(10, 0, 2, 100 + i), 53, 1), 0);
    assert_int_equal(rtr_queue_room(r, sa), RTR_QUEUE_DEFAULT - 10);
    assert_int_equal(rtr_poll(r, 0, 3), 3);
    assert_int_equal(rtr_queue_room(r, sa), RTR_QUEUE_DEFAULT - 7);
    assert_int_equal(nout, 3);
    assert_int_equal(rtr_counters(r, sa)->drops[RTR_DROP_NO_NEIGHBOUR], 3);
    assert_int_equal(rtr_poll(r, 0, 100), 7);
}

static void test_table_full(void **state)
{
    (void)state;
    learn_gateway();
    for (u16 p = 1; p <= 6; p++)
        in(sb, udpf(mac_rtr, mac_b, B_ADDR, p, REMOTE, 53, 1), 0);
    rtr_poll(r, 0, 16);
    assert_int_equal(rtr_nat_used(r, sb), 4);
    assert_int_equal(drops(sb, RTR_DROP_NAT_FULL), 2);
    /* a is not affected. */
    for (u16 p = 1; p <= 6; p++)
        in(sa, udpf(mac_rtr, mac_a, A_ADDR, p, REMOTE, 53, 1), 0);
    rtr_poll(r, 0, 16);
    assert_int_equal(rtr_nat_used(r, sa), 6);
    assert_int_equal(drops(sa, RTR_DROP_NAT_FULL), 0);
    assert_int_equal(nout, 10);
    /* After the timeout b's entries make room again. */
    in(sb, udpf(mac_rtr, mac_b, B_ADDR, 9, REMOTE, 53, 1), RTR_TO_UDP);
    rtr_poll(r, RTR_TO_UDP, 16);
    assert_int_equal(rtr_nat_used(r, sb), 1);
}

/* SYNs to a forward fill a's block; unanswered entries make room, answered ones stay. */
static void test_syn_flood(void **state)
{
    u16 p;
    (void)state;
    learn_gateway();
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 50000, REMOTE, 80, TCP_SYN), 0);
    rtr_poll(r, 0, 8);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 80, UP_ADDR, mapped(sa, 0), TCP_SYN | TCP_ACK), 0);
    nout = 0;
    for (p = 1; p <= 300; p++)
        in(RTR_UPLINK, tcpf(mac_up, mac_gw, IP(203, 0, 113, 9), p, UP_ADDR, 7443, TCP_SYN), p);
    assert_int_equal(nout, 300);
    assert_int_equal(rtr_nat_used(r, sa), RTR_NAT_DEFAULT);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_NAT_FULL), 0);
    /* The answered connection is still there. */
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 80, UP_ADDR, mapped(sa, 0), TCP_ACK), 400);
    assert_int_equal(out[nout - 1].port, sa);
    assert_int_equal(get16(out[nout - 1].d + 36), 50000);
}

static void test_fairness(void **state)
{
    u32 from_a = 0, from_b = 0, sent_b = 0;
    (void)state;
    learn_gateway();
    /* a offers 100 frames per round, b one; the uplink takes 2 frames per round. */
    for (int round = 0; round < 50; round++) {
        for (int i = 0; i < 100; i++)
            in(sa, udpf(mac_rtr, mac_a, A_ADDR, 1000, REMOTE, 53, 1), (u64)round);
        in(sb, udpf(mac_rtr, mac_b, B_ADDR, 1000, REMOTE, 53, 1), (u64)round);
        sent_b++;
        nout = 0;
        rtr_poll(r, (u64)round, 2);
        for (u32 i = 0; i < nout; i++) {
            u16 sp = get16(out[i].d + 34);
            from_a += sp == mapped(sa, 0);
            from_b += sp == mapped(sb, 0);
        }
    }
    /* b's demand is below its fair share (1 of 2 slots): all of it went out. */
    assert_int_equal(from_b, sent_b);
    assert_int_equal(from_a, 50);
    assert_int_equal(drops(sb, RTR_DROP_QUEUE_FULL), 0);
    assert_true(drops(sa, RTR_DROP_QUEUE_FULL) > 4000);
}

static void test_expiry(void **state)
{
    (void)state;
    learn_gateway();
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 1, REMOTE, 53, 1), 1000);
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 2, REMOTE, 80, TCP_SYN), 1000);
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 3, REMOTE, 80, TCP_SYN), 1000);
    rtr_poll(r, 1000, 8);
    assert_int_equal(rtr_nat_used(r, sa), 3);
    /* Both TCP connections are established; the second one closes. */
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 80, UP_ADDR, mapped(sa, 1), TCP_SYN | TCP_ACK),
       1000);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 80, UP_ADDR, mapped(sa, 2), TCP_SYN | TCP_ACK),
       1000);
    in(sa, tcpf(mac_rtr, mac_a, A_ADDR, 3, REMOTE, 80, TCP_FIN | TCP_ACK), 2000);
    rtr_poll(r, 2000, 8);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 80, UP_ADDR, mapped(sa, 2), TCP_FIN | TCP_ACK),
       2000);
    assert_int_equal(rtr_expire(r, 2000 + RTR_TO_TCP_CLOSED - 1), 0);
    assert_int_equal(rtr_expire(r, 2000 + RTR_TO_TCP_CLOSED), 1);
    assert_int_equal(rtr_expire(r, 1000 + RTR_TO_UDP - 1), 0);
    assert_int_equal(rtr_expire(r, 1000 + RTR_TO_UDP), 1);
    assert_int_equal(rtr_expire(r, 1000 + RTR_TO_TCP_EST - 1), 0);
    assert_int_equal(rtr_expire(r, 1000 + RTR_TO_TCP_EST), 1);
    assert_int_equal(rtr_nat_used(r, sa), 0);
    /* A late reply finds nothing. */
    in(RTR_UPLINK, udpf(mac_up, mac_gw, REMOTE, 53, UP_ADDR, mapped(sa, 0), 1), RTR_TO_TCP_EST);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_NO_MAPPING), 1);
}

/* The document is rejected and the message names what is expected. */
static void bad(const char *doc, const char *needle)
{
    struct rtr_error err;
    struct rtr t;
    static struct rtr *fresh;
    if (!fresh)
        fresh = calloc(1, sizeof(*fresh));
    (void)t;
    rtr_init(fresh, NULL, NULL);
    if (rtr_configure(fresh, doc, strlen(doc), 0, &err) == 0)
        fail_msg("accepted: %s", doc);
    if (!strstr(err.msg, needle))
        fail_msg("'%s' lacks '%s'", err.msg, needle);
    assert_true(err.hint[0] != 0);
    assert_false(fresh->configured);
}

#define H(extra)                                                                                   \
    "{\"name\":\"h\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.9.0.2/"                        \
    "24\",\"gateway\":\"10.9.0.1\"" extra "}"
#define DOC(habs, rest) "{" UPLINK ",\"habitats\":[" habs "]" rest "}"

#define N32 "abcdefghijklmnopqrstuvwxyz-01234"

static void test_config_errors(void **state)
{
    (void)state;
    bad("{", "configuration: line 1");
    bad("[]", "configuration: not a JSON object");
    bad("{\"habitats\":[]}", "uplink: missing");
    bad("{" UPLINK "}", "habitats: missing");
    bad(DOC("", ",\"bogus\":1"), "unknown field 'bogus'");
    bad(DOC(H(",\"mtu\":1"), ""), "habitats[0] 'h': unknown field 'mtu'");
    bad(DOC(H(",\"nat_max\":0"), ""), "habitats[0] 'h': nat_max: not an integer from 1 to 256");
    bad(DOC(H(",\"queue\":33"), ""), "queue: not an integer from 1 to 32");
    bad(DOC(H(",\"dhcp\":1"), ""), "dhcp: not a boolean");
    bad(DOC("{\"name\":\"h\",\"mac\":\"02:00:00:00:00\",\"address\":\"10.9.0.2/"
            "24\",\"gateway\":\"10.9.0.1\"}",
            ""),
        "mac: '02:00:00:00:00' is not a unicast MAC");
    bad(DOC("{\"name\":\"h\",\"mac\":\"01:00:00:00:00:01\",\"address\":\"10.9.0.2/"
            "24\",\"gateway\":\"10.9.0.1\"}",
            ""),
        "not a unicast MAC");
    bad(DOC("{\"name\":\"h\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.9.0.0/"
            "24\",\"gateway\":\"10.9.0.1\"}",
            ""),
        "address: the network's own or broadcast address");
    bad(DOC("{\"name\":\"h\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.9.0.2/"
            "24\",\"gateway\":\"10.8.0.1\"}",
            ""),
        "gateway: not inside the network");
    bad(DOC("{\"name\":\"h\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.9.0.2\",\"gateway\":"
            "\"10.9.0.1\"}",
            ""),
        "address: '10.9.0.2' is not an IPv4 address with a prefix");
    bad(DOC("{\"name\":\"h\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.09.0.2/"
            "24\",\"gateway\":\"10.9.0.1\"}",
            ""),
        "is not an IPv4 address");
    bad(DOC("{\"name\":\"h\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.9.0.2/"
            "31\",\"gateway\":\"10.9.0.1\"}",
            ""),
        "prefix /31 out of range");
    bad(DOC("{\"name\":\"h\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.0.2.99/"
            "24\",\"gateway\":\"10.0.2.1\"}",
            ""),
        "overlaps the uplink's network");
    bad(DOC(H("") "," H(""), ""), "habitats[1] 'h': name: given twice");
    bad(DOC(H("") ",{\"name\":\"i\",\"mac\":\"02:00:00:00:00:02\",\"address\":\"10.9.0.130/"
                  "25\",\"gateway\":\"10.9.0.129\"}",
            ""),
        "habitats[1] 'i': address: overlaps the network of habitat 'h'");
    bad(DOC(H(""), ",\"forward\":[{\"proto\":\"tcp\",\"port\":80,\"to\":\"x\",\"to_port\":80}]"),
        "forward[0]: to: no habitat 'x'");
    bad(DOC(H(""), ",\"forward\":[{\"proto\":\"sctp\",\"port\":80,\"to\":\"h\",\"to_port\":80}]"),
        "forward[0]: proto: 'sctp'");
    bad(DOC(H(""), ",\"forward\":[{\"proto\":\"tcp\",\"port\":41000,\"to\":\"h\",\"to_port\":80}]"),
        "forward[0]: port: 41000 is in the NAT range");
    bad(DOC(H(""), ",\"forward\":[{\"proto\":\"tcp\",\"port\":80,\"to\":\"h\"}]"),
        "to_port: missing");
    bad(DOC(H(""), ",\"forward\":[{\"proto\":\"tcp\",\"port\":80,\"to\":\"h\",\"to_port\":80},"
                   "{\"proto\":\"tcp\",\"port\":80,\"to\":\"h\",\"to_port\":81}]"),
        "forward[1]: port: forwarded twice");
    bad(DOC(H(""), ",\"allow\":[{\"from\":\"h\",\"to\":\"h\"}]"), "allow[0]: to: same as from");
    bad(DOC(H(""), ",\"allow\":[{\"from\":\"h\",\"to\":\"q\"}]"), "allow[0]: to: no habitat 'q'");
    bad(DOC(H(""), ",\"forward\":{}"), "forward: not an array");
    {
        char doc[8192];
        int n = snprintf(doc, sizeof(doc), "{" UPLINK ",\"habitats\":[" H("") "],\"allow\":[");
        for (int i = 0; i < 33; i++)
            n += snprintf(doc + n, sizeof(doc) - (size_t)n, "%s{\"from\":\"h\",\"to\":\"h\"}",
                          i ? "," : "");
        snprintf(doc + n, sizeof(doc) - (size_t)n, "]}");
        bad(doc, "allow: more than 32");
    }
    /* Names as long as hoitaja's (32 bytes), and not longer. */
    bad(DOC("{\"name\":\"" N32 "x\",\"mac\":\"02:00:00:00:00:01\",\"address\":\"10.9.0.2/24\","
            "\"gateway\":\"10.9.0.1\"}",
            ""),
        "habitats[0]: name: empty or too long");
    {
        const char *ok = DOC("{\"name\":\"" N32 "\",\"mac\":\"02:00:00:00:00:01\",\"address\":"
                             "\"10.9.0.2/24\",\"gateway\":\"10.9.0.1\"}",
                             "");
        struct rtr_error err;
        rtr_init(r, NULL, NULL);
        assert_int_equal(rtr_configure(r, ok, strlen(ok), 0, &err), 0);
        assert_int_equal(rtr_slot(r, N32), 0);
    }
}

static void test_update(void **state)
{
    static struct rtr_verdicts v;
    struct rtr_error err;
    const char *doc;
    (void)state;
    learn_gateway();
    /* An inbound forward connection and an outbound one of b, and a queued frame of b. */
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 5, UP_ADDR, 7443, TCP_SYN), 0);
    in(sb, udpf(mac_rtr, mac_b, B_ADDR, 7, REMOTE, 53, 1), 0);
    rtr_poll(r, 0, 8);
    in(sb, udpf(mac_rtr, mac_b, B_ADDR, 8, REMOTE, 53, 1), 0);
    assert_int_equal(rtr_nat_used(r, sa), 1);
    assert_int_equal(rtr_nat_used(r, sb), 1);
    /* Remove the forward, change b, add a bad forward and a good one. */
    doc = "{" UPLINK ",\"habitats\":[" HAB_A ",{\"name\":\"b\",\"mac\":\"02:00:00:00:00:0b\","
          "\"address\":\"10.3.0.2/24\",\"gateway\":\"10.3.0.1\"}],\"forward\":["
          "{\"proto\":\"udp\",\"port\":5000,\"to\":\"nobody\",\"to_port\":1},"
          "{\"proto\":\"udp\",\"port\":5001,\"to\":\"b\",\"to_port\":1}]}";
    assert_int_equal(rtr_update(r, doc, strlen(doc), 0, &v, &err), 1);
    assert_int_equal(rtr_nat_used(r, sa), 0);
    assert_int_equal(rtr_nat_used(r, sb), 0);
    assert_int_equal(drops(sb, RTR_DROP_RECONFIGURED), 1);
    assert_int_equal(rtr_slot(r, "b"), sb);
    assert_int_equal(v.n, 6);
    assert_string_equal(v.v[0].item, "router");
    assert_int_equal(v.v[0].change, RTR_CHANGED); /* the document drops "dns" */
    for (u32 i = 1; i < 3; i++) {
        _Bool is_b = !strcmp(v.v[i].item, "habitat 'b'");
        assert_int_equal(v.v[i].change, is_b ? RTR_CHANGED : RTR_UNCHANGED);
    }
    assert_string_equal(v.v[3].item, "forward udp/5000");
    assert_false(v.v[3].applied);
    assert_non_null(strstr(v.v[3].err.msg, "forward[0]: to: no habitat 'nobody'"));
    assert_string_equal(v.v[4].item, "forward udp/5001");
    assert_true(v.v[4].applied);
    assert_int_equal(v.v[4].change, RTR_ADDED);
    assert_string_equal(v.v[5].item, "forward tcp/7443");
    assert_int_equal(v.v[5].change, RTR_REMOVED);
    /* The removed forward no longer lets anything in. */
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 6, UP_ADDR, 7443, TCP_SYN), 0);
    assert_int_equal(drops(RTR_UPLINK, RTR_DROP_NO_MAPPING), 1);
    /* A bad habitat rejects the whole document and changes nothing. */
    doc = "{" UPLINK ",\"habitats\":[]"
          ",\"forward\":[],\"allow\":{}}";
    assert_int_equal(rtr_update(r, doc, strlen(doc), 0, &v, &err), -1);
    assert_int_equal(rtr_slot(r, "b"), sb);
    /* Removing b wipes its slot. */
    doc = "{" UPLINK ",\"habitats\":[" HAB_A "]}";
    assert_int_equal(rtr_update(r, doc, strlen(doc), 0, &v, &err), 0);
    assert_int_equal(rtr_slot(r, "b"), -1);
    assert_null(rtr_counters(r, sb));
    assert_int_equal(rtr_input(r, sb, out[0].d, 60, 0), -1);
}

/* A rejected change of a forward leaves the forward in effect, and its connections. */
static void test_update_kept(void **state)
{
    static struct rtr_verdicts v;
    struct rtr_error err;
    const char *doc = "{" UPLINK ",\"dns\":\"10.0.2.3\",\"habitats\":[" HAB_A "," HAB_B
                      "],\"forward\":[{\"proto\":\"tcp\",\"port\":7443,\"to\":\"b\","
                      "\"to_port\":99999}]}";
    (void)state;
    learn_gateway();
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 5, UP_ADDR, 7443, TCP_SYN), 0);
    assert_int_equal(rtr_nat_used(r, sa), 1);
    assert_int_equal(rtr_update(r, doc, strlen(doc), 0, &v, &err), 1);
    assert_int_equal(v.n, 4);
    assert_string_equal(v.v[3].item, "forward tcp/7443");
    assert_int_equal(v.v[3].change, RTR_CHANGED);
    assert_false(v.v[3].applied);
    assert_true(v.v[3].kept);
    assert_non_null(strstr(v.v[3].err.msg, "forward[0]: to_port: not an integer"));
    assert_int_equal(rtr_nat_used(r, sa), 1);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 6, UP_ADDR, 7443, TCP_SYN), 0);
    assert_int_equal(rtr_nat_used(r, sa), 2);
    assert_int_equal(out[nout - 1].port, sa);
}

static void test_dhcp(void **state)
{
    u8 m[300] = {0};
    u8 u[8 + 300];
    struct frame f;
    (void)state;
    m[0] = 1, m[1] = 1, m[2] = 6;
    put32(m + 4, 0xdeadbeef);
    memcpy(m + 28, mac_a, 6);
    put32(m + 236, 0x63825363);
    m[240] = 53, m[241] = 1, m[242] = 1, m[243] = 255;
    put16(u, 68), put16(u + 2, 67), put16(u + 4, sizeof(u)), put16(u + 6, 1);
    memcpy(u + 8, m, sizeof(m));
    f = ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, sizeof(u));
    in(sa, f, 0);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, sa);
    check_sums(out[0].d);
    assert_int_equal(get32(out[0].d + 26), IP(10, 1, 0, 1));
    assert_int_equal(get32(out[0].d + 42 + 4), 0xdeadbeef);
    assert_int_equal(get32(out[0].d + 42 + 16), A_ADDR);
    assert_int_equal(out[0].d[42 + 240 + 2], 2); /* OFFER */
    /* REQUEST for the offered address: ACK; for another: NAK. */
    m[242] = 3;
    m[243] = 50, m[244] = 4;
    put32(m + 245, A_ADDR);
    m[249] = 255;
    memcpy(u + 8, m, sizeof(m));
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, sizeof(u)), 0);
    assert_int_equal(out[1].d[42 + 240 + 2], 5);
    put32(m + 245, IP(10, 1, 0, 9));
    memcpy(u + 8, m, sizeof(m));
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, sizeof(u)), 0);
    assert_int_equal(out[2].d[42 + 240 + 2], 6);
    check_sums(out[2].d);
    /* b has no DHCP; an option running past the end is malformed. */
    memcpy(u + 8 + 28, mac_b, 6);
    in(sb, ipf(bcast, mac_b, 0, 0xffffffffu, RTR_UDP, u, sizeof(u)), 0);
    assert_int_equal(drops(sb, RTR_DROP_NOT_ROUTED), 1);
    m[243] = 50, m[244] = 200;
    memcpy(u + 8, m, sizeof(m));
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, sizeof(u)), 0);
    assert_int_equal(drops(sa, RTR_DROP_MALFORMED), 1);
    assert_int_equal(nout, 3);
}

/* A DHCP message of the given type from chaddr, asking for `want` (option
 * 50, 0: none) with ciaddr `ci`, into u (the UDP datagram); its length. */
static u32 dhcp_msg(u8 *u, u32 type, const u8 *chaddr, u32 want, u32 ci)
{
    u8 *m = u + 8;
    u32 n = 240;
    memset(u, 0, 8 + 300);
    m[0] = 1, m[1] = 1, m[2] = 6;
    put32(m + 4, 0x1234);
    put32(m + 12, ci);
    memcpy(m + 28, chaddr, 6);
    put32(m + 236, 0x63825363);
    m[n++] = 53, m[n++] = 1, m[n++] = (u8)type;
    if (want) {
        m[n++] = 50, m[n++] = 4;
        put32(m + n, want);
        n += 4;
    }
    m[n] = 255;
    put16(u, 68), put16(u + 2, 67), put16(u + 4, 8 + 300), put16(u + 6, 0);
    return 8 + 300;
}

/* A habitat never gets another habitat's address from the DHCP server: it
 * is offered only its own, a request for another is refused, a message in
 * another habitat's name (chaddr) is spoofed, and an INFORM for another's
 * address is not acknowledged. */
static void test_dhcp_other_habitat(void **state)
{
    u8 u[8 + 300];
    u32 n;
    (void)state;
    n = dhcp_msg(u, 1, mac_a, B_ADDR, 0); /* DISCOVER asking for b's address */
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, n), 0);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, sa);
    assert_int_equal(out[0].d[42 + 240 + 2], 2); /* OFFER */
    assert_int_equal(get32(out[0].d + 42 + 16), A_ADDR);
    n = dhcp_msg(u, 3, mac_a, B_ADDR, 0); /* REQUEST for b's address */
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, n), 0);
    assert_int_equal(nout, 2);
    assert_int_equal(out[1].d[42 + 240 + 2], 6); /* NAK */
    assert_int_equal(get32(out[1].d + 42 + 16), 0);
    n = dhcp_msg(u, 3, mac_a, 0, B_ADDR); /* renewing b's address (ciaddr), from 0.0.0.0 */
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, n), 0);
    assert_int_equal(nout, 3);
    assert_int_equal(out[2].d[42 + 240 + 2], 6); /* NAK */
    n = dhcp_msg(u, 1, mac_b, 0, 0);             /* in b's name, on a's link */
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, n), 0);
    assert_int_equal(nout, 3);
    assert_int_equal(drops(sa, RTR_DROP_SPOOFED), 1);
    n = dhcp_msg(u, 8, mac_a, 0, B_ADDR); /* INFORM for b's address */
    in(sa, ipf(bcast, mac_a, 0, 0xffffffffu, RTR_UDP, u, n), 0);
    assert_int_equal(nout, 3);
    assert_int_equal(drops(sa, RTR_DROP_SPOOFED), 2);
    n = dhcp_msg(u, 8, mac_a, 0, A_ADDR); /* INFORM for its own: ACK */
    in(sa, ipf(bcast, mac_a, A_ADDR, 0xffffffffu, RTR_UDP, u, n), 0);
    assert_int_equal(nout, 4);
    assert_int_equal(out[3].d[42 + 240 + 2], 5);
    assert_int_equal(get32(out[3].d + 42 + 12), A_ADDR);
}

static void test_malformed(void **state)
{
    struct frame f;
    (void)state;
    learn_gateway();
    f = udpf(mac_rtr, mac_a, A_ADDR, 1, REMOTE, 53, 1);
    in(sa, (struct frame){.len = 10}, 0);
    f.d[14 + 10] ^= 1; /* IPv4 checksum */
    in(sa, f, 0);
    f = udpf(mac_rtr, mac_a, A_ADDR, 1, REMOTE, 53, 1);
    f.len = 14 + 20 + 4; /* shorter than the total length */
    in(sa, f, 0);
    f = udpf(mac_rtr, mac_a, A_ADDR, 1, REMOTE, 53, 1);
    put16(f.d + 14 + 6, 0x2000); /* more fragments */
    put16(f.d + 14 + 10, 0);
    put16(f.d + 14 + 10, t_sum(f.d + 14, 20, 0));
    in(sa, f, 0);
    f = udpf(mac_rtr, mac_a, A_ADDR, 1, REMOTE, 53, 1);
    f.d[14 + 8] = 1; /* TTL 1 */
    put16(f.d + 14 + 10, 0);
    put16(f.d + 14 + 10, t_sum(f.d + 14, 20, 0));
    in(sa, f, 0);
    f = tcpf(mac_rtr, mac_a, A_ADDR, 1, REMOTE, 80, TCP_SYN);
    f.d[14 + 20 + 12] = 15 << 4; /* data offset past the end */
    in(sa, f, 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 0);
    assert_int_equal(drops(sa, RTR_DROP_MALFORMED), 4);
    assert_int_equal(drops(sa, RTR_DROP_UNSUPPORTED), 1);
    assert_int_equal(drops(sa, RTR_DROP_TTL), 1);
}

static void test_report(void **state)
{
    char buf[4096];
    struct kide_json_writer w;
    (void)state;
    in(sa, udpf(mac_rtr, mac_a, IP(1, 2, 3, 4), 1, REMOTE, 53, 1), 0);
    kide_json_writer_init(&w, buf, sizeof(buf));
    rtr_report(r, &w);
    assert_true(kide_json_writer_finish(&w) > 0);
    assert_non_null(strstr(buf, "\"a\":{\"rx\":1,"));
    assert_non_null(strstr(buf, "\"spoofed\":1"));
    assert_string_equal(rtr_drop_name(RTR_DROP_QUEUE_FULL), "queue_full");
}

/* Known values: RFC 1624's example, a textbook IPv4 header, and the incremental
 * update against recomputation over many random headers. */
static void test_checksums(void **state)
{
    static const u8 hdr[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                               0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
    u8 h[20], field[2];
    (void)state;
    assert_int_equal(rtr_csum_fold(rtr_csum_add(0, hdr, 20)), 0xb861);
    assert_int_equal(t_sum(hdr, 20, 0), 0xb861);
    put16(field, 0xdd2f);
    rtr_csum_replace16(field, 0x5555, 0x3285);
    assert_int_equal(get16(field), 0x0000);
    srand(1624);
    for (int i = 0; i < 10000; i++) {
        u32 at = (u32)(rand() % 10) * 2;
        u16 old, new_ = (u16)rand();
        for (int j = 0; j < 20; j++)
            h[j] = (u8)rand();
        put16(h + 10, 0);
        put16(h + 10, t_sum(h, 20, 0));
        if (at == 10)
            continue;
        old = get16(h + at);
        put16(h + at, new_);
        rtr_csum_replace16(h + 10, old, new_);
        assert_int_equal(t_sum(h, 20, 0), 0);
    }
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

/* The all-or-nothing live update a parent's reconfiguration uses, and the status. */
static void test_update_all(void **state)
{
    static struct rtr_verdicts v;
    static char buf[1024], sum[160];
    struct rtr_error err;
    const char *allow = BASE_CFG(",\"allow\":[{\"from\":\"a\",\"to\":\"b\",\"proto\":\"udp\"}]");
    const char *invalid = BASE_CFG(",\"allow\":[{\"from\":\"a\",\"to\":\"b\",\"proto\":\"udp\"},"
                                   "{\"from\":\"a\",\"to\":\"nobody\"}]");
    (void)state;
    learn_gateway();
    /* a's connection to the outside, which no change below touches. */
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 7, REMOTE, 53, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(rtr_nat_used(r, sa), 1);
    /* No rule: the sibling's network is out of reach. */
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 9, B_ADDR, 7, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(drops(sa, RTR_DROP_ISOLATION), 1);
    /* Added live: it passes; the connection stays. */
    assert_int_equal(rtr_update_all(r, allow, strlen(allow), 0, &v, &err), 0);
    assert_int_equal(rtr_verdicts_summary(&v, sum, sizeof(sum)), 1);
    assert_string_equal(sum, "allow a -> b udp/0 added");
    assert_int_equal(rtr_nat_used(r, sa), 1);
    nout = 0;
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 9, B_ADDR, 7, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].port, sb);
    /* An invalid document (one bad rule) is rejected whole: nothing changes. */
    assert_int_equal(rtr_update_all(r, invalid, strlen(invalid), 0, &v, &err), -1);
    assert_non_null(strstr(err.msg, "allow[1]: to: no habitat 'nobody'"));
    assert_true(err.hint[0] != 0);
    nout = 0;
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 9, B_ADDR, 7, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 1);
    assert_int_equal(rtr_nat_used(r, sa), 1);
    /* A broken document: the same. */
    assert_int_equal(rtr_update_all(r, "{", 1, 0, &v, &err), -1);
    assert_int_equal(rtr_slot(r, "b"), sb);
    /* Removed live: dropped again, counted; the connection still stays. */
    const char *none = BASE_CFG("");
    assert_int_equal(rtr_update_all(r, none, strlen(none), 0, &v, &err), 0);
    rtr_verdicts_summary(&v, sum, sizeof(sum));
    assert_string_equal(sum, "allow a -> b udp/0 removed");
    nout = 0;
    in(sa, udpf(mac_rtr, mac_a, A_ADDR, 9, B_ADDR, 7, 1), 0);
    rtr_poll(r, 0, 8);
    assert_int_equal(nout, 0);
    assert_int_equal(drops(sa, RTR_DROP_ISOLATION), 2);
    assert_int_equal(rtr_nat_used(r, sa), 1);
    /* Nothing changed: no changes to summarise. */
    assert_int_equal(rtr_update_all(r, none, strlen(none), 0, &v, &err), 0);
    assert_int_equal(rtr_verdicts_summary(&v, sum, sizeof(sum)), 0);
    assert_string_equal(sum, "");
    /* A long list ends with how many more. */
    assert_int_equal(rtr_update_all(r, allow, strlen(allow), 0, &v, &err), 0);
    v.n = 0;
    for (int i = 0; i < 20; i++) {
        snprintf(v.v[v.n].item, sizeof(v.v[0].item), "forward tcp/%d", 1000 + i);
        v.v[v.n++].change = RTR_ADDED;
    }
    assert_int_equal(rtr_verdicts_summary(&v, sum, 100), 20);
    assert_true(strlen(sum) < 100);
    assert_non_null(strstr(sum, "more"));

    /* The status: compact, with bytes, NAT entries and the drops that are not zero. */
    long n = rtr_status(r, buf, sizeof(buf));
    assert_true(n > 0);
    struct kide_json_tok tok[256];
    struct kide_json_doc doc;
    u64 x;
    assert_int_equal(kide_json_parse(&doc, buf, (size_t)n, tok, 256, NULL, NULL), 0);
    int a = kide_json_find(&doc, 0, "a");
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, a, "nat"), &x), 0);
    assert_int_equal(x, 1);
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, a, "rx"), &x), 0);
    assert_int_equal(x, rtr_counters(r, sa)->rx);
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, a, "rx_bytes"), &x), 0);
    assert_true(x >= 42 * rtr_counters(r, sa)->rx && x > 0);
    int d = kide_json_find(&doc, a, "drops");
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, d, "isolation"), &x), 0);
    assert_int_equal(x, 2);
    assert_true(kide_json_find(&doc, d, "spoofed") < 0);
    assert_true(kide_json_find(&doc, kide_json_find(&doc, 0, "b"), "drops") < 0);
    assert_true(kide_json_find(&doc, 0, "uplink") >= 0);
    assert_true(n < 1024);
    /* Habitats that do not fit are counted, not cut; no room even for the uplink: an error. */
    n = rtr_status(r, buf, 200);
    assert_true(n > 0);
    assert_int_equal(kide_json_parse(&doc, buf, (size_t)n, tok, 256, NULL, NULL), 0);
    assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, 0, "omitted"), &x), 0);
    assert_int_equal(x,
                     2 - (kide_json_find(&doc, 0, "a") >= 0) - (kide_json_find(&doc, 0, "b") >= 0));
    assert_true(x >= 1);
    assert_true(rtr_status(r, buf, 16) < 0);
}

/* A port forward counts the frames it takes in. */
static void test_forward_hits(void **state)
{
    (void)state;
    learn_gateway();
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 5, UP_ADDR, 7443, TCP_SYN), 0);
    in(RTR_UPLINK, tcpf(mac_up, mac_gw, REMOTE, 5, UP_ADDR, 7443, TCP_ACK), 0);
    assert_int_equal(rtr_counters(r, sa)->fwd_hits, 2);
    assert_int_equal(rtr_counters(r, sb)->fwd_hits, 0);
    assert_true(rtr_counters(r, RTR_UPLINK)->rx_bytes >= 2 * 54);
    assert_true(rtr_counters(r, sa)->tx_bytes >= 2 * 54);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            T(test_checksums),
            T(test_arp),
            T(test_nat_tcp),
            T(test_nat_udp),
            T(test_nat_icmp),
            T(test_forward),
            T(test_forward_not_configured),
            T(test_spoofed),
            T(test_sibling),
            T(test_more),
            T(test_budget),
            T(test_table_full),
            T(test_syn_flood),
            T(test_fairness),
            T(test_expiry),
            T(test_config_errors),
            T(test_update),
            T(test_update_kept),
            T(test_update_all),
            T(test_forward_hits),
            T(test_dhcp),
            T(test_dhcp_other_habitat),
            T(test_malformed),
            T(test_report),
    };
    return cmocka_run_group_tests_name("os-router-unit", tests, NULL, NULL);
}
