/* SPDX-License-Identifier: MIT */
/* os/lib/nic: NIC sessions served by a component (nic_server.h).
 *
 * A session owns two rings in dataspaces allocated from the RAM its client
 * donated, and a client semaphore it ups (or, once the client gave one with
 * KIDE_NIC_NOTIFY, the client's own); all sessions share the one server
 * semaphore (clients may only up it), which is the component's own
 * notification semaphore when it gave one (cfg.sm: a driver's interrupt
 * semaphore), so its main loop waits on one semaphore for everything. Sessions are opened and
 * closed by the handler EC and used by the main thread: the table is guarded by `lock`, taken once
 * per round. Session arguments are validated here ("slots=<n>", a power of two in range; the
 * donation must cover both rings), every index the client writes by the ring code. Costs per round:
 * O(sessions).
 */
#include <kide/base.h>
#include "nic_server.h"

struct nic_sess {
    int used;
    kide_u32 slots;
    kide_u64 ring_bytes;
    void *tx_mem, *rx_mem;
    kide_sel client_sm;
    kide_sel notify_sm; /* the client's semaphore (KIDE_NIC_NOTIFY), upped instead, or 0 */
    kide_u8 mac[6];     /* the MAC admit gave (cfg.admit only) */
};

static struct nic_server_cfg cfg;
static struct nic_sess sess[NIC_SESSIONS_MAX];
static struct nic_port port[NIC_SESSIONS_MAX]; /* port[i] is sess[i]'s data path */
static struct kide_mutex lock;
static kide_sel server_sm;

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
    if (s->notify_sm)
        kide_cap_drop(s->notify_sm);
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
    if (nic_port_init(&port[s - sess], s->tx_mem, s->rx_mem, s->ring_bytes, slots, cfg.link_up) !=
        NIC_RING_OK)
        return KIDE_BAD_PARAM;
    return KIDE_OK;
}

static void *srv_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
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
    for (unsigned i = 0; i < cfg.sessions && !s; i++)
        if (!sess[i].used)
            s = &sess[i];
    kide_u8 mac[6];
    int st = s ? KIDE_OK : KIDE_QUOTA;
    if (s && cfg.admit) {
        st = cfg.admit(cfg.admit_ctx, label ? label : "", (unsigned)(s - sess), port, mac);
        if (st != KIDE_OK)
            s = 0; /* refused: nothing was allocated */
    }
    if (s)
        st = sess_setup(env, s, slots);
    if (st == KIDE_OK && cfg.admit)
        memcpy(s->mac, mac, 6);
    if (st == KIDE_OK)
        s->used = 1;
    else if (s)
        sess_free(env, s);
    kide_mutex_unlock(&lock);
    if (st != KIDE_OK) {
        *status = st;
        return 0;
    }
    kide_log(env, "%s: session for %s, %u slots per ring", cfg.name, label, slots);
    return s;
}

static void srv_close(struct kide_env *env, void *session)
{
    kide_mutex_lock(&lock);
    sess_free(env, session);
    kide_mutex_unlock(&lock);
}

static int srv_info(struct nic_sess *s, struct kide_rpc *rpc)
{
    kide_u64 mac = 0;
    const kide_u8 *m = cfg.admit ? s->mac : cfg.mac;
    for (int i = 0; i < 6; i++)
        mac |= (kide_u64)m[i] << (8 * i);
    if (cfg.mac_per_session && !cfg.admit)
        mac ^= (kide_u64)(s - sess) << 40; /* the last byte */
    kide_msg_put(&rpc->out, mac);
    kide_msg_put(&rpc->out, (kide_u64)cfg.link_up);
    kide_msg_put(&rpc->out, 1500);
    kide_msg_put(&rpc->out, s->slots);
    kide_msg_put(&rpc->out, KIDE_NIC_SLOT_SIZE);
    return KIDE_OK;
}

