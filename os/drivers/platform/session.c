/* SPDX-License-Identifier: MIT */
/* The "Platform" service: one session per driver, one function per session.
 *
 * A session is opened under the driver's label; the policy entry of that
 * label names a vendor and device id, and the session gets the first
 * function with those ids no other session holds (else DENIED). Every
 * operation then acts on that function alone, so a driver can reach neither
 * another function's configuration space nor its BARs.
 *
 * Interrupts: MSIs come from core (KIDE_CORE_MSI) once per function and
 * vector and stay with the platform driver; a session gets a copy of the
 * semaphore, revoked when it closes. A function without MSI-X and MSI (or
 * whose policy entry says irq: intx) gets its INTx line instead: core's GSI
 * semaphore (KIDE_CORE_IRQ, level-triggered: the kernel masks the line when
 * it fires, the driver's next down unmasks it), one session per line at a
 * time. I/O BARs come from core (KIDE_CORE_IO_PORT) once and are delegated
 * per session. Closing revokes the BAR pages, ports and semaphores the
 * session was given and turns off the function's bus mastering and INTx, so
 * a dead driver's device stops its DMA and lets its line go. Costs: every
 * operation is O(1) but for INFO's constant copy and BAR's one delegation
 * per page (at most 64).
 */
#include "platform.h"
#include <kide/sys.h>
#include <kide/base.h>

struct plat_policy plat_policy[PLAT_MAX_POLICY];
unsigned plat_npolicy;

/* MSI semaphores per function and vector (core's, kept across sessions). */
static kide_sel irq_sel[PLAT_MAX_FUNCS][KIDE_PLATFORM_IRQS];
static kide_u64 irq_addr[PLAT_MAX_FUNCS][KIDE_PLATFORM_IRQS];
static kide_u64 irq_data[PLAT_MAX_FUNCS][KIDE_PLATFORM_IRQS];
/* INTx lines: core's semaphore per GSI (kept across sessions) and the
 * function whose session holds the line (-1: none). */
static kide_sel gsi_sel[KIDE_ROOT_GSIS];
static int gsi_func[KIDE_ROOT_GSIS] = {[0 ... KIDE_ROOT_GSIS - 1] = -1};
/* I/O BARs taken from core (bit i: BAR i), kept across sessions. */
static unsigned io_taken[PLAT_MAX_FUNCS];

#define CMD_INTX_DISABLE 0x400u /* Command register bit 10 */

kide_u64 plat_iommu_units;

struct plat_session {
    struct plat_func *f;
    struct plat_policy *p;
    int dma_bound; /**< the function's DMA is confined to the driver's PD */
};

static void *plat_open(struct kide_env *env, const char *label, const char *args, kide_u64 ram,
                       int *status)
{
    (void)args, (void)ram;
    struct plat_policy *p = 0;
    for (unsigned i = 0; i < plat_npolicy && !p; i++)
        if (!plat_policy[i].in_use && !strcmp(plat_policy[i].label, label))
            p = &plat_policy[i];
    struct plat_func *f = 0;
    for (unsigned i = 0; p && i < plat_nfuncs && !f; i++)
        if (!plat_funcs[i].owner && plat_funcs[i].vendor == p->vendor &&
            plat_funcs[i].device == p->device)
            f = &plat_funcs[i];
    struct plat_session *s = f ? kide_calloc(1, sizeof(*s)) : 0;
    if (!s) {
        kide_log(env, "platform: session '%s' refused: %s", label,
                 !p   ? "no policy entry for this label (or its session is open)"
                 : !f ? "no free function with the policy's ids"
                      : "out of memory");
        *status = f ? KIDE_QUOTA : KIDE_DENIED;
        return 0;
    }
    s->f = f;
    s->p = p;
    f->owner = p;
    p->in_use = 1;
    kide_log(env, "platform: session '%s' gets %02x:%02x.%x %04x:%04x", label, f->bdf >> 8,
             (f->bdf >> 3) & 31, f->bdf & 7, f->vendor, f->device);
    return s;
}

/* Whether a session gets the function's INTx line rather than MSI-X or MSI. */
static bool uses_intx(const struct plat_func *f, const struct plat_policy *p)
{
    return f->intx_gsi && (p->intx || (!f->msix_cap && !f->msi_cap));
}

static unsigned io_order(kide_u64 count)
{
    unsigned order = 0;
    while ((1ull << order) < count)
        order++;
    return order;
}

