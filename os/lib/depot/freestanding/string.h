/* SPDX-License-Identifier: MIT */
/* os/lib/depot, freestanding build only: <string.h> as Kide's base library
 * provides it (os/lib/base/string.c), for libsodium's and liblzma's files. */
#ifndef DEPOT_FS_STRING_H
#define DEPOT_FS_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);

#endif
