/* SPDX-License-Identifier: MIT */
/* Intel VT-d units (VT-d 4.1, chapters 3, 6, 7, 9, 11); see vtd.h.
 *
 * Legacy mode: the root table has one entry per bus pointing at a context
 * table of 256 entries (one per device and function); a present context
 * entry names a domain id and its second-level page table. Invalidation is
 * register-based and global (no queued invalidation): simple, and every
 * invalidation the kernel needs is either rare (assignment) or batched per
 * kernel entry (dma.c). Units are polled for completion with a deadline; a
 * unit that does not answer stops the kernel, since confinement could no
 * longer be promised.
 */
#include "vtd.h"
#include "apic.h"
#include "../../kernel.h"
#include "../../mem.h"
#include "../../pd.h"
#include "../../ec.h"
#include "../../time.h"

/* Registers (VT-d 11.4). */
#define R_CAP    0x08
#define R_ECAP   0x10
#define R_GCMD   0x18
#define R_GSTS   0x1c
#define R_RTADDR 0x20
#define R_CCMD   0x28
#define R_FSTS   0x34
#define R_FECTL  0x38
#define R_FEDATA 0x3c
#define R_FEADDR 0x40
#define R_FEUADD 0x44

#define GCMD_TE   (1u << 31)
#define GCMD_SRTP (1u << 30)
#define GCMD_WBF  (1u << 27)
#define CCMD_ICC  (1ul << 63)
#define CCMD_GLOB (1ul << 61)
#define IOTLB_IVT (1ul << 63)
#define IOTLB_GLB (1ul << 60)
#define IOTLB_DRW (3ul << 48) /* drain reads and writes */
#define FSTS_PFO  1u
#define FRCD_F    (1ul << 63)
#define FRCD_READ (1ul << 62)

struct unit {
    volatile u8 *regs;
    u64 cap, ecap;
    u64 *root;          /* 256 root entries of 128 bits */
    u64 *ctx[256];      /* context table per bus, or NULL */
    unsigned iotlb_off; /* IOTLB register offset (ECAP.IRO * 16 + 8) */
};

static struct unit units[DMAR_MAX_UNITS];
static unsigned nunits;
static bool non_coherent, caching_mode;

static u32 rd32(struct unit *u, unsigned r)
{
    return *(volatile u32 *)(u->regs + r);
}
static u64 rd64(struct unit *u, unsigned r)
{
    return *(volatile u64 *)(u->regs + r);
}
static void wr32(struct unit *u, unsigned r, u32 v)
{
    *(volatile u32 *)(u->regs + r) = v;
}
static void wr64(struct unit *u, unsigned r, u64 v)
{
    *(volatile u64 *)(u->regs + r) = v;
}

/* Wait up to a second for (reg & mask) == want; a silent unit is fatal. */
static void wait_reg(struct unit *u, unsigned r, u64 mask, u64 want, bool wide)
{
    u64 end = now_ns() + 1000000000ull;
    while (((wide ? rd64(u, r) : rd32(u, r)) & mask) != want)
        if (now_ns() > end)
            panic("iommu: the VT-d unit at %lx does not complete register %x",
                  virt_to_phys((const void *)u->regs), r);
}

/* One-shot command: GCMD is written with the persistent bits GSTS shows
 * (TE once enabled) plus the command, as VT-d 10.4.4 asks. */
static void command(struct unit *u, u32 bit, u32 status_bit)
{
    u32 keep = rd32(u, R_GSTS) & GCMD_TE;
    wr32(u, R_GCMD, keep | bit);
    wait_reg(u, R_GSTS, status_bit, status_bit, false);
}

void vtd_clflush(const void *p)
{
    if (non_coherent)
        __asm__ volatile("clflush (%0)" ::"r"(p) : "memory");
}

void vtd_clflush_page(const void *p)
{
    for (unsigned off = 0; non_coherent && off < PAGE_SIZE; off += 64)
        vtd_clflush((const u8 *)p + off);
}

bool vtd_caching_mode(void)
{
    return caching_mode;
}

static void invalidate_unit(struct unit *u, bool context)
{
    if (u->cap & (1ul << 4)) { /* RWBF: flush the write buffer first */
        wr32(u, R_GCMD, (rd32(u, R_GSTS) & GCMD_TE) | GCMD_WBF);
        wait_reg(u, R_GSTS, GCMD_WBF, 0, false);
    }
    if (context) {
        wr64(u, R_CCMD, CCMD_ICC | CCMD_GLOB);
        wait_reg(u, R_CCMD, CCMD_ICC, 0, true);
    }
    wr64(u, u->iotlb_off, IOTLB_IVT | IOTLB_GLB | IOTLB_DRW);
    wait_reg(u, u->iotlb_off, IOTLB_IVT, 0, true);
}

void vtd_flush_iotlb(void)
{
    for (unsigned i = 0; i < nunits; i++)
        invalidate_unit(&units[i], false);
}

