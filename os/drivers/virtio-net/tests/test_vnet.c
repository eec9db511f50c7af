/* SPDX-License-Identifier: MIT */
/* Host tests of the virtio-net driver's device logic against a simulated device.
 *
 * Each test builds a fresh simulated device (tests/sim.c), brings the driver
 * up through the same struct vio_access it uses on Kide, and checks what
 * crossed: frames, notifications, interrupts, and that the device saw no
 * misuse. The hostile-device tests write impossible used entries and
 * lengths; the driver must refuse them, not crash, and recover by a reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <kide/status.h>

#include "../nic_pump.h"
#include "../vnet.h"
#include "sim.h"

#define ALL_FEATURES                                                                               \
    (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |                               \
     VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX) |                       \
     VIRTIO_BIT(VIRTIO_NET_F_MRG_RXBUF) | VIRTIO_BIT(VIRTIO_NET_F_CSUM) |                          \
     VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) | VIRTIO_BIT(VIRTIO_F_RING_INDIRECT_DESC))

struct fix {
    struct sim s;
    struct vnet n;
};

static struct fix *up(kide_u64 features)
{
    struct fix *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    sim_init(&f->s, features);
    int st = vnet_init(&f->n, &f->s.acc);
    if (st != KIDE_OK)
        fail_msg("vnet_init: %s", f->n.why);
    assert_int_equal(f->s.misuse, 0);
    return f;
}

static void down(struct fix *f)
{
    vnet_fini(&f->n);
    if (f->s.misuse)
        fail_msg("device saw misuse: %s", f->s.misuse_why);
    assert_int_equal(sim_fini(&f->s), 0); /* no DMA memory left behind */
    free(f);
}

static void frame(kide_u8 *b, kide_u32 len, kide_u32 seq)
{
    memcpy(b, &seq, 4);
    for (kide_u32 i = 4; i < len; i++)
        b[i] = (kide_u8)(seq + i);
}

/* The rx callback: checks sequence and contents. */
struct rxcheck {
    kide_u32 next, bad;
};

static kide_u32 len_of(kide_u32 seq)
{
    return VNET_FRAME_MIN + seq % (VNET_FRAME_MAX - VNET_FRAME_MIN + 1);
}

static void on_rx(void *arg, const kide_u8 *data, kide_u32 len)
{
    struct rxcheck *c = arg;
    kide_u8 want[VNET_FRAME_MAX];
    frame(want, len_of(c->next), c->next);
    if (len != len_of(c->next) || memcmp(want, data, len))
        c->bad++;
    c->next++;
}

static void test_init_and_features(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    kide_u64 want = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC) |
                    VIRTIO_BIT(VIRTIO_NET_F_STATUS) | VIRTIO_BIT(VIRTIO_F_RING_EVENT_IDX);
    assert_int_equal(f->n.features, want);
    assert_int_equal(f->s.driver_features, want);
    assert_true(f->s.status & VIRTIO_STATUS_DRIVER_OK);
    assert_memory_equal(f->n.mac, f->s.mac, 6);
    assert_true(f->n.link_up);
    assert_int_equal(f->n.rx.inflight, 256); /* every rx buffer posted */
    assert_int_equal(f->s.q[0].kicks, 1);    /* ... with one notification */
    down(f);
}

static void test_legacy_only_refused(void **state)
{
    (void)state;
    struct sim s;
    struct vnet n = {0};
    sim_init(&s, VIRTIO_BIT(VIRTIO_NET_F_MAC));
    assert_int_equal(vnet_init(&n, &s.acc), KIDE_BAD_PARAM);
    assert_non_null(strstr(n.why, "VERSION_1"));
    assert_true(s.status & VIRTIO_STATUS_FAILED);
    assert_false(n.up);
    assert_int_equal(vnet_tx(&n, "xxxxxxxxxxxxxxxx", 16), KIDE_ABORTED);
    assert_int_equal(sim_fini(&s), 0);

    sim_init(&s, ALL_FEATURES);
    s.refuse_features = 1;
    assert_int_equal(vnet_init(&n, &s.acc), KIDE_BAD_PARAM);
    assert_non_null(strstr(n.why, "FEATURES_OK"));
    assert_int_equal(s.misuse, 0);
    assert_int_equal(sim_fini(&s), 0);
}

