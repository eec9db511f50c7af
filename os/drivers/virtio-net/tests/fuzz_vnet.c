/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a virtio-net device that writes whatever it likes into
 * the used rings and reports any rx length.
 *
 * The driver runs against the simulated device (sim.c); the input is a
 * script of 8-byte steps mixing honest device work (deliver a frame, consume
 * tx) with raw used-ring writes (any id, any length, any index jump), and
 * the driver's own calls (rx, tx, flush, interrupt, arm). The checks: no
 * out-of-bounds access or undefined behaviour (ASan, UBSan), every frame the
 * driver delivers has a length in range, and after the driver reports the
 * device broken a reset brings it back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <kide/status.h>

#include "../vnet.h"
#include "sim.h"

static struct sim s;
static struct vnet n;

static void on_rx(void *arg, const kide_u8 *data, kide_u32 len)
{
    (void)arg;
    if (len < VNET_FRAME_MIN || len > VNET_FRAME_MAX)
        abort();
    volatile kide_u8 x = data[0] ^ data[len - 1]; /* in bounds, or ASan says so */
    (void)x;
}

static void step(const uint8_t *d)
{
    static kide_u8 buf[SIM_FRAME_MAX];
    kide_u32 v;
    memcpy(&v, d + 4, 4);
    kide_u16 w = (kide_u16)(d[2] | d[3] << 8);
    switch (d[0] % 10) {
    case 0:
        sim_rx(&s, buf, w % SIM_FRAME_MAX);
        break;
    case 1:
        sim_run(&s);
        break;
    case 2:
        sim_used_raw(&s, d[1] & 1, v, w * 3u, d[1] >> 1);
        break;
    case 3:
        vnet_rx(&n, on_rx, 0, 1 + d[1]);
        break;
    case 4:
        for (int i = 0; i <= d[1] % 64; i++)
            vnet_tx(&n, buf, w % (VNET_FRAME_MAX + 8));
        break;
    case 5:
        vnet_tx_flush(&n);
        break;
    case 6:
        vnet_tx_reclaim(&n);
        break;
    case 7:
        s.rx_len_lie = v;
        sim_rx(&s, buf, 64);
        s.rx_len_lie = 0;
        break;
    case 8:
        if (d[1] & 1)
            sim_link(&s, d[1] & 2);
        vnet_irq(&n);
        break;
    default:
        vnet_arm(&n);
        break;
    }
    if (n.broken && vnet_reset(&n) != KIDE_OK)
        abort(); /* the simulated device is honest after a reset */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sim_init(&s, VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
                         VIRTIO_BIT(VIRTIO_NET_F_STATUS) |
                         (size && (data[0] & 1) ? VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) : 0));
    s.qmax = 16; /* small queues: wrap-around and full rings come sooner, and it is faster */
    memset(&n, 0, sizeof(n));
    if (vnet_init(&n, &s.acc) != KIDE_OK)
        abort();
    for (; size >= 8; data += 8, size -= 8)
        step(data);
    vnet_fini(&n);
    if (sim_fini(&s))
        abort(); /* the driver left DMA memory behind */
    return 0;
}
