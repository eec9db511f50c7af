/* SPDX-License-Identifier: MIT */
/* argv and the environment as the program receives them: the count, each
 * argument in brackets (so empty ones and spaces show), each environment
 * entry sorted, and getenv of a set and an unset name. */
#include "common.h"

extern char **environ;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    line_buffered();
    printf("argc: %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]: [%s]\n", i, argv[i]);
    printf("argv[argc] is NULL: %s\n", argv[argc] == NULL ? "yes" : "no");
    char *env[64];
    int n = 0;
    for (char **e = environ; *e && n < 64; e++)
        env[n++] = *e;
    qsort(env, n, sizeof(env[0]), cmp_str);
    printf("environment: %d entries\n", n);
    for (int i = 0; i < n; i++)
        printf("  %s\n", env[i]);
    const char *home = getenv("HOME");
    printf("getenv HOME: %s\n", home ? home : "(unset)");
    printf("getenv NOT_SET: %s\n", getenv("NOT_SET") ? "set" : "(unset)");
    return argc;
}