static void test_no_mac_no_status(void **state)
{
    (void)state;
    struct fix *f = up(VIRTIO_BIT(VIRTIO_F_VERSION_1));
    assert_int_equal(f->n.features, VIRTIO_BIT(VIRTIO_F_VERSION_1));
    assert_true(f->n.mac[0] & 2);  /* locally administered */
    assert_false(f->n.mac[0] & 1); /* unicast */
    assert_true(f->n.link_up);
    down(f);
}

static void test_msix(void **state)
{
    (void)state;
    struct fix *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    sim_init(&f->s, ALL_FEATURES);
    f->s.acc.msix = 1;
    if (vnet_init(&f->n, &f->s.acc) != KIDE_OK)
        fail_msg("vnet_init: %s", f->n.why);
    assert_int_equal(f->s.config_vector, 0);
    assert_int_equal(f->s.q[0].msix, 0);
    assert_int_equal(f->s.q[1].msix, 0);
    /* No ISR with MSI-X: every interrupt looks at the link. */
    sim_link(&f->s, 0);
    f->s.isr = 0;
    assert_int_equal(vnet_irq(&f->n), VNET_EV_LINK);
    assert_false(f->n.link_up);
    down(f);

    struct sim s;
    struct vnet n = {0};
    sim_init(&s, ALL_FEATURES);
    s.acc.msix = 1;
    s.refuse_msix = 1;
    assert_int_equal(vnet_init(&n, &s.acc), KIDE_BAD_PARAM);
    assert_non_null(strstr(n.why, "MSI-X"));
    assert_int_equal(sim_fini(&s), 0);
}

static void test_bad_capabilities(void **state)
{
    (void)state;
    struct sim s;
    struct vnet n = {0};
    /* The common configuration region reaches beyond its BAR. */
    sim_init(&s, ALL_FEATURES);
    s.cfg[0x40 + VIRTIO_CAP_LENGTH + 2] = 0x10;
    assert_int_equal(vnet_init(&n, &s.acc), KIDE_BAD_PARAM);
    assert_non_null(strstr(n.why, "common"));
    /* A capability list that loops onto itself. */
    sim_init(&s, ALL_FEATURES);
    s.cfg[0x41] = 0x40;
    assert_int_equal(vnet_init(&n, &s.acc), KIDE_BAD_PARAM);
    assert_non_null(strstr(n.why, "notify"));
    /* A BAR that does not exist. */
    sim_init(&s, ALL_FEATURES);
    s.cfg[0x68 + VIRTIO_CAP_BAR] = 9;
    assert_int_equal(vnet_init(&n, &s.acc), KIDE_BAD_PARAM);
    assert_non_null(strstr(n.why, "ISR"));
    assert_int_equal(sim_fini(&s), 0);
}

static void test_link_down_up(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    sim_link(&f->s, 0);
    assert_int_equal(f->s.acc.ops->irq_wait(&f->s.acc, 10), 1);
    assert_int_equal(vnet_irq(&f->n) & VNET_EV_LINK, VNET_EV_LINK);
    assert_false(f->n.link_up);
    sim_link(&f->s, 1);
    assert_int_equal(f->s.acc.ops->irq_wait(&f->s.acc, 10), 1);
    assert_int_equal(vnet_irq(&f->n), VNET_EV_LINK);
    assert_true(f->n.link_up);
    assert_int_equal(f->n.st.link_changes, 2);
    /* An interrupt without a change reports none. */
    assert_int_equal(vnet_irq(&f->n), 0);
    down(f);
}

