/* SPDX-License-Identifier: MIT */
/* epoll: epoll_create(1), epoll_ctl, epoll_wait, epoll_pwait.
 *
 * An instance is a bounded array of interest entries keyed by (fd, file),
 * as Linux keys them. An entry does not keep its file open: when the file's
 * last reference goes, file_put calls epoll_forget and the entries naming it
 * disappear (closing one of two dup'ed fds leaves the entry, as on Linux).
 * Level-triggered by default; EPOLLET reports a ready file again only after
 * its change generation moved; EPOLLONESHOT disables an entry once reported
 * until EPOLL_CTL_MOD. Regular files and directories are refused with EPERM
 * (Linux: they do not support poll); an epoll inside an epoll is not
 * supported here (EINVAL).
 */
#include "vfs_impl.h"

struct epitem {
    struct vfs_file *file;
    int fd;
    uint32_t events;
    uint64_t data;
    uint32_t seen_gen;
    bool disabled;
};

struct vfs_epoll {
    struct vfs_epoll *next;
    struct epitem *items;
    uint32_t n, cap, start;
};

static const struct vfs_file_ops epoll_ops;

static void item_drop(struct vfs_epoll *ep, uint32_t i)
{
    ep->items[i].file->epoll_refs--;
    ep->items[i] = ep->items[--ep->n];
}

void epoll_forget(struct vfs_file *f)
{
    for (struct vfs_epoll *ep = vfs.epolls; ep && f->epoll_refs; ep = ep->next)
        for (uint32_t i = ep->n; i-- > 0;)
            if (ep->items[i].file == f)
                item_drop(ep, i);
}

static unsigned item_ready(const struct epitem *it)
{
    if (it->disabled)
        return 0;
    unsigned m = it->file->ops->poll ? it->file->ops->poll(it->file) : 0;
    return m & (it->events | LX_POLLERR | LX_POLLHUP);
}

static unsigned epoll_poll(struct vfs_file *f)
{
    struct vfs_epoll *ep = f->priv;
    for (uint32_t i = 0; i < ep->n; i++)
        if (item_ready(&ep->items[i]))
            return LX_POLLIN;
    return 0;
}

static void epoll_release(struct vfs_file *f)
{
    struct vfs_epoll *ep = f->priv;
    while (ep->n)
        item_drop(ep, ep->n - 1);
    struct vfs_epoll **pp = &vfs.epolls;
    while (*pp != ep)
        pp = &(*pp)->next;
    *pp = ep->next;
    vfs_free(ep->items, ep->cap * sizeof(struct epitem));
    vfs_free(ep, sizeof(*ep));
}

static void epoll_stat(struct vfs_file *f, struct lx_stat *st)
{
    (void)f;
    st->st_mode = 0600; /* an anonymous inode, like Linux's */
}

static const struct vfs_file_ops epoll_ops = {
        .poll = epoll_poll,
        .release = epoll_release,
        .stat = epoll_stat,
};

static long epoll_new(long flags)
{
    if (flags & ~(long)LX_EPOLL_CLOEXEC)
        return -EINVAL;
    if (!fd_available())
        return -EMFILE;
    struct vfs_epoll *ep = vfs_alloc(sizeof(*ep));
    struct vfs_file *f = ep ? file_new(&epoll_ops, LX_O_RDWR) : NULL;
    if (!f) {
        vfs_free(ep, sizeof(*ep));
        return -ENOMEM;
    }
    ep->next = vfs.epolls;
    vfs.epolls = ep;
    f->priv = ep;
    long fd = fd_install(f, 0, flags & LX_EPOLL_CLOEXEC);
    file_put(f);
    return fd;
}

VFS_SYS(epoll_create)
{
    if (a0 <= 0)
        return -EINVAL;
    VFS_ENTER();
    long r = epoll_new(0);
    VFS_LEAVE();
    return r;
}

VFS_SYS(epoll_create1)
{
    VFS_ENTER();
    long r = epoll_new(a0);
    VFS_LEAVE();
    return r;
}

static int item_find(struct vfs_epoll *ep, struct vfs_file *f, int fd)
{
    for (uint32_t i = 0; i < ep->n; i++)
        if (ep->items[i].file == f && ep->items[i].fd == fd)
            return (int)i;
    return -1;
}

static long item_add(struct vfs_epoll *ep, struct vfs_file *f, int fd,
                     const struct lx_epoll_event *ev)
{
    if (ep->n == ep->cap) {
        uint32_t cap = ep->cap ? ep->cap * 2 : 8;
        if (cap > VFS_EPOLL_MAX)
            return -ENOSPC;
        struct epitem *items = vfs_alloc(cap * sizeof(*items));
        if (!items)
            return -ENOMEM;
        if (ep->items)
            memcpy(items, ep->items, ep->n * sizeof(*items));
        vfs_free(ep->items, ep->cap * sizeof(*items));
        ep->items = items;
        ep->cap = cap;
    }
    struct epitem *it = &ep->items[ep->n++];
    it->file = f;
    it->fd = fd;
    it->events = ev->events;
    it->data = ev->data;
    it->seen_gen = f->gen - 1;
    it->disabled = false;
    f->epoll_refs++;
    return 0;
}

