/* SPDX-License-Identifier: MIT */
/* ACPI table discovery: what the kernel needs from the MADT. */
#ifndef KIDE_ARCH_ACPI_H
#define KIDE_ARCH_ACPI_H

#include "types.h"
#include "apic.h"
#include <kide/syscall.h>

struct acpi_info {
    unsigned cpus;                  /**< enabled local APICs (0: none found) */
    u32 apic_ids[KIDE_MAX_CPUS];
    unsigned ioapics;
    struct ioapic_info ioapic[4];
};

void acpi_init(struct acpi_info *info);

#endif