/* Send `frames` frames in batches of `batch`, the device running between batches. */
static void send(struct fix *f, kide_u32 frames, kide_u32 batch)
{
    kide_u8 b[VNET_FRAME_MAX];
    kide_u64 sum = 0, before = f->s.tx_sum;
    for (kide_u32 seq = 0; seq < frames;) {
        for (kide_u32 i = 0; i < batch && seq < frames; i++, seq++) {
            kide_u32 len = len_of(seq);
            frame(b, len, seq);
            for (kide_u32 k = 0; k < len; k++)
                sum += b[k];
            int st = vnet_tx(&f->n, b, len);
            if (st == KIDE_BUSY) { /* the device has not run: let it */
                vnet_tx_flush(&f->n);
                sim_run(&f->s);
                st = vnet_tx(&f->n, b, len);
            }
            assert_int_equal(st, KIDE_OK);
        }
        assert_int_equal(vnet_tx_flush(&f->n), KIDE_OK);
        sim_run(&f->s);
    }
    assert_int_equal(f->s.tx_sum - before, sum);
}

static void test_tx_batching(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    send(f, 1024, 32);
    assert_int_equal(f->s.tx_frames, 1024);
    assert_int_equal(f->n.st.tx_frames, 1024);
    /* One notification per batch at most, with EVENT_IDX. */
    assert_true(f->s.q[1].kicks <= 1024 / 32);
    assert_int_equal(f->s.q[1].kicks, f->n.st.tx_kicks);
    /* tx completions raise no interrupts: they are reclaimed by polling. (One: like
     * QEMU, the simulated device interrupts at its first check whatever the event
     * index says.) */
    assert_true(f->s.q[1].irqs <= 1);
    print_message("tx: 1024 frames, %lu notifications\n", (unsigned long)f->s.q[1].kicks);
    /* Flushing again while the device has not looked: no second notification. */
    kide_u8 b[64] = {0};
    vnet_tx(&f->n, b, sizeof(b));
    vnet_tx_flush(&f->n);
    kide_u64 k = f->s.q[1].kicks;
    vnet_tx(&f->n, b, sizeof(b));
    vnet_tx_flush(&f->n);
    assert_int_equal(f->s.q[1].kicks, k);
    sim_run(&f->s);
    down(f);

    /* Without EVENT_IDX: still one notification per flush, not per frame. */
    f = up(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC));
    send(f, 1024, 64);
    assert_int_equal(f->s.tx_frames, 1024);
    assert_true(f->s.q[1].kicks <= 1024 / 64);
    assert_int_equal(f->s.q[1].irqs, 0);
    down(f);
}

static void test_tx_full_and_lengths(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    kide_u8 b[VNET_FRAME_MAX + 1] = {0};
    assert_int_equal(vnet_tx(&f->n, b, VNET_FRAME_MIN - 1), KIDE_BAD_PARAM);
    assert_int_equal(vnet_tx(&f->n, b, VNET_FRAME_MAX + 1), KIDE_BAD_PARAM);
    for (int i = 0; i < 256; i++)
        assert_int_equal(vnet_tx(&f->n, b, 60), KIDE_OK);
    assert_int_equal(vnet_tx(&f->n, b, 60), KIDE_BUSY);
    vnet_tx_flush(&f->n);
    assert_int_equal(vnet_tx(&f->n, b, 60), KIDE_BUSY); /* the device has not run */
    /* Three quarters full: arming asks for a tx interrupt half way. */
    assert_int_equal(vnet_arm(&f->n), 0);
    sim_run(&f->s);
    assert_int_equal(f->s.q[1].irqs, 1);
    assert_int_equal(vnet_tx_reclaim(&f->n), 256);
    assert_int_equal(vnet_tx(&f->n, b, 60), KIDE_OK);
    vnet_tx_flush(&f->n);
    sim_run(&f->s);
    down(f);
}

/* Once more than three quarters of the tx ring were in flight and the device
 * finished them, arming finds nothing pending: the finished buffers are
 * collected, not taken for work (before, vnet_arm said "pending" until the
 * next tx burst ran the ring out, and the driver's loop spun). */
