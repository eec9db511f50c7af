/* SPDX-License-Identifier: MIT */
/* runcase: run one differential test case inside the Linux guest and print
 * its output and how it ended, in the form tests/posix/posix_diff.py parses.
 *
 *   runcase [--root DIR] [--stdin FILE] [--env NAME=VALUE]... [--vmem BYTES] [--start-ns]
 *           -- PROGRAM ARGV0 [ARGS...]
 *
 * The program runs in a child: chrooted into DIR (the case's own root, with
 * /data holding its input files, as Kide mounts them), cwd "/", stdin FILE
 * (a path inside DIR) or /dev/null, the environment exactly the --env
 * entries (none by default, as a Kide child without `env:`), stdout and
 * stderr one pipe (not a terminal, as on Kide, where they go to the LOG),
 * the address space limited to BYTES (RLIMIT_AS, the Linux stand-in for
 * Kide's RAM quota). Each output line is printed as "@| line"; the end as
 * "@status exit N" or "@status signal N". With --start-ns, "@start_ns N" is
 * the time from before fork() to the first byte of output (the start
 * benchmark: the program prints at the top of main).
 * Exit status: 0 when the case ran (whatever its own result), 1 on errors of
 * runcase itself ("@error ..." says which). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void fail(const char *what)
{
    printf("@error %s: %s\n", what, strerror(errno));
    exit(1);
}

/* In the child: set up and exec; on any failure exit 127 after a message. */
static void child(const char *root, const char *in_path, unsigned long long vmem, int out,
                  char **argv, char **envp)
{
    if (dup2(out, 1) < 0 || dup2(out, 2) < 0)
        _exit(127);
    if (root && (chroot(root) != 0 || chdir("/") != 0)) {
        dprintf(2, "runcase: chroot %s: %s\n", root, strerror(errno));
        _exit(127);
    }
    /* After the chroot: stdin is a path of the case's own root. */
    int in = open(in_path ? in_path : "/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0) {
        dprintf(2, "runcase: stdin %s: %s\n", in_path ? in_path : "/dev/null", strerror(errno));
        _exit(127);
    }
    if (in != 0)
        close(in);
    if (vmem) {
        struct rlimit rl = {vmem, vmem};
        if (setrlimit(RLIMIT_AS, &rl) != 0)
            _exit(127);
    }
    execve(argv[0], argv + 1, envp);
    dprintf(2, "runcase: exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Copy the child's output as "@| " lines; a last line without newline is
 * flushed too. Returns the time the first byte arrived (0: none). */
static long long copy_lines(int fd)
{
    char buf[4096], line[4096];
    size_t len = 0;
    long long first = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (!first)
            first = now_ns();
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] == '\n' || len == sizeof(line) - 1) {
                printf("@| %.*s\n", (int)len, line);
                len = 0;
                if (buf[i] == '\n')
                    continue;
            }
            line[len++] = buf[i];
        }
    }
    if (len)
        printf("@| %.*s\n", (int)len, line);
    return first;
}

int main(int argc, char **argv)
{
    const char *root = NULL, *in_path = NULL;
    char *envp[65];
    int nenv = 0;
    unsigned long long vmem = 0;
    int start = 0, i = 1;
    for (; i < argc && strcmp(argv[i], "--"); i++) {
        if (!strcmp(argv[i], "--root") && i + 1 < argc)
            root = argv[++i];
        else if (!strcmp(argv[i], "--env") && i + 1 < argc && nenv < 64)
            envp[nenv++] = argv[++i];
        else if (!strcmp(argv[i], "--stdin") && i + 1 < argc)
            in_path = argv[++i];
        else if (!strcmp(argv[i], "--vmem") && i + 1 < argc)
            vmem = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--start-ns"))
            start = 1;
        else {
            printf("@error runcase: unknown option '%s'\n", argv[i]);
            return 1;
        }
    }
    if (i + 2 >= argc) {
        printf("@error usage: runcase [--root DIR] [--stdin FILE] [--vmem BYTES] [--start-ns] -- "
               "PROGRAM "
               "ARGV0 [ARGS...]\n");
        return 1;
    }
    char **cmd = argv + i + 1;
    envp[nenv] = NULL;
    setvbuf(stdout, NULL, _IOLBF, 0);
    int p[2];
    if (pipe(p) != 0)
        fail("pipe");
    long long t0 = now_ns();
    pid_t pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0)
        child(root, in_path, vmem, p[1], cmd, envp);
    close(p[1]);
    long long first = copy_lines(p[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            fail("waitpid");
    if (start)
        printf("@start_ns %lld\n", first ? first - t0 : -1LL);
    if (WIFSIGNALED(st))
        printf("@status signal %d\n", WTERMSIG(st));
    else
        printf("@status exit %d\n", WEXITSTATUS(st));
    return 0;
}
