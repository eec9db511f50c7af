/* SPDX-License-Identifier: MIT */
/* os/lib/nic: the client side of a NIC session.
 *
 * What the server answers is checked as well as what it writes into the
 * rings: the geometry it reports must be one the protocol allows, each ring
 * it shares must cover KIDE_NIC_RING_BYTES(slots), and from then on the ring
 * code checks every index. A failed open releases what it got, in reverse.
 */
#include <kide/base.h>
#include "nic_client.h"

#define WINDOW_PAGES 64u /* a power of two >= the largest ring (33 pages) */

static int get_info(struct nic_client *c)
{
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_NIC_INFO);
    int st = kide_msg_call(&m, c->session.pt, 0);
    if (st != KIDE_OK)
        return st;
    c->info.mac = kide_msg_get(&m);
    c->info.link_up = kide_msg_get(&m);
    c->info.mtu = kide_msg_get(&m);
    c->info.slots = kide_msg_get(&m);
    c->info.slot_size = kide_msg_get(&m);
    if (m.bad || c->info.slot_size != KIDE_NIC_SLOT_SIZE || c->info.slots < KIDE_NIC_SLOTS_MIN ||
        c->info.slots > KIDE_NIC_SLOTS_MAX || (c->info.slots & (c->info.slots - 1)))
        return KIDE_BAD_PARAM; /* defensive: a server off the protocol */
    return KIDE_OK;
}

static int get_ring(struct nic_client *c, kide_u64 which, void **mem)
{
    struct kide_msg m;
    kide_u64 got = 0;
    kide_msg_begin(&m, KIDE_NIC_RING);
    kide_msg_put(&m, which);
    int st = kide_msg_call_attach(&m, c->session.pt, WINDOW_PAGES, mem, &got);
    if (st != KIDE_OK)
        return st;
    if (got * 4096 < KIDE_NIC_RING_BYTES(c->info.slots))
        return KIDE_BAD_PARAM; /* defensive: fewer pages than the ring needs */
    int role = which == KIDE_NIC_RING_TX ? NIC_RING_PRODUCER : NIC_RING_CONSUMER;
    struct nic_ring *r = which == KIDE_NIC_RING_TX ? &c->tx : &c->rx;
    return nic_ring_attach(r, *mem, got * 4096, (kide_u32)c->info.slots, role) == NIC_RING_OK
                   ? KIDE_OK
                   : KIDE_BAD_PARAM;
}

static int get_sm(struct nic_client *c, kide_u64 which, kide_sel *sel)
{
    struct kide_msg m;
    kide_sel s = kide_sel_alloc(0);
    if (!s)
        return KIDE_QUOTA;
    kide_msg_begin(&m, KIDE_NIC_SM);
    kide_msg_put(&m, which);
    int st = kide_msg_call(&m, c->session.pt, s);
    if (st == KIDE_OK && m.rcv != s)
        st = KIDE_BAD_PARAM; /* no capability came */
    if (st != KIDE_OK) {
        kide_sel_free(s, 0);
        return st;
    }
    *sel = s;
    return KIDE_OK;
}

int nic_client_open(struct kide_env *env, struct nic_client *c, kide_u32 slots)
{
    char args[24];
    __builtin_memset(c, 0, sizeof(*c));
    if (!slots)
        slots = KIDE_NIC_SLOTS_DEFAULT;
    kide_snprintf(args, sizeof(args), "slots=%u", slots);
    int st = kide_session_open(env, KIDE_NIC_SERVICE, args, KIDE_NIC_SESSION_RAM(slots),
                               &c->session);
    if (st != KIDE_OK)
        return st;
    c->window = WINDOW_PAGES;
    if ((st = get_info(c)) != KIDE_OK || (st = get_ring(c, KIDE_NIC_RING_TX, &c->tx_mem)) ||
        (st = get_ring(c, KIDE_NIC_RING_RX, &c->rx_mem)) ||
        (st = get_sm(c, KIDE_NIC_SM_SERVER, &c->server_sm)) ||
        (st = get_sm(c, KIDE_NIC_SM_CLIENT, &c->client_sm)))
        goto error;
    return KIDE_OK;
error:
    nic_client_close(env, c);
    return st;
}

void nic_client_close(struct kide_env *env, struct nic_client *c)
{
    if (c->client_sm)
        kide_cap_drop(c->client_sm);
    if (c->server_sm)
        kide_cap_drop(c->server_sm);
    if (c->rx_mem)
        kide_ds_detach(env, c->rx_mem, c->window);
    if (c->tx_mem)
        kide_ds_detach(env, c->tx_mem, c->window);
    if (c->session.pt)
        kide_session_close(env, &c->session);
    kide_sel notify = c->notify_sm; /* the caller's own semaphore: kept for a re-open */
    __builtin_memset(c, 0, sizeof(*c));
    c->notify_sm = notify;
}

