/* SPDX-License-Identifier: MIT */
/* The VFS's host tests: set-up and the runner of the three groups
 * (test_vfs_fs.c: files, paths and directories; test_vfs_io.c: pipes, poll,
 * select, epoll, the log; test_vfs_abi.c: the Linux numbers and layouts;
 * test_vfs_config.c: from a posix configuration).
 */
#include "tests.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

struct host_backend hb;
const char rom_input[] = "line one\nline two\n";
const char rom_words[] = "alpha beta gamma";

int vfs_setup(void **state)
{
    char err[160];
    host_backend_init(&hb, 0, 0);
    host_rom_clear();
    host_rom_add("input.txt", rom_input, sizeof(rom_input) - 1);
    host_rom_add("words", rom_words, sizeof(rom_words) - 1);
    struct vfs_config cfg = {
            .exe = "/bin/hello",
            .cwd = "/",
            .mounts = {{.path = "/", .type = VFS_MOUNT_RAM, .size = 1 << 20},
                       {.path = "/data",
                        .type = VFS_MOUNT_ROM,
                        .modules = {"input.txt", "words"},
                        .n_modules = 2},
                       {.path = "/tmp", .type = VFS_MOUNT_RAM, .size = 64 << 10}},
            .n_mounts = 3,
    };
    int r = vfs_init(&cfg, &hb.be, err, sizeof(err));
    if (r != 0)
        fprintf(stderr, "vfs_init: %s\n", err);
    return r;
}

int vfs_teardown(void **state)
{
    vfs_fini();
    host_backend_fini(&hb);
    if (hb.ram_used != 0) {
        fprintf(stderr, "leak: %zu bytes still allocated after vfs_fini\n", hb.ram_used);
        return -1;
    }
    return 0;
}

int mkfile(const char *path, const char *data)
{
    long fd = S3(open, path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        return (int)fd;
    long n = S3(write, fd, data, strlen(data));
    S1(close, fd);
    return n == (long)strlen(data) ? 0 : -1;
}

int main(void)
{
    int rc = 0;
    rc |= _cmocka_run_group_tests("vfs-fs", fs_tests, n_fs_tests, NULL, NULL);
    rc |= _cmocka_run_group_tests("vfs-io", io_tests, n_io_tests, NULL, NULL);
    rc |= _cmocka_run_group_tests("vfs-abi", abi_tests, n_abi_tests, NULL, NULL);
    rc |= _cmocka_run_group_tests("vfs-config", config_tests, n_config_tests, NULL, NULL);
    return rc;
}
