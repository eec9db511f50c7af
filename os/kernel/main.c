/* SPDX-License-Identifier: MIT */
/* Kernel boot: from the Multiboot (1 or 2) hand-off to the first scheduling decision.
 *
 * Order matters: the console first (so failures can be reported), then the
 * loader's information is copied out of memory we are about to reuse, the
 * direct map is built, the CPU and interrupt controllers are set up, the
 * kernel pool is carved from RAM, the other CPUs are started, and finally the
 * root PD is created from the first boot module.
 */
#include "kernel.h"
#include "boot.h"
#include "multiboot.h"
#include "mem.h"
#include "time.h"
#include "lock.h"
#include "sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/apic.h"
#include <kide/limits.h>
#include "arch/x86_64/acpi.h"
#include "dma.h"
#include "arch/x86_64/paging.h"

struct boot_state boot;
extern char _kernel_end[], boot_stack_top[];

/* The loader's structures lie in the first GiB, mapped at KERNEL_VBASE during
 * boot; anything else is refused (the reader then says what lies outside). */
static const void *low(u64 phys, u64 len, void *ctx)
{
    (void)ctx;
    if (phys + len < phys || phys + len > (1ul << 30))
        return NULL;
    return (const void *)(phys + KERNEL_VBASE);
}

/* Read the loader's information (Multiboot 1 or 2, told apart by the magic in
 * EAX) and copy what the kernel keeps into `boot`, one path for both: usable
 * RAM page-rounded, modules with their strings, the RSDP. Returns the first
 * byte after the kernel, the modules and the loader's structures: early
 * allocations start there. */
static u64 read_multiboot(u32 magic, u32 mbi_phys)
{
    static struct mb_boot mb; /* about 4.5 KiB: kept off the boot stack */
    const char *why;
    if (magic == MB1_BOOT_MAGIC)
        why = mb1_read(mbi_phys, low, NULL, &mb);
    else if (magic == MB2_BOOT_MAGIC)
        why = mb2_read(mbi_phys, low, NULL, &mb);
    else
        panic("boot: not started by a Multiboot loader (EAX %x, expected %x or %x)", magic,
              MB1_BOOT_MAGIC, MB2_BOOT_MAGIC);
    if (why)
        panic("boot: malformed Multiboot %d info at %x: %s (hint: boot with QEMU -kernel or "
              "GRUB's multiboot2, see docs/kernel.md)",
              mb.version, mbi_phys, why);
    u64 mods_end = 0;
    for (unsigned i = 0; i < mb.mods_count; i++)
        mods_end = mb.mods[i].end > mods_end ? mb.mods[i].end : mods_end;
    printk("kide: Multiboot %d: %u RAM range(s), %u module(s) below %lx, info below %lx, %s\n",
           mb.version, mb.ram_count, mb.mods_count, mods_end, mb.info_end,
           mb.rsdp_len == 36   ? "ACPI 2.0 RSDP"
           : mb.rsdp_len == 20 ? "ACPI 1.0 RSDP"
                               : "no RSDP from the loader");
    if (mb.ram_dropped || mb.mods_dropped)
        printk("kide: %u RAM range(s) and %u module(s) beyond the first %u and %u ignored\n",
               mb.ram_dropped, mb.mods_dropped, MB_MAX_RANGES, MB_MAX_MODULES);
    _Static_assert(MB_MAX_RANGES <= MAX_RANGES && MB_MAX_MODULES <= KIDE_BOOT_MAX_MODULES,
                   "what the reader keeps fits the boot state");
    u64 end = (u64)_kernel_end - KERNEL_VBASE;
    if (mb.info_end > end)
        end = mb.info_end;
    for (unsigned i = 0; i < mb.ram_count && boot.ram_count < MAX_RANGES; i++) {
        struct boot_mem_range *r = &boot.ram[boot.ram_count];
        r->start = ALIGN_UP(mb.ram[i].addr, PAGE_SIZE);
        r->end = (mb.ram[i].addr + mb.ram[i].len) & ~(PAGE_SIZE - 1);
        if (r->end > r->start)
            boot.ram_count++;
    }
    for (unsigned i = 0; i < mb.mods_count && i < KIDE_BOOT_MAX_MODULES; i++) {
        struct kide_boot_module *bm = &boot.modules[boot.modules_count++];
        bm->phys = mb.mods[i].start;
        bm->size = mb.mods[i].end - mb.mods[i].start;
        _Static_assert(sizeof(bm->cmdline) >= MB_CMDLINE, "module strings fit");
        memcpy(bm->cmdline, mb.mods[i].cmdline, MB_CMDLINE);
        if (ALIGN_UP(mb.mods[i].end, PAGE_SIZE) > end)
            end = ALIGN_UP(mb.mods[i].end, PAGE_SIZE);
    }
    _Static_assert(MB_MAX_FIRM == MB_FIRM_KEPT, "the firmware ranges fit");
    for (unsigned i = 0; i < mb.firm_count; i++) {
        boot.firm[i].start = mb.firm[i].addr & ~(PAGE_SIZE - 1);
        boot.firm[i].end = mb.firm[i].addr + mb.firm[i].len > ~0ul - PAGE_SIZE
                                   ? ~0ul & ~(PAGE_SIZE - 1)
                                   : ALIGN_UP(mb.firm[i].addr + mb.firm[i].len, PAGE_SIZE);
    }
    boot.firm_count = mb.firm_count;
    if (mb.firm_dropped)
        printk("kide: %u firmware memory range(s) beyond the first %u are device memory of the "
               "root\n",
               mb.firm_dropped, MB_MAX_FIRM);
    _Static_assert(sizeof(boot.rsdp) == MB_RSDP_MAX, "the RSDP copy fits");
    memcpy(boot.rsdp, mb.rsdp, MB_RSDP_MAX);
    boot.rsdp_len = mb.rsdp_len;
    return end;
}

