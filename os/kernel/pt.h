/* SPDX-License-Identifier: MIT */
/* Portal: an IPC entry point, bound for life to a handler EC and an entry IP.
 * Stateless apart from its id, which the handler receives to tell callers apart. */
#ifndef KIDE_PT_H
#define KIDE_PT_H

#include "kobj.h"

struct ec;

struct pt {
    struct kobj obj;
    struct ec *ec; /**< handler (holds a reference) */
    u64 ip;        /**< where the handler starts */
    u64 id;        /**< passed in RDI */
};

struct pt *pt_create(struct pd *charge, struct ec *ec, u64 ip, u64 id, int *rc);
void pt_free(struct pt *pt);

#endif
