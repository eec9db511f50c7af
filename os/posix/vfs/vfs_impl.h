/* SPDX-License-Identifier: MIT */
/* The VFS's internal interface between its files.
 *
 * One global state (struct vfs_state), guarded by the backend's lock: every
 * entry point takes it (VFS_ENTER/VFS_LEAVE) and only vfs_block() drops it
 * while waiting. So no vnode or file changes under a caller that holds the
 * lock, and a blocked call re-checks everything after vfs_block returns.
 *
 * Objects:
 * - struct vnode: a file system object (directory, regular file, symlink,
 *   character device). Lives while it has a name (nlink > 0) or an open file
 *   (opens > 0), or it is a mount root. All are on one list for vfs_fini.
 * - struct vfs_file: an open file description (shared by dup and fork-less
 *   threads), with its operations (struct vfs_file_ops): vnode files, pipe
 *   ends, epoll instances, the log; sockets can plug in the same way.
 * - the fd table maps fd numbers to files plus the close-on-exec bit.
 */
#ifndef VFS_IMPL_H
#define VFS_IMPL_H

#include "vfs.h"
#include "vfs_linux.h"
#include "vfs_uaccess.h"

#include <stdbool.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

#define VFS_PAGE         4096u
#define VFS_SYMLOOP_MAX  40
#define VFS_IOV_MAX      1024
#define VFS_PIPE_DEFAULT (64u * 1024u)
#define VFS_PIPE_MAX     (1024u * 1024u)
#define VFS_LINE_MAX     1024        /**< the log's line buffer; longer lines are split */
#define VFS_EPOLL_MAX    1024        /**< interest entries per epoll instance */
#define VFS_RW_MAX       0x7ffff000l /**< Linux's cap of one read or write */
#define VFS_MIN(a, b)    ((a) < (b) ? (a) : (b))

enum vnode_kind { VN_DIR, VN_REG, VN_LNK, VN_CHR };
/* /dev's nodes; opening DEV_STDIN + n duplicates fd n (Linux: a symlink to
 * /proc/self/fd/n, which reopens it; for pipes and the log the same). */
enum vfs_dev {
    DEV_NULL = 1,
    DEV_ZERO,
    DEV_FULL,
    DEV_RANDOM,
    DEV_URANDOM,
    DEV_STDIN,
    DEV_STDOUT,
    DEV_STDERR
};

struct vnode;

/** A file system instance: one per mount. */
struct vfs_mount {
    struct vnode *root;
    struct vnode *covered; /**< the directory it is mounted on (NULL for /) */
    uint64_t dev;          /**< st_dev */
    bool readonly;
    int64_t magic;  /**< statfs f_type */
    uint64_t limit; /**< byte limit of file data (0: none) */
    uint64_t used;  /**< bytes of file data allocated (pages) */
};

struct dentry {
    struct dentry *next;
    struct vnode *node;
    uint64_t cookie; /**< getdents offset: increasing along the list */
    uint16_t len;
    char name[]; /**< len bytes and a NUL */
};

struct vnode {
    struct vnode *all_next, *all_prev; /**< every vnode (vfs_fini) */
    enum vnode_kind kind;
    uint32_t mode; /**< permission bits (07777) */
    uint64_t ino;
    uint32_t nlink; /**< names; a directory: its name plus its subdirectories' ".." */
    uint32_t opens; /**< open files, cwd and mounts pinning it */
    struct vfs_mount *mnt;
    int64_t atime, mtime, ctime; /**< ns since the epoch of the clock */
    union {
        struct { /* VN_DIR */
            struct dentry *head, *tail;
            uint64_t next_cookie;
            uint32_t count;
            struct vnode *parent;  /**< ".." (for a mount root: the covered dir's parent) */
            struct vnode *mounted; /**< the root mounted here, or NULL */
        } dir;
        struct { /* VN_REG */
            uint64_t size;
            void **pages;       /**< ramfs: page i or NULL (a hole) */
            uint64_t npages;    /**< slots in pages */
            const uint8_t *rom; /**< rom file: its mapped module */
        } reg;
        struct { /* VN_LNK */
            char *target;
            uint32_t len;
        } lnk;
        enum vfs_dev dev; /* VN_CHR */
    } u;
};

struct vfs_file;

/* How a read or write goes: buffers in program memory (copied with
 * posix_copy_*) or the runtime's; VFS_IO_NOWAIT: never block (the later
 * segments of readv). */
#define VFS_IO_USER   1u
#define VFS_IO_NOWAIT 2u

/** What a kind of open file does. NULL operations answer EINVAL (read/write)
 *  or ENOTTY (ioctl). */
struct vfs_file_ops {
    long (*read)(struct vfs_file *f, void *buf, size_t n, uint64_t *pos, unsigned io);
    long (*write)(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos, unsigned io);
    /** Readiness now: LX_POLLIN | LX_POLLOUT | LX_POLLHUP | LX_POLLERR. */
    unsigned (*poll)(struct vfs_file *f);
    long (*ioctl)(struct vfs_file *f, unsigned long req, long arg);
    /** The last reference went away: free what the file owns. */
    void (*release)(struct vfs_file *f);
    /** fstat of a file without a vnode (pipes, epoll, the log). */
    void (*stat)(struct vfs_file *f, struct lx_stat *st);
    bool seekable;
};

