/* SPDX-License-Identifier: MIT */
/* Files and directories: create, write, read, seek, truncate, rename, unlink,
 * mkdir, rmdir, and a directory listing by getdents64 printed sorted (the
 * order of entries is the file system's own and differs between systems). */
#define _GNU_SOURCE
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List a directory with the raw getdents64 call, sorted, with d_type. */
static void list_dir(const char *path)
{
    char buf[4096], *names[64];
    int n = 0;
    int fd = open(path, O_RDONLY | O_DIRECTORY);
    must(fd >= 0, "open dir");
    for (;;) {
        long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
        must(got >= 0, "getdents64");
        if (got == 0)
            break;
        for (long off = 0; off < got;) {
            struct dirent *d = (struct dirent *)(buf + off);
            char t = d->d_type == DT_DIR ? 'd' : d->d_type == DT_REG ? 'f' : '?';
            if (n < 64 && asprintf(&names[n], "%s %c", d->d_name, t) > 0)
                n++;
            off += d->d_reclen;
        }
    }
    close(fd);
    qsort(names, n, sizeof(names[0]), cmp_str);
    printf("list %s: %d entries\n", path, n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
}

static void read_back(const char *path)
{
    char buf[128];
    int fd = open(path, O_RDONLY);
    must(fd >= 0, "open for reading");
    long got = read(fd, buf, sizeof(buf) - 1);
    must(got >= 0, "read");
    buf[got] = 0;
    printf("read %s: %ld bytes '%s'\n", path, got, buf);
    close(fd);
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    must(mkdir("t-files", 0755) == 0, "mkdir t-files");
    must(chdir("t-files") == 0, "chdir");
    int fd = open("a.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    must(fd >= 0, "create a.txt");
    must(write(fd, "hello, world\n", 13) == 13, "write");
    printf("lseek end: %ld\n", (long)lseek(fd, 0, SEEK_END));
    printf("lseek set 7: %ld\n", (long)lseek(fd, 7, SEEK_SET));
    char b[8] = {0};
    must(read(fd, b, 5) == 5, "read after seek");
    printf("read at 7: '%s'\n", b);
    printf("lseek cur -3: %ld\n", (long)lseek(fd, -3, SEEK_CUR));
    /* A write past the end leaves a hole that reads as zeros. */
    must(lseek(fd, 20, SEEK_SET) == 20, "seek past end");
    must(write(fd, "Z", 1) == 1, "write past end");
    struct stat st;
    must(fstat(fd, &st) == 0, "fstat");
    printf("size after hole: %ld regular %d\n", (long)st.st_size, S_ISREG(st.st_mode));
    must(pread(fd, b, 3, 14) == 3, "pread hole");
    printf("hole bytes: %d %d %d\n", b[0], b[1], b[2]);
    must(ftruncate(fd, 5) == 0, "ftruncate");
    must(fstat(fd, &st) == 0, "fstat 2");
    printf("size after truncate: %ld\n", (long)st.st_size);
    must(pwrite(fd, "!", 1, 5) == 1, "pwrite");
    close(fd);
    read_back("a.txt");

    must(mkdir("sub", 0755) == 0, "mkdir sub");
    must(mkdir("sub/deeper", 0755) == 0, "mkdir sub/deeper");
    must(rename("a.txt", "sub/b.txt") == 0, "rename");
    report("stat a.txt after rename", stat("a.txt", &st));
    read_back("sub/b.txt");
    fd = open("sub/c.txt", O_CREAT | O_WRONLY | O_EXCL, 0644);
    must(fd >= 0, "create c.txt");
    close(fd);
    /* rename over an existing file replaces it */
    must(rename("sub/c.txt", "sub/b.txt") == 0, "rename over");
    must(stat("sub/b.txt", &st) == 0, "stat b.txt");
    printf("b.txt size after rename over: %ld\n", (long)st.st_size);
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof(name), "sub/n%d", i);
        fd = open(name, O_CREAT | O_WRONLY, 0644);
        must(fd >= 0, "create n");
        close(fd);
    }
    list_dir("sub");
    must(unlink("sub/n3") == 0, "unlink");
    report("unlink again", unlink("sub/n3"));
    list_dir("sub");
    report("rmdir non-empty", rmdir("sub"));
    must(rmdir("sub/deeper") == 0, "rmdir deeper");
    for (int i = 0; i < 5; i++) {
        char name[32];
        snprintf(name, sizeof(name), "sub/n%d", i);
        if (i != 3)
            must(unlink(name) == 0, "unlink n");
    }
    must(unlink("sub/b.txt") == 0, "unlink b");
    report("rmdir empty", rmdir("sub"));
    list_dir(".");
    char cwd[256];
    must(getcwd(cwd, sizeof(cwd)) != NULL, "getcwd");
    const char *tail = strrchr(cwd, '/');
    printf("cwd ends in: %s\n", tail ? tail : cwd);
    printf("files: done\n");
    return 0;
}
