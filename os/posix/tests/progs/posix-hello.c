/* SPDX-License-Identifier: MIT */
/* posix-hello: the first POSIX scenario's program (os/scenarios/tests/posix-hello.yaml).
 * Prints its arguments and environment, a few facts of the system, the cost of
 * a getpid round trip (rdtsc, median of 1001), and exits with 3. The same
 * static binary runs on Linux (then the numbers differ, the lines do not). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <x86intrin.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
    unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    printf("hello: argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("hello: argv[%d] %s\n", i, argv[i]);
    for (char **e = environ; *e; e++)
        printf("hello: env %s\n", *e);
    struct utsname u;
    if (uname(&u) == 0)
        printf("hello: uname %s %s\n", u.sysname, u.machine);
    static unsigned long long t[1001];
    for (int i = 0; i < 1001; i++) {
        unsigned long long a = __rdtsc();
        syscall(SYS_getpid);
        t[i] = __rdtsc() - a;
    }
    qsort(t, 1001, sizeof(t[0]), cmp);
    printf("hello: getpid round trip %llu cycles (median of 1001)\n", t[500]);
    printf("hello: exit 3\n");
    return 3;
}
