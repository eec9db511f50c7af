/* SPDX-License-Identifier: MIT */
/* Opening and naming-by-path queries: open, openat, creat, the stat family
 * (stat, lstat, fstat, newfstatat, statx), truncate, statfs, fstatfs.
 *
 * Error order follows Linux's: a full fd table is EMFILE before anything is
 * created; lookup errors before EEXIST/EISDIR; EROFS when a write open meets
 * a read-only mount or a ROM file.
 */
#include "vfs_impl.h"

#define OPEN_KEEP ~(uint32_t)(LX_O_CREAT | LX_O_EXCL | LX_O_NOCTTY | LX_O_TRUNC | LX_O_CLOEXEC)

static bool wants_write(uint32_t flags)
{
    return (flags & LX_O_ACCMODE) != LX_O_RDONLY || (flags & LX_O_TRUNC);
}

static int create_reg(struct nameidata *nd, uint32_t mode, struct vnode **out)
{
    struct vnode *dir = nd->dir;
    if (nd->trailing_slash)
        return -EISDIR;
    if (dir->nlink == 0 && dir != vfs.root)
        return -ENOENT;
    if (dir->mnt->readonly)
        return -EROFS;
    struct vnode *v = vn_new(dir->mnt, VN_REG, mode & ~vfs.umask);
    if (!v)
        return -ENOMEM;
    int r = dir_add(dir, nd->name, nd->len, v);
    if (r < 0) {
        vn_maybe_free(v);
        return r;
    }
    *out = v;
    return 0;
}

/* Find or create the vnode open() names. */
static int open_lookup(int dirfd, const char *path, uint32_t flags, uint32_t mode,
                       struct vnode **out)
{
    struct nameidata nd;
    int r;
    if (!(flags & LX_O_CREAT)) {
        r = vfs_lookup(dirfd, path, (flags & LX_O_NOFOLLOW) ? 0 : LK_FOLLOW, &nd);
        if (r < 0)
            return r;
        *out = nd.node;
        return nd.node->kind == VN_LNK && !(flags & LX_O_PATH) ? -ELOOP : 0;
    }
    r = vfs_lookup(dirfd, path, LK_PARENT, &nd);
    if (r < 0)
        return r;
    if (nd.trailing_slash)
        return -EISDIR; /* Linux: O_CREAT with a trailing slash, existing or not */
    if (nd.node && nd.node->kind == VN_LNK) {
        if (flags & LX_O_EXCL)
            return -EEXIST;
        if (flags & LX_O_NOFOLLOW)
            return -ELOOP;
        r = vfs_lookup(dirfd, path, LK_FOLLOW, &nd);
        if (r < 0)
            return r;
    }
    if (!nd.node)
        return create_reg(&nd, mode, out);
    if (flags & LX_O_EXCL)
        return -EEXIST;
    if (nd.node->kind == VN_DIR)
        return -EISDIR;
    *out = nd.node;
    return 0;
}

static int open_check(struct vnode *v, uint32_t flags)
{
    if ((flags & LX_O_DIRECTORY) && v->kind != VN_DIR)
        return -ENOTDIR;
    if (flags & LX_O_PATH)
        return 0;
    if (v->kind == VN_DIR && wants_write(flags))
        return -EISDIR;
    if (v->kind == VN_REG && wants_write(flags) && (v->mnt->readonly || v->u.reg.rom))
        return -EROFS;
    return 0;
}

/* /dev/stdin, /dev/stdout, /dev/stderr: a new fd for the file of fd n. */
static long open_std(int n, uint32_t flags)
{
    struct vfs_file *f = fd_get(n);
    if (!f)
        return -ENXIO;
    long r = fd_install(f, 0, flags & LX_O_CLOEXEC);
    file_put(f);
    return r;
}

