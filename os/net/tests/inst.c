/* SPDX-License-Identifier: MIT */
/* os/net tests: one lwIP stack behind a table of functions (inst.h).
 *
 * State: the interface, at most one listener and one TCP connection (the
 * first one accepted or the one connected), one UDP socket with the last
 * datagram it received, and a receive ring of RING bytes. Invariant: the
 * ring holds at most TCP_WND unread bytes, because data is acknowledged to
 * lwIP (tcp_recved) only when it is read, so the sender cannot send more
 * than the ring holds; RING >= TCP_WND makes the copy in on_recv always fit.
 */
#include "inst.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/init.h"
#include "lwip/ip4_addr.h"
#include "lwip/memp.h"
#include "lwip/priv/tcp_priv.h"
#include "lwip/stats.h"
#include "lwip/tcp.h"
#include "lwip/timeouts.h"
#include "lwip/udp.h"
#include "net/dhcp_watch.h"
#include "net/port.h"
#include "net/session.h"

#include <string.h>

#define RING (TCP_WND + 1)

static struct netif nif;
static struct tcp_pcb *listener, *conn;
static enum inst_tcp_state state;
static struct udp_pcb *udp;
static uint8_t ring[RING];
static size_t ring_head, ring_len; /* read position, bytes unread */
static uint8_t dgram[2048];
static size_t dgram_len;
static uint16_t dgram_port;
static struct net_session session;
static uint8_t session_buf[KIDE_SOCK_BUF_SIZE];
static struct net_dhcp_watch watch;

static int addr(const char *s, ip4_addr_t *a)
{
    return ip4addr_aton(s, a) ? 0 : -1;
}

static int init(struct net_link *link, const char *ip, uint64_t seed)
{
    ip4_addr_t a, mask, gw;

    net_port_seed(seed);
    lwip_init();
    IP4_ADDR(&mask, 255, 255, 255, 0);
    ip4_addr_set_zero(&gw);
    net_session_init(&session, session_buf, sizeof session_buf);
    if (!ip) {
        net_dhcp_watch_start(&watch, 0, NET_DHCP_TIMEOUT_MS);
        return net_netif_add(&nif, link, NULL, &mask, &gw);
    }
    if (addr(ip, &a) != 0)
        return -1;
    return net_netif_add(&nif, link, &a, &mask, &gw);
}

static int dhcp_check(uint32_t now_ms, char *line, size_t len)
{
    return net_dhcp_watch_check(&watch, &nif, (uint64_t)now_ms * 1000000u, line, len);
}

static int if_addr(uint32_t *ip, uint32_t *mask, uint32_t *gw)
{
    *ip = lwip_ntohl(ip4_addr_get_u32(netif_ip4_addr(&nif)));
    *mask = lwip_ntohl(ip4_addr_get_u32(netif_ip4_netmask(&nif)));
    *gw = lwip_ntohl(ip4_addr_get_u32(netif_ip4_gw(&nif)));
    return dhcp_supplied_address(&nif);
}

static void sock_reset(void)
{
    net_session_fini(&session);
    net_session_init(&session, session_buf, sizeof session_buf);
}

static int sock_call(uint64_t op, const uint64_t *req, unsigned nreq, uint64_t *rep, unsigned *nrep)
{
    return net_session_call(&session, op, req, nreq, rep, nrep);
}

static void poll(uint32_t now_ms)
{
    net_port_set_now(now_ms);
    net_netif_poll(&nif, 64);
    sys_check_timeouts();
}

static int input(const void *frame, size_t len)
{
    return net_netif_input(&nif, frame, len);
}

static int arp_has(const char *ip)
{
    ip4_addr_t a;
    struct eth_addr *mac;
    const ip4_addr_t *found;

    return addr(ip, &a) == 0 && etharp_find_addr(&nif, &a, &mac, &found) >= 0;
}