static void test_arm_after_tx_burst(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    kide_u8 b[64] = {0};
    for (int i = 0; i < 200; i++)
        assert_int_equal(vnet_tx(&f->n, b, sizeof(b)), KIDE_OK);
    vnet_tx_flush(&f->n);
    sim_run(&f->s);
    assert_int_equal(f->s.tx_frames, 200);
    assert_int_equal(vnet_arm(&f->n), 0);
    assert_int_equal(f->n.tx.inflight, 0);
    assert_int_equal(vnet_arm(&f->n), 0);
    /* A burst still in flight is not pending either; finished, it is collected. */
    for (int i = 0; i < 250; i++)
        assert_int_equal(vnet_tx(&f->n, b, sizeof(b)), KIDE_OK);
    vnet_tx_flush(&f->n);
    assert_int_equal(vnet_arm(&f->n), 0);
    sim_run(&f->s);
    assert_int_equal(vnet_irq(&f->n) & VNET_EV_TX, VNET_EV_TX);
    assert_int_equal(vnet_arm(&f->n), 0);
    assert_int_equal(f->n.tx.inflight, 0);
    down(f);
}

/* Deliver `frames` frames, the driver taking them every `every` frames. */
static void receive(struct fix *f, struct rxcheck *c, kide_u32 frames, kide_u32 every)
{
    kide_u8 b[VNET_FRAME_MAX];
    kide_u32 start = c->next;
    for (kide_u32 seq = start; seq < start + frames; seq++) {
        frame(b, len_of(seq), seq);
        assert_int_equal(sim_rx(&f->s, b, len_of(seq)), 0);
        if ((seq + 1) % every == 0)
            assert_int_equal(vnet_rx(&f->n, on_rx, c, 1 << 30), (int)every);
    }
    vnet_rx(&f->n, on_rx, c, 1 << 30);
    assert_int_equal(c->next, start + frames);
    assert_int_equal(c->bad, 0);
}

static void test_rx_refill(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct rxcheck c = {0};
    receive(f, &c, 5000, 10);
    assert_int_equal(f->s.rx_no_buffer, 0);
    assert_int_equal(f->n.st.rx_frames, 5000);
    /* Re-posted in batches: far fewer notifications than frames. */
    assert_true(f->s.q[0].kicks <= 1 + 5000 / VNET_RX_BATCH);
    print_message("rx: 5000 frames, %lu refill notifications\n", (unsigned long)f->s.q[0].kicks);
    down(f);
}

static void test_rx_interrupt_mitigation(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct rxcheck c = {0};
    kide_u8 b[VNET_FRAME_MAX];
    assert_int_equal(vnet_arm(&f->n), 0);
    for (kide_u32 seq = 0; seq < 10; seq++) {
        frame(b, len_of(seq), seq);
        sim_rx(&f->s, b, len_of(seq));
    }
    /* One interrupt for ten frames: the driver had not re-armed. */
    assert_int_equal(f->s.q[0].irqs, 1);
    assert_int_equal(f->s.acc.ops->irq_wait(&f->s.acc, 10), 1);
    assert_int_equal(vnet_irq(&f->n), VNET_EV_RX);
    assert_int_equal(vnet_rx(&f->n, on_rx, &c, 100), 10);
    assert_int_equal(vnet_arm(&f->n), 0);
    down(f);
}