/* GRUB under UEFI places modules wherever EFI has free memory, also below
 * 1 MiB, which is the kernel's: the APs' trampoline goes to AP_TRAMPOLINE
 * and the root gets no RAM there. Such a module is copied to early-allocated
 * pages above the kernel and the other modules (contiguous: the early
 * allocator bumps one page at a time). Bounded: less than 1 MiB is copied. */
static void modules_above_1mib(void)
{
    for (unsigned i = 0; i < boot.modules_count; i++) {
        struct kide_boot_module *m = &boot.modules[i];
        if (m->phys >= (1ul << 20))
            continue;
        u64 pages = m->size ? ALIGN_UP(m->size, PAGE_SIZE) / PAGE_SIZE : 1;
        u64 to = early_alloc_page();
        for (u64 p = 1; p < pages; p++)
            if (early_alloc_page() != to + p * PAGE_SIZE)
                panic("boot: early pages for module %u are not contiguous", i);
        memcpy((void *)(to + KERNEL_VBASE), (const void *)(m->phys + KERNEL_VBASE), m->size);
        printk("kide: module %u (%s) moved from %lx to %lx: below 1 MiB is the kernel's\n", i,
               m->cmdline, m->phys, to);
        m->phys = to;
    }
}

/* RAM at or above DIRECT_MAP_MAX is neither in the direct map nor given to
 * the root (whose identity-mapped RAM must stay below the programs it
 * links at 256 GiB): drop it from the loader's ranges, and say so. */
static void clip_ram(void)
{
    u64 dropped = 0;
    unsigned n = 0;
    for (unsigned i = 0; i < boot.ram_count; i++) {
        struct boot_mem_range r = boot.ram[i];
        if (r.end > DIRECT_MAP_MAX) {
            u64 from = r.start > DIRECT_MAP_MAX ? r.start : DIRECT_MAP_MAX;
            dropped += r.end - from;
            r.end = from;
        }
        if (r.end > r.start)
            boot.ram[n++] = r;
    }
    boot.ram_count = n;
    if (dropped)
        printk("kide: %lu MiB of RAM above %lu GiB not used (the kernel maps RAM below %lu GiB)\n",
               dropped >> 20, DIRECT_MAP_MAX >> 30, DIRECT_MAP_MAX >> 30);
}

/* Remove [a, b) from the free list. */
static void reserve(u64 a, u64 b)
{
    for (unsigned i = 0; i < boot.free_count; i++) {
        struct boot_mem_range *r = &boot.free[i];
        if (b <= r->start || a >= r->end)
            continue;
        if (a > r->start && b < r->end && boot.free_count < MAX_RANGES) {
            boot.free[boot.free_count].start = b;
            boot.free[boot.free_count].end = r->end;
            boot.free_count++;
            r->end = a;
        } else if (a <= r->start) {
            r->start = b < r->end ? b : r->end;
        } else {
            r->end = a;
        }
    }
}

