/* SPDX-License-Identifier: MIT */
/* The processor features the kernel requires or uses, from CPUID at boot. */
#ifndef KIDE_ARCH_CPU_CHECK_H
#define KIDE_ARCH_CPU_CHECK_H

#include "types.h"

struct cpu_features {
    char vendor[13];          /**< CPUID 0 vendor string */
    char hypervisor_name[13]; /**< CPUID 0x40000000 signature, if any */
    u32 family, model;
    u32 phys_bits; /**< MAXPHYADDR: physical address width */
    u32 virt_bits; /**< linear address width */
    bool nx, smep, x2apic, invariant_tsc, hypervisor;
};

extern struct cpu_features cpu_features;
extern bool cpu_has_nx, cpu_has_smep;

/** Check the boot CPU; panics with the missing feature's name. Turns on
 * EFER.NXE when NX exists, so call it before paging_init. */
void cpu_check_requirements(void);
/** First physical address the CPU cannot reach (2^MAXPHYADDR). */
u64 cpu_phys_limit(void);

#endif
