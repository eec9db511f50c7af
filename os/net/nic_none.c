/* SPDX-License-Identifier: MIT */
/* os/net: the stand-in for the NIC session until the driver provides one
 * (nic.h). Nothing arrives; every frame sent is dropped and counted in the
 * link (send_drop). The MAC is a locally administered address. */
#include "nic.h"

static int drop(void *ctx, const void *frame, size_t len)
{
    (void)ctx, (void)frame, (void)len;
    return -1;
}

static size_t none(void *ctx, void *buf, size_t cap)
{
    (void)ctx, (void)buf, (void)cap;
    return 0;
}

int nic_open(struct kide_env *env, struct net_link *link)
{
    static const uint8_t mac[6] = {0x02, 0x6b, 0x69, 0x64, 0x65, 0x01};

    (void)env;
    link->send_frame = drop;
    link->receive_frame = none;
    link->ctx = 0;
    for (int i = 0; i < 6; i++)
        link->mac[i] = mac[i];
    return KIDE_NOT_FOUND;
}
