/* SPDX-License-Identifier: MIT */
/* virtio-net: the data path between the device and the NIC session rings.
 *
 * Received frames go to every live port (a hub); a port whose rx ring is
 * full loses the frame (rx_dropped), so a slow client never holds up the
 * device or the others. Ports skip broken rings and bad lengths themselves
 * (os/lib/nic/nic_port.c). A frame the device has no room for stays in the
 * tx ring for the next round. Costs: one copy per frame and port; no
 * allocation.
 */
#include <kide/status.h>
#include "nic_pump.h"

struct fanout {
    struct nic_port *ports;
    int n;
};

static void to_ports(void *arg, const kide_u8 *frame, kide_u32 len)
{
    struct fanout *f = arg;
    for (int i = 0; i < f->n; i++) {
        struct nic_port *p = &f->ports[i];
        if (!p->used || p->rx.broken)
            continue;
        if (nic_port_put(p, frame, len) != NIC_RING_OK)
            nic_port_drop(p);
    }
}

int nic_pump_rx(struct vnet *n, struct nic_port *ports, int nports, int max)
{
    struct fanout f = {ports, nports};
    return vnet_rx(n, to_ports, &f, max);
}

void nic_pump_tx(struct vnet *n, struct nic_port *p)
{
    const kide_u8 *d;
    kide_u32 len;
    while (nic_port_peek(p, &d, &len) == NIC_RING_OK) {
        int st = vnet_tx(n, d, len);
        if (st == KIDE_BUSY || st == KIDE_ABORTED)
            return; /* stays in the ring for the next round */
        /* another status: a length the device cannot take (over 1518), counted bad */
        nic_port_next(p, st == KIDE_OK);
    }
}

void nic_pump_link(struct vnet *n, struct nic_port *p)
{
    nic_port_link(p, n->link_up);
}

int nic_pump_publish(struct nic_port *p)
{
    return nic_port_publish(p);
}
