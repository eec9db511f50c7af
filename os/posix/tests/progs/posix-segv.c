/* SPDX-License-Identifier: MIT */
/* posix-segv: a write through NULL ends the program with SIGSEGV. */
#include <stdio.h>

int main(void)
{
    printf("segv: writing through NULL\n");
    fflush(stdout);
    *(volatile int *)0 = 1;
    printf("segv: still alive\n");
    return 0;
}
