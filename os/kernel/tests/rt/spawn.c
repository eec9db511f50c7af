/* SPDX-License-Identifier: MIT */
/* krt spawn: load an ELF boot module into a new child PD (see krt/spawn.h).
 *
 * The image is input: os/lib/elf checks every header field before use (class,
 * machine, type, program-header table inside the file, each PT_LOAD inside
 * the file and below the end of user space, filesz <= memsz, no overflow) and
 * rejects segments that share a page, so every page has exactly one segment's
 * permissions. Each page gets a fresh root page and is delegated with its
 * segment's R/W/X only, so the child cannot write its own code.
 */
#include <krt/spawn.h>
#include "elf.h"

#define PT_LOAD 1
const struct kide_boot_module *krt_module_find(const char *name)
{
    return krt_bootinfo ? base_module_find(krt_bootinfo, name) : NULL;
}

int krt_elf_check_info(const void *image, u64 size, const char *name, struct kide_elf_info *info)
{
    enum kide_elf_error e = kide_elf_check(image, size, KIDE_USER_END, info);
    const char *why = e == KIDE_ELF_OK ? NULL : kide_elf_strerror(e);
    for (unsigned i = 0; !why && i < info->count; i++)
        if (info->seg[i].vaddr + info->seg[i].memsz > KRT_CHILD_INFO)
            why = "a segment overlaps the krt child layout (info, stacks, UTCBs)";
    if (why) {
        printf("krt: module %s: bad ELF image: %s\n", name, why);
        printf("hint: build helpers with os/lib/base/user.ld (static, non-PIE)\n");
        return KIDE_BAD_PARAM;
    }
    return KIDE_OK;
}

int krt_elf_check(const void *image, u64 size, const char *name)
{
    static struct kide_elf_info info; /* the root is single-threaded when it spawns */
    return krt_elf_check_info(image, size, name, &info);
}

static struct krt_child_page *page_find(struct krt_child *c, u64 va)
{
    for (unsigned i = 0; i < c->npages; i++)
        if (c->page[i].va == va)
            return &c->page[i];
    return NULL;
}

void *krt_child_ptr(struct krt_child *c, u64 va)
{
    struct krt_child_page *p = page_find(c, BASE_ALIGN_DOWN(va, 4096));
    return p ? (void *)(p->pa + (va & 4095)) : NULL;
}

/** Page at va, created (unmapped) if new; perm is or-ed in. */
static struct krt_child_page *page_get(struct krt_child *c, u64 va, unsigned perm)
{
    struct krt_child_page *p = page_find(c, va);
    if (!p) {
        if (c->npages >= KRT_CHILD_MAX_PAGES)
            return NULL;
        u64 pa = krt_page_alloc();
        if (!pa)
            return NULL;
        p = &c->page[c->npages++];
        *p = (struct krt_child_page){va, pa, 0, false};
    }
    p->perm |= perm;
    return p;
}

static int page_map(struct krt_child *c, struct krt_child_page *p)
{
    int st = kide_delegate(c->pd, KIDE_CRD(KIDE_CRD_MEM, p->pa >> 12, 0, p->perm), p->va >> 12);
    if (st == KIDE_OK)
        p->mapped = true;
    else
        printf("krt: %s: delegate page %lx -> %lx: %s\n", c->name, p->pa, p->va,
               base_status_name(st));
    return st;
}

u64 krt_child_map(struct krt_child *c, u64 va, unsigned perm)
{
    struct krt_child_page *p = page_get(c, BASE_ALIGN_DOWN(va, 4096), perm);
    if (!p || page_map(c, p) != KIDE_OK)
        return 0;
    return p->pa;
}

int krt_child_give(struct krt_child *c, kide_sel root_sel, unsigned perm, kide_sel child_sel)
{
    return kide_delegate(c->pd, KIDE_CRD(KIDE_CRD_OBJ, root_sel, 0, perm), child_sel);
}

