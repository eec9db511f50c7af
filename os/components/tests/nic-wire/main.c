/* SPDX-License-Identifier: MIT */
/* nic-wire: a NIC server with two sessions joined by a cable.
 *
 * Serves "Nic" (<kide/nic.h>) through os/lib/nic's server to at most two
 * clients and copies every frame one session sends (its tx ring) into the
 * other session's rx ring, unchanged, in order. The link is up while both
 * ends are connected and down otherwise, as on a cable (each session's rx
 * header tells its client, os/net turns it into lwIP's link state). Each
 * session gets its own MAC: 02:6b:69:77:00:00 with the session's slot (0 or
 * 1) in the last byte. A frame sent while the other end is not connected
 * is lost, as on a cable; when the other end's rx ring is full the frame
 * waits in the sender's tx ring (back-pressure, not loss), so a test over
 * the wire sees no drops it did not cause.
 *
 * Loop: move what is there both ways (at most one ring's worth per side per
 * round), publish and wake each client once, and when nothing moved sleep on
 * the server semaphore until a client sends or frees rx slots, at most
 * WAIT_MS (then the parent's signals are answered and a session opened
 * meanwhile, whose wait flags nobody set yet, is looked at).
 * Config: none. Used by os/scenarios/tests/net-echo.yaml.
 */
#include <kide/component.h>
#include "nic_server.h"

#define WAIT_MS   10
#define ROUND_MAX KIDE_NIC_SLOTS_MAX /* frames per direction per round */

/* Frames from src's tx ring into dst's rx ring. *moved counts them; returns 1
 * when a frame waits for room in dst's rx ring. */
static int carry(struct nic_port *src, struct nic_port *dst, unsigned *moved)
{
    const kide_u8 *d;
    kide_u32 len;
    for (kide_u32 n = 0; n < ROUND_MAX && nic_port_peek(src, &d, &len) == NIC_RING_OK; n++) {
        int rc = dst->used ? nic_port_put(dst, d, len) : NIC_RING_BROKEN;
        if (rc == NIC_RING_EMPTY)
            return 1; /* stays in src's tx ring */
        if (rc != NIC_RING_OK && dst->used)
            nic_port_drop(dst); /* dst broke its ring: the frame is lost there */
        nic_port_next(src, 1);
        (*moved)++;
    }
    return 0;
}

void kide_main(struct kide_env *env)
{
    struct nic_server_cfg cfg = {.name = "nic-wire",
                                 .mac = {0x02, 0x6b, 0x69, 0x77, 0x00, 0x00},
                                 .mac_per_session = 1,
                                 .link_up = 0,
                                 .sessions = 2};
    int st = nic_server_start(env, &cfg);
    if (st != KIDE_OK) {
        kide_log(env, "nic-wire: cannot announce %s: %s", KIDE_NIC_SERVICE, kide_status_name(st));
        kide_exit(env, 2);
    }
    kide_log(env, "nic-wire: ready");
    int link = 0;
    for (;;) {
        unsigned moved = 0, rx_waits = 0;
        struct nic_port *p = nic_server_begin();
        if ((p[0].used && p[1].used) != link) {
            link = !link;
            nic_server_link(link); /* both ends told; woken at nic_server_end */
            kide_log(env, "nic-wire: link %s", link ? "up" : "down");
        }
        if (carry(&p[0], &p[1], &moved))
            rx_waits |= 1u << 1;
        if (carry(&p[1], &p[0], &moved))
            rx_waits |= 1u << 0;
        nic_server_end();
        if (!moved)
            nic_server_wait(kide_now_ns() + WAIT_MS * 1000000ull, rx_waits);
        kide_wait_signal(env, 0);
    }
}
