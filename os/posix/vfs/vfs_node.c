/* SPDX-License-Identifier: MIT */
/* Vnodes: creation and freeing, directory entries and the pages of ramfs
 * files.
 *
 * A ramfs file's data is an array of page pointers; a NULL slot is a hole
 * that reads as zeros (ftruncate grows a file without allocating). Every page
 * is counted in its mount's `used` against the mount's limit and comes from
 * the backend, so the component's RAM quota pays for it: a refused page is
 * ENOSPC, never a crash.
 */
#include "vfs_impl.h"

#define VFS_FILE_MAX (1ull << 40) /* EFBIG beyond: bounds the page array */

static const uint8_t zero_page[VFS_PAGE];

struct vnode *vn_new(struct vfs_mount *m, enum vnode_kind kind, uint32_t mode)
{
    struct vnode *v = vfs_alloc(sizeof(*v));
    if (!v)
        return NULL;
    v->kind = kind;
    v->mode = mode & 07777;
    v->ino = ++vfs.next_ino;
    v->mnt = m;
    v->atime = v->mtime = v->ctime = vfs_now();
    if (kind == VN_DIR) {
        v->u.dir.next_cookie = 3; /* 1 and 2 are "." and ".." */
        v->u.dir.parent = v;
    }
    v->all_next = vfs.all;
    if (vfs.all)
        vfs.all->all_prev = v;
    vfs.all = v;
    return v;
}

static void reg_free_pages(struct vnode *v, uint64_t from)
{
    for (uint64_t i = from; i < v->u.reg.npages; i++) {
        if (v->u.reg.pages[i]) {
            vfs_free(v->u.reg.pages[i], VFS_PAGE);
            v->u.reg.pages[i] = NULL;
            v->mnt->used -= VFS_PAGE;
        }
    }
}

static void vn_free(struct vnode *v)
{
    if (v->kind == VN_REG && v->u.reg.pages) {
        reg_free_pages(v, 0);
        vfs_free(v->u.reg.pages, v->u.reg.npages * sizeof(void *));
    } else if (v->kind == VN_LNK) {
        vfs_free(v->u.lnk.target, v->u.lnk.len + 1);
    } else if (v->kind == VN_DIR) {
        struct dentry *d = v->u.dir.head;
        while (d) {
            struct dentry *n = d->next;
            vfs_free(d, sizeof(*d) + d->len + 1);
            d = n;
        }
    }
    if (v->all_prev)
        v->all_prev->all_next = v->all_next;
    else
        vfs.all = v->all_next;
    if (v->all_next)
        v->all_next->all_prev = v->all_prev;
    vfs_free(v, sizeof(*v));
}

void vn_maybe_free(struct vnode *v)
{
    if (v && v->nlink == 0 && v->opens == 0 && v != vfs.root)
        vn_free(v);
}

void vn_free_all(void)
{
    while (vfs.all)
        vn_free(vfs.all);
}

struct dentry *dir_find(struct vnode *dir, const char *name, size_t len)
{
    for (struct dentry *d = dir->u.dir.head; d; d = d->next)
        if (d->len == len && memcmp(d->name, name, len) == 0)
            return d;
    return NULL;
}

int dir_add(struct vnode *dir, const char *name, size_t len, struct vnode *child)
{
    struct dentry *d = vfs_alloc(sizeof(*d) + len + 1);
    if (!d)
        return -ENOMEM;
    memcpy(d->name, name, len);
    d->name[len] = 0;
    d->len = (uint16_t)len;
    d->node = child;
    d->cookie = dir->u.dir.next_cookie++;
    if (dir->u.dir.tail)
        dir->u.dir.tail->next = d;
    else
        dir->u.dir.head = d;
    dir->u.dir.tail = d;
    dir->u.dir.count++;
    child->nlink++;
    if (child->kind == VN_DIR) {
        child->u.dir.parent = dir;
        dir->nlink++; /* the child's ".." */
    }
    dir->mtime = dir->ctime = vfs_now();
    return 0;
}

void dir_remove(struct vnode *dir, struct dentry *d)
{
    struct dentry **pp = &dir->u.dir.head, *prev = NULL;
    while (*pp != d) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    *pp = d->next;
    if (dir->u.dir.tail == d)
        dir->u.dir.tail = prev;
    dir->u.dir.count--;
    struct vnode *child = d->node;
    child->nlink--;
    if (child->kind == VN_DIR)
        dir->nlink--; /* the child's ".." */
    child->ctime = dir->mtime = dir->ctime = vfs_now();
    vfs_free(d, sizeof(*d) + d->len + 1);
    vn_maybe_free(child);
}

long reg_read(struct vnode *v, void *buf, size_t n, uint64_t off, bool user)
{
    uint64_t size = v->u.reg.size;
    if (off >= size)
        return 0;
    if (n > size - off)
        n = (size_t)(size - off);
    if (v->u.reg.rom)
        return vfs_out(buf, v->u.reg.rom + off, n, user) < 0 ? -EFAULT : (long)n;
    size_t done = 0;
    while (done < n) {
        uint64_t at = off + done, idx = at / VFS_PAGE, in = at % VFS_PAGE;
        size_t chunk = VFS_PAGE - in;
        if (chunk > n - done)
            chunk = n - done;
        const uint8_t *src = idx < v->u.reg.npages && v->u.reg.pages[idx]
                                     ? (const uint8_t *)v->u.reg.pages[idx] + in
                                     : zero_page;
        if (vfs_out((uint8_t *)buf + done, src, chunk, user) < 0)
            return done ? (long)done : -EFAULT;
        done += chunk;
    }
    return (long)done;
}

