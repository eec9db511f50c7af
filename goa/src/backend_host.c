/* SPDX-License-Identifier: MIT */
/* goa: the host run backend -- a static binary on this Linux machine.
 *
 * The child runs in its own process group with stdout and stderr joined on
 * one pipe; the parent polls that pipe with the remaining time as timeout,
 * splits it into lines and kills the whole group when time is up. Waiting is
 * event-driven (poll), never a sleep.
 */
#include "backend.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int host_available(const char **why)
{
    *why = NULL;
    return 1;
}

static void child(const struct goa_run_req *req, char *const argv[], int out)
{
    int in;

    setpgid(0, 0);
    in = open(req->stdin_file ? req->stdin_file : "/dev/null", O_RDONLY);
    if (in < 0) {
        dprintf(out, "goa: cannot open %s: %s\n", req->stdin_file, strerror(errno));
        _exit(127);
    }
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    if (req->cwd && chdir(req->cwd))
        _exit(127);
    execvp(argv[0], argv);
    dprintf(2, "goa: cannot start %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Deliver complete lines from BUF (LEN bytes); keep the rest; return its length. */
static size_t deliver(const struct goa_run_req *req, char *buf, size_t len, int flush)
{
    size_t start = 0;

    for (size_t i = 0; i < len; i++)
        if (buf[i] == '\n') {
            buf[i] = '\0';
            req->on_line(req->ctx, buf + start);
            start = i + 1;
        }
    if (start < len && (flush || len - start >= GOA_LINE_MAX)) {
        buf[len] = '\0';
        req->on_line(req->ctx, buf + start);
        start = len;
    }
    memmove(buf, buf + start, len - start);
    return len - start;
}

int goa_backend_exec(const struct goa_run_req *req, char *const argv[], struct goa_run_result *res)
{
    int fds[2], status;
    char buf[GOA_LINE_MAX + 1];
    size_t have = 0;
    double t0 = goa_now(), deadline = t0 + req->timeout;
    pid_t pid;

    memset(res, 0, sizeof *res);
    if (pipe2(fds, O_CLOEXEC)) {
        goa_error("run", NULL, "cannot create a pipe: %m");
        return -1;
    }
    fflush(stdout);
    pid = fork();
    if (pid < 0) {
        goa_error("run", NULL, "cannot fork: %m");
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        child(req, argv, fds[1]);
    }
    setpgid(pid, pid);
    close(fds[1]);
    res->started = true;
    for (;;) {
        double left = deadline - goa_now();
        if (left <= 0) {
            res->timed_out = true;
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            break;
        }
        struct pollfd pfd = {fds[0], POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            continue;
        ssize_t got = read(fds[0], buf + have, GOA_LINE_MAX - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        have = deliver(req, buf, have + (size_t)got, 0);
    }
    deliver(req, buf, have, 1);
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    /* Reap anything the program left in its group. */
    kill(-pid, SIGKILL);
    res->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    res->seconds = goa_now() - t0;
    return 0;
}

static int host_run(const struct goa_run_req *req, struct goa_run_result *res)
{
    size_t n = goa_strv_len(req->args);
    char **argv = goa_xmalloc((n + 2) * sizeof *argv);
    argv[0] = (char *)req->binary;
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = req->args[i];
    argv[n + 1] = NULL;
    int rc = goa_backend_exec(req, argv, res);
    free(argv);
    return rc;
}

const struct goa_backend goa_backend_host = {"host", host_available, host_run};
