/* SPDX-License-Identifier: MIT */
/* errno on error paths: each call must fail with the same error on both
 * systems; the names are printed (ENOENT, EEXIST, ...). */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    char buf[16];
    must(mkdir("t-errno", 0755) == 0, "mkdir t-errno");
    must(chdir("t-errno") == 0, "chdir");
    int fd = open("file", O_CREAT | O_WRONLY, 0644);
    must(fd >= 0, "create file");
    close(fd);
    must(mkdir("dir", 0755) == 0, "mkdir dir");
    fd = open("dir/inner", O_CREAT | O_WRONLY, 0644);
    must(fd >= 0, "create dir/inner");
    close(fd);

    report("open missing", open("missing", O_RDONLY));
    report("open missing/x", open("missing/x", O_RDONLY));
    report("open O_EXCL existing", open("file", O_CREAT | O_EXCL | O_WRONLY, 0644));
    report("open file/x (file as dir)", open("file/x", O_RDONLY));
    report("open dir for writing", open("dir", O_WRONLY));
    report("open O_DIRECTORY on file", open("file", O_RDONLY | O_DIRECTORY));
    report("mkdir existing", mkdir("dir", 0755));
    report("mkdir under file", mkdir("file/sub", 0755));
    report("mkdir missing parent", mkdir("missing/sub", 0755));
    report("rmdir non-empty", rmdir("dir"));
    report("rmdir file", rmdir("file"));
    report("rmdir missing", rmdir("missing"));
    report("unlink dir", unlink("dir"));
    report("unlink missing", unlink("missing"));
    report("rename missing", rename("missing", "other"));
    report("rename dir over file", rename("dir", "file"));
    report("rename file over dir", rename("file", "dir"));
    report("chdir file", chdir("file"));
    report("read bad fd", read(99, buf, 1));
    report("write bad fd", write(-1, buf, 1));
    report("close bad fd", close(99));
    report("lseek bad whence", lseek(0 + open("file", O_RDONLY), 0, 42));
    report("lseek negative", lseek(open("file", O_RDONLY), -5, SEEK_SET));
    fd = open("file", O_RDONLY);
    report("write on read-only fd", write(fd, "x", 1));
    report("read directory", read(open("dir", O_RDONLY | O_DIRECTORY), buf, 1));
    report("ftruncate read-only fd", ftruncate(fd, 0));
    report("ftruncate negative", ftruncate(open("file", O_WRONLY), -1));
    report("dup2 bad fd", dup2(99, 5));
    report("fcntl bad fd", fcntl(99, F_GETFD));
    report("isatty on file (ENOTTY)", isatty(fd) ? 0 : -1);
    int p[2];
    must(pipe(p) == 0, "pipe");
    report("lseek on pipe", lseek(p[0], 0, SEEK_SET));
    report("access missing", access("missing", F_OK));
    report("access file", access("file", F_OK));
    char longname[300];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = 0;
    report("open 299-byte name", open(longname, O_RDONLY));
    printf("errno: done\n");
    return 0;
}
