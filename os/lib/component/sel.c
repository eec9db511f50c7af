/* SPDX-License-Identifier: MIT */
/* Shared: capability selectors.
 *
 * The program manages selectors from a first free one up, set by its backend
 * (rt_sel_init): a component from KIDE_COMP_SEL_FREE (below are core's: self,
 * parent, signal, exception portals), core from KIDE_ROOT_SEL_FREE. A bitmap
 * over the 64 Ki slots (8 KiB) hands out naturally aligned blocks of
 * 2^order (order at most RT_SEL_ORDER_MAX), first fit, so a block can be a
 * receive window or one revoke.
 * Guarded by the misc lock: handlers allocate session portals.
 */
#include <kide/base.h>
#include "rt.h"

static kide_u64 map[KIDE_CAP_SLOTS / 64];
static kide_sel first_free;

static int used(kide_sel s)
{
    return map[s / 64] >> (s % 64) & 1;
}

static void mark(kide_sel s, kide_u64 n, int on)
{
    for (kide_u64 i = s; i < s + n; i++) {
        if (on)
            map[i / 64] |= 1ull << (i % 64);
        else
            map[i / 64] &= ~(1ull << (i % 64));
    }
}

void rt_sel_init(kide_sel first)
{
    first_free = first;
    mark(0, first, 1);
}

kide_sel kide_sel_alloc(unsigned order)
{
    if (order > RT_SEL_ORDER_MAX)
        return 0;
    kide_u64 n = 1ull << order;
    kide_sel found = 0;
    kide_mutex_lock(&rt_env.misc_mx);
    for (kide_u64 s = BASE_ALIGN_UP(first_free, n); s + n <= KIDE_CAP_SLOTS && !found; s += n) {
        if (n >= 64 ? map[s / 64] != 0 : map[s / 64] == ~0ull)
            continue;
        int free = 1;
        for (kide_u64 i = s; i < s + n && free; i++)
            free = !used(i);
        if (free) {
            mark(s, n, 1);
            found = s;
        }
    }
    kide_mutex_unlock(&rt_env.misc_mx);
    return found;
}

void kide_sel_free(kide_sel sel, unsigned order)
{
    if (order > RT_SEL_ORDER_MAX)
        return;
    kide_u64 n = 1ull << order;
    if (sel < first_free || sel + n > KIDE_CAP_SLOTS || (sel & (n - 1)))
        return;
    kide_mutex_lock(&rt_env.misc_mx);
    mark(sel, n, 0);
    kide_mutex_unlock(&rt_env.misc_mx);
}

void kide_cap_drop(kide_sel sel)
{
    if (!sel)
        return;
    kide_revoke(KIDE_REVOKE_SELF, KIDE_CRD(KIDE_CRD_OBJ, sel, 0, 0));
    kide_sel_free(sel, 0);
}
