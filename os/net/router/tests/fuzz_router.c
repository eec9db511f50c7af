/* SPDX-License-Identifier: MIT */
/* libFuzzer target of the virtual router (suite os-router-fuzz).
 *
 * The input is a script: each step sends a frame on some port (raw bytes, or
 * one of a set of well-formed frames with bytes of the input XORed in and,
 * on request, the IPv4 header checksum made right again so the mutation
 * reaches the transport and NAT code), polls with a budget, moves the clock,
 * expires entries, or applies a configuration (one of a set, or bytes of the
 * input as JSON). After every step the router's invariants must hold, and
 * every IPv4 frame it sends must carry a correct header checksum. */
#include <stdint.h>
#include <stdlib.h>

#include "rtr_internal.h"

#include <kide/parent.h> /* KIDE_STATUS_MAX, KIDE_VERDICT_MAX */

static struct rtr *r;
static u8 frame[RTR_FRAME_MAX + 64];

#define UPLINK                                                                                     \
    "\"uplink\":{\"mac\":\"52:54:00:12:34:56\",\"address\":\"10.0.2.15/24\",\"gateway\":"          \
    "\"10.0.2.2\"}"
#define HA(extra)                                                                                  \
    "{\"name\":\"a\",\"mac\":\"02:00:00:00:00:0a\",\"address\":\"10.1.0.2/24\",\"gateway\":"       \
    "\"10.1.0.1\",\"dhcp\":true" extra "}"
#define HB(extra)                                                                                  \
    "{\"name\":\"b\",\"mac\":\"02:00:00:00:00:0b\",\"address\":\"10.2.0.2/24\",\"gateway\":"       \
    "\"10.2.0.1\"" extra "}"
#define FWD "{\"proto\":\"tcp\",\"port\":7443,\"to\":\"a\",\"to_port\":443}"

static const char *const configs[] = {
        "{" UPLINK ",\"dns\":\"10.0.2.3\",\"habitats\":[" HA("") "," HB(
                ",\"nat_max\":2") "],"
                                  "\"forward\":[" FWD ",{\"proto\":\"udp\",\"port\":5353,\"to\":"
                                  "\"b\",\"to_port\":53}]}",
        "{" UPLINK ",\"habitats\":[" HA(",\"queue\":1,\"nat_max\":1") "," HB(
                "") "],\"allow\":"
                    "[{\"from\":\"a\",\"to\":\"b\"},{\"from\":\"b\",\"to\":\"a\",\"proto\":\"tcp\","
                    "\"port\":22}]}",
        "{" UPLINK ",\"habitats\":[" HB("") "],\"forward\":[" FWD "]}",
        "{\"uplink\":{\"mac\":\"52:54:00:12:34:57\",\"address\":\"192.168.1.5/16\",\"gateway\":"
        "\"192.168.0.1\"},\"habitats\":[" HA("") "]}",
        "{" UPLINK ",\"habitats\":[]}",
};
#define NCONFIGS (sizeof(configs) / sizeof(configs[0]))

static void emit(void *ctx, int port, const u8 *f, u32 len)
{
    (void)ctx;
    if (len < ETH_HLEN || len > RTR_FRAME_MAX || port < RTR_UPLINK || port >= (int)RTR_HABITATS_MAX)
        abort();
    if (get16(f + 12) == ETH_TYPE_IPV4 &&
        (len < ETH_HLEN + IP_HLEN || rtr_csum_fold(rtr_csum_add(0, f + ETH_HLEN, IP_HLEN))))
        abort();
}

