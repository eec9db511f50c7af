/* SPDX-License-Identifier: MIT */
/* Starting the application processors.
 *
 * APs are started one at a time with INIT-SIPI-SIPI into the real-mode
 * trampoline at AP_TRAMPOLINE, which enters long mode on the kernel's page
 * table (its identity map of the first GiB covers the trampoline) and jumps
 * to ap_main with the stack prepared here. An AP that does not report within
 * a second is left out and said so. The trampoline's parameters are shared:
 * invariant: only one AP is between its SIPI and ap_main's cpu_setup at a
 * time: the next one is started only once this one is online, or given up
 * on and sent INIT, which stops it wherever it was (a late AP would
 * otherwise run on the stack the next one gets).
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

extern char ap_trampoline[], ap_trampoline_end[], ap_tramp_cr3[], ap_tramp_stack[],
        ap_tramp_entry[];
static struct cpu *volatile ap_booting;
static u32 ap_ids[KIDE_MAX_CPUS];
static unsigned ap_total;

/* Pick the APs to start: the CPUs the MADT lists, in its order, without
 * the boot CPU, at most KIDE_MAX_CPUS in all. A CPU whose APIC id does not
 * fit the xAPIC (above 254, listed by a type 9 entry) is left out when the
 * local APICs run in xAPIC mode. Each omission is said once, at boot. */
void smp_prepare(const struct acpi_info *acpi)
{
    u32 self = cpus[0].apic_id;
    unsigned no_x2 = 0;
    for (unsigned i = 0; i < acpi->cpus; i++) {
        u32 id = acpi->apic_ids[i];
        if (id == self || ap_total >= KIDE_MAX_CPUS - 1)
            continue;
        if (!lapic_x2 && id > XAPIC_MAX_ID) {
            if (no_x2++ == 0)
                printk("kide: CPU with APIC id %u needs x2APIC mode, which this CPU lacks; "
                       "continuing without it\n",
                       id);
            continue;
        }
        ap_ids[ap_total++] = id;
    }
    if (no_x2 > 1)
        printk("kide: %u CPUs left out in all for want of x2APIC mode\n", no_x2);
    if (acpi->cpus_listed > KIDE_MAX_CPUS)
        printk("kide: the firmware lists %u CPUs; Kide supports at most %u (KIDE_MAX_CPUS): "
               "using the first %u\n",
               acpi->cpus_listed, KIDE_MAX_CPUS, ap_total + 1);
    /* Kernel stacks come from the early allocator, before the pool is carved. */
    for (unsigned i = 0; i < ap_total; i++) {
        u64 top = 0;
        for (unsigned p = 0; p < KSTACK_SIZE / PAGE_SIZE; p++)
            top = early_alloc_page();
        /* early pages are consecutive: the last one taken is the top page */
        cpus[i + 1].kstack_top = top + PAGE_SIZE + KERNEL_VBASE;
    }
}

static void tramp_set(char *sym, u64 v)
{
    *(u64 *)phys_to_virt(AP_TRAMPOLINE + (sym - ap_trampoline)) = v;
}

void smp_boot(void)
{
    memcpy(phys_to_virt(AP_TRAMPOLINE), ap_trampoline, ap_trampoline_end - ap_trampoline);
    unsigned n = 1;
    for (unsigned i = 0; i < ap_total; i++) {
        struct cpu *c = &cpus[n];
        c->id = n;
        c->apic_id = ap_ids[i];
        tramp_set(ap_tramp_cr3, kernel_pml4_phys);
        tramp_set(ap_tramp_stack, c->kstack_top);
        tramp_set(ap_tramp_entry, (u64)ap_main);
        ap_booting = c;
        lapic_init_sipi(c->apic_id, AP_TRAMPOLINE >> 12);
        u64 until = rdtsc() + tsc_khz * 1000;
        while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE) && rdtsc() < until)
            cpu_pause();
        if (!c->online) {
            lapic_init_only(c->apic_id);
            printk("kide: CPU with APIC id %u did not start; continuing without it\n", c->apic_id);
            continue;
        }
        n++;
    }
    cpu_count = n;
}

noreturn void ap_main(void)
{
    struct cpu *c = ap_booting;
    cpu_setup(c);
    lapic_init();
    sched_init_cpu(c);
    __atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
    bkl_lock();
    schedule();
}
