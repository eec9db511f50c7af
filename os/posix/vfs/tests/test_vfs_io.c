/* SPDX-License-Identifier: MIT */
/* VFS host tests: pipes (also across threads), poll, ppoll, select,
 * pselect6, epoll and program output to the log.
 */
#include "tests.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../vfs_linux.h"

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void test_pipe_basic(void **state)
{
    int32_t p[2];
    char buf[16] = {0};
    assert_int_equal(S2(pipe2, p, 0x1), -EINVAL);
    assert_int_equal(S1(pipe, 16), -EFAULT);
    assert_int_equal(S2(pipe2, p, O_NONBLOCK | O_CLOEXEC), 0);
    assert_int_equal(S2(fcntl, p[0], F_GETFD), FD_CLOEXEC);
    assert_int_equal(S3(read, p[0], buf, 4), -EAGAIN);
    assert_int_equal(S3(write, p[1], "hello", 5), 5);
    int n = 0;
    assert_int_equal(S3(ioctl, p[0], LX_FIONREAD, &n), 0);
    assert_int_equal(n, 5);
    assert_int_equal(S3(lseek, p[0], 0, SEEK_SET), -ESPIPE);
    assert_int_equal(S4(pread64, p[0], buf, 1, 0), -ESPIPE);
    assert_int_equal(S3(write, p[0], "x", 1), -EBADF);
    assert_int_equal(S3(read, p[0], buf, 3), 3);
    assert_memory_equal(buf, "hel", 3);
    struct lx_stat st;
    assert_int_equal(S2(fstat, p[0], &st), 0);
    assert_int_equal(st.st_mode & S_IFMT, S_IFIFO);
    assert_int_equal(S2(fcntl, p[0], LX_F_GETPIPE_SZ), 64 << 10);
    /* fill it: non-blocking writes stop with a partial count, then EAGAIN */
    static char big[70000];
    long w = S3(write, p[1], big, sizeof(big));
    assert_int_equal(w, (64 << 10) - 2);
    assert_int_equal(S3(write, p[1], big, 1), -EAGAIN);
    /* EOF once the writer is gone, after the data */
    assert_int_equal(S1(close, p[1]), 0);
    long got = 0, r;
    while ((r = S3(read, p[0], big, sizeof(big))) > 0)
        got += r;
    assert_int_equal(r, 0);
    assert_int_equal(got, (64 << 10));
    /* EPIPE (and the sigpipe hook) once the reader is gone */
    assert_int_equal(S1(pipe, p), 0);
    assert_int_equal(S1(close, p[0]), 0);
    unsigned before = hb.sigpipes;
    assert_int_equal(S3(write, p[1], "x", 1), -EPIPE);
    assert_int_equal(hb.sigpipes, before + 1);
    S1(close, p[1]);
}

struct pump {
    int fd;
    size_t total;
    uint64_t sum;
};

static void *writer(void *arg)
{
    struct pump *pu = arg;
    static uint8_t chunk[3000];
    size_t done = 0;
    while (done < pu->total) {
        size_t k = pu->total - done < sizeof(chunk) ? pu->total - done : sizeof(chunk);
        for (size_t i = 0; i < k; i++)
            chunk[i] = (uint8_t)(done + i);
        long r = S3(write, pu->fd, chunk, k);
        if (r <= 0)
            break;
        for (long i = 0; i < r; i++)
            pu->sum += chunk[i];
        done += (size_t)r;
    }
    S1(close, pu->fd);
    return NULL;
}

/* 1 MiB through a 64 KiB pipe: both sides block in turn; the reader waits in poll. */
static void test_pipe_threads_poll(void **state)
{
    int32_t p[2];
    assert_int_equal(S1(pipe, p), 0);
    struct pump pu = {p[1], 1 << 20, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer, &pu), 0);
    uint64_t sum = 0;
    size_t got = 0;
    static uint8_t buf[5000];
    for (;;) {
        struct lx_pollfd pfd = {p[0], LX_POLLIN, 0};
        assert_int_equal(S3(poll, &pfd, 1, -1), 1);
        assert_true(pfd.revents & (LX_POLLIN | LX_POLLHUP));
        long r = S3(read, p[0], buf, sizeof(buf));
        assert_true(r >= 0);
        if (r == 0)
            break;
        for (long i = 0; i < r; i++) {
            assert_int_equal(buf[i], (uint8_t)(got + (size_t)i));
            sum += buf[i];
        }
        got += (size_t)r;
    }
    pthread_join(t, NULL);
    assert_int_equal(got, 1 << 20);
    assert_int_equal(sum, pu.sum);
    S1(close, p[0]);
}

