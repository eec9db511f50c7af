/* SPDX-License-Identifier: MIT */
/* posix-abort: abort() ends the program with SIGABRT (exit code 134). */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
    printf("abort: aborting\n");
    fflush(stdout);
    abort();
}
