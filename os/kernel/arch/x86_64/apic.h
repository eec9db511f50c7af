/* SPDX-License-Identifier: MIT */
/* Local APIC (timer, IPIs) and I/O APIC (device interrupts). */
#ifndef KIDE_ARCH_APIC_H
#define KIDE_ARCH_APIC_H

#include "types.h"

#define VEC_GSI_BASE 0x30 /* GSI n arrives on vector 0x30 + n */
#define VEC_TIMER    0xf0
#define VEC_RESCHED  0xf1
#define VEC_FLUSH    0xf2
#define VEC_SPURIOUS 0xff

extern u64 lapic_khz; /* timer ticks per ms at divide-by-16 */

void pic_disable(void);
void lapic_init(void);
u32 lapic_id(void);
void lapic_eoi(void);
/** One-shot timer interrupt after `ticks` APIC timer ticks (0: stop). */
void lapic_timer(u32 ticks);
void lapic_ipi(u32 apic_id, u8 vector);
void lapic_init_sipi(u32 apic_id, u8 page);
/** Measure the APIC timer against the PIT window of time_init. */
void lapic_calibrate_start(void);
u32 lapic_calibrate_stop(void);

struct ioapic_info {
    u64 phys;
    u32 gsi_base;
};
void ioapic_init(const struct ioapic_info *io, unsigned n);
void ioapic_route(unsigned gsi, u32 apic_id, bool level, bool low);
void ioapic_mask(unsigned gsi, bool masked);
/** GSI an ISA IRQ is wired to (ACPI interrupt source overrides). */
extern u32 isa_gsi[16];
extern u16 isa_flags[16];

#endif