/** Set up child EC slot i: stack, UTCB address, exception portals. */
static int ec_prepare(struct krt_child *c, unsigned i, unsigned cpu, u64 *sp, u64 *utcb)
{
    struct krt_ec *e = &c->ec[i];
    memset(e, 0, sizeof(*e));
    e->cpu = cpu;
    e->child = c;
    *utcb = KRT_CHILD_UTCBS + (u64)i * 4096;
    u64 top = KRT_CHILD_STACKS + (u64)(i + 1) * KRT_CHILD_STACK_SIZE * 2;
    for (u64 va = top - KRT_CHILD_STACK_SIZE; va < top; va += 4096)
        if (!krt_child_map(c, va, KIDE_MEM_R | KIDE_MEM_W))
            return KIDE_QUOTA;
    *sp = top - 16;
    *(u64 *)krt_child_ptr(c, *sp) = *utcb;
    int st = krt_evt_create(e);
    if (st != KIDE_OK)
        return st;
    /* exception portals 0..31 as one order-5 range, 32 (recall) alone */
    st = kide_delegate(c->pd, KIDE_CRD(KIDE_CRD_OBJ, e->evt, 5, KIDE_PT_CALL), KRT_CHILD_EVT(i));
    if (st == KIDE_OK)
        st = kide_delegate(c->pd, KIDE_CRD(KIDE_CRD_OBJ, e->evt + 32, 0, KIDE_PT_CALL),
                           KRT_CHILD_EVT(i) + 32);
    if (st != KIDE_OK)
        printf("krt: %s: delegate exception portals: %s\n", c->name, base_status_name(st));
    return st;
}

/* kide_elf_load's map callback: a fresh root page for each page of the segment. */
static int seg_map(void *ctx, unsigned index, const struct kide_elf_segment *sg, u64 va, u64 size,
                   const u8 *data, int *filled)
{
    struct krt_child *c = ctx;
    (void)data, (void)filled; /* every page is a copy: the child must not share the module */
    for (u64 end = va + size; va < end; va += 4096) {
        if (!page_get(c, va, sg->perm)) {
            printf("krt: %s: out of pages for segment %u (%u pages in use, %s)\n", c->name, index,
                   c->npages,
                   c->npages >= KRT_CHILD_MAX_PAGES ? "the child has too many" : "no RAM left");
            return KIDE_QUOTA;
        }
    }
    return KIDE_OK;
}

static void *seg_ptr(void *ctx, u64 va)
{
    return krt_child_ptr(ctx, va);
}

static int load_segments(struct krt_child *c, const u8 *image, const struct kide_elf_info *info)
{
    const struct kide_elf_loader l = {seg_map, seg_ptr, c};
    int st = kide_elf_load(image, info, &l);
    for (unsigned i = 0; st == KIDE_OK && i < c->npages; i++)
        st = page_map(c, &c->page[i]);
    return st;
}

