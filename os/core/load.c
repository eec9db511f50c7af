/* SPDX-License-Identifier: MIT */
/* Loading a program into an account and starting it.
 *
 * Boot modules are input: the ELF image is checked completely (os/lib/elf)
 * and must keep clear of the component layout of core.h before a single page
 * is mapped. Every page (segments, stack, info, config) is charged to the
 * account's RAM quota, so a program too big for its quota fails to load with
 * QUOTA instead of eating someone else's memory.
 */
#include "core.h"
#include "elf.h"

/* Boot modules by name: the base library's lookup (basename of the module
 * string's first word) in the boot-info page, which the kernel maps read-only
 * for the root task's whole life. */
const struct kide_boot_module *rom_find(const char *name)
{
    return base_module_find((const struct kide_boot_info *)KIDE_ROOT_BOOTINFO, name);
}

bool rom_allowed(const struct account *a, const char *name)
{
    if (a == acc_init) /* the root habitat: every module is its to hand out */
        return true;
    if (a->loaded && !a->from_pages && !strcmp(a->binary, name))
        return true;
    for (unsigned i = 0; i < a->nroms; i++)
        if (!strcmp(a->roms[i], name))
            return true;
    return false;
}

int rom_allow(struct account *c, const char *name)
{
    if (c->sc_live || c->state != KIDE_ACC_CREATED)
        return KIDE_BUSY;
    if (!rom_find(name))
        return KIDE_NOT_FOUND;
    if (!rom_allowed(c->parent, name))
        return KIDE_DENIED; /* an owner hands on only what it may map itself */
    for (unsigned i = 0; i < c->nroms; i++)
        if (!strcmp(c->roms[i], name))
            return KIDE_OK;
    if (c->nroms >= KIDE_CORE_ROM_MAX)
        return KIDE_QUOTA;
    size_t n = strnlen(name, sizeof(c->roms[0]) - 1);
    memcpy(c->roms[c->nroms], name, n);
    c->roms[c->nroms++][n] = 0;
    return KIDE_OK;
}

/* A read-only segment that the file backs completely, at the same offset
 * within a page, is mapped straight from the boot module: every instance
 * shares one copy of the program's text and constants. A snapshot (data
 * NULL: LOAD_PAGES) is never shared: its pages go when the load ends. */
static bool shareable(const u8 *data, const struct kide_elf_segment *sg)
{
    return data && !(sg->perm & KIDE_MEM_W) && sg->filesz == sg->memsz &&
           (u64)data % 4096 == sg->vaddr % 4096;
}

/* kide_elf_load's map callback: the segment's pages charged to the account. */
static int seg_map(void *ctx, unsigned index, const struct kide_elf_segment *sg, u64 va, u64 size,
                   const u8 *data, int *filled)
{
    struct account *a = ctx;
    (void)index;
    if (shareable(data, sg)) {
        *filled = 1;
        return mem_map_rom(a, va, BASE_ALIGN_DOWN((u64)data, 4096), size, sg->perm);
    }
    /* os/lib/elf guarantees segments never share a page. */
    return mem_alloc(a, va, size, sg->perm);
}

static void *seg_ptr(void *ctx, u64 va)
{
    return mem_ptr(ctx, va);
}

/* The image checked (os/lib/elf, then core's layout) and loaded with stack and
 * info page: image is the boot module's bytes, or NULL and r the snapshot. */
