/* SPDX-License-Identifier: MIT */
/* The register frame: a user context as entry.S saves it.
 *
 * The order is fixed by the push sequence in entry.S (general registers
 * pushed from RAX down to R15, then vector and error code, then the CPU's
 * interrupt frame), so the struct is declared from the lowest address up.
 */
#ifndef KIDE_ARCH_FRAME_H
#define KIDE_ARCH_FRAME_H

#include "types.h"

struct frame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error;
    u64 rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct frame) == 22 * 8, "frame layout matches entry.S");

/* RFLAGS bits user space may set: CF PF AF ZF SF TF DF OF AC. */
#define RFLAGS_USER_MASK  0x40dd5ul
#define RFLAGS_USER_FIXED 0x202ul /* IF and the reserved bit 1 */

#endif
