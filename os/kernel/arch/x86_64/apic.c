/* SPDX-License-Identifier: MIT */
/* Local and I/O APIC drivers.
 *
 * The local APIC runs in one of two modes, chosen once on the boot CPU and
 * followed by every AP: x2APIC (registers are MSRs 0x800 + offset / 16, a
 * 32-bit APIC id, a 64-bit ICR without a delivery-status bit) when CPUID
 * 1:ECX bit 21 says the CPU has it, and xAPIC (registers memory mapped at the
 * base IA32_APIC_BASE names, reached through the direct map, an 8-bit id)
 * otherwise. Invariant: lapic_x2 never changes after the boot CPU's
 * lapic_init, so every CPU uses the same mode and APIC ids above 254 are
 * only ever targeted in x2APIC mode (smp.c leaves such CPUs out otherwise).
 */
#include "apic.h"
#include "cpu.h"
#include "cpu_check.h"
#include "../../kernel.h"
#include "../../mem.h"

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

#define APIC_BASE_EXTD (1ul << 10) /* x2APIC mode */
#define APIC_BASE_EN   (1ul << 11)
#define APIC_BASE_ADDR 0x000ffffffffff000ul
#define X2APIC_MSR     0x800 /* MSR of register offset r: X2APIC_MSR + r / 16 */

u64 lapic_khz;
bool lapic_x2;
u32 isa_gsi[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
u16 isa_flags[16];
static u64 lapic_phys = 0xfee00000ul; /* xAPIC: from IA32_APIC_BASE */

static u32 lapic_read(u32 reg)
{
    if (lapic_x2)
        return (u32)rdmsr(X2APIC_MSR + reg / 16);
    return *(volatile u32 *)phys_to_virt(lapic_phys + reg);
}

static void lapic_write(u32 reg, u32 v)
{
    if (lapic_x2)
        wrmsr(X2APIC_MSR + reg / 16, v);
    else
        *(volatile u32 *)phys_to_virt(lapic_phys + reg) = v;
}

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

/* The boot CPU picks the mode; the firmware may have left either one on.
 * Going from x2APIC back to xAPIC needs a disable in between (SDM 10.12.5),
 * which never happens here: a CPU that has x2APIC always uses it. */
static void pick_mode(void)
{
    u64 base = rdmsr(MSR_APIC_BASE);
    lapic_x2 = cpu_features.x2apic || (base & APIC_BASE_EXTD);
    lapic_phys = base & APIC_BASE_ADDR;
    if (!lapic_x2 && lapic_phys >= (4ul << 30))
        panic("apic: the local APIC is at %lx, above 4 GiB, and the CPU has no x2APIC; "
              "Kide maps APIC registers below 4 GiB only",
              lapic_phys);
}

void lapic_init(void)
{
    static bool picked;
    if (!picked) {
        pick_mode();
        picked = true;
    }
    u64 base = rdmsr(MSR_APIC_BASE) | APIC_BASE_EN;
    wrmsr(MSR_APIC_BASE, base);
    if (lapic_x2)
        wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD); /* EN first, then EXTD */
    lapic_write(L_SVR, 0x100 | VEC_SPURIOUS);
    lapic_write(L_TPR, 0);
    lapic_write(L_TDCR, 0x3);                     /* divide by 16 */
    lapic_write(L_TIMER, VEC_TIMER | (1u << 16)); /* one-shot, masked until armed */
}

u32 lapic_id(void)
{
    return lapic_x2 ? lapic_read(L_ID) : lapic_read(L_ID) >> 24;
}
void lapic_eoi(void)
{
    lapic_write(L_EOI, 0);
}

void lapic_timer(u32 ticks)
{
    lapic_write(L_TIMER, VEC_TIMER | (ticks ? 0 : (1u << 16)));
    lapic_write(L_TICR, ticks);
}

/* Send one IPI. xAPIC: wait until the previous one left (delivery status),
 * then the destination (bits 24-31 of ICR_HI) before the low half, whose
 * write sends. x2APIC: one 64-bit MSR write, destination in bits 32-63, no
 * delivery status to wait for. */
static void icr_send(u32 apic_id, u32 lo)
{
    if (lapic_x2) {
        wrmsr(X2APIC_MSR + L_ICR_LO / 16, ((u64)apic_id << 32) | lo);
        return;
    }
    for (unsigned i = 0; i < 1000000 && (lapic_read(L_ICR_LO) & (1u << 12)); i++)
        cpu_pause();
    lapic_write(L_ICR_HI, apic_id << 24);
    lapic_write(L_ICR_LO, lo);
}

void lapic_ipi(u32 apic_id, u8 vector)
{
    icr_send(apic_id, vector | (1u << 14)); /* fixed, assert */
}

void lapic_init_only(u32 apic_id)
{
    icr_send(apic_id, 0x4500); /* INIT, assert: the CPU waits for a SIPI */
}

void lapic_init_sipi(u32 apic_id, u8 page)
{
    extern void udelay(u64);
    icr_send(apic_id, 0x4500); /* INIT, assert */
    udelay(10000);
    for (int i = 0; i < 2; i++) {
        icr_send(apic_id, 0x4600 | page); /* STARTUP */
        udelay(200);
    }
}

void lapic_calibrate_start(void)
{
    lapic_write(L_TIMER, VEC_TIMER | (1u << 16));
    lapic_write(L_TICR, 0xffffffff);
}

u32 lapic_calibrate_stop(void)
{
    u32 left = lapic_read(L_TCCR);
    lapic_write(L_TICR, 0);
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

/* Every pin of every I/O APIC starts masked (not only the first 24 GSIs:
 * server machines have more than one I/O APIC). */
void ioapic_init(const struct ioapic_info *io, unsigned n)
{
    for (unsigned i = 0; i < n && i < MAX_IOAPICS; i++) {
        ioapics[ioapic_count] = io[i];
        struct ioapic_info *a = &ioapics[ioapic_count++];
        unsigned pins = ((io_read(a, 1) >> 16) & 0xff) + 1;
        for (unsigned pin = 0; pin < pins; pin++)
            io_write(a, 0x10 + 2 * pin, 1u << 16);
    }
}

bool ioapic_route(unsigned gsi, u32 apic_id, bool level, bool low)
{
    unsigned pin;
    struct ioapic_info *io = ioapic_for(gsi, &pin);
    /* The redirection entry holds an 8-bit physical destination; a CPU with
     * a larger x2APIC id is reachable only through interrupt remapping,
     * which Kide does not set up. */
    if (!io || apic_id > 0xff)
        return false;
    io_write(io, 0x11 + 2 * pin, apic_id << 24);
    io_write(io, 0x10 + 2 * pin,
             (VEC_GSI_BASE + gsi) | (low ? 1u << 13 : 0) | (level ? 1u << 15 : 0));
    return true;
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
