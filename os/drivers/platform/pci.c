/* SPDX-License-Identifier: MIT */
/* PCI configuration access and enumeration.
 *
 * Configuration goes through the ECAM window core names (from the ACPI MCFG:
 * q35), mapped one bus (1 MiB) at a time, or, without one (i440fx), through
 * ports 0xcf8/0xcfc, which core delegates to the platform driver alone. The
 * port pair is one address register and one data window: every access holds
 * cfg_mx so two handler ECs never interleave them.
 *
 * Enumeration: bus 0 and the secondary bus of every PCI-to-PCI bridge found
 * (at most PLAT_MAX_BUSES), every device, function 0 and, for multi-function
 * devices, functions 1..7. Per function: ids, class, BARs (sized with decoding
 * off, then restored) and the MSI-X and MSI capabilities. Costs: at most
 * PLAT_MAX_BUSES * 256 functions probed, each a bounded number of accesses
 * (capability lists are walked for at most 48 entries).
 */
#include "platform.h"
#include <kide/base.h>

struct plat_func plat_funcs[PLAT_MAX_FUNCS];
unsigned plat_nfuncs;
unsigned plat_cfg_size;

static struct kide_core_pci_config_rep cfg;
static struct kide_mutex cfg_mx;
static kide_u32 bus_mapped[8]; /* bit b: ECAM of bus b is mapped */
static struct kide_env *plat_env;

static struct kide_core_chan core_chan(void)
{
    return kide_core_self_chan(kide_utcb(), kide_core_portal());
}

/* Map bus b's ECAM page range (1 MiB) at PLAT_ECAM_VA + (b << 20). */
static int map_bus(unsigned b)
{
    if (bus_mapped[b / 32] & (1u << (b % 32)))
        return KIDE_OK;
    if (b < cfg.bus_start || b > cfg.bus_end)
        return KIDE_BAD_PARAM;
    struct kide_core_chan ch = core_chan();
    struct kide_core_io_mem_req req = {.phys = cfg.ecam_phys +
                                               ((kide_u64)(b - cfg.bus_start) << 20),
                                       .bytes = 1ull << 20,
                                       .va = PLAT_ECAM_VA + ((kide_u64)b << 20)};
    int st = kide_core_io_mem(&ch, &req);
    if (st == KIDE_OK)
        bus_mapped[b / 32] |= 1u << (b % 32);
    return st;
}

int plat_pci_init(struct kide_env *env)
{
    plat_env = env;
    struct kide_core_chan ch = core_chan();
    int st = kide_mutex_init(env, &cfg_mx);
    if (st == KIDE_OK)
        st = kide_core_pci_config(&ch, &cfg);
    if (st != KIDE_OK)
        return st;
    if (cfg.kind == KIDE_PCI_CFG_ECAM) {
        plat_cfg_size = 4096;
        kide_log(env, "platform: PCI configuration through ECAM at 0x%lx, buses %lu..%lu",
                 cfg.ecam_phys, cfg.bus_start, cfg.bus_end);
        return map_bus((unsigned)cfg.bus_start);
    }
    plat_cfg_size = 256;
    kide_log(env, "platform: PCI configuration through ports 0xcf8/0xcfc (no MCFG)");
    return KIDE_OK;
}

static volatile void *ecam(unsigned bdf, unsigned offset)
{
    return (volatile void *)(PLAT_ECAM_VA + ((kide_u64)bdf << 12) + offset);
}

static kide_u32 port_addr(unsigned bdf, unsigned offset)
{
    return 0x80000000u | (kide_u32)bdf << 8 | (offset & 0xfc);
}

kide_u32 plat_cfg_read(unsigned bdf, unsigned offset, unsigned width)
{
    kide_u32 v;
    if (cfg.kind == KIDE_PCI_CFG_ECAM) {
        if (!(bus_mapped[(bdf >> 8) / 32] & (1u << ((bdf >> 8) % 32))))
            return ~0u; /* a bus that is not mapped reads as absent */
        volatile void *p = ecam(bdf, offset);
        return width == 1   ? *(volatile kide_u8 *)p
               : width == 2 ? *(volatile kide_u16 *)p
                            : *(volatile kide_u32 *)p;
    }
    kide_mutex_lock(&cfg_mx);
    base_outl(0xcf8, port_addr(bdf, offset));
    kide_u16 port = (kide_u16)(0xcfc + (offset & 3));
    v = width == 1 ? base_inb(port) : width == 2 ? base_inw(port) : base_inl(port);
    kide_mutex_unlock(&cfg_mx);
    return v;
}

