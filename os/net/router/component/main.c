/* SPDX-License-Identifier: MIT */
/* router: the virtual router component (docs/network.md, "The router component").
 *
 * Wraps the packet logic of os/net/router in NIC sessions: a client session
 * on the uplink (the NIC driver's "Nic") and a server ("Nic") whose sessions
 * are the habitats' downlinks. A session's label, which hoitaja prefixes with
 * the client's habitat path ("tenant-a/net"), names its habitat by its first
 * component; a habitat the configuration does not name, or one that already
 * has a session, is refused (DENIED) with a log line. Each admitted session
 * gets its habitat's configured MAC, which the router requires as the source
 * of every frame the habitat sends.
 *
 * Config: the router library's configuration document, unchanged (uplink,
 * router_mac, dns, habitats, forward, allow); a document the library rejects
 * stops the component with its error and hint. With `config_live: true` in its
 * entry a changed document is applied while it runs (live.c), and live.c
 * publishes the counters into hoitaja's report; the loop holds live.c's lock
 * while it touches the packet logic.
 *
 * Loop (one thread: the library takes no locks): frames from the uplink and
 * from every downlink (no more than its queue has room for: the rest waits in
 * the habitat's ring) into rtr_input, rtr_poll with the uplink's free tx slots
 * as budget, publish both sides (one wake-up each at most), rtr_expire and the
 * drop log once a second. When nothing moved it sleeps on one semaphore,
 * the server semaphore: a habitat sent or freed rx slots, and the uplink
 * session ups it too (the router gave it to the driver with
 * nic_client_notify) when a frame arrived or tx space freed up while the
 * uplink's tx ring was full. Nothing is polled
 * (docs/decisions/0017-one-wake-semaphore.md); the sleep ends at the next
 * housekeeping and after SIGNAL_MS at the latest (the parent's signals come
 * on the runtime's own semaphore).
 *
 * Restarts: the uplink's rings are the driver's pages and go when it does,
 * so every round first asks the driver whether it is still there
 * (nic_client_check, one call); a lost uplink is closed and re-opened on
 * os/lib/nic's back-off while the habitats are served on (frames to the
 * uplink are dropped meanwhile and counted, uplink_maintain). A habitat
 * whose stack restarts before its old session was closed is answered BUSY
 * (its stack retries), not DENIED (which its stack takes as final).
 *
 * Memory: the struct rtr (about 0.9 MiB) from the component's RAM, the
 * uplink's rings donated from it (2 x 132 KiB), the downlinks' rings from the
 * habitats' donations.
 */
#include <kide/base.h>
#include <kide/component.h>
#include "nic_client.h"
#include "nic_server.h"
#include "router.h"
#include "live.h"

#define SIGNAL_MS   100                /* the longest sleep (the parent's signals) */
#define ROUND_MAX   KIDE_NIC_SLOTS_MAX /* frames per port per round */
#define REPORT_MS   1000               /* expiry and drop log period */
#define UPLINK_WAIT 30000000000ull     /* how long the driver's "Nic" may take to appear */

/** The component's state (static: one router per component). */
struct router {
    struct kide_env *env;
    struct rtr *r;                 /**< the packet logic */
    struct nic_client up;          /**< the uplink session */
    struct nic_port *ports;        /**< the downlinks, within a round */
    int hab_of[NIC_SESSIONS_MAX];  /**< session slot -> habitat slot (admit) */
    kide_u64 undeliverable;        /**< frames for a habitat without a session */
    kide_u64 undeliverable_logged; /**< undeliverable when last logged */
    kide_u64 logged[RTR_HABITATS_MAX + 1][RTR_DROP_COUNT]; /**< drops last logged */
    kide_u8 buf[KIDE_NIC_SLOT_SIZE];                       /**< an uplink frame */
    int up_lost;                /**< the uplink is lost: re-opening on up_retry */
    struct nic_retry up_retry;  /**< the uplink's re-open back-off */
    kide_u64 up_dropped;        /**< frames to the uplink dropped while it was lost */
    kide_u64 up_dropped_logged; /**< up_dropped when last logged */
};

static struct router rt;

/* The habitat a label names: its first path component, into name. */
static void label_habitat(const char *label, char *name, kide_u32 cap)
{
    kide_u32 n = 0;
    while (label[n] && label[n] != '/' && n + 1 < cap) {
        name[n] = label[n];
        n++;
    }
    name[n] = 0;
}

/* nic_server's admission: one session per configured habitat, its MAC. */
static int admit(void *ctx, const char *label, unsigned slot, const struct nic_port *ports,
                 kide_u8 mac[6])
{
    struct router *R = ctx;
    char name[RTR_NAME_MAX + 2]; /* a longer component is cut to RTR_NAME_MAX + 1: no match */
    label_habitat(label, name, sizeof name);
    int h = rtr_slot(R->r, name);
    if (h < 0) {
        kide_log(R->env, "router: session for %s refused: habitat '%s' is not in the config", label,
                 name);
        return KIDE_DENIED;
    }
    for (unsigned i = 0; i < NIC_SESSIONS_MAX; i++)
        if (i != slot && ports[i].used && R->hab_of[i] == h) {
            kide_log(R->env, "router: session for %s refused: habitat '%s' has its session", label,
                     name);
            return KIDE_BUSY; /* a restarted stack whose old session is not closed yet: retry */
        }
    R->hab_of[slot] = h;
    memcpy(mac, R->r->cfg.hab[h].mac, 6);
    kide_log(R->env, "router: habitat '%s' connected (%s)", name, label);
    return KIDE_OK;
}

