/* SPDX-License-Identifier: MIT */
/* test-pcidrv: a driver's view of its device through the platform session.
 *
 * Scenarios tests/platform-q35 (ECAM) and tests/platform-pc (ports), each
 * with a virtio-net-pci function (disable-legacy=on: modern only, 1af4:1041).
 * Config: {"cfg_size": 4096 or 256}. The driver, which has no device right:
 *  1. opens "Platform" and finds 1af4:1041 in INFO and in its configuration
 *     space, whose size is cfg_size;
 *  2. is refused: writes to a BAR register (DENIED), configuration offsets
 *     beyond its function's space (BAD_PARAM: it can name no other function),
 *     malformed widths, values and page ranges (BAD_PARAM), BARs it does not
 *     have, a second session (DENIED), and core's device
 *     operations (IO_MEM of the VGA window and of the ECAM, PCI_CONFIG, the
 *     configuration ports, MSI: all DENIED);
 *  3. walks the virtio PCI capabilities, maps the BAR with the common
 *     configuration and reads the device features (VERSION_1 must be set);
 *  4. takes MSI-X vector 0 from the platform driver, binds the transmit
 *     queue to it, sends one frame and waits for the interrupt;
 *  5. closes the session: the BAR pages and the semaphore are gone, and a
 *     new session gets the function again.
 * Ends with "PASS platform" (or FAIL with the step).
 */
#include "test.h"
#include <kide/base.h>
#include <kide/sys.h>
#include "platform_client.h"

#define WHAT "platform"

/* virtio 1.x PCI capability types and common configuration registers. */
#define VIRTIO_CAP_COMMON 1
#define VIRTIO_CAP_NOTIFY 2
#define CC_DFSELECT       0x00
#define CC_DF             0x04
#define CC_GFSELECT       0x08
#define CC_GF             0x0c
#define CC_STATUS         0x14
#define CC_Q_SELECT       0x16
#define CC_Q_SIZE         0x18
#define CC_Q_MSIX         0x1a
#define CC_Q_ENABLE       0x1c
#define CC_Q_NOFF         0x1e
#define CC_Q_DESC         0x20
#define CC_Q_DRIVER       0x28
#define CC_Q_DEVICE       0x30
#define QSIZE             8

struct vcap {
    unsigned bar;
    kide_u64 offset, mult;
};

static struct kide_platform plat;
static struct kide_env *env_;

static kide_u64 cfg(kide_u64 off, kide_u64 width)
{
    kide_u64 v = 0;
    int st = kide_platform_cfg_read(&plat, off, width, &v);
    if (st != KIDE_OK)
        t_fail(env_, WHAT, "config read at 0x%lx: %s", off, t_status(st));
    return v;
}

static void expect(int st, int want, const char *what)
{
    if (st != want)
        t_fail(env_, WHAT, "%s: %s, expected %s", what, t_status(st), t_status(want));
}

static int core_io_mem(kide_u64 phys)
{
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_io_mem_req req = {
            .phys = phys, .bytes = 4096, .va = KIDE_COMP_HEAP + (1ull << 40)};
    return kide_core_io_mem(&ch, &req);
}

