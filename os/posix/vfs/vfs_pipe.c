/* SPDX-License-Identifier: MIT */
/* Pipes: a bounded ring (64 KiB unless the configuration says otherwise)
 * between a read end and a write end.
 *
 * Linux semantics: a read blocks while the pipe is empty and has a writer,
 * returns 0 (EOF) once no writer is left; a write of at most PIPE_BUF bytes is
 * atomic; a blocking write returns when all is written; O_NONBLOCK gives
 * EAGAIN (or the partial count); no reader left is EPIPE, with the backend's
 * sigpipe hook called (the runtime raises SIGPIPE). Blocking drops the VFS
 * lock (vfs_block); every change wakes all waiters.
 */
#include "vfs_impl.h"

struct pipe {
    uint8_t *buf;
    uint32_t cap, head, len;
    uint32_t readers, writers;
    struct vfs_file *ends[2];
};

static void pipe_changed(struct pipe *p)
{
    vfs_changed(p->ends[0]);
    vfs_changed(p->ends[1]);
}

static long ring_out(struct pipe *p, uint8_t *dst, size_t n, bool user)
{
    size_t first = VFS_MIN(n, (size_t)(p->cap - p->head));
    if (vfs_out(dst, p->buf + p->head, first, user) < 0 ||
        vfs_out(dst + first, p->buf, n - first, user) < 0)
        return -EFAULT;
    p->head = (uint32_t)((p->head + n) % p->cap);
    p->len -= (uint32_t)n;
    return 0;
}

static long ring_in(struct pipe *p, const uint8_t *src, size_t n, bool user)
{
    uint32_t tail = (p->head + p->len) % p->cap;
    size_t first = VFS_MIN(n, (size_t)(p->cap - tail));
    if (vfs_in(p->buf + tail, src, first, user) < 0 ||
        vfs_in(p->buf, src + first, n - first, user) < 0)
        return -EFAULT;
    p->len += (uint32_t)n;
    return 0;
}

static long pipe_read(struct vfs_file *f, void *buf, size_t n, uint64_t *pos, unsigned io)
{
    (void)pos;
    struct pipe *p = f->priv;
    if (!n)
        return 0;
    while (!p->len) {
        if (!p->writers)
            return 0;
        if ((f->flags & LX_O_NONBLOCK) || (io & VFS_IO_NOWAIT))
            return -EAGAIN;
        int r = vfs_block(VFS_NO_DEADLINE);
        if (r < 0)
            return r;
    }
    size_t k = VFS_MIN(n, (size_t)p->len);
    if (ring_out(p, buf, k, io & VFS_IO_USER) < 0)
        return -EFAULT;
    pipe_changed(p);
    return (long)k;
}

static long pipe_write(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos, unsigned io)
{
    (void)pos;
    struct pipe *p = f->priv;
    size_t done = 0;
    while (done < n) {
        if (!p->readers) {
            if (vfs.be->sigpipe)
                vfs.be->sigpipe(vfs.be->ctx);
            return done ? (long)done : -EPIPE;
        }
        size_t space = p->cap - p->len, want = n - done;
        bool atomic = n <= LX_PIPE_BUF && n <= p->cap;
        if (space && (!atomic || space >= want)) {
            size_t k = VFS_MIN(space, want);
            if (ring_in(p, (const uint8_t *)buf + done, k, io & VFS_IO_USER) < 0)
                return done ? (long)done : -EFAULT;
            done += k;
            pipe_changed(p);
            continue;
        }
        if ((f->flags & LX_O_NONBLOCK) || (io & VFS_IO_NOWAIT))
            return done ? (long)done : -EAGAIN;
        int r = vfs_block(VFS_NO_DEADLINE);
        if (r < 0)
            return done ? (long)done : r;
    }
    return (long)done;
}

