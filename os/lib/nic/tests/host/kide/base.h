/* SPDX-License-Identifier: MIT */
/* Host stand-in for the base library's <kide/base.h>, for test_nic_client.c:
 * the ABI's constants, the C library's string functions, and the one system
 * call nic_client.c makes (kide_ctrl_sm) as a function the test defines, so
 * no real system call is ever made on the host. */
#ifndef KIDE_BASE_H
#define KIDE_BASE_H

#include <string.h>

#include <kide/status.h>
#include <kide/syscall.h>
#include <kide/types.h>

int kide_ctrl_sm(kide_u64 op, kide_sel sm, kide_u64 deadline);

#endif
