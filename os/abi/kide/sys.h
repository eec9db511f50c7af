/* SPDX-License-Identifier: MIT */
/* Kide ABI: the user-space side of the system-call instruction.
 *
 * kide_syscall() is the one place that knows the register convention of
 * syscall.h; the typed stubs generated from os/kernel/syscalls.tab
 * (kide/stubs.h in the build directory) are thin wrappers around it.
 */
#ifndef KIDE_SYS_H
#define KIDE_SYS_H

#include "syscall.h"
#include "status.h"
#include "utcb.h"

/** Issue a system call; results r1..r3 are stored in r[0..2]. Returns the status. */
static inline int kide_syscall(kide_u64 word, kide_u64 a1, kide_u64 a2, kide_u64 a3, kide_u64 a4,
                               kide_u64 a5, kide_u64 a6, kide_u64 r[3])
{
    register kide_u64 rax __asm__("rax") = word;
    register kide_u64 rdi __asm__("rdi") = a1;
    register kide_u64 rsi __asm__("rsi") = a2;
    register kide_u64 rdx __asm__("rdx") = a3;
    register kide_u64 r10 __asm__("r10") = a4;
    register kide_u64 r8 __asm__("r8") = a5;
    register kide_u64 r9 __asm__("r9") = a6;
    __asm__ volatile("syscall"
                     : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
                     :
                     : "rcx", "r11", "memory");
    r[0] = rsi;
    r[1] = rdx;
    r[2] = r10;
    return (int)rax;
}

#include <kide/stubs.h>

#endif
