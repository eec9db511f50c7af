/* SPDX-License-Identifier: MIT */
/* Waiting for files: poll, ppoll, select, pselect6.
 *
 * Every file kind answers ops->poll with its readiness now; a call scans its
 * set, and if nothing is ready blocks (vfs_block, the lock dropped) until some
 * file changes, a signal is pending or the deadline passes, then scans again.
 * Sets are bounded by RLIMIT_NOFILE and copied in before the first scan.
 * Signal masks of ppoll/pselect6 are the runtime's business (it applies them
 * around the call); the VFS ignores them.
 */
#include "vfs_impl.h"

#define POLL_ALWAYS (LX_POLLERR | LX_POLLHUP | LX_POLLNVAL)

typedef long (*scan_fn)(void *ctx);

/* Scan until something is ready or the deadline passes. */
static long wait_for(scan_fn scan, void *ctx, uint64_t deadline)
{
    for (;;) {
        long n = scan(ctx);
        if (n != 0 || deadline == 0)
            return n;
        if (deadline != VFS_NO_DEADLINE && vfs.be->now_ns(vfs.be->ctx) >= deadline)
            return 0;
        int r = vfs_block(deadline);
        if (r < 0)
            return r;
    }
}

static unsigned revents_of(int fd, unsigned events)
{
    if (fd < 0)
        return 0;
    struct vfs_file *f = fd_get(fd);
    if (!f)
        return LX_POLLNVAL;
    unsigned m = f->ops->poll ? f->ops->poll(f) : (LX_POLLIN | LX_POLLOUT);
    file_put(f);
    if (m & LX_POLLIN)
        m |= LX_POLLRDNORM;
    if (m & LX_POLLOUT)
        m |= LX_POLLWRNORM;
    return m & (events | POLL_ALWAYS);
}

struct poll_set {
    struct lx_pollfd *fds;
    unsigned long n;
};

static long poll_scan(void *ctx)
{
    struct poll_set *ps = ctx;
    long ready = 0;
    for (unsigned long i = 0; i < ps->n; i++) {
        ps->fds[i].revents = (int16_t)revents_of(ps->fds[i].fd, (uint16_t)ps->fds[i].events);
        if (ps->fds[i].revents)
            ready++;
    }
    return ready;
}

static long do_poll(long ufds, long nfds, uint64_t deadline)
{
    if ((unsigned long)nfds > VFS_FDS_MAX)
        return -EINVAL;
    struct poll_set ps = {NULL, (unsigned long)nfds};
    size_t bytes = ps.n * sizeof(struct lx_pollfd);
    if (bytes) {
        ps.fds = vfs_alloc(bytes);
        if (!ps.fds)
            return -ENOMEM;
        if (posix_copy_in(ps.fds, (const void *)ufds, bytes) < 0) {
            vfs_free(ps.fds, bytes);
            return -EFAULT;
        }
    }
    long r = wait_for(poll_scan, &ps, deadline);
    if (r >= 0 && bytes && posix_copy_out((void *)ufds, ps.fds, bytes) < 0)
        r = -EFAULT;
    vfs_free(ps.fds, bytes);
    return r;
}

VFS_SYS(poll)
{
    int timeout = (int)a2;
    VFS_ENTER();
    long r = do_poll(a0, a1,
                     timeout < 0    ? VFS_NO_DEADLINE
                     : timeout == 0 ? 0
                                    : vfs_deadline((int64_t)timeout * 1000000));
    VFS_LEAVE();
    return r;
}

/* A timespec timeout: its deadline (0: poll once), or -EINVAL/-EFAULT. */
static long ts_deadline(long uts, uint64_t *deadline)
{
    struct lx_timespec ts;
    if (!uts) {
        *deadline = VFS_NO_DEADLINE;
        return 0;
    }
    if (posix_copy_in(&ts, (const void *)uts, sizeof(ts)) < 0)
        return -EFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec > 999999999)
        return -EINVAL;
    if (!ts.tv_sec && !ts.tv_nsec) {
        *deadline = 0;
        return 0;
    }
    int64_t ns = ts.tv_sec > INT64_MAX / 1000000000 - 1 ? INT64_MAX
                                                        : ts.tv_sec * 1000000000 + ts.tv_nsec;
    *deadline = vfs_deadline(ns);
    return 0;
}

