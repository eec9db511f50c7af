/* SPDX-License-Identifier: MIT */
/* The root PD: built by the kernel from the first boot module.
 *
 * The root receives all RAM left after the kernel took its pool (mapped at
 * virtual == physical and delegatable), the boot modules (likewise), the
 * device memory (held at virtual == physical, not mapped, uncacheable once
 * delegated: give_devices), all I/O ports, one interrupt semaphore per GSI,
 * KIDE_ROOT_MSIS MSI semaphores and its own PD, EC and SC (boot.h gives the
 * selectors). Its ELF image is checked like any outside input (by
 * os/lib/elf, the checker every loader shares): a malformed image stops the
 * boot with a message that says what is wrong.
 */
#include "kernel.h"
#include "boot.h"
#include "pd.h"
#include "ec.h"
#include "sc.h"
#include "sm.h"
#include "cap.h"
#include "mdb.h"
#include "mem.h"
#include "time.h"
#include "elf.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/srat.h"
#include "arch/x86_64/cpu_check.h"
#include <kide/syscall.h>
#include <kide/status.h>

#define ROOT_PRIO 64

static void must(int rc, const char *what)
{
    if (rc != KIDE_OK)
        panic("root: %s failed (status %d)", what, rc);
}

/* Map [start, end) at virtual == physical in naturally aligned blocks. */
static void give_identity(struct pd *pd, u64 start, u64 end, u8 perms)
{
    u64 p = start >> PAGE_SHIFT, e = end >> PAGE_SHIFT;
    while (p < e) {
        u8 order = 0;
        while (order < 30 && !(p & (1ul << order)) && p + (2ul << order) <= e)
            order++;
        must(space_add(pd, SPACE_MEM, p, order, p, perms, 0, NULL, NULL), "mapping RAM");
        p += 1ul << order;
    }
}

/* Hold [start, end) as device memory: naturally aligned blocks at virtual ==
 * physical, flagged uncacheable and not mapped in the root (RNODE_HELD), so
 * their cost is one range node per block however large the hole. */
static unsigned dev_ranges, dev_nodes;

static void hold_device(struct pd *pd, u64 start, u64 end)
{
    u64 p = start >> PAGE_SHIFT, e = end >> PAGE_SHIFT;
    dev_ranges++;
    while (p < e) {
        dev_nodes++;
        u8 order = 0;
        while (order < 30 && !(p & (1ul << order)) && p + (2ul << order) <= e)
            order++;
        must(space_add(pd, SPACE_MEM, p, order, p, KIDE_MEM_R | KIDE_MEM_W,
                       RNODE_DEVICE | RNODE_HELD, NULL, NULL),
             "holding device memory");
        p += 1ul << order;
    }
}

/* Ranges that are not RAM but never a driver's: the I/O APICs, the
 * interrupt window (HPET, local APIC, MSI addresses) the kernel owns, the
 * firmware's flash below 4 GiB (writable on some machines: QEMU's pflash
 * holds UEFI's variables), and the firmware's memory of the loader's map
 * (ACPI tables and NVS, defective and persistent memory). */
static bool kernel_window(unsigned i, u64 *a, u64 *b)
{
    if (i == 0) {
        *a = 0xfec00000ul;
        *b = 0x100000000ul;
        return true;
    }
    if (i <= boot.ioapic_count) {
        *a = boot.ioapic_phys[i - 1] & ~(PAGE_SIZE - 1);
        *b = *a + PAGE_SIZE;
        return true;
    }
    i -= 1 + boot.ioapic_count;
    if (i >= boot.firm_count)
        return false;
    *a = boot.firm[i].start;
    *b = boot.firm[i].end;
    return true;
}

/* [a, b) minus the kernel's windows from index `from` on. */
static void device_piece(struct pd *pd, u64 a, u64 b, unsigned from)
{
    u64 wa, wb;
    for (unsigned i = from; a < b && kernel_window(i, &wa, &wb); i++) {
        if (wa < b && wb > a) {
            device_piece(pd, a, wa > a ? wa : a, i + 1);
            device_piece(pd, wb < b ? wb : b, b, i + 1);
            return;
        }
    }
    if (a < b)
        hold_device(pd, a, b);
}

/* Device memory: every hole between the loader's RAM ranges, up to what the
 * CPU can address and below 256 GiB (where the root's programs are linked,
 * decision 0004). The RAM list is unsorted: each hole starts where some
 * range (or 0) ends and runs to the nearest range start above. */
