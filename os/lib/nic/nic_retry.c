/* SPDX-License-Identifier: MIT */
/* os/lib/nic: the lost-session test and the re-open back-off (nic_retry.h).
 * Invariant: NIC_RETRY_MIN_MS <= wait_ms <= NIC_RETRY_MAX_MS once an attempt
 * failed, so the schedule never overflows and never spins. */
#include <kide/status.h>

#include "nic_retry.h"

int nic_retry_gone(int status)
{
    return status == KIDE_ABORTED || status == KIDE_BAD_CAP;
}

void nic_retry_start(struct nic_retry *r)
{
    r->next_ns = 0;
    r->wait_ms = NIC_RETRY_MIN_MS;
}

int nic_retry_due(const struct nic_retry *r, kide_u64 now_ns)
{
    return now_ns >= r->next_ns;
}

void nic_retry_failed(struct nic_retry *r, kide_u64 now_ns)
{
    kide_u64 w = r->wait_ms < NIC_RETRY_MIN_MS ? NIC_RETRY_MIN_MS : r->wait_ms;
    r->next_ns = now_ns + w * 1000000ull;
    r->wait_ms = w * 2 > NIC_RETRY_MAX_MS ? NIC_RETRY_MAX_MS : w * 2;
}
