/* SPDX-License-Identifier: MIT */
/* libFuzzer: random system-call sequences against a fresh VFS per input.
 *
 * The VFS is set up like a program's (a ram root limited to 1 MiB, a rom
 * mount /data, a ram /tmp of 64 KiB) with a RAM quota of 4 MiB, so quota
 * exhaustion is reached. Program memory is a 64 KiB arena (the fake uaccess
 * refuses everything outside it, so a stray pointer is EFAULT, never a
 * host access). One input is a sequence of calls: a byte picks an entry
 * of vfs_syscalls[], then each of its six arguments is a selector byte and
 * its value: a small number, an fd (-1..15 or AT_FDCWD), a path from a list
 * or from the input (copied into the arena), an arena pointer, a size, a
 * flag word or a pointer outside the arena. A first byte of 0xff calls
 * vfs_exec or vfs_read_file (into the arena) instead. Blocking cannot happen on one
 * thread: the backend's wait reports a signal, so blocked calls end with
 * EINTR. After the input the VFS is torn down and every byte the backend
 * handed out must be back (a leak aborts).
 */
#include "host.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_SIZE (64u << 10)

static uint8_t arena[ARENA_SIZE];
static struct host_backend hb;
static const char rom_a[] = "hello rom\n";
static const char rom_b[] = "second module";

static const char *const paths[] = {
        "/",         "/a",
        "/a/b",      "/f",
        "/tmp/x",    "/data/a",
        "/data/b",   "/dev/null",
        "/dev/zero", "/dev/urandom",
        "/dev/full", "/proc/self/exe",
        "..",        ".",
        "a/../f",    "/l",
        "l/",        "/a/b/c/d",
        "/tmp",      "/data",
        "f/",        "",
        "/a/./b//c", "/dev",
};

struct input {
    const uint8_t *p;
    size_t n;
    size_t path_at; /* where the next path goes in the arena's upper half */
};

static uint8_t take(struct input *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static uint32_t take32(struct input *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | take(in);
    return v;
}

static long put_path(struct input *in, const char *s, size_t len)
{
    if (in->path_at + len + 1 > ARENA_SIZE)
        in->path_at = ARENA_SIZE / 2;
    char *dst = (char *)arena + in->path_at;
    memcpy(dst, s, len);
    dst[len] = 0;
    in->path_at += len + 1;
    return (long)dst;
}

static long arg(struct input *in)
{
    uint8_t sel = take(in);
    switch (sel % 9) {
    case 0:
        return take(in);
    case 1:
        return (long)(take(in) % 18) - 2; /* fds, with -1 and -2 */
    case 2:
        return -100; /* AT_FDCWD */
    case 3: {
        const char *s = paths[take(in) % (sizeof(paths) / sizeof(paths[0]))];
        return put_path(in, s, strlen(s));
    }
    case 4: { /* a path of input bytes */
        size_t len = take(in) % 48;
        char tmp[48];
        for (size_t i = 0; i < len; i++)
            tmp[i] = (char)take(in);
        return put_path(in, tmp, strnlen(tmp, len));
    }
    case 5: /* a buffer in the lower half of the arena */
        return (long)(arena + (take(in) * 128u) % (ARENA_SIZE / 2));
    case 6:
        return (long)(take(in) * take(in) + 1);
    case 7:
        return (long)(int32_t)take32(in);
    default:
        return (sel & 0x10) ? 0 : 16; /* NULL or outside program memory */
    }
}

static void setup(void)
{
    static int once;
    if (!once) {
        host_uaccess_arena(arena, sizeof(arena));
        host_rom_add("a", rom_a, sizeof(rom_a) - 1);
        host_rom_add("b", rom_b, sizeof(rom_b) - 1);
        once = 1;
    }
    host_backend_init(&hb, 4u << 20, 1);
    struct vfs_config cfg = {
            .exe = "/bin/prog",
            .mounts = {{.path = "/", .type = VFS_MOUNT_RAM, .size = 1u << 20},
                       {.path = "/data",
                        .type = VFS_MOUNT_ROM,
                        .modules = {"a", "b"},
                        .n_modules = 2},
                       {.path = "/tmp", .type = VFS_MOUNT_RAM, .size = 64u << 10}},
            .n_mounts = 3,
    };
    char err[160];
    if (vfs_init(&cfg, &hb.be, err, sizeof(err)) != 0) {
        fprintf(stderr, "fuzz_vfs: vfs_init: %s\n", err);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n_calls = 0;
    while (vfs_syscalls[n_calls].fn)
        n_calls++;
    setup();
    struct input in = {data, size, ARENA_SIZE / 2};
    for (int steps = 0; in.n && steps < 256; steps++) {
        uint8_t op = take(&in);
        if (op == 0xff) { /* the runtime's own entry points */
            uint8_t what = take(&in);
            if (what & 1)
                vfs_exec();
            else
                vfs_read_file(take(&in) % 16, take32(&in), arena, take(&in) * 64u);
            continue;
        }
        const struct vfs_syscall *s = &vfs_syscalls[op % n_calls];
        long a[6];
        for (int i = 0; i < 6; i++)
            a[i] = arg(&in);
        long r = s->fn(a[0], a[1], a[2], a[3], a[4], a[5]);
        if (r < -4095) {
            fprintf(stderr, "fuzz_vfs: %s returned %ld, no errno\n", s->name, r);
            abort();
        }
        if ((steps & 7) == 7)
            vfs_flush();
    }
    vfs_fini();
    host_backend_fini(&hb);
    if (hb.ram_used) {
        fprintf(stderr, "fuzz_vfs: %zu bytes not given back after vfs_fini\n", hb.ram_used);
        abort();
    }
    return 0;
}
