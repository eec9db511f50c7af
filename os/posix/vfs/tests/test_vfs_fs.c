/* SPDX-License-Identifier: MIT */
/* VFS host tests: files, paths, directories, mounts, quota, the fd table.
 * Expected errors are what Linux returns for the same call (checked with
 * small probes on a Linux host).
 */
#include "tests.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../vfs_linux.h"

#define AT_FD LX_AT_FDCWD

static void test_create_write_read(void **state)
{
    char buf[64] = {0};
    long fd = S3(open, "/f", O_CREAT | O_RDWR, 0644);
    assert_true(fd >= 3);
    assert_int_equal(S3(write, fd, "hello world", 11), 11);
    assert_int_equal(S3(lseek, fd, 0, SEEK_CUR), 11);
    assert_int_equal(S3(lseek, fd, 6, SEEK_SET), 6);
    assert_int_equal(S3(read, fd, buf, sizeof(buf)), 5);
    assert_string_equal(buf, "world");
    assert_int_equal(S3(read, fd, buf, sizeof(buf)), 0);
    struct lx_stat st;
    assert_int_equal(S2(fstat, fd, &st), 0);
    assert_int_equal(st.st_size, 11);
    assert_int_equal(st.st_mode, S_IFREG | 0644);
    assert_int_equal(st.st_nlink, 1);
    /* pwrite past the end leaves a hole that reads as zeros */
    assert_int_equal(S4(pwrite64, fd, "Z", 1, 9000), 1);
    memset(buf, 1, sizeof(buf));
    assert_int_equal(S4(pread64, fd, buf, 4, 5000), 4);
    assert_memory_equal(buf, "\0\0\0\0", 4);
    assert_int_equal(S4(pread64, fd, buf, 4, 8999), 2);
    assert_memory_equal(buf, "\0Z", 2);
    assert_int_equal(S4(pread64, fd, buf, 4, -1), -EINVAL);
    assert_int_equal(S3(lseek, fd, 0, SEEK_END), 9001);
    assert_int_equal(S3(lseek, fd, -1, SEEK_SET), -EINVAL);
    assert_int_equal(S3(lseek, fd, 0, 7), -EINVAL);
    assert_int_equal(S3(lseek, fd, 9001, LX_SEEK_DATA), -ENXIO);
    assert_int_equal(S2(ftruncate, fd, 3), 0);
    assert_int_equal(S2(ftruncate, fd, 6), 0);
    assert_int_equal(S4(pread64, fd, buf, 10, 0), 6);
    assert_memory_equal(buf, "hel\0\0\0", 6);
    assert_int_equal(S1(close, fd), 0);
    assert_int_equal(S1(close, fd), -EBADF);
}

