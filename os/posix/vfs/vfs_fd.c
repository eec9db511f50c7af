/* SPDX-License-Identifier: MIT */
/* Open file descriptions, the fd table and the calls that only touch them:
 * close, dup, dup2, dup3, fcntl.
 *
 * A file's refs count its fd slots plus the calls using it right now (a call
 * that blocks keeps its file alive even if another thread closes the fd).
 * The last put releases it: the epoll entries naming it go, then its
 * operations' release (a pipe end, a vnode's open count).
 */
#include "vfs_impl.h"

struct vfs_file *file_new(const struct vfs_file_ops *ops, uint32_t flags)
{
    struct vfs_file *f = vfs_alloc(sizeof(*f));
    if (!f)
        return NULL;
    f->ops = ops;
    f->flags = flags;
    f->refs = 1;
    f->all_next = vfs.files;
    if (vfs.files)
        vfs.files->all_prev = f;
    vfs.files = f;
    return f;
}

void file_get(struct vfs_file *f)
{
    f->refs++;
}

void file_put(struct vfs_file *f)
{
    if (!f || --f->refs)
        return;
    if (f->epoll_refs)
        epoll_forget(f);
    if (f->ops->release)
        f->ops->release(f);
    if (f->all_prev)
        f->all_prev->all_next = f->all_next;
    else
        vfs.files = f->all_next;
    if (f->all_next)
        f->all_next->all_prev = f->all_prev;
    vfs_free(f, sizeof(*f));
}

struct vfs_file *fd_get(long fd)
{
    if (fd < 0 || fd >= VFS_FDS_MAX || !vfs.fds[fd].file)
        return NULL;
    struct vfs_file *f = vfs.fds[fd].file;
    file_get(f);
    return f;
}

bool fd_available(void)
{
    for (int fd = 0; fd < VFS_FDS_MAX; fd++)
        if (!vfs.fds[fd].file)
            return true;
    return false;
}

int fd_install(struct vfs_file *f, int min, bool cloexec)
{
    for (int fd = min < 0 ? 0 : min; fd < VFS_FDS_MAX; fd++) {
        if (!vfs.fds[fd].file) {
            vfs.fds[fd].file = f;
            vfs.fds[fd].cloexec = cloexec;
            file_get(f);
            return fd;
        }
    }
    return -EMFILE;
}

int fd_close(int fd)
{
    if (fd < 0 || fd >= VFS_FDS_MAX || !vfs.fds[fd].file)
        return -EBADF;
    struct vfs_file *f = vfs.fds[fd].file;
    vfs.fds[fd].file = NULL;
    vfs.fds[fd].cloexec = false;
    file_put(f);
    return 0;
}

void fd_close_all(void)
{
    for (int fd = 0; fd < VFS_FDS_MAX; fd++)
        if (vfs.fds[fd].file)
            fd_close(fd);
}

void vfs_exec(void)
{
    VFS_ENTER();
    for (int fd = 0; fd < VFS_FDS_MAX; fd++)
        if (vfs.fds[fd].file && vfs.fds[fd].cloexec)
            fd_close(fd);
    VFS_LEAVE();
}

long file_read(struct vfs_file *f, void *buf, size_t n, uint64_t *pos, unsigned io)
{
    if ((f->flags & LX_O_ACCMODE) == LX_O_WRONLY || (f->flags & LX_O_PATH))
        return -EBADF;
    if (!f->ops->read)
        return -EINVAL;
    if (n > VFS_RW_MAX)
        n = VFS_RW_MAX;
    return f->ops->read(f, buf, n, pos, io);
}

long file_write(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos, unsigned io)
{
    if ((f->flags & LX_O_ACCMODE) == LX_O_RDONLY || (f->flags & LX_O_PATH))
        return -EBADF;
    if (!f->ops->write)
        return -EINVAL;
    if (n > VFS_RW_MAX)
        n = VFS_RW_MAX;
    return f->ops->write(f, buf, n, pos, io);
}

VFS_SYS(close)
{
    VFS_ENTER();
    long r = fd_close((int)a0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(dup)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        r = fd_install(f, 0, false);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

static long dup_to(long oldfd, long newfd, bool cloexec)
{
    struct vfs_file *f = fd_get(oldfd);
    if (!f)
        return -EBADF;
    if (newfd < 0 || newfd >= VFS_FDS_MAX) {
        file_put(f);
        return -EBADF;
    }
    if (vfs.fds[newfd].file)
        fd_close((int)newfd);
    vfs.fds[newfd].file = f; /* fd_get's reference becomes the slot's */
    vfs.fds[newfd].cloexec = cloexec;
    return newfd;
}

VFS_SYS(dup2)
{
    VFS_ENTER();
    long r;
    if (a0 == a1)
        r = (a0 >= 0 && a0 < VFS_FDS_MAX && vfs.fds[a0].file) ? a0 : -EBADF;
    else
        r = dup_to(a0, a1, false);
    VFS_LEAVE();
    return r;
}

VFS_SYS(dup3)
{
    if ((unsigned long)a2 & ~(unsigned long)LX_O_CLOEXEC)
        return -EINVAL;
    if (a0 == a1)
        return -EINVAL;
    VFS_ENTER();
    long r = dup_to(a0, a1, a2 & LX_O_CLOEXEC);
    VFS_LEAVE();
    return r;
}

#define SETFL_MASK (LX_O_APPEND | LX_O_NONBLOCK | LX_O_ASYNC | LX_O_DIRECT | LX_O_NOATIME)

/* F_GETLK: no locks are ever held here, so every request is granted. */
static long getlk(long arg)
{
    int16_t type = 2; /* F_UNLCK at struct flock's l_type (offset 0) */
    if (!posix_user_ok((void *)arg, 32, 1))
        return -EFAULT;
    return posix_copy_out((void *)arg, &type, sizeof(type));
}

static long fcntl_file(long fd, struct vfs_file *f, long cmd, long arg)
{
    switch (cmd) {
    case LX_F_DUPFD:
    case LX_F_DUPFD_CLOEXEC:
        if (arg < 0 || arg >= VFS_FDS_MAX)
            return -EINVAL;
        return fd_install(f, (int)arg, cmd == LX_F_DUPFD_CLOEXEC);
    case LX_F_GETFD:
        return vfs.fds[fd].cloexec ? LX_FD_CLOEXEC : 0;
    case LX_F_SETFD:
        vfs.fds[fd].cloexec = (arg & LX_FD_CLOEXEC) != 0;
        return 0;
    case LX_F_GETFL:
        return f->flags &
               ~(uint32_t)(LX_O_CREAT | LX_O_EXCL | LX_O_TRUNC | LX_O_NOCTTY | LX_O_CLOEXEC);
    case LX_F_SETFL:
        f->flags = (f->flags & ~(uint32_t)SETFL_MASK) | ((uint32_t)arg & SETFL_MASK);
        vfs_changed(f);
        return 0;
    case LX_F_GETLK:
        return getlk(arg);
    case LX_F_SETLK:
    case LX_F_SETLKW:
        return 0;
    case LX_F_GETPIPE_SZ:
        return f->ops->ioctl ? f->ops->ioctl(f, LX_F_GETPIPE_SZ, 0) : -EINVAL;
    default:
        return -EINVAL;
    }
}

VFS_SYS(fcntl)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        r = fcntl_file(a0, f, a1, a2);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}
