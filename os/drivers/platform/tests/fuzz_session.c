/* SPDX-License-Identifier: MIT */
/* libFuzzer target: hostile drivers against the platform session (session.c).
 *
 * Three functions: two transitional virtio-nets on GSI 11 (an I/O BAR, a
 * memory BAR; the first with MSI-X) and one on GSI 10 without MSI; a policy
 * of two entries for label "a" and one for "b", each optionally irq: intx.
 * The input is a script of 16-byte steps: open a session (label a or b),
 * close one, or call one with any op and any three words. Configuration
 * space, core and the kernel are simulated. The checks, after every call:
 * no memory error or undefined behaviour (ASan, UBSan); a failed call hands
 * out nothing (no capability, pages or ports); ports handed out are exactly
 * an I/O BAR of the session's own function and never 0xcf8..0xcff; pages
 * lie inside a BAR of its own function; an INTx semaphore is its function's
 * GSI and no two open sessions of different functions hold one GSI; a
 * session's calls never touch another function's configuration space.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../platform.h"
#include <kide/boot.h> /* KIDE_ROOT_GSIS */

#define NF       3
#define MAX_SESS 4

/* ---- the simulated machine ---------------------------------------------------- */
struct plat_func plat_funcs[PLAT_MAX_FUNCS];
unsigned plat_nfuncs;
unsigned plat_cfg_size;
static kide_u8 cfg_space[NF][4096];
static kide_u8 *bar_mem[NF][KIDE_PLATFORM_BARS];
static unsigned touching = NF; /* the function a session call may touch (NF: any) */
static kide_sel gsi_of_sel[1024];
static kide_sel next_sel = 64;
static const struct kide_service_ops *ops;
static struct kide_utcb utcb;

static int fidx(unsigned bdf)
{
    for (unsigned i = 0; i < plat_nfuncs; i++)
        if (plat_funcs[i].bdf == bdf)
            return (int)i;
    abort(); /* a bdf nobody enumerated */
}

kide_u32 plat_cfg_read(unsigned bdf, unsigned offset, unsigned width)
{
    unsigned f = (unsigned)fidx(bdf);
    if (touching != NF && f != touching)
        abort();
    if (offset + width > plat_cfg_size || (width != 1 && width != 2 && width != 4))
        abort(); /* session.c must have checked */
    kide_u32 v = 0;
    memcpy(&v, &cfg_space[f][offset], width);
    return v;
}

void plat_cfg_write(unsigned bdf, unsigned offset, unsigned width, kide_u32 value)
{
    unsigned f = (unsigned)fidx(bdf);
    if (touching != NF && f != touching)
        abort();
    if (offset + width > plat_cfg_size || (width != 1 && width != 2 && width != 4))
        abort();
    memcpy(&cfg_space[f][offset], &value, width);
}

int plat_map_bar(struct plat_func *f, unsigned i)
{
    unsigned fi = (unsigned)(f - plat_funcs);
    if (f->bar_va[i])
        return KIDE_OK;
    if (!(f->bar_flags[i] & KIDE_PLATFORM_BAR_MEM) || (f->bar_phys[i] & 4095))
        return KIDE_BAD_PARAM;
    bar_mem[fi][i] = aligned_alloc(4096, (f->bar_size[i] + 4095) & ~4095ull);
    memset(bar_mem[fi][i], 0, (f->bar_size[i] + 4095) & ~4095ull);
    f->bar_va[i] = (kide_u64)bar_mem[fi][i];
    return KIDE_OK;
}

