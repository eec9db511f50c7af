/* SPDX-License-Identifier: MIT */
/* The VFS backend on the host: see host.h. */
#include "host.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t mx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv;

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

static void h_wait(void *ctx, uint64_t deadline)
{
    struct host_backend *hb = ctx;
    if (hb->fuzz) {
        hb->signalled = 1; /* a single thread: a wait could never end */
        return;
    }
    if (deadline == VFS_NO_DEADLINE) {
        pthread_cond_wait(&cv, &mx);
        return;
    }
    struct timespec ts = {(time_t)(deadline / 1000000000ull), (long)(deadline % 1000000000ull)};
    pthread_cond_timedwait(&cv, &mx, &ts);
}

static void h_wake(void *ctx)
{
    pthread_cond_broadcast(&cv);
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

void host_backend_init(struct host_backend *hb, size_t ram_limit, int fuzz)
{
    memset(hb, 0, sizeof(*hb));
    hb->ram_limit = ram_limit;
    hb->fuzz = fuzz;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&cv, &ca);
    pthread_condattr_destroy(&ca);
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
    pthread_cond_destroy(&cv);
}