/* Without EVENT_IDX: the NO_INTERRUPT flag, set by vnet_irq until vnet_arm. */
static void test_rx_mitigation_flags(void **state)
{
    (void)state;
    struct fix *f = up(VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_NET_F_MAC));
    struct rxcheck c = {0};
    kide_u8 b[VNET_FRAME_MAX];
    kide_u32 seq = 0;
    for (int round = 0; round < 5; round++) {
        assert_int_equal(vnet_arm(&f->n), 0);
        kide_u64 before = f->s.q[0].irqs;
        frame(b, len_of(seq), seq);
        sim_rx(&f->s, b, len_of(seq)), seq++;
        assert_int_equal(f->s.acc.ops->irq_wait(&f->s.acc, 10), 1);
        assert_int_equal(vnet_irq(&f->n), VNET_EV_RX);
        /* More frames while the driver works: no more interrupts. */
        for (int i = 0; i < 20; i++, seq++) {
            frame(b, len_of(seq), seq);
            sim_rx(&f->s, b, len_of(seq));
        }
        assert_int_equal(vnet_rx(&f->n, on_rx, &c, 1000), 21);
        assert_int_equal(f->s.q[0].irqs - before, 1);
    }
    assert_int_equal(c.bad, 0);
    down(f);
}

static void test_wrap_around(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct rxcheck c = {0};
    /* 16-bit ring indices wrap several times each way. */
    send(f, 70000, 48);
    assert_int_equal(f->s.tx_frames, 70000);
    receive(f, &c, 70000, 37);
    assert_int_equal(f->s.rx_no_buffer, 0);
    down(f);
}

static void test_hostile_used_idx(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct rxcheck c = {0};
    sim_used_raw(&f->s, 0, 0, 100, 300); /* more completions than buffers */
    assert_int_equal(vnet_rx(&f->n, on_rx, &c, 1000), -1);
    assert_true(f->n.broken);
    assert_non_null(strstr(f->n.why, "used index"));
    assert_int_equal(c.next, 0);
    assert_int_equal(vnet_tx(&f->n, "0123456789abcdef", 16), KIDE_ABORTED);
    assert_int_equal(vnet_irq(&f->n), 0);
    /* A reset brings it back. */
    assert_int_equal(vnet_reset(&f->n), KIDE_OK);
    assert_false(f->n.broken);
    assert_int_equal(f->n.st.resets, 1);
    receive(f, &c, 100, 10);
    send(f, 100, 10);
    down(f);
}

static void test_hostile_used_id(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct rxcheck c = {0};
    sim_used_raw(&f->s, 0, 0xfffffff0u, 100, 1); /* id far out of range */
    assert_int_equal(vnet_rx(&f->n, on_rx, &c, 1000), -1);
    assert_non_null(strstr(f->n.why, "out of range"));
    assert_int_equal(vnet_reset(&f->n), KIDE_OK);
    /* A tx id the device does not hold (nothing was sent). */
    kide_u8 b[60] = {0};
    vnet_tx(&f->n, b, sizeof(b));
    vnet_tx_flush(&f->n);
    sim_used_raw(&f->s, 1, 5, 0, 1); /* the driver sent buffer 0 */
    assert_int_equal(vnet_tx_reclaim(&f->n), -1);
    assert_non_null(strstr(f->n.why, "not with the device"));
    assert_int_equal(vnet_reset(&f->n), KIDE_OK);
    send(f, 50, 5);
    f->s.misuse = 0; /* the raw entries confused the simulated device's own books */
    down(f);
}

static void test_hostile_length(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct rxcheck c = {0};
    kide_u8 b[100] = {0};
    kide_u32 lies[] = {0, 5, 12, 12 + 13, 12 + VNET_FRAME_MAX + 1, VNET_BUF_SIZE + 1, 0xffffffffu};
    for (unsigned i = 0; i < sizeof(lies) / sizeof(lies[0]); i++) {
        f->s.rx_len_lie = lies[i] ? lies[i] : 1;
        sim_rx(&f->s, b, sizeof(b));
    }
    assert_int_equal(vnet_rx(&f->n, on_rx, &c, 100), 7);
    assert_int_equal(c.next, 0); /* nothing delivered */
    assert_int_equal(f->n.st.rx_bad_len, 7);
    assert_false(f->n.broken);
    f->s.rx_len_lie = 0;
    receive(f, &c, 300, 3); /* the buffers came back */
    down(f);
}

