/* SPDX-License-Identifier: MIT */
/* stdout and stderr to the component's log, line by line, while no VFS is
 * linked (the VFS takes write/writev over when it is: syscall_table.c).
 * A line is cut at LINE_MAX bytes; the partial last line goes out at exit.
 */
#include <kide/base.h>
#include "posix.h"
#include "uaccess.h"

#define LINE_MAX 200

static struct {
    char buf[LINE_MAX + 1];
    unsigned n;
} line[3];

static void emit(int fd)
{
    line[fd].buf[line[fd].n] = 0;
    posix_log("%s", line[fd].buf);
    line[fd].n = 0;
}

long posix_log_write(int fd, const char *p, kide_u64 n)
{
    for (kide_u64 i = 0; i < n; i++) {
        if (p[i] == '\n') {
            emit(fd);
            continue;
        }
        line[fd].buf[line[fd].n++] = p[i];
        if (line[fd].n == LINE_MAX)
            emit(fd);
    }
    return (long)n;
}

void posix_log_flush(void)
{
    for (int fd = 1; fd <= 2; fd++)
        if (line[fd].n)
            emit(fd);
}

static struct kide_mutex *io_lock(void)
{
    return &posix.lock;
}

long sys_log_write(long a0, long a1, long a2, long a3, long a4, long a5)
{
    if (a0 != 1 && a0 != 2)
        return -L_EBADF;
    char chunk[256];
    for (kide_u64 done = 0; done < (kide_u64)a2;) {
        kide_u64 k = (kide_u64)a2 - done < sizeof(chunk) ? (kide_u64)a2 - done : sizeof(chunk);
        if (posix_copy_in(chunk, (const char *)a1 + done, k))
            return done ? (long)done : -L_EFAULT;
        kide_mutex_lock(io_lock());
        posix_log_write((int)a0, chunk, k);
        kide_mutex_unlock(io_lock());
        done += k;
    }
    return a2;
}

long sys_log_writev(long a0, long a1, long a2, long a3, long a4, long a5)
{
    if (a2 < 0 || a2 > 1024)
        return -L_EINVAL;
    long total = 0;
    for (long i = 0; i < a2; i++) {
        kide_u64 iov[2];
        if (posix_copy_in(iov, (const kide_u64 *)a1 + 2 * i, sizeof(iov)))
            return -L_EFAULT;
        long r = sys_log_write(a0, (long)iov[0], (long)iov[1], 0, 0, 0);
        if (r < 0)
            return total ? total : r;
        total += r;
    }
    return total;
}

long sys_log_ioctl(long a0, long a1, long a2, long a3, long a4, long a5)
{
    return -L_ENOTTY;
}
