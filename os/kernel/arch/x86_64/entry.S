/* SPDX-License-Identifier: MIT */
/* Kernel entry and exit: system calls, exceptions, interrupts.
 *
 * Entry from user mode saves the user state straight into the current EC's
 * register frame: TSS.RSP0 and cpu->frame_top point at the frame's end, so
 * the CPU's own pushes and ours land in place, then we move to the CPU's
 * kernel stack. C handlers never return; they leave through ret_user_iret or
 * ret_user_sysret with the frame of the EC to run. Interrupts taken in kernel
 * mode (only the idle loop runs with interrupts enabled) are handled on the
 * current stack and return with iretq.
 */
#include "layout.h"

.macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
.endm

.macro POP_GPRS
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

    .text
    .global syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:CPU_SCRATCH
    mov %gs:CPU_FRAME_TOP, %rsp
    push $GDT_UDATA
    push %gs:CPU_SCRATCH
    push %r11
    push $GDT_UCODE
    push %rcx
    push $0
    push $VEC_SYSCALL
    PUSH_GPRS
    mov %rsp, %rdi
    mov %gs:CPU_KSTACK_TOP, %rsp
    call syscall_handler
    ud2

/* Common path for exceptions and interrupts; the stub pushed an error code
 * (real or dummy) and the vector. */
trap_common:
    cld                     /* interrupt gates keep the user's DF; C needs it clear */
    testb $3, 24(%rsp)      /* CS of the interrupted context */
    jz trap_kernel
    swapgs
    /* The 7 words (vector .. SS) are where TSS.RSP0 put them, at the end of
     * the EC's frame, unless the vector has a stack of its own (cpu.c,
     * ist_of): then they move there now. RAX is parked in the scratch word,
     * which only syscall_entry uses, with interrupts off. */
    xchg %rax, %gs:CPU_SCRATCH
    mov %rsp, %rax
    mov %gs:CPU_FRAME_TOP, %rsp
    sub $56, %rsp
    cmp %rsp, %rax
    je 1f
    add $56, %rsp
    pushq 48(%rax)          /* ss */
    pushq 40(%rax)          /* rsp */
    pushq 32(%rax)          /* rflags */
    pushq 24(%rax)          /* cs */
    pushq 16(%rax)          /* rip */
    pushq 8(%rax)           /* error */
    pushq (%rax)            /* vector */
1:  mov %gs:CPU_SCRATCH, %rax
    PUSH_GPRS
    mov %rsp, %rdi
    mov %gs:CPU_KSTACK_TOP, %rsp
    call trap_user
    ud2
trap_kernel:
    PUSH_GPRS
    /* An NMI, #DB or #PF can arrive at the first instruction of
     * syscall_entry, before its swapgs: then GS is still the user's (base 0,
     * never a kernel address). Swap for the handler and back after it; RBX
     * is callee-saved, so it carries that across the call. */
    xor %ebx, %ebx
    mov $0xc0000101, %ecx   /* MSR_GS_BASE */
    rdmsr
    test %edx, %edx
    js 2f
    swapgs
    inc %ebx
2:  mov %rsp, %rdi
    call trap_kernel_mode
    test %ebx, %ebx
    jz 3f
    swapgs
3:  POP_GPRS
    add $16, %rsp
    iretq

    .global ret_user_iret
ret_user_iret:              /* rdi = frame; interrupts are disabled */
    mov %rdi, %rsp
    POP_GPRS
    add $16, %rsp
    swapgs
    iretq

    .global ret_user_sysret
ret_user_sysret:            /* rdi = frame of an EC that entered by syscall */
    mov %rdi, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    add $8, %rsp            /* r11: reloaded with RFLAGS below */
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    add $8, %rsp            /* rcx: reloaded with RIP below */
    pop %rbx
    pop %rax
    mov 16(%rsp), %rcx      /* rip */
    mov 32(%rsp), %r11      /* rflags */
    mov 40(%rsp), %rsp      /* user rsp */
    swapgs
    sysretq

    .global switch_stack_call
switch_stack_call:          /* rdi = stack top, rsi = function, rdx = its argument: never returns */
    mov %rdi, %rsp
    xor %rbp, %rbp
    mov %rdx, %rdi
    call *%rsi
    ud2

    .global idle_switch_stack
idle_switch_stack:          /* rdi = stack top, rsi = function: never returns */
    mov %rdi, %rsp
    xor %rbp, %rbp
    call *%rsi
    ud2

/* Stubs: vectors with a CPU-pushed error code skip the dummy push. */
.macro STUB vec, has_error
    .align 16
    .if \has_error == 0
    push $0
    .endif
    push $\vec
    jmp trap_common
.endm

    .align 16
    .global trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    .if vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21 || vec == 29 || vec == 30
    STUB vec, 1
    .else
    STUB vec, 0
    .endif
    .set vec, vec + 1
    .endr

    .section .note.GNU-stack, "", @progbits
