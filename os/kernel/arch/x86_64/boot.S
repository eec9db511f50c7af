/* SPDX-License-Identifier: MIT */
/* Boot entry: Multiboot 1 and 2 headers, 32-bit start, the switch to long mode.
 *
 * The image carries both headers: QEMU's -kernel reads only Multiboot 1, GRUB's
 * multiboot2 (the command that works under UEFI too, and passes the ACPI RSDP)
 * reads Multiboot 2. Both describe the same flat image (load address, end,
 * bss end, entry), so the loader places it alike. The loader enters _start32
 * in 32-bit protected mode with paging off, EAX = the Multiboot 1 or 2 magic
 * and EBX = the info structure (kernel_main tells them apart). We map
 * the first GiB twice (identity, and at KERNEL_VBASE) with 2 MiB pages, enable
 * long mode and jump to kernel_main in the upper half. The identity mapping
 * stays in the kernel's table for the application processors' start-up.
 */
#include "layout.h"

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010003 /* page-aligned modules, memory map, a.out kludge */

    .section .boot.header, "a"
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header       /* header_addr */
    .long _load_start     /* load_addr */
    .long _load_end_phys  /* load_end_addr */
    .long _bss_end_phys   /* bss_end_addr */
    .long _start32        /* entry_addr */

/* Multiboot 2 (specification 2.0, 3.1): within the image's first 32 KiB,
 * 8-byte aligned; tags 8-byte aligned, the list closed by an end tag. */
#define MB2_MAGIC 0xe85250d6
    .align 8
mb2_header:
    .long MB2_MAGIC
    .long 0                               /* architecture: i386 protected mode */
    .long mb2_header_end - mb2_header
    .long -(MB2_MAGIC + (mb2_header_end - mb2_header))
    .align 8
    .short 1, 0                           /* information request (required): */
    .long 12
    .long 6                               /* the memory map */
    .align 8
    .short 2, 0                           /* address: the flat image as above */
    .long 24
    .long mb2_header, _load_start, _load_end_phys, _bss_end_phys
    .align 8
    .short 3, 0                           /* entry address */
    .long 12
    .long _start32
    .align 8
    .short 0, 0                           /* end */
    .long 8
mb2_header_end:

    .section .boot.text, "ax"
    .code32
    .global _start32
_start32:
    cli
    mov %eax, %edi
    mov %ebx, %esi

    /* Long mode (CPUID 80000001h EDX bit 29) is the one requirement that
     * cannot wait for cpu_check.c: without it, enabling it below faults
     * with no IDT and the machine resets in a loop. Say so on COM1 instead. */
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode

    /* boot_pd: 512 x 2 MiB pages covering the first GiB. */
    mov $boot_pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax          /* present, writable, large */
    mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b

    mov $boot_pd, %eax
    or $3, %eax
    mov %eax, boot_pdpt_lo
    mov %eax, boot_pdpt_hi + 510 * 8
    mov $boot_pdpt_lo, %eax
    or $3, %eax
    mov %eax, boot_pml4
    mov $boot_pdpt_hi, %eax
    or $3, %eax
    mov %eax, boot_pml4 + 511 * 8

    mov $boot_pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax          /* PAE */
    mov %eax, %cr4
    mov $0xc0000080, %ecx   /* EFER.LME */
    rdmsr
    or $0x100, %eax
    wrmsr
    mov %cr0, %eax
    or $0x80000001, %eax    /* PG | PE */
    mov %eax, %cr0
    lgdt boot_gdtr
    ljmp $0x08, $boot_long

    .code64
boot_long:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    xor %ax, %ax
    mov %ax, %fs
    mov %ax, %gs
    mov %edi, %edi          /* upper halves are undefined after the mode switch */
    mov %esi, %esi
    movabs $boot_stack_top, %rsp
    movabs $kernel_main, %rax
    call *%rax
2:  hlt
    jmp 2b

    .code32
/* COM1 at 115200 8N1 as console_init sets it, the message, then QEMU's
 * isa-debug-exit with the panic status (37), then halt. */
no_long_mode:
    mov $com1_init, %esi
3:  movzwl (%esi), %edx
    test %edx, %edx
    jz 4f
    movb 2(%esi), %al
    outb %al, %dx
    add $3, %esi
    jmp 3b
4:  mov $no_long_mode_msg, %esi
5:  movb (%esi), %bl
    test %bl, %bl
    jz 7f
    mov $100000, %ecx          /* bounded wait for the transmitter */
    mov $0x3fd, %dx
6:  inb %dx, %al
    test $0x20, %al
    loopz 6b
    mov $0x3f8, %dx
    mov %bl, %al
    outb %al, %dx
    inc %esi
    jmp 5b
7:  mov $0x12, %al
    outb %al, $0xf4
8:  hlt
    jmp 8b

    .section .boot.data, "aw"
com1_init: /* port (u16), value (u8); port 0 ends */
    .short 0x3f9
    .byte 0
    .short 0x3fb
    .byte 0x80
    .short 0x3f8
    .byte 1
    .short 0x3f9
    .byte 0
    .short 0x3fb
    .byte 3
    .short 0x3fa
    .byte 0xc7
    .short 0x3fc
    .byte 3
    .short 0
no_long_mode_msg:
    .ascii "\r\nkide: panic: boot: this CPU has no long mode (x86-64; CPUID 80000001h EDX bit 29)\r\n"
    .asciz "hint: Kide needs a 64-bit x86 CPU (in QEMU: -cpu qemu64 or newer, not qemu32)\r\n"
    .align 4096
    .global boot_pml4
boot_pml4:    .fill 512, 8, 0
boot_pdpt_lo: .fill 512, 8, 0
    .global boot_pdpt_hi
boot_pdpt_hi: .fill 512, 8, 0
boot_pd:      .fill 512, 8, 0
    .align 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff /* 64-bit code */
    .quad 0x00cf92000000ffff /* data */
boot_gdtr:
    .word 3 * 8 - 1
    .long boot_gdt

    .section .bss
    .align 16
boot_stack:
    .skip KSTACK_SIZE
    .global boot_stack_top
boot_stack_top:

    .section .note.GNU-stack, "", @progbits