static void plat_close(struct kide_env *env, void *session)
{
    struct plat_session *s = session;
    struct plat_func *f = s->f;
    unsigned fi = (unsigned)(f - plat_funcs);
    /* Its copies of our semaphores and BAR pages go; the device stops DMA. */
    for (unsigned v = 0; v < KIDE_PLATFORM_IRQS; v++)
        if (irq_sel[fi][v])
            kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, irq_sel[fi][v], 0, 0));
    if (f->intx_gsi && gsi_func[f->intx_gsi] == (int)fi) {
        kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, gsi_sel[f->intx_gsi], 0, 0));
        gsi_func[f->intx_gsi] = -1;
    }
    for (unsigned i = 0; i < KIDE_PLATFORM_BARS; i++)
        if (io_taken[fi] & (1u << i))
            kide_revoke(0, KIDE_CRD(KIDE_CRD_IO, f->bar_phys[i], io_order(f->bar_size[i]), 0));
    for (unsigned i = 0; i < KIDE_PLATFORM_BARS; i++)
        for (kide_u64 off = 0; f->bar_va[i] && off < f->bar_size[i]; off += 4096)
            kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, (f->bar_va[i] + off) >> 12, 0, 0));
    /* No more DMA, and no more INTx: a dead driver's device must not hold a
     * level-triggered line asserted. */
    plat_cfg_write(f->bdf, 0x04, 2, (plat_cfg_read(f->bdf, 0x04, 2) & ~4u) | CMD_INTX_DISABLE);
    if (s->dma_bound) /* nobody's now: its DMA reaches nothing */
        kide_assign_dev(KIDE_ASSIGN_DEV_BLOCK, 0, PLAT_CFG_PAGE(f->bdf), 0);
    f->owner = 0;
    s->p->in_use = 0;
    kide_log(env, "platform: session '%s' closed", s->p->label);
    kide_free(s);
}

static void put_struct(struct kide_rpc *rpc, const void *rep, unsigned words)
{
    const kide_u64 *w = rep;
    for (unsigned i = 0; i < words; i++)
        kide_msg_put(&rpc->out, w[i]);
}

/* Read a request struct of `words` words; 0 if all of them came. */
static int get_struct(struct kide_rpc *rpc, void *req, unsigned words)
{
    kide_u64 *w = req;
    for (unsigned i = 0; i < words; i++)
        w[i] = kide_msg_get(&rpc->in);
    return rpc->in.bad ? -1 : 0;
}

static int op_info(struct plat_session *s, struct kide_rpc *rpc)
{
    struct plat_func *f = s->f;
    bool intx = uses_intx(f, s->p);
    struct kide_platform_info_rep rep = {
            .vendor = f->vendor,
            .device = f->device,
            .class_code = f->class_code,
            .bdf = f->bdf,
            .cfg_size = plat_cfg_size,
            .irq_kinds = intx ? KIDE_PLATFORM_IRQ_INTX
                              : (f->msix_cap ? KIDE_PLATFORM_IRQ_MSIX : 0) |
                                         (f->msi_cap ? KIDE_PLATFORM_IRQ_MSI : 0),
            .msix_vectors = intx ? 0 : f->msix_vectors,
            .intx_pin = f->intx_pin,
            .intx_gsi = f->intx_gsi,
    };
    for (unsigned i = 0; i < KIDE_PLATFORM_BARS; i++) {
        rep.bar_size[i] = f->bar_size[i];
        rep.bar_flags[i] = f->bar_flags[i];
        rep.bar_port[i] = (f->bar_flags[i] & KIDE_PLATFORM_BAR_IO) ? f->bar_phys[i] : 0;
    }
    put_struct(rpc, &rep, sizeof(rep) / 8);
    return KIDE_OK;
}

/* Validated once: width 1, 2 or 4, aligned, inside the space. */
static int cfg_args(struct kide_rpc *rpc, struct kide_platform_cfg_req *req)
{
    if (get_struct(rpc, req, sizeof(*req) / 8) < 0)
        return KIDE_BAD_PARAM;
    if ((req->width != 1 && req->width != 2 && req->width != 4) || req->offset % req->width ||
        req->offset >= plat_cfg_size || req->value > 0xffffffffull)
        return KIDE_BAD_PARAM;
    return KIDE_OK;
}

