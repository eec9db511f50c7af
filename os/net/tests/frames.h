/* SPDX-License-Identifier: MIT */
/* os/net tests: Ethernet frames built and recognised by hand, independent
 * of lwIP (so the stack is judged by bytes it did not make). */
#ifndef NET_TESTS_FRAMES_H
#define NET_TESTS_FRAMES_H

#include <stddef.h>
#include <stdint.h>

/** An ICMP echo request from SRC_MAC/SRC_IP to DST_MAC/DST_IP (addresses in
 *  host order, 10.0.0.1 = 0x0a000001) with ID, SEQ and LEN bytes of payload
 *  (at most 1024) into BUF (at least 1100 bytes): the frame's length. */
size_t frame_echo_request(uint8_t *buf, const uint8_t src_mac[6], uint32_t src_ip,
                          const uint8_t dst_mac[6], uint32_t dst_ip, uint16_t id, uint16_t seq,
                          size_t len);

/** Is F (LEN bytes) an ICMP echo reply to DST_MAC/DST_IP with ID and SEQ
 *  and a correct IP and ICMP checksum? */
int frame_is_echo_reply(const uint8_t *f, size_t len, const uint8_t dst_mac[6], uint32_t dst_ip,
                        uint16_t id, uint16_t seq);

/** The Internet checksum of LEN bytes at P. */
uint16_t frame_cksum(const uint8_t *p, size_t len);

#endif