struct vfs_file {
    struct vfs_file *all_next, *all_prev;
    uint32_t refs;  /**< fd table slots and in-flight calls */
    uint32_t flags; /**< access mode | O_APPEND | O_NONBLOCK | ... */
    uint64_t pos;
    const struct vfs_file_ops *ops;
    struct vnode *vn;    /**< vnode files */
    void *priv;          /**< pipe end, epoll instance, log buffer, socket */
    uint32_t gen;        /**< bumped whenever readiness may have changed (EPOLLET) */
    uint32_t epoll_refs; /**< epoll entries naming this file */
};

struct vfs_fd {
    struct vfs_file *file;
    bool cloexec;
};

struct vfs_state {
    const struct vfs_backend *be;
    struct vnode *root;
    struct vnode *cwd;
    struct vnode *all;
    struct vfs_file *files;
    struct vfs_fd fds[VFS_FDS_MAX];
    struct vfs_mount mounts[VFS_MOUNTS_MAX + 3]; /* config, /dev, /proc, rom stdin */
    unsigned n_mounts;
    uint64_t next_ino;
    uint32_t umask;
    uint32_t pipe_size;
    char exe[LX_PATH_MAX];
    struct vnode *rom_stdin;  /**< stdin's ROM file (no name) */
    struct vfs_epoll *epolls; /**< every epoll instance */
    bool up;
};

extern struct vfs_state vfs;

#define VFS_ENTER() vfs.be->lock(vfs.be->ctx)
#define VFS_LEAVE() vfs.be->unlock(vfs.be->ctx)

/* vfs_core.c */
void *vfs_alloc(size_t n);
void vfs_free(void *p, size_t n);
int64_t vfs_now(void);
/** Wait (lock dropped) until something changes or the deadline passes.
 *  -EINTR when a signal is pending, else 0. */
int vfs_block(uint64_t deadline);
/** Something changed that a blocked call may wait for. */
void vfs_changed(struct vfs_file *f);
/** Copy out to a buffer of either kind. */
long vfs_out(void *dst, const void *src, size_t n, bool user);
long vfs_in(void *dst, const void *src, size_t n, bool user);
/** A program's path into one of the two path buffers (used under the lock by
 *  calls that never block): -EFAULT, -ENAMETOOLONG or 0. */
long vfs_get_path(char *dst, long upath);
extern char vfs_pbuf[2][LX_PATH_MAX];
/** Whether an fd number is free (open checks before it creates anything). */
bool fd_available(void);
/** A deadline from a relative timeout in ns (negative: none). */
uint64_t vfs_deadline(int64_t ns);

/* vfs_node.c */
struct vnode *vn_new(struct vfs_mount *m, enum vnode_kind kind, uint32_t mode);
/** Drop a vnode that has no name and no opens left. */
void vn_maybe_free(struct vnode *v);
void vn_free_all(void);
struct dentry *dir_find(struct vnode *dir, const char *name, size_t len);
int dir_add(struct vnode *dir, const char *name, size_t len, struct vnode *child);
void dir_remove(struct vnode *dir, struct dentry *d);
/** Regular-file data. */
long reg_read(struct vnode *v, void *buf, size_t n, uint64_t off, bool user);
long reg_write(struct vnode *v, const void *buf, size_t n, uint64_t off, bool user);
int reg_truncate(struct vnode *v, uint64_t size);
void vn_stat(struct vnode *v, struct lx_stat *st);
uint32_t vn_type_bits(const struct vnode *v);

/* vfs_path.c */
#define LK_FOLLOW 1u /**< follow a symlink in the last component */
#define LK_PARENT 2u /**< stop at the last component's directory */
struct nameidata {
    struct vnode *dir;  /**< the last component's directory */
    struct vnode *node; /**< the object named, or NULL (LK_PARENT only) */
    char name[LX_NAME_MAX + 1];
    size_t len;
    bool trailing_slash;
    bool dot; /**< the last component is "." or ".." (or the path is "/") */
};
/** Resolve `path` (kernel copy) from dirfd (LX_AT_FDCWD: the cwd). */
int vfs_lookup(int dirfd, const char *path, unsigned flags, struct nameidata *nd);
/** The directory vnode of dirfd: -EBADF, -ENOTDIR. */
int vfs_dirfd(int dirfd, struct vnode **out);
/** The absolute path of a directory into buf; its length or -ERANGE/-ENAMETOOLONG. */
long vfs_dir_path(struct vnode *dir, char *buf, size_t size);

/* vfs_fd.c */
struct vfs_file *file_new(const struct vfs_file_ops *ops, uint32_t flags);
void file_get(struct vfs_file *f);
void file_put(struct vfs_file *f);
/** The file of fd with a reference taken, or NULL (EBADF). */
struct vfs_file *fd_get(long fd);
/** Install f at the lowest free fd >= min: the fd or -EMFILE. Takes a reference. */
int fd_install(struct vfs_file *f, int min, bool cloexec);
int fd_close(int fd);
void fd_close_all(void);
/** Open a vnode as a file (O_TRUNC done by the caller). */
struct vfs_file *file_open_vnode(struct vnode *v, uint32_t flags);
long file_read(struct vfs_file *f, void *buf, size_t n, uint64_t *pos, unsigned io);
long file_write(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos, unsigned io);
extern const struct vfs_file_ops vnode_ops;

/* vfs_pipe.c */
int pipe_make(struct vfs_file **rd, struct vfs_file **wr, uint32_t flags);

/* vfs_poll.c */
/** An epoll entry's file went away: drop the entries naming it. */
void epoll_forget(struct vfs_file *f);

/* vfs_stdio.c */
struct vfs_file *log_file_new(void);
void log_flush(struct vfs_file *f);

#endif
