/* SPDX-License-Identifier: MIT */
/* tcp_echo: the Linux peer of the network benchmark, a TCP echo server.
 *
 * The same behaviour as Kide's echo component (os/components/echo) for
 * TCP: every byte a connection sends comes back on it, in order; at most
 * CONN_MAX connections, each holding at most BUF bytes not yet sent back
 * (nothing more is read from it meanwhile). One thread, poll(2). Built
 * static (musl-gcc) and run as the initramfs's program by
 * os/bench/net-run.py. Usage: tcp_echo [PORT] (default 7).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CONN_MAX 8
#define BUF      16384

struct conn {
    int fd;          /* -1: free */
    size_t off, len; /* bytes [off, len) of buf still to send back */
    char buf[BUF];
};

static struct conn conns[CONN_MAX];

static int listen_on(int port)
{
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 8) != 0) {
        perror("tcp-echo: listen");
        exit(1);
    }
    return fd;
}

/* Move what connection C can move; close it when the peer closed or failed. */
static void serve(struct conn *c, short rev)
{
    if (c->off < c->len && (rev & POLLOUT)) {
        ssize_t n = write(c->fd, c->buf + c->off, c->len - c->off);
        if (n < 0 && errno != EAGAIN) {
            close(c->fd), c->fd = -1;
            return;
        }
        c->off += n > 0 ? (size_t)n : 0;
        if (c->off == c->len)
            c->off = c->len = 0;
    }
    if (c->len == 0 && (rev & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(c->fd, c->buf, BUF);
        if (n <= 0) {
            close(c->fd), c->fd = -1;
            return;
        }
        c->len = (size_t)n;
    }
}

int main(int argc, char **argv)
{
    int port = argc > 1 ? atoi(argv[1]) : 7;
    int lfd = listen_on(port);
    for (int i = 0; i < CONN_MAX; i++)
        conns[i].fd = -1;
    printf("tcp-echo: listening on TCP port %d\n", port);
    fflush(stdout);
    for (;;) {
        struct pollfd p[CONN_MAX + 1];
        int idx[CONN_MAX + 1], n = 0, free = -1;
        for (int i = 0; i < CONN_MAX; i++) {
            if (conns[i].fd < 0) {
                free = free < 0 ? i : free;
                continue;
            }
            p[n] = (struct pollfd){conns[i].fd, conns[i].len ? POLLOUT : POLLIN, 0};
            idx[n++] = i;
        }
        if (free >= 0)
            p[n] = (struct pollfd){lfd, POLLIN, 0}, idx[n++] = -1;
        if (poll(p, (nfds_t)n, -1) < 0)
            continue;
        for (int k = 0; k < n; k++) {
            if (!p[k].revents)
                continue;
            if (idx[k] < 0) {
                int fd = accept(lfd, NULL, NULL), one = 1;
                if (fd >= 0) {
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    conns[free] = (struct conn){.fd = fd};
                }
            } else {
                serve(&conns[idx[k]], p[k].revents);
            }
        }
    }
}
