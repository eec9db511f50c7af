/* SPDX-License-Identifier: MIT */
/* Directory changes and listings: mkdir(at), rmdir, unlink(at), rename(at,
 * at2), link(at), symlink(at), readlink(at), getdents64.
 *
 * Errors come in Linux's order (fs/namei.c): the parent's lookup, then "."
 * and ".." (EINVAL, ENOTEMPTY, EBUSY, EISDIR), then EROFS, then the last
 * component (ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY).
 */
#include "vfs_impl.h"

static bool is_mount_root(const struct vnode *v)
{
    return v->kind == VN_DIR && v->mnt->root == v;
}

static bool dir_gone(const struct vnode *dir)
{
    return dir->nlink == 0 && dir != vfs.root;
}

static long parent_of(long dirfd, long upath, int buf, struct nameidata *nd)
{
    long r = vfs_get_path(vfs_pbuf[buf], upath);
    if (r < 0)
        return r;
    return vfs_lookup((int)dirfd, vfs_pbuf[buf], LK_PARENT, nd);
}

static long do_mkdir(long dirfd, long upath, long mode)
{
    struct nameidata nd;
    long r = parent_of(dirfd, upath, 0, &nd);
    if (r < 0)
        return r;
    if (nd.node)
        return -EEXIST;
    if (dir_gone(nd.dir))
        return -ENOENT;
    if (nd.dir->mnt->readonly)
        return -EROFS;
    struct vnode *v = vn_new(nd.dir->mnt, VN_DIR, (uint32_t)mode & ~vfs.umask & 01777);
    if (!v)
        return -ENOMEM;
    r = dir_add(nd.dir, nd.name, nd.len, v);
    if (r < 0)
        vn_maybe_free(v);
    return r;
}

VFS_SYS(mkdir)
{
    VFS_ENTER();
    long r = do_mkdir(LX_AT_FDCWD, a0, a1);
    VFS_LEAVE();
    return r;
}

VFS_SYS(mkdirat)
{
    VFS_ENTER();
    long r = do_mkdir(a0, a1, a2);
    VFS_LEAVE();
    return r;
}

static long do_rmdir(long dirfd, long upath)
{
    struct nameidata nd;
    long r = parent_of(dirfd, upath, 0, &nd);
    if (r < 0)
        return r;
    if (nd.dot)
        return nd.name[0] == '/' ? -EBUSY : nd.len == 1 ? -EINVAL : -ENOTEMPTY;
    if (nd.dir->mnt->readonly)
        return -EROFS;
    struct vnode *v = nd.node;
    if (!v)
        return -ENOENT;
    if (v->kind != VN_DIR)
        return -ENOTDIR;
    if (is_mount_root(v))
        return -EBUSY;
    if (v->u.dir.count)
        return -ENOTEMPTY;
    dir_remove(nd.dir, dir_find(nd.dir, nd.name, nd.len));
    return 0;
}

VFS_SYS(rmdir)
{
    VFS_ENTER();
    long r = do_rmdir(LX_AT_FDCWD, a0);
    VFS_LEAVE();
    return r;
}

static long do_unlink(long dirfd, long upath)
{
    struct nameidata nd;
    long r = parent_of(dirfd, upath, 0, &nd);
    if (r < 0)
        return r;
    if (nd.dot)
        return -EISDIR;
    if (nd.dir->mnt->readonly)
        return -EROFS;
    struct vnode *v = nd.node;
    if (!v)
        return -ENOENT;
    if (nd.trailing_slash)
        return v->kind == VN_DIR ? -EISDIR : -ENOTDIR;
    if (v->kind == VN_DIR)
        return -EISDIR;
    dir_remove(nd.dir, dir_find(nd.dir, nd.name, nd.len));
    return 0;
}

