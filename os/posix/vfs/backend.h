/* SPDX-License-Identifier: MIT */
/* What the VFS needs from its surroundings: memory, ROM modules, the log, random
 * bytes, a clock and one lock with a wait on it.
 *
 * Two implementations: backend_kide.c in the POSIX runtime component (libkide)
 * and tests/backend_host.c for the host tests and the fuzzer (pthreads, with
 * a RAM budget so quota exhaustion can be tested). The VFS calls nothing else
 * but the user-memory helpers of uaccess (vfs_uaccess.h).
 *
 * Locking: the VFS holds the backend's one lock in every entry point (system
 * calls, vfs_flush, vfs_read_file) and drops it only inside wait(). Every
 * function here is called with the lock held, so none may call back into the
 * VFS (a sigpipe hook that posted a signal and called vfs_wake() would
 * deadlock: raising SIGPIPE for the calling thread needs no wake).
 */
#ifndef VFS_BACKEND_H
#define VFS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#define VFS_NO_DEADLINE UINT64_MAX

struct vfs_backend {
    void *ctx; /**< passed to every function */
    /** `size` zeroed bytes, or NULL when the component's RAM quota is spent (the
     *  VFS answers ENOMEM or ENOSPC, never crashes). File data comes in
     *  VFS_PAGE-byte allocations; metadata in small ones. */
    void *(*alloc)(void *ctx, size_t size);
    /** Give back what alloc returned; size is the size it was asked for. */
    void (*free)(void *ctx, void *p, size_t size);
    /** Map ROM module `name` read-only, once (the VFS keeps the pointer for its
     *  lifetime): 0 and *data, *size set, or a negative errno (-ENOENT: no such
     *  module, -ENOMEM: no quota for the mapping). */
    int (*rom_map)(void *ctx, const char *name, const void **data, uint64_t *size);
    /** Write one line of program output (no newline; len <= log_max). */
    void (*log_write)(void *ctx, const char *line, size_t len);
    size_t log_max; /**< the longest line log_write takes (at least 16) */
    /** Fill buf with n random bytes (/dev/urandom, /dev/random). */
    void (*random)(void *ctx, void *buf, size_t n);
    /** Monotonic clock in ns (timeouts of poll/select/epoll; file times). */
    uint64_t (*now_ns)(void *ctx);
    /** The VFS lock: not recursive; taken by every entry point. */
    void (*lock)(void *ctx);
    void (*unlock)(void *ctx);
    /** Called with the lock held: release it, sleep until wake_all() is called
     *  or the monotonic clock reaches deadline_ns (VFS_NO_DEADLINE: none), take
     *  it again. May return early (callers re-check their condition); must not
     *  miss a wake_all() that happens after the call began. */
    void (*wait)(void *ctx, uint64_t deadline_ns);
    /** Wake every thread in wait(). Called with the lock held. */
    void (*wake_all)(void *ctx);
    /** Optional: a write found a pipe without readers (the runtime raises
     *  SIGPIPE; the call returns -EPIPE either way). */
    void (*sigpipe)(void *ctx);
    /** Optional: nonzero when the calling thread has a signal to handle; a
     *  blocking call then returns -EINTR. The runtime calls vfs_wake() when it
     *  posts a signal. */
    int (*signal_pending)(void *ctx);
};

#endif
