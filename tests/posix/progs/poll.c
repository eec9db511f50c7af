/* SPDX-License-Identifier: MIT */
/* poll and epoll on pipes: readiness before and after a write, POLLHUP
 * after the writer closes, timeouts of 0 and of 20 ms with nothing ready. */
#include "common.h"

#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

static void show_poll(const char *what, int fd, short events, int timeout)
{
    struct pollfd pf = {.fd = fd, .events = events};
    int n = poll(&pf, 1, timeout);
    printf("poll %s: %d revents%s%s%s%s\n", what, n, pf.revents & POLLIN ? " IN" : "",
           pf.revents & POLLOUT ? " OUT" : "", pf.revents & POLLHUP ? " HUP" : "",
           pf.revents & POLLERR ? " ERR" : "");
}

static void show_epoll(const char *what, int ep, int timeout)
{
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, timeout);
    printf("epoll %s: %d", what, n);
    for (int i = 0; i < n; i++)
        printf(" [fd-tag %u%s%s%s]", ev[i].data.u32, ev[i].events & EPOLLIN ? " IN" : "",
               ev[i].events & EPOLLOUT ? " OUT" : "", ev[i].events & EPOLLHUP ? " HUP" : "");
    printf("\n");
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    int p[2];
    must(pipe(p) == 0, "pipe");
    show_poll("empty read end, timeout 0", p[0], POLLIN, 0);
    show_poll("empty read end, timeout 20 ms", p[0], POLLIN, 20);
    show_poll("write end", p[1], POLLOUT, 0);
    must(write(p[1], "x", 1) == 1, "write");
    show_poll("read end after write", p[0], POLLIN, -1);

    int ep = epoll_create1(0);
    must(ep >= 0, "epoll_create1");
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1};
    report("epoll_ctl add read end", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    report("epoll_ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    show_epoll("with data", ep, 0);
    char c;
    must(read(p[0], &c, 1) == 1, "read");
    show_epoll("drained, timeout 20 ms", ep, 20);
    struct epoll_event wev = {.events = EPOLLOUT, .data.u32 = 2};
    report("epoll_ctl add write end", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &wev));
    show_epoll("write end ready", ep, 0);
    report("epoll_ctl del write end", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    report("epoll_ctl del again", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    close(p[1]);
    show_epoll("writer closed", ep, -1);
    show_poll("read end, writer closed", p[0], POLLIN, 0);
    report("epoll_ctl on bad fd", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
    report("epoll_wait maxevents 0", epoll_wait(ep, &ev, 0, 0));
    printf("poll: done\n");
    return 0;
}
