/* SPDX-License-Identifier: MIT */
/* The host backend of the VFS (pthreads, calloc with a RAM budget, ROM
 * modules from memory, the log captured) and the fake user memory, for the
 * cmocka tests and the fuzzer.
 */
#ifndef VFS_TESTS_HOST_H
#define VFS_TESTS_HOST_H

#include "../vfs.h"

#include <stddef.h>
#include <stdint.h>

#define HOST_LOG_LINES 64
#define HOST_LOG_MAX   32 /* a short log line limit, so splitting is tested */

struct host_backend {
    struct vfs_backend be;
    size_t ram_limit, ram_used; /**< bytes; limit 0: none */
    int fuzz;                   /**< never really wait: every wait reports a signal */
    int signalled;
    unsigned sigpipes;
    char log[HOST_LOG_LINES][HOST_LOG_MAX + 1];
    unsigned log_n;
};

/** Set hb up; ROM modules come from host_rom_add. */
void host_backend_init(struct host_backend *hb, size_t ram_limit, int fuzz);
void host_backend_fini(struct host_backend *hb);
/** A ROM module the backend will map (data must stay valid). At most 8. */
void host_rom_add(const char *name, const void *data, uint64_t size);
void host_rom_clear(void);

/** Fake user memory: with an arena set, only pointers inside it are program
 *  memory; without, anything but the first 64 KiB and wrapping ranges. */
void host_uaccess_arena(void *base, size_t size);

#endif
