/* SPDX-License-Identifier: MIT */
/* os/net: the NIC session as the stack sees it, two functions.
 *
 * The virtio-net driver's NIC session (packet rings in shared memory and
 * semaphores) is being written separately; os/net needs of it only what a
 * struct net_link needs: send one frame, take one frame, and the MAC
 * address. nic_open fills a link with them. Until the session exists,
 * nic_none.c provides a link on which nothing arrives and every frame is
 * dropped (counted), so the component starts, serves sockets on its own
 * addresses and says that it has no NIC.
 */
#ifndef NET_NIC_H
#define NET_NIC_H

#include "net/netif.h"

#include <kide/component.h>

/** Open the NIC session and fill LINK's functions, context and MAC.
 *  Returns KIDE_OK, or a status saying why not (the link is unusable). */
int nic_open(struct kide_env *env, struct net_link *link);

#endif
