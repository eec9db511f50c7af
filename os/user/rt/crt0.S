/* SPDX-License-Identifier: MIT */
/* krt entry: one _start for the root, threads and portal handlers.
 *
 * RDI tells them apart (see krt.h): KIDE_ROOT_BOOTINFO for the root, 0 for a
 * thread (global EC), anything else is a portal id. Threads and handlers find
 * their UTCB address in the word at their initial RSP; the stack is realigned
 * below it, so that word is never overwritten and a handler can restart with
 * the same RSP on every call.
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
    call krt_portal_run
    ud2
2:  /* thread: rdi = utcb */
    mov %rdx, %rdi
    call krt_thread_run
    ud2
3:  /* root: rdi = boot info */
    and $-16, %rsp
    xor %ebp, %ebp
    call krt_root_main
    ud2
    .size _start, . - _start

    /* krt_exit(code): #UD with RAX = KRT_EXIT_MAGIC, RDI = code. */
    .globl krt_exit
    .type krt_exit, @function
krt_exit:
    movabs $0x4b45584954, %rax
1:  ud2
    jmp 1b
    .size krt_exit, . - krt_exit

    .section .note.GNU-stack, "", @progbits
