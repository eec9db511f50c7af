/* SPDX-License-Identifier: MIT */
/* DMA domains; see dma.h.
 *
 * A domain is a VT-d second-level page table (3 or 4 levels, whatever every
 * unit takes) mapping frame f at I/O address f << 12. A frame can be mapped
 * several times in one PD (shared memory, a page delegated to itself), so
 * each leaf counts the PD's mappings of its frame in bits the hardware
 * ignores (52-56) and how many of them are writable (57-61): the leaf is
 * present while the count is non-zero and writable while the writable count
 * is. Invariant: for every frame, the counts equal the number of (writable)
 * mirrored pages of the PD's memory nodes that map it; so a device reaches
 * exactly what its PD holds. A frame mapped more than 31 times (writable
 * more than 31 times) in a PD with a domain is refused with OVERFLOW.
 */
#include "dma.h"
#include "kernel.h"
#include "pd.h"
#include "mem.h"
#include "mdb.h"
#include "boot.h"
#include "arch/x86_64/vtd.h"
#include "arch/x86_64/acpi.h"
#include <kide/syscall.h>

#define ADDR_MASK  0x000ffffffffff000ul
#define CNT_SHIFT  52
#define WCNT_SHIFT 57
#define CNT_MAX    31ul
#define DMA_DEVS   64 /* assigned functions, all PDs */

static unsigned nunits, levels, ndomains;
static bool dirty; /* leaves removed or reduced since the last IOTLB flush */
static u8 did_used[256 / 8];

/* Which PD each assigned function (source id) belongs to. */
static struct {
    struct pd *pd; /* NULL: free slot */
    u16 sid;
} devs[DMA_DEVS];

/* Drop DRHDs whose register page lies on memory the kernel knows is
 * something else (dmar_drop_overlaps): RAM, firmware memory, the ECAM, the
 * I/O APICs, the interrupt window. */
static void drop_bogus_units(void)
{
    static struct dmar_range known[MAX_RANGES + MB_FIRM_KEPT + 8];
    unsigned n = 0;
    for (unsigned i = 0; i < boot.ram_count; i++)
        known[n++] = (struct dmar_range){boot.ram[i].start, boot.ram[i].end};
    for (unsigned i = 0; i < boot.firm_count && i < MB_FIRM_KEPT; i++)
        known[n++] = (struct dmar_range){boot.firm[i].start, boot.firm[i].end};
    if (boot.ecam_phys)
        known[n++] = (struct dmar_range){
                boot.ecam_phys,
                boot.ecam_phys + ((u64)(boot.ecam_bus_end - boot.ecam_bus_start + 1) << 20)};
    for (unsigned i = 0; i < boot.ioapic_count && i < ARRAY_SIZE(boot.ioapic_phys); i++)
        known[n++] = (struct dmar_range){boot.ioapic_phys[i], boot.ioapic_phys[i] + PAGE_SIZE};
    known[n++] = (struct dmar_range){0xfee00000ul, 0xfef00000ul};
    unsigned before = dmar.bad;
    dmar_drop_overlaps(&dmar, known, n);
    if (dmar.bad > before)
        printk("kide: iommu: %u DMAR unit(s) with registers on RAM, firmware memory or "
               "other registers: not used\n",
               dmar.bad - before);
}

void dma_init(void)
{
    drop_bogus_units();
    if (!dmar.units) {
        printk("kide: iommu: none (no ACPI DMAR): bus-master DMA is not confined\n");
        return;
    }
    nunits = vtd_init(&dmar, &levels, &ndomains);
    printk("kide: iommu: %u VT-d unit(s) of %u, %u-level DMA tables, %u domains; "
           "%u RMRR(s) not honoured; every device blocked until assigned\n",
           nunits, dmar.units + dmar.dropped + dmar.other_seg, levels, ndomains, dmar.rmrrs);
}

unsigned dma_units(void)
{
    return nunits;
}

/* The leaf for physical address pa in pd's domain; with alloc, missing
 * tables are allocated (charged to pd), else NULL then. */
