/* SPDX-License-Identifier: MIT */
/* kvm-control: a minimal, independent x86_64 image that tells a defect of
 * Kide's from a defect of the virtual machine it runs in.
 *
 * It shares no code with Kide. It does, in the plainest way the architecture
 * allows, the three things Kide's first system call needs:
 *   1. long mode with the kernel at the top 2 GiB (0xffffffff80000000 + phys,
 *      the -mcmodel=kernel layout of Kide, Linux and most x86_64 kernels);
 *   2. SYSCALL from ring 3 and SYSRET back, once with LSTAR in the lower half
 *      (the identity alias of the handler) and once in the top 2 GiB;
 *   3. a page fault from ring 3 (a write to an unmapped page), delivered
 *      through the IDT with the expected error code (W|U = 6) and CR2.
 * Each step prints "kvm-control: <step>: ok" on COM1; anything unexpected
 * prints "kvm-control: FAIL ..." with the frame and CR2 and ends with
 * isa-debug-exit status 35; success ends with status 33 ("kvm-control:
 * passed"). A correct x86_64 machine (hardware, TCG, Bochs, KVM on VMX/SVM)
 * passes every step, so a failure here is the machine's, not Kide's.
 *
 * All 64-bit code is position independent (RIP-relative), so it runs at both
 * aliases of the same physical pages; absolute addresses are made at run time.
 * Physical layout: image at 1 MiB, user region 4..6 MiB (one 2 MiB user page),
 * 7 MiB deliberately unmapped.
 */

#define VBASE      0xffffffff80000000
#define USER_BASE  0x400000
#define USER_FAULT 0x700000
#define COM1       0x3f8
#define EXIT_PORT  0xf4

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00010000 /* a.out kludge: load addresses are in the header */

    .section .text
    .code32
    .align 4
mb_header:
    .long MB_MAGIC
    .long MB_FLAGS
    .long -(MB_MAGIC + MB_FLAGS)
    .long mb_header
    .long _load_start
    .long _load_end
    .long _bss_end
    .long start32

    .global start32
start32:
    cli
    /* pd: 2 MiB pages for the first GiB, supervisor only, except the user
     * region (4..6 MiB), and 6..8 MiB left unmapped for the fault. */
    mov $pd, %ebx
    xor %ecx, %ecx
1:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax /* P | W | PS */
    cmp $2, %ecx
    jne 2f
    or $0x04, %eax /* U */
2:  cmp $3, %ecx
    jne 3f
    xor %eax, %eax /* not present */
3:  mov %eax, (%ebx, %ecx, 8)
    movl $0, 4(%ebx, %ecx, 8)
    inc %ecx
    cmp $512, %ecx
    jne 1b
    /* Upper levels carry U so the leaf decides; the same pd serves the
     * identity map (pml4[0], pdpt_lo[0]) and the top 2 GiB (pml4[511],
     * pdpt_hi[510]). */
    mov $pd, %eax
    or $7, %eax
    mov %eax, pdpt_lo
    mov %eax, pdpt_hi + 510 * 8
    mov $pdpt_lo, %eax
    or $7, %eax
    mov %eax, pml4
    mov $pdpt_hi, %eax
    or $7, %eax
    mov %eax, pml4 + 511 * 8
    mov $pml4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $0x20, %eax /* PAE */
    mov %eax, %cr4
    mov $0xc0000080, %ecx
    rdmsr
    or $0x101, %eax /* LME | SCE */
    wrmsr
    mov %cr0, %eax
    or $0x80010001, %eax /* PG | WP | PE */
    mov %eax, %cr0
    lgdt gdtr32
    ljmp $0x08, $long_low

    .code64
long_low:
    /* Move to the top-2 GiB alias of the same code. */
    lea long_high(%rip), %rax
    movabs $VBASE, %rcx
    add %rcx, %rax
    jmp *%rax
