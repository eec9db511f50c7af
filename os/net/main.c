/* SPDX-License-Identifier: MIT */
/* net: the TCP/IP stack of a habitat (lwIP) serving socket sessions.
 *
 * Config: {"address": "10.0.2.15/24", "gateway": "10.0.2.2"} for a static
 * address, or {} for the DHCP client (optional "dhcp_timeout_ms": after that
 * long without a lease it says so, dhcp_watch.c). At start the component opens its NIC
 * session (nic.c; without one it says so and serves sockets without a
 * network), sets up lwIP on that link and announces "Socket"
 * (os/abi/kide/socket.h).
 *
 * Threads and waiting: the runtime gives a component one main thread and
 * its handler EC, which serves the socket sessions. The handler EC blocks on
 * socket requests (the runtime's portal) and runs each under `lock`,
 * publishing what lwIP sent at once (nic_flush). The main thread sleeps on
 * one semaphore of its own, `wake`, until lwIP's next timer is due: the NIC
 * session's server ups it for rx frames and link changes (nic_notify), and
 * the handler EC ups it when a request moved lwIP's next timer before the
 * time the main thread sleeps until (a retransmission timer a send started),
 * so no timer runs late and nothing is polled
 * (docs/decisions/0017-one-wake-semaphore.md). Woken, it takes the frames,
 * runs the timers and answers the parent's signals (kide_wait_signal without
 * waiting); since those come on the runtime's own semaphore, the sleep is
 * never longer than SIGNAL_MS.
 *
 * Threads: the main loop and the session handler both call into lwIP,
 * which is single-threaded (NO_SYS): every call into it holds `lock`.
 * Restarts: when the NIC server goes away (a check before the rings are
 * touched finds it gone, nic.c), the link goes down and the main loop
 * re-opens the session on a back-off (nic_restart below); when it is back
 * the link comes up with the new session's MAC. Connections stay open
 * meanwhile (what is lost is retransmitted; docs/network.md, "Restarts").
 *
 * Memory: lwIP's pools are static (in this component's quota), the NIC
 * session's rings are donated from it (2 x 132 KiB); each socket session
 * costs its struct and the shared buffer, both paid from the session's
 * donation (KIDE_SOCK_SESSION_RAM is refused below that).
 */
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/timeouts.h"
#include "net/netif.h"
#include "net/port.h"
#include "net/session.h"
#include "net/dhcp_watch.h"
#include "nic.h"

#include <kide/component.h>
#include <kide/json.h>
#include <kide/sys.h> /* kide_ctrl_sm (the system-call stubs), KIDE_CTRL_SM_UP */

struct sock_session {
    struct net_session s;
    void *buf;   /**< the shared buffer (kide_ram_alloc, KIDE_SOCK_BUF_SIZE) */
    kide_sel sm; /**< the client's notification semaphore, or 0 */
};

#define POLL_BUDGET 64  /* frames into the stack per round */
#define SIGNAL_MS   100 /* the longest sleep: the parent's signals come on another semaphore */

static struct kide_env *env_;
static struct kide_mutex lock;
static struct netif nif;
static struct net_link link;
static kide_sel wake;        /**< the main thread's one wake-up semaphore */
static kide_u64 lwip_now_ns; /**< under lock: lwIP's clock (net_port_set_now), in ns */
static kide_u64
        sleep_until_ns; /**< under lock: when the main thread wakes at the latest, 0 awake */
static int dhcp_on;     /* the DHCP client configures the interface */
static struct net_dhcp_watch dhcp_w; /* main thread, under lock */

void net_port_log(const char *line)
{
    kide_log(env_, "lwip: %s", line);
}

void net_port_panic(const char *line)
{
    kide_log(env_, "net: lwIP stopped: %s", line);
    kide_exit(env_, 70);
}

/* Under the lock, after a socket request: if lwIP's next timer is now due
 * before the main thread would wake, wake it (once). lwIP's clock is the
 * main thread's (net_port_set_now), so both deadlines are in the same time. */
static void timers_moved(void)
{
    u32_t ms = sys_timeouts_sleeptime();
    if (sleep_until_ns && ms != SYS_TIMEOUTS_SLEEPTIME_INFINITE &&
        lwip_now_ns + (kide_u64)ms * 1000000 < sleep_until_ns) {
        sleep_until_ns = 0;
        kide_ctrl_sm(KIDE_CTRL_SM_UP, wake, 0);
    }
}