static void test_needs_reset(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    f->s.status |= VIRTIO_STATUS_DEVICE_NEEDS_RESET;
    sim_link(&f->s, 1);
    assert_int_equal(vnet_irq(&f->n), 0);
    assert_true(f->n.broken);
    assert_int_equal(vnet_reset(&f->n), KIDE_OK);
    assert_false(f->n.broken);
    down(f);
}

/* ---- the session data path: client rings, nic_pump.c, driver, device -------------- */
#define PSLOTS 32u

struct client {
    void *tx_mem, *rx_mem;
    struct nic_ring tx, rx; /* the client's sides */
    struct nic_port port;   /* the server's side */
};

static void client_open(struct client *c, struct vnet *n)
{
    kide_u64 bytes = KIDE_NIC_RING_BYTES(PSLOTS);
    c->tx_mem = aligned_alloc(4096, bytes);
    c->rx_mem = aligned_alloc(4096, bytes);
    assert_true(c->tx_mem && c->rx_mem);
    assert_int_equal(nic_ring_format(c->tx_mem, bytes, PSLOTS), 0);
    assert_int_equal(nic_ring_format(c->rx_mem, bytes, PSLOTS), 0);
    assert_int_equal(nic_port_init(&c->port, c->tx_mem, c->rx_mem, bytes, PSLOTS, n->link_up), 0);
    assert_int_equal(nic_ring_attach(&c->tx, c->tx_mem, bytes, PSLOTS, NIC_RING_PRODUCER), 0);
    assert_int_equal(nic_ring_attach(&c->rx, c->rx_mem, bytes, PSLOTS, NIC_RING_CONSUMER), 0);
}

static void client_close(struct client *c)
{
    free(c->tx_mem);
    free(c->rx_mem);
}

/* One server round, as the driver's poll_sessions (main.c) does it. */
static void server_round(struct fix *f, struct client *c, int nc, unsigned ev)
{
    struct nic_port ports[4];
    for (int i = 0; i < nc; i++)
        ports[i] = c[i].port;
    if (ev & VNET_EV_RX)
        while (nic_pump_rx(&f->n, ports, nc, 64) == 64)
            ;
    for (int i = 0; i < nc; i++) {
        if (ev & VNET_EV_LINK)
            nic_pump_link(&f->n, &ports[i]);
        nic_pump_tx(&f->n, &ports[i]);
        nic_pump_publish(&ports[i]);
        c[i].port = ports[i];
    }
    vnet_tx_flush(&f->n);
}

static void test_session_tx(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct client c;
    client_open(&c, &f->n);
    kide_u8 b[VNET_FRAME_MAX];
    kide_u64 sum = 0;
    for (kide_u32 seq = 0; seq < 3000;) {
        while (seq < 3000 && nic_ring_space(&c.tx)) {
            frame(b, len_of(seq), seq);
            for (kide_u32 k = 0; k < len_of(seq); k++)
                sum += b[k];
            assert_int_equal(nic_ring_put(&c.tx, b, len_of(seq)), NIC_RING_OK);
            seq++;
        }
        nic_ring_publish(&c.tx);
        server_round(f, &c, 1, 0);
        sim_run(&f->s);
    }
    server_round(f, &c, 1, 0);
    sim_run(&f->s);
    assert_int_equal(f->s.tx_frames, 3000);
    assert_int_equal(f->s.tx_sum, sum);
    assert_int_equal(c.port.st.tx_frames, 3000);
    assert_true(f->s.q[1].kicks < 3000 / 16);
    client_close(&c);
    down(f);
}

