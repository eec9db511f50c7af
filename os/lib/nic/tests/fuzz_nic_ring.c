/* SPDX-License-Identifier: MIT */
/* libFuzzer target: a NIC ring whose peer writes whatever it likes.
 *
 * The input is a script of 5-byte steps (op, 32-bit value) run against an
 * honest producer view and an honest consumer view of one ring, while the
 * script may also overwrite the shared indices and slot lengths at any time.
 * The checks: nothing is read or written out of bounds (ASan), every frame a
 * consumer takes has a length in range, a broken view stays broken, and the
 * views' private invariants hold after every step.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nic_ring.h"

#define SLOTS 8u

static _Alignas(4096) kide_u8 mem[KIDE_NIC_RING_BYTES(SLOTS)];

static void check(const struct nic_ring *p, const struct nic_ring *c)
{
    if (!p->broken && (p->own - p->peer > SLOTS || p->published - p->peer > p->own - p->peer))
        abort();
    if (!c->broken && (c->peer - c->own > SLOTS || c->own - c->published > c->peer - c->published))
        abort();
}

static void step(struct nic_ring *p, struct nic_ring *c, kide_u8 op, kide_u32 v)
{
    struct kide_nic_ring_hdr *h = (void *)mem;
    struct kide_nic_slot *s = (void *)(mem + KIDE_NIC_RING_HDR_SIZE);
    static kide_u8 buf[KIDE_NIC_FRAME_MAX + 16];
    kide_u32 len;
    const kide_u8 *d;
    int was = c->broken;
    switch (op % 10) {
    case 0:
        nic_ring_put(p, buf, v % (KIDE_NIC_FRAME_MAX + 16));
        break;
    case 1:
        nic_ring_publish(p);
        break;
    case 2:
        if (nic_ring_get(c, buf, v % sizeof(buf), &len) == NIC_RING_OK &&
            (len < KIDE_NIC_FRAME_MIN || len > KIDE_NIC_FRAME_MAX))
            abort();
        break;
    case 3:
        if (nic_ring_peek(c, &d, &len) == NIC_RING_OK) {
            if (d < s[0].data || d + len > mem + sizeof(mem))
                abort();
            memcpy(buf, d, len);
            nic_ring_next(c);
        }
        break;
    case 4:
        nic_ring_publish(c);
        break;
    case 5:
        h->prod = v;
        break; /* a hostile producer */
    case 6:
        h->cons = v;
        break; /* a hostile consumer */
    case 7:
        s[v % SLOTS].len = v >> 3;
        break;
    case 8:
        if (nic_ring_wait_prepare(v & 1 ? p : c))
            nic_ring_wait_done(v & 1 ? p : c);
        break;
    default:
        nic_ring_space(p), nic_ring_avail(c);
        break;
    }
    if (was && !c->broken)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nic_ring p, c;
    kide_u32 start = 0;
    if (size >= 4)
        memcpy(&start, data, 4), data += 4, size -= 4;
    nic_ring_format(mem, sizeof(mem), SLOTS);
    ((struct kide_nic_ring_hdr *)mem)->prod = start;
    ((struct kide_nic_ring_hdr *)mem)->cons = start;
    if (nic_ring_attach(&p, mem, sizeof(mem), SLOTS, NIC_RING_PRODUCER) ||
        nic_ring_attach(&c, mem, sizeof(mem), SLOTS, NIC_RING_CONSUMER))
        abort();
    for (; size >= 5; data += 5, size -= 5) {
        kide_u32 v;
        memcpy(&v, data + 1, 4);
        step(&p, &c, data[0], v);
        check(&p, &c);
    }
    return 0;
}