/* rtr's emit: a frame out of the uplink or a habitat's downlink. */
static void emit(void *ctx, int port, const kide_u8 *frame, kide_u32 len)
{
    struct router *R = ctx;
    if (port == RTR_UPLINK) {
        /* A full ring drops it (the budget avoids that); a lost uplink too, counted. */
        if (nic_client_send(&R->up, frame, len) == NIC_RING_BROKEN && nic_client_lost(&R->up))
            R->up_dropped++;
        return;
    }
    for (unsigned i = 0; i < NIC_SESSIONS_MAX; i++)
        if (R->ports && R->ports[i].used && R->hab_of[i] == port) {
            if (nic_port_put(&R->ports[i], frame, len) == NIC_RING_EMPTY)
                nic_port_drop(&R->ports[i]); /* counted in the session's rx_dropped */
            return;
        }
    R->undeliverable++;
}

static kide_u64 now_ms(void)
{
    return kide_now_ns() / 1000000u;
}

/* One round: frames in from every port, queued frames out. -> frames moved. */
static unsigned round_trip(struct router *R, kide_u64 now)
{
    unsigned moved = 0;
    kide_u32 len;
    for (unsigned n = 0; n < ROUND_MAX; n++) {
        if (nic_client_recv(&R->up, R->buf, sizeof R->buf, &len) != NIC_RING_OK)
            break;
        rtr_input(R->r, RTR_UPLINK, R->buf, len, now);
        moved++;
    }
    for (unsigned i = 0; i < NIC_SESSIONS_MAX; i++) {
        const kide_u8 *d;
        struct nic_port *p = &R->ports[i];
        /* No more than the habitat's queue takes: the rest waits in its ring. */
        kide_u32 room = p->used ? rtr_queue_room(R->r, R->hab_of[i]) : 0;
        for (unsigned n = 0; n < room && nic_port_peek(p, &d, &len) == NIC_RING_OK; n++) {
            rtr_input(R->r, R->hab_of[i], d, len, now);
            nic_port_next(p, 1);
            moved++;
        }
    }
    moved += rtr_poll(R->r, now, R->up_lost ? ROUND_MAX : nic_client_space(&R->up));
    return moved;
}

/* Log one port's drops by reason when they changed since the last log. */
static void log_drops(struct router *R, int port, const char *name)
{
    const struct rtr_counters *c = rtr_counters(R->r, port);
    kide_u64 *last = R->logged[port == RTR_UPLINK ? RTR_HABITATS_MAX : (unsigned)port];
    if (!c || !memcmp(last, c->drops, sizeof c->drops))
        return;
    char line[320];
    int n = kide_snprintf(line, sizeof line, "router: drops %s:", name);
    for (int i = 0; i < RTR_DROP_COUNT && n > 0 && (kide_u32)n < sizeof line; i++)
        if (c->drops[i])
            n += kide_snprintf(line + n, sizeof line - (kide_u32)n, " %s %llu", rtr_drop_name(i),
                               (unsigned long long)c->drops[i]);
    kide_log(R->env, "%s", line);
    memcpy(last, c->drops, sizeof c->drops);
}

/* Once a second: free expired NAT entries, log changed drop counters. */
static void housekeeping(struct router *R, kide_u64 now)
{
    rtr_expire(R->r, now);
    log_drops(R, RTR_UPLINK, "uplink");
    if (R->up_dropped != R->up_dropped_logged) {
        kide_log(R->env, "router: %llu frame(s) to the uplink dropped while it was lost",
                 (unsigned long long)R->up_dropped);
        R->up_dropped_logged = R->up_dropped;
    }
    if (R->undeliverable != R->undeliverable_logged) {
        kide_log(R->env, "router: %llu frame(s) for habitats without a session dropped",
                 (unsigned long long)R->undeliverable);
        R->undeliverable_logged = R->undeliverable;
    }
    for (int s = 0; s < (int)RTR_HABITATS_MAX; s++)
        if (R->r->cfg.hab[s].used)
            log_drops(R, s, R->r->cfg.hab[s].name);
}