static void test_open_flags(void **state)
{
    char buf[16] = {0};
    assert_int_equal(mkfile("/f", "abc"), 0);
    long fd = S2(open, "/f", O_WRONLY | O_APPEND);
    assert_true(fd >= 0);
    assert_int_equal(S3(lseek, fd, 0, SEEK_SET), 0);
    assert_int_equal(S3(write, fd, "de", 2), 2);
    assert_int_equal(S3(read, fd, buf, 1), -EBADF);
    assert_int_equal(S2(fcntl, fd, F_GETFL), O_WRONLY | O_APPEND | LX_O_LARGEFILE);
    S1(close, fd);
    fd = S2(open, "/f", O_RDONLY);
    assert_int_equal(S3(read, fd, buf, sizeof(buf)), 5);
    assert_string_equal(buf, "abcde");
    assert_int_equal(S3(write, fd, "x", 1), -EBADF);
    assert_int_equal(S2(ftruncate, fd, 0), -EINVAL);
    S1(close, fd);
    fd = S2(open, "/f", O_RDWR | O_TRUNC);
    struct lx_stat st;
    assert_int_equal(S2(fstat, fd, &st), 0);
    assert_int_equal(st.st_size, 0);
    S1(close, fd);
    assert_int_equal(S3(open, "/f", O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
    assert_int_equal(S2(open, "/f", O_RDONLY | O_DIRECTORY), -ENOTDIR);
    assert_int_equal(S2(open, "/f/", O_RDONLY), -ENOTDIR);
    assert_int_equal(S2(open, "/nope", O_RDONLY), -ENOENT);
    assert_int_equal(S2(open, "/f", O_RDWR | O_WRONLY), -EINVAL);
    assert_int_equal(S2(mkdir, "/d2", 0755), 0);
    assert_int_equal(S2(open, "/d2", O_WRONLY), -EISDIR);
    assert_int_equal(S2(open, "/d2", O_RDONLY | O_TRUNC), -EISDIR);
    assert_int_equal(S3(open, "/d2", O_CREAT | O_RDONLY, 0644), -EISDIR);
    assert_int_equal(S3(open, "/new/", O_CREAT | O_RDWR, 0644), -EISDIR);
    assert_int_equal(S3(open, "/f/", O_CREAT | O_RDWR, 0644), -EISDIR);
    assert_int_equal(S3(open, "/nodir/x", O_CREAT | O_RDWR, 0644), -ENOENT);
    assert_int_equal(S2(creat, "/c", 0600), 3);
    assert_int_equal(S2(fcntl, 3, F_GETFL), O_WRONLY | LX_O_LARGEFILE);
    S1(close, 3);
    /* umask applies to new files */
    assert_int_equal(S1(umask, 077), 022);
    fd = S3(open, "/m", O_CREAT | O_RDWR, 0666);
    assert_int_equal(S2(fstat, fd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    S1(close, fd);
}

static void test_paths(void **state)
{
    char buf[64];
    assert_int_equal(S2(mkdir, "/a", 0755), 0);
    assert_int_equal(S2(mkdir, "/a/b", 0755), 0);
    assert_int_equal(mkfile("/a/b/f", "x"), 0);
    assert_int_equal(S2(symlink, "b/f", "/a/rel"), 0);
    assert_int_equal(S2(symlink, "/a/b", "/abs"), 0);
    assert_int_equal(S2(symlink, "nowhere", "/dang"), 0);
    assert_int_equal(S2(symlink, "/loop2", "/loop1"), 0);
    assert_int_equal(S2(symlink, "/loop1", "/loop2"), 0);
    long fd = S2(open, "/a/./b/../b//f", O_RDONLY);
    assert_true(fd >= 0);
    S1(close, fd);
    assert_true((fd = S2(open, "/../../a/rel", O_RDONLY)) >= 0);
    S1(close, fd);
    assert_true((fd = S2(open, "/abs/f", O_RDONLY)) >= 0);
    S1(close, fd);
    assert_int_equal(S2(open, "/a/rel", O_RDONLY | O_NOFOLLOW), -ELOOP);
    assert_int_equal(S2(open, "/dang", O_RDONLY), -ENOENT);
    assert_int_equal(S3(open, "/dang", O_CREAT | O_EXCL | O_WRONLY, 0644), -EEXIST);
    assert_int_equal(S2(open, "/loop1", O_RDONLY), -ELOOP);
    assert_int_equal(S2(open, "/a/b/f/..", O_RDONLY), -ENOTDIR);
    assert_int_equal(S2(open, "/a/rel/", O_RDONLY), -ENOTDIR);
    assert_int_equal(S2(open, "", O_RDONLY), -ENOENT);
    assert_int_equal(S2(mkdir, "", 0755), -ENOENT);
    /* lookups that cross mounts: /data/.. is / */
    assert_true((fd = S2(open, "/data/../a/b/f", O_RDONLY)) >= 0);
    S1(close, fd);
    /* a 40-link chain resolves, 41 is ELOOP */
    char name[32], target[32];
    for (int i = 1; i <= 41; i++) {
        snprintf(name, sizeof(name), "/c%d", i);
        snprintf(target, sizeof(target), i == 1 ? "/a/b/f" : "/c%d", i - 1);
        assert_int_equal(S2(symlink, target, name), 0);
    }
    assert_true((fd = S2(open, "/c40", O_RDONLY)) >= 0);
    S1(close, fd);
    assert_int_equal(S2(open, "/c41", O_RDONLY), -ELOOP);
    /* NAME_MAX and PATH_MAX */
    char *p = malloc(5000);
    memset(p, 'a', 4999);
    p[0] = '/';
    p[4999] = 0;
    assert_int_equal(S2(open, p, O_RDONLY), -ENAMETOOLONG);
    p[4096] = 0;
    assert_int_equal(S2(open, p, O_RDONLY), -ENAMETOOLONG);
    p[257] = 0;
    assert_int_equal(S2(open, p, O_RDONLY), -ENAMETOOLONG);
    p[256] = 0;
    assert_int_equal(S2(open, p, O_RDONLY), -ENOENT);
    free(p);
    /* *at calls relative to a directory fd, and a non-directory fd */
    long dfd = S2(open, "/a", O_RDONLY | O_DIRECTORY);
    assert_true(dfd >= 0);
    assert_true((fd = S3(openat, dfd, "b/f", O_RDONLY)) >= 0);
    assert_int_equal(S3(openat, fd, "x", O_RDONLY), -ENOTDIR);
    assert_int_equal(S3(openat, 99, "x", O_RDONLY), -EBADF);
    long fd2 = S3(openat, 99, "/a/b/f", O_RDONLY); /* absolute: dirfd unused */
    assert_true(fd2 >= 0);
    S1(close, fd2);
    S1(close, fd);
    assert_int_equal(S4(readlinkat, dfd, "rel", buf, sizeof(buf)), 3);
    assert_memory_equal(buf, "b/f", 3);
    S1(close, dfd);
    assert_int_equal(S3(readlink, "/a/b/f", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(S3(readlink, "/a/rel", buf, 0), -EINVAL);
    assert_int_equal(S3(readlink, "/a/rel", buf, 2), 2);
    assert_int_equal(S2(symlink, "", "/emp"), -ENOENT);
    assert_int_equal(S3(readlink, "/proc/self/exe", buf, sizeof(buf)), 10);
    assert_memory_equal(buf, "/bin/hello", 10);
}

static void test_dirs(void **state)
{
    assert_int_equal(S2(mkdir, "/d", 0755), 0);
    assert_int_equal(S2(mkdir, "/d", 0755), -EEXIST);
    assert_int_equal(S2(mkdir, "/", 0755), -EEXIST);
    assert_int_equal(S2(mkdir, "/d/.", 0755), -EEXIST);
    assert_int_equal(S2(mkdir, "/nope/x", 0755), -ENOENT);
    assert_int_equal(mkfile("/f", "data"), 0);
    assert_int_equal(S2(mkdir, "/f/x", 0755), -ENOTDIR);
    assert_int_equal(S1(rmdir, "/d/."), -EINVAL);
    assert_int_equal(S1(rmdir, "/d/.."), -ENOTEMPTY);
    assert_int_equal(S1(rmdir, "/"), -EBUSY);
    assert_int_equal(S1(rmdir, "/f"), -ENOTDIR);
    assert_int_equal(S1(rmdir, "/nope"), -ENOENT);
    assert_int_equal(S1(rmdir, "/data"), -EBUSY);
    assert_int_equal(S1(unlink, "/d"), -EISDIR);
    assert_int_equal(S1(unlink, "/d/"), -EISDIR);
    assert_int_equal(S1(unlink, "/f/"), -ENOTDIR);
    assert_int_equal(S1(unlink, "/."), -EISDIR);
    assert_int_equal(S1(unlink, "/nope/"), -ENOENT);
    assert_int_equal(S3(unlinkat, AT_FD, "/d", 0x100), -EINVAL);
    assert_int_equal(S2(link, "/d", "/d2"), -EPERM);
    assert_int_equal(S2(link, "/f", "/f"), -EEXIST);
    assert_int_equal(S2(link, "/nope", "/y"), -ENOENT);
    assert_int_equal(S2(link, "/f", "/data/x"), -EXDEV);
    assert_int_equal(S2(link, "/f", "/f2"), 0);
    struct lx_stat st;
    assert_int_equal(S2(stat, "/f2", &st), 0);
    assert_int_equal(st.st_nlink, 2);
    /* an unlinked open file keeps its data */
    long fd = S2(open, "/f", O_RDONLY);
    assert_int_equal(S1(unlink, "/f"), 0);
    assert_int_equal(S1(unlink, "/f2"), 0);
    char buf[8] = {0};
    assert_int_equal(S3(read, fd, buf, sizeof(buf)), 4);
    assert_string_equal(buf, "data");
    S1(close, fd);
    /* getdents64 */
    assert_int_equal(mkfile("/d/one", "1"), 0);
    assert_int_equal(S2(mkdir, "/d/two", 0755), 0);
    assert_int_equal(S1(rmdir, "/d"), -ENOTEMPTY);
    fd = S2(open, "/d", O_RDONLY | O_DIRECTORY);
    char dents[512];
    assert_int_equal(S3(getdents64, fd, dents, 8), -EINVAL);
    long n = S3(getdents64, fd, dents, sizeof(dents));
    assert_true(n > 0);
    const char *want[] = {".", "..", "one", "two"};
    const uint8_t types[] = {LX_DT_DIR, LX_DT_DIR, LX_DT_REG, LX_DT_DIR};
    int k = 0;
    for (long at = 0; at < n; k++) {
        struct lx_dirent64 *d = (struct lx_dirent64 *)(dents + at);
        assert_true(k < 4);
        assert_string_equal(d->d_name, want[k]);
        assert_int_equal(d->d_type, types[k]);
        assert_int_equal(d->d_reclen % 8, 0);
        at += d->d_reclen;
    }
    assert_int_equal(k, 4);
    assert_int_equal(S3(getdents64, fd, dents, sizeof(dents)), 0);
    assert_int_equal(S3(lseek, fd, 0, SEEK_SET), 0);
    /* one record at a time */
    for (k = 0; k < 4; k++)
        assert_true(S3(getdents64, fd, dents, 24) > 0);
    assert_int_equal(S3(getdents64, fd, dents, 24), 0);
    long ffd = S2(open, "/d/one", O_RDONLY);
    assert_int_equal(S3(getdents64, ffd, dents, sizeof(dents)), -ENOTDIR);
    S1(close, ffd);
    S1(close, fd);
    assert_int_equal(S1(unlink, "/d/one"), 0);
    assert_int_equal(S3(unlinkat, AT_FD, "/d/two", LX_AT_REMOVEDIR), 0);
    assert_int_equal(S1(rmdir, "/d"), 0);
}

static void test_rename(void **state)
{
    assert_int_equal(S2(mkdir, "/d", 0755), 0);
    assert_int_equal(mkfile("/f", "F"), 0);
    assert_int_equal(S2(mkdir, "/e", 0755), 0);
    assert_int_equal(S2(mkdir, "/e/x", 0755), 0);
    assert_int_equal(S2(rename, "/d", "/d/sub"), -EINVAL);
    assert_int_equal(S2(rename, "/f", "/d"), -EISDIR);
    assert_int_equal(S2(rename, "/d", "/f"), -ENOTDIR);
    assert_int_equal(S2(rename, "/f", "/f"), 0);
    assert_int_equal(S2(rename, "/.", "/x"), -EBUSY);
    assert_int_equal(S2(rename, "/f", "/f/"), -ENOTDIR);
    assert_int_equal(S2(rename, "/nope", "/x"), -ENOENT);
    assert_int_equal(S2(rename, "/d", "/e"), -ENOTEMPTY);
    assert_int_equal(S2(rename, "/f", "/data/f"), -EXDEV);
    assert_int_equal(S2(rename, "/data/words", "/data/w"), -EROFS);
    assert_int_equal(S2(rename, "/e/x", "/d"), 0); /* replaces the empty /d */
    assert_int_equal(S2(rename, "/f", "/e/g"), 0);
    char buf[4] = {0};
    long fd = S2(open, "/e/g", O_RDONLY);
    assert_int_equal(S3(read, fd, buf, 3), 1);
    S1(close, fd);
    assert_int_equal(mkfile("/h", "H"), 0);
    assert_int_equal(S5(renameat2, AT_FD, "/h", AT_FD, "/e/g", LX_RENAME_NOREPLACE), -EEXIST);
    assert_int_equal(S5(renameat2, AT_FD, "/h", AT_FD, "/e/g", 8), -EINVAL);
    assert_int_equal(S4(renameat, AT_FD, "/h", AT_FD, "/e/g"), 0);
    assert_int_equal(S2(open, "/h", O_RDONLY), -ENOENT);
    /* a directory moves with its contents; ".." follows; link counts stay right */
    assert_int_equal(S2(mkdir, "/e/sub", 0755), 0);
    assert_int_equal(S2(rename, "/e", "/d/e"), 0);
    assert_true((fd = S2(open, "/d/e/../e/g", O_RDONLY)) >= 0);
    S1(close, fd);
    struct lx_stat st;
    assert_int_equal(S2(stat, "/d/e", &st), 0);
    assert_int_equal(st.st_nlink, 3);
    assert_int_equal(S2(stat, "/d", &st), 0);
    assert_int_equal(st.st_nlink, 3);
    assert_int_equal(S1(rmdir, "/d/e/sub"), 0);
    assert_int_equal(S2(mkdir, "/d/e/new", 0755), 0);
    assert_int_equal(S1(chdir, "/d/e/new"), 0);
    char cwd[32];
    assert_int_equal(S2(getcwd, cwd, sizeof(cwd)), 9);
    assert_string_equal(cwd, "/d/e/new");
    assert_int_equal(S1(chdir, "/"), 0);
    assert_int_equal(S2(stat, "/", &st), 0);
    assert_int_equal(st.st_nlink, 7); /* 2 + d, data, tmp, dev, proc */
}

static void test_rom_and_dev(void **state)
{
    char buf[64] = {0};
    long fd = S2(open, "/data/input.txt", O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(S3(read, fd, buf, sizeof(buf)), (long)strlen(rom_input));
    assert_string_equal(buf, rom_input);
    struct lx_stat st;
    assert_int_equal(S2(fstat, fd, &st), 0);
    assert_int_equal(st.st_size, (long)strlen(rom_input));
    assert_int_equal(vfs_read_file((int)fd, 5, buf, 3), 3);
    assert_memory_equal(buf, "one", 3);
    S1(close, fd);
    assert_int_equal(vfs_read_path("/data/words", 6, buf, 100), 10);
    assert_memory_equal(buf, "beta gamma", 10);
    assert_int_equal(vfs_read_path("/data", 0, buf, 1), -ENODEV);
    assert_int_equal(S2(open, "/data/words", O_RDWR), -EROFS);
    assert_int_equal(S2(open, "/data/words", O_RDONLY | O_TRUNC), -EROFS);
    assert_int_equal(S3(open, "/data/new", O_CREAT | O_WRONLY, 0644), -EROFS);
    assert_int_equal(S2(mkdir, "/data/d", 0755), -EROFS);
    assert_int_equal(S2(mkdir, "/data/words", 0755), -EEXIST);
    assert_int_equal(S1(unlink, "/data/words"), -EROFS);
    assert_int_equal(S1(unlink, "/data/nope"), -EROFS);
    assert_int_equal(S2(truncate, "/data/words", 0), -EROFS);
    assert_int_equal(S2(access, "/data/words", W_OK), -EROFS);
    assert_int_equal(S2(access, "/data/words", R_OK | X_OK), 0);
    assert_int_equal(S2(chmod, "/data/words", 0600), -EROFS);
    /* /dev */
    fd = S2(open, "/dev/null", O_RDWR);
    assert_int_equal(S3(write, fd, "abc", 3), 3);
    assert_int_equal(S3(read, fd, buf, 10), 0);
    S1(close, fd);
    fd = S2(open, "/dev/zero", O_RDONLY);
    memset(buf, 7, sizeof(buf));
    assert_int_equal(S3(read, fd, buf, 1000 > sizeof(buf) ? sizeof(buf) : 1000), sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0);
    S1(close, fd);
    fd = S2(open, "/dev/full", O_WRONLY);
    assert_int_equal(S3(write, fd, "x", 1), -ENOSPC);
    S1(close, fd);
    fd = S2(open, "/dev/urandom", O_RDONLY);
    assert_int_equal(S3(read, fd, buf, 32), 32);
    int nonzero = 0;
    for (int i = 0; i < 32; i++)
        nonzero += buf[i] != 0;
    assert_true(nonzero > 8);
    assert_int_equal(S2(fstat, fd, &st), 0);
    assert_int_equal(st.st_mode & S_IFMT, S_IFCHR);
    S1(close, fd);
    assert_int_equal(S3(open, "/dev/new", O_CREAT | O_WRONLY, 0644), -EROFS);
    assert_int_equal(S2(stat, "/proc/self/exe", &st), -ENOENT); /* /bin/hello is not there */
    assert_int_equal(S2(lstat, "/proc/self/exe", &st), 0);
    assert_int_equal(st.st_mode & S_IFMT, S_IFLNK);
}

static void test_quota(void **state)
{
    static char block[4096];
    memset(block, 'q', sizeof(block));
    /* the /tmp mount's own limit: 64 KiB */
    long fd = S3(open, "/tmp/big", O_CREAT | O_WRONLY, 0644);
    long total = 0, r;
    while ((r = S3(write, fd, block, sizeof(block))) > 0)
        total += r;
    assert_int_equal(r, -ENOSPC);
    assert_int_equal(total, 64 << 10);
    struct lx_statfs sf;
    assert_int_equal(S2(statfs, "/tmp", &sf), 0);
    assert_int_equal(sf.f_bfree, 0);
    assert_int_equal(sf.f_type, LX_RAMFS_MAGIC);
    S1(close, fd);
    assert_int_equal(S1(unlink, "/tmp/big"), 0);
    assert_int_equal(S2(statfs, "/tmp", &sf), 0);
    assert_int_equal(sf.f_bfree, 16);
    /* the component's RAM quota: the backend refuses, the VFS answers ENOSPC/ENOMEM */
    hb.ram_limit = hb.ram_used + 20000;
    fd = S3(open, "/big", O_CREAT | O_WRONLY, 0644);
    assert_true(fd >= 0);
    while ((r = S3(write, fd, block, sizeof(block))) > 0)
        ;
    assert_int_equal(r, -ENOSPC);
    long e = 0;
    char name[32];
    for (int i = 0; i < 1000 && e >= 0; i++) {
        snprintf(name, sizeof(name), "/n%d", i);
        e = S2(mkdir, name, 0755);
    }
    assert_int_equal(e, -ENOMEM);
    assert_int_equal(S2(ftruncate, fd, 0), 0);
    assert_int_equal(S3(write, fd, block, sizeof(block)), sizeof(block)); /* space is back */
    S1(close, fd);
    hb.ram_limit = 0;
}

static void test_cwd(void **state)
{
    char buf[64];
    assert_int_equal(S2(getcwd, buf, sizeof(buf)), 2);
    assert_string_equal(buf, "/");
    assert_int_equal(S2(mkdir, "/w", 0755), 0);
    assert_int_equal(S2(mkdir, "/w/x", 0755), 0);
    assert_int_equal(S1(chdir, "/w/x"), 0);
    assert_int_equal(S2(getcwd, buf, sizeof(buf)), 5);
    assert_string_equal(buf, "/w/x");
    assert_int_equal(S2(getcwd, buf, 4), -ERANGE);
    assert_int_equal(mkfile("rel", "r"), 0);
    assert_int_equal(S2(access, "/w/x/rel", F_OK), 0);
    assert_int_equal(S1(chdir, "../.."), 0);
    assert_int_equal(S2(getcwd, buf, sizeof(buf)), 2);
    assert_int_equal(S1(chdir, "/w/x/rel"), -ENOTDIR);
    assert_int_equal(S1(chdir, "/data"), 0);
    assert_int_equal(S2(getcwd, buf, sizeof(buf)), 6);
    assert_string_equal(buf, "/data");
    long fd = S2(open, "/w", O_RDONLY);
    assert_int_equal(S1(fchdir, fd), 0);
    S1(close, fd);
    assert_int_equal(S2(getcwd, buf, sizeof(buf)), 3);
    assert_string_equal(buf, "/w");
    /* a removed cwd: getcwd says ENOENT, relative creation ENOENT */
    assert_int_equal(S1(chdir, "x"), 0);
    assert_int_equal(S1(unlink, "rel"), 0);
    assert_int_equal(S1(rmdir, "/w/x"), 0);
    assert_int_equal(S2(getcwd, buf, sizeof(buf)), -ENOENT);
    assert_int_equal(S3(open, "new", O_CREAT | O_WRONLY, 0644), -ENOENT);
    assert_int_equal(S1(chdir, "/"), 0);
}

static void test_fd_table(void **state)
{
    long fd = S3(open, "/f", O_CREAT | O_RDWR | O_CLOEXEC, 0644);
    assert_int_equal(S2(fcntl, fd, F_GETFD), FD_CLOEXEC);
    long d = S1(dup, fd);
    assert_int_equal(S2(fcntl, d, F_GETFD), 0);
    /* dup shares the offset */
    assert_int_equal(S3(write, fd, "abc", 3), 3);
    assert_int_equal(S3(lseek, d, 0, SEEK_CUR), 3);
    assert_int_equal(S2(dup2, fd, fd), fd);
    assert_int_equal(S2(dup2, 99, 5), -EBADF);
    assert_int_equal(S2(dup2, fd, -1), -EBADF);
    assert_int_equal(S2(dup2, fd, 1024), -EBADF);
    assert_int_equal(S3(dup3, fd, fd, 0), -EINVAL);
    assert_int_equal(S3(dup3, fd, 9, 1), -EINVAL);
    assert_int_equal(S3(dup3, fd, 9, O_CLOEXEC), 9);
    assert_int_equal(S2(fcntl, 9, F_GETFD), FD_CLOEXEC);
    assert_int_equal(S3(fcntl, fd, F_DUPFD, -1), -EINVAL);
    assert_int_equal(S3(fcntl, fd, F_DUPFD, 1024), -EINVAL);
    assert_int_equal(S3(fcntl, fd, F_DUPFD, 100), 100);
    assert_int_equal(S3(fcntl, fd, F_DUPFD_CLOEXEC, 100), 101);
    assert_int_equal(S3(fcntl, 101, F_SETFD, 0), 0);
    assert_int_equal(S2(fcntl, 101, F_GETFD), 0);
    assert_int_equal(S2(fcntl, fd, 99), -EINVAL);
    assert_int_equal(S3(fcntl, fd, F_SETFL, O_NONBLOCK | O_APPEND | O_RDONLY), 0);
    assert_int_equal(S2(fcntl, d, F_GETFL), O_RDWR | O_NONBLOCK | O_APPEND | LX_O_LARGEFILE);
    assert_int_equal(S2(fcntl, 77, F_GETFD), -EBADF);
    /* exec closes the close-on-exec ones */
    vfs_exec();
    assert_int_equal(S2(fcntl, fd, F_GETFD), -EBADF);
    assert_int_equal(S2(fcntl, 9, F_GETFD), -EBADF);
    assert_int_equal(S2(fcntl, 101, F_GETFD), 0);
    /* the table is bounded: RLIMIT_NOFILE */
    long last = 0, r;
    while ((r = S1(dup, d)) >= 0)
        last = r;
    assert_int_equal(r, -EMFILE);
    assert_int_equal(last, 1023);
    assert_int_equal(S2(open, "/f", O_RDONLY), -EMFILE);
    long p[1];
    assert_int_equal(S1(pipe, p), -EMFILE);
    assert_int_equal(S1(epoll_create1, 0), -EMFILE);
    for (long i = 3; i < 1024; i++)
        S1(close, i);
}

static void test_stat_family(void **state)
{
    struct lx_stat st;
    struct lx_statx sx;
    assert_int_equal(mkfile("/f", "12345"), 0);
    assert_int_equal(S2(symlink, "/f", "/l"), 0);
    assert_int_equal(S2(stat, "/l", &st), 0);
    assert_int_equal(st.st_size, 5);
    assert_int_equal(S2(lstat, "/l", &st), 0);
    assert_int_equal(st.st_mode, S_IFLNK | 0777);
    assert_int_equal(st.st_size, 2);
    assert_int_equal(S4(newfstatat, AT_FD, "/l", &st, LX_AT_SYMLINK_NOFOLLOW), 0);
    assert_int_equal(st.st_mode & S_IFMT, S_IFLNK);
    assert_int_equal(S4(newfstatat, AT_FD, "/l", &st, 0x1), -EINVAL);
    long fd = S2(open, "/f", O_RDONLY);
    assert_int_equal(S4(newfstatat, fd, "", &st, LX_AT_EMPTY_PATH), 0);
    assert_int_equal(st.st_size, 5);
    assert_int_equal(S4(newfstatat, fd, "", &st, 0), -ENOENT);
    assert_int_equal(S5(statx, fd, "", LX_AT_EMPTY_PATH, LX_STATX_BASIC_STATS, &sx), 0);
    assert_int_equal(sx.stx_size, 5);
    assert_int_equal(sx.stx_mode, S_IFREG | 0644);
    assert_int_equal(S5(statx, AT_FD, "/", 0, LX_STATX_BASIC_STATS, &sx), 0);
    assert_int_equal(sx.stx_mode & S_IFMT, S_IFDIR);
    assert_int_equal(S2(fstat, -1, &st), -EBADF);
    assert_int_equal(S2(fstat, fd, NULL), -EFAULT);
    assert_int_equal(S2(stat, "/f", 16), -EFAULT);
    assert_int_equal(S2(stat, 16, &st), -EFAULT);
    S1(close, fd);
    /* access, chmod, utimensat, fsync */
    assert_int_equal(S2(access, "/f", X_OK), -EACCES);
    assert_int_equal(S2(access, "/f", 8), -EINVAL);
    assert_int_equal(S2(access, "/nope", F_OK), -ENOENT);
    assert_int_equal(S2(chmod, "/f", 0755), 0);
    assert_int_equal(S2(access, "/f", X_OK), 0);
    assert_int_equal(S4(faccessat2, AT_FD, "/l", X_OK, 0x1), -EINVAL);
    assert_int_equal(S4(faccessat2, AT_FD, "/l", X_OK, LX_AT_EACCESS), 0);
    fd = S2(open, "/f", O_RDONLY);
    assert_int_equal(S2(fchmod, fd, 0640), 0);
    assert_int_equal(S2(fstat, fd, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);
    struct lx_timespec ts[2] = {{100, 5}, {200, LX_UTIME_OMIT}};
    assert_int_equal(S4(utimensat, AT_FD, "/f", ts, 0), 0);
    assert_int_equal(S2(fstat, fd, &st), 0);
    assert_int_equal(st.st_atime_sec, 100);
    assert_int_equal(st.st_atime_nsec, 5);
    ts[0].tv_nsec = 1000000000;
    assert_int_equal(S4(utimensat, AT_FD, "/f", ts, 0), -EINVAL);
    assert_int_equal(S4(utimensat, fd, NULL, NULL, 0), 0);
    assert_int_equal(S1(fsync, fd), 0);
    assert_int_equal(S1(fdatasync, fd), 0);
    assert_int_equal(S1(fsync, 99), -EBADF);
    assert_int_equal(S3(ioctl, fd, LX_TCGETS, 0), -ENOTTY);
    assert_int_equal(S3(ioctl, 1, LX_TIOCGWINSZ, 0), -ENOTTY);
    int avail = 0;
    assert_int_equal(S3(ioctl, fd, LX_FIONREAD, &avail), 0);
    assert_int_equal(avail, 5);
    S1(close, fd);
    assert_int_equal(S3(chown, "/f", 1, 1), 0);
    assert_int_equal(S3(lchown, "/nope", 1, 1), -ENOENT);
    assert_int_equal(S3(chown, "/data/words", 1, 1), -EROFS);
    assert_int_equal(S5(fchownat, AT_FD, "/f", 0, 0, 0x1), -EINVAL);
    assert_int_equal(S3(fchown, 99, 0, 0), -EBADF);
    long lfd = S2(open, "/f", O_RDONLY);
    assert_int_equal(S2(flock, lfd, 2 | 4), 0);
    assert_int_equal(S2(flock, lfd, 3), -EINVAL);
    assert_int_equal(S2(flock, 99, 2), -EBADF);
    assert_int_equal(S4(fadvise64, lfd, 0, 0, 4), 0);
    assert_int_equal(S4(fadvise64, lfd, 0, 0, 9), -EINVAL);
    S1(close, lfd);
    assert_int_equal(S2(truncate, "/", 0), -EISDIR);
    assert_int_equal(S2(truncate, "/f", -1), -EINVAL);
    assert_int_equal(S2(truncate, "/f", 2), 0);
    assert_int_equal(S2(stat, "/f", &st), 0);
    assert_int_equal(st.st_size, 2);
}

static void test_vectors_and_sendfile(void **state)
{
    char a[4] = {0}, b[8] = {0};
    struct lx_iovec iov[2] = {{(uintptr_t) "abc", 3}, {(uintptr_t) "defgh", 5}};
    long fd = S3(open, "/v", O_CREAT | O_RDWR, 0644);
    assert_int_equal(S3(writev, fd, iov, 2), 8);
    assert_int_equal(S3(lseek, fd, 0, SEEK_SET), 0);
    iov[0] = (struct lx_iovec){(uintptr_t)a, 3};
    iov[1] = (struct lx_iovec){(uintptr_t)b, 8};
    assert_int_equal(S3(readv, fd, iov, 2), 8);
    assert_string_equal(a, "abc");
    assert_string_equal(b, "defgh");
    assert_int_equal(S3(readv, fd, iov, 1025), -EINVAL);
    assert_int_equal(S3(readv, fd, iov, -1), -EINVAL);
    iov[1].base = 16;
    assert_int_equal(S3(readv, fd, iov, 2), -EFAULT);
    assert_int_equal(S3(readv, fd, 16, 2), -EFAULT);
    long out = S3(open, "/w", O_CREAT | O_RDWR, 0644);
    int64_t off = 2;
    assert_int_equal(S4(sendfile, out, fd, &off, 100), 6);
    assert_int_equal(off, 8);
    assert_int_equal(S3(lseek, fd, 0, SEEK_CUR), 8); /* unchanged by an explicit offset */
    char buf[16] = {0};
    assert_int_equal(S4(pread64, out, buf, sizeof(buf), 0), 6);
    assert_string_equal(buf, "cdefgh");
    assert_int_equal(S4(sendfile, out, 99, NULL, 1), -EBADF);
    S1(close, out);
    S1(close, fd);
    assert_int_equal(S3(read, 99, buf, 1), -EBADF);
    assert_int_equal(S3(write, 1, 16, 1), -EFAULT);
    assert_int_equal(S3(read, 0, buf, 5), 0); /* stdin: none */
}

static void test_init_errors(void **state)
{
    char err[160];
    vfs_fini();
    struct vfs_config cfg = {
            .n_mounts = 1,
            .mounts = {
                    {.path = "/d", .type = VFS_MOUNT_ROM, .modules = {"missing"}, .n_modules = 1}}};
    assert_int_equal(vfs_init(&cfg, &hb.be, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "missing"));
    cfg.mounts[0] = (struct vfs_mount_cfg){.path = "/dev/x", .type = VFS_MOUNT_RAM};
    assert_int_equal(vfs_init(&cfg, &hb.be, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "/dev"));
    cfg.mounts[0] = (struct vfs_mount_cfg){.path = "relative", .type = VFS_MOUNT_RAM};
    assert_int_equal(vfs_init(&cfg, &hb.be, err, sizeof(err)), -EINVAL);
    cfg = (struct vfs_config){.cwd = "/nope"};
    assert_int_equal(vfs_init(&cfg, &hb.be, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "cwd"));
    cfg = (struct vfs_config){.stdin_kind = VFS_STDIN_ROM,
                              .stdin_rom = "words",
                              .stdout_kind = VFS_STDOUT_FILE,
                              .stdout_path = "/out/log.txt",
                              .n_mounts = 2,
                              .mounts = {{.path = "/", .type = VFS_MOUNT_RAM},
                                         {.path = "/out/", .type = VFS_MOUNT_RAM}}};
    assert_int_equal(vfs_init(&cfg, &hb.be, err, sizeof(err)), 0);
    char buf[32] = {0};
    assert_int_equal(S3(read, 0, buf, sizeof(buf)), (long)strlen(rom_words));
    assert_int_equal(S3(write, 1, "out\n", 4), 4);
    assert_int_equal(S3(write, 1, "more", 4), 4);
    assert_int_equal(vfs_read_path("/out/log.txt", 0, buf, sizeof(buf)), 8);
    assert_memory_equal(buf, "out\nmore", 8);
    /* all the mounts from an empty config: a ram root */
    vfs_fini();
    cfg = (struct vfs_config){0};
    assert_int_equal(vfs_init(&cfg, &hb.be, err, sizeof(err)), 0);
    assert_int_equal(mkfile("/x", "y"), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, vfs_setup, vfs_teardown)
const struct CMUnitTest fs_tests[] = {
        T(test_create_write_read),
        T(test_open_flags),
        T(test_paths),
        T(test_dirs),
        T(test_rename),
        T(test_rom_and_dev),
        T(test_quota),
        T(test_cwd),
        T(test_fd_table),
        T(test_stat_family),
        T(test_vectors_and_sendfile),
        T(test_init_errors),
};
const size_t n_fs_tests = sizeof(fs_tests) / sizeof(fs_tests[0]);
