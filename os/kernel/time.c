/* SPDX-License-Identifier: MIT */
/* TSC and APIC-timer calibration against PIT channel 2. */
#include "time.h"
#include "kernel.h"
#include "arch/x86_64/apic.h"

u64 tsc_khz, tsc_boot, ns_per_tick_fp, ticks_per_ns_fp;

void time_init(void)
{
    /* PIT channel 2, mode 0, 10 ms; the gate is bit 0 of port 0x61, OUT2 is bit 5. */
    const u32 count = 11932;
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb0);
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    lapic_calibrate_start();
    u64 t0 = rdtsc();
    for (u64 i = 0; i < (1ul << 32) && !(inb(0x61) & 0x20); i++)
        ;
    u64 t1 = rdtsc();
    u32 lticks = lapic_calibrate_stop();
    tsc_khz = (t1 - t0) / 10;
    if (tsc_khz < 1000)
        panic("TSC calibration failed (%lu kHz)", tsc_khz);
    lapic_khz = lticks / 10;
    if (lapic_khz == 0)
        lapic_khz = 1;
    ns_per_tick_fp = (1000000ul << 32) / tsc_khz;
    ticks_per_ns_fp = (tsc_khz << 32) / 1000000ul;
    tsc_boot = rdtsc();
}

void udelay(u64 us)
{
    u64 end = rdtsc() + us * tsc_khz / 1000;
    while (rdtsc() < end)
        cpu_pause();
}