/* Configure the packet logic from the component's config; exits on an error. */
static void configure(struct router *R)
{
    struct rtr_error err;
    kide_u64 len = 0;
    const char *json = kide_config(R->env, &len);
    if (kide_ram_alloc(R->env, (sizeof(struct rtr) + 4095) & ~4095ull, (void **)&R->r) != KIDE_OK) {
        kide_log(R->env, "router: cannot allocate its state (%u KiB): not enough RAM",
                 (unsigned)(sizeof(struct rtr) / 1024));
        kide_exit(R->env, 2);
    }
    rtr_init(R->r, emit, R);
    if (!json || len > RTR_CONFIG_MAX ||
        rtr_configure(R->r, json, (kide_u32)len, now_ms(), &err) != 0) {
        kide_log(R->env, "router: config: %s", json ? err.msg : "missing");
        kide_log(R->env, "hint: %s",
                 json ? err.hint : "give the router's configuration (docs/network.md)");
        kide_exit(R->env, 2);
    }
}

/* Open the uplink: the driver's "Nic", waiting while it is not announced yet.
 * With the largest rings (64 slots): the driver hands a round's frames to the
 * router at once and drops what does not fit; with 32 slots a bulk TCP stream
 * lost frames there and stalled on lwIP's retransmissions (docs/benchmarks.md). */
static void open_uplink(struct router *R)
{
    int st = nic_client_open(R->env, &R->up, KIDE_NIC_SLOTS_MAX);
    /* Besides a driver not announced yet, a restarted router can find the
     * driver still holding its previous instance's session (QUOTA or BUSY
     * until the driver notices the old client is gone and frees its rings):
     * both pass, so both are retried within the same wait. */
    for (kide_u64 end = kide_now_ns() + UPLINK_WAIT;
         (st == KIDE_NOT_FOUND || st == KIDE_QUOTA || st == KIDE_BUSY) && kide_now_ns() < end;) {
        kide_sleep_ms(50); /* retry of an open, not synchronisation */
        st = nic_client_open(R->env, &R->up, KIDE_NIC_SLOTS_MAX);
    }
    if (st != KIDE_OK) {
        kide_log(R->env, "router: no uplink NIC session (%s)", kide_status_name(st));
        kide_exit(R->env, 2);
    }
    const kide_u8 *m = R->r->cfg.uplink.mac;
    kide_u64 mac = R->up.info.mac;
    for (int i = 0; i < 6; i++)
        if (((mac >> (8 * i)) & 0xff) != m[i]) {
            kide_log(R->env, "router: warning: uplink.mac differs from the NIC's MAC: frames "
                             "reach the router only where the link delivers every frame (a wire)");
            break;
        }
}

/* Before the round touches the uplink's rings: is the driver still there?
 * A lost uplink is closed once and re-opened on the back-off; the round goes
 * on either way (the library's data calls touch nothing while it is lost). */
static void uplink_maintain(struct router *R)
{
    if (!R->up_lost) {
        if (nic_client_check(&R->up) == KIDE_OK) {
            nic_client_wait_done(&R->up); /* the last sleep's flag: withdrawn after the check */
            return;
        }
        kide_log(R->env, "router: uplink NIC session lost (the driver went away): re-opening; "
                         "frames to the uplink are dropped meanwhile");
        nic_client_close(R->env, &R->up);
        nic_retry_start(&R->up_retry);
        R->up_lost = 1;
    }
    if (nic_client_reopen(R->env, &R->up, KIDE_NIC_SLOTS_MAX, &R->up_retry) != KIDE_OK)
        return;
    R->up_lost = 0;
    kide_log(R->env, "router: uplink NIC session re-opened, link %s",
             R->up.info.link_up ? "up" : "down");
}

void kide_main(struct kide_env *env)
{
    struct router *R = &rt;
    R->env = env;
    configure(R);
    router_live_start(env, R->r, R->hab_of, NIC_SESSIONS_MAX);
    open_uplink(R);
    struct nic_server_cfg cfg = {.name = "router", .link_up = 1, .admit = admit, .admit_ctx = R};
    int st = nic_server_start(env, &cfg);
    if (st != KIDE_OK) {
        kide_log(env, "router: cannot announce %s: %s", KIDE_NIC_SERVICE, kide_status_name(st));
        kide_exit(env, 2);
    }
    st = nic_client_notify(&R->up, nic_server_sm());
    if (st != KIDE_OK) {
        kide_log(env, "router: the uplink's driver refused the wake-up semaphore: %s",
                 kide_status_name(st));
        kide_exit(env, 2);
    }
    kide_log(env, "router: ready");
    kide_u64 next = now_ms() + REPORT_MS;
    for (;;) {
        kide_u64 now = now_ms();
        /* Before the lock: re-opening the uplink is a session request to
         * hoitaja, and a live config update holds hoitaja's handler while it
         * waits for this lock (docs/decisions/0014). */
        uplink_maintain(R);
        router_lock();
        R->ports = nic_server_begin();
        unsigned moved = round_trip(R, now);
        nic_server_end();
        R->ports = 0;
        nic_client_flush(&R->up);
        if (now >= next) {
            housekeeping(R, now);
            next = now + REPORT_MS;
        }
        router_unlock();
        router_live_tick(now);
        if (!moved) {
            kide_u64 until = now + SIGNAL_MS < next ? now + SIGNAL_MS : next;
            nic_server_wait_also(until * 1000000ull, 0, &R->up);
        }
        kide_wait_signal(env, 0);
    }
}
