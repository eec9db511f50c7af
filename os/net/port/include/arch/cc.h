/* SPDX-License-Identifier: MIT */
/* lwIP port: the compiler and platform definitions lwIP asks every port for.
 *
 * One file for both builds of the stack: the freestanding one of os/net
 * (no C library: string functions from Kide's base library, the few other
 * headers from os/net/port/freestanding/) and the host one of the tests
 * (glibc, ASan/UBSan). Everything that differs goes through the functions
 * of <net/port.h>, which sys_arch.c implements once for both.
 */
#ifndef NET_ARCH_CC_H
#define NET_ARCH_CC_H

#include "net/port.h"

/* Freestanding: no <inttypes.h>, <ctype.h> or <unistd.h>. The format
 * macros below are only used by LWIP_DEBUGF, which is off unless a
 * debugging build defines LWIP_DEBUG. u32_t is unsigned int on x86_64. */
#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H    1
#define LWIP_NO_UNISTD_H   1
#define X8_F               "02x"
#define U16_F              "hu"
#define S16_F              "hd"
#define X16_F              "hx"
#define U32_F              "u"
#define S32_F              "d"
#define X32_F              "x"
#define SZT_F              "zu"

/* ssize_t (etharp.h uses it) without <unistd.h>: long, as glibc and
 * musl define it on x86_64, so the host build's headers agree. */
#include <limits.h>
typedef long ssize_t;
#ifndef SSIZE_MAX
#define SSIZE_MAX LONG_MAX
#endif

#define BYTE_ORDER LITTLE_ENDIAN

/* The byte swaps as the compiler's built-ins (one instruction each). */
#define lwip_htons(x) ((u16_t)__builtin_bswap16((u16_t)(x)))
#define lwip_htonl(x) ((u32_t)__builtin_bswap32((u32_t)(x)))

#define LWIP_PLATFORM_DIAG(x)                                                                      \
    do {                                                                                           \
        net_port_diag x;                                                                           \
    } while (0)
#define LWIP_PLATFORM_ASSERT(x) net_port_assert((x), __FILE__, __LINE__)
#define LWIP_RAND()             net_port_rand()

#endif
