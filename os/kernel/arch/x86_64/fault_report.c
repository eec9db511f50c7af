/* SPDX-License-Identifier: MIT */
/* The fault report: everything needed to tell, from one serial log, why an
 * exception happened that nobody expected (a kernel exception, or a fault of
 * the root task or of an EC nobody handles).
 *
 * It prints the saved frame, the control registers and the MSRs the entry
 * path depends on, the per-CPU entry state, the page walk of the faulting
 * address with the reserved bits each entry sets, and the CPUID facts the
 * kernel relies on. It reads only what the CPU and the kernel's own tables
 * hold, never user memory, so it is safe on any path, including panics.
 */
#include "cpu.h"
#include "cpu_check.h"
#include "fault_report.h"
#include "layout.h"
#include "paging.h"
#include "percpu.h"
#include "../../kernel.h"
#include "../../mem.h"

extern void syscall_entry(void);

/* Bits the architecture reserves in an entry at `level` (4 = PML4 .. 1 = PT):
 * address bits at and above MAXPHYADDR (up to bit 51), NX while EFER.NXE is
 * clear, PS in a PML4 entry, and the low address bits of a large page. */
static u64 reserved_bits(u64 e, int level, bool nxe)
{
    u64 addr_mask = (cpu_phys_limit() - 1) & ~0xffful;
    u64 r = e & 0x000ffffffffff000ul & ~addr_mask;
    if (!nxe)
        r |= e & PTE_NX;
    if (level == 4)
        r |= e & PTE_PS;
    if ((level == 3 || level == 2) && (e & PTE_PS)) {
        u64 low = (level == 3 ? (1ul << 30) : (1ul << 21)) - 1;
        r |= e & low & ~0x1ffful; /* bit 12 is PAT in a large page */
    }
    return r;
}

static void walk_report(u64 cr3, u64 va)
{
    static const char *const names[] = {"", "pt", "pd", "pdpt", "pml4"};
    bool nxe = rdmsr(MSR_EFER) & EFER_NXE;
    u64 table = cr3 & PTE_ADDR;
    printk("kide:   walk of %lx from cr3 %lx:\n", va, cr3);
    for (int level = 4; level >= 1; level--) {
        if (table >= cpu_phys_limit() || table >= DIRECT_MAP_MAX) {
            printk("kide:     %s at %lx: outside the direct map, not read\n", names[level], table);
            return;
        }
        unsigned idx = (va >> (12 + 9 * (level - 1))) & 511;
        u64 e = ((const u64 *)phys_to_virt(table))[idx];
        u64 rsvd = reserved_bits(e, level, nxe);
        printk("kide:     %s[%u] = %lx%s%s%s%s%s%s", names[level], idx, e, (e & PTE_P) ? " P" : "",
               (e & PTE_W) ? " W" : "", (e & PTE_U) ? " U" : "",
               (e & PTE_PS) && level > 1 ? " PS" : "", (e & PTE_NX) ? " NX" : "",
               rsvd ? " RESERVED BITS SET:" : "");
        if (rsvd)
            printk(" %lx", rsvd);
        printk("\n");
        if (!(e & PTE_P) || level == 1 || (e & PTE_PS))
            return;
        table = e & PTE_ADDR;
    }
}

static void cpuid_report(void)
{
    const struct cpu_features *f = &cpu_features;
    u32 a, b, c, d;
    printk("kide:   cpuid: %s family %u model %u, maxphyaddr %u, linear %u, nx %u smep %u "
           "x2apic %u, hypervisor %s\n",
           f->vendor, f->family, f->model, f->phys_bits, f->virt_bits, f->nx, f->smep, f->x2apic,
           f->hypervisor ? f->hypervisor_name : "(none)");
    static const u32 leaves[][2] = {{1, 0}, {7, 0}, {0x80000001, 0}, {0x80000008, 0}};
    for (unsigned i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        cpuid(leaves[i][0], leaves[i][1], &a, &b, &c, &d);
        printk("kide:   cpuid %x.%u: eax %x ebx %x ecx %x edx %x\n", leaves[i][0], leaves[i][1], a,
               b, c, d);
    }
}

static const char *pf_bits(u64 error, char *buf)
{
    static const char *const bit_names[] = {"P", "W", "U", "RSVD", "I/D", "PK", "SS"};
    unsigned n = 0;
    for (unsigned i = 0; i < 7; i++) {
        if (!(error & (1ul << i)))
            continue;
        for (const char *s = bit_names[i]; *s;)
            buf[n++] = *s++;
        buf[n++] = ' ';
    }
    buf[n ? n - 1 : 0] = 0;
    return buf;
}

void fault_report(const struct frame *f, u64 cr2, const char *why)
{
    struct cpu *c = this_cpu();
    char bits[32];
    printk("kide: fault report (%s): vector %lu error %lx%s%s%s on CPU %u\n", why, f->vector,
           f->error, f->vector == 14 ? " [" : "", f->vector == 14 ? pf_bits(f->error, bits) : "",
           f->vector == 14 ? "]" : "", c->id);
    printk("kide:   frame: rip %lx cs %lx ss %lx rflags %lx rsp %lx rcx %lx r11 %lx\n", f->rip,
           f->cs, f->ss, f->rflags, f->rsp, f->rcx, f->r11);
    printk("kide:   cr0 %lx cr2 %lx cr3 %lx cr4 %lx efer %lx\n", read_cr0(), cr2, read_cr3(),
           read_cr4(), rdmsr(MSR_EFER));
    printk("kide:   star %lx lstar %lx fmask %lx gs_base %lx kernel_gs_base %lx\n", rdmsr(MSR_STAR),
           rdmsr(MSR_LSTAR), rdmsr(MSR_FMASK), rdmsr(MSR_GS_BASE), rdmsr(MSR_KERNEL_GS));
    printk("kide:   frame_top %lx tss.rsp0 %lx kstack_top %lx\n", c->frame_top, c->tss.rsp0,
           c->kstack_top);
    if (f->vector == 14)
        walk_report(read_cr3(), cr2);
    cpuid_report();
    /* The pattern of issue 9: a #PF whose RIP is LSTAR, taken at CPL 3. No
     * correct CPU produces it: SYSCALL sets CS to the kernel's before the
     * first fetch at LSTAR. Say so, so nobody looks for a kernel bug. */
    if (f->vector == 14 && f->rip == rdmsr(MSR_LSTAR) && (f->cs & 3) == 3)
        printk("kide:   diagnosis: SYSCALL reached LSTAR (%lx) still in ring 3: this (virtual) "
               "CPU does not implement SYSCALL as x86_64 defines it; if it is KVM, run the "
               "control (os/tools/qemu-accel.sh --probe) and see docs/kernel.md, 'Under KVM'\n",
               f->rip);
}
