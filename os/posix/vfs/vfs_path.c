/* SPDX-License-Identifier: MIT */
/* Path resolution: components, ".", "..", mount points and symlinks, with
 * Linux's errors (ENOENT, ENOTDIR, ENAMETOOLONG for a component over NAME_MAX
 * or a path of PATH_MAX bytes, ELOOP after 40 symlinks).
 *
 * The walk works in one buffer under the VFS lock: a symlink's target is
 * spliced in front of the rest of the path, so the cost is bounded by
 * 40 expansions of at most PATH_MAX bytes each.
 */
#include "vfs_impl.h"

static char walkbuf[2 * LX_PATH_MAX + 2];

int vfs_dirfd(int dirfd, struct vnode **out)
{
    if (dirfd == LX_AT_FDCWD) {
        *out = vfs.cwd;
        return 0;
    }
    struct vfs_file *f = fd_get(dirfd);
    if (!f)
        return -EBADF;
    struct vnode *v = f->vn;
    file_put(f);
    if (!v || v->kind != VN_DIR)
        return -ENOTDIR;
    *out = v;
    return 0;
}

static struct vnode *enter_mounts(struct vnode *v)
{
    while (v->kind == VN_DIR && v->u.dir.mounted)
        v = v->u.dir.mounted;
    return v;
}

static bool is_dot(const char *c, size_t len)
{
    return (len == 1 && c[0] == '.') || (len == 2 && c[0] == '.' && c[1] == '.');
}

static struct vnode *child_of(struct vnode *dir, const char *name, size_t len)
{
    if (len == 1 && name[0] == '.')
        return dir;
    if (len == 2 && name[0] == '.' && name[1] == '.')
        return dir->u.dir.parent;
    struct dentry *d = dir_find(dir, name, len);
    return d ? enter_mounts(d->node) : NULL;
}

/* Replace the walked part of walkbuf up to `rest` by the link's target. */
static int splice(const struct vnode *link, const char *rest)
{
    size_t t = link->u.lnk.len, r = strlen(rest);
    if (t + 1 + r + 1 > sizeof(walkbuf))
        return -ENAMETOOLONG;
    memmove(walkbuf + t + 1, rest, r + 1);
    memcpy(walkbuf, link->u.lnk.target, t);
    walkbuf[t] = r ? '/' : 0;
    return 0;
}

static void set_name(struct nameidata *nd, const char *c, size_t len)
{
    memcpy(nd->name, c, len);
    nd->name[len] = 0;
    nd->len = len;
}

/* The path ended on a directory with nothing after it ("/", "a/.." after a link). */
static int end_at(struct vnode *cur, struct nameidata *nd)
{
    nd->node = cur;
    nd->dir = cur->u.dir.parent;
    nd->dot = true;
    nd->trailing_slash = true;
    set_name(nd, "/", 1);
    return 0;
}

int vfs_lookup(int dirfd, const char *path, unsigned flags, struct nameidata *nd)
{
    memset(nd, 0, sizeof(*nd));
    size_t len = strnlen(path, LX_PATH_MAX);
    if (!len)
        return -ENOENT;
    if (len >= LX_PATH_MAX)
        return -ENAMETOOLONG;
    memcpy(walkbuf, path, len + 1);
    struct vnode *cur = vfs.root;
    if (path[0] != '/') {
        int r = vfs_dirfd(dirfd, &cur);
        if (r < 0)
            return r;
    }
    char *p = walkbuf;
    int links = 0;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            return end_at(cur, nd);
        char *c = p;
        while (*p && *p != '/')
            p++;
        size_t clen = (size_t)(p - c);
        char *q = p;
        while (*q == '/')
            q++;
        bool last = !*q, trailing = last && q != p;
        if (clen > LX_NAME_MAX)
            return -ENAMETOOLONG;
        if (cur->kind != VN_DIR)
            return -ENOTDIR;
        if (last && (flags & LK_PARENT)) {
            nd->dir = cur;
            nd->node = child_of(cur, c, clen);
            nd->trailing_slash = trailing;
            nd->dot = is_dot(c, clen);
            set_name(nd, c, clen);
            return 0;
        }
        struct vnode *ch = child_of(cur, c, clen);
        if (!ch)
            return -ENOENT;
        if (ch->kind == VN_LNK && (!last || trailing || (flags & LK_FOLLOW))) {
            if (++links > VFS_SYMLOOP_MAX)
                return -ELOOP;
            int r = splice(ch, p);
            if (r < 0)
                return r;
            if (walkbuf[0] == '/')
                cur = vfs.root;
            p = walkbuf;
            continue;
        }
        if (last) {
            if (trailing && ch->kind != VN_DIR)
                return -ENOTDIR;
            nd->dir = cur;
            nd->node = ch;
            nd->trailing_slash = trailing;
            nd->dot = is_dot(c, clen);
            set_name(nd, c, clen);
            return 0;
        }
        cur = ch;
        p = q;
    }
}

/* The name under which dir is entered in its parent (the covered directory's
 * for a mount root), or NULL for the root. */
static const struct dentry *name_of(struct vnode *dir, struct vnode **parent)
{
    struct vnode *v = dir;
    if (v->mnt && v->mnt->root == v && v->mnt->covered)
        v = v->mnt->covered;
    struct vnode *p = v->u.dir.parent;
    if (p == v)
        return NULL;
    *parent = p;
    for (struct dentry *d = p->u.dir.head; d; d = d->next)
        if (d->node == v)
            return d;
    return NULL;
}

long vfs_dir_path(struct vnode *dir, char *buf, size_t size)
{
    if (dir->nlink == 0 && dir != vfs.root)
        return -ENOENT;
    char *tmp = walkbuf;
    size_t at = sizeof(walkbuf) - 1;
    tmp[at] = 0;
    struct vnode *v = dir, *parent = NULL;
    for (int depth = 0; depth < LX_PATH_MAX; depth++) {
        const struct dentry *d = name_of(v, &parent);
        if (!d)
            break;
        if (d->len + 1u > at)
            return -ENAMETOOLONG;
        at -= d->len;
        memcpy(tmp + at, d->name, d->len);
        tmp[--at] = '/';
        v = parent;
    }
    if (at == sizeof(walkbuf) - 1)
        tmp[--at] = '/';
    size_t n = sizeof(walkbuf) - 1 - at;
    if (n + 1 > size)
        return -ERANGE;
    memcpy(buf, tmp + at, n + 1);
    return (long)n;
}
