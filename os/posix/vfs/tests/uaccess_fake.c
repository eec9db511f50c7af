/* SPDX-License-Identifier: MIT */
/* Fake user memory for the host tests and the fuzzer (see host.h). */
#include "host.h"

#include <errno.h>
#include <string.h>

static uintptr_t arena_lo, arena_hi;

void host_uaccess_arena(void *base, size_t size)
{
    arena_lo = (uintptr_t)base;
    arena_hi = arena_lo + size;
}

int posix_user_ok(const void *p, unsigned long len, int write)
{
    uintptr_t a = (uintptr_t)p;
    if (a + len < a)
        return 0;
    if (arena_lo)
        return a >= arena_lo && a + len <= arena_hi;
    return a >= 0x10000;
}

long posix_copy_in(void *dst, const void *usr, unsigned long n)
{
    if (!posix_user_ok(usr, n, 0))
        return -EFAULT;
    memcpy(dst, usr, n);
    return 0;
}

long posix_copy_out(void *usr, const void *src, unsigned long n)
{
    if (!posix_user_ok(usr, n, 1))
        return -EFAULT;
    memcpy(usr, src, n);
    return 0;
}

long posix_copy_path(char *dst, const char *usr, unsigned long max)
{
    uintptr_t a = (uintptr_t)usr;
    if (!posix_user_ok(usr, 1, 0))
        return -EFAULT;
    unsigned long room = arena_lo ? arena_hi - a : max;
    unsigned long n = strnlen(usr, room < max ? room : max);
    if (n == room && room < max)
        return -EFAULT; /* runs off the end of program memory */
    if (n == max)
        return -ENAMETOOLONG;
    memcpy(dst, usr, n + 1);
    return 0;
}
