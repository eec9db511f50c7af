/* SPDX-License-Identifier: MIT */
/* Allocation near the RAM quota: malloc 1 MiB blocks (each page touched)
 * until malloc returns NULL, then print ENOMEM, free everything and show the
 * heap works again. The limit is the component's RAM on Kide and RLIMIT_AS
 * on Linux; how many blocks fit differs and is not printed. A limit that is
 * never reached (4 GiB) ends with exit code 3. */
#include "common.h"

#define BLOCK      (1L << 20)
#define MAX_BLOCKS 4096

static char *blocks[MAX_BLOCKS];

int main(int argc, char **argv)
{
    (void)argc, (void)argv;
    line_buffered();
    int n = 0;
    errno = 0;
    while (n < MAX_BLOCKS) {
        char *b = malloc(BLOCK);
        if (!b)
            break;
        for (long i = 0; i < BLOCK; i += 4096)
            b[i] = (char)n;
        blocks[n++] = b;
    }
    if (n == MAX_BLOCKS) {
        printf("no limit reached after 4 GiB\n");
        return 3;
    }
    printf("malloc returned NULL: %s\n", errno_name(errno));
    printf("got at least 4 MiB: %s\n", n >= 4 ? "yes" : "no");
    int ok = 1;
    for (int i = 0; i < n; i++) {
        ok &= blocks[i][0] == (char)i;
        free(blocks[i]);
    }
    printf("blocks intact: %s\n", ok ? "yes" : "no");
    char *again = malloc(BLOCK);
    printf("malloc after free: %s\n", again ? "yes" : "no");
    free(again);
    printf("alloc: done\n");
    return 0;
}
