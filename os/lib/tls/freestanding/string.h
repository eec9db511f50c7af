/* SPDX-License-Identifier: MIT */
/* BearSSL and ktls, freestanding build only: <string.h> as Kide's base
 * library provides it (os/lib/base/string.c, linked into every component). */
#ifndef KTLS_FREESTANDING_STRING_H
#define KTLS_FREESTANDING_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
