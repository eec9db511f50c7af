/* SPDX-License-Identifier: MIT */
/* test-arping: frames through a NIC driver and back (scenario vnet-intx).
 *
 * Sessions used: "Nic" (the driver's), raw frames, no stack. Config:
 * {"addr": "10.0.2.15", "peer": "10.0.2.2", "replies": 3, "timeout_ms":
 * 30000, "what": "vnet-intx"}. It asks for the peer's MAC by ARP (QEMU's
 * user network answers for 10.0.2.2) every half second until `replies`
 * answers came or the deadline passes: each answer is a frame the driver took
 * from its device, so several answers mean several receive interrupts (with
 * INTx: the line was unmasked again after each). Every wait is on the
 * session's semaphore, bounded by the deadline. Ends with "PASS <what>"
 * (after "arping: N replies, <peer> is at <mac>") or "FAIL <what>: <why>".
 */
#include "test.h"
#include "nic_client.h"
#include "tframe.h"
#include <kide/base.h>

static struct kide_env *env_;
static struct nic_client nic;
static char what[32];
static kide_u8 mac[6], frame[KIDE_NIC_SLOT_SIZE];

#define fail(...) t_fail(env_, what, __VA_ARGS__)

/* A broadcast ARP request: who has `peer`? tell `addr`. */
static void ask(kide_u32 addr, kide_u32 peer)
{
    int st = nic_client_send(&nic, frame, t_arp_request(frame, mac, addr, peer));
    if (st != NIC_RING_OK)
        fail("cannot queue the ARP request: ring status %d", st);
    nic_client_flush(&nic);
}

/* Whether the frame of len bytes is the peer's ARP reply to addr. */
static int is_reply(kide_u32 len, kide_u32 addr, kide_u32 peer)
{
    return t_is_arp_reply(frame, len, peer) && t_get32(frame + 38) == addr;
}

void kide_main(struct kide_env *env)
{
    env_ = env;
    t_cfg_str(env, "what", "vnet-intx", what, sizeof what);
    kide_u32 addr = t_cfg_ip(env_, what, "addr", "10.0.2.15"),
             peer = t_cfg_ip(env_, what, "peer", "10.0.2.2");
    kide_u64 deadline = kide_now_ns() + t_cfg_u64(env, "timeout_ms", 30000) * 1000000ull;
    int st = nic_client_open(env, &nic, 0);
    while (st == KIDE_NOT_FOUND && kide_now_ns() < deadline) {
        kide_sleep_ms(50); /* retry of an open while the driver starts, not synchronisation */
        st = nic_client_open(env, &nic, 0);
    }
    if (st != KIDE_OK)
        fail("no NIC session: %s", t_status(st));
    for (int i = 0; i < 6; i++)
        mac[i] = (kide_u8)(nic.info.mac >> (8 * i));
    kide_u64 want = t_cfg_u64(env, "replies", 3), got = 0;
    for (kide_u64 next = 0; kide_now_ns() < deadline;) {
        if (kide_now_ns() >= next) {
            ask(addr, peer); /* again each half second: the link may come up late */
            next = kide_now_ns() + 500000000ull;
        }
        kide_u32 len = 0;
        while (nic_client_recv(&nic, frame, sizeof frame, &len) == NIC_RING_OK)
            if (is_reply(len, addr, peer) && ++got >= want) {
                const kide_u8 *m = frame + 22;
                kide_log(env,
                         "arping: %lu replies, %u.%u.%u.%u is at %02x:%02x:%02x:%02x:%02x:%02x",
                         got, frame[28], frame[29], frame[30], frame[31], m[0], m[1], m[2], m[3],
                         m[4], m[5]);
                t_pass(env, what);
                t_idle(env);
            }
        nic_client_flush(&nic);
        if (nic_client_wait(&nic, next < deadline ? next : deadline) == KIDE_ABORTED)
            fail("the NIC session was lost");
    }
    fail("%lu of %lu ARP replies from %u.%u.%u.%u", got, want, peer >> 24, (peer >> 16) & 255,
         (peer >> 8) & 255, peer & 255);
}