static int op_cfg(struct plat_func *f, struct kide_rpc *rpc, int write)
{
    struct kide_platform_cfg_req req;
    int st = cfg_args(rpc, &req);
    if (st != KIDE_OK)
        return st;
    unsigned off = (unsigned)req.offset, w = (unsigned)req.width;
    if (!write) {
        kide_msg_put(&rpc->out, plat_cfg_read(f->bdf, off, w));
        return KIDE_OK;
    }
    /* The BARs and the expansion ROM are the platform driver's placement; a
     * bridge's bus numbers and windows (0x10..0x3f) shape other functions. */
    bool bridge = (plat_cfg_read(f->bdf, 0x0e, 1) & 0x7f) == 1;
    if ((off < 0x28 && off + w > 0x10) || (off < 0x34 && off + w > 0x30) ||
        (bridge && off < 0x40 && off + w > 0x10))
        return KIDE_DENIED;
    plat_cfg_write(f->bdf, off, w, (kide_u32)req.value);
    return KIDE_OK;
}

static int op_bar(struct plat_func *f, struct kide_rpc *rpc)
{
    struct kide_platform_bar_req req;
    if (get_struct(rpc, &req, sizeof(req) / 8) < 0 || req.bar >= KIDE_PLATFORM_BARS)
        return KIDE_BAD_PARAM;
    unsigned i = (unsigned)req.bar;
    kide_u64 pages = (f->bar_size[i] + 4095) / 4096;
    if (!(f->bar_flags[i] & KIDE_PLATFORM_BAR_MEM) || !req.pages ||
        req.pages > KIDE_PLATFORM_BAR_PAGES || (req.pages & (req.pages - 1)) ||
        req.first_page >= pages || req.pages > pages - req.first_page)
        return KIDE_BAD_PARAM;
    int st = plat_map_bar(f, i);
    if (st != KIDE_OK)
        return st == KIDE_BAD_PARAM ? KIDE_BAD_PARAM : KIDE_QUOTA;
    rpc->ds_out = (void *)(f->bar_va[i] + req.first_page * 4096);
    rpc->ds_pages = req.pages;
    rpc->ds_writable = 1;
    kide_msg_put(&rpc->out, f->bar_size[i]);
    return KIDE_OK;
}

/* Program MSI-X table entry v (in the BAR the capability names) and enable MSI-X. */
static int program_msix(struct plat_func *f, unsigned v, kide_u64 addr, kide_u64 data)
{
    kide_u32 table = plat_cfg_read(f->bdf, f->msix_cap + 4, 4);
    unsigned bir = table & 7;
    kide_u64 off = (table & ~7u) + 16ull * v;
    if (bir >= KIDE_PLATFORM_BARS || off + 16 > f->bar_size[bir] || plat_map_bar(f, bir) != KIDE_OK)
        return KIDE_BAD_PARAM;
    volatile kide_u32 *e = (volatile kide_u32 *)(f->bar_va[bir] + off);
    e[3] = 1; /* masked while it changes */
    e[0] = (kide_u32)addr;
    e[1] = (kide_u32)(addr >> 32);
    e[2] = (kide_u32)data;
    e[3] = 0;
    kide_u32 ctl = plat_cfg_read(f->bdf, f->msix_cap + 2, 2);
    plat_cfg_write(f->bdf, f->msix_cap + 2, 2, (ctl | 0x8000u) & ~0x4000u);
    return KIDE_OK;
}

/* Program the MSI capability (one vector) and enable it. */
static void program_msi(struct plat_func *f, kide_u64 addr, kide_u64 data)
{
    unsigned c = f->msi_cap;
    kide_u32 ctl = plat_cfg_read(f->bdf, c + 2, 2);
    plat_cfg_write(f->bdf, c + 4, 4, (kide_u32)addr);
    if (ctl & 0x80) { /* 64-bit address */
        plat_cfg_write(f->bdf, c + 8, 4, (kide_u32)(addr >> 32));
        plat_cfg_write(f->bdf, c + 12, 2, (kide_u32)data);
    } else {
        plat_cfg_write(f->bdf, c + 8, 2, (kide_u32)data);
    }
    plat_cfg_write(f->bdf, c + 2, 2, (ctl & ~0x70u) | 1u);
}

/* The function's INTx line: core's semaphore for its GSI, taken once and
 * kept (core grants a GSI exclusively, to us), delegated to one session at a
 * time. Level-triggered, and active-low on the I/O APIC inputs from 16 up
 * (PCI's own wiring); an ISA input the chipset's PIRQ router drives is
 * active-high (QEMU's MADT says so for IRQs 5, 9, 10 and 11). */
