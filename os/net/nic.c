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
 *
 * Restarts: the rings are the server's pages and go when it does, so
 * nothing here touches them before the server answered a check
 * (nic_client_check) in the current round or request (nic_begin starts
 * one; `checked` says the check was made). A check that finds the server
 * gone marks the session lost; the main thread then drops it (nic_drop:
 * the link is the stand-in, the handler cannot reach the rings any more),
 * closes it (nic_release) and re-opens it on the library's back-off
 * (nic_reopen, nic_attach). lwIP keeps its connections meanwhile: what is
 * sent while the link is down is lost and retransmitted later.
 */
#include "nic.h"

#include "nic_client.h"

#define NIC_SLOTS   KIDE_NIC_SLOTS_MAX
#define NIC_WAIT_NS 30000000000ull /**< how long a routed "Nic" may take to be announced */

static struct nic_client nic;
static int present;            /* under the lock: the link is the session's */
static int checked;            /* under the lock: the server answered since nic_begin */
static struct nic_retry retry; /* main thread: the re-open back-off */

/* Under the lock: may the rings be touched now? The first touch of a round or
 * request asks the server (one call); a lost session is never touched. */
static int usable(void)
{
    if (!present || nic_client_lost(&nic))
        return 0;
    if (!checked && nic_client_check(&nic) != KIDE_OK)
        return 0;
    checked = 1;
    return 1;
}

static int ring_send(void *ctx, const void *frame, size_t len)
{
    (void)ctx;
    if (len > KIDE_NIC_FRAME_MAX || !usable())
        return -1;
    return nic_client_send(&nic, frame, (kide_u32)len) == NIC_RING_OK ? 0 : -1;
}

static size_t ring_receive(void *ctx, void *buf, size_t cap)
{
    kide_u32 len = 0;
    int rc;

    (void)ctx;
    if (!usable())
        return 0;
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

void nic_begin(void)
{
    checked = 0;
}

void nic_flush(void)
{
    if (present && checked && !nic_client_lost(&nic)) /* unchecked: nothing was touched */
        nic_client_flush(&nic);
}

int nic_link(int *changed)
{
    *changed = 0;
    if (!present)
        return 1;
    return usable() ? nic_client_link(&nic, changed) : 0;
}

int nic_wait_prepare(void)
{
    return usable() ? nic_ring_wait_prepare(&nic.rx) : 1;
}

int nic_notify(kide_sel sm)
{
    /* A lost session is not asked: its server is gone. nic_reopen gives the
     * new server the same semaphore (nic_client_reopen remembers it). */
    int st = nic_client_notify(&nic, sm); /* remembered even without a session */
    return present ? st : KIDE_OK;
}

void nic_woken(void)
{
    if (usable())
        nic_ring_wait_done(&nic.rx);
}

int nic_gone(void)
{
    return present && nic_client_lost(&nic);
}

void nic_drop(struct net_link *link)
{
    present = 0;
    link->send_frame = drop;
    link->receive_frame = none;
}

void nic_release(struct kide_env *env)
{
    nic_client_close(env, &nic);
    nic_retry_start(&retry);
}

int nic_reopen(struct kide_env *env)
{
    return nic_client_reopen(env, &nic, NIC_SLOTS, &retry);
}

void nic_attach(struct net_link *link)
{
    present = 1;
    checked = 0;
    link->send_frame = ring_send;
    link->receive_frame = ring_receive;
    for (int i = 0; i < 6; i++)
        link->mac[i] = (uint8_t)(nic.info.mac >> (8 * i));
}
