/* SPDX-License-Identifier: MIT */
/* watch.c: one watch sample from hoitaja's state report (the protocol doc's
 * "A watch sample"). Counters stay cumulative, exactly as hoitaja reports
 * them, so a dropped sample loses resolution, never counts; the client
 * computes rates from two samples. A field the report lacks is written as 0
 * (a child that is not running has no usage). */
#include "kagent.h"

static kide_u64 num(const struct kide_json_doc *d, int obj, const char *key)
{
    kide_u64 v;
    int t = obj >= 0 ? kide_json_find(d, obj, key) : -1;
    return t >= 0 && kide_json_get_u64(d, t, &v) == 0 ? v : 0;
}

static int sub(const struct kide_json_doc *d, int obj, const char *key)
{
    int t = obj >= 0 ? kide_json_find(d, obj, key) : -1;
    return t >= 0 && kide_json_type(d, t) == KIDE_JSON_OBJECT ? t : -1;
}

/* {"used": u, "quota": q} of account object acc. */
static void account(struct kide_json_writer *w, const char *key, const struct kide_json_doc *d,
                    int acc)
{
    kide_json_member_object(w, key);
    kide_json_member_u64(w, "used", num(d, acc, "used"));
    kide_json_member_u64(w, "quota", num(d, acc, "quota"));
    kide_json_end_object(w);
}

static int wanted(const struct kagent_stream *s, const struct kide_json_doc *d, int child)
{
    if (!s->ncomponents)
        return 1;
    int name = kide_json_find(d, child, "name");
    for (unsigned i = 0; i < s->ncomponents && i < KAGENT_WATCH_NAMES; i++)
        if (kide_json_str_eq(d, name, s->components[i]))
            return 1;
    return 0;
}

void kagent_watch_sample(struct kide_json_writer *w, const struct kide_json_doc *d,
                         const struct kagent_stream *s, kide_u64 seq)
{
    int sum = sub(d, 0, "sum");
    kide_json_begin_object(w);
    kide_json_member_u64(w, "seq", seq);
    kide_json_member_u64(w, "time_ns", num(d, 0, "time_ns"));
    kide_json_member_u64(w, "generation", num(d, 0, "generation"));
    kide_json_member_object(w, "habitat");
    account(w, "ram", d, sub(d, 0, "ram"));
    account(w, "caps", d, sub(d, 0, "caps"));
    kide_json_member_object(w, "cpu");
    kide_json_member_u64(w, "ns", num(d, sub(d, sum, "cpu"), "ns"));
    kide_json_member_u64(w, "quota", num(d, sub(d, sum, "cpu"), "quota"));
    kide_json_end_object(w);
    kide_json_member_u64(w, "restarts", num(d, sum, "restarts"));
    kide_json_end_object(w);
    kide_json_key(w, "components");
    kide_json_begin_array(w);
    int children = kide_json_find(d, 0, "children");
    for (int ch = kide_json_first(d, children); ch >= 0; ch = kide_json_next(d, ch)) {
        if (kide_json_type(d, ch) != KIDE_JSON_OBJECT || !wanted(s, d, ch))
            continue;
        int cpu = sub(d, ch, "cpu");
        kide_json_begin_object(w);
        int name = kide_json_find(d, ch, "name"), state = kide_json_find(d, ch, "state");
        kide_json_key(w, "name");
        if (kide_json_type(d, name) == KIDE_JSON_STRING)
            kide_json_value(w, d, name);
        else
            kide_json_string(w, "?");
        kide_json_key(w, "state");
        if (kide_json_type(d, state) == KIDE_JSON_STRING)
            kide_json_value(w, d, state);
        else
            kide_json_string(w, "unknown");
        kide_json_member_object(w, "cpu");
        kide_json_member_u64(w, "ns", num(d, cpu, "ns"));
        kide_json_member_u64(w, "quota", num(d, cpu, "quota"));
        kide_json_end_object(w);
        account(w, "ram", d, sub(d, ch, "ram"));
        account(w, "caps", d, sub(d, ch, "caps"));
        kide_json_member_u64(w, "restarts", num(d, ch, "restarts"));
        kide_json_member_u64(w, "uptime_ns", num(d, ch, "uptime_ns"));
        kide_json_end_object(w);
    }
    kide_json_end_array(w);
    kide_json_end_object(w);
}
