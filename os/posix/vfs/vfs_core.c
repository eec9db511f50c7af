/* SPDX-License-Identifier: MIT */
/* The VFS's shared helpers: memory through the backend, the clock, blocking
 * and the copies to and from program memory.
 */
#include "vfs_impl.h"

struct vfs_state vfs;
char vfs_pbuf[2][LX_PATH_MAX];

void *vfs_alloc(size_t n)
{
    return vfs.be->alloc(vfs.be->ctx, n);
}

void vfs_free(void *p, size_t n)
{
    if (p)
        vfs.be->free(vfs.be->ctx, p, n);
}

int64_t vfs_now(void)
{
    return (int64_t)vfs.be->now_ns(vfs.be->ctx);
}

uint64_t vfs_deadline(int64_t ns)
{
    if (ns < 0)
        return VFS_NO_DEADLINE;
    uint64_t now = vfs.be->now_ns(vfs.be->ctx);
    if ((uint64_t)ns > VFS_NO_DEADLINE - 1 - now)
        return VFS_NO_DEADLINE - 1;
    return now + (uint64_t)ns;
}

int vfs_block(uint64_t deadline)
{
    if (vfs.be->signal_pending && vfs.be->signal_pending(vfs.be->ctx))
        return -EINTR;
    vfs.be->wait(vfs.be->ctx, deadline);
    if (vfs.be->signal_pending && vfs.be->signal_pending(vfs.be->ctx))
        return -EINTR;
    return 0;
}

void vfs_changed(struct vfs_file *f)
{
    if (f)
        f->gen++;
    vfs.be->wake_all(vfs.be->ctx);
}

void vfs_wake(void)
{
    if (!vfs.up)
        return;
    VFS_ENTER();
    vfs.be->wake_all(vfs.be->ctx);
    VFS_LEAVE();
}

long vfs_out(void *dst, const void *src, size_t n, bool user)
{
    if (!n)
        return 0;
    if (user)
        return posix_copy_out(dst, src, n);
    memcpy(dst, src, n);
    return 0;
}

long vfs_in(void *dst, const void *src, size_t n, bool user)
{
    if (!n)
        return 0;
    if (user)
        return posix_copy_in(dst, src, n);
    memcpy(dst, src, n);
    return 0;
}

long vfs_get_path(char *dst, long upath)
{
    if (!upath)
        return -EFAULT;
    long r = posix_copy_path(dst, (const char *)upath, LX_PATH_MAX);
    if (r < 0)
        return r;
    return 0;
}