static int arp_static(const char *ip, const uint8_t mac[6])
{
    ip4_addr_t a;
    struct eth_addr e;

    memcpy(e.addr, mac, sizeof e.addr);
    return addr(ip, &a) == 0 && etharp_add_static_entry(&a, &e) == ERR_OK ? 0 : -1;
}

static err_t on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
    if (!p) {
        state = INST_TCP_PEER_CLOSED;
        return ERR_OK;
    }
    /* Invariant (file comment): unread data never exceeds TCP_WND. */
    LWIP_ASSERT("ring overflow", ring_len + p->tot_len <= RING);
    for (struct pbuf *q = p; q; q = q->next)
        for (u16_t i = 0; i < q->len; i++, ring_len++)
            ring[(ring_head + ring_len) % RING] = ((const uint8_t *)q->payload)[i];
    pbuf_free(p);
    return ERR_OK;
}

static void on_err(void *arg, err_t err)
{
    conn = NULL; /* lwIP has freed the pcb */
    state = INST_TCP_ERROR;
}

static void adopt(struct tcp_pcb *pcb)
{
    conn = pcb;
    state = INST_TCP_OPEN;
    ring_head = ring_len = 0;
    tcp_recv(pcb, on_recv);
    tcp_err(pcb, on_err);
}

static err_t on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
    if (err != ERR_OK || !pcb)
        return ERR_VAL;
    if (conn) { /* one connection at a time: refuse the rest */
        tcp_abort(pcb);
        return ERR_ABRT;
    }
    adopt(pcb);
    return ERR_OK;
}

static int tcp_listen_on(uint16_t port)
{
    struct tcp_pcb *pcb = tcp_new();

    if (!pcb || tcp_bind(pcb, IP4_ADDR_ANY, port) != ERR_OK) {
        if (pcb)
            tcp_close(pcb);
        return -1;
    }
    listener = tcp_listen(pcb);
    if (!listener)
        return -1;
    tcp_accept(listener, on_accept);
    return 0;
}

static err_t on_connected(void *arg, struct tcp_pcb *pcb, err_t err)
{
    adopt(pcb);
    return ERR_OK;
}

static int tcp_connect_to(const char *ip, uint16_t port)
{
    ip_addr_t a;

    if (conn || addr(ip, ip_2_ip4(&a)) != 0)
        return -1;
    IP_SET_TYPE_VAL(a, IPADDR_TYPE_V4);
    conn = tcp_new();
    if (!conn)
        return -1;
    tcp_err(conn, on_err);
    state = INST_TCP_CONNECTING;
    if (tcp_connect(conn, &a, port, on_connected) != ERR_OK) {
        tcp_abort(conn);
        return -1;
    }
    return 0;
}

static enum inst_tcp_state tcp_state(void)
{
    return state;
}

static size_t tcp_send(const void *buf, size_t len)
{
    size_t n;

    if (!conn || state != INST_TCP_OPEN)
        return 0;
    n = tcp_sndbuf(conn);
    if (n > len)
        n = len;
    if (n > 0xffff)
        n = 0xffff;
    if (n == 0 || tcp_write(conn, buf, (u16_t)n, TCP_WRITE_FLAG_COPY) != ERR_OK)
        return 0;
    tcp_output(conn);
    return n;
}

static size_t tcp_take(void *buf, size_t cap)
{
    size_t n = ring_len < cap ? ring_len : cap;

    for (size_t i = 0; i < n; i++)
        ((uint8_t *)buf)[i] = ring[(ring_head + i) % RING];
    ring_head = (ring_head + n) % RING;
    ring_len -= n;
    /* The window opens by what was read, at most 0xffff a call. */
    for (size_t left = conn ? n : 0, k; left; left -= k) {
        k = left > 0xffff ? 0xffff : left;
        tcp_recved(conn, (u16_t)k);
    }
    return n;
}