/* The same with the reader blocking in read and in epoll_wait. */
static void test_pipe_threads_epoll(void **state)
{
    int32_t p[2];
    assert_int_equal(S1(pipe, p), 0);
    long ep = S1(epoll_create1, 0);
    assert_true(ep >= 0);
    struct lx_epoll_event ev = {LX_POLLIN, 42};
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[0], &ev), 0);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[0], &ev), -EEXIST);
    struct pump pu = {p[1], 300000, 0};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, writer, &pu), 0);
    size_t got = 0;
    static uint8_t buf[7000];
    for (;;) {
        struct lx_epoll_event out[4];
        long n = S4(epoll_wait, ep, out, 4, -1);
        assert_int_equal(n, 1);
        assert_int_equal(out[0].data, 42);
        long r = S3(read, p[0], buf, got % 2 ? sizeof(buf) : 100);
        assert_true(r >= 0);
        if (r == 0)
            break;
        got += (size_t)r;
    }
    pthread_join(t, NULL);
    assert_int_equal(got, 300000);
    S1(close, p[0]);
    S1(close, ep);
}

static void test_epoll_semantics(void **state)
{
    int32_t p[2];
    struct lx_epoll_event ev = {LX_POLLIN | LX_EPOLLET, 7}, out[8];
    assert_int_equal(S1(epoll_create, 0), -EINVAL);
    assert_int_equal(S1(epoll_create1, 1), -EINVAL);
    long ep = S1(epoll_create, 1);
    assert_int_equal(S1(pipe, p), 0);
    long f = S3(open, "/f", O_CREAT | O_RDWR, 0644);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, f, &ev), -EPERM);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, ep, &ev), -EINVAL);
    assert_int_equal(S4(epoll_ctl, f, LX_EPOLL_CTL_ADD, p[0], &ev), -EINVAL);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, 99, &ev), -EBADF);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_DEL, p[0], 0), -ENOENT);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_MOD, p[0], &ev), -ENOENT);
    assert_int_equal(S4(epoll_ctl, ep, 9, p[0], &ev), -EINVAL);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[0], 16), -EFAULT);
    assert_int_equal(S4(epoll_wait, ep, out, 0, 0), -EINVAL);
    assert_int_equal(S4(epoll_wait, ep, 16, 1, 0), -EFAULT);
    assert_int_equal(S4(epoll_wait, f, out, 1, 0), -EINVAL);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[0], &ev), 0);
    /* edge-triggered: reported once per change */
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 0);
    assert_int_equal(S3(write, p[1], "ab", 2), 2);
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 1);
    assert_int_equal(out[0].events, LX_POLLIN);
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 0);
    assert_int_equal(S3(write, p[1], "c", 1), 1);
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 1);
    /* one-shot: disabled after one report until MOD */
    ev.events = LX_POLLIN | LX_EPOLLONESHOT;
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_MOD, p[0], &ev), 0);
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 1);
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 0);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_MOD, p[0], &ev), 0);
    /* level-triggered write end */
    ev = (struct lx_epoll_event){LX_POLLOUT, 8};
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[1], &ev), 0);
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 2);
    assert_int_equal(S4(epoll_wait, ep, out, 1, 0), 1);
    /* timeout with nothing ready */
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_DEL, p[1], 0), 0);
    char buf[8];
    assert_int_equal(S3(read, p[0], buf, 8), 3);
    uint64_t t0 = now_ms();
    assert_int_equal(S4(epoll_wait, ep, out, 8, 30), 0);
    assert_true(now_ms() - t0 >= 29);
    /* closing the last fd of a file removes its entries */
    ev = (struct lx_epoll_event){LX_POLLIN, 7}; /* re-armed, level-triggered */
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_MOD, p[0], &ev), 0);
    long d = S1(dup, p[0]);
    S1(close, p[0]);
    S1(close, p[1]); /* the read end now reports HUP */
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 1);
    assert_true(out[0].events & LX_POLLHUP);
    S1(close, d);
    assert_int_equal(S4(epoll_wait, ep, out, 8, 0), 0);
    /* epoll fds are pollable themselves */
    struct lx_pollfd pfd = {(int)ep, LX_POLLIN, 0};
    assert_int_equal(S3(poll, &pfd, 1, 0), 0);
    S1(close, ep);
    S1(close, f);
}

