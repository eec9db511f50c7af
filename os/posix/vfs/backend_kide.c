/* SPDX-License-Identifier: MIT */
/* The VFS backend over libkide: see backend_kide.h.
 *
 * wait/wake: vfs_waitq (one Kide semaphore per sleeping thread, made on
 * first need and reused; see vfs_waitq.h for why not one shared semaphore).
 */
#include <kide/base.h>
#include <kide/component.h>
#include <kide/core.h>

#include "backend_kide.h"
#include "vfs_waitq.h"

/* The backend's state is the one static K: the ctx argument is unused. */
#define CTX         __attribute__((unused)) void *ctx
#define KIDE_EINVAL 22
#define KIDE_ENOMEM 12

static struct {
    struct kide_env *env;
    const struct vfs_kide_hooks *hooks;
    struct kide_mutex mx;
    struct vfs_waitq wq;
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

static int k_sem_new(CTX, uint64_t *sem)
{
    kide_sel sel;
    if (kide_sm_create(K.env, 0, &sel) != KIDE_OK)
        return -1;
    *sem = sel;
    return 0;
}

static int k_sem_down(CTX, uint64_t sem, uint64_t deadline)
{
    /* The kernel's deadline 0 means none: a deadline of 0 is long past. */
    u64 d = deadline == VFS_NO_DEADLINE ? 0 : (deadline ? deadline : 1);
    return kide_ctrl_sm(KIDE_CTRL_SM_DOWN, (kide_sel)sem, d) != KIDE_OK;
}

static void k_sem_up(CTX, uint64_t sem)
{
    kide_ctrl_sm(KIDE_CTRL_SM_UP, (kide_sel)sem, 0);
}

static const struct vfs_waitq_ops k_wq_ops = {
        .lock = k_lock,
        .unlock = k_unlock,
        .sem_new = k_sem_new,
        .sem_down = k_sem_down,
        .sem_up = k_sem_up,
};

static void k_wait(CTX, uint64_t deadline)
{
    vfs_waitq_wait(&K.wq, deadline);
}

static void k_wake_all(CTX)
{
    vfs_waitq_wake_all(&K.wq);
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
    if (kide_mutex_init(env, &K.mx) != KIDE_OK)
        return -KIDE_ENOMEM;
    vfs_waitq_init(&K.wq, &k_wq_ops);
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
