/* SPDX-License-Identifier: MIT */
/* The user-memory helpers the VFS copies with, as the runtime declares them in
 * os/posix/uaccess.h (the same prototypes; the runtime implements them, the
 * host tests fake them in tests/uaccess_fake.c). Every pointer a program
 * passes goes through these: the VFS never dereferences program memory.
 */
#ifndef VFS_UACCESS_H
#define VFS_UACCESS_H

/** 1 if [p, p + len) is program memory (writable if `write`), else 0. */
int posix_user_ok(const void *p, unsigned long len, int write);
/** Copy from / to program memory: 0 or -EFAULT. */
long posix_copy_in(void *dst, const void *usr, unsigned long n);
long posix_copy_out(void *usr, const void *src, unsigned long n);
/** Copy a NUL-terminated path of at most max - 1 bytes: 0, -EFAULT or
 *  -ENAMETOOLONG (no NUL within max bytes). */
long posix_copy_path(char *dst, const char *usr, unsigned long max);

#endif