static void notify(void *ctx)
{
    struct sock_session *ss = ctx;

    if (ss->sm)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, ss->sm, 0);
}

static void *sock_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                       int *status)
{
    struct sock_session *ss;

    (void)label, (void)args;
    if (ram < KIDE_SOCK_SESSION_RAM || !(ss = kide_calloc(1, sizeof *ss))) {
        *status = KIDE_QUOTA;
        return 0;
    }
    if (kide_ram_alloc(env, KIDE_SOCK_BUF_SIZE, &ss->buf) != KIDE_OK) {
        kide_free(ss);
        *status = KIDE_QUOTA;
        return 0;
    }
    net_session_init(&ss->s, ss->buf, KIDE_SOCK_BUF_SIZE);
    ss->s.notify = notify;
    ss->s.notify_ctx = ss;
    return ss;
}

static void sock_close(struct kide_env *env, void *session)
{
    struct sock_session *ss = session;

    kide_mutex_lock(&lock);
    nic_begin();
    net_session_fini(&ss->s);
    nic_flush();
    kide_mutex_unlock(&lock);
    kide_ram_free(env, ss->buf, KIDE_SOCK_BUF_SIZE);
    if (ss->sm)
        kide_cap_drop(ss->sm);
    kide_free(ss);
}

static int sock_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct sock_session *ss = session;
    kide_u64 rep[KIDE_SOCK_POLL_MAX];
    unsigned nrep = 0, nreq = rpc->in.n > 1 ? rpc->in.n - 1 : 0;
    int st;

    (void)env;
    switch (rpc->op) {
    case KIDE_SOCK_BUFFER:
        rpc->ds_out = ss->buf;
        rpc->ds_pages = KIDE_SOCK_BUF_SIZE / 4096;
        rpc->ds_writable = 1;
        kide_msg_put(&rpc->out, KIDE_SOCK_BUF_SIZE);
        return KIDE_OK;
    case KIDE_SOCK_NOTIFY:
        if (!rpc->cap_in)
            return KIDE_BAD_PARAM;
        if (ss->sm)
            kide_cap_drop(ss->sm);
        ss->sm = rpc->cap_in;
        rpc->cap_in = 0; /* ours now */
        return KIDE_OK;
    default:
        if (nreq > 1 + KIDE_SOCK_POLL_MAX)
            nreq = 1 + KIDE_SOCK_POLL_MAX;
        kide_mutex_lock(&lock);
        nic_begin();
        st = net_session_call(&ss->s, rpc->op, rpc->in.w + 1, nreq, rep, &nrep);
        nic_flush(); /* what the request sent leaves now, not at the next round */
        timers_moved();
        kide_mutex_unlock(&lock);
        for (unsigned i = 0; i < nrep; i++)
            kide_msg_put(&rpc->out, rep[i]);
        return st;
    }
}

static const struct kide_service_ops sock_ops = {
        .open = sock_open,
        .close = sock_close,
        .call = sock_call,
};

/* The NIC session is open: say which address the stack has on it. */
static void log_link(struct kide_env *env, int dhcp, const ip4_addr_t *ip, const ip4_addr_t *mask)
{
    const uint8_t *m = link.mac;
    char a[16], b[16];
    int changed, up = nic_link(&changed);

    if (!up)
        netif_set_link_down(&nif);
    if (dhcp) {
        kide_log(env, "net: NIC %02x:%02x:%02x:%02x:%02x:%02x, link %s, address by DHCP", m[0],
                 m[1], m[2], m[3], m[4], m[5], up ? "up" : "down");
        return;
    }
    ip4addr_ntoa_r(ip, a, sizeof a);
    ip4addr_ntoa_r(mask, b, sizeof b);
    kide_log(env, "net: NIC %02x:%02x:%02x:%02x:%02x:%02x, link %s, address %s mask %s", m[0], m[1],
             m[2], m[3], m[4], m[5], up ? "up" : "down", a, b);
}

