/* SPDX-License-Identifier: MIT */
/* test-pciio: a driver's I/O BAR and INTx line through the platform session.
 *
 * Scenario tests/platform-io (i440fx) with a transitional virtio-net-pci
 * function (disable-legacy=off: 1af4:1000, legacy registers in I/O BAR 0)
 * whose policy entry says irq: intx. Config: {"mac": "52:54:00:12:34:57",
 * "shared": 0}.
 * The driver, which has no device right:
 *  1. finds in INFO an I/O BAR with its first port, the INTx pin and GSI, and
 *     INTx as the only interrupt kind (the function has MSI-X: the policy);
 *  2. holds none of the ports before it asks; KIDE_PLATFORM_IO of a memory
 *     BAR, of BAR 6 and core's IO_PORT of its own ports are refused;
 *  3. gets the BAR's ports: it then holds exactly them (not the port after
 *     them, not 0xcf8), and reads the MAC address through them (legacy
 *     virtio: device configuration at 20 while MSI-X is off);
 *  4. gets the INTx semaphore (msi_addr 0, msi_data the GSI; vector 1 is
 *     refused);
 *  5. closes the session: the ports and the semaphore are gone.
 * With "shared": 1 the policy has a second entry of its label for a second
 * such function on the same GSI: its session is refused the line (BUSY)
 * while the first holds it and gets it once the first has closed.
 * Ends with "PASS platform-io" (or FAIL with the step).
 */
#include "test.h"
#include <kide/base.h>
#include <kide/sys.h>
#include "platform_client.h"

#define WHAT "platform-io"

static struct kide_platform plat;
static struct kide_env *env_;

static void expect(int st, int want, const char *what)
{
    if (st != want)
        t_fail(env_, WHAT, "%s: %s, expected %s", what, t_status(st), t_status(want));
}

/* Whether this component holds something at a port or selector (the kernel's view). */
static int holds(unsigned kind, kide_u64 base)
{
    kide_u64 found = 0, info = 0;
    return kide_lookup(KIDE_CRD(kind, base, 0, 0), &found, &info) == KIDE_OK &&
           KIDE_CRD_KIND(found) == kind;
}

/* Step 1: the I/O BAR in INFO; returns its index. */
static unsigned find_io_bar(const struct kide_platform_info_rep *info)
{
    if (info->vendor != 0x1af4 || info->device != 0x1000)
        t_fail(env_, WHAT, "INFO %lx:%lx: not 1af4:1000", info->vendor, info->device);
    if (info->irq_kinds != KIDE_PLATFORM_IRQ_INTX || info->intx_pin != 1 || !info->intx_gsi)
        t_fail(env_, WHAT, "irq kinds %lx, pin %lu, gsi %lu: expected INTx alone on pin A",
               info->irq_kinds, info->intx_pin, info->intx_gsi);
    for (unsigned b = 0; b < KIDE_PLATFORM_BARS; b++)
        if ((info->bar_flags[b] & KIDE_PLATFORM_BAR_IO) && info->bar_port[b])
            return b;
    t_fail(env_, WHAT, "no I/O BAR with a port in INFO");
}

