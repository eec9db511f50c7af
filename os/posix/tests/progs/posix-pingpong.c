/* SPDX-License-Identifier: MIT */
/* posix-pingpong: the main thread and a second thread bounce one byte
 * through two pipes (tests/posix/bench/sysbench.c's pipe round trip), each
 * blocking in read on its own pipe. Every wake-up must reach the thread it
 * is for; a lost one leaves both asleep (the scenario then times out). stdout
 * is a log, not a tty: musl buffers it, the lines come at exit.
 * Prints "pingpong: PASS" or what went wrong. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#define ROUNDS 30000

static int ping[2], pong[2];

static void *echo(void *arg)
{
    (void)arg;
    char c;
    long n = 0;
    while (read(ping[0], &c, 1) == 1) {
        c++;
        if (write(pong[1], &c, 1) != 1)
            break;
        n++;
    }
    return (void *)n;
}

int main(void)
{
    if (pipe(ping) != 0 || pipe(pong) != 0) {
        printf("pingpong: pipe failed\n");
        return 1;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, echo, NULL) != 0) {
        printf("pingpong: pthread_create failed\n");
        return 1;
    }
    int bad = 0;
    for (int i = 0; i < ROUNDS; i++) {
        char c = (char)i, r;
        if (write(ping[1], &c, 1) != 1 || read(pong[0], &r, 1) != 1 || r != (char)(c + 1)) {
            printf("pingpong: round %d went wrong\n", i);
            bad = 1;
            break;
        }
        if ((i + 1) % 10000 == 0)
            printf("pingpong: %d round trips\n", i + 1);
    }
    close(ping[1]); /* the echo thread reads EOF and ends */
    void *n;
    pthread_join(t, &n);
    printf("pingpong: echo thread answered %ld\n", (long)n);
    printf(bad || (long)n != ROUNDS ? "pingpong: FAIL\n" : "pingpong: PASS\n");
    return bad;
}
