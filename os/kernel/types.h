/* SPDX-License-Identifier: MIT */
/* Kernel-internal basic types and helpers.
 *
 * The kernel is freestanding C11 with GNU extensions; this header supplies the
 * few things a libc would: fixed-width types, bool, NULL, offsetof,
 * container_of, and the compiler attributes the kernel relies on.
 */
#ifndef KIDE_KERNEL_TYPES_H
#define KIDE_KERNEL_TYPES_H

#include <kide/types.h>

typedef kide_u8 u8;
typedef kide_u16 u16;
typedef kide_u32 u32;
typedef kide_u64 u64;
typedef kide_i64 i64;
typedef unsigned long uptr;
typedef unsigned long size_t;
typedef _Bool bool;
#define true 1
#define false 0
#define NULL ((void *)0)

#define offsetof(t, m)        __builtin_offsetof(t, m)
#define container_of(p, t, m) ((t *)((char *)(p)-offsetof(t, m)))
#define noreturn              _Noreturn
#define unlikely(x)           __builtin_expect(!!(x), 0)
#define likely(x)             __builtin_expect(!!(x), 1)
#define ALIGN_UP(x, a)        (((x) + (a)-1) & ~((u64)(a)-1))
#define ARRAY_SIZE(a)         (sizeof(a) / sizeof((a)[0]))
#define PAGE_SIZE             4096ul
#define PAGE_SHIFT            12

void *memset(void *d, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
