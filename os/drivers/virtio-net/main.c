/* SPDX-License-Identifier: MIT */
/* virtio-net: the driver component for a modern (1.x) virtio-net PCI device.
 *
 * Sessions used: the platform session (its device: configuration space,
 * BARs, DMA memory, interrupt) through kide_access.c. Sessions provided:
 * "Nic" (<kide/nic.h>), packet rings plus semaphores, through nic_server.c.
 * Config: none. The device logic (vnet.c, virtq.c, vio_pci.c) is the same code
 * the host tests run against a simulated device.
 *
 * Main loop: arm the interrupts, wait for the interrupt (1 ms at most, so the
 * sessions' tx rings are polled too: see docs/network.md on why the loop
 * does not yet sleep on the server semaphore), learn what happened, move
 * frames both ways, answer the parent's signals. A device that breaks the
 * ring protocol is reset (and the reset logged); one that cannot be brought
 * back ends the component with exit code 3.
 */
#include <kide/component.h>
#include <kide/nic.h>
#include "kide_access.h"
#include "nic_server.h"
#include "vnet.h"

#define POLL_MS 1

static struct vio_access acc;
static struct vnet net;

static void log_device(struct kide_env *env)
{
    const kide_u8 *m = net.mac;
    kide_log(env, "virtio-net: %02x:%02x:%02x:%02x:%02x:%02x, link %s, features 0x%lx", m[0], m[1],
             m[2], m[3], m[4], m[5], net.link_up ? "up" : "down", (unsigned long)net.features);
}

static void serve(struct kide_env *env)
{
    for (;;) {
        int irq = vnet_arm(&net) ? 0 : acc.ops->irq_wait(&acc, POLL_MS);
        unsigned ev = (irq ? vnet_irq(&net) : 0) | VNET_EV_RX; /* rx is cheap to look at */
        if (net.broken) {
            kide_log(env, "virtio-net: device broke the ring protocol (%s): resetting", net.why);
            if (vnet_reset(&net) != KIDE_OK) {
                kide_log(env, "virtio-net: reset failed: %s", net.why);
                kide_exit(env, 3);
            }
        }
        if (ev & VNET_EV_LINK)
            kide_log(env, "virtio-net: link %s", net.link_up ? "up" : "down");
        nic_server_poll(env, ev);
        kide_wait_signal(env, 0);
    }
}

void kide_main(struct kide_env *env)
{
    int st = kide_access_open(env, &acc);
    if (st != KIDE_OK) {
        kide_log(env, "virtio-net: no device: %s", kide_status_name(st));
        kide_log(env, "hint: route the driver's Platform session to the platform driver, whose "
                      "policy must name this device (docs/network.md)");
        kide_exit(env, 1);
    }
    st = vnet_init(&net, &acc);
    if (st != KIDE_OK) {
        kide_log(env, "virtio-net: device unusable: %s (%s)", net.why, kide_status_name(st));
        kide_exit(env, 2);
    }
    log_device(env);
    st = nic_server_start(env, &net);
    if (st != KIDE_OK) {
        kide_log(env, "virtio-net: cannot announce %s: %s", KIDE_NIC_SERVICE, kide_status_name(st));
        kide_exit(env, 2);
    }
    serve(env);
}
