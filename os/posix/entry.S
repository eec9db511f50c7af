/* SPDX-License-Identifier: MIT */
/* The reflection entry of program threads and the way back (docs/posix.md).
 *
 * The kernel enters slot i's stub at posix_entry_table + 32 * i
 * (POSIX_ENTRY_STRIDE) with every register as the program's `syscall` left
 * it (RAX = number, RDI, RSI, RDX, R10, R8, R9 = arguments, RCX = return
 * address, R11 = RFLAGS, RSP = the program's stack). The stub parks RAX and
 * RBX in its slot's save area (RIP-relative: the slot is known when it is
 * assembled) and switches to slot i's runtime stack, where it builds a
 * struct posix_frame (posix.h) and calls posix_syscall(frame) with DF clear
 * and the stack 16-byte aligned. The way back (posix_frame_return) restores
 * RFLAGS from the frame's R11 on the runtime stack, reloads every register,
 * then switches to the frame's RSP and jumps to its RCX. Neither way touches
 * the program's stack, so a system call made with RSP in memory it has just
 * unmapped (musl's __unmapself: munmap of the thread's own stack, then exit)
 * works as on Linux. Like Linux, RCX and R11 come back as the return address
 * and RFLAGS; all other registers but RAX are kept.
 * A new thread starts at posix_thread_start on its runtime stack, whose top
 * holds a frame: posix_thread_boot sets its reflection and FS base, then the
 * same return path enters the program.
 */
#define F_RAX 0
#define F_RBX 8
#define F_RCX 16
#define F_RDX 24
#define F_RSI 32
#define F_RDI 40
#define F_RBP 48
#define F_R8  56
#define F_R9  64
#define F_R10 72
#define F_R11 80
#define F_R12 88
#define F_R13 96
#define F_R14 104
#define F_R15 112
#define F_RSP 120
#define F_SIZE 144
#define THREADS 32

    .text
    .globl posix_entry_table
    .p2align 5
posix_entry_table:
    .set slot, 0
    .rept THREADS
    .p2align 5
    mov %rax, posix_entry_save + 16 * slot(%rip)
    mov %rbx, posix_entry_save + 16 * slot + 8(%rip)
    mov $slot, %ebx
    jmp posix_entry_common
    .set slot, slot + 1
    .endr

    .p2align 4
posix_entry_common:
    lea posix_kstack_top(%rip), %rax
    mov (%rax,%rbx,8), %rax            /* slot's runtime stack top (16-aligned) */
    sub $F_SIZE, %rax                  /* the frame */
    mov %rcx, F_RCX(%rax)
    mov %rdx, F_RDX(%rax)
    mov %rsi, F_RSI(%rax)
    mov %rdi, F_RDI(%rax)
    mov %rbp, F_RBP(%rax)
    mov %r8, F_R8(%rax)
    mov %r9, F_R9(%rax)
    mov %r10, F_R10(%rax)
    mov %r11, F_R11(%rax)
    mov %r12, F_R12(%rax)
    mov %r13, F_R13(%rax)
    mov %r14, F_R14(%rax)
    mov %r15, F_R15(%rax)
    mov %rsp, F_RSP(%rax)              /* the program's RSP at the syscall */
    shl $4, %rbx                       /* the slot's save area */
    lea posix_entry_save(%rip), %rcx
    add %rbx, %rcx
    mov (%rcx), %rbx
    mov %rbx, F_RAX(%rax)
    mov 8(%rcx), %rbx
    mov %rbx, F_RBX(%rax)
    mov %rax, %rsp
    mov %rax, %rdi
    cld
    call posix_syscall
    /* fall through with RSP = the frame */

    .globl posix_frame_return
posix_frame_return:
    push F_R11(%rsp)                   /* RFLAGS: nothing below changes flags */
    popfq
    mov F_RBX(%rsp), %rbx
    mov F_RDX(%rsp), %rdx
    mov F_RSI(%rsp), %rsi
    mov F_RDI(%rsp), %rdi
    mov F_RBP(%rsp), %rbp
    mov F_R8(%rsp), %r8
    mov F_R9(%rsp), %r9
    mov F_R10(%rsp), %r10
    mov F_R11(%rsp), %r11
    mov F_R12(%rsp), %r12
    mov F_R13(%rsp), %r13
    mov F_R14(%rsp), %r14
    mov F_R15(%rsp), %r15
    mov F_RAX(%rsp), %rax
    mov F_RCX(%rsp), %rcx
    mov F_RSP(%rsp), %rsp
    jmp *%rcx

    /* A new program thread: RSP = its frame (16-aligned). */
    .globl posix_thread_start
    .p2align 4
posix_thread_start:
    mov %rsp, %rdi
    call posix_thread_boot
    jmp posix_frame_return

    /* RAX and RBX of each slot between its stub and posix_entry_common. */
    .bss
    .p2align 4
posix_entry_save:
    .skip 16 * THREADS

    .section .note.GNU-stack, "", @progbits
