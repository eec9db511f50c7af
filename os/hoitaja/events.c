/* SPDX-License-Identifier: MIT */
/* hoitaja management events: a ring of the newest HJ_EVENTS_RING events.
 *
 * Every event gets the next sequence number (from 1); a reader asks for the
 * events after the last one it saw and learns how many it lost when the ring
 * overwrote them before it came back. The slot of sequence s is
 * s % HJ_EVENTS_RING. Pure: the caller serialises access.
 */
#include "hoitaja.h"

void hj_events_init(struct hj_events *e)
{
    memset(e, 0, sizeof(*e));
    e->next_seq = 1;
}

kide_u64 hj_events_push(struct hj_events *e, kide_u64 type, const char *child, kide_u64 time_ns,
                        kide_u64 a, kide_u64 b)
{
    struct kide_mgmt_event *ev = &e->ev[e->next_seq % HJ_EVENTS_RING];
    memset(ev, 0, sizeof(*ev));
    ev->seq = e->next_seq;
    ev->type = type;
    ev->time_ns = time_ns;
    ev->a = a;
    ev->b = b;
    kide_u64 n = child ? strlen(child) : 0;
    if (n > sizeof(ev->child) - 1)
        n = sizeof(ev->child) - 1;
    if (n)
        memcpy(ev->child, child, n);
    return e->next_seq++;
}

unsigned hj_events_read(const struct hj_events *e, kide_u64 after, struct kide_mgmt_event *out,
                        unsigned max, kide_u64 *first, kide_u64 *lost)
{
    kide_u64 oldest = e->next_seq > HJ_EVENTS_RING ? e->next_seq - HJ_EVENTS_RING : 1;
    kide_u64 from = after + 1;
    *lost = 0;
    if (from < oldest) {
        *lost = after ? oldest - from : 0;
        from = oldest;
    }
    unsigned n = 0;
    *first = from;
    for (kide_u64 s = from; s < e->next_seq && n < max; s++)
        out[n++] = e->ev[s % HJ_EVENTS_RING];
    return n;
}