long_high:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    lea kstack_top(%rip), %rsp
    lea msg_start(%rip), %rdi
    call puts

    /* Reload the GDT at its high address, with a TSS for RSP0. */
    lea tss(%rip), %rax
    lea kstack_top(%rip), %rcx
    mov %rcx, 4(%rax) /* RSP0 */
    mov %rcx, 36(%rax) /* IST1 */
    movw $104, 102(%rax) /* I/O map base beyond the limit */
    lea gdt(%rip), %rdi
    mov %rax, %rdx
    shl $16, %rdx
    mov $0xffffff0000, %rcx
    and %rcx, %rdx
    mov %rax, %rcx
    shr $24, %rcx
    and $0xff, %rcx
    shl $56, %rcx
    or %rcx, %rdx
    movabs $0x0000890000000067, %rcx /* present 64-bit TSS, limit 103 */
    or %rcx, %rdx
    mov %rdx, 40(%rdi)
    mov %rax, %rcx
    shr $32, %rcx
    mov %rcx, 48(%rdi)
    lea gdtr64(%rip), %rax
    mov %rdi, 2(%rax)
    lgdt (%rax)
    mov $0x28, %ax
    ltr %ax

    /* IDT: 32 exception gates, handlers at their high addresses. */
    lea idt(%rip), %rdi
    lea stubs(%rip), %rsi
    xor %ecx, %ecx
4:  mov %rsi, %rax
    mov %ax, (%rdi)
    movw $0x08, 2(%rdi)
    movw $0x8e00, 4(%rdi) /* present interrupt gate, DPL 0 */
    shr $16, %rax
    mov %ax, 6(%rdi)
    shr $16, %rax
    mov %eax, 8(%rdi)
    movl $0, 12(%rdi)
    add $16, %rdi
    add $16, %rsi
    inc %ecx
    cmp $32, %ecx
    jne 4b
    lea idtr(%rip), %rax
    lea idt(%rip), %rcx
    mov %rcx, 2(%rax)
    lidt (%rax)

    /* Copy the user program into the user page. */
    lea user_code(%rip), %rsi
    movabs $(VBASE + USER_BASE), %rdi /* through the supervisor alias */
    mov $(user_code_end - user_code), %rcx
    rep movsb

    /* STAR: SYSCALL loads CS 0x08/SS 0x10; SYSRET loads CS 0x23/SS 0x1b. */
    mov $0xc0000081, %ecx
    xor %eax, %eax
    mov $0x00130008, %edx
    wrmsr
    mov $0xc0000084, %ecx /* FMASK: clear IF, TF, DF */
    mov $0x00000700, %eax
    xor %edx, %edx
    wrmsr
    /* Step 1: LSTAR in the lower half (identity alias of the handler). */
    lea syscall_entry(%rip), %rax
    movabs $VBASE, %rcx
    sub %rcx, %rax
    call set_lstar
    lea msg_lstar_low(%rip), %rdi
    call puts
    /* Enter ring 3 with SYSRET: RCX = RIP, R11 = RFLAGS. */
    mov $USER_BASE, %rcx
    mov $0x2, %r11
    mov $(USER_BASE + 0x1ff000), %rsp
    xor %eax, %eax
    sysretq

set_lstar: /* rax = address */
    mov %rax, %rdx
    shr $32, %rdx
    mov $0xc0000082, %ecx
    wrmsr
    ret

/* SYSCALL arrives here on the user's stack with interrupts off. */
syscall_entry:
    lea kstack_top(%rip), %rsp
    push %rcx
    push %r11
    lea phase(%rip), %rbx
    mov (%rbx), %rax
    incq (%rbx)
    cmp $0, %rax
    jne 5f
    lea msg_sys_low(%rip), %rdi
    call puts
    /* Step 2: LSTAR in the top 2 GiB. */
    lea syscall_entry(%rip), %rax
    movabs $VBASE, %rcx
    or %rcx, %rax
    call set_lstar
    lea msg_lstar_high(%rip), %rdi
    call puts
    xor %eax, %eax
    jmp 6f
5:  lea msg_sys_high(%rip), %rdi
    call puts
    lea msg_fault_next(%rip), %rdi
    call puts
    mov $2, %eax /* tells the user program to fault next */
6:  pop %r11
    pop %rcx
    mov $(USER_BASE + 0x1ff000), %rsp
    sysretq

/* Exception stubs: every vector gets an error-code slot. */
    .align 16
stubs:
    .set vec, 0
    .rept 32
    .align 16
    .if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21
    push $vec
    .else
    push $0
    push $vec
    .endif
    jmp exception
    .set vec, vec + 1
    .endr

