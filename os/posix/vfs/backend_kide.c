/* SPDX-License-Identifier: MIT */
/* The VFS backend over libkide: see backend_kide.h.
 *
 * wait/wake: waiters count themselves under the VFS lock and sleep on one
 * semaphore; wake_all ups it once per counted waiter and starts a new
 * generation. A waiter whose deadline passed first removes itself if no
 * wake_all counted it; if one did, its up stays in the semaphore and makes
 * some later wait return early, which callers allow (they re-check). So no
 * wake is lost and the semaphore's extra count stays below the number of
 * threads.
 */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/core.h>

#include "backend_kide.h"

/* The backend's state is the one static K: the ctx argument is unused. */
#define CTX         __attribute__((unused)) void *ctx
#define KIDE_EINVAL 22
#define KIDE_ENOMEM 12

static struct {
    struct kide_env *env;
    const struct vfs_kide_hooks *hooks;
    struct kide_mutex mx;
    kide_sel sm;
    unsigned waiters;
    u64 gen;
    struct vfs_backend be;
} K;

static void *k_alloc(CTX, size_t size)
{
    return kide_calloc(1, size);
}

static void k_free(CTX, void *p, size_t size)
{
    (void)size; /* the heap knows each block's size */
    kide_free(p);
}

static int k_rom_map(CTX, const char *name, const void **data, uint64_t *size)
{
    if (!K.hooks->rom_map)
        return -KIDE_EINVAL;
    return K.hooks->rom_map(name, data, size);
}

static void k_log(CTX, const char *line, size_t len)
{
    char buf[KIDE_CORE_LOG_MAX + 1];
    if (len > KIDE_CORE_LOG_MAX)
        len = KIDE_CORE_LOG_MAX;
    memcpy(buf, line, len);
    buf[len] = 0;
    kide_log(K.env, "%s", buf);
}

static void k_random(CTX, void *buf, size_t n)
{
    K.hooks->random(buf, n);
}

static uint64_t k_now(CTX)
{
    return kide_now_ns();
}

static void k_lock(CTX)
{
    kide_mutex_lock(&K.mx);
}

static void k_unlock(CTX)
{
    kide_mutex_unlock(&K.mx);
}

static void k_wait(CTX, uint64_t deadline)
{
    u64 gen = K.gen;
    K.waiters++;
    kide_mutex_unlock(&K.mx);
    kide_ctrl_sm(KIDE_CTRL_SM_DOWN, K.sm,
                 deadline == VFS_NO_DEADLINE ? 0 : (deadline ? deadline : 1));
    kide_mutex_lock(&K.mx);
    if (K.gen == gen && K.waiters)
        K.waiters--; /* timed out before any wake_all counted us */
}

static void k_wake_all(CTX)
{
    for (; K.waiters; K.waiters--)
        kide_ctrl_sm(KIDE_CTRL_SM_UP, K.sm, 0);
    K.gen++;
}

static void k_sigpipe(CTX)
{
    if (K.hooks->sigpipe)
        K.hooks->sigpipe();
}

static int k_signal_pending(CTX)
{
    return K.hooks->signal_pending ? K.hooks->signal_pending() : 0;
}

int vfs_kide_backend(struct kide_env *env, const struct vfs_kide_hooks *hooks,
                     const struct vfs_backend **out)
{
    if (!hooks || !hooks->random)
        return -KIDE_EINVAL;
    K.env = env;
    K.hooks = hooks;
    if (kide_mutex_init(env, &K.mx) != KIDE_OK || kide_sm_create(env, 0, &K.sm) != KIDE_OK)
        return -KIDE_ENOMEM;
    K.be = (struct vfs_backend){
            .ctx = &K,
            .alloc = k_alloc,
            .free = k_free,
            .rom_map = k_rom_map,
            .log_write = k_log,
            .log_max = KIDE_CORE_LOG_MAX,
            .random = k_random,
            .now_ns = k_now,
            .lock = k_lock,
            .unlock = k_unlock,
            .wait = k_wait,
            .wake_all = k_wake_all,
            .sigpipe = k_sigpipe,
            .signal_pending = k_signal_pending,
    };
    *out = &K.be;
    return 0;
}