/* ---- the runtime, core and the kernel, as far as session.c uses them ---------- */
void *kide_calloc(kide_u64 n, kide_u64 size)
{
    return calloc(n, size);
}
void kide_free(void *p)
{
    free(p);
}
void kide_log(struct kide_env *env, const char *fmt, ...)
{
    (void)env, (void)fmt;
}
const char *kide_status_name(int status)
{
    (void)status;
    return "status";
}
struct kide_utcb *kide_utcb(void)
{
    return &utcb;
}
kide_sel kide_core_portal(void)
{
    return 1;
}
kide_sel kide_sel_alloc(unsigned order)
{
    (void)order;
    return next_sel < 1024 ? next_sel++ : 0;
}
void kide_sel_free(kide_sel sel, unsigned order)
{
    (void)sel, (void)order;
}
int kide_service_announce(struct kide_env *env, const char *service,
                          const struct kide_service_ops *o)
{
    (void)env, (void)service;
    ops = o;
    return KIDE_OK;
}
int kide_revoke(kide_u64 flags, kide_u64 crd)
{
    (void)flags, (void)crd;
    return KIDE_OK;
}
int kide_assign_dev(kide_u64 flags, kide_u64 pd, kide_u64 page, kide_u64 *units)
{
    (void)flags, (void)pd, (void)page;
    if (units)
        *units = 1;
    return KIDE_OK;
}
int kide_ctrl_sm(kide_u64 op, kide_sel sm, kide_u64 deadline)
{
    (void)op, (void)sm, (void)deadline;
    return KIDE_TIMEOUT;
}
int kide_clock(kide_u64 *ns)
{
    *ns = 0;
    return KIDE_OK;
}
int kide_core_irq(const struct kide_core_chan *ch, const struct kide_core_irq_req *req)
{
    (void)ch;
    if (req->gsi >= KIDE_ROOT_GSIS || req->sel >= 1024 || req->mode > 3)
        abort();
    gsi_of_sel[req->sel] = (kide_sel)req->gsi;
    return KIDE_OK;
}
int kide_core_msi(const struct kide_core_chan *ch, const struct kide_core_msi_req *req,
                  struct kide_core_msi_rep *rep)
{
    (void)ch, (void)req;
    *rep = (struct kide_core_msi_rep){.addr = 0xfee00000, .data = 0x50};
    return KIDE_OK;
}
int kide_core_io_port(const struct kide_core_chan *ch, const struct kide_core_io_port_req *req)
{
    (void)ch;
    if (req->base < 0xd00 && req->base + req->count > 0xcf8)
        return KIDE_DENIED; /* as core: never the configuration ports */
    return KIDE_OK;
}
void kide_msg_put(struct kide_msg *m, kide_u64 v)
{
    if (m->n >= m->cap) {
        m->bad = 1;
        return;
    }
    m->w[m->n++] = v;
}
kide_u64 kide_msg_get(struct kide_msg *m)
{
    if (m->pos >= m->n) {
        m->bad = 1;
        return 0;
    }
    return m->w[m->pos++];
}

/* ---- the machine's functions and the policy ----------------------------------- */
static void add(unsigned bdf, unsigned device, unsigned gsi, kide_u64 port, int msix)
{
    struct plat_func *f = &plat_funcs[plat_nfuncs++];
    memset(f, 0, sizeof(*f));
    f->bdf = bdf, f->vendor = 0x1af4, f->device = device;
    f->bar_phys[0] = port, f->bar_size[0] = 32, f->bar_flags[0] = KIDE_PLATFORM_BAR_IO;
    f->bar_phys[1] = 0xfebd1000 + (bdf << 12), f->bar_size[1] = 4096;
    f->bar_flags[1] = KIDE_PLATFORM_BAR_MEM;
    if (msix) {
        f->msix_cap = 0x40, f->msix_vectors = 3;
        kide_u32 table = 1; /* BAR 1, offset 0 */
        memcpy(&cfg_space[plat_nfuncs - 1][0x44], &table, 4);
    }
    f->intx_pin = 1, f->intx_gsi = gsi;
}

static void policy(unsigned i, const char *label, unsigned device, int intx)
{
    memset(&plat_policy[i], 0, sizeof(plat_policy[i]));
    strcpy(plat_policy[i].label, label);
    plat_policy[i].vendor = 0x1af4, plat_policy[i].device = device, plat_policy[i].intx = intx;
}

static void reset(const uint8_t *d)
{
    for (unsigned f = 0; f < NF; f++)
        for (unsigned b = 0; b < KIDE_PLATFORM_BARS; b++)
            free(bar_mem[f][b]), bar_mem[f][b] = NULL;
    memset(cfg_space, 0, sizeof(cfg_space));
    plat_nfuncs = 0;
    add(0x18, 0x1000, 11, 0xc000, 1);
    add(0x38, 0x1000, 11, 0xc020, 0);
    add(0x20, 0x1041, 10, 0xcf8, 0); /* an I/O BAR over 0xcf8: core refuses it */
    policy(0, "a", 0x1000, d[0] & 1);
    policy(1, "a", 0x1000, d[0] & 2);
    policy(2, "b", 0x1041, d[0] & 4);
    plat_npolicy = 3;
    plat_cfg_size = d[0] & 8 ? 256 : 4096;
    plat_iommu_units = d[0] & 16;
}