static int op_intx(struct kide_env *env, struct plat_session *s, kide_u64 vector,
                   struct kide_rpc *rpc)
{
    struct plat_func *f = s->f;
    unsigned fi = (unsigned)(f - plat_funcs), gsi = f->intx_gsi;
    if (vector != 0)
        return KIDE_BAD_PARAM;
    if (gsi_func[gsi] >= 0 && gsi_func[gsi] != (int)fi) {
        struct plat_func *o = &plat_funcs[gsi_func[gsi]];
        kide_log(env,
                 "platform: '%s' refused INTx: GSI %u is held by the session of %02x:%02x.%x "
                 "(a line goes to one session at a time: give one of them MSI)",
                 s->p->label, gsi, o->bdf >> 8, (o->bdf >> 3) & 31, o->bdf & 7);
        return KIDE_BUSY;
    }
    if (!gsi_sel[gsi]) {
        struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
        kide_sel sel = kide_sel_alloc(0);
        kide_u64 mode = gsi >= 16 ? 3 : 1; /* bit 0 level, bit 1 active low */
        int st = sel ? kide_core_irq(&ch, &(struct kide_core_irq_req){gsi, sel, mode}) : KIDE_QUOTA;
        if (st != KIDE_OK) {
            if (sel)
                kide_sel_free(sel, 0);
            kide_log(env, "platform: no GSI %u from core: %s", gsi, kide_status_name(st));
            return st == KIDE_BUSY ? KIDE_BUSY : KIDE_QUOTA;
        }
        gsi_sel[gsi] = sel;
    }
    /* A previous session's interrupts must not reach this one; the down also
     * unmasks the line should that session have left it masked. */
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN_ZERO, gsi_sel[gsi], 1);
    gsi_func[gsi] = (int)fi;
    /* A function with MSI-X or MSI enabled does not signal INTx (PCI 6.8):
     * the policy chose INTx, so both go off. */
    if (f->msix_cap)
        plat_cfg_write(f->bdf, f->msix_cap + 2, 2,
                       plat_cfg_read(f->bdf, f->msix_cap + 2, 2) & ~0x8000u);
    if (f->msi_cap)
        plat_cfg_write(f->bdf, f->msi_cap + 2, 2, plat_cfg_read(f->bdf, f->msi_cap + 2, 2) & ~1u);
    plat_cfg_write(f->bdf, 0x04, 2, plat_cfg_read(f->bdf, 0x04, 2) & ~CMD_INTX_DISABLE);
    rpc->cap_out = gsi_sel[gsi];
    /* SM_UP too, as for MSI (below): the driver's NIC clients up it to wake it. */
    rpc->cap_perm = KIDE_SM_DOWN | KIDE_SM_UP;
    kide_msg_put(&rpc->out, 0);
    kide_msg_put(&rpc->out, gsi);
    return KIDE_OK;
}

static int op_irq(struct kide_env *env, struct plat_session *s, struct kide_rpc *rpc)
{
    struct plat_func *f = s->f;
    struct kide_platform_irq_req req;
    if (get_struct(rpc, &req, 1) < 0)
        return KIDE_BAD_PARAM;
    if (uses_intx(f, s->p))
        return op_intx(env, s, req.vector, rpc);
    if (!f->msix_cap && !f->msi_cap)
        return KIDE_DENIED;
    kide_u64 max = f->msix_cap ? f->msix_vectors : 1;
    if (req.vector >= max)
        return KIDE_BAD_PARAM;
    if (req.vector >= KIDE_PLATFORM_IRQS)
        return KIDE_QUOTA;
    unsigned fi = (unsigned)(f - plat_funcs), v = (unsigned)req.vector;
    if (!irq_sel[fi][v]) {
        struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
        struct kide_core_msi_rep rep;
        kide_sel sel = kide_sel_alloc(0);
        int st = sel ? kide_core_msi(&ch, &(struct kide_core_msi_req){.sel = sel}, &rep)
                     : KIDE_QUOTA;
        if (st != KIDE_OK) {
            if (sel)
                kide_sel_free(sel, 0);
            kide_log(env, "platform: no MSI from core: %s", kide_status_name(st));
            return KIDE_QUOTA;
        }
        irq_sel[fi][v] = sel;
        irq_addr[fi][v] = rep.addr;
        irq_data[fi][v] = rep.data;
    }
    if (f->msix_cap) {
        int st = program_msix(f, v, irq_addr[fi][v], irq_data[fi][v]);
        if (st != KIDE_OK)
            return st;
    } else {
        program_msi(f, irq_addr[fi][v], irq_data[fi][v]);
    }
    rpc->cap_out = irq_sel[fi][v];
    /* SM_UP too: the driver may make it the one semaphore its main loop waits on,
     * upped by its own clients as well (docs/decisions/0017-one-wake-semaphore.md);
     * an up only wakes the driver itself. */
    rpc->cap_perm = KIDE_SM_DOWN | KIDE_SM_UP;
    kide_msg_put(&rpc->out, irq_addr[fi][v]);
    kide_msg_put(&rpc->out, irq_data[fi][v]);
    return KIDE_OK;
}