int krt_spawn(struct krt_child *c, const char *name, const void *image, u64 size,
              const struct krt_spawn_args *a)
{
    int st;
    memset(c, 0, sizeof(*c));
    c->name = name;
    static struct kide_elf_info elf; /* the root is single-threaded when it spawns */
    st = krt_elf_check_info(image, size, name, &elf);
    if (st != KIDE_OK)
        return st;
    c->entry = elf.entry;
    c->quota = a->quota ? a->quota : 192;
    c->notify = krt_sm_create(0);
    c->pd = krt_sel_alloc(0);
    if (!c->notify || !c->pd) {
        st = KIDE_QUOTA;
        goto error;
    }
    st = kide_create_pd(c->pd, KIDE_ROOT_SEL_PD, c->quota, c->notify);
    if (st != KIDE_OK) {
        printf("krt: %s: create_pd (quota %lu): %s\n", name, c->quota, base_status_name(st));
        krt_sel_free(c->pd, 0);
        c->pd = 0;
        goto error;
    }
    st = load_segments(c, image, &elf);
    if (st != KIDE_OK)
        goto error;
    u64 info_pa = krt_child_map(c, KRT_CHILD_INFO, KIDE_MEM_R | KIDE_MEM_W);
    if (!info_pa) {
        st = KIDE_QUOTA;
        goto error;
    }
    struct krt_child_info *info = (struct krt_child_info *)info_pa;
    c->info = info;
    info->magic = KRT_CHILD_MAGIC;
    info->cpu = a->cpu;
    info->mode = a->mode;
    memcpy((void *)info->arg, a->arg, sizeof(info->arg));
    const struct kide_boot_module *m = krt_module_find(name);
    if (m)
        memcpy(info->cmdline, m->cmdline,
               strnlen(m->cmdline, BASE_MIN(sizeof(m->cmdline), sizeof(info->cmdline) - 1)));
    if (a->io_console) {
        st = kide_delegate(c->pd, KIDE_CRD(KIDE_CRD_IO, 0x3f8, 3, KIDE_IO_ACCESS), 0x3f8);
        if (st != KIDE_OK) {
            printf("krt: %s: delegate COM1: %s\n", name, base_status_name(st));
            goto error;
        }
    }
    u64 sp, utcb;
    st = ec_prepare(c, 0, a->cpu, &sp, &utcb);
    if (st != KIDE_OK)
        goto error;
    c->nec = 1;
    c->ec[0].ec = krt_sel_alloc(0);
    st = kide_create_ec(KIDE_EC_GLOBAL, a->cpu, c->ec[0].ec, c->pd, utcb, sp, c->entry,
                        KRT_CHILD_EVT(0));
    if (st != KIDE_OK) {
        printf("krt: %s: create_ec: %s\n", name, base_status_name(st));
        krt_sel_free(c->ec[0].ec, 0);
        c->ec[0].ec = 0;
        goto error;
    }
    if (!a->no_start) {
        st = krt_child_start(c, a->prio);
        if (st != KIDE_OK)
            goto error;
    }
    return KIDE_OK;
error:
    krt_child_destroy(c);
    return st;
}

int krt_spawn_module(struct krt_child *c, const char *module, const struct krt_spawn_args *a)
{
    const struct kide_boot_module *m = krt_module_find(module);
    if (!m) {
        printf("krt: no boot module named %s\n", module);
        printf("hint: add it to the QEMU -initrd list (os/tools/qemu-run.sh)\n");
        memset(c, 0, sizeof(*c));
        return KIDE_BAD_PARAM;
    }
    return krt_spawn(c, module, (const void *)m->phys, m->size, a);
}

int krt_child_start(struct krt_child *c, unsigned prio)
{
    c->ec[0].sc = krt_sel_alloc(0);
    int st = kide_create_sc(0, prio, c->ec[0].sc, c->pd, c->ec[0].ec, 10 * BASE_MS, 10 * BASE_MS);
    if (st != KIDE_OK) {
        printf("krt: %s: create_sc: %s\n", c->name, base_status_name(st));
        krt_sel_free(c->ec[0].sc, 0);
        c->ec[0].sc = 0;
    }
    return st;
}

struct krt_ec *krt_child_thread(struct krt_child *c, unsigned cpu, unsigned prio, u64 tls)
{
    if (c->nec >= KRT_CHILD_MAX_EC)
        return NULL;
    unsigned i = c->nec;
    u64 sp, utcb;
    if (ec_prepare(c, i, cpu, &sp, &utcb) != KIDE_OK)
        return NULL;
    c->nec++;
    struct krt_ec *e = &c->ec[i];
    e->ec = krt_sel_alloc(0);
    int st =
            kide_create_ec(KIDE_EC_GLOBAL, cpu, e->ec, c->pd, utcb, sp, c->entry, KRT_CHILD_EVT(i));
    if (st != KIDE_OK) {
        printf("krt: %s: create_ec: %s\n", c->name, base_status_name(st));
        return NULL;
    }
    /* The root cannot write the child's UTCB: the child finds what this
     * thread should do in its info page, indexed by the EC's UTCB slot. */
    c->info->arg[8 + (i & 7)] = tls;
    e->sc = krt_sel_alloc(0);
    st = kide_create_sc(0, prio, e->sc, c->pd, e->ec, 10 * BASE_MS, 10 * BASE_MS);
    if (st != KIDE_OK) {
        printf("krt: %s: create_sc: %s\n", c->name, base_status_name(st));
        return NULL;
    }
    return e;
}