/* Step 2: everything beyond its own function is refused. */
static void check_denials(kide_u64 cfg_size)
{
    struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
    struct kide_core_pci_config_rep pc;
    struct kide_core_msi_rep mr;
    struct kide_platform other;
    kide_u64 v;
    expect(kide_platform_cfg_write(&plat, 0x10, 4, 0), KIDE_DENIED, "write BAR0");
    expect(kide_platform_cfg_write(&plat, 0x20, 4, 0), KIDE_DENIED, "write BAR4");
    expect(kide_platform_cfg_write(&plat, 0x30, 4, 0), KIDE_DENIED, "write the expansion ROM");
    expect(kide_platform_cfg_read(&plat, cfg_size, 4, &v), KIDE_BAD_PARAM,
           "read beyond its function (the next function's space)");
    expect(kide_platform_cfg_read(&plat, 1ull << 20, 4, &v), KIDE_BAD_PARAM,
           "read another device's space");
    expect(kide_platform_cfg_read(&plat, 2, 4, &v), KIDE_BAD_PARAM, "unaligned read");
    volatile void *p;
    kide_u64 size;
    expect(kide_platform_bar(&plat, 6, 0, 1, &p, &size), KIDE_BAD_PARAM, "BAR 6");
    expect(kide_platform_bar(&plat, 4, 0, 3, &p, &size), KIDE_BAD_PARAM, "3 pages of a BAR");
    expect(kide_platform_bar(&plat, 4, 1u << 20, 1, &p, &size), KIDE_BAD_PARAM,
           "a page beyond the BAR");
    expect(kide_platform_cfg_write(&plat, 0x40, 3, 0), KIDE_BAD_PARAM, "a 3-byte write");
    expect(kide_platform_cfg_write(&plat, 0x40, 4, 1ull << 32), KIDE_BAD_PARAM,
           "a value wider than 32 bits");
    expect(kide_platform_open(env_, &other), KIDE_DENIED, "a second session");
    expect(core_io_mem(0xa0000), KIDE_DENIED, "core IO_MEM of another device (VGA)");
    expect(core_io_mem(0xb0000000), KIDE_DENIED, "core IO_MEM of the ECAM window");
    expect(kide_core_pci_config(&ch, &pc), KIDE_DENIED, "core PCI_CONFIG");
    expect(kide_core_io_port(&ch, &(struct kide_core_io_port_req){.base = 0xcf8, .count = 8}),
           KIDE_DENIED, "core IO_PORT 0xcf8");
    expect(kide_core_msi(&ch, &(struct kide_core_msi_req){.sel = kide_sel_alloc(0)}, &mr),
           KIDE_DENIED, "core MSI");
}

/* Step 3: the virtio vendor capabilities (id 9): type at +3, BAR at +4,
 * offset at +8, and the notify multiplier at +16. */
static void find_vcap(unsigned type, struct vcap *c)
{
    unsigned ptr = (unsigned)cfg(0x34, 1) & 0xfc;
    for (unsigned n = 0; ptr >= 0x40 && n < 48; n++) {
        if (cfg(ptr, 1) == 9 && cfg(ptr + 3, 1) == type) {
            c->bar = (unsigned)cfg(ptr + 4, 1);
            c->offset = cfg(ptr + 8, 4);
            c->mult = type == VIRTIO_CAP_NOTIFY ? cfg(ptr + 16, 4) : 0;
            return;
        }
        ptr = (unsigned)cfg(ptr + 1, 1) & 0xfc;
    }
    t_fail(env_, WHAT, "no virtio capability of type %u", type);
}

static volatile kide_u8 *map_bar(unsigned bar)
{
    volatile void *p = 0;
    kide_u64 size = 0, pages = 1;
    int st = kide_platform_bar(&plat, bar, 0, 1, &p, &size);
    if (st != KIDE_OK)
        t_fail(env_, WHAT, "BAR %u: %s", bar, t_status(st));
    kide_ds_detach(env_, (void *)p, 1);
    while (pages * 4096 < size && pages < KIDE_PLATFORM_BAR_PAGES)
        pages *= 2;
    st = kide_platform_bar(&plat, bar, 0, pages, &p, &size);
    if (st != KIDE_OK)
        t_fail(env_, WHAT, "BAR %u, %lu pages: %s", bar, pages, t_status(st));
    kide_u64 found = 0, info = 0;
    kide_lookup(KIDE_CRD(KIDE_CRD_MEM, (kide_u64)p >> 12, 0, 0), &found, &info);
    if (!(KIDE_CRD_PERM(found) & KIDE_MEM_DEV))
        t_fail(env_, WHAT, "BAR %u is not mapped as device memory (uncacheable)", bar);
    return (volatile kide_u8 *)p;
}

#define R32(b, o)    (*(volatile kide_u32 *)((b) + (o)))
#define R16(b, o)    (*(volatile kide_u16 *)((b) + (o)))
#define R8(b, o)     (*(volatile kide_u8 *)((b) + (o)))
#define W64(b, o, v) (R32(b, o) = (kide_u32)(v), R32(b, (o) + 4) = (kide_u32)((v) >> 32))

