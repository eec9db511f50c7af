/* SPDX-License-Identifier: MIT */
/* The Linux x86_64 ABI the VFS speaks: errno values, flags and the layouts of
 * the structures its system calls copy to and from the program.
 *
 * Written from the Linux UAPI's documented values so the VFS builds
 * freestanding (no libc headers in the component). Errno names are the plain
 * ones, guarded, so a host test may include <errno.h> too (the values are the
 * same); everything else carries an LX_ prefix. The host tests check every
 * value against the host's own headers (tests/test_abi.c).
 */
#ifndef VFS_LINUX_H
#define VFS_LINUX_H

#include <stddef.h>
#include <stdint.h>

#ifndef EPERM
#define EPERM        1
#define ENOENT       2
#define EINTR        4
#define EIO          5
#define ENXIO        6
#define E2BIG        7
#define EBADF        9
#define EAGAIN       11
#define ENOMEM       12
#define EACCES       13
#define EFAULT       14
#define EBUSY        16
#define EEXIST       17
#define EXDEV        18
#define ENOTDIR      20
#define EISDIR       21
#define EINVAL       22
#define ENFILE       23
#define EMFILE       24
#define ENODEV       19
#define ENOTTY       25
#define EFBIG        27
#define ENOSPC       28
#define ESPIPE       29
#define EROFS        30
#define EMLINK       31
#define EPIPE        32
#define ERANGE       34
#define ENAMETOOLONG 36
#define ENOSYS       38
#define ENOTEMPTY    39
#define ELOOP        40
#define EOVERFLOW    75
#define EOPNOTSUPP   95
#endif

#define LX_PATH_MAX 4096
#define LX_NAME_MAX 255
#define LX_PIPE_BUF 4096

/* open(2) */
#define LX_O_ACCMODE   03
#define LX_O_RDONLY    00
#define LX_O_WRONLY    01
#define LX_O_RDWR      02
#define LX_O_CREAT     0100
#define LX_O_EXCL      0200
#define LX_O_NOCTTY    0400
#define LX_O_TRUNC     01000
#define LX_O_APPEND    02000
#define LX_O_NONBLOCK  04000
#define LX_O_DSYNC     010000
#define LX_O_ASYNC     020000
#define LX_O_DIRECT    040000
#define LX_O_LARGEFILE 0100000
#define LX_O_DIRECTORY 0200000
#define LX_O_NOFOLLOW  0400000
#define LX_O_NOATIME   01000000
#define LX_O_CLOEXEC   02000000
#define LX_O_SYNC      04010000
#define LX_O_PATH      010000000
#define LX_O_TMPFILE   020200000

#define LX_AT_FDCWD            (-100)
#define LX_AT_SYMLINK_NOFOLLOW 0x100
#define LX_AT_REMOVEDIR        0x200
#define LX_AT_EACCESS          0x200
#define LX_AT_SYMLINK_FOLLOW   0x400
#define LX_AT_NO_AUTOMOUNT     0x800
#define LX_AT_EMPTY_PATH       0x1000
#define LX_AT_STATX_SYNC_TYPE  0x6000

/* fcntl(2) */
#define LX_F_DUPFD         0
#define LX_F_GETFD         1
#define LX_F_SETFD         2
#define LX_F_GETFL         3
#define LX_F_SETFL         4
#define LX_F_GETLK         5
#define LX_F_SETLK         6
#define LX_F_SETLKW        7
#define LX_F_DUPFD_CLOEXEC 1030
#define LX_F_GETPIPE_SZ    1032
#define LX_FD_CLOEXEC      1

/* mode bits */
#define LX_S_IFMT   0170000
#define LX_S_IFSOCK 0140000
#define LX_S_IFLNK  0120000
#define LX_S_IFREG  0100000
#define LX_S_IFDIR  0040000
#define LX_S_IFCHR  0020000
#define LX_S_IFIFO  0010000

#define LX_DT_FIFO 1
#define LX_DT_CHR  2
#define LX_DT_DIR  4
#define LX_DT_REG  8
#define LX_DT_LNK  10