/* ---- the driver side ---------------------------------------------------------- */
struct sess {
    void *s;
    unsigned f;
    int gsi; /* the INTx line it was given, -1: none */
};

static void check_reply(struct sess *s, int st, const struct kide_rpc *rpc)
{
    const struct plat_func *f = &plat_funcs[s->f];
    if (st != KIDE_OK && (rpc->cap_out || rpc->ds_out || rpc->io_count))
        abort(); /* a failure hands out nothing */
    if (rpc->io_count) {
        if (!(f->bar_flags[0] & KIDE_PLATFORM_BAR_IO) || rpc->io_base != f->bar_phys[0] ||
            rpc->io_count != f->bar_size[0] ||
            (rpc->io_base < 0xd00 && rpc->io_base + rpc->io_count > 0xcf8))
            abort();
    }
    if (rpc->ds_out) {
        kide_u64 a = (kide_u64)rpc->ds_out, end = a + rpc->ds_pages * 4096;
        int inside = 0;
        for (unsigned b = 0; b < KIDE_PLATFORM_BARS; b++)
            if (f->bar_va[b] && a >= f->bar_va[b] &&
                end <= f->bar_va[b] + ((f->bar_size[b] + 4095) & ~4095ull))
                inside = 1;
        if (!inside)
            abort();
    }
    if (rpc->cap_out && gsi_of_sel[rpc->cap_out]) {
        if (gsi_of_sel[rpc->cap_out] != f->intx_gsi)
            abort();
        s->gsi = (int)f->intx_gsi;
    }
}

static void call(struct sess *ss, struct sess *s, const uint8_t *d)
{
    kide_u64 in[4] = {d[2] % 8}, out[32];
    for (unsigned i = 0; i < 3; i++) {
        kide_u64 w = 0;
        memcpy(&w, d + 4 + 4 * i, 4);
        /* small numbers often: they reach past the first checks */
        in[i + 1] = d[3] & (1u << i) ? w % 8 : d[3] & (8u << i) ? w % 0x1000 : w;
    }
    struct kide_rpc rpc;
    memset(&rpc, 0, sizeof(rpc));
    kide_msg_init(&rpc.in, in, 4, 1 + (d[1] % 4));
    rpc.in.pos = 1;
    kide_msg_init(&rpc.out, out, 32, 1);
    rpc.op = in[0];
    touching = s->f;
    int st = ops->call(NULL, s->s, &rpc);
    touching = NF;
    check_reply(s, st, &rpc);
    for (unsigned i = 0; st == KIDE_OK && rpc.cap_out && gsi_of_sel[rpc.cap_out] && i < MAX_SESS;
         i++)
        if (ss[i].s && ss[i].f != s->f && ss[i].gsi == s->gsi)
            abort(); /* one line, two functions' open sessions */
}

void kide_msg_init(struct kide_msg *m, kide_u64 *words, unsigned cap, unsigned n)
{
    memset(m, 0, sizeof(*m));
    m->w = words, m->cap = cap, m->n = n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int announced;
    if (!announced) {
        plat_serve(NULL);
        announced = 1;
    }
    if (size < 2)
        return 0;
    reset(data);
    struct sess ss[MAX_SESS] = {0};
    for (size_t o = 2; o + 16 <= size; o += 16) {
        const uint8_t *d = data + o;
        struct sess *s = &ss[d[0] % MAX_SESS];
        if ((d[0] >> 2) % 4 == 0 && !s->s) {
            int st = 0;
            unsigned before[NF];
            for (unsigned f = 0; f < NF; f++)
                before[f] = plat_funcs[f].owner != 0;
            s->s = ops->open(NULL, d[1] & 1 ? "b" : "a", "", 0, &st);
            s->gsi = -1;
            for (unsigned f = 0; s->s && f < NF; f++)
                if (!before[f] && plat_funcs[f].owner)
                    s->f = f;
        } else if ((d[0] >> 2) % 4 == 1 && s->s) {
            ops->close(NULL, s->s);
            s->s = NULL;
        } else if (s->s) {
            call(ss, s, d);
        }
    }
    for (unsigned i = 0; i < MAX_SESS; i++)
        if (ss[i].s)
            ops->close(NULL, ss[i].s);
    return 0;
}