/* The fairness cursor: after the read end (entry 0) was reported and
 * drained, a scan starts at entry 1; with only the write end (entry 1)
 * ready, it must be reported once, not once per loop step (the bug: the
 * cursor moved under the loop and the index wrapped to entry 1 again). */
static void test_epoll_no_duplicates(void **state)
{
    int32_t p[2];
    struct lx_epoll_event ev = {LX_POLLIN, 1}, out[4];
    long ep = S1(epoll_create1, 0);
    assert_int_equal(S1(pipe, p), 0);
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[0], &ev), 0);
    assert_int_equal(S3(write, p[1], "x", 1), 1);
    assert_int_equal(S4(epoll_wait, ep, out, 4, 0), 1);
    char c;
    assert_int_equal(S3(read, p[0], &c, 1), 1);
    assert_int_equal(S4(epoll_wait, ep, out, 4, 0), 0);
    ev = (struct lx_epoll_event){LX_POLLOUT, 2};
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[1], &ev), 0);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(S4(epoll_wait, ep, out, 4, 0), 1);
        assert_int_equal(out[0].data, 2);
        assert_int_equal(out[0].events, LX_POLLOUT);
    }
    /* both ready: each once, whatever the cursor */
    assert_int_equal(S3(write, p[1], "y", 1), 1);
    for (int round = 0; round < 3; round++) {
        assert_int_equal(S4(epoll_wait, ep, out, 4, 0), 2);
        assert_true(out[0].data != out[1].data);
    }
    S1(close, ep);
    S1(close, p[0]);
    S1(close, p[1]);
}

static void test_poll_select(void **state)
{
    int32_t p[2];
    assert_int_equal(S1(pipe, p), 0);
    struct lx_pollfd pfd[3] = {{p[0], LX_POLLIN, 0}, {p[1], LX_POLLOUT, 0}, {77, LX_POLLIN, 0}};
    assert_int_equal(S3(poll, pfd, 3, 0), 2);
    assert_int_equal(pfd[0].revents, 0);
    assert_int_equal(pfd[1].revents, LX_POLLOUT);
    assert_int_equal(pfd[2].revents, LX_POLLNVAL);
    assert_int_equal(S3(poll, pfd, 1025, 0), -EINVAL);
    assert_int_equal(S3(poll, 16, 1, 0), -EFAULT);
    uint64_t t0 = now_ms();
    assert_int_equal(S3(poll, pfd, 1, 25), 0);
    assert_true(now_ms() - t0 >= 24);
    struct lx_timespec ts = {0, 20000000};
    assert_int_equal(S4(ppoll, pfd, 1, &ts, 0), 0);
    ts.tv_nsec = -1;
    assert_int_equal(S4(ppoll, pfd, 1, &ts, 0), -EINVAL);
    /* select: fd sets of 64-bit words */
    uint64_t rd[16] = {0}, wr[16] = {0};
    rd[0] = 1ull << p[0];
    wr[0] = 1ull << p[1];
    struct lx_timeval tv = {0, 0};
    assert_int_equal(S5(select, p[1] + 1, rd, wr, NULL, &tv), 1);
    assert_int_equal(rd[0], 0);
    assert_int_equal(wr[0], 1ull << p[1]);
    assert_int_equal(S3(write, p[1], "x", 1), 1);
    rd[0] = 1ull << p[0];
    wr[0] = 0;
    assert_int_equal(S5(select, p[1] + 1, rd, wr, NULL, NULL), 1);
    assert_int_equal(rd[0], 1ull << p[0]);
    rd[0] = 1ull << 60;
    assert_int_equal(S5(select, 61, rd, NULL, NULL, &tv), -EBADF);
    rd[0] = 0;
    assert_int_equal(S5(select, 5000, rd, NULL, NULL, &tv), 0); /* clamped to the table */
    assert_int_equal(S5(select, -1, rd, NULL, NULL, &tv), -EINVAL);
    tv.tv_usec = 1000000;
    assert_int_equal(S5(select, 1, rd, NULL, NULL, &tv), -EINVAL);
    rd[0] = 1ull << p[0];
    struct lx_timespec zero = {0, 0};
    assert_int_equal(vfs_sys_pselect6(p[0] + 1, (long)rd, 0, 0, (long)&zero, 0), 1);
    S1(close, p[0]);
    S1(close, p[1]);
}