#define LX_SEEK_SET  0
#define LX_SEEK_CUR  1
#define LX_SEEK_END  2
#define LX_SEEK_DATA 3
#define LX_SEEK_HOLE 4

#define LX_R_OK 4
#define LX_W_OK 2
#define LX_X_OK 1

#define LX_RENAME_NOREPLACE 1

/* poll(2), epoll(7) */
#define LX_POLLIN     0x001
#define LX_POLLPRI    0x002
#define LX_POLLOUT    0x004
#define LX_POLLERR    0x008
#define LX_POLLHUP    0x010
#define LX_POLLNVAL   0x020
#define LX_POLLRDNORM 0x040
#define LX_POLLWRNORM 0x100
#define LX_POLLRDHUP  0x2000

#define LX_EPOLL_CLOEXEC  LX_O_CLOEXEC
#define LX_EPOLL_CTL_ADD  1
#define LX_EPOLL_CTL_DEL  2
#define LX_EPOLL_CTL_MOD  3
#define LX_EPOLLEXCLUSIVE (1u << 28)
#define LX_EPOLLWAKEUP    (1u << 29)
#define LX_EPOLLONESHOT   (1u << 30)
#define LX_EPOLLET        (1u << 31)

/* ioctl(2) */
#define LX_TCGETS     0x5401
#define LX_TIOCGWINSZ 0x5413
#define LX_FIONREAD   0x541B
#define LX_FIONBIO    0x5421
#define LX_FIOCLEX    0x5451
#define LX_FIONCLEX   0x5450

#define LX_UTIME_NOW  ((1l << 30) - 1l)
#define LX_UTIME_OMIT ((1l << 30) - 2l)

#define LX_STATX_BASIC_STATS 0x7ffu

#define LX_RAMFS_MAGIC 0x858458f6l
#define LX_PROC_MAGIC  0x9fa0l

struct lx_timespec {
    int64_t tv_sec;
    int64_t tv_nsec;
};

struct lx_timeval {
    int64_t tv_sec;
    int64_t tv_usec;
};

struct lx_iovec {
    uint64_t base;
    uint64_t len;
};

struct lx_stat {
    uint64_t st_dev, st_ino, st_nlink;
    uint32_t st_mode, st_uid, st_gid, pad0;
    uint64_t st_rdev;
    int64_t st_size, st_blksize, st_blocks;
    uint64_t st_atime_sec, st_atime_nsec, st_mtime_sec, st_mtime_nsec, st_ctime_sec, st_ctime_nsec;
    int64_t unused[3];
};
_Static_assert(sizeof(struct lx_stat) == 144, "struct stat");

struct lx_statx_ts {
    int64_t tv_sec;
    uint32_t tv_nsec;
    int32_t reserved;
};

struct lx_statx {
    uint32_t stx_mask, stx_blksize;
    uint64_t stx_attributes;
    uint32_t stx_nlink, stx_uid, stx_gid;
    uint16_t stx_mode, pad1;
    uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
    struct lx_statx_ts stx_atime, stx_btime, stx_ctime, stx_mtime;
    uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
    uint64_t spare[14];
};
_Static_assert(sizeof(struct lx_statx) == 256, "struct statx");

struct lx_statfs {
    int64_t f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t f_fsid[2];
    int64_t f_namelen, f_frsize, f_flags;
    int64_t f_spare[4];
};
_Static_assert(sizeof(struct lx_statfs) == 120, "struct statfs");

/* struct linux_dirent64: this header, then the name and its NUL, padded to 8. */
struct lx_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    uint16_t d_reclen;
    uint8_t d_type;
    char d_name[];
};

struct lx_pollfd {
    int32_t fd;
    int16_t events, revents;
};

/* x86_64's struct epoll_event is packed: 12 bytes. */
struct lx_epoll_event {
    uint32_t events;
    uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct lx_epoll_event) == 12, "struct epoll_event");

struct lx_winsize {
    uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

#endif
