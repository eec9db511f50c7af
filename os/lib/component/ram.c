/* SPDX-License-Identifier: MIT */
/* RAM: the heap's backend, dataspaces (kide_ram_alloc) and the quota.
 *
 * RAM is mapped with KIDE_CORE_RAM_ALLOC at addresses the component picks:
 * the heap's from its own range (bumped under the heap lock, never reused, so
 * a stale pointer faults instead of aliasing), the dataspaces' from theirs
 * under the misc lock.
 */
#include <kide/base.h>
#include "rt.h"

static kide_u64 heap_next = RT_HEAP_VA, ds_next = RT_DS_VA;

static int core_map(kide_u64 va, kide_u64 size)
{
    kide_u64 req[4] = {KIDE_CORE_RAM_ALLOC, va, size, KIDE_MEM_R | KIDE_MEM_W}, res[1];
    return rt_core(req, 4, res, 1);
}

static int core_unmap(kide_u64 va, kide_u64 size)
{
    kide_u64 req[3] = {KIDE_CORE_RAM_FREE, va, size}, res[1];
    return rt_core(req, 3, res, 1);
}

/* ---- heap backend (called with the heap lock held) ---- */

int rt_heap_map(kide_u64 size, void **addr)
{
    if (size > RT_HEAP_VA_END - heap_next)
        return KIDE_QUOTA;
    int st = core_map(heap_next, size);
    if (st != KIDE_OK)
        return st;
    *addr = (void *)heap_next;
    heap_next += size;
    return KIDE_OK;
}

void rt_heap_unmap(void *addr, kide_u64 size)
{
    core_unmap((kide_u64)addr, size);
}

void rt_heap_lock(void)
{
    kide_mutex_lock(&rt_env.heap_mx);
}
void rt_heap_unlock(void)
{
    kide_mutex_unlock(&rt_env.heap_mx);
}

/* ---- dataspaces ---- */

int kide_ram_alloc(struct kide_env *env, kide_u64 size, void **addr)
{
    if (!addr || !size || size > RT_DS_VA_END - RT_DS_VA)
        return KIDE_BAD_PARAM;
    size = (size + 4095) & ~4095ull;
    kide_mutex_lock(&env->misc_mx);
    kide_u64 va = ds_next;
    int st = size > RT_DS_VA_END - va ? KIDE_QUOTA : KIDE_OK;
    if (st == KIDE_OK)
        ds_next += size;
    kide_mutex_unlock(&env->misc_mx);
    if (st == KIDE_OK)
        st = core_map(va, size);
    if (st == KIDE_OK)
        *addr = (void *)va;
    return st;
}

int kide_ram_free(struct kide_env *env, void *addr, kide_u64 size)
{
    (void)env;
    kide_u64 va = (kide_u64)addr;
    if ((va & 4095) || !size)
        return KIDE_BAD_PARAM;
    size = (size + 4095) & ~4095ull;
    if (va < RT_DS_VA || va >= RT_DS_VA_END || size > RT_DS_VA_END - va)
        return KIDE_BAD_ADDR;
    return core_unmap(va, size);
}

int kide_quota(struct kide_env *env, struct kide_quota *q)
{
    (void)env;
    memset(q, 0, sizeof(*q));
    kide_u64 req[1] = {KIDE_CORE_QUOTA}, res[7];
    int st = rt_core(req, 1, res, 7);
    if (st == KIDE_OK) {
        q->ram_quota = res[1];
        q->ram_used = res[2];
        q->caps_quota = res[3];
        q->caps_used = res[4];
        q->cpu_ns = res[5];
        q->yield_request = res[6];
    }
    return st;
}