static int load_image(struct account *a, const char *name, const void *image,
                      const struct kide_elf_reader *r)
{
    static struct kide_elf_info info; /* guarded by core's lock */
    enum kide_elf_error e = image ? kide_elf_check(image, r->size, KIDE_USER_END, &info)
                                  : kide_elf_check_reader(r, KIDE_USER_END, &info);
    const char *why = e == KIDE_ELF_OK ? NULL : kide_elf_strerror(e);
    for (unsigned i = 0; !why && i < info.count; i++)
        if (info.seg[i].vaddr + info.seg[i].memsz > KIDE_COMP_HEAP)
            why = "a segment reaches into the component layout (link with os/lib/base/user.ld)";
        else if (info.seg[i].vaddr < KIDE_COMP_LOW_END)
            why = "a segment lies in the low window below 0x4000000000, which is the "
                  "component's to map (link with os/lib/base/user.ld)";
    if (why) {
        printf("core: %s: '%s' is not a loadable program: %s\n", a->label, name, why);
        return KIDE_BAD_PARAM;
    }
    const struct kide_elf_loader l = {seg_map, seg_ptr, a};
    int st = image ? kide_elf_load(image, &info, &l) : kide_elf_load_reader(r, &info, &l);
    if (st == KIDE_OK)
        st = mem_alloc(a, KIDE_COMP_STACK_TOP - KIDE_COMP_STACK_SIZE, KIDE_COMP_STACK_SIZE,
                       KIDE_MEM_R | KIDE_MEM_W);
    if (st == KIDE_OK)
        st = mem_alloc(a, KIDE_COMP_INFO, 4096, KIDE_MEM_R);
    if (st != KIDE_OK) {
        mem_free_all(a);
        return st;
    }
    size_t n = strnlen(name, sizeof(a->binary) - 1);
    memcpy(a->binary, name, n);
    a->binary[n] = 0;
    a->entry = info.entry;
    a->loaded = true;
    return KIDE_OK;
}

int load_program(struct account *a, const char *rom)
{
    if (a->loaded)
        return KIDE_BUSY;
    const struct kide_boot_module *m = rom_find(rom);
    if (!m) {
        printf("core: %s: no boot module '%s' (add it to the scenario's image)\n", a->label, rom);
        return KIDE_BAD_PARAM;
    }
    const struct kide_elf_reader whole = {NULL, NULL, m->size};
    return load_image(a, rom, (const void *)m->phys, &whole);
}

/* ---- KIDE_OWN_LOAD_PAGES ----
 * The snapshot lies in the sub-account itself, at the start of its heap
 * range: before START nothing is there (only the component's own RAM_ALLOC
 * maps there, and it has not run), its pages are charged to the sub-account
 * and recorded like any others, so a failure half-way leaves nothing behind
 * that mem_free and mem_free_all do not take back. */
#define SNAP_VA KIDE_COMP_HEAP

/* The reader over the snapshot: page by page through core's identity view.
 * kide_elf_check_reader asks only inside [0, size), which the snapshot covers. */
static int snap_read(void *ctx, u64 off, void *buf, u64 n)
{
    struct account *a = ctx;
    for (u64 done = 0; done < n;) {
        u64 va = SNAP_VA + off + done;
        u64 k = BASE_MIN(n - done, 4096 - (va & 4095));
        const void *src = mem_ptr(a, va);
        if (!src)
            return -1;
        memcpy((u8 *)buf + done, src, k);
        done += k;
    }
    return 0;
}

int load_pages(struct account *a, u64 addr, u64 size, const char *name)
{
    struct account *from = a->parent; /* the owner: the pages are its own RAM */
    if (a->loaded)
        return KIDE_BUSY;
    if (!size || (addr | size) & 4095 || size > KIDE_CORE_LOAD_PAGES_MAX ||
        addr > KIDE_USER_END - size) {
        printf("core: %s: LOAD_PAGES of '%s': %lu bytes at 0x%lx are not whole pages of user "
               "space up to %lu MiB\n",
               a->label, name, size, addr, (u64)(KIDE_CORE_LOAD_PAGES_MAX >> 20));
        return KIDE_BAD_PARAM;
    }
    for (u64 off = 0; off < size; off += 4096)
        if (!mem_ram_ptr(from, addr + off)) {
            printf("core: %s: LOAD_PAGES of '%s': 0x%lx is not a page of %s's own RAM (copy "
                   "the image into RAM from kide_ram_alloc first)\n",
                   a->label, name, addr + off, from->label);
            return KIDE_BAD_PARAM;
        }
    int st = mem_alloc(a, SNAP_VA, size, KIDE_MEM_R);
    if (st != KIDE_OK)
        return st == KIDE_QUOTA ? KIDE_QUOTA : KIDE_BUSY;
    for (u64 off = 0; off < size; off += 4096)
        memcpy(mem_ptr(a, SNAP_VA + off), mem_ram_ptr(from, addr + off), 4096);
    const struct kide_elf_reader snap = {snap_read, a, size};
    st = load_image(a, name, NULL, &snap);
    a->from_pages = st == KIDE_OK; /* its name is a package's, never a module's (rom_allowed) */
    mem_free(a, SNAP_VA, size);    /* after a failure mem_free_all took it already */
    return st;
}

