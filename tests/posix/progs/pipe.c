/* SPDX-License-Identifier: MIT */
/* Pipes: data in order, EOF after the writer closes, EPIPE on a write
 * without a reader (SIGPIPE ignored), a pipe between two threads, pipe2's
 * O_NONBLOCK giving EAGAIN. */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#define BULK (256 * 1024)

static void *writer(void *arg)
{
    int fd = *(int *)arg;
    char buf[1000];
    long sent = 0;
    while (sent < BULK) {
        long n = BULK - sent < (long)sizeof(buf) ? BULK - sent : (long)sizeof(buf);
        for (long i = 0; i < n; i++)
            buf[i] = (char)((sent + i) % 251);
        long w = write(fd, buf, n);
        if (w <= 0)
            return (void *)1;
        sent += w;
    }
    close(fd);
    return NULL;
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    int p[2];
    char buf[64];
    must(pipe(p) == 0, "pipe");
    must(write(p[1], "abc", 3) == 3 && write(p[1], "def", 3) == 3, "write");
    long n = read(p[0], buf, sizeof(buf));
    buf[n > 0 ? n : 0] = 0;
    printf("read: %ld '%s'\n", n, buf);
    close(p[1]);
    printf("read after writer closed (EOF): %ld\n", (long)read(p[0], buf, sizeof(buf)));
    close(p[0]);

    signal(SIGPIPE, SIG_IGN);
    must(pipe(p) == 0, "pipe 2");
    close(p[0]);
    report("write without reader", write(p[1], "x", 1));
    close(p[1]);

    must(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
    report("read empty non-blocking", read(p[0], buf, 1));
    printf("O_NONBLOCK set: %s, FD_CLOEXEC set: %s\n",
           (fcntl(p[0], F_GETFL) & O_NONBLOCK) ? "yes" : "no",
           (fcntl(p[0], F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
    close(p[0]);
    close(p[1]);

    must(pipe(p) == 0, "pipe 3");
    pthread_t t;
    must(pthread_create(&t, NULL, writer, &p[1]) == 0, "pthread_create");
    long total = 0, bad = 0;
    char big[4096];
    for (;;) {
        long r = read(p[0], big, sizeof(big));
        must(r >= 0, "read bulk");
        if (r == 0)
            break;
        for (long i = 0; i < r; i++)
            bad += big[i] != (char)((total + i) % 251);
        total += r;
    }
    void *ret;
    must(pthread_join(t, &ret) == 0, "join");
    printf("bulk through pipe: %ld bytes, %ld wrong, writer %s\n", total, bad,
           ret ? "failed" : "ok");
    int d = dup(p[0]);
    printf("dup gives lowest free fd: %s\n", d == p[1] ? "yes" : "no");
    printf("pipe: done\n");
    return 0;
}