/* "a.b.c.d/len" into IP and MASK; 0 or -1. */
static int parse_cidr(const char *s, ip4_addr_t *ip, ip4_addr_t *mask)
{
    char addr[16];
    unsigned i = 0, len = 0;

    while (s[i] && s[i] != '/' && i < sizeof addr - 1)
        addr[i] = s[i], i++;
    addr[i] = 0;
    if (s[i] != '/' || !ip4addr_aton(addr, ip) || !s[i + 1])
        return -1;
    for (i++; s[i] >= '0' && s[i] <= '9' && len <= 32; i++)
        len = len * 10 + (unsigned)(s[i] - '0');
    if (s[i] || len > 32)
        return -1;
    ip4_addr_set_u32(mask, lwip_htonl(len ? 0xffffffffu << (32 - len) : 0));
    return 0;
}

/* Read the config: *dhcp, or IP, MASK, GW. 0, or -1 with a message in err. */
static int read_config(struct kide_env *env, int *dhcp, ip4_addr_t *ip, ip4_addr_t *mask,
                       ip4_addr_t *gw, kide_u32 *dhcp_ms, char *err, kide_u64 errlen)
{
    const struct kide_json_doc *doc;
    char text[40];
    kide_u64 ms;
    int i;

    if (kide_config_doc(env, &doc, err, errlen) != 0)
        return -1;
    i = kide_json_find(doc, 0, "address");
    *dhcp = i < 0;
    ip4_addr_set_zero(gw);
    if (i >= 0 &&
        (kide_json_get_string(doc, i, text, sizeof text) < 0 || parse_cidr(text, ip, mask) != 0)) {
        kide_snprintf(err, errlen, "config: address: expected \"a.b.c.d/prefix\"");
        return -1;
    }
    i = kide_json_find(doc, 0, "gateway");
    if (i >= 0 &&
        (kide_json_get_string(doc, i, text, sizeof text) < 0 || !ip4addr_aton(text, gw))) {
        kide_snprintf(err, errlen, "config: gateway: expected \"a.b.c.d\"");
        return -1;
    }
    *dhcp_ms = NET_DHCP_TIMEOUT_MS;
    i = kide_json_find(doc, 0, "dhcp_timeout_ms");
    if (i >= 0) {
        if (kide_json_get_u64(doc, i, &ms) < 0 || ms < 1000 || ms > NET_DHCP_TIMEOUT_MAX) {
            kide_snprintf(err, errlen, "config: dhcp_timeout_ms: expected 1000 to %u",
                          NET_DHCP_TIMEOUT_MAX);
            return -1;
        }
        *dhcp_ms = (kide_u32)ms;
    }
    return 0;
}

/* The link came up or went down (the NIC session's rx header). */
static void link_changed(struct kide_env *env, int up)
{
    if (up)
        netif_set_link_up(&nif);
    else
        netif_set_link_down(&nif);
    kide_log(env, "net: link %s", up ? "up" : "down");
}

/* The NIC server went away, or may be back: drop the lost session, re-open
 * on the back-off (without the lock: the open goes through the parent), and
 * attach the new one. Main thread only. */
static int nic_lost; /* main thread: the session is lost (or the first open failed): re-opening */

static void nic_restart(struct kide_env *env)
{
    int lost = nic_lost;
    const uint8_t *m = link.mac;
    int gone, changed, up;

    kide_mutex_lock(&lock);
    gone = nic_gone();
    if (gone) {
        nic_drop(&link);
        netif_set_link_down(&nif);
    }
    kide_mutex_unlock(&lock);
    if (gone) {
        kide_log(env, "net: NIC session lost (its server went away): link down, re-opening");
        nic_release(env);
        lost = 1;
    }
    nic_lost = lost;
    if (!lost || nic_reopen(env) != KIDE_OK)
        return;
    nic_lost = 0;
    kide_mutex_lock(&lock);
    nic_attach(&link);
    __builtin_memcpy(nif.hwaddr, link.mac, sizeof link.mac);
    up = nic_link(&changed);
    if (up)
        netif_set_link_up(&nif); /* announces the address again (gratuitous ARP) */
    else
        netif_set_link_down(&nif); /* up when the server says so (link_changed) */
    kide_mutex_unlock(&lock);
    kide_log(env, "net: NIC session re-opened: %02x:%02x:%02x:%02x:%02x:%02x, link %s", m[0], m[1],
             m[2], m[3], m[4], m[5], up ? "up" : "down");
}

