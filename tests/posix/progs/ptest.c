/* SPDX-License-Identifier: MIT */
/* ptest: every test program of tests/posix/progs in one static binary,
 * chosen by argv[0] as busybox chooses its applets ("files", "errno", ...).
 * One binary keeps the Kide image within the kernel's 16 boot modules
 * (KIDE_BOOT_MAX_MODULES) with the runtime, busybox and the input files;
 * tests/Makefile compiles each program with -Dmain=<name>_main for it (and
 * also alone, for running one on the host). A new program gets its line in
 * the table below. */
#include <stdio.h>
#include <string.h>

#define PROGRAMS(X)                                                                                \
    X(alloc)                                                                                       \
    X(args)                                                                                        \
    X(errno)                                                                                       \
    X(fdops)                                                                                       \
    X(files)                                                                                       \
    X(futex)                                                                                       \
    X(mmap)                                                                                        \
    X(pipe)                                                                                        \
    X(poll)                                                                                        \
    X(random)                                                                                      \
    X(signals)                                                                                     \
    X(threads)                                                                                     \
    X(time)                                                                                        \
    X(uname)

#define DECLARE(name) int name##_main(int argc, char **argv);
PROGRAMS(DECLARE)
#define ENTRY(name) {#name, name##_main},
static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
} programs[] = {PROGRAMS(ENTRY)};

int main(int argc, char **argv)
{
    const char *name = argc > 0 ? argv[0] : "";
    const char *slash = strrchr(name, '/');
    if (slash)
        name = slash + 1;
    for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
        if (!strcmp(programs[i].name, name))
            return programs[i].main(argc, argv);
    printf("ptest: no program '%s'; argv[0] names one of:", name);
    for (unsigned i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
        printf(" %s", programs[i].name);
    printf("\n");
    return 2;
}
