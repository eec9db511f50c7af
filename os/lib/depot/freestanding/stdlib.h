/* SPDX-License-Identifier: MIT */
/* os/lib/depot, freestanding build only: what libsodium's and liblzma's
 * files name from <stdlib.h>. malloc/free exist only as liblzma's fallback
 * when no lzma_allocator is given; depot always gives one, and the stubs
 * (sodium_stubs.c) return NULL / do nothing. abort traps: libsodium calls
 * it only on an impossible internal state. */
#ifndef DEPOT_FS_STDLIB_H
#define DEPOT_FS_STDLIB_H

#include <stddef.h>

void *malloc(size_t n);
void *calloc(size_t n, size_t size);
void free(void *p);
void abort(void) __attribute__((noreturn));

#endif
