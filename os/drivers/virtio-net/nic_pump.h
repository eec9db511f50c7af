/* SPDX-License-Identifier: MIT */
/* virtio-net: moving frames between the device and NIC session rings.
 *
 * The device half of the data path, without the runtime, so the host tests
 * run it against the simulated device; the session half (struct nic_port,
 * the server's side of one session's rings) is os/lib/nic/nic_port.h.
 */
#ifndef NIC_PUMP_H
#define NIC_PUMP_H

#include <kide/nic.h>
#include "nic_port.h"
#include "vnet.h"

/** Received frames from the device to every live port (up to `max`); -> frames taken
 *  from the device, or -1 if it broke the protocol. */
int nic_pump_rx(struct vnet *n, struct nic_port *ports, int nports, int max);
/** Frames from one port's tx ring to the device, as many as fit. */
void nic_pump_tx(struct vnet *n, struct nic_port *p);
/** Tell a port the link changed. */
void nic_pump_link(struct vnet *n, struct nic_port *p);
/** Publish a port's progress on both rings; 1 if its client must be woken now. */
int nic_pump_publish(struct nic_port *p);

#endif