static u64 *leaf(struct pd *pd, u64 pa, bool alloc)
{
    u64 *t = pd->dma_root;
    for (unsigned l = levels; l > 1; l--) {
        u64 *e = &t[(pa >> (12 + 9 * (l - 1))) & 511];
        if (!(*e & SL_R)) {
            u64 *n = alloc ? kpage_alloc(pd) : NULL;
            if (!n)
                return NULL;
            vtd_clflush_page(n);
            *e = virt_to_phys(n) | SL_R | SL_W;
            vtd_clflush(e);
        }
        t = phys_to_virt(*e & ADDR_MASK);
    }
    return &t[(pa >> 12) & 511];
}

static void set_leaf(u64 *e, u64 pa, u64 cnt, u64 wcnt)
{
    *e = cnt ? pa | SL_R | (wcnt ? SL_W : 0) | cnt << CNT_SHIFT | wcnt << WCNT_SHIFT : 0;
    vtd_clflush(e);
}

/* Frames at or above the domain's reach are simply not mapped (no device
 * can name them): fewer rights, never more. */
static bool reachable(u64 pa)
{
    return pa < (1ul << (12 + 9 * levels));
}

static int frame_ref(struct pd *pd, u64 frame, bool w)
{
    u64 pa = frame << PAGE_SHIFT;
    if (!reachable(pa))
        return KIDE_OK;
    u64 *e = leaf(pd, pa, true);
    if (!e)
        return KIDE_QUOTA;
    u64 cnt = (*e >> CNT_SHIFT) & CNT_MAX, wcnt = (*e >> WCNT_SHIFT) & CNT_MAX;
    if (cnt == CNT_MAX || (w && wcnt == CNT_MAX))
        return KIDE_OVERFLOW;
    set_leaf(e, pa, cnt + 1, wcnt + w);
    if (vtd_caching_mode()) /* the unit may cache the not-present entry */
        dirty = true;
    return KIDE_OK;
}

static void frame_unref(struct pd *pd, u64 frame, bool w)
{
    u64 pa = frame << PAGE_SHIFT;
    if (!reachable(pa))
        return;
    u64 *e = leaf(pd, pa, false);
    assert(e && ((*e >> CNT_SHIFT) & CNT_MAX) && (!w || ((*e >> WCNT_SHIFT) & CNT_MAX)));
    set_leaf(e, pa, ((*e >> CNT_SHIFT) & CNT_MAX) - 1, ((*e >> WCNT_SHIFT) & CNT_MAX) - w);
    dirty = true;
}

/* Only RAM a PD holds and maps: not device memory (no peer-to-peer), not
 * held ranges, not kernel pages (UTCBs, the boot-info page). */
static bool mirrored(const struct rnode *n)
{
    return n->pd->dma_root && n->space == SPACE_MEM &&
           !(n->flags & (RNODE_DEVICE | RNODE_HELD | RNODE_SPECIAL));
}

int dma_node_add(const struct rnode *n)
{
    if (!mirrored(n))
        return KIDE_OK;
    bool w = n->perms & KIDE_MEM_W;
    for (u64 i = 0; i < (1ul << n->order); i++) {
        int rc = frame_ref(n->pd, n->phys + i, w);
        if (rc != KIDE_OK) {
            while (i--)
                frame_unref(n->pd, n->phys + i, w);
            return rc;
        }
    }
    return KIDE_OK;
}

void dma_node_remove(const struct rnode *n, u8 perms)
{
    if (!mirrored(n))
        return;
    for (u64 i = 0; i < (1ul << n->order); i++)
        frame_unref(n->pd, n->phys + i, perms & KIDE_MEM_W);
}

/* Cannot fail: each frame loses a mapping before it gains one, so no count
 * grows past its old value and every table exists. */
void dma_node_rights(const struct rnode *n, u8 old)
{
    bool was = old & KIDE_MEM_W, now = n->perms & KIDE_MEM_W;
    if (!mirrored(n) || was == now)
        return;
    for (u64 i = 0; i < (1ul << n->order); i++) {
        frame_unref(n->pd, n->phys + i, was);
        int rc = frame_ref(n->pd, n->phys + i, now);
        assert(rc == KIDE_OK);
    }
}

static void free_tables(struct pd *pd, u64 *t, unsigned l)
{
    for (unsigned i = 0; l > 1 && i < 512; i++)
        if (t[i] & SL_R)
            free_tables(pd, phys_to_virt(t[i] & ADDR_MASK), l - 1);
    kpage_free(pd, t);
}