struct closer {
    int fd;
};

static void *close_later(void *arg)
{
    struct closer *c = arg;
    S1(close, c->fd);
    return NULL;
}

/* A reader blocked on an empty pipe sees EOF when the writer closes. */
static void test_blocked_read_eof(void **state)
{
    int32_t p[2];
    assert_int_equal(S1(pipe, p), 0);
    struct closer c = {p[1]};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, close_later, &c), 0);
    char b;
    assert_int_equal(S3(read, p[0], &b, 1), 0);
    pthread_join(t, NULL);
    S1(close, p[0]);
}

struct blocker {
    int kind, fd;
    long result;
};

static void *block_in(void *arg)
{
    struct blocker *b = arg;
    char c;
    if (b->kind == 0) {
        struct lx_pollfd pfd = {b->fd, LX_POLLIN, 0};
        b->result = S3(poll, &pfd, 1, -1);
    } else if (b->kind == 1) {
        b->result = S3(read, b->fd, &c, 1);
    } else if (b->kind == 2) {
        struct lx_epoll_event out;
        b->result = S4(epoll_wait, b->fd, &out, 1, -1);
    } else {
        uint64_t rd[16] = {1ull << b->fd};
        b->result = S5(select, b->fd + 1, rd, NULL, NULL, NULL);
    }
    return NULL;
}

/* Four threads block at once in poll, read, epoll_wait and select on four
 * pipes; one write to each wakes exactly the calls that can go on. */
