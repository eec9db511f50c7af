/* SPDX-License-Identifier: MIT */
/* What the boot sequence learned from the loader, kept for the root task. */
#ifndef KIDE_BOOTINFO_H
#define KIDE_BOOTINFO_H

#include "types.h"
#include <kide/boot.h>
#include "arch/x86_64/paging.h"

#define MAX_RANGES   64
#define MB_FIRM_KEPT 32 /* == MB_MAX_FIRM (checked in main.c) */

struct boot_state {
    struct kide_boot_module modules[KIDE_BOOT_MAX_MODULES];
    unsigned modules_count;
    struct boot_mem_range ram[MAX_RANGES]; /**< usable RAM from the loader */
    unsigned ram_count;
    struct boot_mem_range free[MAX_RANGES]; /**< RAM left for the root */
    unsigned free_count;
    u8 rsdp[36];       /**< the ACPI RSDP the loader copied (Multiboot 2), zero-padded */
    unsigned rsdp_len; /**< 0 (none: scan the BIOS area), 20 (ACPI 1.0) or 36 (2.0+) */
    u64 ecam_phys;     /**< PCI ECAM of segment 0 from the MCFG, or 0 (acpi.c) */
    u8 ecam_bus_start, ecam_bus_end;
    u64 ioapic_phys[4]; /**< I/O APIC registers: never device memory of the root */
    struct boot_mem_range firm[MB_FIRM_KEPT]; /**< the firmware's memory (ACPI, NVS, ...),
                                                   page-rounded outwards: never device memory */
    unsigned firm_count;
    unsigned ioapic_count;
};

extern struct boot_state boot;

/** Take `pages` contiguous pages from the end of the largest free range. */
u64 boot_take_pages(u64 pages);
/** Create the root PD from module 0 and make it runnable on CPU 0. */
void root_create(u64 quota);
/** Start the application processors. */
void smp_boot(void);

#endif