u64 boot_take_pages(u64 pages)
{
    struct boot_mem_range *best = NULL;
    for (unsigned i = 0; i < boot.free_count; i++)
        if (!best || boot.free[i].end - boot.free[i].start > best->end - best->start)
            best = &boot.free[i];
    u64 bytes = pages * PAGE_SIZE;
    if (!best || best->end - best->start < bytes)
        panic("boot: RAM too small: no room for %lu more pages (Kide needs at least %llu MiB)",
              pages, KIDE_MACHINE_RAM_MIN >> 20);
    best->end -= bytes;
    memset(phys_to_virt(best->end), 0, bytes);
    return best->end;
}

static void pool_init(void)
{
    u64 ram = 0;
    for (unsigned i = 0; i < boot.free_count; i++)
        ram += boot.free[i].end - boot.free[i].start;
    u64 want = ram / 8;
    if (want < (8ul << 20))
        want = 8ul << 20;
    if (want > (256ul << 20))
        want = 256ul << 20;
    /* Take the pool in pieces from the largest ranges until it is big enough. */
    while (want >= PAGE_SIZE) {
        struct boot_mem_range *best = NULL;
        for (unsigned i = 0; i < boot.free_count; i++)
            if (!best || boot.free[i].end - boot.free[i].start > best->end - best->start)
                best = &boot.free[i];
        if (!best || best->end - best->start < (1ul << 20))
            break;
        u64 take = best->end - best->start - (1ul << 20);
        if (take > want)
            take = want;
        take &= ~(PAGE_SIZE - 1);
        if (!take)
            break; /* the largest range is down to 1 MiB: without this, a loop for ever
                      (a machine of 8 MiB hung here, silently) */
        pool_add(best->end - take, best->end);
        best->end -= take;
        want -= take;
    }
    if (pool_pages() < 512)
        panic("boot: RAM too small for the kernel pool (Kide needs at least %llu MiB)",
              KIDE_MACHINE_RAM_MIN >> 20);
}

noreturn void kernel_main(u32 magic, u32 mbi)
{
    console_init();
    printk("kide: booting\n");
    u64 first_free = read_multiboot(magic, mbi);
    if (boot.modules_count == 0)
        panic("boot: no boot modules; the first module must be the root task");
    mem_early_init(first_free);
    modules_above_1mib();
    clip_ram();

    idt_init();
    paging_init(boot.ram, boot.ram_count);
    struct cpu *c = &cpus[0];
    c->id = 0;
    c->kstack_top = (u64)boot_stack_top;
    cpu_setup(c);
    pic_disable();
    lapic_init();
    c->apic_id = lapic_id();
    time_init();

    struct acpi_info acpi = {0};
    acpi_init(&acpi);
    ioapic_init(acpi.ioapic, acpi.ioapics);
    for (unsigned i = 0; i < acpi.ioapics && i < ARRAY_SIZE(boot.ioapic_phys); i++)
        boot.ioapic_phys[boot.ioapic_count++] = acpi.ioapic[i].phys;
    smp_prepare(&acpi);
    dma_init(); /* before the pool: the root tables are early pages */

    /* What is left of RAM above 1 MiB, minus the kernel and the modules. */
    for (unsigned i = 0; i < boot.ram_count; i++)
        boot.free[boot.free_count++] = boot.ram[i];
    reserve(0, 1ul << 20);
    extern u64 early_alloc_end(void);
    reserve(KERNEL_PHYS, early_alloc_end());
    for (unsigned i = 0; i < boot.modules_count; i++)
        reserve(boot.modules[i].phys & ~(PAGE_SIZE - 1),
                ALIGN_UP(boot.modules[i].phys + boot.modules[i].size, PAGE_SIZE));
    pool_init();

    printk("kide: %lu MHz TSC, %u CPU(s) listed, %s mode, %lu KiB kernel pool, %u module(s)\n",
           tsc_khz / 1000, acpi.cpus_listed ? acpi.cpus_listed : 1, lapic_x2 ? "x2APIC" : "xAPIC",
           pool_pages() * 4, boot.modules_count);
    bkl_lock();
    smp_boot();
    sched_init_cpu(c);
    root_create(pool_free_pages());
    c->online = true;
    schedule();
}