/* The main loop (see the top of the file): frames in, link, timers, frames
 * out, then sleep until a frame, a timer, a request's new timer or SIGNAL_MS. */
static __attribute__((noreturn)) void serve(struct kide_env *env)
{
    for (;;) {
        kide_u64 now = kide_now_ns();
        unsigned got;
        u32_t sleep_ms;
        int changed, up, idle, say;
        char line[256];

        kide_mutex_lock(&lock);
        nic_begin();
        nic_woken(); /* the rings' first touch this round: asks the server first */
        net_port_set_now((uint32_t)(now / 1000000));
        lwip_now_ns = now;
        got = net_netif_poll(&nif, POLL_BUDGET);
        up = nic_link(&changed);
        if (changed && up != netif_is_link_up(&nif))
            link_changed(env, up);
        sys_check_timeouts();
        say = dhcp_on && net_dhcp_watch_check(&dhcp_w, &nif, now, line, sizeof line);
        nic_flush();
        sleep_ms = sys_timeouts_sleeptime(); /* INFINITE is 0xffffffff: bounded below */
        if (sleep_ms > SIGNAL_MS)
            sleep_ms = SIGNAL_MS;
        idle = got < POLL_BUDGET && nic_wait_prepare();
        if (idle)
            sleep_until_ns = now + (kide_u64)sleep_ms * 1000000;
        kide_mutex_unlock(&lock);
        if (say)
            kide_log(env, "%s", line);
        if (idle) {
            kide_ctrl_sm(KIDE_CTRL_SM_DOWN, wake, now + (kide_u64)sleep_ms * 1000000);
            kide_mutex_lock(&lock);
            sleep_until_ns = 0; /* the rings' wait flag is withdrawn by the next round's
                                   nic_woken, after its check that the server is there */
            kide_mutex_unlock(&lock);
        }
        kide_wait_signal(env, 0);
        nic_restart(env);
    }
}

void kide_main(struct kide_env *env)
{
    ip4_addr_t ip, mask, gw;
    char err[160];
    kide_u32 dhcp_ms;
    int dhcp, st;

    env_ = env;
    if (read_config(env, &dhcp, &ip, &mask, &gw, &dhcp_ms, err, sizeof err) != 0) {
        kide_log(env, "net: %s", err);
        kide_exit(env, 2);
    }
    if (kide_mutex_init(env, &lock) != KIDE_OK || kide_sm_create(env, 0, &wake) != KIDE_OK)
        kide_exit(env, 1);
    net_port_seed(kide_now_ns());
    lwip_init();
    st = nic_open(env, &link);
    if (st == KIDE_QUOTA || st == KIDE_BUSY || st == KIDE_NOT_FOUND || st == KIDE_TIMEOUT) {
        /* The server is full or still holds this stack's old session (a
         * restart: QUOTA from nic-wire, BUSY from the router, until the
         * close reaches it), is not there, or slow: keep trying. */
        kide_log(env, "net: no NIC session yet (%s): serving sockets, re-opening",
                 kide_status_name(st));
        nic_release(env);
        nic_lost = 1;
    } else if (st != KIDE_OK)
        kide_log(env, "net: no NIC session (%s): serving sockets without a network",
                 kide_status_name(st));
    dhcp_on = dhcp;
    net_dhcp_watch_start(&dhcp_w, kide_now_ns(), dhcp_ms);
    if (net_netif_add(&nif, &link, dhcp ? 0 : &ip, &mask, &gw) != 0) {
        kide_log(env, "net: lwIP refused the interface");
        kide_exit(env, 1);
    }
    int nst = nic_notify(wake); /* remembered for every re-open, also without a session now */
    if (st == KIDE_OK && (st = nst) != KIDE_OK) {
        kide_log(env, "net: the NIC server refused the wake-up semaphore: %s",
                 kide_status_name(st));
        kide_exit(env, 2);
    }
    if (st == KIDE_OK)
        log_link(env, dhcp, &ip, &mask);
    st = kide_service_announce(env, KIDE_SOCK_SERVICE, &sock_ops);
    if (st != KIDE_OK)
        kide_log(env, "net: cannot announce %s: %s", KIDE_SOCK_SERVICE, kide_status_name(st));
    serve(env);
}
