/* SPDX-License-Identifier: MIT */
/* File descriptor operations: dup, dup2, dup3, fcntl (F_DUPFD, flags),
 * O_APPEND, readv/writev, shared offsets of duplicated descriptors, fstat of
 * the standard streams and the /dev nodes. */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    int fd = open("fd.txt", O_CREAT | O_RDWR | O_TRUNC, 0644);
    must(fd >= 0, "create fd.txt");
    struct iovec iov[3] = {{"one ", 4}, {"two ", 4}, {"three\n", 6}};
    printf("writev: %ld\n", (long)writev(fd, iov, 3));
    int d = dup(fd);
    must(d >= 0, "dup");
    printf("offset shared by dup: %ld\n", (long)lseek(d, 0, SEEK_CUR));
    must(lseek(d, 4, SEEK_SET) == 4, "lseek dup");
    printf("original's offset after seeking the dup: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    char a[4] = {0}, b[6] = {0};
    struct iovec riov[2] = {{a, 3}, {b, 5}};
    printf("readv: %ld '%s' '%s'\n", (long)readv(fd, riov, 2), a, b);
    printf("dup2 to 20: %d\n", dup2(fd, 20));
    printf("dup2 onto itself: %d\n", dup2(20, 20));
    report("dup3 onto itself", dup3(20, 20, 0));
    printf("F_DUPFD from 30: %d\n", fcntl(fd, F_DUPFD, 30));
    int c = fcntl(fd, F_DUPFD_CLOEXEC, 40);
    printf("F_DUPFD_CLOEXEC from 40: %d, cloexec %s\n", c,
           (fcntl(c, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
    int acc = fcntl(fd, F_GETFL) & O_ACCMODE;
    printf("access mode O_RDWR: %s\n", acc == O_RDWR ? "yes" : "no");
    close(fd);
    close(d);
    close(20);
    int ap = open("fd.txt", O_WRONLY | O_APPEND);
    must(ap >= 0, "open O_APPEND");
    must(lseek(ap, 0, SEEK_SET) == 0, "lseek append");
    must(write(ap, "four\n", 5) == 5, "append");
    struct stat st;
    must(fstat(ap, &st) == 0, "fstat");
    printf("size after O_APPEND write at offset 0: %ld\n", (long)st.st_size);
    close(ap);
    must(stat("/dev/null", &st) == 0, "stat /dev/null");
    printf("/dev/null is a character device: %s\n", S_ISCHR(st.st_mode) ? "yes" : "no");
    int z = open("/dev/zero", O_RDONLY);
    char zb[8] = {1, 1, 1, 1, 1, 1, 1, 1};
    long got = read(z, zb, 8); /* before the check: argument order is unspecified */
    printf("read /dev/zero: %ld, zeros: %s\n", got,
           !memcmp(zb, "\0\0\0\0\0\0\0\0", 8) ? "yes" : "no");
    int nul = open("/dev/null", O_RDWR);
    long wrote = write(nul, "x", 1);
    printf("write /dev/null: %ld, read /dev/null: %ld\n", wrote, (long)read(nul, zb, 8));
    printf("stdout is a terminal: %s\n", isatty(1) ? "yes" : "no");
    printf("fdops: done\n");
    return 0;
}
