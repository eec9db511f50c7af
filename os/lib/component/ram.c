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
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_ram_alloc_req req = {.va = va, .bytes = size, .perm = KIDE_MEM_R | KIDE_MEM_W};
    struct kide_core_ram_alloc_rep rep;
    return kide_core_ram_alloc(&ch, &req, &rep);
}

static int core_unmap(kide_u64 va, kide_u64 size)
{
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_ram_free_req req = {.va = va, .bytes = size};
    struct kide_core_ram_free_rep rep;
    return kide_core_ram_free(&ch, &req, &rep);
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

/* Called without the heap lock: kide_log formats on the stack and calls core. */
void rt_heap_misuse(const char *op, const void *p)
{
    kide_log(&rt_env, "kide: %s(%p): not a live block of this heap (a bad or double free); ignored",
             op, p);
}

/* ---- dataspaces ---- */

int rt_ram_alloc_guarded(kide_u64 size, kide_u64 guard, void **addr)
{
    if (!addr || !size || size > RT_DS_VA_END - RT_DS_VA || guard > RT_DS_VA_END - RT_DS_VA)
        return KIDE_BAD_PARAM;
    size = (size + 4095) & ~4095ull;
    guard = (guard + 4095) & ~4095ull;
    kide_mutex_lock(&rt_env.misc_mx);
    kide_u64 va = ds_next;
    int st = size + guard > RT_DS_VA_END - va ? KIDE_QUOTA : KIDE_OK;
    if (st == KIDE_OK)
        ds_next += guard + size;
    kide_mutex_unlock(&rt_env.misc_mx);
    if (st == KIDE_OK)
        st = core_map(va + guard, size);
    if (st == KIDE_OK)
        *addr = (void *)(va + guard);
    return st;
}

int kide_ram_alloc(struct kide_env *env, kide_u64 size, void **addr)
{
    (void)env;
    return rt_ram_alloc_guarded(size, 0, addr);
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
    struct kide_core_chan ch = rt_core_chan();
    struct kide_core_quota_rep rep;
    int st = kide_core_quota(&ch, &rep);
    if (st == KIDE_OK) {
        q->ram_quota = rep.ram_quota;
        q->ram_used = rep.ram_used;
        q->caps_quota = rep.caps_quota;
        q->caps_used = rep.caps_used;
        q->cpu_ns = rep.cpu_ns;
        q->yield_request = rep.yield_request;
    }
    return st;
}
