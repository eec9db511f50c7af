/* SPDX-License-Identifier: MIT */
/* The start benchmark's program: its first action in main is one write of a
 * marker line; the launcher (runcase --start-ns on Linux, the host following
 * hoitaja's "started" line on Kide) times the way to it. */
#include <unistd.h>

int main(void)
{
    static const char marker[] = "start: main reached\n";
    return write(1, marker, sizeof(marker) - 1) == sizeof(marker) - 1 ? 0 : 1;
}
