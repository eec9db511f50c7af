/* SPDX-License-Identifier: MIT */
/* The Linux peer of the boot benchmark (os/bench/boot-run.sh): the first
 * user-space output, one line, as early as a program can print it. */
#include <stdio.h>

int main(void)
{
    puts("boot-peer: first output");
    fflush(stdout);
    return 0;
}