static kide_u64 phys_of(void *p)
{
    kide_u64 found = 0, info = 0;
    kide_lookup(KIDE_CRD(KIDE_CRD_MEM, (kide_u64)p >> 12, 0, 0), &found, &info);
    return (info + (((kide_u64)p >> 12) - KIDE_CRD_BASE(found))) << 12;
}

/* Step 4: reset, VERSION_1 only, transmit queue 1 on MSI-X vector 0, one
 * 60-byte broadcast frame behind a 12-byte virtio-net header. */
static void transmit(volatile kide_u8 *cc, volatile kide_u8 *notify, kide_u64 mult, kide_sel sm)
{
    kide_u8 *ring = 0;
    if (kide_ram_alloc(env_, 8192, (void **)&ring) != KIDE_OK)
        t_fail(env_, WHAT, "no RAM for the queue");
    kide_u64 ring_pa = phys_of(ring), buf_pa = phys_of(ring + 4096);
    R8(cc, CC_STATUS) = 0;
    for (unsigned i = 0; i < 1000 && R8(cc, CC_STATUS); i++)
        kide_sleep_ms(1);
    R8(cc, CC_STATUS) = 1 | 2; /* ACKNOWLEDGE | DRIVER */
    R32(cc, CC_GFSELECT) = 0;
    R32(cc, CC_GF) = 0;
    R32(cc, CC_GFSELECT) = 1;
    R32(cc, CC_GF) = 1; /* VIRTIO_F_VERSION_1 */
    R8(cc, CC_STATUS) = 1 | 2 | 8;
    if (!(R8(cc, CC_STATUS) & 8))
        t_fail(env_, WHAT, "the device refused FEATURES_OK");
    R16(cc, CC_Q_SELECT) = 1;
    R16(cc, CC_Q_SIZE) = QSIZE;
    R16(cc, CC_Q_MSIX) = 0;
    if (R16(cc, CC_Q_MSIX) != 0)
        t_fail(env_, WHAT, "the device refused MSI-X vector 0 for the transmit queue");
    W64(cc, CC_Q_DESC, ring_pa);
    W64(cc, CC_Q_DRIVER, ring_pa + 0x400);
    W64(cc, CC_Q_DEVICE, ring_pa + 0x800);
    R16(cc, CC_Q_ENABLE) = 1;
    R8(cc, CC_STATUS) = 1 | 2 | 8 | 4; /* DRIVER_OK */
    kide_u8 *frame = ring + 4096;
    memset(frame, 0, 12 + 60);
    memset(frame + 12, 0xff, 6); /* broadcast */
    volatile kide_u64 *desc = (volatile kide_u64 *)ring;
    desc[0] = buf_pa;
    desc[1] = 12 + 60; /* len; flags 0, next 0 */
    volatile kide_u16 *avail = (volatile kide_u16 *)(ring + 0x400);
    avail[2] = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    avail[1] = 1;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    R16(notify, R16(cc, CC_Q_NOFF) * mult) = 1;
    int st = kide_ctrl_sm(KIDE_CTRL_SM_DOWN, sm, kide_now_ns() + 10000000000ull);
    volatile kide_u16 *used = (volatile kide_u16 *)(ring + 0x800);
    if (st != KIDE_OK)
        t_fail(env_, WHAT, "no MSI-X interrupt after transmitting: %s (used idx %u)", t_status(st),
               used[1]);
    kide_log(env_, "pcidrv: MSI-X interrupt delivered (used idx %u)", used[1]);
}

/* Whether this component holds something at a page or selector (the kernel's view). */
static int holds(unsigned kind, kide_u64 base)
{
    kide_u64 found = 0, info = 0;
    return kide_lookup(KIDE_CRD(kind, base, 0, 0), &found, &info) == KIDE_OK &&
           KIDE_CRD_KIND(found) == kind;
}

/* Step 5: closing the session takes the BAR pages and the semaphore away;
 * the function is free for the next session. */