/* The ports of an I/O BAR: taken from core once (exclusive there; core
 * refuses the ones no component may hold, 0xcf8..0xcff among them) and
 * delegated to the session at their own numbers. PCI sizes an I/O BAR as a
 * power of two, aligned to itself, which is what a delegation needs. */
static int op_io(struct kide_env *env, struct plat_session *s, struct kide_rpc *rpc)
{
    struct plat_func *f = s->f;
    struct kide_platform_io_req req;
    if (get_struct(rpc, &req, 1) < 0 || req.bar >= KIDE_PLATFORM_BARS)
        return KIDE_BAD_PARAM;
    unsigned fi = (unsigned)(f - plat_funcs), i = (unsigned)req.bar;
    kide_u64 port = f->bar_phys[i], count = f->bar_size[i];
    if (!(f->bar_flags[i] & KIDE_PLATFORM_BAR_IO) || !port || count < 4 || count > 256 ||
        (count & (count - 1)) || (port & (count - 1)) || port + count > 0x10000)
        return KIDE_BAD_PARAM;
    if (!(io_taken[fi] & (1u << i))) {
        struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
        int st = kide_core_io_port(&ch, &(struct kide_core_io_port_req){port, count});
        if (st != KIDE_OK) {
            kide_log(env, "platform: '%s': core refused ports 0x%lx+%lu of bar%u: %s", s->p->label,
                     port, count, i, kide_status_name(st));
            return st == KIDE_BUSY || st == KIDE_DENIED ? st : KIDE_QUOTA;
        }
        io_taken[fi] |= 1u << i;
    }
    rpc->io_base = port;
    rpc->io_count = count;
    kide_msg_put(&rpc->out, port);
    kide_msg_put(&rpc->out, count);
    return KIDE_OK;
}

/* With an IOMMU the function's DMA is confined to the PD of the driver at
 * the session's first call: the kernel takes the PD that calls us (the
 * session portal is the driver's, the open came through its parent). */
static int bind_dma(struct kide_env *env, struct plat_session *s)
{
    struct plat_func *f = s->f;
    kide_u64 units;
    int st = kide_assign_dev(KIDE_ASSIGN_DEV_CALLER, 0, PLAT_CFG_PAGE(f->bdf), &units);
    if (st != KIDE_OK) {
        kide_log(env, "platform: cannot confine %02x:%02x.%x's DMA to '%s': %s", f->bdf >> 8,
                 (f->bdf >> 3) & 31, f->bdf & 7, s->p->label, kide_status_name(st));
        return st;
    }
    s->dma_bound = 1;
    kide_log(env, "platform: %02x:%02x.%x's DMA confined to the RAM of '%s'", f->bdf >> 8,
             (f->bdf >> 3) & 31, f->bdf & 7, s->p->label);
    return KIDE_OK;
}

static int plat_call(struct kide_env *env, void *session, struct kide_rpc *rpc)
{
    struct plat_session *s = session;
    if (plat_iommu_units && !s->dma_bound) {
        int st = bind_dma(env, s);
        if (st != KIDE_OK)
            return st;
    }
    switch (rpc->op) {
    case KIDE_PLATFORM_INFO:
        return op_info(s, rpc);
    case KIDE_PLATFORM_CFG_READ:
        return op_cfg(s->f, rpc, 0);
    case KIDE_PLATFORM_CFG_WRITE:
        return op_cfg(s->f, rpc, 1);
    case KIDE_PLATFORM_BAR:
        return op_bar(s->f, rpc);
    case KIDE_PLATFORM_IRQ:
        return op_irq(env, s, rpc);
    case KIDE_PLATFORM_IO:
        return op_io(env, s, rpc);
    default:
        return KIDE_BAD_PARAM;
    }
}

static const struct kide_service_ops plat_ops = {
        .open = plat_open,
        .close = plat_close,
        .call = plat_call,
};

int plat_serve(struct kide_env *env)
{
    return kide_service_announce(env, KIDE_PLATFORM_SERVICE, &plat_ops);
}
