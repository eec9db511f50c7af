/* SPDX-License-Identifier: MIT */
/* Kide ABI: fixed-width types shared by kernel and user space.
 *
 * The ABI headers must compile in the freestanding kernel, in native
 * components and in host tools, so they depend on nothing but the compiler.
 */
#ifndef KIDE_TYPES_H
#define KIDE_TYPES_H

typedef unsigned char kide_u8;
typedef unsigned short kide_u16;
typedef unsigned int kide_u32;
typedef __UINT64_TYPE__ kide_u64;
typedef __INT64_TYPE__ kide_i64;
typedef kide_u64 kide_sel; /**< capability selector: index into a PD's capability space */
typedef kide_u64 kide_crd; /**< capability range descriptor, see syscall.h */

#endif
