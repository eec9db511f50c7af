/* SPDX-License-Identifier: MIT */
/* os/net tests: libFuzzer feeding Ethernet frames and socket requests into
 * one lwIP stack.
 *
 * The stack (10.0.0.2) listens on TCP port 80 and has a UDP socket on
 * port 7; the peer 10.0.0.1 is in its ARP table. One input is a sequence of
 * chunks, each: a control byte, a length (two bytes, big-endian, at most
 * NET_FRAME_MAX), the bytes. Control byte 0xff makes the chunk a request to
 * the stack's socket session (net/session.h), as a hostile client would
 * send it: the first byte picks the operation (mod 16), the rest are its
 * words (little-endian, at most 33), with the socket handles in them taken
 * mod 8 so they often name a socket that exists. Any other chunk is a
 * frame: control bit 0 asks for the IPv4, TCP, UDP and ICMP checksums to be
 * made right (else nearly every mutated frame would die at the first
 * checksum, and the parsers behind it would never be reached); bit 1 puts
 * the stack's MAC address in as destination; bits 2..7 advance the clock by
 * that many 10 ms steps, so timers fire in between.
 *
 * After each input the session is ended (every socket it opened closed or
 * aborted), the connections are aborted, the ARP table dropped and two
 * minutes of timers run. Then every received buffer, segment,
 * reassembly and ARP queue entry must be back in its pool and the heap as
 * it was (LWIP_STATS), and the stack must still answer a ping: either
 * failure aborts, which libFuzzer reports like a crash.
 */
#include "frames.h"
#include "inst.h"

#include <kide/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t mac_stack[6] = {0x02, 0, 0, 0, 0, 0x0b};
static const uint8_t mac_peer[6] = {0x02, 0, 0, 0, 0, 0x0a};
static struct net_link link;
static uint32_t now;
static unsigned mem_base;
static int replied;
static uint16_t ping_seq;

void net_port_log(const char *line)
{
    (void)line;
}

void net_port_panic(const char *line)
{
    fprintf(stderr, "lwip: panic: %s\n", line);
    abort();
}

static int capture(void *ctx, const void *frame, size_t len)
{
    replied |= frame_is_echo_reply(frame, len, mac_peer, 0x0a000001, 0x4b49, ping_seq);
    return 0;
}

static size_t nothing(void *ctx, void *buf, size_t cap)
{
    return 0;
}

static void start(void)
{
    struct inst_stats st;

    link = (struct net_link){.send_frame = capture, .receive_frame = nothing};
    memcpy(link.mac, mac_stack, 6);
    if (net_inst.init(&link, "10.0.0.2", 42) != 0 || net_inst.tcp_listen(80) != 0 ||
        net_inst.udp_bind(7) != 0 || net_inst.arp_static("10.0.0.1", mac_peer) != 0)
        abort();
    net_inst.stats(&st);
    mem_base = st.mem_used;
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

/* The transport checksum over the pseudo header and LEN bytes at L4. */
static uint16_t l4_cksum(const uint8_t *ip, const uint8_t *l4, size_t len)
{
    uint8_t buf[12 + NET_FRAME_MAX];

    memcpy(buf, ip + 12, 8);
    buf[8] = 0;
    buf[9] = ip[9];
    put16(buf + 10, (uint16_t)len);
    memcpy(buf + 12, l4, len);
    return frame_cksum(buf, 12 + len);
}

static void fix_checksums(uint8_t *f, size_t len)
{
    uint8_t *ip = f + 14, *l4;
    size_t ihl, total;
    int off;

    if (len < 34 || get16(f + 12) != 0x0800)
        return;
    ihl = (size_t)(ip[0] & 15) * 4;
    total = get16(ip + 2);
    if (ihl < 20 || 14 + ihl > len)
        return;
    put16(ip + 10, 0);
    put16(ip + 10, frame_cksum(ip, ihl));
    if (total < ihl || 14 + total > len || (get16(ip + 6) & 0x3fff)) /* fragments: leave */
        return;
    l4 = ip + ihl;
    off = ip[9] == 6 ? 16 : ip[9] == 17 ? 6 : ip[9] == 1 ? 2 : -1;
    if (off < 0 || total - ihl < (size_t)off + 2)
        return;
    put16(l4 + off, 0);
    put16(l4 + off, ip[9] == 1 ? frame_cksum(l4, total - ihl) : l4_cksum(ip, l4, total - ihl));
}

/* A socket request from LEN bytes at P (the control byte was 0xff). */
static void request(const uint8_t *p, size_t len)
{
    uint64_t req[33] = {0}, rep[KIDE_SOCK_POLL_MAX];
    unsigned n = 0, nrep;
    uint64_t op;

    if (len == 0)
        return;
    op = p[0] % 16;
    for (p++, len--; len >= 8 && n < 33; p += 8, len -= 8, n++)
        memcpy(&req[n], p, 8);
    if (n && op != KIDE_SOCK_TCP_CONNECT && op != KIDE_SOCK_TCP_LISTEN &&
        op != KIDE_SOCK_UDP_BIND && op != KIDE_SOCK_POLL)
        req[0] %= 8; /* a handle: mostly one that exists */
    net_inst.sock_call(op, req, n, rep, &nrep);
    if (nrep > KIDE_SOCK_POLL_MAX)
        abort();
}

static void check_recovered(void)
{
    struct inst_stats st;
    uint8_t frame[1200];
    size_t len;

    net_inst.sock_reset();
    net_inst.tcp_abort_all();
    net_inst.arp_flush();
    for (int i = 0; i < 1200; i++)
        net_inst.poll(now += 100);
    net_inst.stats(&st);
    if (st.pbuf_pool || st.pbuf_ref || st.tcp_segs || st.reass || st.arp_queue ||
        st.mem_used != mem_base) {
        fprintf(stderr, "leak: pool %u ref %u segs %u reass %u arpq %u mem %u (was %u)\n",
                st.pbuf_pool, st.pbuf_ref, st.tcp_segs, st.reass, st.arp_queue, st.mem_used,
                mem_base);
        abort();
    }
    if (net_inst.arp_static("10.0.0.1", mac_peer) != 0)
        abort();
    replied = 0;
    ping_seq++;
    len = frame_echo_request(frame, mac_peer, 0x0a000001, mac_stack, 0x0a000002, 0x4b49, ping_seq,
                             32);
    net_inst.input(frame, len);
    net_inst.poll(++now);
    if (!replied) {
        fprintf(stderr, "the stack no longer answers a ping\n");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int started;
    uint8_t frame[NET_FRAME_MAX];

    if (!started) {
        start();
        started = 1;
    }
    while (size >= 3) {
        unsigned ctl = data[0];
        size_t len = get16(data + 1);

        data += 3, size -= 3;
        if (len > size)
            len = size;
        if (len > sizeof frame)
            len = sizeof frame;
        memcpy(frame, data, len);
        data += len, size -= len;
        if (ctl == 0xff) {
            request(frame, len);
            continue;
        }
        if ((ctl & 2) && len >= 6)
            memcpy(frame, mac_stack, 6);
        if (ctl & 1)
            fix_checksums(frame, len);
        net_inst.input(frame, len);
        now += (ctl >> 2) * 10;
        net_inst.poll(now);
    }
    check_recovered();
    return 0;
}
