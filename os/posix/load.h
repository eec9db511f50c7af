/* SPDX-License-Identifier: MIT */
/* Loading the program (load.c). */
#ifndef POSIX_LOAD_H
#define POSIX_LOAD_H

#include <kide/types.h>

struct posix_start {
    kide_u64 entry, sp;
};

/** Map, check and load ROM module `module`, build its stack. 0, or -1 (logged). */
int posix_load(const char *module, const char *const *argv, unsigned argc, const char *const *envp,
               unsigned envc, kide_u64 stack_size, struct posix_start *out);

#endif