kide_sel krt_child_portal(struct krt_child *c, unsigned cpu, u64 id)
{
    if (c->nec >= KRT_CHILD_MAX_EC || c->npts >= BASE_ARRAY_SIZE(c->pts))
        return 0;
    unsigned i = c->nec;
    u64 sp, utcb;
    if (ec_prepare(c, i, cpu, &sp, &utcb) != KIDE_OK)
        return 0;
    c->nec++;
    struct krt_ec *e = &c->ec[i];
    e->ec = krt_sel_alloc(0);
    int st = kide_create_ec(0, cpu, e->ec, c->pd, utcb, sp, 0, KRT_CHILD_EVT(i));
    if (st != KIDE_OK) {
        printf("krt: %s: create handler ec: %s\n", c->name, base_status_name(st));
        return 0;
    }
    kide_sel pt = krt_sel_alloc(0);
    st = kide_create_pt(pt, c->pd, e->ec, c->entry, id);
    if (st != KIDE_OK) {
        printf("krt: %s: create_pt: %s\n", c->name, base_status_name(st));
        krt_sel_free(pt, 0);
        return 0;
    }
    c->pts[c->npts++] = pt;
    return pt;
}

int krt_child_wait(struct krt_child *c, u64 ms)
{
    return krt_sm_wait(c->notify, ms);
}

void krt_child_destroy(struct krt_child *c)
{
    for (unsigned i = 0; i < c->npts; i++)
        krt_cap_drop(c->pts[i]);
    c->npts = 0;
    for (unsigned i = 0; i < c->nec && i < KRT_CHILD_MAX_EC; i++) {
        krt_cap_drop(c->ec[i].sc);
        c->ec[i].sc = 0;
    }
    /* Dropping the last capability destroys the PD and with it every mapping
     * it holds. Whether that happened shows in its EC (DEAD); if something
     * else still holds the PD, revoke its pages one by one before reusing
     * them. (Only then: a single-page revoke must not touch other PDs, but
     * see test_revoke_page_isolation.) */
    bool pd_gone = true;
    if (c->pd) {
        krt_cap_drop(c->pd);
        c->pd = 0;
        u64 state = ~0ull;
        pd_gone = c->nec && c->ec[0].ec &&
                  kide_ctrl_ec(KIDE_CTRL_EC_QUERY, c->ec[0].ec, 0, 0, 0, &state, NULL, NULL) ==
                          KIDE_OK &&
                  state == KIDE_EC_STATE_DEAD;
    }
    for (unsigned i = 0; i < c->nec && i < KRT_CHILD_MAX_EC; i++) {
        krt_cap_drop(c->ec[i].ec);
        c->ec[i].ec = 0;
        krt_evt_destroy(&c->ec[i]);
    }
    c->nec = 0;
    for (unsigned i = 0; i < c->npages; i++) {
        if (!pd_gone && c->page[i].mapped)
            kide_revoke(0, KIDE_CRD(KIDE_CRD_MEM, c->page[i].pa >> 12, 0, 0));
        krt_page_free(c->page[i].pa);
    }
    c->npages = 0;
    c->info = NULL;
    if (c->notify) {
        krt_cap_drop(c->notify);
        c->notify = 0;
    }
}
