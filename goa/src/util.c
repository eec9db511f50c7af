/* SPDX-License-Identifier: MIT */
/* goa: shared helpers -- error reporting, paths, files, child processes.
 *
 * Small POSIX wrappers used by every command. Allocation failures abort (a
 * tool this size has no sensible way to go on without memory); everything
 * that depends on the outside world (files, children) returns an rc instead.
 */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct goa_opts goa_opt = {.jobs = 1, .dir = "."};

void goa_error(const char *what, const char *hint, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "goa: %s: ", what);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (hint)
        fprintf(stderr, "hint: %s\n", hint);
}

void goa_info(const char *fmt, ...)
{
    va_list ap;

    if (goa_opt.quiet || goa_opt.json)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void *goa_xmalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);

    if (!p) {
        fputs("goa: out of memory\n", stderr);
        abort();
    }
    return p;
}

char *goa_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = goa_xmalloc(n);

    memcpy(p, s, n);
    return p;
}

char *goa_fmt(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;

    va_start(ap, fmt);
    n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fputs("goa: out of memory\n", stderr);
        abort();
    }
    return s;
}

int goa_mkdirs(const char *dir)
{
    char *p = goa_xstrdup(dir);
    int rc = 0;

    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) && errno != EEXIST)
            rc = -1;
        *s = '/';
        if (rc)
            goto out;
    }
    if (mkdir(p, 0755) && errno != EEXIST)
        rc = -1;
    if (!rc && !goa_isdir(p)) {
        errno = ENOTDIR;
        rc = -1;
    }
out:
    free(p);
    return rc;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    return remove(path) && errno != ENOENT ? -1 : 0;
}

int goa_rmrf(const char *path)
{
    if (!goa_exists(path))
        return 0;
    return nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

bool goa_exists(const char *path)
{
    struct stat st;

    return lstat(path, &st) == 0;
}

bool goa_isdir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int goa_read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    int rc = -1;

    if (!f)
        return -1;
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap = (cap ? cap * 2 : 8192);
            char *nb = realloc(buf, cap);
            if (!nb)
                goto out;
            buf = nb;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f))
        goto out;
    if (!buf)
        buf = goa_xmalloc(1);
    buf[n] = '\0';
    *data = buf;
    if (len)
        *len = n;
    buf = NULL;
    rc = 0;
out:
    free(buf);
    fclose(f);
    return rc;
}

int goa_write_file(const char *path, const void *data, size_t len, mode_t mode)
{
    char *tmp = goa_fmt("%s.tmp.%d", path, (int)getpid());
    int fd, rc = -1;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0)
        goto out;
    const char *p = data;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            close(fd);
            unlink(tmp);
            goto out;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fchmod(fd, mode) || close(fd) || rename(tmp, path)) {
        unlink(tmp);
        goto out;
    }
    rc = 0;
out:
    free(tmp);
    return rc;
}

int goa_copy_file(const char *from, const char *to)
{
    char *data;
    size_t len;
    struct stat st;
    int rc;

    if (stat(from, &st) || goa_read_file(from, &data, &len))
        return -1;
    rc = goa_write_file(to, data, len, st.st_mode & 0777);
    free(data);
    return rc;
}

int goa_run(const char *cwd, char *const argv[], char *const env[], const char *log)
{
    return goa_run_io(cwd, argv, env, log, 1);
}

int goa_run_io(const char *cwd, char *const argv[], char *const env[], const char *log,
               int with_stderr)
{
    int status;
    pid_t pid;

    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (cwd && chdir(cwd))
            _exit(127);
        for (int i = 0; env && env[i]; i++)
            putenv(env[i]);
        if (log) {
            int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
            if (fd < 0)
                _exit(127);
            dup2(fd, 1);
            if (with_stderr)
                dup2(fd, 2);
            close(fd);
        }
        int nul = open("/dev/null", O_RDONLY);
        if (nul >= 0) {
            dup2(nul, 0);
            close(nul);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

int goa_capture(const char *cwd, char *const argv[], char *const env[], char **out)
{
    char tmpl[] = "/tmp/goa-capture.XXXXXX";
    int fd = mkstemp(tmpl), r;
    size_t len;

    *out = NULL;
    if (fd < 0)
        return -1;
    close(fd);
    r = goa_run_io(cwd, argv, env, tmpl, 0);
    if (goa_read_file(tmpl, out, &len))
        *out = goa_xstrdup("");
    unlink(tmpl);
    return r;
}

double goa_now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

char *goa_basename_url(const char *s)
{
    size_t n = strcspn(s, "?#");
    const char *end = s + n, *b = end;

    while (b > s && b[-1] != '/')
        b--;
    return strndup(b, (size_t)(end - b));
}