static long do_open(int dirfd, long upath, long lflags, long mode)
{
    uint32_t flags = (uint32_t)lflags;
    if ((flags & LX_O_TMPFILE) == LX_O_TMPFILE)
        return -EOPNOTSUPP;
    if ((flags & LX_O_ACCMODE) == 3)
        return -EINVAL;
    if (flags & LX_O_PATH)
        flags &= LX_O_PATH | LX_O_DIRECTORY | LX_O_NOFOLLOW | LX_O_CLOEXEC;
    long r = vfs_get_path(vfs_pbuf[0], upath);
    if (r < 0)
        return r;
    if (!fd_available())
        return -EMFILE;
    struct vnode *v = NULL;
    r = open_lookup(dirfd, vfs_pbuf[0], flags, (uint32_t)mode, &v);
    if (r == 0)
        r = open_check(v, flags);
    if (r < 0)
        return r;
    if (v->kind == VN_CHR && v->u.dev >= DEV_STDIN)
        return open_std(v->u.dev - DEV_STDIN, flags);
    if ((flags & LX_O_TRUNC) && v->kind == VN_REG && !(flags & LX_O_PATH))
        reg_truncate(v, 0);
    struct vfs_file *f = file_open_vnode(v, (flags & OPEN_KEEP) | LX_O_LARGEFILE);
    if (!f)
        return -ENOMEM;
    r = fd_install(f, 0, flags & LX_O_CLOEXEC);
    file_put(f);
    return r;
}

VFS_SYS(open)
{
    VFS_ENTER();
    long r = do_open(LX_AT_FDCWD, a0, a1, a2);
    VFS_LEAVE();
    return r;
}

VFS_SYS(openat)
{
    VFS_ENTER();
    long r = do_open((int)a0, a1, a2, a3);
    VFS_LEAVE();
    return r;
}

VFS_SYS(creat)
{
    VFS_ENTER();
    long r = do_open(LX_AT_FDCWD, a0, LX_O_CREAT | LX_O_WRONLY | LX_O_TRUNC, a1);
    VFS_LEAVE();
    return r;
}

static void file_stat(struct vfs_file *f, struct lx_stat *st)
{
    if (f->vn) {
        vn_stat(f->vn, st);
        return;
    }
    memset(st, 0, sizeof(*st));
    st->st_blksize = VFS_PAGE;
    st->st_nlink = 1;
    if (f->ops->stat)
        f->ops->stat(f, st);
}

/* The object a *at call names: the path, or with AT_EMPTY_PATH and an empty
 * path the file dirfd itself (into *st). */
static long at_stat(long dirfd, long upath, long flags, struct lx_stat *st)
{
    if (flags & ~(long)(LX_AT_SYMLINK_NOFOLLOW | LX_AT_EMPTY_PATH | LX_AT_NO_AUTOMOUNT |
                        LX_AT_STATX_SYNC_TYPE))
        return -EINVAL;
    long r = 0;
    if (upath || !(flags & LX_AT_EMPTY_PATH))
        r = vfs_get_path(vfs_pbuf[0], upath);
    else
        vfs_pbuf[0][0] = 0;
    if (r < 0)
        return r;
    if (!vfs_pbuf[0][0] && (flags & LX_AT_EMPTY_PATH)) {
        if (dirfd == LX_AT_FDCWD) {
            vn_stat(vfs.cwd, st);
            return 0;
        }
        struct vfs_file *f = fd_get(dirfd);
        if (!f)
            return -EBADF;
        file_stat(f, st);
        file_put(f);
        return 0;
    }
    struct nameidata nd;
    r = vfs_lookup((int)dirfd, vfs_pbuf[0], (flags & LX_AT_SYMLINK_NOFOLLOW) ? 0 : LK_FOLLOW, &nd);
    if (r < 0)
        return r;
    vn_stat(nd.node, st);
    return 0;
}

static long stat_out(long dirfd, long upath, long flags, long ubuf)
{
    struct lx_stat st;
    VFS_ENTER();
    long r = at_stat(dirfd, upath, flags, &st);
    VFS_LEAVE();
    if (r < 0)
        return r;
    return posix_copy_out((void *)ubuf, &st, sizeof(st));
}

VFS_SYS(stat)
{
    return stat_out(LX_AT_FDCWD, a0, 0, a1);
}

VFS_SYS(lstat)
{
    return stat_out(LX_AT_FDCWD, a0, LX_AT_SYMLINK_NOFOLLOW, a1);
}

VFS_SYS(newfstatat)
{
    return stat_out(a0, a1, a3, a2);
}

VFS_SYS(fstat)
{
    struct lx_stat st;
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    if (f)
        file_stat(f, &st);
    file_put(f);
    VFS_LEAVE();
    if (!f)
        return -EBADF;
    return posix_copy_out((void *)a1, &st, sizeof(st));
}

