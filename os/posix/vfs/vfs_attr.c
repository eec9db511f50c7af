/* SPDX-License-Identifier: MIT */
/* The working directory and attributes: chdir, fchdir, getcwd, access,
 * faccessat(2), chmod, fchmod, fchmodat, umask, utimensat.
 *
 * The program runs as root in its own component: access() grants R and W
 * (W not on a read-only mount: EROFS) and X only when some x bit is set, as
 * Linux does for uid 0. Mode bits are recorded and reported, not enforced.
 */
#include "vfs_impl.h"

static void set_cwd(struct vnode *v)
{
    struct vnode *old = vfs.cwd;
    v->opens++;
    vfs.cwd = v;
    if (old) {
        old->opens--;
        vn_maybe_free(old);
    }
}

VFS_SYS(chdir)
{
    struct nameidata nd;
    VFS_ENTER();
    long r = vfs_get_path(vfs_pbuf[0], a0);
    if (r == 0)
        r = vfs_lookup(LX_AT_FDCWD, vfs_pbuf[0], LK_FOLLOW, &nd);
    if (r == 0 && nd.node->kind != VN_DIR)
        r = -ENOTDIR;
    if (r == 0)
        set_cwd(nd.node);
    VFS_LEAVE();
    return r;
}

VFS_SYS(fchdir)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        r = f->vn && f->vn->kind == VN_DIR ? 0 : -ENOTDIR;
        if (r == 0)
            set_cwd(f->vn);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

VFS_SYS(getcwd)
{
    VFS_ENTER();
    long r = vfs_dir_path(vfs.cwd, vfs_pbuf[0], sizeof(vfs_pbuf[0]));
    if (r >= 0 && (unsigned long)r + 1 > (unsigned long)a1)
        r = -ERANGE;
    if (r >= 0)
        r = posix_copy_out((void *)a0, vfs_pbuf[0], (unsigned long)r + 1) < 0 ? -EFAULT : r + 1;
    VFS_LEAVE();
    return r;
}

