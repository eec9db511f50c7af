/* SPDX-License-Identifier: MIT */
/* mmap: anonymous mappings read as zeros, a partial munmap leaves the rest,
 * mremap grows a mapping and keeps its contents, bad arguments give EINVAL.
 * `mmap hole` and `mmap readonly` end the program by writing to the page a
 * partial munmap removed, or to a page mprotect made read-only: both must
 * end it with SIGSEGV; `mmap rsp` makes a system call with RSP in the page
 * munmap removed, which must return. (Without a handler: Kide's runtime ends a program on
 * a CPU fault and does not yet run its SIGSEGV handler, docs/posix.md.) */
#define _GNU_SOURCE
#include "common.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
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
    if (!strcmp(mode, "rsp")) {
        /* A system call made with RSP in memory just unmapped (as musl's
         * __unmapself does before exit) returns on Linux: the kernel never
         * touches the user stack. Kide's runtime must not either. */
        long pid, saved;
        __asm__ volatile("mov %%rsp, %1\n\t"
                         "mov %2, %%rsp\n\t"
                         "syscall\n\t"
                         "mov %1, %%rsp"
                         : "=a"(pid), "=&r"(saved)
                         : "r"(p + 2 * pg), "a"((long)SYS_getpid)
                         : "rcx", "r11", "memory");
        printf("getpid with RSP in unmapped memory: %s\n", pid > 0 ? "ok" : "failed");
        return 0;
    }
    if (!strcmp(mode, "hole")) {
        printf("writing to the unmapped page\n");
        ((volatile char *)p)[pg] = 1; /* SIGSEGV */
        printf("the write to the unmapped page did not fault\n");
        return 1;
    }
    report("mprotect third page read-only", mprotect(p + 2 * pg, pg, PROT_READ));
    printf("read of read-only page: %c\n", p[2 * pg]);
    if (!strcmp(mode, "readonly")) {
        printf("writing to the read-only page\n");
        ((volatile char *)p)[2 * pg] = 1; /* SIGSEGV */
        printf("the write to the read-only page did not fault\n");
        return 1;
    }
    report("mprotect back to read-write", mprotect(p + 2 * pg, pg, PROT_READ | PROT_WRITE));
    p[2 * pg] = 'y';
    printf("written after mprotect back: %c\n", p[2 * pg]);

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
