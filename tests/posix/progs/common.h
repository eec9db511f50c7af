/* SPDX-License-Identifier: MIT */
/* Helpers shared by the differential test programs (tests/posix/progs).
 *
 * Every program prints only facts that are the same on every correct system
 * (no addresses, no times, no counts that depend on the allocator), each line
 * short and printable, and ends with a defined exit code. stdout is made
 * line-buffered so that output before a deliberate crash (abort, a NULL
 * write) is not lost in the stdio buffer: the same on Kide and on Linux.
 */
#ifndef POSIX_TEST_COMMON_H
#define POSIX_TEST_COMMON_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The symbolic name of an errno value: the tests print names, not numbers
 * or strerror() texts, so a mismatch reads as "ENOENT vs EEXIST". */
static inline const char *errno_name(int e)
{
    switch (e) {
    case 0:
        return "OK";
    case EPERM:
        return "EPERM";
    case ENOENT:
        return "ENOENT";
    case EINTR:
        return "EINTR";
    case EIO:
        return "EIO";
    case EBADF:
        return "EBADF";
    case EAGAIN:
        return "EAGAIN";
    case ENOMEM:
        return "ENOMEM";
    case EACCES:
        return "EACCES";
    case EFAULT:
        return "EFAULT";
    case EBUSY:
        return "EBUSY";
    case EEXIST:
        return "EEXIST";
    case EXDEV:
        return "EXDEV";
    case ENOTDIR:
        return "ENOTDIR";
    case EISDIR:
        return "EISDIR";
    case EINVAL:
        return "EINVAL";
    case EMFILE:
        return "EMFILE";
    case ENOTTY:
        return "ENOTTY";
    case EFBIG:
        return "EFBIG";
    case ENOSPC:
        return "ENOSPC";
    case ESPIPE:
        return "ESPIPE";
    case EROFS:
        return "EROFS";
    case EPIPE:
        return "EPIPE";
    case ERANGE:
        return "ERANGE";
    case ENAMETOOLONG:
        return "ENAMETOOLONG";
    case ENOSYS:
        return "ENOSYS";
    case ENOTEMPTY:
        return "ENOTEMPTY";
    case ELOOP:
        return "ELOOP";
    case ETIMEDOUT:
        return "ETIMEDOUT";
    default:
        return "E?";
    }
}

/* Print "what: OK" for a call that returned >= 0, else "what: ENAME". */
static inline void report(const char *what, long rc)
{
    printf("%s: %s\n", what, rc < 0 ? errno_name(errno) : "OK");
}

/* Stop with a message naming the step when a step that must work did not:
 * exit code 1, distinct from every expected outcome. */
static inline void must(int ok, const char *what)
{
    if (!ok) {
        printf("FAILED %s: %s\n", what, errno_name(errno));
        exit(1);
    }
}

static inline void line_buffered(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
}

#endif
