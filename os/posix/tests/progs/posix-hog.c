/* SPDX-License-Identifier: MIT */
/* posix-hog: malloc 256 KiB blocks (touching them) until malloc says no: under
 * a small RAM quota that is ENOMEM, not the end of the program or of its
 * siblings. "hog: PASS" when it got ENOMEM and can still work afterwards. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    void *head = NULL;
    long kib = 0;
    for (;;) {
        void **b = malloc(256 << 10);
        if (!b)
            break;
        memset(b, 1, 256 << 10);
        *b = head;
        head = b;
        kib += 256;
    }
    int e = errno;
    printf("hog: malloc failed: %s\n", e == ENOMEM ? "ENOMEM" : "another error");
    while (head) {
        void *n = *(void **)head;
        free(head);
        head = n;
    }
    char *again = malloc(64 << 10);
    int ok = e == ENOMEM && again && kib > 0;
    printf("hog: %s\n", ok ? "PASS" : "FAIL");
    return !ok;
}