VFS_SYS(ppoll)
{
    uint64_t deadline;
    long r = ts_deadline(a2, &deadline);
    if (r < 0)
        return r;
    VFS_ENTER();
    r = do_poll(a0, a1, deadline);
    VFS_LEAVE();
    return r;
}

struct sel_set {
    unsigned long nfds;
    uint64_t in[3][VFS_FDS_MAX / 64], out[3][VFS_FDS_MAX / 64];
    bool given[3];
};

static long sel_scan(void *ctx)
{
    struct sel_set *s = ctx;
    static const unsigned want[3] = {LX_POLLIN | LX_POLLHUP | LX_POLLERR, LX_POLLOUT | LX_POLLERR,
                                     LX_POLLPRI};
    long ready = 0;
    memset(s->out, 0, sizeof(s->out));
    for (unsigned long fd = 0; fd < s->nfds; fd++) {
        uint64_t bit = 1ull << (fd % 64);
        bool any = false;
        for (int k = 0; k < 3; k++)
            any |= (s->in[k][fd / 64] & bit) != 0;
        if (!any)
            continue;
        unsigned m = revents_of((int)fd, ~0u);
        if (m & LX_POLLNVAL)
            return -EBADF;
        for (int k = 0; k < 3; k++) {
            if ((s->in[k][fd / 64] & bit) && (m & want[k])) {
                s->out[k][fd / 64] |= bit;
                ready++;
            }
        }
    }
    return ready;
}

static long do_select(long nfds, const long usets[3], uint64_t deadline, struct sel_set *s)
{
    if (nfds < 0)
        return -EINVAL;
    if (nfds > VFS_FDS_MAX)
        nfds = VFS_FDS_MAX; /* as Linux: no fd beyond the table's size is looked at */
    memset(s, 0, sizeof(*s));
    s->nfds = (unsigned long)nfds;
    size_t bytes = (s->nfds + 63) / 64 * 8;
    for (int k = 0; k < 3; k++) {
        s->given[k] = usets[k] != 0;
        if (s->given[k] && bytes && posix_copy_in(s->in[k], (const void *)usets[k], bytes) < 0)
            return -EFAULT;
    }
    long r = wait_for(sel_scan, s, deadline);
    for (int k = 0; r >= 0 && k < 3; k++)
        if (s->given[k] && bytes && posix_copy_out((void *)usets[k], s->out[k], bytes) < 0)
            r = -EFAULT;
    return r;
}

static long select_common(long nfds, long r, long w, long e, uint64_t deadline)
{
    long sets[3] = {r, w, e};
    VFS_ENTER();
    struct sel_set *s = vfs_alloc(sizeof(*s)); /* the set is kept across blocking */
    long res = s ? do_select(nfds, sets, deadline, s) : -ENOMEM;
    vfs_free(s, sizeof(*s));
    VFS_LEAVE();
    return res;
}

VFS_SYS(select)
{
    struct lx_timeval tv;
    uint64_t deadline = VFS_NO_DEADLINE;
    if (a4) {
        if (posix_copy_in(&tv, (const void *)a4, sizeof(tv)) < 0)
            return -EFAULT;
        if (tv.tv_sec < 0 || tv.tv_usec < 0 || tv.tv_usec > 999999)
            return -EINVAL;
        int64_t ns = tv.tv_sec > INT64_MAX / 1000000000 - 1
                             ? INT64_MAX
                             : tv.tv_sec * 1000000000 + tv.tv_usec * 1000;
        deadline = ns ? vfs_deadline(ns) : 0;
    }
    long r = select_common(a0, a1, a2, a3, deadline);
    if (a4 && r >= 0) { /* Linux writes back the time left */
        uint64_t now = vfs.be->now_ns(vfs.be->ctx);
        uint64_t left = deadline > now && deadline != VFS_NO_DEADLINE ? deadline - now : 0;
        tv.tv_sec = (int64_t)(left / 1000000000);
        tv.tv_usec = (int64_t)(left % 1000000000 / 1000);
        posix_copy_out((void *)a4, &tv, sizeof(tv));
    }
    return r;
}

VFS_SYS(pselect6)
{
    uint64_t deadline;
    long r = ts_deadline(a4, &deadline);
    if (r < 0)
        return r;
    return select_common(a0, a1, a2, a3, deadline);
}