static void after_close(volatile kide_u8 *bar, kide_sel sm)
{
    struct kide_platform_info_rep info;
    kide_platform_close(env_, &plat);
    kide_u64 end = kide_now_ns() + 2000000000ull;
    while ((holds(KIDE_CRD_MEM, (kide_u64)bar >> 12) || holds(KIDE_CRD_OBJ, sm)) &&
           kide_now_ns() < end)
        kide_sleep_ms(10);
    if (holds(KIDE_CRD_MEM, (kide_u64)bar >> 12) || holds(KIDE_CRD_OBJ, sm))
        t_fail(env_, WHAT, "the BAR or the interrupt stayed after the session closed");
    expect(kide_platform_open(env_, &plat), KIDE_OK, "a session after the first closed");
    expect(kide_platform_info(&plat, &info), KIDE_OK, "INFO again");
    if (info.device != 0x1041)
        t_fail(env_, WHAT, "the new session got %lx:%lx", info.vendor, info.device);
    kide_log(env_, "pcidrv: closing the session took the BAR and the interrupt away");
}

void kide_main(struct kide_env *env)
{
    env_ = env;
    kide_u64 cfg_size = t_cfg_u64(env, "cfg_size", 4096);
    struct kide_platform_info_rep info;
    /* The platform driver announces its service once it has enumerated the bus. */
    int st = kide_platform_open(env, &plat);
    for (kide_u64 end = kide_now_ns() + 30000000000ull; st != KIDE_OK && kide_now_ns() < end;) {
        kide_sleep_ms(50);
        st = kide_platform_open(env, &plat);
    }
    expect(st, KIDE_OK, "open Platform");
    expect(kide_platform_info(&plat, &info), KIDE_OK, "INFO");
    if (info.vendor != 0x1af4 || info.device != 0x1041 || cfg(0, 4) != 0x10411af4)
        t_fail(env, WHAT, "INFO %lx:%lx, config 0x%lx: not 1af4:1041", info.vendor, info.device,
               cfg(0, 4));
    if (info.cfg_size != cfg_size || !(info.irq_kinds & KIDE_PLATFORM_IRQ_MSIX))
        t_fail(env, WHAT, "config space %lu bytes (expected %lu), irq kinds %lx", info.cfg_size,
               cfg_size, info.irq_kinds);
    kide_log(env, "pcidrv: %02lx:%02lx.%lx 1af4:1041, %lu MSI-X vectors", info.bdf >> 8,
             (info.bdf >> 3) & 31, info.bdf & 7, info.msix_vectors);
    check_denials(cfg_size);
    struct vcap common, notify;
    find_vcap(VIRTIO_CAP_COMMON, &common);
    find_vcap(VIRTIO_CAP_NOTIFY, &notify);
    volatile kide_u8 *bar = map_bar(common.bar);
    volatile kide_u8 *cc = bar + common.offset;
    volatile kide_u8 *nb = notify.bar == common.bar ? bar : map_bar(notify.bar);
    R32(cc, CC_DFSELECT) = 0;
    kide_u64 features = R32(cc, CC_DF);
    R32(cc, CC_DFSELECT) = 1;
    features |= (kide_u64)R32(cc, CC_DF) << 32;
    kide_log(env, "pcidrv: device features 0x%lx", features);
    if (!(features & (1ull << 32)))
        t_fail(env, WHAT, "VIRTIO_F_VERSION_1 missing from the features 0x%lx", features);
    expect(kide_platform_cfg_write(&plat, 0x04, 2, cfg(0x04, 2) | 0x6), KIDE_OK, "bus master");
    kide_sel sm = 0;
    struct kide_platform_irq_rep irq;
    expect(kide_platform_irq(&plat, 0, &sm, &irq), KIDE_OK, "MSI-X vector 0");
    if (irq.msi_addr >> 20 != 0xfee)
        t_fail(env, WHAT, "MSI address 0x%lx", irq.msi_addr);
    expect(kide_platform_irq(&plat, info.msix_vectors, &sm, &irq), KIDE_BAD_PARAM,
           "a vector beyond the table");
    transmit(cc, nb + notify.offset, notify.mult, sm);
    after_close(bar, sm);
    t_pass(env, WHAT);
    t_idle(env);
}
