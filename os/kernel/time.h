/* SPDX-License-Identifier: MIT */
/* Time: the TSC as the clock, calibrated once against the PIT at boot.
 * Conversions use 32.32 fixed-point factors so no 128-bit division is needed. */
#ifndef KIDE_TIME_H
#define KIDE_TIME_H

#include "types.h"
#include "arch/x86_64/cpu.h"

extern u64 tsc_khz, tsc_boot, ns_per_tick_fp, ticks_per_ns_fp;

static inline u64 tsc_to_ns(u64 t)
{
    return (u64)(((unsigned __int128)t * ns_per_tick_fp) >> 32);
}
static inline u64 ns_to_tsc(u64 ns)
{
    return (u64)(((unsigned __int128)ns * ticks_per_ns_fp) >> 32);
}
static inline u64 now_tsc(void)
{
    return rdtsc();
}
static inline u64 now_ns(void)
{
    return tsc_to_ns(rdtsc() - tsc_boot);
}

/** Calibrate the TSC and the local APIC timer against the PIT (boot CPU). */
void time_init(void);
/** Busy-wait (boot only). */
void udelay(u64 us);

#endif