int nic_client_lost(const struct nic_client *c)
{
    return c->lost || !c->session.pt;
}

int nic_client_check(struct nic_client *c)
{
    struct kide_msg m;
    if (nic_client_lost(c))
        return KIDE_ABORTED;
    kide_msg_begin(&m, KIDE_NIC_INFO);
    int st = kide_msg_call(&m, c->session.pt, 0);
    if (nic_retry_gone(st)) {
        c->lost = 1;
        return st;
    }
    return KIDE_OK; /* any answer at all: the server's threads run, its pages are there */
}

int nic_client_reopen(struct kide_env *env, struct nic_client *c, kide_u32 slots,
                      struct nic_retry *r)
{
    kide_u64 now = kide_now_ns();
    if (!nic_retry_due(r, now))
        return KIDE_BUSY;
    kide_sel notify = c->notify_sm; /* close forgets it; the new server must learn it */
    if (c->session.pt)
        nic_client_close(env, c);
    int st = nic_client_open(env, c, slots);
    c->notify_sm = notify; /* kept even if this attempt fails: the next one needs it */
    if (st == KIDE_OK && notify)
        st = nic_client_notify(c, notify);
    if (st == KIDE_OK)
        nic_retry_start(r);
    else
        nic_retry_failed(r, now);
    return st;
}

int nic_client_send(struct nic_client *c, const void *frame, kide_u32 len)
{
    return nic_client_lost(c) ? NIC_RING_BROKEN : nic_ring_put(&c->tx, frame, len);
}

kide_u32 nic_client_space(struct nic_client *c)
{
    return nic_client_lost(c) ? 0 : nic_ring_space(&c->tx);
}

int nic_client_recv(struct nic_client *c, void *buf, kide_u32 cap, kide_u32 *len)
{
    return nic_client_lost(c) ? NIC_RING_BROKEN : nic_ring_get(&c->rx, buf, cap, len);
}

void nic_client_flush(struct nic_client *c)
{
    if (nic_client_lost(c))
        return;
    int wake = nic_ring_publish(&c->tx);
    wake |= nic_ring_publish(&c->rx);
    if (wake)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, c->server_sm, 0);
}

int nic_client_link(struct nic_client *c, int *changed)
{
    struct kide_nic_ring_hdr *h = c->rx_mem;
    *changed = 0;
    if (nic_client_lost(c))
        return 0;
    kide_u32 gen = __atomic_load_n(&h->link_gen, __ATOMIC_ACQUIRE);
    *changed = gen != c->link_gen;
    c->link_gen = gen;
    return __atomic_load_n(&h->link_up, __ATOMIC_RELAXED) == 1;
}

int nic_client_wait_prepare(struct nic_client *c)
{
    if (nic_client_lost(c))
        return 0; /* nothing to sleep for: the caller learns of it from nic_client_lost */
    nic_client_flush(c);
    int block = nic_ring_wait_prepare(&c->rx);
    if (block && nic_ring_space(&c->tx) == 0)
        block = nic_ring_wait_prepare(&c->tx);
    return block;
}

void nic_client_wait_done(struct nic_client *c)
{
    if (nic_client_lost(c))
        return; /* the rings went with the server: never touched again */
    nic_ring_wait_done(&c->rx);
    nic_ring_wait_done(&c->tx);
}

int nic_client_wait(struct nic_client *c, kide_u64 deadline_ns)
{
    if (nic_client_lost(c))
        return KIDE_ABORTED;
    int st = KIDE_OK;
    if (nic_client_wait_prepare(c))
        st = kide_ctrl_sm(KIDE_CTRL_SM_DOWN, c->client_sm, deadline_ns);
    if (nic_retry_gone(st)) {
        c->lost = 1; /* the semaphore went with the server: so did the rings */
        return KIDE_ABORTED;
    }
    nic_client_wait_done(c);
    return st == KIDE_TIMEOUT ? KIDE_TIMEOUT : KIDE_OK;
}

int nic_client_notify(struct nic_client *c, kide_sel sm)
{
    c->notify_sm = sm; /* also when lost or closed: nic_client_reopen gives it to the next server */
    if (nic_client_lost(c))
        return KIDE_ABORTED;
    struct kide_msg m;
    kide_msg_begin(&m, KIDE_NIC_NOTIFY);
    int st = kide_msg_call_cap(&m, c->session.pt, 0, sm, KIDE_SM_UP);
    if (nic_retry_gone(st))
        c->lost = 1;
    return st;
}
