/* SPDX-License-Identifier: MIT */
/* net_client: the host side of the network benchmark (os/bench/net-run.py).
 *
 * Against a TCP echo server at 127.0.0.1:PORT (a QEMU hostfwd), two tests:
 *   rr:   one connection (TCP_NODELAY); ROUNDS times send a 64-byte message
 *         and read its 64-byte echo; each round trip timed with
 *         CLOCK_MONOTONIC. Prints requests per second and p50/p99 latency.
 *         The first WARMUP rounds are not counted. With NET_CLIENT_LAT=FILE
 *         in the environment every counted round trip's latency (seconds,
 *         one per line) also goes to FILE, so the runner can merge two
 *         clients' latencies for aggregate percentiles.
 *   bulk: one connection; a thread writes MIB MiB in 1 MiB writes while the
 *         main thread reads the echo back; prints MiB/s of echoed data
 *         (the time from the first write to the last byte read).
 * Output: one line per figure, "net-client: <key> <value>", for the
 * runner to parse. Usage: net_client PORT ROUNDS MIB (MIB 0: no bulk test,
 * as in the two-habitat run). Exit 1 on any error or echo mismatch (named).
 */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MSG    64
#define WARMUP 100
#define CHUNK  (1u << 20)

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int dial(int port)
{
    int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((unsigned short)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        perror("net-client: connect");
        exit(1);
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void read_full(int fd, char *buf, size_t len)
{
    for (size_t got = 0; got < len;) {
        ssize_t n = read(fd, buf + got, len - got);
        if (n <= 0) {
            fprintf(stderr, "net-client: read: connection closed after %zu of %zu bytes\n", got,
                    len);
            exit(1);
        }
        got += (size_t)n;
    }
}

static void write_full(int fd, const char *buf, size_t len)
{
    for (size_t put = 0; put < len;) {
        ssize_t n = write(fd, buf + put, len - put);
        if (n <= 0) {
            perror("net-client: write");
            exit(1);
        }
        put += (size_t)n;
    }
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void rr(int port, int rounds)
{
    int fd = dial(port);
    char out[MSG], in[MSG];
    double *lat = malloc(sizeof *lat * (size_t)rounds), t0 = 0;
    if (!lat)
        exit(1);
    for (int i = -WARMUP; i < rounds; i++) {
        memset(out, 'a' + (i & 15), MSG);
        if (i == 0)
            t0 = now_s();
        double s = now_s();
        write_full(fd, out, MSG);
        read_full(fd, in, MSG);
        if (memcmp(in, out, MSG) != 0) {
            fprintf(stderr, "net-client: echo %d differs\n", i);
            exit(1);
        }
        if (i >= 0)
            lat[i] = now_s() - s;
    }
    double total = now_s() - t0;
    close(fd);
    const char *path = getenv("NET_CLIENT_LAT");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (path && !f) {
        perror("net-client: NET_CLIENT_LAT");
        exit(1);
    }
    for (int i = 0; f && i < rounds; i++)
        fprintf(f, "%.9f\n", lat[i]);
    if (f && fclose(f) != 0) {
        perror("net-client: NET_CLIENT_LAT");
        exit(1);
    }
    qsort(lat, (size_t)rounds, sizeof *lat, cmp);
    printf("net-client: rr_rounds %d\n", rounds);
    printf("net-client: rr_per_s %.1f\n", rounds / total);
    printf("net-client: rr_p50_us %.1f\n", lat[rounds / 2] * 1e6);
    printf("net-client: rr_p99_us %.1f\n", lat[(size_t)rounds * 99 / 100] * 1e6);
    free(lat);
}

struct writer {
    int fd, mib;
    char *buf;
};

static void *write_all(void *arg)
{
    struct writer *w = arg;
    for (int i = 0; i < w->mib; i++)
        write_full(w->fd, w->buf, CHUNK);
    return NULL;
}

static void bulk(int port, int mib)
{
    struct writer w = {dial(port), mib, malloc(CHUNK)};
    char *in = malloc(CHUNK);
    pthread_t t;
    if (!w.buf || !in)
        exit(1);
    for (unsigned i = 0; i < CHUNK; i++)
        w.buf[i] = (char)(i * 31 + 7);
    double t0 = now_s();
    if (pthread_create(&t, NULL, write_all, &w) != 0)
        exit(1);
    for (int i = 0; i < mib; i++) {
        read_full(w.fd, in, CHUNK);
        if (memcmp(in, w.buf, CHUNK) != 0) {
            fprintf(stderr, "net-client: bulk echo of MiB %d differs\n", i);
            exit(1);
        }
    }
    double total = now_s() - t0;
    pthread_join(t, NULL);
    close(w.fd);
    printf("net-client: bulk_mib %d\n", mib);
    printf("net-client: bulk_mib_per_s %.2f\n", mib / total);
    free(w.buf);
    free(in);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: net_client PORT ROUNDS MIB\n");
        return 2;
    }
    int port = atoi(argv[1]), rounds = atoi(argv[2]), mib = atoi(argv[3]);
    if (port < 1 || port > 65535 || rounds < 1 || mib < 0) {
        fprintf(stderr, "net-client: bad arguments\n");
        return 2;
    }
    rr(port, rounds);
    if (mib > 0)
        bulk(port, mib);
    return 0;
}
