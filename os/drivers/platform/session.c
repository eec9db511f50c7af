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
 * semaphore, revoked when it closes. Closing also revokes the BAR pages the
 * session was given and turns off the function's bus mastering, so a dead
 * driver's device stops its DMA. Costs: every operation is O(1) but for
 * INFO's constant copy and BAR's one delegation per page (at most 64).
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

static void plat_close(struct kide_env *env, void *session)
{
    struct plat_session *s = session;
    struct plat_func *f = s->f;
    unsigned fi = (unsigned)(f - plat_funcs);
    /* Its copies of our semaphores and BAR pages go; the device stops DMA. */
    for (unsigned v = 0; v < KIDE_PLATFORM_IRQS; v++)
        if (irq_sel[fi][v])
            kide_revoke(0, KIDE_CRD(KIDE_CRD_OBJ, irq_sel[fi][v], 0, 0));
    for (unsigned i = 0; i < KIDE_PLATFORM_BARS; i++)
        for (kide_u64 off = 0; f->bar_va[i] && off < f->bar_size[i]; off += 4096)
            kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, (f->bar_va[i] + off) >> 12, 0, 0));
    plat_cfg_write(f->bdf, 0x04, 2, plat_cfg_read(f->bdf, 0x04, 2) & ~4u);
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

static int op_info(struct plat_func *f, struct kide_rpc *rpc)
{
    struct kide_platform_info_rep rep = {
            .vendor = f->vendor,
            .device = f->device,
            .class_code = f->class_code,
            .bdf = f->bdf,
            .cfg_size = plat_cfg_size,
            .irq_kinds = (f->msix_cap ? KIDE_PLATFORM_IRQ_MSIX : 0) |
                         (f->msi_cap ? KIDE_PLATFORM_IRQ_MSI : 0),
            .msix_vectors = f->msix_vectors,
    };
    for (unsigned i = 0; i < KIDE_PLATFORM_BARS; i++) {
        rep.bar_size[i] = f->bar_size[i];
        rep.bar_flags[i] = f->bar_flags[i];
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

static int op_irq(struct kide_env *env, struct plat_func *f, struct kide_rpc *rpc)
{
    struct kide_platform_irq_req req;
    if (get_struct(rpc, &req, 1) < 0)
        return KIDE_BAD_PARAM;
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
        return op_info(s->f, rpc);
    case KIDE_PLATFORM_CFG_READ:
        return op_cfg(s->f, rpc, 0);
    case KIDE_PLATFORM_CFG_WRITE:
        return op_cfg(s->f, rpc, 1);
    case KIDE_PLATFORM_BAR:
        return op_bar(s->f, rpc);
    case KIDE_PLATFORM_IRQ:
        return op_irq(env, s->f, rpc);
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
