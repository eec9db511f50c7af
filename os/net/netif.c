/* SPDX-License-Identifier: MIT */
/* os/net: lwIP's Ethernet interface on a link of two functions (netif.h).
 *
 * Output: lwIP calls linkoutput with a packet chain; with
 * LWIP_NETIF_TX_SINGLE_PBUF it is one buffer, but a chain is still
 * flattened into a frame buffer on the stack so the link gets one
 * contiguous frame. Input: the frame is copied into a PBUF_POOL buffer (the
 * stack's fixed receive pool), so a link's buffer is never held by lwIP.
 * Costs: one copy each way; no allocation outside lwIP's pools.
 */
#include "net/netif.h"

#include "lwip/dhcp.h"
#include "lwip/etharp.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#include <string.h>

static err_t link_output(struct netif *nif, struct pbuf *p)
{
    struct net_link *link = nif->state;
    uint8_t frame[NET_FRAME_MAX];

    if (p->tot_len > sizeof frame || pbuf_copy_partial(p, frame, p->tot_len, 0) != p->tot_len) {
        link->send_drop++;
        return ERR_BUF;
    }
    if (link->send_frame(link->ctx, frame, p->tot_len) != 0) {
        link->send_drop++;
        return ERR_MEM;
    }
    link->sent++;
    return ERR_OK;
}

static err_t nif_init(struct netif *nif)
{
    struct net_link *link = nif->state;

    nif->name[0] = 'e';
    nif->name[1] = 'n';
    nif->mtu = NET_MTU;
    nif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(nif->hwaddr, link->mac, ETH_HWADDR_LEN);
    nif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    nif->output = etharp_output;
    nif->linkoutput = link_output;
    return ERR_OK;
}

int net_netif_add(struct netif *nif, struct net_link *link, const ip4_addr_t *ip,
                  const ip4_addr_t *mask, const ip4_addr_t *gw)
{
    int dhcp = ip == NULL;

    if (!netif_add(nif, dhcp ? IP4_ADDR_ANY4 : ip, dhcp ? IP4_ADDR_ANY4 : mask,
                   dhcp ? IP4_ADDR_ANY4 : gw, link, nif_init, ethernet_input))
        return -1;
    if (!netif_default)
        netif_set_default(nif);
    netif_set_up(nif);
    netif_set_link_up(nif);
    if (dhcp && dhcp_start(nif) != ERR_OK)
        return -1;
    return 0;
}

int net_netif_input(struct netif *nif, const void *frame, size_t len)
{
    struct net_link *link = nif->state;
    struct pbuf *p;

    if (len < NET_FRAME_MIN || len > NET_FRAME_MAX) {
        link->bad++;
        return -1;
    }
    p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
    if (!p) {
        link->bad++;
        return -1;
    }
    if (pbuf_take(p, frame, (u16_t)len) != ERR_OK || nif->input(p, nif) != ERR_OK) {
        pbuf_free(p);
        link->bad++;
        return -1;
    }
    link->received++;
    return 0;
}

unsigned net_netif_poll(struct netif *nif, unsigned budget)
{
    struct net_link *link = nif->state;
    uint8_t frame[NET_FRAME_MAX];
    unsigned n = 0;
    size_t len;

    while (n < budget && (len = link->receive_frame(link->ctx, frame, sizeof frame)) > 0) {
        net_netif_input(nif, frame, len);
        n++;
    }
    return n;
}
