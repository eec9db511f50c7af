/* SPDX-License-Identifier: MIT */
/* The VFS backend on the host: see host.h. */
#include "host.h"

#include "../vfs_waitq.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t mx = PTHREAD_MUTEX_INITIALIZER;
/* wait/wake run vfs_waitq, as on Kide, over POSIX semaphores (sems[i] is
 * semaphore handle i), so the host tests exercise the Kide wake logic. */
static struct vfs_waitq wq;
static sem_t sems[VFS_WAITQ_MAX];
static unsigned n_sems;

static struct {
    const char *name;
    const void *data;
    uint64_t size;
} roms[8];
static unsigned n_roms;

void host_rom_add(const char *name, const void *data, uint64_t size)
{
    if (n_roms < 8)
        roms[n_roms++] = (typeof(roms[0])){name, data, size};
}

void host_rom_clear(void)
{
    n_roms = 0;
}

static void *h_alloc(void *ctx, size_t size)
{
    struct host_backend *hb = ctx;
    if (hb->ram_limit && size > hb->ram_limit - hb->ram_used)
        return NULL;
    void *p = calloc(1, size);
    if (p)
        hb->ram_used += size;
    return p;
}

static void h_free(void *ctx, void *p, size_t size)
{
    struct host_backend *hb = ctx;
    hb->ram_used -= size;
    free(p);
}

static int h_rom_map(void *ctx, const char *name, const void **data, uint64_t *size)
{
    for (unsigned i = 0; i < n_roms; i++) {
        if (strcmp(roms[i].name, name) == 0) {
            *data = roms[i].data;
            *size = roms[i].size;
            return 0;
        }
    }
    return -2; /* ENOENT */
}

static void h_log(void *ctx, const char *line, size_t len)
{
    struct host_backend *hb = ctx;
    if (len > HOST_LOG_MAX)
        abort(); /* the VFS must split long lines */
    if (hb->log_n < HOST_LOG_LINES) {
        memcpy(hb->log[hb->log_n], line, len);
        hb->log[hb->log_n][len] = 0;
        hb->log_n++;
    }
}

static void h_random(void *ctx, void *buf, size_t n)
{
    static uint64_t x = 0x9e3779b97f4a7c15ull;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ((uint8_t *)buf)[i] = (uint8_t)x;
    }
}

static uint64_t h_now(void *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void h_lock(void *ctx)
{
    pthread_mutex_lock(&mx);
}

static void h_unlock(void *ctx)
{
    pthread_mutex_unlock(&mx);
}

static int h_sem_new(void *ctx, uint64_t *sem)
{
    if (n_sems == VFS_WAITQ_MAX || sem_init(&sems[n_sems], 0, 0) != 0)
        return -1;
    *sem = n_sems++;
    return 0;
}

static int h_sem_down(void *ctx, uint64_t sem, uint64_t deadline)
{
    if (deadline == VFS_NO_DEADLINE) {
        while (sem_wait(&sems[sem]) != 0) {
            if (errno != EINTR)
                abort();
        }
        return 0;
    }
    struct timespec ts = {(time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull)};
    for (;;) {
        if (sem_clockwait(&sems[sem], CLOCK_MONOTONIC, &ts) == 0)
            return 0;
        if (errno == ETIMEDOUT)
            return 1;
        if (errno != EINTR)
            abort();
    }
}

static void h_sem_up(void *ctx, uint64_t sem)
{
    sem_post(&sems[sem]);
}

static const struct vfs_waitq_ops h_wq_ops = {
        .lock = h_lock,
        .unlock = h_unlock,
        .sem_new = h_sem_new,
        .sem_down = h_sem_down,
        .sem_up = h_sem_up,
};

static void h_wait(void *ctx, uint64_t deadline)
{
    struct host_backend *hb = ctx;
    if (hb->fuzz) {
        hb->signalled = 1; /* a single thread: a wait could never end */
        return;
    }
    vfs_waitq_wait(&wq, deadline);
}

static void h_wake(void *ctx)
{
    vfs_waitq_wake_all(&wq);
}

static void h_sigpipe(void *ctx)
{
    struct host_backend *hb = ctx;
    hb->sigpipes++;
}

static int h_signal_pending(void *ctx)
{
    struct host_backend *hb = ctx;
    int s = hb->signalled;
    hb->signalled = 0;
    return s;
}

/* No thread waits between tests: every semaphore is free. */
static void sems_destroy(void)
{
    for (unsigned i = 0; i < n_sems; i++)
        sem_destroy(&sems[i]);
    n_sems = 0;
}

void host_backend_init(struct host_backend *hb, size_t ram_limit, int fuzz)
{
    memset(hb, 0, sizeof(*hb));
    hb->ram_limit = ram_limit;
    hb->fuzz = fuzz;
    sems_destroy();
    vfs_waitq_init(&wq, &h_wq_ops);
    hb->be = (struct vfs_backend){
            .ctx = hb,
            .alloc = h_alloc,
            .free = h_free,
            .rom_map = h_rom_map,
            .log_write = h_log,
            .log_max = HOST_LOG_MAX,
            .random = h_random,
            .now_ns = h_now,
            .lock = h_lock,
            .unlock = h_unlock,
            .wait = h_wait,
            .wake_all = h_wake,
            .sigpipe = h_sigpipe,
            .signal_pending = h_signal_pending,
    };
}

void host_backend_fini(struct host_backend *hb)
{
    sems_destroy();
}
