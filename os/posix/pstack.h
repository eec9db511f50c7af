/* SPDX-License-Identifier: MIT */
/* The initial stack of a Linux x86_64 program (the psABI's process entry):
 *
 *   high  [8 zero bytes] strings: execfn, envp[], argv[], "x86_64"; 16 random bytes
 *         padding to 16
 *         auxv pairs ... AT_NULL 0
 *         0, envp[envc-1] .. envp[0]
 *         0, argv[argc-1] .. argv[0]
 *   sp -> argc                              (sp is 16-byte aligned)
 *
 * Built into a buffer that stands for the stack's memory [top - size, top):
 * pure (no Kide, no libc), so the host tests check the exact layout.
 */
#ifndef POSIX_PSTACK_H
#define POSIX_PSTACK_H

#include <kide/types.h>

#define POSIX_STACK_MAX_STRS 256u /* argv and envp strings each, at most */

struct posix_stack_in {
    const char *const *argv; /* argc strings */
    unsigned argc;
    const char *const *envp; /* envc strings */
    unsigned envc;
    const char *execfn; /* AT_EXECFN's string */
    kide_u8 random[16]; /* AT_RANDOM's bytes */
    kide_u64 phdr, phent, phnum, entry, hwcap;
};

/** Build the stack in buf (which the program will see at [top - size, top)).
 *  Returns the program's initial stack pointer, or 0 when it does not fit
 *  (leave room: the strings plus (argc + envc + 40) words). */
kide_u64 posix_stack_build(kide_u8 *buf, kide_u64 size, kide_u64 top,
                           const struct posix_stack_in *in);

#endif