static long do_access(long dirfd, long upath, long mode, long flags)
{
    struct nameidata nd;
    if (mode & ~7l)
        return -EINVAL;
    if (flags & ~(long)(LX_AT_EACCESS | LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = vfs_get_path(vfs_pbuf[0], upath);
    if (r < 0)
        return r;
    if (!vfs_pbuf[0][0] && (flags & LX_AT_EMPTY_PATH)) {
        nd.node = vfs.cwd;
        if (dirfd != LX_AT_FDCWD) {
            struct vfs_file *f = fd_get(dirfd);
            if (!f)
                return -EBADF;
            nd.node = f->vn;
            file_put(f);
            if (!nd.node)
                return 0; /* a pipe or the like */
        }
    } else {
        r = vfs_lookup((int)dirfd, vfs_pbuf[0], (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LK_FOLLOW,
                       &nd);
        if (r < 0)
            return r;
    }
    struct vnode *v = nd.node;
    if ((mode & LX_W_OK) && v->kind != VN_CHR &&
        (v->mnt->readonly || (v->kind == VN_REG && v->u.reg.rom)))
        return -EROFS;
    if ((mode & LX_X_OK) && v->kind != VN_DIR && !(v->mode & 0111))
        return -EACCES;
    return 0;
}

VFS_SYS(access)
{
    VFS_ENTER();
    long r = do_access(LX_AT_FDCWD, a0, a1, 0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(faccessat)
{
    VFS_ENTER();
    long r = do_access(a0, a1, a2, 0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(faccessat2)
{
    VFS_ENTER();
    long r = do_access(a0, a1, a2, a3);
    VFS_LEAVE();
    return r;
}

static long set_mode(struct vnode *v, long mode)
{
    if (v->mnt->readonly && v->kind != VN_CHR)
        return -EROFS;
    v->mode = (uint32_t)mode & 07777;
    v->ctime = vfs_now();
    return 0;
}

static long do_chmod(long dirfd, long upath, long mode)
{
    struct nameidata nd;
    long r = vfs_get_path(vfs_pbuf[0], upath);
    if (r == 0)
        r = vfs_lookup((int)dirfd, vfs_pbuf[0], LK_FOLLOW, &nd);
    return r < 0 ? r : set_mode(nd.node, mode);
}

VFS_SYS(chmod)
{
    VFS_ENTER();
    long r = do_chmod(LX_AT_FDCWD, a0, a1);
    VFS_LEAVE();
    return r;
}

VFS_SYS(fchmodat)
{
    VFS_ENTER();
    long r = do_chmod(a0, a1, a2);
    VFS_LEAVE();
    return r;
}

VFS_SYS(fchmod)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        r = f->vn ? set_mode(f->vn, a1) : 0;
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}

VFS_SYS(umask)
{
    VFS_ENTER();
    long old = vfs.umask;
    vfs.umask = (uint32_t)a0 & 0777;
    VFS_LEAVE();
    return old;
}

/* A timespec of utimensat: the time to set, or -1 to leave it. */
static long utime_of(const struct lx_timespec *ts, int64_t now, int64_t *out)
{
    if (ts->tv_nsec == LX_UTIME_OMIT) {
        *out = -1;
        return 0;
    }
    if (ts->tv_nsec == LX_UTIME_NOW) {
        *out = now;
        return 0;
    }
    if (ts->tv_nsec < 0 || ts->tv_nsec > 999999999 || ts->tv_sec < 0 ||
        ts->tv_sec > INT64_MAX / 1000000000 - 1)
        return -EINVAL;
    *out = ts->tv_sec * 1000000000 + ts->tv_nsec;
    return 0;
}

static long utimens_target(long dirfd, long upath, long flags, struct vnode **out)
{
    struct nameidata nd;
    if (!upath) { /* futimens: the file dirfd itself */
        struct vfs_file *f = fd_get(dirfd);
        if (!f)
            return -EBADF;
        *out = f->vn;
        file_put(f);
        return 0;
    }
    long r = vfs_get_path(vfs_pbuf[0], upath);
    if (r == 0)
        r = vfs_lookup((int)dirfd, vfs_pbuf[0], (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LK_FOLLOW,
                       &nd);
    if (r == 0)
        *out = nd.node;
    return r;
}

VFS_SYS(utimensat)
{
    struct lx_timespec ts[2];
    if (a3 & ~(long)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -EINVAL;
    if (a2 && posix_copy_in(ts, (const void *)a2, sizeof(ts)) < 0)
        return -EFAULT;
    VFS_ENTER();
    int64_t now = vfs_now(), at = now, mt = now;
    long r = a2 ? utime_of(&ts[0], now, &at) : 0;
    if (r == 0 && a2)
        r = utime_of(&ts[1], now, &mt);
    struct vnode *v = NULL;
    if (r == 0)
        r = utimens_target(a0, a1, a3, &v);
    if (r == 0 && v && v->mnt->readonly && v->kind != VN_CHR)
        r = -EROFS;
    if (r == 0 && v) {
        if (at >= 0)
            v->atime = at;
        if (mt >= 0)
            v->mtime = mt;
        v->ctime = now;
    }
    VFS_LEAVE();
    return r;
}

/* chown and friends: one user here, so ownership is not recorded; the call
 * checks its object as Linux would (root may always) and changes ctime. */
static long do_chown(long dirfd, long upath, long flags)
{
    struct nameidata nd;
    if (flags & ~(long)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = vfs_get_path(vfs_pbuf[0], upath);
    if (r < 0)
        return r;
    if (!vfs_pbuf[0][0] && (flags & LX_AT_EMPTY_PATH)) {
        struct vfs_file *f = dirfd == LX_AT_FDCWD ? NULL : fd_get(dirfd);
        if (!f && dirfd != LX_AT_FDCWD)
            return -EBADF;
        nd.node = f ? f->vn : vfs.cwd;
        file_put(f);
        if (!nd.node)
            return 0;
    } else {
        r = vfs_lookup((int)dirfd, vfs_pbuf[0], (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LK_FOLLOW,
                       &nd);
        if (r < 0)
            return r;
    }
    if (nd.node->mnt->readonly && nd.node->kind != VN_CHR)
        return -EROFS;
    nd.node->ctime = vfs_now();
    return 0;
}

VFS_SYS(chown)
{
    VFS_ENTER();
    long r = do_chown(LX_AT_FDCWD, a0, 0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(lchown)
{
    VFS_ENTER();
    long r = do_chown(LX_AT_FDCWD, a0, LX_AT_SYMLINK_NOFOLLOW);
    VFS_LEAVE();
    return r;
}

VFS_SYS(fchownat)
{
    VFS_ENTER();
    long r = do_chown(a0, a1, a4);
    VFS_LEAVE();
    return r;
}

/* fchown, flock, fadvise64: valid fd and arguments, nothing to do here. */
static long fd_only(long fd, long err_if_pipe)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(fd);
    long r = !f ? -EBADF : (err_if_pipe && !f->ops->seekable) ? err_if_pipe : 0;
    file_put(f);
    VFS_LEAVE();
    return r;
}

VFS_SYS(fchown)
{
    return fd_only(a0, 0);
}

VFS_SYS(flock)
{
    long op = a1 & ~4l;                /* LOCK_NB */
    if (op != 1 && op != 2 && op != 8) /* LOCK_SH, LOCK_EX, LOCK_UN */
        return fd_only(a0, 0) < 0 ? -EBADF : -EINVAL;
    return fd_only(a0, 0);
}

VFS_SYS(fadvise64)
{
    if (a3 < 0 || a3 > 5) /* POSIX_FADV_NORMAL .. POSIX_FADV_NOREUSE */
        return fd_only(a0, 0) < 0 ? -EBADF : -EINVAL;
    return fd_only(a0, -ESPIPE);
}
