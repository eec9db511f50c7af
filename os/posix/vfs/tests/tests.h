/* SPDX-License-Identifier: MIT */
/* Shared set-up of the VFS's cmocka tests: a VFS with a ram root (1 MiB),
 * a rom mount /data (input.txt, words), a small ram mount /tmp (64 KiB),
 * stdout and stderr to the captured log.
 */
#ifndef VFS_TESTS_H
#define VFS_TESTS_H

#include "host.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#define S0(n)                vfs_sys_##n(0, 0, 0, 0, 0, 0)
#define S1(n, a)             vfs_sys_##n((long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b)          vfs_sys_##n((long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c)       vfs_sys_##n((long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d)    vfs_sys_##n((long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) vfs_sys_##n((long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

extern struct host_backend hb;
extern const char rom_input[], rom_words[];

/** cmocka setup/teardown: the standard VFS above. */
int vfs_setup(void **state);
int vfs_teardown(void **state);
/** Create a file with contents; returns 0. */
int mkfile(const char *path, const char *data);

extern const struct CMUnitTest fs_tests[], io_tests[], abi_tests[], config_tests[];
extern const size_t n_fs_tests, n_io_tests, n_abi_tests, n_config_tests;

#endif
