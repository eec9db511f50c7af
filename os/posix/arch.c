/* SPDX-License-Identifier: MIT */
/* The kernel's POSIX operations (docs/kernel.md, "POSIX system-call
 * reflection"): the generated kide_ctrl_ec stub adapted to the runtime.
 */
#include <kide/base.h>
#include "posix.h"

int posix_arch_reflect(kide_sel ec, kide_u64 entry, kide_u64 lo, kide_u64 hi)
{
    kide_u64 state, fault, addr;
    return kide_ctrl_ec(KIDE_CTRL_EC_POSIX, ec, entry, lo, hi, &state, &fault, &addr);
}

int posix_arch_set_fs(kide_sel ec, kide_u64 base)
{
    kide_u64 state, fault, addr;
    return kide_ctrl_ec(KIDE_CTRL_EC_FS, ec, base, 0, 0, &state, &fault, &addr);
}