int load_config(struct account *a, u64 total, u64 offset, const void *data, u64 len)
{
    if (a->state != KIDE_ACC_CREATED || a->sc_live)
        return KIDE_BUSY;
    if (total > KIDE_COMP_CONFIG_MAX || offset > total || len > total - offset)
        return KIDE_BAD_PARAM;
    if (a->config_size && a->config_size != total)
        return KIDE_BAD_PARAM; /* one document per start */
    a->config_size = total;
    for (u64 done = 0; done < len;) {
        u64 va = KIDE_COMP_CONFIG + offset + done;
        if (!mem_has(a, BASE_ALIGN_DOWN(va, 4096))) {
            int st = mem_alloc(a, BASE_ALIGN_DOWN(va, 4096), 4096, KIDE_MEM_R);
            if (st != KIDE_OK)
                return st;
        }
        u64 n = BASE_MIN(len - done, 4096 - (va & 4095));
        memcpy(mem_ptr(a, va), (const u8 *)data + done, n);
        done += n;
    }
    return KIDE_OK;
}

int load_start(struct account *a)
{
    if (a->sc_live || a->state != KIDE_ACC_CREATED)
        return KIDE_BUSY;
    if (!a->loaded)
        return KIDE_BAD_PARAM;
    struct kide_comp_info *info = mem_ptr(a, KIDE_COMP_INFO);
    acc_compute_share(a);
    a->boot_ns = base_now();
    info->magic = KIDE_COMP_INFO_MAGIC;
    info->config_size = a->config_size;
    info->cpu = a->cpu;
    info->boot_ns = a->boot_ns;
    info->ram_quota = a->ram_quota;
    info->caps_quota = a->caps_quota;
    info->cpu_quota = a->cpu_pct;
    info->priority = a->prio;
    info->handler_utcb_hint = KIDE_COMP_UTCB + 0x100000;
    memcpy(info->name, a->label, sizeof(info->name) - 1);
    memcpy(info->binary, a->binary, sizeof(info->binary) - 1);
    memcpy(info->args, a->args, sizeof(info->args) - 1);

    u64 sp = KIDE_COMP_STACK_TOP - 16;
    *(u64 *)mem_ptr(a, sp) = KIDE_COMP_UTCB; /* crt0 finds its UTCB here */
    int st = kide_create_ec(KIDE_EC_GLOBAL, a->cpu, acc_sel(a, ACC_EC), acc_sel(a, ACC_PD),
                            KIDE_COMP_UTCB, sp, a->entry, KIDE_COMP_SEL_EVT);
    if (st != KIDE_OK)
        return st;
    /* Running before the SC exists: the component may run (and fault) at once,
     * on core's handler EC of its CPU, while this thread is still here (it then
     * waits for core's lock). */
    a->sc_live = true;
    a->state = KIDE_ACC_RUNNING;
    st = kide_create_sc(0, a->prio, acc_sel(a, ACC_SC), acc_sel(a, ACC_PD), acc_sel(a, ACC_EC),
                        acc_budget_ns(a), KIDE_CORE_PERIOD_NS);
    if (st != KIDE_OK) {
        a->sc_live = false;
        a->state = KIDE_ACC_CREATED;
        kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, acc_sel(a, ACC_EC), 0, 0));
    }
    return st;
}
