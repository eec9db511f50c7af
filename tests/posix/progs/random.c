/* SPDX-License-Identifier: MIT */
/* getrandom: full reads of several sizes, two reads differ, GRND_NONBLOCK
 * works, bad flags give EINVAL; /dev/urandom reads. The bytes themselves are
 * never printed. */
#define _GNU_SOURCE
#include "common.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    unsigned char a[256], b[256];
    static const unsigned sizes[] = {1, 16, 256};
    for (unsigned i = 0; i < 3; i++)
        printf("getrandom %u bytes: %ld\n", sizes[i], (long)getrandom(a, sizes[i], 0));
    must(getrandom(a, sizeof(a), 0) == sizeof(a) && getrandom(b, sizeof(b), 0) == sizeof(b),
         "getrandom");
    printf("two reads differ: %s\n", memcmp(a, b, sizeof(a)) ? "yes" : "no");
    int zero = 1;
    for (unsigned i = 0; i < sizeof(a); i++)
        zero &= a[i] == 0;
    printf("all zero: %s\n", zero ? "yes" : "no");
    printf("GRND_NONBLOCK: %ld\n", (long)getrandom(a, 32, GRND_NONBLOCK));
    report("bad flags", getrandom(a, 32, 0x4000));
    int fd = open("/dev/urandom", O_RDONLY);
    must(fd >= 0, "open /dev/urandom");
    printf("read /dev/urandom 64: %ld\n", (long)read(fd, a, 64));
    close(fd);
    printf("random: done\n");
    return 0;
}
