/* SPDX-License-Identifier: MIT */
/* virtio-net: the data path between the device and the NIC session rings.
 *
 * Received frames go to every live port (a hub); a port whose rx ring is
 * full loses the frame (rx_dropped), so a slow client never holds up the
 * device or the others. A port whose client wrote an impossible index is
 * skipped for good (ring_bad counts it); a tx slot with a bad length is
 * skipped (tx_bad). A frame the device has no room for stays in the tx ring
 * for the next round. Costs: one copy per frame and port; no allocation.
 */
#include <kide/status.h>
#include "nic_pump.h"

int nic_port_init(struct nic_port *p, void *tx_mem, void *rx_mem, kide_u64 bytes, kide_u32 slots,
                  int link_up)
{
    __builtin_memset(p, 0, sizeof(*p));
    if (nic_ring_attach(&p->tx, tx_mem, bytes, slots, NIC_RING_CONSUMER) != NIC_RING_OK ||
        nic_ring_attach(&p->rx, rx_mem, bytes, slots, NIC_RING_PRODUCER) != NIC_RING_OK)
        return NIC_RING_BAD_PARAM;
    p->rxh = rx_mem;
    p->rxh->link_up = (kide_u32)link_up;
    p->used = 1;
    return NIC_RING_OK;
}

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
        if (nic_ring_put(&p->rx, frame, len) == NIC_RING_OK)
            p->st.rx_frames++;
        else
            p->st.rx_dropped++;
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
    int rc;
    if (!p->used)
        return;
    while ((rc = nic_ring_peek(&p->tx, &d, &len)) != NIC_RING_EMPTY) {
        if (rc == NIC_RING_BROKEN) {
            p->st.ring_bad += !p->st.ring_bad; /* counted once: the session is over */
            return;
        }
        if (rc == NIC_RING_BAD_LEN) {
            p->st.tx_bad++;
            continue;
        }
        int st = vnet_tx(n, d, len);
        if (st == KIDE_BUSY || st == KIDE_ABORTED)
            return; /* stays in the ring for the next round */
        if (st == KIDE_OK)
            p->st.tx_frames++;
        else
            p->st.tx_bad++; /* a length the device cannot take (over 1518) */
        nic_ring_next(&p->tx);
    }
}

void nic_pump_link(struct vnet *n, struct nic_port *p)
{
    __atomic_store_n(&p->rxh->link_up, (kide_u32)n->link_up, __ATOMIC_RELAXED);
    __atomic_store_n(&p->rxh->link_gen, ++p->link_gen, __ATOMIC_RELEASE);
    p->wake = 1;
}

int nic_pump_publish(struct nic_port *p)
{
    int wake = p->wake;
    wake |= nic_ring_publish(&p->rx);
    wake |= nic_ring_publish(&p->tx);
    p->wake = 0;
    return wake;
}
