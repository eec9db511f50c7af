/* SPDX-License-Identifier: MIT */
/* Local and I/O APIC drivers (xAPIC, memory mapped through the direct map). */
#include "apic.h"
#include "cpu.h"
#include "../../kernel.h"
#include "../../mem.h"

#define LAPIC_PHYS 0xfee00000ul
#define L_ID     0x20
#define L_EOI    0xb0
#define L_SVR    0xf0
#define L_ICR_LO 0x300
#define L_ICR_HI 0x310
#define L_TIMER  0x320
#define L_LINT0  0x350
#define L_LINT1  0x360
#define L_TICR   0x380
#define L_TCCR   0x390
#define L_TDCR   0x3e0
#define L_TPR    0x80

u64 lapic_khz;
u32 isa_gsi[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
u16 isa_flags[16];

static volatile u32 *lapic(u32 reg) { return (volatile u32 *)phys_to_virt(LAPIC_PHYS + reg); }

/* The legacy 8259 PICs would deliver the PIT on vector 8 (the double-fault
 * vector): move them to 0x20-0x2f and mask every line. */
void pic_disable(void)
{
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x20);
    outb(0xa1, 0x28);
    outb(0x21, 4);
    outb(0xa1, 2);
    outb(0x21, 1);
    outb(0xa1, 1);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

void lapic_init(void)
{
    wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1ul << 11));
    *lapic(L_SVR) = 0x100 | VEC_SPURIOUS;
    *lapic(L_TPR) = 0;
    *lapic(L_TDCR) = 0x3; /* divide by 16 */
    *lapic(L_TIMER) = VEC_TIMER | (1u << 16); /* one-shot, masked until armed */
}

u32 lapic_id(void) { return *lapic(L_ID) >> 24; }
void lapic_eoi(void) { *lapic(L_EOI) = 0; }

void lapic_timer(u32 ticks)
{
    *lapic(L_TIMER) = VEC_TIMER | (ticks ? 0 : (1u << 16));
    *lapic(L_TICR) = ticks;
}

static void icr_wait(void)
{
    for (unsigned i = 0; i < 1000000 && (*lapic(L_ICR_LO) & (1u << 12)); i++)
        cpu_pause();
}

void lapic_ipi(u32 apic_id, u8 vector)
{
    icr_wait();
    *lapic(L_ICR_HI) = apic_id << 24;
    *lapic(L_ICR_LO) = vector | (1u << 14); /* fixed, assert */
}

void lapic_init_sipi(u32 apic_id, u8 page)
{
    extern void udelay(u64);
    icr_wait();
    *lapic(L_ICR_HI) = apic_id << 24;
    *lapic(L_ICR_LO) = 0x4500; /* INIT, assert */
    udelay(10000);
    for (int i = 0; i < 2; i++) {
        icr_wait();
        *lapic(L_ICR_HI) = apic_id << 24;
        *lapic(L_ICR_LO) = 0x4600 | page; /* STARTUP */
        udelay(200);
    }
}

void lapic_calibrate_start(void)
{
    *lapic(L_TIMER) = VEC_TIMER | (1u << 16);
    *lapic(L_TICR) = 0xffffffff;
}

u32 lapic_calibrate_stop(void)
{
    u32 left = *lapic(L_TCCR);
    *lapic(L_TICR) = 0;
    return 0xffffffff - left;
}

/* --- I/O APIC ------------------------------------------------------------ */

#define MAX_IOAPICS 4
static struct ioapic_info ioapics[MAX_IOAPICS];
static unsigned ioapic_count;

static struct ioapic_info *ioapic_for(unsigned gsi, unsigned *pin)
{
    for (unsigned i = 0; i < ioapic_count; i++) {
        volatile u32 *r = phys_to_virt(ioapics[i].phys);
        r[0] = 1;
        unsigned pins = ((r[4] >> 16) & 0xff) + 1;
        if (gsi >= ioapics[i].gsi_base && gsi < ioapics[i].gsi_base + pins) {
            *pin = gsi - ioapics[i].gsi_base;
            return &ioapics[i];
        }
    }
    return NULL;
}

static void io_write(struct ioapic_info *io, u32 reg, u32 v)
{
    volatile u32 *r = phys_to_virt(io->phys);
    r[0] = reg;
    r[4] = v;
}

static u32 io_read(struct ioapic_info *io, u32 reg)
{
    volatile u32 *r = phys_to_virt(io->phys);
    r[0] = reg;
    return r[4];
}

void ioapic_init(const struct ioapic_info *io, unsigned n)
{
    for (unsigned i = 0; i < n && i < MAX_IOAPICS; i++)
        ioapics[ioapic_count++] = io[i];
    for (unsigned gsi = 0; gsi < 24; gsi++)
        ioapic_mask(gsi, true);
}

void ioapic_route(unsigned gsi, u32 apic_id, bool level, bool low)
{
    unsigned pin;
    struct ioapic_info *io = ioapic_for(gsi, &pin);
    if (!io)
        return;
    io_write(io, 0x11 + 2 * pin, apic_id << 24);
    io_write(io, 0x10 + 2 * pin, (VEC_GSI_BASE + gsi) | (low ? 1u << 13 : 0) | (level ? 1u << 15 : 0));
}

void ioapic_mask(unsigned gsi, bool masked)
{
    unsigned pin;
    struct ioapic_info *io = ioapic_for(gsi, &pin);
    if (!io)
        return;
    u32 v = io_read(io, 0x10 + 2 * pin);
    io_write(io, 0x10 + 2 * pin, masked ? (v | (1u << 16)) : (v & ~(1u << 16)));
}
