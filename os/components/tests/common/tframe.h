/* SPDX-License-Identifier: MIT */
/* Raw frames for the scenario test components that talk to a NIC session
 * without a stack (test-netiso, test-netlive, test-arping): big-endian field
 * access, the Internet checksum, an address from the config, and waiting for
 * the next frame (tframe.c). Link the library test-frame before test-common,
 * nic and kide-socket.
 */
#ifndef KIDE_TFRAME_H
#define KIDE_TFRAME_H

#include <kide/component.h>
#include "nic_client.h"

static inline void t_put16(kide_u8 *p, kide_u32 v)
{
    p[0] = (kide_u8)(v >> 8), p[1] = (kide_u8)v;
}

static inline void t_put32(kide_u8 *p, kide_u32 v)
{
    t_put16(p, v >> 16), t_put16(p + 2, v);
}

static inline kide_u32 t_get16(const kide_u8 *p)
{
    return (kide_u32)p[0] << 8 | p[1];
}

static inline kide_u32 t_get32(const kide_u8 *p)
{
    return t_get16(p) << 16 | t_get16(p + 2);
}

/** The one's complement sum of n bytes at p (an odd last byte is the high
 *  half of a word), added to sum and folded to 16 bits. */
kide_u32 t_csum(kide_u32 sum, const kide_u8 *p, kide_u32 n);

/** The config's `key` as a dotted IPv4 address (default def), in host
 *  order; FAILs the test `what` when it is not one. */
kide_u32 t_cfg_ip(struct kide_env *env, const char *what, const char *key, const char *def);

/** Write into frame a broadcast ARP request from mac: who has `target`? tell
 *  `addr`. -> its length (60, the minimum Ethernet frame). */
kide_u32 t_arp_request(kide_u8 *frame, const kide_u8 *mac, kide_u32 addr, kide_u32 target);

/** Whether the len bytes at frame are an ARP reply from `target` (its MAC then
 *  at frame + 22). */
int t_is_arp_reply(const kide_u8 *frame, kide_u32 len, kide_u32 target);

/** The next frame from nic into frame (cap bytes) before `until` (kide_now_ns):
 *  its length, or 0 when until passed. Waits on the session's semaphore. */
kide_u32 t_next_frame(struct nic_client *nic, kide_u8 *frame, kide_u32 cap, kide_u64 until);

#endif
