/* SPDX-License-Identifier: MIT */
/* uname: only sysname and machine are the same on Kide and Linux (release,
 * version and node name differ by design). */
#include "common.h"

#include <sys/utsname.h>

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    struct utsname u;
    must(uname(&u) == 0, "uname");
    printf("sysname: %s\n", u.sysname);
    printf("machine: %s\n", u.machine);
    return 0;
}
