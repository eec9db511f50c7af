/* SPDX-License-Identifier: MIT */
/* os/lib/depot: what its files share. The library runs freestanding in
 * Kide (the base library provides the few libc functions below) and hosted
 * in the tests and fuzzers. */
#ifndef DEPOT_INTERNAL_H
#define DEPOT_INTERNAL_H

#include <kide/depot.h>

#include <stdarg.h>

#if defined(__STDC_HOSTED__) && __STDC_HOSTED__
#include <stdio.h>
#include <string.h>
#else
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
int strcmp(const char *a, const char *b);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
#endif

/* Fill err->msg (ERR may be NULL) and return CODE. Formats are the base
 * library's subset: %s %d %u %x with l/z, no precision. */
int depot_fail(struct depot_err *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* The limits with defaults applied. */
struct depot_limits depot_limits_or_default(const struct depot_limits *l);

#endif