static void give_devices(struct pd *pd)
{
    u64 limit = cpu_phys_limit() < DIRECT_MAP_MAX ? cpu_phys_limit() : DIRECT_MAP_MAX;
    for (unsigned i = 0; i <= boot.ram_count; i++) {
        u64 a = i ? boot.ram[i - 1].end : 0, b = limit;
        bool inside = false;
        for (unsigned k = 0; k < i; k++) /* two ranges ending alike: one hole */
            if ((k ? boot.ram[k - 1].end : 0) == a)
                inside = true;
        for (unsigned j = 0; j < boot.ram_count; j++) {
            const struct boot_mem_range *r = &boot.ram[j];
            if (r->start <= a && a < r->end)
                inside = true;
            if (r->start > a && r->start < b)
                b = r->start;
        }
        if (!inside && a < b)
            device_piece(pd, a, b, 0);
    }
    printk("kide: root: device memory: %u range(s) below %lx in %u block(s), uncacheable\n",
           dev_ranges, limit, dev_nodes);
}

static u64 load_elf(struct pd *pd, const struct kide_boot_module *m)
{
    static struct kide_elf_info info;
    enum kide_elf_error e = kide_elf_check(phys_to_virt(m->phys), m->size, KIDE_USER_END, &info);
    if (e != KIDE_ELF_OK)
        panic("root: module 0 ('%s'): %s", m->cmdline, kide_elf_strerror(e));
    const u8 *img = phys_to_virt(m->phys);
    for (unsigned i = 0; i < info.count; i++) {
        const struct kide_elf_segment *sg = &info.seg[i];
        u64 va = sg->vaddr & ~(PAGE_SIZE - 1), end = ALIGN_UP(sg->vaddr + sg->memsz, PAGE_SIZE);
        u64 pages = (end - va) >> PAGE_SHIFT;
        if (space_overlap(pd, SPACE_MEM, va >> PAGE_SHIFT, pages))
            panic("root: segment %u at %lx overlaps the root's RAM; link above 256 GiB", i,
                  sg->vaddr);
        u64 phys = boot_take_pages(pages);
        memcpy((u8 *)phys_to_virt(phys) + (sg->vaddr - va), img + sg->offset, sg->filesz);
        for (u64 k = 0; k < pages; k++)
            must(space_add(pd, SPACE_MEM, (va >> PAGE_SHIFT) + k, 0, (phys >> PAGE_SHIFT) + k,
                           (u8)sg->perm, 0, NULL, NULL),
                 "mapping the root image");
    }
    return info.entry;
}

/* The root's RAM in the boot info, split at NUMA node boundaries so every
 * range lies in one node (srat.c; without an SRAT all is node 0). */
static void add_mem(struct kide_boot_info *bi, u64 start, u64 end)
{
    while (start < end && bi->mem_count < KIDE_BOOT_MAX_MEM) {
        unsigned node = 0;
        u64 piece = srat_piece(&srat, start, end, &node);
        bi->mem[bi->mem_count].phys = start;
        bi->mem[bi->mem_count].size = piece - start;
        bi->mem_node[bi->mem_count++] = (u8)node;
        start = piece;
    }
    if (start < end)
        printk("kide: root: %lu MiB of RAM from %lx not in the boot info (at most %u ranges)\n",
               (end - start) >> 20, start, KIDE_BOOT_MAX_MEM);
}

/* Node of every CPU by the kernel's CPU index, and the boot line that says
 * the topology: "kide: numa: 2 nodes: node 0: CPUs 0, 1024 MiB; ...". */
static void give_topology(struct kide_boot_info *bi)
{
    _Static_assert(KIDE_BOOT_MAX_CPUS >= KIDE_MAX_CPUS, "cpu_node covers every CPU");
    bi->node_count = srat.nodes ? srat.nodes : 1;
    for (unsigned i = 0; i < cpu_count; i++)
        bi->cpu_node[i] = (u8)srat_node_of_cpu(&srat, cpus[i].apic_id);
    if (!srat.nodes) {
        printk("kide: numa: no SRAT, one node\n");
        return;
    }
    printk("kide: numa: %u node%s:", srat.nodes, srat.nodes == 1 ? "" : "s");
    for (unsigned n = 0; n < srat.nodes; n++) {
        u64 mib = 0;
        for (unsigned i = 0; i < srat.mem_count; i++)
            if (srat.mem[i].node == n)
                mib += (srat.mem[i].end - srat.mem[i].start) >> 20;
        printk("%s node %u: CPUs", n ? ";" : "", n);
        unsigned listed = 0;
        for (unsigned i = 0; i < cpu_count; i++)
            if (bi->cpu_node[i] == n)
                printk(listed++ ? ",%u" : " %u", i);
        printk("%s, %lu MiB", listed ? "" : " none", mib);
    }
    printk("\n");
    if (srat.folded || srat.mem_dropped || srat.cpu_dropped || srat.bad)
        printk("kide: numa: SRAT entries folded into node 0 (beyond %u nodes): %u; memory "
               "ranges beyond %u: %u; CPUs beyond %u: %u; too short for their type: %u\n",
               KIDE_BOOT_MAX_NODES, srat.folded, SRAT_MAX_MEM, srat.mem_dropped, SRAT_MAX_CPUS,
               srat.cpu_dropped, srat.bad);
}