static int srv_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct nic_sess *s = session;
    kide_u64 which = kide_msg_get(&rpc->in);
    (void)env;
    switch (rpc->op) {
    case KIDE_NIC_INFO:
        return srv_info(s, rpc);
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
    case KIDE_NIC_NOTIFY:
        if (!rpc->cap_in)
            return KIDE_BAD_PARAM;
        kide_mutex_lock(&lock); /* the main thread reads notify_sm in nic_server_end */
        if (s->notify_sm)
            kide_cap_drop(s->notify_sm);
        s->notify_sm = rpc->cap_in;
        kide_mutex_unlock(&lock);
        rpc->cap_in = 0; /* ours now */
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

static const struct kide_service_ops srv_ops = {
        .open = srv_open,
        .close = srv_close,
        .call = srv_call,
};

int nic_server_start(struct kide_env *env, const struct nic_server_cfg *c)
{
    cfg = *c;
    if (!cfg.sessions || cfg.sessions > NIC_SESSIONS_MAX)
        cfg.sessions = NIC_SESSIONS_MAX;
    int st = kide_mutex_init(env, &lock);
    server_sm = cfg.sm;
    if (st == KIDE_OK && !server_sm)
        st = kide_sm_create(env, 0, &server_sm);
    if (st == KIDE_OK)
        st = kide_service_announce(env, KIDE_NIC_SERVICE, &srv_ops);
    return st;
}

struct nic_port *nic_server_begin(void)
{
    kide_mutex_lock(&lock);
    return port;
}

void nic_server_link(int up)
{
    cfg.link_up = up;
    for (int i = 0; i < NIC_SESSIONS_MAX; i++)
        if (port[i].used)
            nic_port_link(&port[i], up);
}

void nic_server_end(void)
{
    for (int i = 0; i < NIC_SESSIONS_MAX; i++)
        if (port[i].used && nic_port_publish(&port[i]))
            kide_ctrl_sm(KIDE_CTRL_SM_UP, sess[i].notify_sm ? sess[i].notify_sm : sess[i].client_sm,
                         0);
    kide_mutex_unlock(&lock);
}

kide_sel nic_server_sm(void)
{
    return server_sm;
}

/* Announce the waits under the lock; 1 if every ring is idle (block). */
static int wait_prepare(unsigned rx_waits)
{
    int block = 1;
    for (int i = 0; i < NIC_SESSIONS_MAX && block; i++) {
        if (!port[i].used || port[i].tx.broken) /* a broken ring is never ready */
            continue;
        block = nic_ring_wait_prepare(&port[i].tx);
        if (block && (rx_waits & (1u << i)) && !port[i].rx.broken)
            block = nic_ring_wait_prepare(&port[i].rx);
    }
    return block;
}

int nic_server_wait(kide_u64 deadline_ns, unsigned rx_waits)
{
    return nic_server_wait_also(deadline_ns, rx_waits, 0);
}

int nic_server_wait_also(kide_u64 deadline_ns, unsigned rx_waits, struct nic_client *also)
{
    kide_mutex_lock(&lock);
    int block = wait_prepare(rx_waits);
    kide_mutex_unlock(&lock);
    /* A lost client session has nothing to wait for (its server is gone):
     * without this the caller would never sleep until it is re-opened. */
    if (block && also && !nic_client_lost(also))
        block = nic_client_wait_prepare(also);
    int st = KIDE_OK;
    if (block)
        st = kide_ctrl_sm(KIDE_CTRL_SM_DOWN, server_sm, deadline_ns);
    kide_mutex_lock(&lock);
    for (int i = 0; i < NIC_SESSIONS_MAX; i++)
        if (port[i].used) { /* a session opened meanwhile has no flag set: harmless */
            nic_ring_wait_done(&port[i].tx);
            nic_ring_wait_done(&port[i].rx);
        }
    kide_mutex_unlock(&lock);
    /* `also`'s wait flag is not withdrawn here: its server may have gone
     * while this slept, taking the rings; the caller withdraws it after its
     * next check (nic_client_check, then nic_client_wait_done). Until then a
     * frame from that server at most ups the semaphore once more. */
    return st == KIDE_TIMEOUT ? KIDE_TIMEOUT : KIDE_OK;
}
