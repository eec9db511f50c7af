/* SPDX-License-Identifier: MIT */
/* What the kernel requires of the processor, checked once on the boot CPU
 * before anything depends on it (docs/kernel.md, "What the kernel requires
 * of the CPU").
 *
 * A missing requirement stops the boot with a message that names the
 * feature and its CPUID bit; the kernel never relies on an emulator being
 * lenient about a feature it did not check. Optional features (NX, SMEP,
 * x2APIC, invariant TSC) are recorded in cpu_features and used only when
 * present. The other CPUs are assumed to match the boot CPU, as on every
 * machine Kide supports.
 */
#include "cpu.h"
#include "cpu_check.h"
#include "../../kernel.h"

struct cpu_features cpu_features;
bool cpu_has_nx, cpu_has_smep;

struct requirement {
    u32 leaf;
    u8 reg; /* 0 = EAX .. 3 = EDX */
    u8 bit;
    const char *name;
};

enum { EAX, EBX, ECX, EDX };
static const char *const reg_names[] = {"EAX", "EBX", "ECX", "EDX"};

static const struct requirement required[] = {
        {1, EDX, 0, "x87 FPU"},
        {1, EDX, 4, "TSC"},
        {1, EDX, 5, "RDMSR/WRMSR"},
        {1, EDX, 6, "PAE"},
        {1, EDX, 9, "local APIC"},
        {1, EDX, 13, "global pages (PGE)"},
        {1, EDX, 24, "FXSAVE/FXRSTOR"},
        {1, EDX, 25, "SSE"},
        {1, EDX, 26, "SSE2"},
        {0x80000001, EDX, 11, "SYSCALL/SYSRET"},
        {0x80000001, EDX, 29, "long mode"},
};

static u32 leaf_reg(u32 leaf, u32 sub, unsigned reg)
{
    u32 r[4];
    cpuid(leaf, sub, &r[0], &r[1], &r[2], &r[3]);
    return r[reg];
}

static bool leaf_present(u32 leaf)
{
    u32 max = leaf_reg(leaf & 0x80000000, 0, EAX);
    return leaf <= max;
}

static void copy_regs(char *dst, const u32 *regs, unsigned n)
{
    for (unsigned i = 0; i < n * 4; i++)
        dst[i] = (char)(regs[i / 4] >> (8 * (i % 4)));
    dst[n * 4] = 0;
}

void cpu_check_requirements(void)
{
    struct cpu_features *f = &cpu_features;
    u32 a, b, c, d;
    cpuid(0, 0, &a, &b, &c, &d);
    u32 vendor[3] = {b, d, c};
    copy_regs(f->vendor, vendor, 3);
    if (a < 1 || !leaf_present(0x80000001))
        panic("cpu: CPUID leaf 1 or 0x80000001 is missing (max leaf %x); Kide needs both "
              "to check the CPU (docs/kernel.md, 'What the kernel requires of the CPU')",
              a);
    for (unsigned i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        const struct requirement *r = &required[i];
        if (!((leaf_reg(r->leaf, 0, r->reg) >> r->bit) & 1))
            panic("cpu: this processor lacks %s (CPUID %x %s bit %u), which Kide needs "
                  "(docs/kernel.md, 'What the kernel requires of the CPU'); under QEMU "
                  "pick a CPU model that has it with -cpu",
                  r->name, r->leaf, reg_names[r->reg], r->bit);
    }
    cpuid(1, 0, &a, &b, &c, &d);
    f->family = ((a >> 8) & 0xf) + (((a >> 8) & 0xf) == 0xf ? (a >> 20) & 0xff : 0);
    f->model = ((a >> 4) & 0xf) | ((((a >> 8) & 0xf) >= 6) ? ((a >> 16) & 0xf) << 4 : 0);
    f->x2apic = (c >> 21) & 1;
    f->hypervisor = (c >> 31) & 1;
    f->nx = (leaf_reg(0x80000001, 0, EDX) >> 20) & 1;
    f->smep = leaf_reg(0, 0, EAX) >= 7 && ((leaf_reg(7, 0, EBX) >> 7) & 1);
    f->invariant_tsc = leaf_present(0x80000007) && ((leaf_reg(0x80000007, 0, EDX) >> 8) & 1);
    /* Without leaf 0x80000008 the architecture defines 36 physical bits. */
    f->phys_bits = leaf_present(0x80000008) ? (leaf_reg(0x80000008, 0, EAX) & 0xff) : 36;
    f->virt_bits = leaf_present(0x80000008) ? ((leaf_reg(0x80000008, 0, EAX) >> 8) & 0xff) : 48;
    if (f->phys_bits < 32 || f->phys_bits > 52)
        panic("cpu: CPUID reports %u physical address bits; x86_64 defines 32 to 52", f->phys_bits);
    if (f->virt_bits < 48)
        panic("cpu: CPUID reports %u linear address bits; Kide needs 48", f->virt_bits);
    if (f->hypervisor) {
        u32 sig[3];
        cpuid(0x40000000, 0, &a, &sig[0], &sig[1], &sig[2]);
        copy_regs(f->hypervisor_name, sig, 3);
    }
    cpu_has_nx = f->nx;
    cpu_has_smep = f->smep;
    /* NX is set in the kernel's own page tables (paging_init), and bit 63 is
     * reserved until EFER.NXE is on: turn it on before any table has it. */
    if (f->nx)
        wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
    printk("kide: cpu: %s family %u model %u, %u physical and %u linear address bits, "
           "%s%s%s%s%s%s\n",
           f->vendor, f->family, f->model, f->phys_bits, f->virt_bits, f->nx ? "nx " : "",
           f->smep ? "smep " : "", f->x2apic ? "x2apic " : "",
           f->invariant_tsc ? "invariant-tsc " : "", f->hypervisor ? "hypervisor " : "bare metal",
           f->hypervisor ? f->hypervisor_name : "");
}

u64 cpu_phys_limit(void)
{
    return 1ul << cpu_features.phys_bits;
}