static unsigned pipe_poll(struct vfs_file *f)
{
    struct pipe *p = f->priv;
    if (f == p->ends[0])
        return (p->len ? LX_POLLIN : 0) | (p->writers ? 0 : LX_POLLHUP);
    unsigned m = p->cap - p->len >= VFS_MIN(p->cap, LX_PIPE_BUF) ? LX_POLLOUT : 0;
    return m | (p->readers ? 0 : LX_POLLERR);
}

static long pipe_ioctl(struct vfs_file *f, unsigned long req, long arg)
{
    struct pipe *p = f->priv;
    if (req == LX_F_GETPIPE_SZ)
        return p->cap;
    if (req != LX_FIONREAD)
        return -ENOTTY;
    int32_t n = (int32_t)p->len;
    return posix_copy_out((void *)arg, &n, sizeof(n));
}

static void pipe_release(struct vfs_file *f)
{
    struct pipe *p = f->priv;
    if (f == p->ends[0]) {
        p->readers--;
        p->ends[0] = NULL;
    } else {
        p->writers--;
        p->ends[1] = NULL;
    }
    pipe_changed(p);
    if (!p->readers && !p->writers) {
        vfs_free(p->buf, p->cap);
        vfs_free(p, sizeof(*p));
    }
}

static void pipe_stat(struct vfs_file *f, struct lx_stat *st)
{
    st->st_mode = LX_S_IFIFO | 0600;
    st->st_ino = (uint64_t)(uintptr_t)f->priv >> 4;
    st->st_blksize = VFS_PAGE;
}

static const struct vfs_file_ops pipe_ops = {
        .read = pipe_read,
        .write = pipe_write,
        .poll = pipe_poll,
        .ioctl = pipe_ioctl,
        .release = pipe_release,
        .stat = pipe_stat,
};

static const struct vfs_file_ops none_ops;

int pipe_make(struct vfs_file **rd, struct vfs_file **wr, uint32_t flags)
{
    struct pipe *p = vfs_alloc(sizeof(*p));
    uint8_t *buf = p ? vfs_alloc(vfs.pipe_size) : NULL;
    struct vfs_file *r = buf ? file_new(&pipe_ops, LX_O_RDONLY | flags) : NULL;
    struct vfs_file *w = r ? file_new(&pipe_ops, LX_O_WRONLY | flags) : NULL;
    if (!w) {
        if (r) {
            r->ops = &none_ops; /* it owns nothing yet: no release to run */
            file_put(r);
        }
        vfs_free(buf, vfs.pipe_size);
        vfs_free(p, sizeof(*p));
        return -ENOMEM;
    }
    p->buf = buf;
    p->cap = vfs.pipe_size;
    p->readers = p->writers = 1;
    p->ends[0] = r;
    p->ends[1] = w;
    r->priv = w->priv = p;
    *rd = r;
    *wr = w;
    return 0;
}

static long do_pipe(long ufds, long flags)
{
    if (flags & ~(long)(LX_O_CLOEXEC | LX_O_NONBLOCK | LX_O_DIRECT))
        return -EINVAL;
    if (!posix_user_ok((void *)ufds, 2 * sizeof(int32_t), 1))
        return -EFAULT;
    struct vfs_file *r, *w;
    int32_t fds[2];
    long res = pipe_make(&r, &w, (uint32_t)flags & LX_O_NONBLOCK);
    if (res < 0)
        return res;
    fds[0] = fd_install(r, 0, flags & LX_O_CLOEXEC);
    fds[1] = fds[0] < 0 ? -EMFILE : fd_install(w, 0, flags & LX_O_CLOEXEC);
    file_put(r);
    file_put(w);
    res = fds[1] < 0 ? -EMFILE : posix_copy_out((void *)ufds, fds, sizeof(fds));
    if (res < 0) {
        if (fds[0] >= 0)
            fd_close(fds[0]);
        if (fds[1] >= 0)
            fd_close(fds[1]);
    }
    return res;
}

VFS_SYS(pipe)
{
    VFS_ENTER();
    long r = do_pipe(a0, 0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(pipe2)
{
    VFS_ENTER();
    long r = do_pipe(a0, a1);
    VFS_LEAVE();
    return r;
}