static void test_many_blocked(void **state)
{
    int32_t p[4][2];
    struct blocker b[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(S1(pipe, p[i]), 0);
    long ep = S1(epoll_create1, 0);
    struct lx_epoll_event ev = {LX_POLLIN, 1};
    assert_int_equal(S4(epoll_ctl, ep, LX_EPOLL_CTL_ADD, p[2][0], &ev), 0);
    for (int i = 0; i < 4; i++) {
        b[i] = (struct blocker){i, i == 2 ? (int)ep : p[i][0], -99};
        assert_int_equal(pthread_create(&t[i], NULL, block_in, &b[i]), 0);
    }
    for (int i = 3; i >= 0; i--) {
        assert_int_equal(S3(write, p[i][1], "x", 1), 1);
        pthread_join(t[i], NULL);
        assert_int_equal(b[i].result, 1);
    }
    for (int i = 0; i < 4; i++) {
        S1(close, p[i][0]);
        S1(close, p[i][1]);
    }
    S1(close, ep);
}

struct pinger {
    int rd, wr; /* this thread reads rd, then writes wr (or the other way) */
    int first_write;
    long rounds, done;
};

static void *ping(void *arg)
{
    struct pinger *pg = arg;
    char c = 'p';
    for (pg->done = 0; pg->done < pg->rounds; pg->done++) {
        if (pg->first_write && S3(write, pg->wr, &c, 1) != 1)
            break;
        if (S3(read, pg->rd, &c, 1) != 1)
            break;
        if (!pg->first_write && S3(write, pg->wr, &c, 1) != 1)
            break;
    }
    return NULL;
}

/* Two threads ping-pong one byte through two pipes, each blocking in read on
 * its own pipe (tests/posix/bench/sysbench.c's pipe round trip). Every wake
 * must reach the thread it is for: with one shared wake semaphore a thread
 * that starts waiting just after a wake takes it, and both sleep for ever. A
 * deadline turns such a hang into a failure. */
static void test_pipe_ping_pong(void **state)
{
    int32_t a[2], b[2];
    assert_int_equal(S1(pipe, a), 0);
    assert_int_equal(S1(pipe, b), 0);
    struct pinger pa = {b[0], a[1], 1, 20000, 0}, pb = {a[0], b[1], 0, 20000, 0};
    pthread_t ta, tb;
    assert_int_equal(pthread_create(&ta, NULL, ping, &pa), 0);
    assert_int_equal(pthread_create(&tb, NULL, ping, &pb), 0);
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += 60;
    int ja = pthread_timedjoin_np(ta, NULL, &dl);
    int jb = ja ? ja : pthread_timedjoin_np(tb, NULL, &dl);
    if (ja || jb)
        fail_msg("ping-pong hung after %ld/%ld round trips (a lost wake-up)", pa.done, pb.done);
    assert_int_equal(pa.done, 20000);
    assert_int_equal(pb.done, 20000);
    for (int i = 0; i < 2; i++) {
        S1(close, a[i]);
        S1(close, b[i]);
    }
}

static void test_log(void **state)
{
    unsigned base = hb.log_n;
    assert_int_equal(S3(write, 1, "hello\nwor", 9), 9);
    assert_int_equal(hb.log_n, base + 1);
    assert_string_equal(hb.log[base], "hello");
    assert_int_equal(S3(write, 2, "err\n", 4), 4);
    assert_string_equal(hb.log[base + 1], "err");
    assert_int_equal(S3(write, 1, "ld", 2), 2);
    vfs_flush();
    assert_int_equal(hb.log_n, base + 3);
    assert_string_equal(hb.log[base + 2], "world");
    vfs_flush(); /* nothing more */
    assert_int_equal(hb.log_n, base + 3);
    /* a line over the backend's limit (32) is split */
    char line[80];
    memset(line, 'x', 70);
    line[70] = '\n';
    assert_int_equal(S3(write, 1, line, 71), 71);
    assert_int_equal(hb.log_n, base + 6);
    assert_int_equal(strlen(hb.log[base + 3]), 32);
    assert_int_equal(strlen(hb.log[base + 5]), 6);
    assert_int_equal(S3(read, 1, line, 1), -EBADF);
    struct lx_stat st;
    assert_int_equal(S2(fstat, 1, &st), 0);
    assert_int_equal(S3(ioctl, 1, LX_TCGETS, line), -ENOTTY);
    struct lx_iovec iov[2] = {{(uintptr_t) "a", 1}, {(uintptr_t) "b\n", 2}};
    assert_int_equal(S3(writev, 1, iov, 2), 3);
    assert_string_equal(hb.log[base + 6], "ab");
    /* /dev/stdout and /dev/stderr are fds 1 and 2 */
    long fd = S2(open, "/dev/stderr", O_WRONLY);
    assert_true(fd >= 3);
    assert_int_equal(S3(write, fd, "via dev\n", 8), 8);
    assert_string_equal(hb.log[base + 7], "via dev");
    S1(close, fd);
    assert_true(S2(open, "/dev/stdin", O_RDONLY) >= 3);
    base++;
    /* a partial line is written when fd 1 is closed too */
    assert_int_equal(S3(write, 1, "tail", 4), 4);
    S1(close, 1);
    assert_string_equal(hb.log[base + 7], "tail");
    assert_int_equal(S2(open, "/dev/stdout", O_WRONLY), -ENXIO);
}

#define T(f) cmocka_unit_test_setup_teardown(f, vfs_setup, vfs_teardown)
const struct CMUnitTest io_tests[] = {
        T(test_pipe_basic),          T(test_pipe_threads_poll),
        T(test_pipe_threads_epoll),  T(test_epoll_semantics),
        T(test_epoll_no_duplicates), T(test_poll_select),
        T(test_blocked_read_eof),    T(test_many_blocked),
        T(test_pipe_ping_pong),      T(test_log),
};
const size_t n_io_tests = sizeof(io_tests) / sizeof(io_tests[0]);
