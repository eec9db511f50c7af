/* SPDX-License-Identifier: MIT */
/* crt0: the one _start of every Kide user program, root task, threads and
 * portal handlers alike (see kide/base.h, "crt0.S entries").
 *
 * RDI tells them apart: KIDE_ROOT_BOOTINFO for the root, 0 for a thread
 * (global EC), anything else is a portal id. Threads and handlers find
 * their UTCB address in the word at their initial RSP; the stack is realigned
 * below it, so that word is never overwritten and a handler can restart with
 * the same RSP on every call. The entries never return (ud2 if one does).
 */
#define ROOT_BOOTINFO 0x00007fffff000000

    .section .text.entry, "ax"
    .globl _start
    .type _start, @function
_start:
    cld
    movabs $ROOT_BOOTINFO, %rax
    cmp %rax, %rdi
    je 3f
    mov (%rsp), %rdx        /* UTCB address */
    and $-16, %rsp
    xor %ebp, %ebp
    test %rdi, %rdi
    jz 2f
    /* portal handler: rdi = id, rsi = msg, rdx = utcb */
    call base_entry_portal
    ud2
2:  /* thread: rdi = utcb */
    mov %rdx, %rdi
    call base_entry_thread
    ud2
3:  /* root: rdi = boot info */
    and $-16, %rsp
    xor %ebp, %ebp
    call base_entry_root
    ud2
    .size _start, . - _start

    .section .note.GNU-stack, "", @progbits