void root_create(u64 quota)
{
    struct pd *pd = pd_create_root(quota);
    must(cap_install(pd, KIDE_ROOT_SEL_PD, &pd->obj, KIDE_PERM_ALL), "installing the root PD");

    /* Image and stack pages come out of the root's RAM before the rest is handed over. */
    u64 entry = load_elf(pd, &boot.modules[0]);
    u64 stack_pages = KIDE_ROOT_STACK_SIZE >> PAGE_SHIFT;
    u64 stack = boot_take_pages(stack_pages);
    for (u64 k = 0; k < stack_pages; k++)
        must(space_add(pd, SPACE_MEM,
                       ((KIDE_ROOT_STACK_TOP - KIDE_ROOT_STACK_SIZE) >> PAGE_SHIFT) + k, 0,
                       (stack >> PAGE_SHIFT) + k, KIDE_MEM_R | KIDE_MEM_W, 0, NULL, NULL),
             "mapping the root stack");

    struct kide_boot_info *bi = kpage_alloc(pd);
    if (!bi)
        panic("root: no memory for the boot information");
    must(space_add(pd, SPACE_MEM, KIDE_ROOT_BOOTINFO >> PAGE_SHIFT, 0,
                   virt_to_phys(bi) >> PAGE_SHIFT, KIDE_MEM_R, RNODE_SPECIAL, NULL, NULL),
         "mapping the boot information");

    for (unsigned i = 0; i < boot.free_count; i++) {
        struct boot_mem_range *r = &boot.free[i];
        if (r->end <= r->start)
            continue;
        give_identity(pd, r->start, r->end, KIDE_MEM_R | KIDE_MEM_W | KIDE_MEM_X);
        add_mem(bi, r->start, r->end);
    }
    for (unsigned i = 0; i < boot.modules_count; i++) {
        struct kide_boot_module *m = &boot.modules[i];
        /* Executable too: the root may map a program's text straight from its
         * module into the PDs it starts, so every instance shares one copy. */
        give_identity(pd, m->phys & ~(PAGE_SIZE - 1), ALIGN_UP(m->phys + m->size, PAGE_SIZE),
                      KIDE_MEM_R | KIDE_MEM_W | KIDE_MEM_X);
        bi->modules[i] = *m;
    }
    give_devices(pd);
    must(space_add(pd, SPACE_IO, 0, 16, 0, KIDE_IO_ACCESS, 0, NULL, NULL), "granting I/O ports");

    for (unsigned g = 0; g < KIDE_ROOT_GSIS; g++) {
        int rc;
        struct sm *sm = sm_create(pd, 0, &rc);
        if (!sm)
            panic("root: no memory for interrupt semaphores");
        sm->gsi = (int)g;
        gsi_sm[g] = sm;
        must(cap_install(pd, KIDE_ROOT_SEL_GSI + g, &sm->obj, KIDE_PERM_ALL), "installing GSIs");
    }

    for (unsigned m = 0; m < KIDE_ROOT_MSIS; m++) {
        int rc;
        struct sm *sm = sm_create(pd, 0, &rc);
        if (!sm)
            panic("root: no memory for MSI semaphores");
        sm->msi = (int)m;
        msi_sm[m] = sm;
        must(cap_install(pd, KIDE_ROOT_SEL_MSI + m, &sm->obj, KIDE_PERM_ALL), "installing MSIs");
    }

    int rc;
    struct ec *ec = ec_create(pd, true, 0, KIDE_ROOT_UTCB, KIDE_ROOT_STACK_TOP, entry, 0, &rc);
    if (!ec)
        panic("root: cannot create its EC (status %d)", rc);
    ec->regs.rdi = KIDE_ROOT_BOOTINFO;
    must(cap_install(pd, KIDE_ROOT_SEL_EC, &ec->obj, KIDE_PERM_ALL), "installing the root EC");
    struct sc *sc = sc_create(pd, ec, ROOT_PRIO, false, KIDE_QUANTUM_NS, KIDE_QUANTUM_NS, &rc);
    if (!sc)
        panic("root: cannot create its SC (status %d)", rc);
    must(cap_install(pd, KIDE_ROOT_SEL_SC, &sc->obj, KIDE_PERM_ALL), "installing the root SC");

    bi->magic = KIDE_BOOT_MAGIC;
    bi->cpus = cpu_count;
    bi->tsc_khz = tsc_khz;
    bi->module_count = boot.modules_count;
    bi->kernel_quota = pd->quota_limit;
    bi->ecam_phys = boot.ecam_phys;
    bi->ecam_bus_start = boot.ecam_bus_start;
    bi->ecam_bus_end = boot.ecam_bus_end;
    give_topology(bi);
}
