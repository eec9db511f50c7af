/* SPDX-License-Identifier: MIT */
/* Kernel boot: from the Multiboot hand-off to the first scheduling decision.
 *
 * Order matters: the console first (so failures can be reported), then the
 * loader's information is copied out of memory we are about to reuse, the
 * direct map is built, the CPU and interrupt controllers are set up, the
 * kernel pool is carved from RAM, the other CPUs are started, and finally the
 * root PD is created from the first boot module.
 */
#include "kernel.h"
#include "boot.h"
#include "mem.h"
#include "time.h"
#include "lock.h"
#include "sched.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/paging.h"

struct boot_state boot;
extern char _kernel_end[], boot_stack_top[];

struct mb_info {
    u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    u32 syms[4];
    u32 mmap_length, mmap_addr;
} __attribute__((packed));

struct mb_module {
    u32 start, end, string, reserved;
} __attribute__((packed));

/* The loader's structures lie in the first GiB, mapped at KERNEL_VBASE during boot. */
static const void *low(u64 phys, u64 len)
{
    if (phys + len < phys || phys + len > (1ul << 30))
        panic("boot: loader data at %lx (+%lu) is outside the first GiB", phys, len);
    return (const void *)(phys + KERNEL_VBASE);
}

static u64 read_multiboot(u32 mbi_phys)
{
    const struct mb_info *mb = low(mbi_phys, sizeof(*mb));
    u64 end = (u64)_kernel_end - KERNEL_VBASE;
    if (mbi_phys + sizeof(*mb) > end)
        end = mbi_phys + sizeof(*mb);
    if (!(mb->flags & (1u << 6)))
        panic("boot: the loader gave no memory map");
    const u8 *p = low(mb->mmap_addr, mb->mmap_length);
    for (u32 off = 0; off + 24 <= mb->mmap_length;) {
        u32 size = *(const u32 *)(p + off);
        u64 addr = *(const u64 *)(p + off + 4), len = *(const u64 *)(p + off + 12);
        u32 type = *(const u32 *)(p + off + 20);
        if (type == 1 && len && boot.ram_count < MAX_RANGES) {
            boot.ram[boot.ram_count].start = ALIGN_UP(addr, PAGE_SIZE);
            boot.ram[boot.ram_count].end = (addr + len) & ~(PAGE_SIZE - 1);
            if (boot.ram[boot.ram_count].end > boot.ram[boot.ram_count].start)
                boot.ram_count++;
        }
        off += size + 4;
    }
    if (mb->flags & (1u << 3)) {
        const struct mb_module *m = low(mb->mods_addr, mb->mods_count * sizeof(*m));
        for (u32 i = 0; i < mb->mods_count && i < KIDE_BOOT_MAX_MODULES; i++) {
            if (m[i].end < m[i].start)
                panic("boot: module %u has a negative size", i);
            struct kide_boot_module *bm = &boot.modules[boot.modules_count++];
            bm->phys = m[i].start;
            bm->size = m[i].end - m[i].start;
            const char *s = m[i].string ? low(m[i].string, 1) : "";
            unsigned n = 0;
            while (s[n] && n < sizeof(bm->cmdline) - 1 && m[i].string + n < (1u << 30))
                bm->cmdline[n] = s[n], n++;
            if (ALIGN_UP(m[i].end, PAGE_SIZE) > end)
                end = ALIGN_UP(m[i].end, PAGE_SIZE);
            if (m[i].string + 256 > end)
                end = m[i].string + 256;
        }
    }
    if (mb->mmap_addr + mb->mmap_length > end)
        end = mb->mmap_addr + mb->mmap_length;
    return end;
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
        panic("boot: not enough RAM for %lu pages", pages);
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
        pool_add(best->end - take, best->end);
        best->end -= take;
        want -= take;
    }
    if (pool_pages() < 512)
        panic("boot: RAM too small for the kernel pool");
}

noreturn void kernel_main(u32 magic, u32 mbi)
{
    console_init();
    printk("kide: booting\n");
    if (magic != 0x2badb002)
        panic("boot: not started by a Multiboot loader (magic %x)", magic);
    u64 first_free = read_multiboot(mbi);
    if (boot.modules_count == 0)
        panic("boot: no boot modules; the first module must be the root task");
    mem_early_init(first_free);
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
    smp_prepare(&acpi);

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
