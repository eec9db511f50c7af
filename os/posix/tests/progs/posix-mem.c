/* SPDX-License-Identifier: MIT */
/* posix-mem: mmap/munmap (partial too), a PROT_NONE reservation made
 * accessible with mprotect, mremap growing, brk through malloc, EFAULT for a
 * buffer in unmapped memory, and a signal handler run by raise(). Prints
 * "mem: PASS" or the first check that failed. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CHECK(c)                                                                                   \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            printf("mem: FAIL line %d: %s\n", __LINE__, #c);                                       \
            return 1;                                                                              \
        }                                                                                          \
    } while (0)

static volatile sig_atomic_t got;
static void on_usr1(int sig)
{
    got = sig;
}

int main(void)
{
    long pg = sysconf(_SC_PAGESIZE);
    CHECK(pg == 4096);
    char *p = mmap(NULL, 16 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED);
    for (int i = 0; i < 16 * pg; i++)
        CHECK(p[i] == 0);
    memset(p, 0xab, 16 * pg);
    CHECK(munmap(p + 4 * pg, 4 * pg) == 0);
    CHECK(write(1, p + 4 * pg, 10) == -1 && errno == EFAULT);
    CHECK(p[3 * pg] == (char)0xab && p[8 * pg] == (char)0xab);
    char *q = mmap(p + 4 * pg, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
                   -1, 0);
    CHECK(q == p + 4 * pg && q[0] == 0);
    CHECK(munmap(p, 16 * pg) == 0);
    printf("mem: mmap, partial munmap, MAP_FIXED ok\n");

    char *r = mmap(NULL, 64 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(r != MAP_FAILED);
    CHECK(write(1, r, 1) == -1 && errno == EFAULT);
    CHECK(mprotect(r + pg, 63 * pg, PROT_READ | PROT_WRITE) == 0);
    r[pg] = 1, r[64 * pg - 1] = 2;
    CHECK(mprotect(r + 2 * pg, pg, PROT_READ) == 0);
    CHECK(read(0, r + 2 * pg, 1) <= 0); /* never writes read-only memory */
    printf("mem: PROT_NONE reservation and mprotect ok\n");

    char *m = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED);
    strcpy(m, "kept");
    char *g = mremap(m, 2 * pg, 64 * pg, MREMAP_MAYMOVE);
    CHECK(g != MAP_FAILED && strcmp(g, "kept") == 0 && g[64 * pg - 1] == 0);
    g[0] = 5;
    CHECK(madvise(g, pg, MADV_DONTNEED) == 0 && g[0] == 0);
    printf("mem: mremap ok\n");

    char *b0 = (char *)syscall(SYS_brk, 0); /* musl's sbrk grows nothing: the call itself */
    CHECK((char *)syscall(SYS_brk, b0 + 3 * pg) == b0 + 3 * pg);
    memset(b0, 7, 3 * pg);
    CHECK((char *)syscall(SYS_brk, b0 + pg) == b0 + pg);
    CHECK((char *)syscall(SYS_brk, (char *)4096) == b0 + pg); /* below the start: refused */
    char *big = malloc(4 << 20);
    CHECK(big != NULL);
    memset(big, 1, 4 << 20);
    free(big);
    printf("mem: brk and malloc ok\n");

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_usr1;
    CHECK(sigaction(SIGUSR1, &sa, NULL) == 0);
    CHECK(raise(SIGUSR1) == 0 && got == SIGUSR1);
    printf("mem: signal handler ran\n");
    printf("mem: PASS\n");
    return 0;
}
