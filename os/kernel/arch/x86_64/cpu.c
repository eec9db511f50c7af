/* SPDX-License-Identifier: MIT */
/* Per-CPU processor set-up: descriptor tables, system-call MSRs, FPU.
 *
 * Each CPU has its own GDT (for its TSS) and TSS (for its kernel entry
 * frame pointer and I/O bitmap); all share one IDT. The FPU is switched
 * lazily: CR0.TS is set whenever the FPU holds another EC's state, and the
 * first FPU instruction of the new owner traps (#NM) to swap it in.
 */
#include "percpu.h"
#include "cpu.h"
#include "cpu_check.h"
#include "../../kernel.h"
#include "../../pd.h"

struct cpu cpus[KIDE_MAX_CPUS];
unsigned cpu_count = 1;

struct idt_entry {
    u16 off0, sel;
    u8 ist, type;
    u16 off1;
    u32 off2, zero;
} __attribute__((packed));

static struct idt_entry idt[256];

/* Vectors that can arrive while the stack cannot be trusted run on a stack
 * of their own (the TSS's interrupt stack table): a double fault or machine
 * check at any time; an NMI, #DB or #PF in the first instructions of
 * syscall_entry, where RSP is still the user's (SYSCALL does not switch
 * stacks, and a kernel-mode exception would push its frame wherever the
 * user pointed RSP). From user mode trap_common moves such a frame into the
 * EC's register frame, where TSS.RSP0 would have put it. */
enum { IST_DF = 1, IST_NMI, IST_MC, IST_DB, IST_PF, IST_COUNT = IST_PF };
static u8 ist_stacks[KIDE_MAX_CPUS][IST_COUNT][4096] __attribute__((aligned(16)));

static u8 ist_of(unsigned vector)
{
    switch (vector) {
    case 8:
        return IST_DF;
    case 2:
        return IST_NMI;
    case 18:
        return IST_MC;
    case 1:
        return IST_DB;
    case 14:
        return IST_PF;
    default:
        return 0;
    }
}

extern char trap_stubs[];
extern void syscall_entry(void);

void idt_init(void)
{
    cpu_check_requirements();
    for (unsigned v = 0; v < 256; v++) {
        u64 a = (u64)trap_stubs + v * 16;
        idt[v].off0 = (u16)a;
        idt[v].sel = GDT_KCODE;
        idt[v].ist = ist_of(v);
        /* Breakpoints from user space arrive as exception 3, not #GP. */
        idt[v].type = (v == 3) ? 0xee : 0x8e;
        idt[v].off1 = (u16)(a >> 16);
        idt[v].off2 = (u32)(a >> 32);
        idt[v].zero = 0;
    }
}

static void load_gdt(struct cpu *c)
{
    u64 t = (u64)&c->tss;
    u32 limit = sizeof(struct tss) + sizeof(c->iobm) - 1;
    c->gdt[0] = 0;
    c->gdt[1] = 0x00af9a000000ffff; /* kernel code */
    c->gdt[2] = 0x00cf92000000ffff; /* kernel data */
    c->gdt[3] = 0x00cff2000000ffff; /* user data */
    c->gdt[4] = 0x00affa000000ffff; /* user code */
    c->gdt[5] = (limit & 0xffff) | ((t & 0xffffff) << 16) | (0x89ul << 40) |
                ((u64)((limit >> 16) & 0xf) << 48) | (((t >> 24) & 0xff) << 56);
    c->gdt[6] = t >> 32;
    struct {
        u16 limit;
        u64 base;
    } __attribute__((packed)) gdtr = {sizeof(c->gdt) - 1, (u64)c->gdt},
                              idtr = {sizeof(idt) - 1, (u64)idt};
    __asm__ volatile("lgdt %0" ::"m"(gdtr));
    __asm__ volatile("lidt %0" ::"m"(idtr));
    __asm__ volatile("mov %0, %%ds; mov %0, %%es; mov %0, %%ss" ::"r"((u16)GDT_KDATA));
    __asm__ volatile("pushq %0; leaq 1f(%%rip), %%rax; pushq %%rax; lretq; 1:" ::"i"(GDT_KCODE)
                     : "rax", "memory");
    __asm__ volatile("ltr %0" ::"r"((u16)GDT_TSS));
}

void cpu_setup(struct cpu *c)
{
    c->self = c;
    for (unsigned i = 0; i < IST_COUNT; i++)
        c->tss.ist[i] = (u64)&ist_stacks[c->id][i][4096];
    c->tss.iomap_base = 0xffff; /* beyond the limit: no port access until a PD has some */
    c->iobm[8192] = 0xff;
    load_gdt(c);
    wrmsr(MSR_GS_BASE, (u64)c);
    wrmsr(MSR_KERNEL_GS, 0);
    wrmsr(MSR_FS_BASE, 0);
    c->fs_base = 0;
    c->fs_ec = NULL;

    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE | (cpu_has_nx ? EFER_NXE : 0));
    wrmsr(MSR_STAR, (0x13ul << 48) | ((u64)GDT_KCODE << 32));
    wrmsr(MSR_LSTAR, (u64)syscall_entry);
    /* Clear IF, TF, DF, AC, NT on entry. */
    wrmsr(MSR_FMASK, RFLAGS_IF | (1ul << 8) | (1ul << 10) | (1ul << 18) | (1ul << 14));

    write_cr0((read_cr0() | CR0_MP | CR0_NE | CR0_WP | CR0_TS) & ~CR0_EM);
    write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT | CR4_PGE | (cpu_has_smep ? CR4_SMEP : 0));
    c->fpu_owner = NULL;
    c->ts_set = true;
}

void cpu_set_iobm(struct cpu *c, struct pd *pd)
{
    if (!pd || !pd->iobm) {
        c->tss.iomap_base = 0xffff;
        c->iobm_pd = NULL;
        return;
    }
    if (c->iobm_pd != pd) {
        memcpy(c->iobm, pd->iobm, 4096);
        memcpy(c->iobm + 4096, pd->iobm_hi, 4096);
        c->iobm_pd = pd;
    }
    c->tss.iomap_base = offsetof(struct cpu, iobm) - offsetof(struct cpu, tss);
}