void kide_main(struct kide_env *env)
{
    env_ = env;
    struct kide_platform_info_rep info;
    char want_mac[24], mac[24];
    t_cfg_str(env, "mac", "52:54:00:12:34:57", want_mac, sizeof want_mac);
    /* The platform driver announces its service once it has enumerated the bus. */
    int st = kide_platform_open(env, &plat);
    for (kide_u64 end = kide_now_ns() + 30000000000ull; st != KIDE_OK && kide_now_ns() < end;) {
        kide_sleep_ms(50); /* retry of an open while the platform driver starts */
        st = kide_platform_open(env, &plat);
    }
    expect(st, KIDE_OK, "open Platform");
    expect(kide_platform_info(&plat, &info), KIDE_OK, "INFO");
    unsigned b = find_io_bar(&info);
    kide_u64 port = info.bar_port[b], count = info.bar_size[b];
    kide_log(env, "pciio: bar%u io 0x%lx+%lu, intx pin A gsi %lu", b, port, count, info.intx_gsi);

    /* Step 2. */
    if (holds(KIDE_CRD_IO, port))
        t_fail(env, WHAT, "port 0x%lx held before asking", port);
    for (unsigned m = 0; m < KIDE_PLATFORM_BARS; m++)
        if (info.bar_flags[m] & KIDE_PLATFORM_BAR_MEM) {
            struct kide_platform_io_rep r;
            expect(kide_platform_io(&plat, m, &r), KIDE_BAD_PARAM, "IO of a memory BAR");
            break;
        }
    struct kide_platform_io_rep io;
    expect(kide_platform_io(&plat, 6, &io), KIDE_BAD_PARAM, "IO of BAR 6");
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
    expect(kide_core_io_port(&ch, &(struct kide_core_io_port_req){.base = port, .count = count}),
           KIDE_DENIED, "core IO_PORT of its own BAR");

    /* Step 3. */
    expect(kide_platform_io(&plat, b, &io), KIDE_OK, "IO of its I/O BAR");
    if (io.port != port || io.count != count)
        t_fail(env, WHAT, "IO gave 0x%lx+%lu, INFO says 0x%lx+%lu", io.port, io.count, port, count);
    if (!holds(KIDE_CRD_IO, port) || !holds(KIDE_CRD_IO, port + count - 1) ||
        holds(KIDE_CRD_IO, port + count) || holds(KIDE_CRD_IO, 0xcf8))
        t_fail(env, WHAT, "ports held: first %d, last %d, next %d, 0xcf8 %d: expected 1 1 0 0",
               holds(KIDE_CRD_IO, port), holds(KIDE_CRD_IO, port + count - 1),
               holds(KIDE_CRD_IO, port + count), holds(KIDE_CRD_IO, 0xcf8));
    kide_u8 m[6];
    for (unsigned i = 0; i < 6; i++)
        m[i] = base_inb((kide_u16)(port + 20 + i));
    kide_snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                  m[5]);
    if (strcmp(mac, want_mac))
        t_fail(env, WHAT, "MAC through the ports %s, expected %s", mac, want_mac);
    kide_log(env, "pciio: MAC %s read through its own ports", mac);

    /* Step 4. */
    kide_sel sm = 0;
    struct kide_platform_irq_rep irq;
    expect(kide_platform_irq(&plat, 1, &sm, &irq), KIDE_BAD_PARAM, "INTx vector 1");
    expect(kide_platform_irq(&plat, 0, &sm, &irq), KIDE_OK, "INTx");
    if (irq.msi_addr != 0 || irq.msi_data != info.intx_gsi || !holds(KIDE_CRD_OBJ, sm))
        t_fail(env, WHAT, "INTx reply addr 0x%lx data %lu (gsi %lu)", irq.msi_addr, irq.msi_data,
               info.intx_gsi);
    (void)base_inb((kide_u16)(port + 19)); /* ISR: read to clear, lowers the line */
    kide_log(env, "pciio: INTx semaphore for GSI %lu", irq.msi_data);

    /* Step 4b (shared): a second function on the same line (the policy's
     * second entry of this label) is refused the line while we hold it. */
    struct kide_platform second;
    struct kide_platform_info_rep info2;
    kide_sel sm2 = 0;
    int shared = t_cfg_u64(env, "shared", 0) != 0;
    if (shared) {
        expect(kide_platform_open(env, &second), KIDE_OK, "a session for the second function");
        expect(kide_platform_info(&second, &info2), KIDE_OK, "INFO of the second function");
        if (info2.bdf == info.bdf || info2.intx_gsi != info.intx_gsi)
            t_fail(env, WHAT, "second function %lx on GSI %lu, first %lx on GSI %lu", info2.bdf,
                   info2.intx_gsi, info.bdf, info.intx_gsi);
        expect(kide_platform_irq(&second, 0, &sm2, &irq), KIDE_BUSY,
               "INTx of a line another session holds");
        kide_log(env, "pciio: the second function's INTx on GSI %lu is refused while held",
                 info2.intx_gsi);
    }

    /* Step 5: the ports and the semaphore go with the session. */
    kide_platform_close(env, &plat);
    kide_u64 end = kide_now_ns() + 2000000000ull;
    while ((holds(KIDE_CRD_IO, port) || holds(KIDE_CRD_OBJ, sm)) && kide_now_ns() < end)
        kide_sleep_ms(10); /* polling the kernel's view with a deadline */
    if (holds(KIDE_CRD_IO, port) || holds(KIDE_CRD_OBJ, sm))
        t_fail(env, WHAT, "the ports or the interrupt stayed after the session closed");
    kide_log(env, "pciio: closing the session took the ports and the interrupt away");
    if (shared) { /* Step 6: the line is free for the other function's session now. */
        expect(kide_platform_irq(&second, 0, &sm2, &irq), KIDE_OK, "INTx of a line let go");
        kide_log(env, "pciio: the second function got GSI %lu after the first session closed",
                 irq.msi_data);
    }
    t_pass(env, WHAT);
    t_idle(env);
}