static void statx_ts(struct lx_statx_ts *ts, uint64_t sec, uint64_t nsec)
{
    ts->tv_sec = (int64_t)sec;
    ts->tv_nsec = (uint32_t)nsec;
}

VFS_SYS(statx)
{
    struct lx_stat st;
    if ((unsigned long)a3 & 0x80000000ul) /* STATX__RESERVED */
        return -EINVAL;
    VFS_ENTER();
    long r = at_stat(a0, a1, a2, &st);
    VFS_LEAVE();
    if (r < 0)
        return r;
    struct lx_statx sx;
    memset(&sx, 0, sizeof(sx));
    sx.stx_mask = LX_STATX_BASIC_STATS;
    sx.stx_blksize = (uint32_t)st.st_blksize;
    sx.stx_nlink = (uint32_t)st.st_nlink;
    sx.stx_mode = (uint16_t)st.st_mode;
    sx.stx_ino = st.st_ino;
    sx.stx_size = (uint64_t)st.st_size;
    sx.stx_blocks = (uint64_t)st.st_blocks;
    statx_ts(&sx.stx_atime, st.st_atime_sec, st.st_atime_nsec);
    statx_ts(&sx.stx_mtime, st.st_mtime_sec, st.st_mtime_nsec);
    statx_ts(&sx.stx_ctime, st.st_ctime_sec, st.st_ctime_nsec);
    sx.stx_rdev_major = (uint32_t)(st.st_rdev >> 8);
    sx.stx_rdev_minor = (uint32_t)(st.st_rdev & 0xff);
    sx.stx_dev_minor = (uint32_t)st.st_dev;
    return posix_copy_out((void *)a4, &sx, sizeof(sx));
}

static long do_truncate(long upath, long len)
{
    if (len < 0)
        return -EINVAL;
    long r = vfs_get_path(vfs_pbuf[0], upath);
    struct nameidata nd;
    if (r == 0)
        r = vfs_lookup(LX_AT_FDCWD, vfs_pbuf[0], LK_FOLLOW, &nd);
    if (r < 0)
        return r;
    if (nd.node->kind == VN_DIR)
        return -EISDIR;
    if (nd.node->kind != VN_REG)
        return -EINVAL;
    if (nd.node->mnt->readonly || nd.node->u.reg.rom)
        return -EROFS;
    return reg_truncate(nd.node, (uint64_t)len);
}

VFS_SYS(truncate)
{
    VFS_ENTER();
    long r = do_truncate(a0, a1);
    VFS_LEAVE();
    return r;
}

static void fill_statfs(const struct vfs_mount *m, struct lx_statfs *sf)
{
    memset(sf, 0, sizeof(*sf));
    sf->f_type = m->magic;
    sf->f_bsize = sf->f_frsize = VFS_PAGE;
    uint64_t total = m->limit ? m->limit / VFS_PAGE : (m->used / VFS_PAGE) + 65536;
    uint64_t used = m->used / VFS_PAGE;
    sf->f_blocks = total;
    sf->f_bfree = sf->f_bavail = total > used ? total - used : 0;
    sf->f_files = vfs.next_ino + 65536;
    sf->f_ffree = 65536;
    sf->f_namelen = LX_NAME_MAX;
    sf->f_fsid[0] = (int32_t)m->dev;
    sf->f_flags = m->readonly ? 1 : 0; /* ST_RDONLY */
}

VFS_SYS(statfs)
{
    struct lx_statfs sf;
    struct nameidata nd;
    VFS_ENTER();
    long r = vfs_get_path(vfs_pbuf[0], a0);
    if (r == 0)
        r = vfs_lookup(LX_AT_FDCWD, vfs_pbuf[0], LK_FOLLOW, &nd);
    if (r == 0)
        fill_statfs(nd.node->mnt, &sf);
    VFS_LEAVE();
    return r < 0 ? r : posix_copy_out((void *)a1, &sf, sizeof(sf));
}

VFS_SYS(fstatfs)
{
    struct lx_statfs sf;
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = f ? 0 : -EBADF;
    if (f && f->vn)
        fill_statfs(f->vn->mnt, &sf);
    else if (f)
        fill_statfs(&vfs.mounts[0], &sf); /* pipes and the like: any numbers */
    file_put(f);
    VFS_LEAVE();
    return r < 0 ? r : posix_copy_out((void *)a1, &sf, sizeof(sf));
}
