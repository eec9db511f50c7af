/* SPDX-License-Identifier: MIT */
/* mmap: anonymous mappings read as zeros, a partial munmap leaves the rest,
 * mprotect to read-only makes a write fault (caught as SIGSEGV), mremap grows
 * a mapping and keeps its contents; bad arguments give EINVAL. */
#define _GNU_SOURCE
#include "common.h"

#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;

static void on_segv(int sig)
{
    siglongjmp(env, sig);
}

/* Does a write to p fault? */
static int write_faults(volatile char *p)
{
    if (sigsetjmp(env, 1))
        return 1;
    *p = 1;
    return 0;
}

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    const long pg = 4096;
    char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    must(p != MAP_FAILED, "mmap 4 pages");
    int zero = 1;
    for (long i = 0; i < 4 * pg; i++)
        zero &= p[i] == 0;
    printf("fresh mapping all zero: %s\n", zero ? "yes" : "no");
    memset(p, 'x', 4 * pg);
    report("munmap second page", munmap(p + pg, pg));
    printf("first page kept: %c, third page kept: %c\n", p[0], p[2 * pg]);
    struct sigaction sa = {0};
    sa.sa_handler = on_segv;
    sigemptyset(&sa.sa_mask);
    must(sigaction(SIGSEGV, &sa, NULL) == 0, "sigaction");
    printf("write to unmapped page faults: %s\n", write_faults(p + pg) ? "yes" : "no");
    report("mprotect third page read-only", mprotect(p + 2 * pg, pg, PROT_READ));
    printf("write to read-only page faults: %s\n", write_faults(p + 2 * pg) ? "yes" : "no");
    printf("read of read-only page: %c\n", p[2 * pg]);
    report("mprotect back to read-write", mprotect(p + 2 * pg, pg, PROT_READ | PROT_WRITE));
    printf("write after mprotect back faults: %s\n", write_faults(p + 2 * pg) ? "yes" : "no");

    char *q = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    must(q != MAP_FAILED, "mmap 1 page");
    strcpy(q, "kept across mremap");
    char *r = mremap(q, pg, 64 * pg, MREMAP_MAYMOVE);
    must(r != MAP_FAILED, "mremap grow");
    printf("after mremap: '%s', new tail zero: %s\n", r, r[63 * pg] == 0 ? "yes" : "no");
    r[64 * pg - 1] = 'e';
    char *s = mremap(r, 64 * pg, 2 * pg, 0);
    must(s != MAP_FAILED, "mremap shrink");
    printf("after shrink: '%s'\n", s);
    report("munmap unaligned", munmap(p + 1, pg));
    report("munmap length 0", munmap(p, 0));
    errno = 0;
    void *bad = mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    report("mmap length 0", bad == MAP_FAILED ? -1 : 0);
    bad = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_SHARED, -1, 0);
    report("mmap private and shared", bad == MAP_FAILED ? -1 : 0);
    report("mprotect unaligned", mprotect(p + 1, pg, PROT_READ));
    char *big = mmap(NULL, 8 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    must(big != MAP_FAILED, "mmap 8 MiB");
    for (long i = 0; i < (8 << 20); i += pg)
        big[i] = (char)i;
    printf("8 MiB mapping written: yes\n");
    report("munmap 8 MiB", munmap(big, 8 << 20));
    printf("mmap: done\n");
    return 0;
}