/* A well-formed frame: which of the templates, into frame; returns its length. */
static u32 template(u32 which)
{
    static const u8 rtr[6] = {0x02, 0x6b, 0x69, 0x64, 0x65, 0},
                    up[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
    static const u8 ma[6] = {2, 0, 0, 0, 0, 0x0a}, gw[6] = {0x52, 0x55, 10, 0, 2, 2};
    static const u8 bc[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    _Bool from_up = which & 1;
    u8 proto = (which >> 1) % 3 == 0 ? RTR_TCP : (which >> 1) % 3 == 1 ? RTR_UDP : RTR_ICMP;
    u8 *ip = frame + ETH_HLEN, *t = ip + IP_HLEN;
    u32 l4len = (which & 8) ? 8 + 300 : 28;
    if ((which & 0x30) == 0x30)
        return rtr_arp_build(frame, 1 + ((which >> 6) & 1), from_up ? gw : ma,
                             from_up ? 0x0a000202u : 0x0a010002u, bc,
                             from_up ? 0x0a00020fu : 0x0a010001u);
    memset(frame, 0, ETH_HLEN + IP_HLEN + l4len);
    memcpy(frame, from_up ? up : rtr, 6);
    memcpy(frame + 6, from_up ? gw : ma, 6);
    put16(frame + 12, ETH_TYPE_IPV4);
    ip[0] = 0x45;
    put16(ip + 2, IP_HLEN + l4len);
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, from_up ? 0x5db8d822u : 0x0a010002u);
    put32(ip + 16, from_up ? 0x0a00020fu : ((which & 4) ? 0x0a020002u : 0x5db8d822u));
    put16(t, from_up ? 80 : 50000);
    put16(t + 2, from_up ? ((which & 4) ? 7443 : RTR_NAT_PORT_BASE) : 80);
    if (proto == RTR_TCP)
        t[12] = 0x50, t[13] = (which & 0x40) ? TCP_SYN : TCP_ACK;
    if (proto == RTR_UDP)
        put16(t + 4, l4len);
    if (proto == RTR_ICMP)
        t[0] = from_up ? ICMP_ECHO_REPLY : ICMP_ECHO;
    if (which & 8) { /* a DHCP DISCOVER's shape */
        put16(t, 68), put16(t + 2, 67), t[8] = 1, t[9] = 1, t[10] = 6;
        memcpy(t + 8 + 28, ma, 6);
        put32(t + 8 + 236, 0x63825363u);
        t[8 + 240] = 53, t[8 + 241] = 1, t[8 + 242] = 1, t[8 + 243] = 255;
    }
    put16(ip + 10, rtr_csum_fold(rtr_csum_add(0, ip, IP_HLEN)));
    return ETH_HLEN + IP_HLEN + l4len;
}

/* The input as a stream of bytes. */
struct in {
    const u8 *p;
    size_t n;
};

static u32 take(struct in *in, u32 bytes)
{
    u32 v = 0;
    while (bytes--) {
        v = v << 8 | (in->n ? *in->p : 0);
        if (in->n)
            in->p++, in->n--;
    }
    return v;
}

static int port_of(u32 b)
{
    return b % 5 == 4 ? RTR_UPLINK : (int)(b % 5 % RTR_HABITATS_MAX);
}

static void frame_step(struct in *in, u64 now, _Bool raw)
{
    int port = port_of(take(in, 1));
    u32 len;
    if (raw) {
        len = take(in, 2) % (RTR_FRAME_MAX + 40);
        for (u32 i = 0; i < len; i++)
            frame[i] = (u8)take(in, 1);
    } else {
        u32 which = take(in, 1), nmut = take(in, 1) % 8;
        len = template(which);
        for (u32 i = 0; i < nmut; i++) {
            u32 at = take(in, 2) % len;
            frame[at] ^= (u8)take(in, 1);
        }
        if ((which & 0x80) && len >= ETH_HLEN + IP_HLEN) {
            put16(frame + ETH_HLEN + 10, 0);
            put16(frame + ETH_HLEN + 10, rtr_csum_fold(rtr_csum_add(0, frame + ETH_HLEN, IP_HLEN)));
        }
    }
    (void)rtr_input(r, port, frame, len, now);
}

static void config_step(struct in *in, u64 now)
{
    static struct rtr_verdicts v;
    struct rtr_error err;
    char sum[KIDE_VERDICT_MAX + 1];
    u32 pick = take(in, 1);
    /* Odd picks: the all-or-nothing update of a parent's live reconfiguration. */
    int (*update)(struct rtr *, const char *, kide_u32, kide_u64, struct rtr_verdicts *,
                  struct rtr_error *) = pick & 1 ? rtr_update_all : rtr_update;
    int rc;
    if (pick < 0xf0) {
        const char *c = configs[pick % NCONFIGS];
        rc = update(r, c, (u32)strlen(c), now, &v, &err);
    } else {
        u32 len = take(in, 2) % 2048;
        char *c = malloc(len + 1);
        for (u32 i = 0; i < len; i++)
            c[i] = (char)take(in, 1);
        rc = update(r, c, len, now, &v, &err);
        free(c);
    }
    if (v.n > RTR_VERDICTS_MAX)
        abort();
    if (rc == 0 && (rtr_verdicts_summary(&v, sum, sizeof(sum)) > v.n || strlen(sum) >= sizeof(sum)))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct in in = {data, size};
    struct rtr_error err;
    u64 now = 0;
    char report[16384];
    struct kide_json_writer w;
    const char *why;
    if (!r)
        r = malloc(sizeof(*r));
    rtr_init(r, emit, NULL);
    if (rtr_configure(r, configs[0], (u32)strlen(configs[0]), 0, &err) < 0)
        abort();
    while (in.n) {
        switch (take(&in, 1) % 8) {
        case 0:
        case 1:
        case 2:
            frame_step(&in, now, 0);
            break;
        case 3:
            frame_step(&in, now, 1);
            break;
        case 4: {
            u32 budget = take(&in, 1) % 40;
            if (rtr_poll(r, now, budget) > budget)
                abort();
            break;
        }
        case 5:
            now += (u64)take(&in, 2) * 100;
            break;
        case 6:
            (void)rtr_expire(r, now);
            break;
        default:
            config_step(&in, now);
            break;
        }
        if (rtr_check_invariants(r, &why) < 0)
            abort();
    }
    kide_json_writer_init(&w, report, sizeof(report));
    rtr_report(r, &w);
    if (kide_json_writer_finish(&w) < 0)
        abort();
    /* The status always fits a parent's bound (habitats beyond it are counted). */
    if (rtr_status(r, report, KIDE_STATUS_MAX) < 0)
        abort();
    return 0;
}
