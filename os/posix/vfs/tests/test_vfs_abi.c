/* SPDX-License-Identifier: MIT */
/* VFS host tests: the Linux x86_64 numbers and layouts of vfs_linux.h and
 * vfs_table.c against the host's own headers.
 */
#include "tests.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <linux/stat.h>

#include "../vfs_linux.h"

#define N(name)                                                                                    \
    {                                                                                              \
#name, SYS_##name                                                                          \
    }
static const struct {
    const char *name;
    int nr;
} host_nr[] = {
        N(read),      N(write),        N(open),       N(close),       N(stat),
        N(fstat),     N(lstat),        N(poll),       N(lseek),       N(ioctl),
        N(pread64),   N(pwrite64),     N(readv),      N(writev),      N(access),
        N(pipe),      N(select),       N(dup),        N(dup2),        N(sendfile),
        N(fcntl),     N(fsync),        N(fdatasync),  N(truncate),    N(ftruncate),
        N(getcwd),    N(chdir),        N(fchdir),     N(rename),      N(mkdir),
        N(rmdir),     N(creat),        N(link),       N(unlink),      N(symlink),
        N(readlink),  N(chmod),        N(fchmod),     N(umask),       N(statfs),
        N(fstatfs),   N(epoll_create), N(getdents64), N(epoll_wait),  N(epoll_ctl),
        N(openat),    N(mkdirat),      N(newfstatat), N(unlinkat),    N(renameat),
        N(linkat),    N(symlinkat),    N(readlinkat), N(fchmodat),    N(faccessat),
        N(pselect6),  N(ppoll),        N(utimensat),  N(epoll_pwait), N(epoll_create1),
        N(dup3),      N(pipe2),        N(renameat2),  N(statx),       {"faccessat2", 439},
        N(chown),     N(fchown),       N(lchown),     N(fchownat),    N(flock),
        N(fadvise64),
};

static void test_syscall_numbers(void **state)
{
    size_t n = 0;
    for (const struct vfs_syscall *s = vfs_syscalls; s->fn; s++, n++) {
        int found = 0;
        for (size_t i = 0; i < sizeof(host_nr) / sizeof(host_nr[0]); i++) {
            if (strcmp(host_nr[i].name, s->name) == 0) {
                assert_int_equal(s->nr, host_nr[i].nr);
                found = 1;
            }
        }
        if (!found)
            fail_msg("%s: not in the test's list", s->name);
        for (const struct vfs_syscall *t = vfs_syscalls; t != s; t++)
            assert_int_not_equal(t->nr, s->nr);
    }
    assert_int_equal(n, sizeof(host_nr) / sizeof(host_nr[0]));
}

static void test_flags_and_layouts(void **state)
{
    assert_int_equal(LX_O_CREAT, O_CREAT);
    assert_int_equal(LX_O_EXCL, O_EXCL);
    assert_int_equal(LX_O_TRUNC, O_TRUNC);
    assert_int_equal(LX_O_APPEND, O_APPEND);
    assert_int_equal(LX_O_NONBLOCK, O_NONBLOCK);
    assert_int_equal(LX_O_DIRECTORY, O_DIRECTORY);
    assert_int_equal(LX_O_NOFOLLOW, O_NOFOLLOW);
    assert_int_equal(LX_O_CLOEXEC, O_CLOEXEC);
    assert_int_equal(LX_O_PATH, O_PATH);
    assert_int_equal(LX_O_TMPFILE, O_TMPFILE);
    assert_int_equal(LX_O_LARGEFILE, 0100000);
    assert_int_equal(LX_AT_FDCWD, AT_FDCWD);
    assert_int_equal(LX_AT_SYMLINK_NOFOLLOW, AT_SYMLINK_NOFOLLOW);
    assert_int_equal(LX_AT_REMOVEDIR, AT_REMOVEDIR);
    assert_int_equal(LX_AT_EMPTY_PATH, AT_EMPTY_PATH);
    assert_int_equal(LX_F_DUPFD_CLOEXEC, F_DUPFD_CLOEXEC);
    assert_int_equal(LX_F_GETPIPE_SZ, F_GETPIPE_SZ);
    assert_int_equal(LX_EPOLLET, EPOLLET);
    assert_int_equal(LX_EPOLLONESHOT, EPOLLONESHOT);
    assert_int_equal(LX_POLLRDHUP, POLLRDHUP);
    assert_int_equal(LX_TCGETS, TCGETS);
    assert_int_equal(LX_TIOCGWINSZ, TIOCGWINSZ);
    assert_int_equal(LX_FIONREAD, FIONREAD);
    assert_int_equal(LX_FIONBIO, FIONBIO);
    assert_int_equal(LX_FIOCLEX, FIOCLEX);
    assert_int_equal(LX_UTIME_NOW, UTIME_NOW);
    assert_int_equal(LX_UTIME_OMIT, UTIME_OMIT);
    assert_int_equal(ENOTEMPTY, 39);
    assert_int_equal(ELOOP, 40);
    assert_int_equal(sizeof(struct lx_stat), sizeof(struct stat));
    assert_int_equal(offsetof(struct lx_stat, st_size), offsetof(struct stat, st_size));
    assert_int_equal(offsetof(struct lx_stat, st_mtime_sec), offsetof(struct stat, st_mtim));
    assert_int_equal(sizeof(struct lx_statfs), sizeof(struct statfs));
    assert_int_equal(sizeof(struct lx_statx), sizeof(struct statx));
    assert_int_equal(offsetof(struct lx_statx, stx_size), offsetof(struct statx, stx_size));
    assert_int_equal(offsetof(struct lx_statx, stx_mtime), offsetof(struct statx, stx_mtime));
    assert_int_equal(sizeof(struct lx_epoll_event), sizeof(struct epoll_event));
    assert_int_equal(sizeof(struct lx_pollfd), sizeof(struct pollfd));
}

const struct CMUnitTest abi_tests[] = {
        cmocka_unit_test(test_syscall_numbers),
        cmocka_unit_test(test_flags_and_layouts),
};
const size_t n_abi_tests = sizeof(abi_tests) / sizeof(abi_tests[0]);