VFS_SYS(unlink)
{
    VFS_ENTER();
    long r = do_unlink(LX_AT_FDCWD, a0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(unlinkat)
{
    if (a2 & ~(long)LX_AT_REMOVEDIR)
        return -EINVAL;
    VFS_ENTER();
    long r = (a2 & LX_AT_REMOVEDIR) ? do_rmdir(a0, a1) : do_unlink(a0, a1);
    VFS_LEAVE();
    return r;
}

/* Whether `anc` is `v` or one of its ancestors. */
static bool is_ancestor(const struct vnode *anc, const struct vnode *v)
{
    for (int i = 0; i < 4 * LX_PATH_MAX; i++) {
        if (v == anc)
            return true;
        if (v->u.dir.parent == v)
            return false;
        v = v->u.dir.parent;
    }
    return false;
}

/* Whether src may take dst's place (dst NULL: a free name). */
static long rename_kinds(const struct vnode *src, const struct vnode *dst)
{
    if (is_mount_root(src) || (dst && is_mount_root(dst)))
        return -EBUSY;
    if (!dst)
        return 0;
    if (src->kind == VN_DIR && dst->kind != VN_DIR)
        return -ENOTDIR;
    if (src->kind != VN_DIR && dst->kind == VN_DIR)
        return -EISDIR;
    if (dst->kind == VN_DIR && dst->u.dir.count)
        return -ENOTEMPTY;
    return 0;
}

static long rename_check(struct nameidata *o, struct nameidata *n, long flags)
{
    if (o->dir->mnt != n->dir->mnt)
        return -EXDEV;
    if (o->dot || n->dot)
        return (n->dot && !o->dot && (flags & LX_RENAME_NOREPLACE)) ? -EEXIST : -EBUSY;
    if (o->dir->mnt->readonly)
        return -EROFS;
    struct vnode *src = o->node, *dst = n->node;
    if (!src)
        return -ENOENT;
    if (src->kind != VN_DIR && (o->trailing_slash || n->trailing_slash))
        return -ENOTDIR;
    if (dst && (flags & LX_RENAME_NOREPLACE))
        return -EEXIST;
    if (src->kind == VN_DIR && is_ancestor(src, n->dir))
        return -EINVAL;
    if (dst && dst->kind == VN_DIR && is_ancestor(dst, o->dir))
        return -ENOTEMPTY;
    if (dst == src)
        return 1; /* the same object: nothing to do */
    return rename_kinds(src, dst);
}

static long do_rename(long ofd, long opath, long nfd, long npath, long flags)
{
    struct nameidata o, n;
    if (flags & ~(long)LX_RENAME_NOREPLACE)
        return -EINVAL;
    long r = parent_of(ofd, opath, 0, &o);
    if (r == 0)
        r = parent_of(nfd, npath, 1, &n);
    if (r == 0)
        r = rename_check(&o, &n, flags);
    if (r == 0 && dir_gone(n.dir))
        r = -ENOENT; /* the target directory was removed */
    if (r != 0)
        return r < 0 ? r : 0;
    struct vnode *src = o.node;
    if (n.node)
        dir_remove(n.dir, dir_find(n.dir, n.name, n.len));
    src->opens++; /* keep it while it has no name */
    dir_remove(o.dir, dir_find(o.dir, o.name, o.len));
    r = dir_add(n.dir, n.name, n.len, src);
    if (r < 0) /* no memory for the new entry: put the old name back */
        r = dir_add(o.dir, o.name, o.len, src) < 0 ? -ENOMEM : r;
    src->opens--;
    vn_maybe_free(src);
    return r;
}

VFS_SYS(rename)
{
    VFS_ENTER();
    long r = do_rename(LX_AT_FDCWD, a0, LX_AT_FDCWD, a1, 0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(renameat)
{
    VFS_ENTER();
    long r = do_rename(a0, a1, a2, a3, 0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(renameat2)
{
    VFS_ENTER();
    long r = do_rename(a0, a1, a2, a3, a4);
    VFS_LEAVE();
    return r;
}

static long do_link(long ofd, long opath, long nfd, long npath, long flags)
{
    struct nameidata o, n;
    if (flags & ~(long)(LX_AT_SYMLINK_FOLLOW | LX_AT_EMPTY_PATH))
        return -EINVAL;
    long r = vfs_get_path(vfs_pbuf[0], opath);
    if (r == 0)
        r = vfs_lookup((int)ofd, vfs_pbuf[0], (flags & LX_AT_SYMLINK_FOLLOW) ? LK_FOLLOW : 0, &o);
    if (r == 0)
        r = parent_of(nfd, npath, 1, &n);
    if (r < 0)
        return r;
    if (n.node)
        return -EEXIST;
    if (o.node->mnt != n.dir->mnt)
        return -EXDEV;
    if (n.dir->mnt->readonly)
        return -EROFS;
    if (o.node->kind == VN_DIR)
        return -EPERM;
    if (n.trailing_slash)
        return -ENOENT;
    if (dir_gone(n.dir))
        return -ENOENT;
    return dir_add(n.dir, n.name, n.len, o.node);
}

VFS_SYS(link)
{
    VFS_ENTER();
    long r = do_link(LX_AT_FDCWD, a0, LX_AT_FDCWD, a1, 0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(linkat)
{
    VFS_ENTER();
    long r = do_link(a0, a1, a2, a3, a4);
    VFS_LEAVE();
    return r;
}

static long do_symlink(long utarget, long dirfd, long upath)
{
    struct nameidata nd;
    long r = vfs_get_path(vfs_pbuf[1], utarget);
    if (r < 0)
        return r;
    size_t tlen = strlen(vfs_pbuf[1]);
    if (!tlen)
        return -ENOENT;
    r = parent_of(dirfd, upath, 0, &nd);
    if (r < 0)
        return r;
    if (nd.node)
        return -EEXIST;
    if (nd.dir->mnt->readonly)
        return -EROFS;
    if (nd.trailing_slash || dir_gone(nd.dir))
        return -ENOENT;
    struct vnode *v = vn_new(nd.dir->mnt, VN_LNK, 0777);
    char *t = vfs_alloc(tlen + 1);
    if (!v || !t) {
        vfs_free(t, tlen + 1);
        vn_maybe_free(v);
        return -ENOMEM;
    }
    memcpy(t, vfs_pbuf[1], tlen + 1);
    v->u.lnk.target = t;
    v->u.lnk.len = (uint32_t)tlen;
    r = dir_add(nd.dir, nd.name, nd.len, v);
    if (r < 0)
        vn_maybe_free(v);
    return r;
}

VFS_SYS(symlink)
{
    VFS_ENTER();
    long r = do_symlink(a0, LX_AT_FDCWD, a1);
    VFS_LEAVE();
    return r;
}

VFS_SYS(symlinkat)
{
    VFS_ENTER();
    long r = do_symlink(a0, a1, a2);
    VFS_LEAVE();
    return r;
}

static long do_readlink(long dirfd, long upath, long ubuf, long size)
{
    struct nameidata nd;
    if (size <= 0)
        return -EINVAL;
    long r = vfs_get_path(vfs_pbuf[0], upath);
    if (r == 0)
        r = vfs_lookup((int)dirfd, vfs_pbuf[0], 0, &nd);
    if (r < 0)
        return r;
    if (nd.node->kind != VN_LNK)
        return -EINVAL;
    size_t n = VFS_MIN((size_t)size, nd.node->u.lnk.len);
    if (posix_copy_out((void *)ubuf, nd.node->u.lnk.target, n) < 0)
        return -EFAULT;
    return (long)n;
}

VFS_SYS(readlink)
{
    VFS_ENTER();
    long r = do_readlink(LX_AT_FDCWD, a0, a1, a2);
    VFS_LEAVE();
    return r;
}

VFS_SYS(readlinkat)
{
    VFS_ENTER();
    long r = do_readlink(a0, a1, a2, a3);
    VFS_LEAVE();
    return r;
}

static uint8_t dtype(const struct vnode *v)
{
    switch (v->kind) {
    case VN_DIR:
        return LX_DT_DIR;
    case VN_LNK:
        return LX_DT_LNK;
    case VN_CHR:
        return LX_DT_CHR;
    default:
        return LX_DT_REG;
    }
}

/* Put one record at ubuf + *at; 0 when it does not fit. */
static long dirent_put(long ubuf, size_t count, size_t *at, const struct vnode *v, uint64_t off,
                       const char *name, size_t len)
{
    union {
        struct lx_dirent64 d;
        uint8_t bytes[sizeof(struct lx_dirent64) + LX_NAME_MAX + 8];
    } rec;
    size_t reclen = (offsetof(struct lx_dirent64, d_name) + len + 1 + 7) & ~(size_t)7;
    if (reclen > count - *at)
        return 0;
    memset(&rec, 0, reclen);
    rec.d.d_ino = v->ino;
    rec.d.d_off = (int64_t)off;
    rec.d.d_reclen = (uint16_t)reclen;
    rec.d.d_type = dtype(v);
    memcpy(rec.d.d_name, name, len);
    if (posix_copy_out((char *)ubuf + *at, &rec, reclen) < 0)
        return -EFAULT;
    *at += reclen;
    return 1;
}

static long list_dir(struct vfs_file *f, long ubuf, size_t count)
{
    struct vnode *dir = f->vn;
    size_t at = 0;
    long r = 1;
    if (f->pos < 1)
        r = dirent_put(ubuf, count, &at, dir, 1, ".", 1);
    if (r > 0 && f->pos < 1)
        f->pos = 1;
    if (r > 0 && f->pos < 2)
        r = dirent_put(ubuf, count, &at, dir->u.dir.parent, 2, "..", 2);
    if (r > 0 && f->pos < 2)
        f->pos = 2;
    for (struct dentry *d = dir->u.dir.head; d && r > 0; d = d->next) {
        if (d->cookie <= f->pos)
            continue;
        r = dirent_put(ubuf, count, &at, d->node, d->cookie, d->name, d->len);
        if (r > 0)
            f->pos = d->cookie;
    }
    if (r < 0)
        return at ? (long)at : r;
    if (r == 0 && at == 0)
        return -EINVAL; /* the next entry does not fit */
    return (long)at;
}

VFS_SYS(getdents64)
{
    VFS_ENTER();
    struct vfs_file *f = fd_get(a0);
    long r = -EBADF;
    if (f) {
        if (!f->vn || f->vn->kind != VN_DIR)
            r = -ENOTDIR;
        else if (!posix_user_ok((void *)a1, (unsigned long)a2, 1))
            r = -EFAULT;
        else
            r = list_dir(f, a1, (size_t)(unsigned)a2);
        file_put(f);
    }
    VFS_LEAVE();
    return r;
}
