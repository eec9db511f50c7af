/* SPDX-License-Identifier: MIT */
/* Synchronous IPC: call, reply, message and capability transfer. */
#ifndef KIDE_IPC_H
#define KIDE_IPC_H

#include "types.h"

struct ec;
struct pt;

/** Start a call (exc: an exception message) from caller, the current chain
 * head. Does not return if the call starts or the caller waits; otherwise
 * returns the status that explains why not. */
int ipc_call(struct ec *caller, struct pt *pt, bool exc);
/** The current EC, a portal handler serving a call, replies; never returns. */
noreturn void ipc_reply(struct ec *h);

#endif
