/* SPDX-License-Identifier: MIT */
/* Kide ABI: how a machine's end reaches QEMU's isa-debug-exit device.
 *
 * The image runs with `-device isa-debug-exit,iobase=0xf4,iosize=0x04`. A
 * write of value v to the port ends QEMU with status 2 * v + 1, so code 0
 * (success) could not be told from QEMU's own 1: every code goes out as
 * KIDE_QEMU_EXIT_BASE + code, and QEMU's status is 2 * (0x10 + code) + 1
 * (33 for success, 35 for the usual failure). A status is 8 bits, so codes
 * above KIDE_QEMU_EXIT_CODE_MAX are cut to it. Core (a component's exit
 * ends the machine), krt's panic and goa's QEMU backend (which maps the
 * status back to the component's code) all use these; the kernel's own
 * panic writes 0x12 (status 37) in assembly.
 *
 * Like every ABI header this compiles in the kernel, in native components
 * and in host tools: it depends on nothing but the compiler.
 */
#ifndef KIDE_QEMU_EXIT_H
#define KIDE_QEMU_EXIT_H

#include "types.h"

#define KIDE_QEMU_EXIT_PORT     0xf4u /**< isa-debug-exit's iobase */
#define KIDE_QEMU_EXIT_BASE     0x10u /**< the value written for code 0 */
#define KIDE_QEMU_EXIT_CODE_MAX 111u  /**< 2 * (0x10 + 111) + 1 = 255, the largest status */

/** The value to write for exit code `code` (a constant expression; no cut). */
#define KIDE_QEMU_EXIT_VALUE(code) (KIDE_QEMU_EXIT_BASE + (code))

/** The value to write for any code: above KIDE_QEMU_EXIT_CODE_MAX (negative
 *  ones cast to kide_u64 included) it is cut to that. */
static inline kide_u32 kide_qemu_exit_value(kide_u64 code)
{
    return KIDE_QEMU_EXIT_VALUE(
            (kide_u32)(code > KIDE_QEMU_EXIT_CODE_MAX ? KIDE_QEMU_EXIT_CODE_MAX : code));
}

/** The exit code QEMU's status carries, or -1 if the status is no isa-debug-exit
 *  of an exit code (QEMU failed, the machine reset, a signal). */
static inline int kide_qemu_exit_decode(int status)
{
    if (!(status & 1) || status < (int)(2 * KIDE_QEMU_EXIT_BASE + 1) || status > 255)
        return -1;
    return (status - 1) / 2 - (int)KIDE_QEMU_EXIT_BASE;
}

#endif
