/* SPDX-License-Identifier: MIT */
/* hoitaja restart policy and exponential back-off.
 *
 * The first restart waits backoff_ms; each further one doubles the delay up
 * to max_backoff_ms. A child that ran cleanly for a minute before it ended
 * starts over at backoff_ms, so an occasional crash of a long-running
 * service restarts it quickly while a crash loop settles at the maximum.
 */
#include "hoitaja.h"

int hj_should_restart(kide_u8 policy, int faulted, kide_u64 exit_code)
{
    if (policy == HJ_RESTART_ALWAYS)
        return 1;
    if (policy == HJ_RESTART_ON_FAILURE)
        return faulted || exit_code != 0;
    return 0;
}

kide_u64 hj_backoff_next(struct hj_backoff *b, kide_u64 base_ms, kide_u64 max_ms, kide_u64 ran_ns)
{
    if (!b->next_ms || ran_ns >= HJ_CLEAN_RUN_NS || b->next_ms < base_ms)
        b->next_ms = base_ms;
    kide_u64 d = b->next_ms > max_ms ? max_ms : b->next_ms;
    /* Invariant: next_ms <= 2 * max_ms, so doubling cannot overflow (max <= 1 day). */
    b->next_ms = d * 2 > max_ms ? max_ms : d * 2;
    return d;
}
