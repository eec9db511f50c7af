/* SPDX-License-Identifier: MIT */
/* Program output to the component's log (stdout: log, stderr: log).
 *
 * Line-buffered: each complete line goes to the backend's log_write as one
 * log line (without its newline); a line longer than the backend's limit
 * (log_max) is split into pieces of that size; a partial last line waits
 * for vfs_flush (program exit) or the file's release. Each of fds 1 and 2
 * has its own buffer, so their partial lines never mix.
 */
#include "vfs_impl.h"

struct logbuf {
    size_t len, max;
    char line[VFS_LINE_MAX];
};

static void emit(struct logbuf *lb)
{
    vfs.be->log_write(vfs.be->ctx, lb->line, lb->len);
    lb->len = 0;
}

static void log_bytes(struct logbuf *lb, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n') {
            emit(lb);
            continue;
        }
        lb->line[lb->len++] = p[i];
        if (lb->len == lb->max)
            emit(lb);
    }
}

static long log_write(struct vfs_file *f, const void *buf, size_t n, uint64_t *pos, unsigned io)
{
    (void)pos;
    struct logbuf *lb = f->priv;
    char tmp[256];
    size_t done = 0;
    while (done < n) {
        size_t k = VFS_MIN(n - done, sizeof(tmp));
        if (vfs_in(tmp, (const char *)buf + done, k, io & VFS_IO_USER) < 0)
            return done ? (long)done : -EFAULT;
        log_bytes(lb, tmp, k);
        done += k;
    }
    return (long)done;
}

static unsigned log_poll(struct vfs_file *f)
{
    (void)f;
    return LX_POLLOUT;
}

void log_flush(struct vfs_file *f)
{
    struct logbuf *lb = f->priv;
    if (lb->len)
        emit(lb);
}

static void log_release(struct vfs_file *f)
{
    log_flush(f);
    vfs_free(f->priv, sizeof(struct logbuf));
}

static void log_stat(struct vfs_file *f, struct lx_stat *st)
{
    (void)f;
    st->st_mode = LX_S_IFIFO | 0600; /* a stream to the log, not a terminal */
}

static const struct vfs_file_ops log_ops = {
        .write = log_write,
        .poll = log_poll,
        .release = log_release,
        .stat = log_stat,
};

struct vfs_file *log_file_new(void)
{
    struct logbuf *lb = vfs_alloc(sizeof(*lb));
    struct vfs_file *f = lb ? file_new(&log_ops, LX_O_WRONLY) : NULL;
    if (!f) {
        vfs_free(lb, sizeof(*lb));
        return NULL;
    }
    lb->max = VFS_MIN(vfs.be->log_max, (size_t)VFS_LINE_MAX);
    if (lb->max < 1)
        lb->max = 1;
    f->priv = lb;
    return f;
}

void vfs_flush(void)
{
    if (!vfs.up)
        return;
    VFS_ENTER();
    for (struct vfs_file *f = vfs.files; f; f = f->all_next)
        if (f->ops == &log_ops)
            log_flush(f);
    VFS_LEAVE();
}