static long ctl(struct vfs_file *epf, struct vfs_file *f, int fd, long op,
                const struct lx_epoll_event *ev)
{
    if (epf->ops != &epoll_ops || f == epf || f->ops == &epoll_ops)
        return -EINVAL;
    if (f->ops == &vnode_ops)
        return -EPERM;
    struct vfs_epoll *ep = epf->priv;
    int i = item_find(ep, f, fd);
    switch (op) {
    case LX_EPOLL_CTL_ADD:
        return i >= 0 ? -EEXIST : item_add(ep, f, fd, ev);
    case LX_EPOLL_CTL_MOD:
        if (i < 0)
            return -ENOENT;
        if (ev->events & LX_EPOLLEXCLUSIVE)
            return -EINVAL;
        ep->items[i].events = ev->events;
        ep->items[i].data = ev->data;
        ep->items[i].disabled = false;
        ep->items[i].seen_gen = f->gen - 1;
        return 0;
    case LX_EPOLL_CTL_DEL:
        if (i < 0)
            return -ENOENT;
        item_drop(ep, (uint32_t)i);
        return 0;
    default:
        return -EINVAL;
    }
}

VFS_SYS(epoll_ctl)
{
    struct lx_epoll_event ev = {0, 0};
    if (a1 != LX_EPOLL_CTL_DEL && posix_copy_in(&ev, (const void *)a3, sizeof(ev)) < 0)
        return -EFAULT;
    VFS_ENTER();
    struct vfs_file *epf = fd_get(a0), *f = fd_get(a2);
    long r = epf && f ? ctl(epf, f, (int)a2, a1, &ev) : -EBADF;
    file_put(epf);
    file_put(f);
    VFS_LEAVE();
    return r;
}

struct ep_wait {
    struct vfs_epoll *ep;
    long uevents;
    uint32_t max;
};

/* Report ready entries, starting where the last scan stopped (fairness).
 * The starting point is read once: ep->start moves as entries are reported,
 * and indexing from the moved cursor would visit an entry twice. */
static long ep_scan(struct ep_wait *w)
{
    struct vfs_epoll *ep = w->ep;
    uint32_t first = ep->n ? ep->start % ep->n : 0;
    long got = 0;
    for (uint32_t k = 0; k < ep->n && (uint32_t)got < w->max; k++) {
        uint32_t i = (first + k) % ep->n;
        struct epitem *it = &ep->items[i];
        unsigned m = item_ready(it);
        if (!m || ((it->events & LX_EPOLLET) && it->seen_gen == it->file->gen))
            continue;
        struct lx_epoll_event ev = {m, it->data};
        if (posix_copy_out((struct lx_epoll_event *)w->uevents + got, &ev, sizeof(ev)) < 0)
            return got ? got : -EFAULT;
        it->seen_gen = it->file->gen;
        if (it->events & LX_EPOLLONESHOT)
            it->disabled = true;
        got++;
        ep->start = i + 1;
    }
    return got;
}

static long ep_wait(long epfd, long uevents, long max, uint64_t deadline)
{
    if (max <= 0 || max > 0x7fffffff / (long)sizeof(struct lx_epoll_event))
        return -EINVAL;
    if (!posix_user_ok((void *)uevents, (unsigned long)max * sizeof(struct lx_epoll_event), 1))
        return -EFAULT;
    struct vfs_file *epf = fd_get(epfd);
    if (!epf)
        return -EBADF;
    long r = -EINVAL;
    if (epf->ops == &epoll_ops) {
        struct ep_wait w = {epf->priv, uevents, (uint32_t)max};
        for (;;) {
            r = ep_scan(&w);
            if (r != 0 || deadline == 0 ||
                (deadline != VFS_NO_DEADLINE && vfs.be->now_ns(vfs.be->ctx) >= deadline))
                break;
            r = vfs_block(deadline);
            if (r < 0)
                break;
        }
    }
    file_put(epf);
    return r;
}

static uint64_t ms_deadline(int ms)
{
    return ms < 0 ? VFS_NO_DEADLINE : ms == 0 ? 0 : vfs_deadline((int64_t)ms * 1000000);
}

VFS_SYS(epoll_wait)
{
    VFS_ENTER();
    long r = ep_wait(a0, a1, a2, ms_deadline((int)a3));
    VFS_LEAVE();
    return r;
}

VFS_SYS(epoll_pwait)
{
    VFS_ENTER();
    long r = ep_wait(a0, a1, a2, ms_deadline((int)a3));
    VFS_LEAVE();
    return r;
}
