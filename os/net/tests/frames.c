/* SPDX-License-Identifier: MIT */
/* os/net tests: Ethernet frames built and recognised by hand (frames.h). */
#include "frames.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

uint16_t frame_cksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < len; i += 2)
        sum += get16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

size_t frame_echo_request(uint8_t *buf, const uint8_t src_mac[6], uint32_t src_ip,
                          const uint8_t dst_mac[6], uint32_t dst_ip, uint16_t id, uint16_t seq,
                          size_t len)
{
    uint8_t *ip = buf + 14, *icmp = ip + 20;

    if (len > 1024)
        len = 1024;
    memcpy(buf, dst_mac, 6);
    memcpy(buf + 6, src_mac, 6);
    put16(buf + 12, 0x0800);
    memset(ip, 0, 20);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(20 + 8 + len));
    put16(ip + 4, seq);
    ip[8] = 64;
    ip[9] = 1;
    put32(ip + 12, src_ip);
    put32(ip + 16, dst_ip);
    put16(ip + 10, frame_cksum(ip, 20));
    icmp[0] = 8;
    icmp[1] = 0;
    put16(icmp + 2, 0);
    put16(icmp + 4, id);
    put16(icmp + 6, seq);
    for (size_t i = 0; i < len; i++)
        icmp[8 + i] = (uint8_t)(i * 31 + seq);
    put16(icmp + 2, frame_cksum(icmp, 8 + len));
    return 14 + 20 + 8 + len;
}

int frame_is_echo_reply(const uint8_t *f, size_t len, const uint8_t dst_mac[6], uint32_t dst_ip,
                        uint16_t id, uint16_t seq)
{
    const uint8_t *ip = f + 14, *icmp;
    size_t ihl, total;

    if (len < 14 + 20 + 8 || memcmp(f, dst_mac, 6) != 0 || get16(f + 12) != 0x0800)
        return 0;
    ihl = (size_t)(ip[0] & 15) * 4;
    total = get16(ip + 2);
    if ((ip[0] >> 4) != 4 || ihl < 20 || total < ihl + 8 || 14 + total > len || ip[9] != 1 ||
        get32(ip + 16) != dst_ip || frame_cksum(ip, ihl) != 0)
        return 0;
    icmp = ip + ihl;
    return icmp[0] == 0 && get16(icmp + 4) == id && get16(icmp + 6) == seq &&
           frame_cksum(icmp, total - ihl) == 0;
}