static void test_session_rx_and_link(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct client c[2];
    client_open(&c[0], &f->n);
    client_open(&c[1], &f->n);
    struct rxcheck chk = {0};
    kide_u8 b[VNET_FRAME_MAX], out[KIDE_NIC_FRAME_MAX];
    kide_u32 len;
    for (kide_u32 seq = 0; seq < 2000; seq++) {
        frame(b, len_of(seq), seq);
        assert_int_equal(sim_rx(&f->s, b, len_of(seq)), 0);
        if (seq % 8 == 7) {
            server_round(f, c, 2, VNET_EV_RX);
            while (nic_ring_get(&c[0].rx, out, sizeof(out), &len) == NIC_RING_OK)
                on_rx(&chk, out, len);
            nic_ring_publish(&c[0].rx); /* client 1 never reads: its ring fills */
        }
    }
    assert_int_equal(chk.next, 2000);
    assert_int_equal(chk.bad, 0);
    assert_int_equal(c[0].port.st.rx_dropped, 0);
    assert_int_equal(c[1].port.st.rx_frames, PSLOTS);
    assert_int_equal(c[1].port.st.rx_dropped, 2000 - PSLOTS);
    /* A link change reaches both clients' rx headers. */
    sim_link(&f->s, 0);
    server_round(f, c, 2, vnet_irq(&f->n));
    for (int i = 0; i < 2; i++) {
        struct kide_nic_ring_hdr *h = c[i].rx_mem;
        assert_int_equal(h->link_gen, 1);
        assert_int_equal(h->link_up, 0);
    }
    client_close(&c[0]);
    client_close(&c[1]);
    down(f);
}

static void test_session_hostile_client(void **state)
{
    (void)state;
    struct fix *f = up(ALL_FEATURES);
    struct client c[2];
    client_open(&c[0], &f->n);
    client_open(&c[1], &f->n);
    kide_u8 b[200] = {0};
    /* Client 0 claims more frames than slots; client 1 writes a bad length. */
    ((struct kide_nic_ring_hdr *)c[0].tx_mem)->prod = PSLOTS * 3;
    nic_ring_put(&c[1].tx, b, 60);
    nic_ring_put(&c[1].tx, b, 60);
    nic_ring_publish(&c[1].tx);
    struct kide_nic_slot *s1 = (void *)((kide_u8 *)c[1].tx_mem + KIDE_NIC_RING_HDR_SIZE);
    s1[0].len = 100000;
    server_round(f, c, 2, 0);
    sim_run(&f->s);
    assert_int_equal(c[0].port.st.ring_bad, 1);
    assert_int_equal(c[0].port.st.tx_frames, 0);
    assert_int_equal(c[1].port.st.tx_bad, 1);
    assert_int_equal(c[1].port.st.tx_frames, 1);
    assert_int_equal(f->s.tx_frames, 1);
    /* The device and the honest client carry on. */
    struct rxcheck chk = {0};
    kide_u8 out[KIDE_NIC_FRAME_MAX];
    kide_u32 len;
    frame(b, len_of(0), 0);
    sim_rx(&f->s, b, len_of(0));
    server_round(f, c, 2, VNET_EV_RX);
    assert_int_equal(nic_ring_get(&c[1].rx, out, sizeof(out), &len), NIC_RING_OK);
    on_rx(&chk, out, len);
    assert_int_equal(chk.bad, 0);
    assert_false(f->n.broken);
    client_close(&c[0]);
    client_close(&c[1]);
    down(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_init_and_features),
            cmocka_unit_test(test_legacy_only_refused),
            cmocka_unit_test(test_no_mac_no_status),
            cmocka_unit_test(test_msix),
            cmocka_unit_test(test_bad_capabilities),
            cmocka_unit_test(test_link_down_up),
            cmocka_unit_test(test_tx_batching),
            cmocka_unit_test(test_tx_full_and_lengths),
            cmocka_unit_test(test_arm_after_tx_burst),
            cmocka_unit_test(test_rx_refill),
            cmocka_unit_test(test_rx_interrupt_mitigation),
            cmocka_unit_test(test_rx_mitigation_flags),
            cmocka_unit_test(test_wrap_around),
            cmocka_unit_test(test_hostile_used_idx),
            cmocka_unit_test(test_hostile_used_id),
            cmocka_unit_test(test_hostile_length),
            cmocka_unit_test(test_needs_reset),
            cmocka_unit_test(test_session_tx),
            cmocka_unit_test(test_session_rx_and_link),
            cmocka_unit_test(test_session_hostile_client),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
