/* SPDX-License-Identifier: MIT */
/* Local APIC (timer, IPIs; xAPIC or x2APIC mode) and I/O APIC (device interrupts). */
#ifndef KIDE_ARCH_APIC_H
#define KIDE_ARCH_APIC_H

#include "types.h"

#define VEC_GSI_BASE  0x30         /* GSI n arrives on vector 0x30 + n */
#define VEC_MSI_BASE  0x50         /* MSI semaphore n on vector 0x50 + n (KIDE_ROOT_MSIS of them) */
#define MSI_ADDR_BASE 0xfee00000ul /* MSI address window: destination APIC id in bits 12-19 */
#define VEC_TIMER     0xf0
#define VEC_RESCHED   0xf1
#define VEC_FLUSH     0xf2
#define VEC_SPURIOUS  0xff

extern u64 lapic_khz; /* timer ticks per ms at divide-by-16 */
/** The local APICs run in x2APIC mode (MSRs, 32-bit ids); set by the boot
 * CPU's lapic_init, never changed after. */
extern bool lapic_x2;
/** Largest APIC id an xAPIC can be sent an IPI to (0xff is broadcast). */
#define XAPIC_MAX_ID 0xfe

void pic_disable(void);
/** Enable this CPU's local APIC; the first call (boot CPU) picks the mode. */
void lapic_init(void);
/** This CPU's APIC id (32 bits in x2APIC mode, 8 in xAPIC mode). */
u32 lapic_id(void);
void lapic_eoi(void);
/** One-shot timer interrupt after `ticks` APIC timer ticks (0: stop). */
void lapic_timer(u32 ticks);
void lapic_ipi(u32 apic_id, u8 vector);
/** Start a CPU at real-mode address page << 12 (INIT, SIPI, SIPI). */
void lapic_init_sipi(u32 apic_id, u8 page);
/** Send INIT alone: stops a CPU until its next SIPI. */
void lapic_init_only(u32 apic_id);
/** Measure the APIC timer against the PIT window of time_init. */
void lapic_calibrate_start(void);
u32 lapic_calibrate_stop(void);

struct ioapic_info {
    u64 phys;
    u32 gsi_base;
};
void ioapic_init(const struct ioapic_info *io, unsigned n);
/** Route gsi to the CPU with apic_id; false if no I/O APIC has that GSI or
 * the id does not fit the 8-bit destination (x2APIC ids above 255). */
bool ioapic_route(unsigned gsi, u32 apic_id, bool level, bool low);
void ioapic_mask(unsigned gsi, bool masked);
/** GSI an ISA IRQ is wired to (ACPI interrupt source overrides). */
extern u32 isa_gsi[16];
extern u16 isa_flags[16];

#endif