/* Free pd's domain. Its devices must be blocked and the IOTLBs flushed. */
static void domain_destroy(struct pd *pd)
{
    free_tables(pd, pd->dma_root, levels);
    pd->dma_root = NULL;
    did_used[pd->dma_did / 8] &= (u8) ~(1u << (pd->dma_did % 8));
}

/* In-order walk of the memory treap: add every node's frames. Depth is the
 * treap's, expected logarithmic in the PD's node count, as for insert(). */
static int mirror(struct rnode *t)
{
    int rc = t ? mirror(t->left) : KIDE_OK;
    if (rc == KIDE_OK && t)
        rc = dma_node_add(t);
    return rc == KIDE_OK && t ? mirror(t->right) : rc;
}

static int domain_create(struct pd *pd)
{
    unsigned did = 1; /* 0 is reserved under caching mode */
    while (did < ndomains && (did_used[did / 8] & (1u << (did % 8))))
        did++;
    if (did >= ndomains)
        return KIDE_QUOTA;
    pd->dma_root = kpage_alloc(pd);
    if (!pd->dma_root)
        return KIDE_QUOTA;
    vtd_clflush_page(pd->dma_root);
    pd->dma_did = (u16)did;
    did_used[did / 8] |= (u8)(1u << (did % 8));
    int rc = mirror(pd->space[SPACE_MEM]);
    if (rc != KIDE_OK) {
        vtd_flush_iotlb(); /* no device used it, but its tables are cached nowhere then */
        domain_destroy(pd);
    }
    return rc;
}

static struct pd *quota_root(struct pd *pd)
{
    while (pd->quota_parent)
        pd = pd->quota_parent;
    return pd;
}

/* Source id of the function whose ECAM page the caller holds at user page
 * cfg, or -1. Holding that page is the platform right (core gives the ECAM
 * only to the platform driver). */
static int cfg_sid(struct pd *caller, u64 cfg)
{
    struct rnode *n = space_find(caller, SPACE_MEM, cfg);
    if (!n || !(n->flags & RNODE_DEVICE) || !boot.ecam_phys)
        return -1;
    u64 pa = (n->phys + (cfg - n->base)) << PAGE_SHIFT;
    u64 window = (u64)(boot.ecam_bus_end - boot.ecam_bus_start + 1) << 20;
    if (pa < boot.ecam_phys || pa - boot.ecam_phys >= window)
        return -1;
    return (int)(((pa - boot.ecam_phys) >> 12) + ((u64)boot.ecam_bus_start << 8));
}

int dma_assign(struct pd *caller, u64 cfg, struct pd *pd)
{
    int sid = cfg_sid(caller, cfg);
    if (sid < 0)
        return KIDE_BAD_ADDR;
    if (!nunits)
        return KIDE_OK;
    unsigned slot = DMA_DEVS, free = DMA_DEVS;
    for (unsigned i = 0; i < DMA_DEVS; i++) {
        if (devs[i].pd && devs[i].sid == sid)
            slot = i;
        if (!devs[i].pd && free == DMA_DEVS)
            free = i;
    }
    if (!pd) {
        if (slot < DMA_DEVS) {
            vtd_context((u16)sid, 0, 0, levels, NULL);
            devs[slot].pd = NULL;
        }
        return KIDE_OK;
    }
    if (slot == DMA_DEVS && (slot = free) == DMA_DEVS)
        return KIDE_QUOTA;
    int rc = pd->dma_root ? KIDE_OK : domain_create(pd);
    if (rc == KIDE_OK)
        rc = vtd_context((u16)sid, virt_to_phys(pd->dma_root), pd->dma_did, levels, quota_root(pd));
    if (rc == KIDE_OK) {
        devs[slot].pd = pd;
        devs[slot].sid = (u16)sid;
    }
    return rc;
}

void dma_pd_retire(struct pd *pd)
{
    if (!pd->dma_root)
        return;
    for (unsigned i = 0; i < DMA_DEVS; i++)
        if (devs[i].pd == pd) {
            vtd_context(devs[i].sid, 0, 0, levels, NULL); /* blocks and invalidates */
            devs[i].pd = NULL;
        }
    vtd_flush_iotlb();
    domain_destroy(pd);
}

void dma_flush(void)
{
    if (!dirty)
        return;
    vtd_flush_iotlb();
    dirty = false;
}