/* Make room for `need` page slots. */
static int reg_grow_slots(struct vnode *v, uint64_t need)
{
    if (need <= v->u.reg.npages)
        return 0;
    uint64_t cap = v->u.reg.npages ? v->u.reg.npages : 4;
    while (cap < need)
        cap *= 2;
    void **p = vfs_alloc(cap * sizeof(void *));
    if (!p)
        return -ENOSPC;
    if (v->u.reg.pages) {
        memcpy(p, v->u.reg.pages, v->u.reg.npages * sizeof(void *));
        vfs_free(v->u.reg.pages, v->u.reg.npages * sizeof(void *));
    }
    v->u.reg.pages = p;
    v->u.reg.npages = cap;
    return 0;
}

static void *reg_page(struct vnode *v, uint64_t idx)
{
    if (v->u.reg.pages[idx])
        return v->u.reg.pages[idx];
    struct vfs_mount *m = v->mnt;
    if (m->limit && m->used + VFS_PAGE > m->limit)
        return NULL;
    void *p = vfs_alloc(VFS_PAGE);
    if (p) {
        m->used += VFS_PAGE;
        v->u.reg.pages[idx] = p;
    }
    return p;
}

long reg_write(struct vnode *v, const void *buf, size_t n, uint64_t off, bool user)
{
    if (!n)
        return 0;
    if (off >= VFS_FILE_MAX || n > VFS_FILE_MAX - off)
        return -EFBIG;
    int r = reg_grow_slots(v, (off + n + VFS_PAGE - 1) / VFS_PAGE);
    if (r < 0)
        return r;
    size_t done = 0;
    while (done < n) {
        uint64_t at = off + done, idx = at / VFS_PAGE, in = at % VFS_PAGE;
        size_t chunk = VFS_PAGE - in;
        if (chunk > n - done)
            chunk = n - done;
        uint8_t *page = reg_page(v, idx);
        if (!page) {
            r = -ENOSPC;
            break;
        }
        if (vfs_in(page + in, (const uint8_t *)buf + done, chunk, user) < 0) {
            r = -EFAULT;
            break;
        }
        done += chunk;
    }
    if (off + done > v->u.reg.size)
        v->u.reg.size = off + done;
    if (done)
        v->mtime = v->ctime = vfs_now();
    return done ? (long)done : r;
}

int reg_truncate(struct vnode *v, uint64_t size)
{
    if (size >= VFS_FILE_MAX)
        return -EFBIG;
    if (size < v->u.reg.size && v->u.reg.pages) {
        uint64_t keep = (size + VFS_PAGE - 1) / VFS_PAGE;
        reg_free_pages(v, keep);
        /* The tail of the last kept page must read as zeros if the file grows. */
        if (size % VFS_PAGE && v->u.reg.pages[keep - 1])
            memset((uint8_t *)v->u.reg.pages[keep - 1] + size % VFS_PAGE, 0,
                   VFS_PAGE - size % VFS_PAGE);
    }
    v->u.reg.size = size;
    v->mtime = v->ctime = vfs_now();
    return 0;
}

uint32_t vn_type_bits(const struct vnode *v)
{
    switch (v->kind) {
    case VN_DIR:
        return LX_S_IFDIR;
    case VN_LNK:
        return LX_S_IFLNK;
    case VN_CHR:
        return LX_S_IFCHR;
    default:
        return LX_S_IFREG;
    }
}

static void split_time(int64_t ns, uint64_t *sec, uint64_t *nsec)
{
    *sec = (uint64_t)(ns / 1000000000);
    *nsec = (uint64_t)(ns % 1000000000);
}

void vn_stat(struct vnode *v, struct lx_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->st_dev = v->mnt ? v->mnt->dev : 0;
    st->st_ino = v->ino;
    st->st_nlink = v->kind == VN_DIR ? v->nlink + 1 : v->nlink;
    st->st_mode = vn_type_bits(v) | v->mode;
    st->st_blksize = VFS_PAGE;
    if (v->kind == VN_REG) {
        st->st_size = (int64_t)v->u.reg.size;
        st->st_blocks = (int64_t)((v->u.reg.size + 511) / 512);
    } else if (v->kind == VN_LNK) {
        st->st_size = v->u.lnk.len;
    } else if (v->kind == VN_DIR) {
        st->st_size = VFS_PAGE;
    } else {
        st->st_rdev = (1u << 8) | (unsigned)v->u.dev; /* major 1 like Linux's mem devices */
    }
    split_time(v->atime, &st->st_atime_sec, &st->st_atime_nsec);
    split_time(v->mtime, &st->st_mtime_sec, &st->st_mtime_nsec);
    split_time(v->ctime, &st->st_ctime_sec, &st->st_ctime_nsec);
}
