/* SPDX-License-Identifier: MIT */
/* virtio-net on Kide: the NIC sessions it serves (<kide/nic.h>). */
#ifndef NIC_SERVER_H
#define NIC_SERVER_H

#include <kide/component.h>
#include "vnet.h"

#define NIC_SESSIONS_MAX 8 /**< sessions at once (the router is the one client meant) */

/** Announce "Nic" for the device `n`. -> KIDE_OK or why not. */
int nic_server_start(struct kide_env *env, struct vnet *n);
/** One round of the data path: frames from the device to every session's rx ring,
 *  frames from the sessions' tx rings to the device, a link change to every
 *  session; each ring's peer is woken once per round at most. */
void nic_server_poll(struct kide_env *env, unsigned events);

#endif
