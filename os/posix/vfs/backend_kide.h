/* SPDX-License-Identifier: MIT */
/* The VFS's backend inside the POSIX runtime component (backend_kide.c).
 *
 * Memory from the component heap (kide_calloc: charged to the component's
 * RAM quota, NULL when it is spent), the log through kide_log, the clock
 * kide_now_ns, the lock a kide_mutex and the wait a semaphore with a
 * deadline. What only the runtime knows comes as hooks: where ROM modules
 * are mapped (the runtime owns the address space and maps the program's ELF
 * the same way), random bytes (the runtime's generator also makes AT_RANDOM)
 * and signals.
 */
#ifndef VFS_BACKEND_KIDE_H
#define VFS_BACKEND_KIDE_H

#include "backend.h"

struct kide_env;

/* Called with the VFS lock held: a hook must not call into the VFS. */
struct vfs_kide_hooks {
    /** Required for rom mounts and stdin rom: map ROM module `name` read-only
     *  once, 0 and *data and *size, or -ENOENT (not named for this component) or
     *  -ENOMEM. */
    int (*rom_map)(const char *name, const void **data, uint64_t *size);
    /** Required: n random bytes (/dev/urandom, /dev/random). */
    void (*random)(void *buf, size_t n);
    /** Optional: a write hit a pipe without readers (raise SIGPIPE). */
    void (*sigpipe)(void);
    /** Optional: nonzero when the calling thread has a signal to handle. */
    int (*signal_pending)(void);
};

/** Make the backend (one per component): 0 and *out set, or a negative errno
 *  (-ENOMEM: no semaphore for the lock). hooks must outlive the VFS. */
int vfs_kide_backend(struct kide_env *env, const struct vfs_kide_hooks *hooks,
                     const struct vfs_backend **out);

#endif