void plat_cfg_write(unsigned bdf, unsigned offset, unsigned width, kide_u32 value)
{
    if (cfg.kind == KIDE_PCI_CFG_ECAM) {
        if (!(bus_mapped[(bdf >> 8) / 32] & (1u << ((bdf >> 8) % 32))))
            return;
        volatile void *p = ecam(bdf, offset);
        if (width == 1)
            *(volatile kide_u8 *)p = (kide_u8)value;
        else if (width == 2)
            *(volatile kide_u16 *)p = (kide_u16)value;
        else
            *(volatile kide_u32 *)p = value;
        return;
    }
    kide_mutex_lock(&cfg_mx);
    base_outl(0xcf8, port_addr(bdf, offset));
    kide_u16 port = (kide_u16)(0xcfc + (offset & 3));
    if (width == 1)
        base_outb(port, (kide_u8)value);
    else if (width == 2)
        base_outw(port, (kide_u16)value);
    else
        base_outl(port, value);
    kide_mutex_unlock(&cfg_mx);
}

/* Size BAR i of f (decoding is off); returns how many BAR registers it took. */
static unsigned size_bar(struct plat_func *f, unsigned i)
{
    unsigned reg = 0x10 + 4 * i;
    kide_u32 orig = plat_cfg_read(f->bdf, reg, 4);
    plat_cfg_write(f->bdf, reg, 4, ~0u);
    kide_u32 mask = plat_cfg_read(f->bdf, reg, 4);
    plat_cfg_write(f->bdf, reg, 4, orig);
    if (orig & 1) {
        kide_u32 m = mask & ~3u;
        f->bar_flags[i] = m ? KIDE_PLATFORM_BAR_IO : 0;
        f->bar_size[i] = m ? (~m & 0xffff) + 1 : 0;
        f->bar_phys[i] = orig & ~3u;
        return 1;
    }
    kide_u64 phys = orig & ~0xfu, m = mask & ~0xfu;
    bool is64 = ((orig >> 1) & 3) == 2 && i < 5;
    if (is64) {
        kide_u32 hi = plat_cfg_read(f->bdf, reg + 4, 4);
        plat_cfg_write(f->bdf, reg + 4, 4, ~0u);
        kide_u32 mhi = plat_cfg_read(f->bdf, reg + 4, 4);
        plat_cfg_write(f->bdf, reg + 4, 4, hi);
        phys |= (kide_u64)hi << 32;
        m |= (kide_u64)mhi << 32;
    } else {
        m |= 0xffffffff00000000ull;
    }
    f->bar_phys[i] = phys;
    f->bar_size[i] = m & 0xfffffff0u ? ~m + 1 : 0;
    f->bar_flags[i] = f->bar_size[i] ? KIDE_PLATFORM_BAR_MEM : 0;
    if (f->bar_size[i] && is64)
        f->bar_flags[i] |= KIDE_PLATFORM_BAR_64;
    if (f->bar_size[i] && (orig & 8))
        f->bar_flags[i] |= KIDE_PLATFORM_BAR_PREFETCH;
    return is64 ? 2 : 1;
}

/* MSI-X and MSI capabilities: a bounded walk of the capability list. */
static void find_caps(struct plat_func *f)
{
    if (!(plat_cfg_read(f->bdf, 0x06, 2) & 0x10))
        return;
    unsigned ptr = plat_cfg_read(f->bdf, 0x34, 1) & 0xfc;
    for (unsigned n = 0; ptr >= 0x40 && n < 48; n++) {
        unsigned id = plat_cfg_read(f->bdf, ptr, 1);
        if (id == 0x11) {
            f->msix_cap = ptr;
            f->msix_vectors = (plat_cfg_read(f->bdf, ptr + 2, 2) & 0x7ff) + 1;
        } else if (id == 0x05) {
            f->msi_cap = ptr;
        }
        ptr = plat_cfg_read(f->bdf, ptr + 1, 1) & 0xfc;
    }
}

/* The INTx line: the Interrupt Pin, and as its GSI the Interrupt Line register
 * the firmware programmed. That holds where the firmware's number is also the
 * I/O APIC input: on QEMU pc and q35 SeaBIOS writes the ISA IRQ (5, 9, 10 or
 * 11) its PIRQ router sends the pin to, and QEMU's chipsets drive that I/O
 * APIC input too. On real servers the I/O APIC input comes from ACPI's _PRT
 * (AML, which Kide does not interpret) and the register may name a PIC IRQ
 * that no I/O APIC input carries: docs/network.md. */
static void find_intx(struct plat_func *f)
{
    unsigned pin = plat_cfg_read(f->bdf, 0x3d, 1), line = plat_cfg_read(f->bdf, 0x3c, 1);
    if (pin < 1 || pin > 4 || line == 0 || line == 2 || line >= KIDE_ROOT_GSIS)
        return; /* no pin, or no line the firmware routed (0xff: unknown) */
    f->intx_pin = pin;
    f->intx_gsi = line;
}

