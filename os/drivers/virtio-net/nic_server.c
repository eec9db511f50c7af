/* SPDX-License-Identifier: MIT */
/* virtio-net on Kide: NIC sessions, packet rings between the driver and its clients.
 *
 * A session owns two rings (os/lib/nic) in dataspaces allocated from the RAM
 * its client donated, a client semaphore it ups, and shares the driver's one
 * server semaphore (clients may only up it). Sessions are opened and closed
 * by the handler EC and used by the main thread: the table is guarded by
 * `lock`, taken once per poll round. The data path itself is nic_pump.c
 * (a hub to every session; a full rx ring drops for that session only; a
 * session whose client broke its ring is skipped until closed). Costs per
 * round: O(sessions + frames), one copy per frame per session.
 */
#include <kide/component.h>
#include <kide/base.h>
#include "nic_pump.h"
#include "nic_server.h"

#define RX_BATCH     64 /* frames taken from the device per call */
#define RX_ROUND_MAX 4  /* calls per poll round */

struct nic_sess {
    int used;
    kide_u32 slots;
    kide_u64 ring_bytes;
    void *tx_mem, *rx_mem;
    kide_sel client_sm;
};

static struct nic_sess sess[NIC_SESSIONS_MAX];
static struct nic_port port[NIC_SESSIONS_MAX]; /* port[i] is sess[i]'s data path */
static struct kide_mutex lock;
static kide_sel server_sm;
static struct vnet *dev;

/* "slots=<n>" or "": the slots per ring, or 0 if the args are bad. */
static kide_u32 parse_slots(const char *args)
{
    if (!args || !*args)
        return KIDE_NIC_SLOTS_DEFAULT;
    if (strncmp(args, "slots=", 6) != 0)
        return 0;
    kide_u32 v = 0;
    for (const char *p = args + 6; *p; p++) {
        if (*p < '0' || *p > '9' || v > KIDE_NIC_SLOTS_MAX)
            return 0;
        v = v * 10 + (kide_u32)(*p - '0');
    }
    if (v < KIDE_NIC_SLOTS_MIN || v > KIDE_NIC_SLOTS_MAX || (v & (v - 1)))
        return 0;
    return v;
}

static void sess_free(struct kide_env *env, struct nic_sess *s)
{
    if (s->tx_mem)
        kide_ram_free(env, s->tx_mem, s->ring_bytes);
    if (s->rx_mem)
        kide_ram_free(env, s->rx_mem, s->ring_bytes);
    if (s->client_sm)
        kide_cap_drop(s->client_sm);
    port[s - sess] = (struct nic_port){0};
    *s = (struct nic_sess){0};
}

static int sess_setup(struct kide_env *env, struct nic_sess *s, kide_u32 slots)
{
    s->slots = slots;
    s->ring_bytes = KIDE_NIC_RING_BYTES(slots);
    int st = kide_ram_alloc(env, s->ring_bytes, &s->tx_mem);
    if (st == KIDE_OK)
        st = kide_ram_alloc(env, s->ring_bytes, &s->rx_mem);
    if (st == KIDE_OK)
        st = kide_sm_create(env, 0, &s->client_sm);
    if (st != KIDE_OK)
        return st;
    nic_ring_format(s->tx_mem, s->ring_bytes, slots);
    nic_ring_format(s->rx_mem, s->ring_bytes, slots);
    if (nic_port_init(&port[s - sess], s->tx_mem, s->rx_mem, s->ring_bytes, slots, dev->link_up) !=
        NIC_RING_OK)
        return KIDE_BAD_PARAM;
    return KIDE_OK;
}

static void *nic_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                      int *status)
{
    kide_u32 slots = parse_slots(args);
    if (!slots) {
        *status = KIDE_BAD_PARAM;
        return 0;
    }
    if (ram < KIDE_NIC_SESSION_RAM(slots)) {
        *status = KIDE_QUOTA;
        return 0;
    }
    kide_mutex_lock(&lock);
    struct nic_sess *s = 0;
    for (int i = 0; i < NIC_SESSIONS_MAX && !s; i++)
        if (!sess[i].used)
            s = &sess[i];
    int st = s ? sess_setup(env, s, slots) : KIDE_QUOTA;
    if (st == KIDE_OK)
        s->used = 1;
    else if (s)
        sess_free(env, s);
    kide_mutex_unlock(&lock);
    if (st != KIDE_OK) {
        *status = st;
        return 0;
    }
    kide_log(env, "virtio-net: session for %s, %u slots per ring", label, slots);
    return s;
}

