/* SPDX-License-Identifier: MIT */
/* The kernel's virtual memory layout, shared by C and assembly.
 *
 *   0x0000000000000000 .. 0x00007fffffffffff  user space (per PD)
 *   0xffff800000000000 + phys                 direct map of RAM below 256 GiB (2 MiB
 *                                             pages) and of all below 4 GiB
 *   0xffffffff80000000 + phys                 kernel image (first GiB of RAM)
 * The upper half is shared by every address space: a PD's top-level table
 * copies entries 256..511 of the kernel's, which never change after boot.
 */
#ifndef KIDE_ARCH_LAYOUT_H
#define KIDE_ARCH_LAYOUT_H

#define KERNEL_VBASE 0xffffffff80000000
#define DIRECT_MAP   0xffff800000000000
/* RAM at or above 256 GiB is ignored (main.c says so): the root holds RAM at
 * virtual == physical below the programs linked at 256 GiB (decision 0004).
 * The direct map costs one early page per GiB up to the end of RAM. */
#define DIRECT_MAP_MAX (256ul << 30)
#define KERNEL_PHYS    0x100000
#define AP_TRAMPOLINE  0x8000
#define KSTACK_SIZE    16384

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_UDATA 0x1b /* 0x18 | RPL 3 */
#define GDT_UCODE 0x23 /* 0x20 | RPL 3 */
#define GDT_TSS   0x28

/* Offsets into struct cpu that assembly uses (checked in percpu.h). */
#define CPU_SELF       0
#define CPU_KSTACK_TOP 8
#define CPU_FRAME_TOP  16
#define CPU_SCRATCH    24

#define VEC_SYSCALL 0x100 /* pseudo-vector recorded in frames of system calls */

#endif
