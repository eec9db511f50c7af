/* SPDX-License-Identifier: MIT */
/* posix-mprot: the MMU keeps what munmap and mprotect say. argv[1] "hole":
 * a write to the page munmap took from the middle of a mapping faults;
 * "ro": a read-only page reads but a write faults, after PROT_NONE and back
 * kept its contents. Each ends with a page fault (SIGSEGV). */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
    const long pg = 4096;
    const char *mode = argc > 1 ? argv[1] : "";
    char *p = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        printf("mprot: mmap failed\n");
        return 1;
    }
    memset(p, 'x', 4 * pg);
    if (!strcmp(mode, "hole")) {
        if (munmap(p + pg, pg) != 0)
            return 2;
        printf("mprot: kept %c %c, writing to the hole\n", p[0], p[2 * pg]);
        fflush(stdout);
        *(volatile char *)(p + pg) = 1;
    } else {
        void *bad = mmap(NULL, pg, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (mprotect(p + 2 * pg, pg, PROT_NONE) != 0 ||
            mprotect(p + 2 * pg, pg, PROT_READ | PROT_WRITE) != 0 ||
            mprotect(p + 2 * pg, pg, PROT_READ) != 0)
            return 3;
        printf("mprot: private|shared refused: %s, read-only page reads %c, writing to it\n",
               bad == MAP_FAILED ? "yes" : "no", p[2 * pg]);
        fflush(stdout);
        *(volatile char *)(p + 2 * pg) = 1;
    }
    printf("mprot: still alive\n");
    return 0;
}
