/* SPDX-License-Identifier: MIT */
/* The VFS (os/posix/vfs, docs/posix-vfs.md) in the runtime: its Kide backend
 * with the runtime's hooks (ROM modules, random bytes, SIGPIPE, pending
 * signals) and its configuration from the `posix:` object.
 *
 * ROM modules are mapped once each, read-only, in the heap window: module i
 * (in the order of first use, the program first) at POSIX_ROM_VA + i *
 * ROM_SLOT. At most POSIX_ROMS_MAX (core's KIDE_CORE_ROM_MAX) modules.
 */
#include <kide/base.h>
#include <kide/core_client.h>
#include "posix.h"
#include "posix_config.h"
#include "vfs.h"
#include "vfs_posix.h"
#include "backend_kide.h"

#define ROM_SLOT 0x2000000000ull /* 128 GiB of addresses per module */

static struct {
    char name[POSIX_NAME_MAX + 1];
    kide_u64 size;
} rom[POSIX_ROMS_MAX];
static unsigned nrom;

int posix_rom_map(const char *name, const void **data, kide_u64 *size)
{
    kide_u64 n = strlen(name);
    if (n > POSIX_NAME_MAX)
        return -L_ENOENT;
    kide_mutex_lock(&posix.lock);
    int r = 0;
    unsigned i = 0;
    while (i < nrom && strcmp(rom[i].name, name) != 0)
        i++;
    if (i == nrom) {
        struct kide_core_chan ch = kide_core_self_chan(kide_utcb(), kide_core_portal());
        struct kide_core_rom_req req = {.va = POSIX_ROM_VA + i * ROM_SLOT};
        struct kide_core_rom_rep rep;
        int st = i < POSIX_ROMS_MAX ? KIDE_WIRE_STR(req.name, name, n) : KIDE_QUOTA;
        if (st == KIDE_OK)
            st = kide_core_rom(&ch, &req, &rep);
        if (st == KIDE_OK && rep.size > ROM_SLOT)
            st = KIDE_QUOTA; /* cannot happen with core's modules; keep slots apart */
        if (st == KIDE_OK) {
            memcpy(rom[i].name, name, n + 1);
            rom[i].size = rep.size;
            nrom++;
        } else {
            posix_log("posix: %s: cannot map ROM module '%s' (%s): is it named in the posix "
                      "configuration and in the image?",
                      posix.name, name, kide_status_name(st));
            r = st == KIDE_QUOTA ? -L_ENOMEM : -L_ENOENT;
        }
    }
    if (!r) {
        *data = (const void *)(POSIX_ROM_VA + i * ROM_SLOT);
        *size = rom[i].size;
    }
    kide_mutex_unlock(&posix.lock);
    return r;
}

static int hook_rom(const char *name, const void **data, uint64_t *size)
{
    kide_u64 sz;
    int r = posix_rom_map(name, data, &sz);
    *size = sz;
    return r;
}

static void hook_random(void *buf, size_t n)
{
    if (posix_random(buf, n) == 0)
        return;
    /* No RDRAND/RDSEED: the clock, mixed (said once at start, load.c). */
    kide_u8 *p = buf;
    kide_u64 x = kide_now_ns();
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ull + 1442695040888963407ull;
        p[i] = (kide_u8)(x >> 56);
    }
}

static void hook_sigpipe(void)
{
    if (posix_self() >= 0)
        posix_signal_raise(posix_cur(), L_SIGPIPE);
}

static int hook_signal_pending(void)
{
    int i = posix_self();
    return i >= 0 && (posix.pending & ~posix.thread[i].sigmask) != 0;
}

static const struct vfs_kide_hooks hooks = {hook_rom, hook_random, hook_sigpipe,
                                            hook_signal_pending};

int posix_files_init(const struct posix_config *cfg)
{
    const struct vfs_backend *be;
    struct vfs_config vc;
    char err[160];
    if (vfs_kide_backend(posix.env, &hooks, &be) != 0) {
        posix_log("posix: %s: no semaphore for the file system: raise the child's caps",
                  posix.name);
        return -1;
    }
    vfs_config_from_posix(cfg, NULL, &vc);
    if (vfs_init(&vc, be, err, sizeof(err)) < 0) {
        posix_log("posix: %s: files: %s", posix.name, err);
        return -1;
    }
    return 0;
}
