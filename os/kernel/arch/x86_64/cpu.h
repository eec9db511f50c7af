/* SPDX-License-Identifier: MIT */
/* x86_64 instruction wrappers: port I/O, MSRs, control registers, TSC, CPUID.
 *
 * Each wrapper is one instruction; keeping them here keeps inline assembly
 * out of the generic kernel code.
 */
#ifndef KIDE_ARCH_CPU_H
#define KIDE_ARCH_CPU_H

#include "types.h"

#define MSR_EFER      0xc0000080
#define MSR_STAR      0xc0000081
#define MSR_LSTAR     0xc0000082
#define MSR_FMASK     0xc0000084
#define MSR_FS_BASE   0xc0000100
#define MSR_GS_BASE   0xc0000101
#define MSR_KERNEL_GS 0xc0000102
#define MSR_APIC_BASE 0x1b

#define EFER_SCE (1u << 0)
#define EFER_LME (1u << 8)
#define EFER_NXE (1u << 11)

#define CR0_MP         (1ul << 1)
#define CR0_EM         (1ul << 2)
#define CR0_TS         (1ul << 3)
#define CR0_NE         (1ul << 5)
#define CR0_WP         (1ul << 16)
#define CR4_PGE        (1ul << 7)
#define CR4_OSFXSR     (1ul << 9)
#define CR4_OSXMMEXCPT (1ul << 10)
#define CR4_SMEP       (1ul << 20)

#define RFLAGS_IF (1ul << 9)

static inline void outb(u16 port, u8 v)
{
    __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outw(u16 port, u16 v)
{
    __asm__ volatile("outw %0, %1" ::"a"(v), "Nd"(port));
}
static inline void outl(u16 port, u32 v)
{
    __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port));
}
static inline u8 inb(u16 port)
{
    u8 v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline u64 rdmsr(u32 msr)
{
    u32 lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((u64)hi << 32) | lo;
}

static inline void wrmsr(u32 msr, u64 v)
{
    __asm__ volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32)));
}

static inline u64 rdtsc(void)
{
    u32 lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((u64)hi << 32) | lo;
}

static inline void cpuid(u32 leaf, u32 sub, u32 *a, u32 *b, u32 *c, u32 *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#define DEFINE_CR(n)                                                                               \
    static inline u64 read_cr##n(void)                                                             \
    {                                                                                              \
        u64 v;                                                                                     \
        __asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));                                          \
        return v;                                                                                  \
    }                                                                                              \
    static inline void write_cr##n(u64 v)                                                          \
    {                                                                                              \
        __asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");                                   \
    }
DEFINE_CR(0)
DEFINE_CR(2)
DEFINE_CR(3)
DEFINE_CR(4)

static inline void invlpg(u64 va)
{
    __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}
static inline void cpu_pause(void)
{
    __asm__ volatile("pause");
}
static inline void cpu_halt(void)
{
    __asm__ volatile("hlt");
}
static inline void irq_enable(void)
{
    __asm__ volatile("sti" ::: "memory");
}
static inline void irq_disable(void)
{
    __asm__ volatile("cli" ::: "memory");
}
/* sti takes effect after the next instruction, so "sti; hlt" cannot lose a wake-up. */
static inline void irq_enable_and_halt(void)
{
    __asm__ volatile("sti; hlt; cli" ::: "memory");
}
static inline void clts(void)
{
    __asm__ volatile("clts");
}

#endif