static void nic_close(struct kide_env *env, void *session)
{
    kide_mutex_lock(&lock);
    sess_free(env, session);
    kide_mutex_unlock(&lock);
}

static int nic_info(struct nic_sess *s, struct kide_rpc *rpc)
{
    kide_u64 mac = 0;
    for (int i = 0; i < 6; i++)
        mac |= (kide_u64)dev->mac[i] << (8 * i);
    kide_msg_put(&rpc->out, mac);
    kide_msg_put(&rpc->out, (kide_u64)dev->link_up);
    kide_msg_put(&rpc->out, 1500);
    kide_msg_put(&rpc->out, s->slots);
    kide_msg_put(&rpc->out, KIDE_NIC_SLOT_SIZE);
    return KIDE_OK;
}

static int nic_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct nic_sess *s = session;
    kide_u64 which = kide_msg_get(&rpc->in);
    (void)env;
    switch (rpc->op) {
    case KIDE_NIC_INFO:
        return nic_info(s, rpc);
    case KIDE_NIC_RING:
        if (rpc->in.bad || which > KIDE_NIC_RING_RX)
            return KIDE_BAD_PARAM;
        rpc->ds_out = which == KIDE_NIC_RING_TX ? s->tx_mem : s->rx_mem;
        rpc->ds_pages = s->ring_bytes / 4096;
        rpc->ds_writable = 1;
        kide_msg_put(&rpc->out, rpc->ds_pages);
        return KIDE_OK;
    case KIDE_NIC_SM:
        if (rpc->in.bad || which > KIDE_NIC_SM_CLIENT)
            return KIDE_BAD_PARAM;
        rpc->cap_out = which == KIDE_NIC_SM_SERVER ? server_sm : s->client_sm;
        rpc->cap_perm = which == KIDE_NIC_SM_SERVER ? KIDE_SM_UP : KIDE_SM_DOWN;
        return KIDE_OK;
    case KIDE_NIC_STATS: {
        /* Counters written by the main thread: a torn read only skews a statistic. */
        const struct kide_nic_stats_rep *c = &port[s - sess].st;
        kide_msg_put(&rpc->out, c->tx_frames);
        kide_msg_put(&rpc->out, c->rx_frames);
        kide_msg_put(&rpc->out, c->rx_dropped);
        kide_msg_put(&rpc->out, c->tx_bad);
        kide_msg_put(&rpc->out, c->ring_bad);
        return KIDE_OK;
    }
    default:
        return KIDE_BAD_PARAM;
    }
}

static const struct kide_service_ops nic_ops = {
        .open = nic_open,
        .close = nic_close,
        .call = nic_call,
};

int nic_server_start(struct kide_env *env, struct vnet *n)
{
    dev = n;
    int st = kide_mutex_init(env, &lock);
    if (st == KIDE_OK)
        st = kide_sm_create(env, 0, &server_sm);
    if (st == KIDE_OK)
        st = kide_service_announce(env, KIDE_NIC_SERVICE, &nic_ops);
    return st;
}

void nic_server_poll(struct kide_env *env, unsigned events)
{
    (void)env;
    kide_mutex_lock(&lock);
    /* At most RX_ROUND_MAX batches per round, so a flood cannot starve tx. */
    for (int b = 0; (events & VNET_EV_RX) && b < RX_ROUND_MAX; b++)
        if (nic_pump_rx(dev, port, NIC_SESSIONS_MAX, RX_BATCH) < RX_BATCH)
            break;
    for (int i = 0; i < NIC_SESSIONS_MAX; i++) {
        if (!port[i].used)
            continue;
        if (events & VNET_EV_LINK)
            nic_pump_link(dev, &port[i]);
        nic_pump_tx(dev, &port[i]);
        if (nic_pump_publish(&port[i]))
            kide_ctrl_sm(KIDE_CTRL_SM_UP, sess[i].client_sm, 0);
    }
    vnet_tx_flush(dev);
    kide_mutex_unlock(&lock);
}
