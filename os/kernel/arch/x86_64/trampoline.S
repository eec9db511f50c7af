/* SPDX-License-Identifier: MIT */
/* Application-processor start-up code, copied to AP_TRAMPOLINE (0x8000).
 *
 * An AP starts in real mode at AP_TRAMPOLINE after INIT-SIPI-SIPI. This code
 * is position-dependent on that address only; smp.c fills in the three
 * parameters at its end (page table, stack, entry) before each start.
 */
#include "layout.h"

#define T(x) ((x) - ap_trampoline + AP_TRAMPOLINE)

    .section .rodata
    .global ap_trampoline, ap_trampoline_end
    .global ap_tramp_cr3, ap_tramp_stack, ap_tramp_entry
    .code16
ap_trampoline:
    cli
    xor %ax, %ax
    mov %ax, %ds
    lgdtl T(tramp_gdtr)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x08, $T(tramp32)

    .code32
tramp32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $0x20, %eax          /* PAE */
    mov %eax, %cr4
    mov T(ap_tramp_cr3), %eax
    mov %eax, %cr3
    /* EFER.NXE before paging: the kernel's tables carry NX (bit 63), which
     * is a reserved bit, and faults, while NXE is clear. The boot CPU has
     * checked that leaf 0x80000001 exists. */
    mov $0x80000001, %eax
    cpuid
    mov $0x100, %esi        /* LME */
    bt $20, %edx            /* NX */
    jnc 1f
    or $0x800, %esi         /* NXE */
1:  mov $0xc0000080, %ecx
    rdmsr
    or %esi, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000000, %eax
    mov %eax, %cr0
    ljmp $0x18, $T(tramp64)

    .code64
tramp64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov T(ap_tramp_stack), %rsp
    mov T(ap_tramp_entry), %rax
    jmp *%rax

    .align 8
tramp_gdt:
    .quad 0
    .quad 0x00cf9a000000ffff /* 32-bit code */
    .quad 0x00cf92000000ffff /* data */
    .quad 0x00af9a000000ffff /* 64-bit code */
tramp_gdtr:
    .word 4 * 8 - 1
    .long T(tramp_gdt)
    .align 8
ap_tramp_cr3:   .quad 0
ap_tramp_stack: .quad 0
ap_tramp_entry: .quad 0
ap_trampoline_end:

    .section .note.GNU-stack, "", @progbits