static int tcp_close_conn(void)
{
    if (!conn)
        return -1;
    tcp_arg(conn, NULL);
    tcp_recv(conn, NULL);
    tcp_err(conn, NULL);
    if (tcp_close(conn) != ERR_OK)
        return -1;
    conn = NULL;
    state = INST_TCP_NONE;
    return 0;
}

static void tcp_abort_all(void)
{
    while (tcp_active_pcbs)
        tcp_abort(tcp_active_pcbs);
    while (tcp_tw_pcbs)
        tcp_abort(tcp_tw_pcbs);
    conn = NULL;
    state = INST_TCP_NONE;
    ring_head = ring_len = 0;
}

static void on_udp(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *a, u16_t port)
{
    dgram_len = pbuf_copy_partial(p, dgram, sizeof dgram, 0);
    dgram_port = port;
    pbuf_free(p);
}

static int udp_bind_to(uint16_t port)
{
    udp = udp_new();
    if (!udp || udp_bind(udp, IP4_ADDR_ANY, port) != ERR_OK)
        return -1;
    udp_recv(udp, on_udp, NULL);
    return 0;
}

static int udp_send_to(const char *ip, uint16_t port, const void *buf, size_t len)
{
    ip_addr_t a;
    struct pbuf *p;
    err_t err;

    if (!udp || len > 0xffff || addr(ip, ip_2_ip4(&a)) != 0)
        return -1;
    IP_SET_TYPE_VAL(a, IPADDR_TYPE_V4);
    p = pbuf_alloc(PBUF_TRANSPORT, (u16_t)len, PBUF_RAM);
    if (!p)
        return -1;
    pbuf_take(p, buf, (u16_t)len);
    err = udp_sendto(udp, p, &a, port);
    pbuf_free(p);
    return err == ERR_OK ? 0 : -1;
}

static size_t udp_take(void *buf, size_t cap, uint16_t *port)
{
    size_t n = dgram_len < cap ? dgram_len : cap;

    memcpy(buf, dgram, n);
    *port = dgram_port;
    dgram_len = 0;
    return n;
}

static void arp_flush(void)
{
    etharp_cleanup_netif(&nif);
}

static void stats(struct inst_stats *st)
{
    unsigned errs = lwip_stats.mem.err;

    for (int i = 0; i < MEMP_MAX; i++)
        errs += lwip_stats.memp[i]->err;
    *st = (struct inst_stats){
            .pbuf_pool = lwip_stats.memp[MEMP_PBUF_POOL]->used,
            .pbuf_ref = lwip_stats.memp[MEMP_PBUF]->used,
            .mem_used = (unsigned)lwip_stats.mem.used,
            .tcp_pcbs = lwip_stats.memp[MEMP_TCP_PCB]->used,
            .tcp_segs = lwip_stats.memp[MEMP_TCP_SEG]->used,
            .reass = lwip_stats.memp[MEMP_REASSDATA]->used,
            .arp_queue = lwip_stats.memp[MEMP_ARP_QUEUE]->used,
            .pool_errs = errs,
            .icmp_xmit = lwip_stats.icmp.xmit,
    };
}

const struct net_inst_ops net_inst = {
        .init = init,
        .dhcp_check = dhcp_check,
        .addr = if_addr,
        .poll = poll,
        .input = input,
        .arp_has = arp_has,
        .arp_static = arp_static,
        .tcp_listen = tcp_listen_on,
        .tcp_connect = tcp_connect_to,
        .tcp_state = tcp_state,
        .tcp_send = tcp_send,
        .tcp_recv = tcp_take,
        .tcp_close = tcp_close_conn,
        .tcp_abort_all = tcp_abort_all,
        .udp_bind = udp_bind_to,
        .udp_sendto = udp_send_to,
        .udp_recv = udp_take,
        .arp_flush = arp_flush,
        .stats = stats,
        .sock_call = sock_call,
        .sock_buf = session_buf,
        .sock_reset = sock_reset,
};
