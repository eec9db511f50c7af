/* SPDX-License-Identifier: MIT */
/* Checked access to program memory (uaccess.h), over the address-space map. */
#include <kide/base.h>
#include "posix.h"
#include "uaccess.h"

int posix_user_ok(const void *p, unsigned long len, int write)
{
    kide_mutex_lock(&posix.lock);
    int ok = posix_vm_access(&posix.vm, (kide_u64)p, len, write);
    kide_mutex_unlock(&posix.lock);
    return ok;
}

long posix_copy_in(void *dst, const void *usr, unsigned long n)
{
    if (!posix_user_ok(usr, n, 0))
        return -L_EFAULT;
    memcpy(dst, usr, n);
    return 0;
}

long posix_copy_out(void *usr, const void *src, unsigned long n)
{
    if (!posix_user_ok(usr, n, 1))
        return -L_EFAULT;
    memcpy(usr, src, n);
    return 0;
}

long posix_copy_path(char *dst, const char *usr, unsigned long max)
{
    if (!max)
        return -L_ENAMETOOLONG;
    /* Page by page: a string may end just before an unmapped page. */
    for (unsigned long i = 0; i < max;) {
        kide_u64 a = (kide_u64)usr + i;
        unsigned long chunk = 4096 - (a & 4095);
        if (chunk > max - i)
            chunk = max - i;
        if (!posix_user_ok((const void *)a, chunk, 0))
            return -L_EFAULT;
        for (unsigned long k = 0; k < chunk; k++, i++) {
            dst[i] = usr[i];
            if (!dst[i])
                return 0;
        }
    }
    dst[max - 1] = 0;
    return -L_ENAMETOOLONG;
}