static bool unit_init(struct unit *u, u64 base, unsigned *levels_ok, unsigned *domains)
{
    if (base >= (4ul << 30)) {
        printk("kide: iommu: VT-d unit at %lx lies above 4 GiB (not mapped): not used\n", base);
        return false;
    }
    u->regs = phys_to_virt(base);
    u->cap = rd64(u, R_CAP);
    u->ecap = rd64(u, R_ECAP);
    u->iotlb_off = (unsigned)((u->ecap >> 8) & 0x3ff) * 16 + 8;
    if (u->iotlb_off + 8 > 4096 ||
        (((u->cap >> 24) & 0x3ff) * 16 + 16 * (((u->cap >> 40) & 0xff) + 1)) > 4096) {
        printk("kide: iommu: VT-d unit at %lx has registers beyond its page: not used\n", base);
        return false;
    }
    if (rd32(u, R_GSTS) & GCMD_TE) { /* the firmware's setup: turn it off first */
        wr32(u, R_GCMD, 0);
        wait_reg(u, R_GSTS, GCMD_TE, 0, false);
    }
    *levels_ok &= (unsigned)(u->cap >> 8) & 0x1f; /* SAGAW: bit 1 3-level, bit 2 4-level */
    unsigned nd = 1u << (4 + 2 * (unsigned)(u->cap & 7));
    if (nd < *domains)
        *domains = nd;
    non_coherent |= !(u->ecap & 1);
    caching_mode |= !!(u->cap & (1ul << 7));
    u->root = phys_to_virt(early_alloc_page());
    vtd_clflush_page(u->root);
    wr64(u, R_RTADDR, virt_to_phys(u->root)); /* legacy mode (TTM 00) */
    command(u, GCMD_SRTP, GCMD_SRTP);
    invalidate_unit(u, true);
    /* Fault events as an MSI to the boot CPU (compatibility format). */
    wr32(u, R_FEDATA, VEC_IOMMU);
    wr32(u, R_FEADDR, 0xfee00000u | (lapic_id() << 12));
    wr32(u, R_FEUADD, 0);
    wr32(u, R_FECTL, 0);
    command(u, GCMD_TE, GCMD_TE);
    return true;
}

unsigned vtd_init(const struct dmar_info *d, unsigned *levels, unsigned *domains)
{
    unsigned levels_ok = 0x1f;
    *domains = 256; /* more than any unit-wide table of PDs needs (dma.c) */
    for (unsigned i = 0; i < d->units; i++)
        if (unit_init(&units[nunits], d->unit[i].base, &levels_ok, domains))
            nunits++;
    *levels = (levels_ok & 4) ? 4 : (levels_ok & 2) ? 3 : 0;
    if (nunits && !*levels)
        panic("iommu: the VT-d units share no 3- or 4-level second-level table format");
    return nunits;
}

int vtd_context(u16 sid, u64 table, u16 did, unsigned levels, struct pd *charge)
{
    unsigned bus = sid >> 8, df = sid & 0xff;
    for (unsigned i = 0; i < nunits; i++) /* allocate first: then nothing can fail */
        if (!units[i].ctx[bus] && table) {
            u64 *c = kpage_alloc(charge);
            if (!c)
                return KIDE_QUOTA;
            units[i].ctx[bus] = c;
            vtd_clflush_page(c);
            units[i].root[2 * bus] = virt_to_phys(c) | 1;
            vtd_clflush(&units[i].root[2 * bus]);
        }
    for (unsigned i = 0; i < nunits; i++) {
        u64 *e = units[i].ctx[bus];
        if (!e)
            continue; /* nothing on this bus was ever assigned: blocked */
        /* Context entry (VT-d 9.3): low = table | TT 00 (untranslated
         * requests through the second level) | present; high = domain id
         * (bits 8-23) | address width (1: 39 bits, 3 levels; 2: 48, 4). */
        e[2 * df] = 0;
        vtd_clflush(&e[2 * df]);
        e[2 * df + 1] = table ? ((u64)did << 8) | (levels - 2) : 0;
        e[2 * df] = table ? table | 1 : 0;
        vtd_clflush(&e[2 * df]);
        invalidate_unit(&units[i], true);
    }
    return KIDE_OK;
}

/* "bb:dd.f" of a source id, for the report. */
static void bdf_name(u16 sid, char out[8])
{
    static const char hex[] = "0123456789abcdef";
    unsigned bus = sid >> 8, dev = (sid >> 3) & 31, fn = sid & 7;
    out[0] = hex[bus >> 4], out[1] = hex[bus & 15], out[2] = ':';
    out[3] = hex[dev >> 4], out[4] = hex[dev & 15], out[5] = '.';
    out[6] = hex[fn], out[7] = 0;
}

/* VT-d fault reasons (appendix A) Kide's setup can cause, in words. */
static const char *reason(unsigned fr)
{
    switch (fr) {
    case 0x1:
    case 0x2:
        return "device not assigned to any driver: its DMA is blocked";
    case 0x4:
        return "address beyond the domain's width";
    case 0x5:
    case 0x6:
        return "not given to its driver";
    default:
        return "see VT-d fault reasons";
    }
}

static void unit_faults(struct unit *u)
{
    unsigned fro = (unsigned)((u->cap >> 24) & 0x3ff) * 16,
             nfr = (unsigned)((u->cap >> 40) & 0xff) + 1;
    for (unsigned i = 0; i < nfr; i++) {
        u64 hi = rd64(u, fro + 16 * i + 8);
        if (!(hi & FRCD_F))
            continue;
        u64 lo = rd64(u, fro + 16 * i);
        wr32(u, fro + 16 * i + 12, 1u << 31); /* write 1 to clear F */
        if (ec_report_allowed()) {
            char bdf[8];
            bdf_name((u16)hi, bdf);
            unsigned fr = (unsigned)(hi >> 32) & 0xff;
            printk("kide: iommu: DMA fault: device %s %s at 0x%lx (%s; reason %x)\n", bdf,
                   (hi & FRCD_READ) ? "read" : "write", lo & ~0xffful, reason(fr), fr);
        }
    }
    if (rd32(u, R_FSTS) & FSTS_PFO) {
        wr32(u, R_FSTS, FSTS_PFO);
        if (ec_report_allowed())
            printk("kide: iommu: fault records overflowed: DMA faults were lost\n");
    }
}

void vtd_fault(void)
{
    for (unsigned i = 0; i < nunits; i++)
        unit_faults(&units[i]);
}