static const char *bar_kind(unsigned flags)
{
    return (flags & KIDE_PLATFORM_BAR_IO)   ? "io"
           : (flags & KIDE_PLATFORM_BAR_64) ? "mem64"
                                            : "mem32";
}

/* Record function bdf; returns its header type (0xff: absent). */
static unsigned add_func(unsigned bdf)
{
    kide_u32 id = plat_cfg_read(bdf, 0, 4);
    if ((id & 0xffff) == 0xffff)
        return 0xff;
    unsigned header = plat_cfg_read(bdf, 0x0e, 1);
    if (plat_nfuncs == PLAT_MAX_FUNCS) {
        kide_log(plat_env, "platform: %02x:%02x.%x left alone: at most %d functions", bdf >> 8,
                 (bdf >> 3) & 31, bdf & 7, PLAT_MAX_FUNCS);
        return header;
    }
    struct plat_func *f = &plat_funcs[plat_nfuncs++];
    f->bdf = bdf;
    f->vendor = id & 0xffff;
    f->device = id >> 16;
    f->class_code = plat_cfg_read(bdf, 0x08, 4) >> 8;
    if ((header & 0x7f) == 0) {
        kide_u32 cmd = plat_cfg_read(bdf, 0x04, 2);
        plat_cfg_write(bdf, 0x04, 2, cmd & ~3u); /* no decoding while sizing */
        for (unsigned i = 0; i < KIDE_PLATFORM_BARS;)
            i += size_bar(f, i);
        plat_cfg_write(bdf, 0x04, 2, cmd);
    }
    find_caps(f);
    find_intx(f);
    kide_log(plat_env, "platform: %02x:%02x.%x %04x:%04x class %06x%s%s", bdf >> 8, (bdf >> 3) & 31,
             bdf & 7, f->vendor, f->device, f->class_code, f->msix_cap ? " msi-x" : "",
             f->msi_cap ? " msi" : "");
    if (f->intx_gsi)
        kide_log(plat_env, "platform:   intx pin %c gsi %u", 'A' + f->intx_pin - 1, f->intx_gsi);
    for (unsigned i = 0; i < KIDE_PLATFORM_BARS; i++)
        if (f->bar_size[i])
            kide_log(plat_env, "platform:   bar%u %s 0x%lx+0x%lx", i, bar_kind(f->bar_flags[i]),
                     f->bar_phys[i], f->bar_size[i]);
    return header;
}

void plat_pci_scan(struct kide_env *env)
{
    (void)env;
    unsigned buses[PLAT_MAX_BUSES] = {cfg.kind == KIDE_PCI_CFG_ECAM ? (unsigned)cfg.bus_start : 0};
    unsigned nbuses = 1;
    for (unsigned k = 0; k < nbuses; k++) {
        unsigned b = buses[k];
        if (cfg.kind == KIDE_PCI_CFG_ECAM && map_bus(b) != KIDE_OK)
            continue;
        for (unsigned dev = 0; dev < 32; dev++) {
            for (unsigned fn = 0; fn < 8; fn++) {
                unsigned bdf = b << 8 | dev << 3 | fn;
                unsigned header = add_func(bdf);
                if (header == 0xff && fn == 0)
                    break;
                /* A bridge: its secondary bus is scanned too. */
                unsigned sec = plat_cfg_read(bdf, 0x19, 1);
                if ((header & 0x7f) == 1 && sec && nbuses < PLAT_MAX_BUSES)
                    buses[nbuses++] = sec;
                if (fn == 0 && !(header & 0x80))
                    break;
            }
        }
    }
}

int plat_map_bar(struct plat_func *f, unsigned i)
{
    if (f->bar_va[i])
        return KIDE_OK;
    kide_u64 bytes = (f->bar_size[i] + 4095) & ~4095ull;
    if (!(f->bar_flags[i] & KIDE_PLATFORM_BAR_MEM) || (f->bar_phys[i] & 4095) ||
        bytes > (64ull << 20))
        return KIDE_BAD_PARAM; /* sub-page (shares a page), or larger than offered */
    kide_u64 va = PLAT_BAR_VA + (kide_u64)(f - plat_funcs) * (1ull << 32) + i * (64ull << 20);
    struct kide_core_chan ch = core_chan();
    for (kide_u64 done = 0; done < bytes; done += KIDE_CORE_IO_MEM_MAX) {
        kide_u64 n = bytes - done < KIDE_CORE_IO_MEM_MAX ? bytes - done : KIDE_CORE_IO_MEM_MAX;
        struct kide_core_io_mem_req req = {
                .phys = f->bar_phys[i] + done, .bytes = n, .va = va + done};
        int st = kide_core_io_mem(&ch, &req);
        if (st != KIDE_OK)
            return st;
    }
    f->bar_va[i] = va;
    return KIDE_OK;
}
