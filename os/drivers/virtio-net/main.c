/* SPDX-License-Identifier: MIT */
/* virtio-net: the driver component for a modern (1.x) virtio-net PCI device.
 *
 * Sessions used: the platform session (its device: configuration space,
 * BARs, DMA memory, interrupt) through kide_access.c. Sessions provided:
 * "Nic" (<kide/nic.h>), packet rings plus semaphores, through os/lib/nic's
 * nic_server.c; nic_pump.c moves the frames between the device and the rings.
 * Config: none. The device logic (vnet.c, virtq.c, vio_pci.c) is the same code
 * the host tests run against a simulated device.
 *
 * Main loop: move frames both ways, answer the parent's signals, arm the
 * interrupts, then sleep on one semaphore until there is work: the device's
 * interrupt semaphore is also the NIC sessions' server semaphore (nic_server's
 * cfg.sm), so an interrupt and a client's tx frames or freed rx slots wake it
 * alike, and nothing is polled (docs/decisions/0017-one-wake-semaphore.md).
 * The sleep is bounded only by SIGNAL_MS, because the parent's signals
 * (yield, heartbeat) come on the runtime's own semaphore. A wake-up may be a
 * client's rather than the device's: vnet_irq then finds nothing new (it
 * only reads the device's state; its `irqs` counts wake-ups). A device that breaks the
 * ring protocol is reset (and the reset logged); one that cannot be brought
 * back ends the component with exit code 3.
 */
#include <kide/component.h>
#include <kide/nic.h>
#include "kide_access.h"
#include "nic_pump.h"
#include "nic_server.h"
#include "vnet.h"

#define SIGNAL_MS    100 /* the longest sleep: the parent's signals come on another semaphore */
#define RX_BATCH     64  /* frames taken from the device per call */
#define RX_ROUND_MAX 4   /* calls per poll round */

static struct vio_access acc;
static struct vnet net;

static void log_device(struct kide_env *env)
{
    const kide_u8 *m = net.mac;
    kide_log(env, "virtio-net: %02x:%02x:%02x:%02x:%02x:%02x, link %s, features 0x%lx", m[0], m[1],
             m[2], m[3], m[4], m[5], net.link_up ? "up" : "down", (unsigned long)net.features);
}

/* One round of the data path: frames from the device to every session's rx
 * ring (at most RX_ROUND_MAX batches, so a flood cannot starve tx), frames
 * from the sessions' tx rings to the device, a link change to every session;
 * each ring's peer is woken once per round at most. */
static void poll_sessions(unsigned events)
{
    struct nic_port *port = nic_server_begin();
    for (int b = 0; (events & VNET_EV_RX) && b < RX_ROUND_MAX; b++)
        if (nic_pump_rx(&net, port, NIC_SESSIONS_MAX, RX_BATCH) < RX_BATCH)
            break;
    if (events & VNET_EV_LINK)
        nic_server_link(net.link_up);
    for (int i = 0; i < NIC_SESSIONS_MAX; i++)
        nic_pump_tx(&net, &port[i]);
    vnet_tx_flush(&net);
    nic_server_end();
}

static void serve(struct kide_env *env)
{
    unsigned ev = VNET_EV_RX;
    for (;;) {
        if (net.broken) {
            kide_log(env, "virtio-net: device broke the ring protocol (%s): resetting", net.why);
            if (vnet_reset(&net) != KIDE_OK) {
                kide_log(env, "virtio-net: reset failed: %s", net.why);
                kide_exit(env, 3);
            }
        }
        if (ev & VNET_EV_LINK)
            kide_log(env, "virtio-net: link %s", net.link_up ? "up" : "down");
        poll_sessions(ev);
        kide_wait_signal(env, 0);
        ev = VNET_EV_RX; /* rx is cheap to look at */
        if (!vnet_arm(&net) &&
            nic_server_wait(kide_now_ns() + SIGNAL_MS * 1000000ull, 0) == KIDE_OK) {
            ev |= vnet_irq(&net);
            kide_access_intx_note(env, net.st.isr_irqs);
        }
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
    struct nic_server_cfg cfg = {
            .name = "virtio-net", .link_up = net.link_up, .sm = kide_access_irq_sm()};
    for (int i = 0; i < 6; i++)
        cfg.mac[i] = net.mac[i];
    st = nic_server_start(env, &cfg);
    if (st != KIDE_OK) {
        kide_log(env, "virtio-net: cannot announce %s: %s", KIDE_NIC_SERVICE, kide_status_name(st));
        kide_exit(env, 2);
    }
    serve(env);
}
