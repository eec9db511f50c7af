/* SPDX-License-Identifier: MIT */
/* The VFS's system calls by Linux x86_64 number, for the runtime's table
 * (tests/test_abi.c checks every number against the host's <sys/syscall.h>).
 */
#include "vfs_impl.h"

#define E(nr, name)                                                                                \
    {                                                                                              \
        nr, vfs_sys_##name, #name                                                                  \
    }

const struct vfs_syscall vfs_syscalls[] = {
        E(0, read),           E(1, write),         E(2, open),
        E(3, close),          E(4, stat),          E(5, fstat),
        E(6, lstat),          E(7, poll),          E(8, lseek),
        E(16, ioctl),         E(17, pread64),      E(18, pwrite64),
        E(19, readv),         E(20, writev),       E(21, access),
        E(22, pipe),          E(23, select),       E(32, dup),
        E(33, dup2),          E(40, sendfile),     E(72, fcntl),
        E(73, flock),         E(74, fsync),        E(75, fdatasync),
        E(76, truncate),      E(77, ftruncate),    E(79, getcwd),
        E(80, chdir),         E(81, fchdir),       E(82, rename),
        E(83, mkdir),         E(84, rmdir),        E(85, creat),
        E(86, link),          E(87, unlink),       E(88, symlink),
        E(89, readlink),      E(90, chmod),        E(91, fchmod),
        E(92, chown),         E(93, fchown),       E(94, lchown),
        E(95, umask),         E(137, statfs),      E(138, fstatfs),
        E(213, epoll_create), E(217, getdents64),  E(221, fadvise64),
        E(232, epoll_wait),   E(233, epoll_ctl),   E(257, openat),
        E(258, mkdirat),      E(260, fchownat),    E(262, newfstatat),
        E(263, unlinkat),     E(264, renameat),    E(265, linkat),
        E(266, symlinkat),    E(267, readlinkat),  E(268, fchmodat),
        E(269, faccessat),    E(270, pselect6),    E(271, ppoll),
        E(280, utimensat),    E(281, epoll_pwait), E(291, epoll_create1),
        E(292, dup3),         E(293, pipe2),       E(316, renameat2),
        E(332, statx),        E(439, faccessat2),  {0, NULL, NULL},
};
