/* SPDX-License-Identifier: MIT */
/* Open vnodes: regular files (ramfs pages or a ROM module), directories
 * (read answers EISDIR; getdents64 lists them) and the character devices of
 * /dev (null, zero, full, random, urandom).
 */
#include "vfs_impl.h"

static long dev_fill(struct vfs_file *f, void *buf, size_t n, unsigned io)
{
    uint8_t tmp[256];
    size_t done = 0;
    while (done < n) {
        size_t chunk = n - done < sizeof(tmp) ? n - done : sizeof(tmp);
        if (f->vn->u.dev == DEV_RANDOM || f->vn->u.dev == DEV_URANDOM)
            vfs.be->random(vfs.be->ctx, tmp, chunk);
        else
            memset(tmp, 0, chunk);
        if (vfs_out((uint8_t *)buf + done, tmp, chunk, io & VFS_IO_USER) < 0)
            return done ? (long)done : -EFAULT;
        done += chunk;
    }
    return (long)done;
}

static long vn_read(struct vfs_file *f, void *buf, size_t n, uint64_t *pos, unsigned io)
{
    struct vnode *v = f->vn;
    if (v->kind == VN_DIR)
        return -EISDIR;
    if (v->kind == VN_CHR)
        return v->u.dev == DEV_NULL ? 0 : dev_fill(f, buf, n, io);
    if (v->kind != VN_REG)
        return -EINVAL;
    long r = reg_read(v, buf, n, *pos, io & VFS_IO_USER);
    if (r > 0)
        *pos += (uint64_t)r;
    return r;
}

static long vn_write(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos, unsigned io)
{
    struct vnode *v = f->vn;
    if (v->kind == VN_CHR)
        return v->u.dev == DEV_FULL ? -ENOSPC : (long)n;
    if (v->kind != VN_REG)
        return -EINVAL;
    if (v->u.reg.rom)
        return -EBADF;
    if (f->flags & LX_O_APPEND)
        *pos = v->u.reg.size;
    long r = reg_write(v, buf, n, *pos, io & VFS_IO_USER);
    if (r > 0)
        *pos += (uint64_t)r;
    return r;
}

static unsigned vn_poll(struct vfs_file *f)
{
    (void)f;
    return LX_POLLIN | LX_POLLOUT;
}

static long vn_ioctl(struct vfs_file *f, unsigned long req, long arg)
{
    if (req != LX_FIONREAD || f->vn->kind != VN_REG)
        return -ENOTTY;
    int32_t avail = f->pos < f->vn->u.reg.size
                            ? (int32_t)VFS_MIN(f->vn->u.reg.size - f->pos, 0x7fffffff)
                            : 0;
    return posix_copy_out((void *)arg, &avail, sizeof(avail));
}

static void vn_release(struct vfs_file *f)
{
    f->vn->opens--;
    vn_maybe_free(f->vn);
}

const struct vfs_file_ops vnode_ops = {
        .read = vn_read,
        .write = vn_write,
        .poll = vn_poll,
        .ioctl = vn_ioctl,
        .release = vn_release,
        .seekable = true,
};

struct vfs_file *file_open_vnode(struct vnode *v, uint32_t flags)
{
    struct vfs_file *f = file_new(&vnode_ops, flags);
    if (!f)
        return NULL;
    f->vn = v;
    if (v->kind == VN_DIR)
        f->pos = 0;
    v->opens++;
    return f;
}
