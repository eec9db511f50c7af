/* SPDX-License-Identifier: MIT */
/* For the host fuzzer (fuzz_session.c): session.c's system calls become
 * functions the fuzzer provides, instead of <kide/sys.h>'s inline stubs. */
#define KIDE_SYS_H
#include <kide/syscall.h>
#include <kide/status.h>
#include <kide/utcb.h>
int kide_revoke(kide_u64 flags, kide_u64 crd);
int kide_assign_dev(kide_u64 flags, kide_u64 pd, kide_u64 page, kide_u64 *units);
int kide_ctrl_sm(kide_u64 op, kide_sel sm, kide_u64 deadline);
int kide_clock(kide_u64 *ns);
