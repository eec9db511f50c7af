/* SPDX-License-Identifier: MIT */
/* Access to the program's memory from system calls (docs/posix.md).
 *
 * A pointer from the program is checked against the runtime's address-space
 * map (os/posix/pvm.h) before it is used: the range must be mapped, backed
 * by RAM and readable (write: writable) as the program asked with mmap and
 * mprotect. The copy helpers check, then copy; they never fault the runtime
 * on a pointer the map does not cover. Another thread of the program may
 * unmap the range meanwhile (the runtime checks under its lock, copies after
 * it): the pages then stay mapped until core frees them, which happens under
 * the same lock, so a copy never faults but may read or write stale pages,
 * like a racing program on Linux.
 */
#ifndef POSIX_UACCESS_H
#define POSIX_UACCESS_H

/** 1 if [p, p + len) is program memory the runtime mapped (and may be written: write). */
int posix_user_ok(const void *p, unsigned long len, int write);
/** Copy n bytes from the program. 0 or -EFAULT. */
long posix_copy_in(void *dst, const void *usr, unsigned long n);
/** Copy n bytes to the program. 0 or -EFAULT. */
long posix_copy_out(void *usr, const void *src, unsigned long n);
/** Copy a NUL-terminated string of at most max - 1 bytes. 0, -EFAULT or -ENAMETOOLONG. */
long posix_copy_path(char *dst, const char *usr, unsigned long max);

#endif