/* Stack: vector, error, rip, cs, rflags, rsp, ss. */
exception:
    cmpq $14, (%rsp)
    jne bad_exception
    cmpq $6, 8(%rsp) /* write, user, not present */
    jne bad_exception
    cmpq $0x23, 24(%rsp)
    jne bad_exception
    mov %cr2, %rax
    cmp $USER_FAULT, %rax
    jne bad_exception
    lea msg_pf(%rip), %rdi
    call puts
    lea msg_pass(%rip), %rdi
    call puts
    mov $0x10, %al
    jmp exit

bad_exception:
    mov %rsp, %rbx
    lea msg_bad(%rip), %rdi
    call puts
    mov (%rbx), %rax
    call puthex
    lea msg_err(%rip), %rdi
    call puts
    mov 8(%rbx), %rax
    call puthex
    lea msg_rip(%rip), %rdi
    call puts
    mov 16(%rbx), %rax
    call puthex
    lea msg_cs(%rip), %rdi
    call puts
    mov 24(%rbx), %rax
    call puthex
    lea msg_cr2(%rip), %rdi
    call puts
    mov %cr2, %rax
    call puthex
    lea msg_nl(%rip), %rdi
    call puts
    mov $0x11, %al
exit:
    mov $EXIT_PORT, %dx
    out %al, %dx
7:  hlt
    jmp 7b

/* puts(rdi): a NUL-terminated string to COM1. Clobbers rax, rdx, rdi. */
puts:
    movb (%rdi), %al
    test %al, %al
    jz 9f
    call putc
    inc %rdi
    jmp puts
9:  ret

putc: /* al */
    mov %al, %ah
    mov $(COM1 + 5), %dx
8:  in %dx, %al
    test $0x20, %al
    jz 8b
    mov $COM1, %dx
    mov %ah, %al
    out %al, %dx
    ret

puthex: /* rax, 16 digits */
    mov %rax, %rsi
    mov $16, %r8d
10: rol $4, %rsi
    mov %esi, %eax
    and $0xf, %eax
    cmp $10, %al
    jb 11f
    add $('a' - 10 - '0'), %al
11: add $'0', %al
    call putc
    dec %r8d
    jnz 10b
    ret

/* The user program: system calls until the kernel says rax = 2, then a
 * write to an unmapped page. Position independent; copied to USER_BASE. */
user_code:
12: syscall
    cmp $2, %rax
    jne 12b
    movq $1, USER_FAULT
    ud2
user_code_end:

    .section .rodata
msg_start:      .asciz "kvm-control: long mode, kernel at the top 2 GiB: ok\n"
msg_lstar_low:  .asciz "kvm-control: entering ring 3 with LSTAR in the lower half\n"
msg_sys_low:    .asciz "kvm-control: syscall to a lower-half LSTAR: ok\n"
msg_lstar_high: .asciz "kvm-control: now LSTAR in the top 2 GiB\n"
msg_sys_high:   .asciz "kvm-control: syscall to a top-2-GiB LSTAR: ok\n"
msg_fault_next: .asciz "kvm-control: a user write to an unmapped page next\n"
msg_pf:         .asciz "kvm-control: page fault from ring 3 (error 6, cr2 right): ok\n"
msg_pass:       .asciz "kvm-control: passed\n"
msg_bad:        .asciz "kvm-control: FAIL unexpected exception: vector "
msg_err:        .asciz " error "
msg_rip:        .asciz " rip "
msg_cs:         .asciz " cs "
msg_cr2:        .asciz " cr2 "
msg_nl:         .asciz "\n"

    .section .data
    .align 8
gdt:
    .quad 0
    .quad 0x00af9a000000ffff /* 0x08 kernel code */
    .quad 0x00cf92000000ffff /* 0x10 kernel data */
    .quad 0x00cff2000000ffff /* 0x18 user data (SYSRET SS = 0x1b) */
    .quad 0x00affa000000ffff /* 0x20 user code (SYSRET CS = 0x23) */
    .quad 0, 0               /* 0x28 TSS, filled in at run time */
gdtr32:
    .word 7 * 8 - 1
    .long gdt
gdtr64:
    .word 7 * 8 - 1
    .quad 0
idtr:
    .word 32 * 16 - 1
    .quad 0
phase:
    .quad 0

    .section .bss
    .align 4096
pml4:    .skip 4096
pdpt_lo: .skip 4096
pdpt_hi: .skip 4096
pd:      .skip 4096
idt:     .skip 32 * 16
tss:     .skip 104
    .align 16
kstack:  .skip 8192
kstack_top:

    .section .note.GNU-stack, "", @progbits
