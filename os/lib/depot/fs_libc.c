/* SPDX-License-Identifier: MIT */
/* Freestanding build only: the <stdlib.h> names libsodium's and liblzma's
 * files reference (freestanding/stdlib.h says why they are never really
 * used). Kept in their own object so a component with its own allocator
 * does not link these. */
#include <stdlib.h>

void *malloc(size_t n)
{
    (void)n;
    return NULL;
}

void *calloc(size_t n, size_t size)
{
    (void)n, (void)size;
    return NULL;
}

void free(void *p)
{
    (void)p;
}

void abort(void)
{
    __builtin_trap();
}
