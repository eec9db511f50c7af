/* SPDX-License-Identifier: MIT */
/* os/lib/nic: the server's side of one NIC session's rings (nic_port.h).
 *
 * A port whose client wrote an impossible index is skipped for good
 * (ring_bad counts it once); a tx slot with a bad length is skipped (tx_bad).
 * Costs: one copy per frame put; O(1) otherwise; no allocation.
 */
#include <kide/status.h>
#include "nic_port.h"

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

int nic_port_put(struct nic_port *p, const void *frame, kide_u32 len)
{
    if (!p->used || p->rx.broken)
        return NIC_RING_BROKEN;
    int rc = nic_ring_put(&p->rx, frame, len);
    if (rc == NIC_RING_OK)
        p->st.rx_frames++;
    return rc;
}

void nic_port_drop(struct nic_port *p)
{
    p->st.rx_dropped++;
}

int nic_port_peek(struct nic_port *p, const kide_u8 **data, kide_u32 *len)
{
    int rc;
    if (!p->used)
        return NIC_RING_EMPTY;
    while ((rc = nic_ring_peek(&p->tx, data, len)) == NIC_RING_BAD_LEN)
        p->st.tx_bad++; /* skipped by the ring */
    if (rc == NIC_RING_BROKEN) {
        p->st.ring_bad += !p->st.ring_bad; /* counted once: the session is over */
        return NIC_RING_EMPTY;
    }
    return rc;
}

void nic_port_next(struct nic_port *p, int sent)
{
    if (sent)
        p->st.tx_frames++;
    else
        p->st.tx_bad++;
    nic_ring_next(&p->tx);
}

void nic_port_link(struct nic_port *p, int up)
{
    __atomic_store_n(&p->rxh->link_up, (kide_u32)up, __ATOMIC_RELAXED);
    __atomic_store_n(&p->rxh->link_gen, ++p->link_gen, __ATOMIC_RELEASE);
    p->wake = 1;
}

int nic_port_publish(struct nic_port *p)
{
    int wake = p->wake;
    wake |= nic_ring_publish(&p->rx);
    wake |= nic_ring_publish(&p->tx);
    p->wake = 0;
    return wake;
}
