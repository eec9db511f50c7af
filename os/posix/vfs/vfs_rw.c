/* SPDX-License-Identifier: MIT */
/* The data calls on file descriptors: read, write, readv, writev, pread64,
 * pwrite64, lseek, ioctl, sendfile, fsync, fdatasync, ftruncate, truncate.
 *
 * Each checks the program's buffer with posix_user_ok before anything
 * happens (EFAULT leaves the file untouched) and holds a reference on the
 * file while it may block.
 */
#include "vfs_impl.h"

static long rw_one(long fd, long buf, long n, bool wr)
{
    if (n < 0)
        return -EINVAL;
    VFS_ENTER();
    struct vfs_file *f = fd_get(fd);
    long r = -EBADF;
    if (f) {
        if (n && !posix_user_ok((void *)buf, (unsigned long)n, !wr))
            r = -EFAULT;
        else if (wr)
            r = file_write(f, (const void *)buf, (size_t)n, &f->pos, VFS_IO_USER);
        else
            r = file_read(f, (void *)buf, (size_t)n, &f->pos, VFS_IO_USER);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

VFS_SYS(read)
{
    return rw_one(a0, a1, a2, false);
}

VFS_SYS(write)
{
    return rw_one(a0, a1, a2, true);
}

static long prw(long fd, long buf, long n, long off, bool wr)
{
    if (n < 0 || off < 0)
        return -EINVAL;
    VFS_ENTER();
    struct vfs_file *f = fd_get(fd);
    long r = -EBADF;
    if (f) {
        uint64_t pos = (uint64_t)off;
        if (!f->ops->seekable)
            r = -ESPIPE;
        else if (n && !posix_user_ok((void *)buf, (unsigned long)n, !wr))
            r = -EFAULT;
        else if (wr)
            r = file_write(f, (const void *)buf, (size_t)n, &pos, VFS_IO_USER);
        else
            r = file_read(f, (void *)buf, (size_t)n, &pos, VFS_IO_USER);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

VFS_SYS(pread64)
{
    return prw(a0, a1, a2, a3, false);
}

VFS_SYS(pwrite64)
{
    return prw(a0, a1, a2, a3, true);
}

/* Copy the iovec array in and check every buffer; the array is allocated (a
 * readv may block, so it cannot live in a shared buffer). */
static long iov_fetch(long uiov, long cnt, bool wr, struct lx_iovec **out)
{
    if (cnt < 0 || cnt > VFS_IOV_MAX)
        return -EINVAL;
    *out = NULL;
    if (!cnt)
        return 0;
    size_t bytes = (size_t)cnt * sizeof(struct lx_iovec);
    struct lx_iovec *iov = vfs_alloc(bytes);
    if (!iov)
        return -ENOMEM;
    long r = posix_copy_in(iov, (const void *)uiov, bytes);
    uint64_t total = 0;
    for (long i = 0; r == 0 && i < cnt; i++) {
        if (iov[i].len > (uint64_t)INT64_MAX - total)
            r = -EINVAL;
        else if (iov[i].len && !posix_user_ok((void *)iov[i].base, iov[i].len, !wr))
            r = -EFAULT;
        else
            total += iov[i].len;
    }
    if (r < 0) {
        vfs_free(iov, bytes);
        return r;
    }
    *out = iov;
    return 0;
}

static long rw_vec(struct vfs_file *f, struct lx_iovec *iov, long cnt, uint64_t *pos, bool wr)
{
    long done = 0;
    for (long i = 0; i < cnt; i++) {
        size_t len = (size_t)VFS_MIN(iov[i].len, (uint64_t)(VFS_RW_MAX - done));
        if (!len)
            continue;
        unsigned io = VFS_IO_USER | (done && !wr ? VFS_IO_NOWAIT : 0);
        long r = wr ? file_write(f, (const void *)iov[i].base, len, pos, io)
                    : file_read(f, (void *)iov[i].base, len, pos, io);
        if (r < 0)
            return done ? done : r;
        done += r;
        if ((size_t)r < len || done >= VFS_RW_MAX)
            break;
    }
    return done;
}

static long vec_call(long fd, long uiov, long cnt, long off, bool wr)
{
    struct lx_iovec *iov = NULL;
    VFS_ENTER();
    struct vfs_file *f = fd_get(fd);
    long r = -EBADF;
    if (f) {
        r = iov_fetch(uiov, cnt, wr, &iov);
        if (r == 0 && off >= 0 && !f->ops->seekable)
            r = -ESPIPE;
        if (r == 0) {
            uint64_t pos = off >= 0 ? (uint64_t)off : 0;
            r = rw_vec(f, iov, cnt, off >= 0 ? &pos : &f->pos, wr);
        }
        if (iov)
            vfs_free(iov, (size_t)cnt * sizeof(*iov));
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

VFS_SYS(readv)
{
    return vec_call(a0, a1, a2, -1, false);
}

VFS_SYS(writev)
{
    return vec_call(a0, a1, a2, -1, true);
}

static long seek_to(struct vfs_file *f, long off, long whence)
{
    int64_t base;
    uint64_t size = f->vn && f->vn->kind == VN_REG ? f->vn->u.reg.size : 0;
    switch (whence) {
    case LX_SEEK_SET:
        base = 0;
        break;
    case LX_SEEK_CUR:
        base = (int64_t)f->pos;
        break;
    case LX_SEEK_END:
        base = (int64_t)size;
        break;
    case LX_SEEK_DATA:
    case LX_SEEK_HOLE:
        if (off < 0 || (uint64_t)off >= size)
            return -ENXIO;
        f->pos = whence == LX_SEEK_DATA ? (uint64_t)off : size;
        return (long)f->pos;
    default:
        return -EINVAL;
    }
    if ((off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    f->pos = (uint64_t)(base + off);
    return (long)f->pos;
}

VFS_SYS(lseek)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        r = f->ops->seekable ? seek_to(f, a1, a2) : -ESPIPE;
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

static long ioctl_file(long fd, struct vfs_file *f, unsigned long req, long arg)
{
    int32_t v;
    switch (req) {
    case LX_FIOCLEX:
    case LX_FIONCLEX:
        vfs.fds[fd].cloexec = req == LX_FIOCLEX;
        return 0;
    case LX_FIONBIO:
        if (posix_copy_in(&v, (const void *)arg, sizeof(v)) < 0)
            return -EFAULT;
        f->flags = v ? f->flags | LX_O_NONBLOCK : f->flags & ~(uint32_t)LX_O_NONBLOCK;
        vfs_changed(f);
        return 0;
    case LX_FIONREAD:
        if (!posix_user_ok((void *)arg, sizeof(int32_t), 1))
            return -EFAULT;
        return f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
    default:
        return f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
    }
}

VFS_SYS(ioctl)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        r = ioctl_file(a0, f, (unsigned long)(unsigned)a1, a2);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

#define SENDFILE_CHUNK 4096u

static long sendfile_loop(struct vfs_file *out, struct vfs_file *in, uint64_t *pos, size_t count)
{
    uint8_t *buf = vfs_alloc(SENDFILE_CHUNK);
    if (!buf)
        return -ENOMEM;
    long done = 0;
    while ((size_t)done < count) {
        size_t want = VFS_MIN(count - (size_t)done, SENDFILE_CHUNK);
        uint64_t at = *pos;
        long r = file_read(in, buf, want, &at, done ? VFS_IO_NOWAIT : 0);
        if (r <= 0) {
            done = done ? done : r;
            break;
        }
        long w = file_write(out, buf, (size_t)r, &out->pos, 0);
        if (w <= 0) {
            done = done ? done : w;
            break;
        }
        *pos += (uint64_t)w; /* what was read but not written is read again next time */
        done += w;
        if (w < r)
            break;
    }
    vfs_free(buf, SENDFILE_CHUNK);
    return done;
}

static long sendfile_files(struct vfs_file *out, struct vfs_file *in, long uoff, long count)
{
    int64_t off;
    if (uoff && posix_copy_in(&off, (const void *)uoff, sizeof(off)) < 0)
        return -EFAULT;
    if (uoff && off < 0)
        return -EINVAL;
    if (!in->ops->seekable || (in->flags & LX_O_ACCMODE) == LX_O_WRONLY ||
        (out->flags & LX_O_ACCMODE) == LX_O_RDONLY)
        return in->ops->seekable ? -EBADF : -EINVAL;
    uint64_t pos = uoff ? (uint64_t)off : in->pos;
    long r = sendfile_loop(out, in, &pos, (size_t)VFS_MIN((uint64_t)count, VFS_RW_MAX));
    if (uoff) {
        off = (int64_t)pos;
        if (posix_copy_out((void *)uoff, &off, sizeof(off)) < 0)
            return -EFAULT;
    } else {
        in->pos = pos;
    }
    return r;
}

VFS_SYS(sendfile)
{
    if (a3 < 0)
        return -EINVAL;
    VFS_ENTER();
    struct vfs_file *out = fd_get(a0), *in = fd_get(a1);
    long r = out && in ? sendfile_files(out, in, a2, a3) : -EBADF;
    file_put(out);
    file_put(in);
    VFS_LEAVE();
    return r;
}

static long sync_fd(long fd)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(fd);
    long r = f ? (f->vn ? 0 : -EINVAL) : -EBADF;
    file_put(f);
    VFS_LEAVE();
    return r;
}

VFS_SYS(fsync)
{
    return sync_fd(a0);
}

VFS_SYS(fdatasync)
{
    return sync_fd(a0);
}

VFS_SYS(ftruncate)
{
    if (a1 < 0)
        return -EINVAL;
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        if (!f->vn || f->vn->kind != VN_REG || (f->flags & LX_O_ACCMODE) == LX_O_RDONLY)
            r = -EINVAL;
        else if (f->vn->u.reg.rom)
            r = -EROFS;
        else
            r = reg_truncate(f->vn, (uint64_t)a1);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}
