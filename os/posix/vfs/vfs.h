/* SPDX-License-Identifier: MIT */
/* The POSIX runtime's VFS: its file systems, file descriptors and every
 * file-descriptor system call (docs/posix-vfs.md).
 *
 * The runtime calls vfs_init once before the program starts, puts
 * vfs_syscalls[] into its system-call table by number, calls vfs_flush when
 * the program ends (exit, exit_group, a fatal signal) and vfs_read_file for
 * mmap of a file. Each vfs_sys_* takes the Linux arguments as longs and
 * returns what Linux returns (a negative errno on failure).
 */
#ifndef VFS_H
#define VFS_H

#include "backend.h"

#include <stddef.h>
#include <stdint.h>

#define VFS_MOUNTS_MAX  16
#define VFS_MODULES_MAX 8
#define VFS_FDS_MAX     1024 /**< RLIMIT_NOFILE */

enum vfs_mount_type { VFS_MOUNT_RAM, VFS_MOUNT_ROM };
enum vfs_stdin { VFS_STDIN_NONE, VFS_STDIN_ROM };
enum vfs_stdout { VFS_STDOUT_LOG, VFS_STDOUT_FILE };

/** One mount of the configuration (posix: mounts[]). */
struct vfs_mount_cfg {
    const char *path;                     /**< absolute; "/" at most once */
    enum vfs_mount_type type;             /**< ram or rom */
    uint64_t size;                        /**< ram: byte limit of its data (0: none
                                               but the RAM quota) */
    const char *modules[VFS_MODULES_MAX]; /**< rom: each module a file of that name */
    unsigned n_modules;
};

/** What the VFS takes from the posix configuration (the runtime fills it from
 *  struct posix_config; vfs_config_from_posix does it where that header is
 *  available). Strings are copied by vfs_init. */
struct vfs_config {
    const char *exe; /**< /proc/self/exe's target, e.g. "/bin/hello" */
    const char *cwd; /**< the initial working directory ("/" if NULL) */
    struct vfs_mount_cfg mounts[VFS_MOUNTS_MAX];
    unsigned n_mounts; /**< 0: one ram mount at / */
    enum vfs_stdin stdin_kind;
    const char *stdin_rom; /**< VFS_STDIN_ROM: the module */
    enum vfs_stdout stdout_kind, stderr_kind;
    const char *stdout_path; /**< VFS_STDOUT_FILE: the file (created, truncated) */
    const char *stderr_path;
    uint64_t pipe_size; /**< a pipe's buffer, 0: 64 KiB */
};

/** Set the VFS up: the backend (kept by pointer: it must outlive the VFS),
 *  the mounts, /dev, /proc/self, the cwd and fds 0, 1 and 2. Returns 0, or a
 *  negative errno with a sentence naming the problem in err (e.g. a rom
 *  module that cannot be mapped). */
int vfs_init(const struct vfs_config *cfg, const struct vfs_backend *be, char *err, size_t errlen);
/** Write out buffered output: the partial last line of fds 1 and 2 when they
 *  go to the log. Call at program exit. */
void vfs_flush(void);
/** Free everything vfs_init and the program made (host tests, fuzzer). */
void vfs_fini(void);
/** Wake every blocked call (poll, pipe read, ...) so it re-checks its state:
 *  the runtime calls it after posting a signal. */
void vfs_wake(void);

/** For mmap of a file: copy up to len bytes at offset off of the regular file
 *  open as fd into the runtime's buffer dst. Returns the bytes copied (short
 *  at the end of file), -EBADF, -EACCES (not open for reading), -ENODEV (not a
 *  regular file). */
long vfs_read_file(int fd, uint64_t off, void *dst, size_t len);
/** The same by path (absolute or relative to the cwd), following symlinks. */
long vfs_read_path(const char *path, uint64_t off, void *dst, size_t len);
/** Close every fd marked close-on-exec (execve). */
void vfs_exec(void);

typedef long (*posix_sys_fn)(long a0, long a1, long a2, long a3, long a4, long a5);
struct vfs_syscall {
    int nr; /**< Linux x86_64 system-call number */
    posix_sys_fn fn;
    const char *name;
};
/** Every system call the VFS implements; ends with an entry whose fn is NULL. */
extern const struct vfs_syscall vfs_syscalls[];

/* Every call takes the six argument registers; most use fewer. */
#define VFS_ARG __attribute__((unused)) long
#define VFS_SYS(name)                                                                              \
    long vfs_sys_##name(VFS_ARG a0, VFS_ARG a1, VFS_ARG a2, VFS_ARG a3, VFS_ARG a4, VFS_ARG a5)
VFS_SYS(read);
VFS_SYS(write);
VFS_SYS(open);
VFS_SYS(close);
VFS_SYS(stat);
VFS_SYS(fstat);
VFS_SYS(lstat);
VFS_SYS(poll);
VFS_SYS(lseek);
VFS_SYS(ioctl);
VFS_SYS(pread64);
VFS_SYS(pwrite64);
VFS_SYS(readv);
VFS_SYS(writev);
VFS_SYS(access);
VFS_SYS(pipe);
VFS_SYS(select);
VFS_SYS(dup);
VFS_SYS(dup2);
VFS_SYS(sendfile);
VFS_SYS(fcntl);
VFS_SYS(fsync);
VFS_SYS(fdatasync);
VFS_SYS(truncate);
VFS_SYS(ftruncate);
VFS_SYS(getcwd);
VFS_SYS(chdir);
VFS_SYS(fchdir);
VFS_SYS(rename);
VFS_SYS(mkdir);
VFS_SYS(rmdir);
VFS_SYS(creat);
VFS_SYS(link);
VFS_SYS(unlink);
VFS_SYS(symlink);
VFS_SYS(readlink);
VFS_SYS(chmod);
VFS_SYS(fchmod);
VFS_SYS(umask);
VFS_SYS(statfs);
VFS_SYS(fstatfs);
VFS_SYS(epoll_create);
VFS_SYS(getdents64);
VFS_SYS(epoll_wait);
VFS_SYS(epoll_ctl);
VFS_SYS(openat);
VFS_SYS(mkdirat);
VFS_SYS(newfstatat);
VFS_SYS(unlinkat);
VFS_SYS(renameat);
VFS_SYS(linkat);
VFS_SYS(symlinkat);
VFS_SYS(readlinkat);
VFS_SYS(fchmodat);
VFS_SYS(faccessat);
VFS_SYS(pselect6);
VFS_SYS(ppoll);
VFS_SYS(utimensat);
VFS_SYS(epoll_pwait);
VFS_SYS(epoll_create1);
VFS_SYS(dup3);
VFS_SYS(pipe2);
VFS_SYS(renameat2);
VFS_SYS(statx);
VFS_SYS(faccessat2);
VFS_SYS(chown);
VFS_SYS(fchown);
VFS_SYS(lchown);
VFS_SYS(fchownat);
VFS_SYS(flock);
VFS_SYS(fadvise64);

#endif
