/* SPDX-License-Identifier: MIT */
/* ACPI table discovery: what the kernel needs from the MADT. */
#ifndef KIDE_ARCH_ACPI_H
#define KIDE_ARCH_ACPI_H

#include "types.h"
#include "apic.h"
#include "srat.h"
#include "dmar.h"
#include <kide/syscall.h>

#define ACPI_MAX_IOAPICS 4

/** What the MADT says; zero-initialise before acpi_init. */
struct acpi_info {
    unsigned cpus;               /**< enabled CPUs recorded in apic_ids (0: no MADT) */
    unsigned cpus_listed;        /**< enabled CPUs the MADT lists (more than cpus
                                      when above KIDE_MAX_CPUS) */
    u32 apic_ids[KIDE_MAX_CPUS]; /**< their (x2)APIC ids, in MADT order */
    unsigned ioapics;            /**< I/O APICs recorded in ioapic */
    struct ioapic_info ioapic[ACPI_MAX_IOAPICS]; /**< their MMIO base and first GSI */
};

/** The DMA remapping units (filled by acpi_init; zero without a DMAR). */
extern struct dmar_info dmar;

void acpi_init(struct acpi_info *info);

#endif
