/* SPDX-License-Identifier: MIT */
/* os/net: the stack's link over a NIC session (nic.h).
 *
 * The session has 64 slots per ring (KIDE_NIC_SLOTS_MAX), so a full TCP
 * window of 1460-byte segments (64 KiB: 45 frames) and its ACKs fit in
 * flight. A full tx ring drops the frame (lwIP's retransmission repairs
 * it); the server is woken once per nic_flush at most, and only if it
 * waits. Every index and length the server writes is checked by the ring
 * code (os/lib/nic/nic_ring.c); a ring the server broke makes the link
 * drop and receive nothing from then on.
 */
#include "nic.h"

#include "nic_client.h"

#define NIC_SLOTS   KIDE_NIC_SLOTS_MAX
#define NIC_WAIT_NS 30000000000ull /**< how long a routed "Nic" may take to be announced */

static struct nic_client nic;
static int present;

static int ring_send(void *ctx, const void *frame, size_t len)
{
    (void)ctx;
    if (len > KIDE_NIC_FRAME_MAX)
        return -1;
    return nic_client_send(&nic, frame, (kide_u32)len) == NIC_RING_OK ? 0 : -1;
}

static size_t ring_receive(void *ctx, void *buf, size_t cap)
{
    kide_u32 len = 0;
    int rc;

    (void)ctx;
    while ((rc = nic_client_recv(&nic, buf, (kide_u32)cap, &len)) == NIC_RING_BAD_LEN)
        ; /* skipped and counted by the ring (nic.rx.bad_len) */
    return rc == NIC_RING_OK ? len : 0;
}

static int drop(void *ctx, const void *frame, size_t len)
{
    (void)ctx, (void)frame, (void)len;
    return -1;
}

static size_t none(void *ctx, void *buf, size_t cap)
{
    (void)ctx, (void)buf, (void)cap;
    return 0;
}

int nic_open(struct kide_env *env, struct net_link *link)
{
    static const uint8_t mac[6] = {0x02, 0x6b, 0x69, 0x64, 0x65, 0x01};
    /* A NIC driver announces "Nic" once its device is up, which may be after
     * this stack starts: NOT_FOUND (routed, not announced yet) is retried for
     * a while; any other answer (DENIED: no route) is final at once. */
    int st = nic_client_open(env, &nic, NIC_SLOTS);
    for (kide_u64 end = kide_now_ns() + NIC_WAIT_NS; st == KIDE_NOT_FOUND && kide_now_ns() < end;) {
        kide_sleep_ms(20);
        st = nic_client_open(env, &nic, NIC_SLOTS);
    }

    present = st == KIDE_OK;
    link->send_frame = present ? ring_send : drop;
    link->receive_frame = present ? ring_receive : none;
    link->ctx = 0;
    for (int i = 0; i < 6; i++)
        link->mac[i] = present ? (uint8_t)(nic.info.mac >> (8 * i)) : mac[i];
    return st;
}

int nic_present(void)
{
    return present;
}

void nic_flush(void)
{
    if (present)
        nic_client_flush(&nic);
}

int nic_link(int *changed)
{
    *changed = 0;
    return present ? nic_client_link(&nic, changed) : 1;
}

int nic_wait_prepare(void)
{
    return present ? nic_ring_wait_prepare(&nic.rx) : 1;
}

int nic_notify(kide_sel sm)
{
    return present ? nic_client_notify(&nic, sm) : KIDE_OK;
}

void nic_woken(void)
{
    if (present)
        nic_ring_wait_done(&nic.rx);
}
