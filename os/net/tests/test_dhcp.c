/* SPDX-License-Identifier: MIT */
/* os/net tests: the stack's DHCP client against the router's DHCP server.
 *
 * One lwIP stack (inst.h, linked with prefix a_) and the router library
 * (os/net/router, built for the host) on an in-memory link: the stack's
 * frames go into the router as its habitat "a"'s downlink, the router's
 * frames for that slot come back. Time is the test's (milliseconds,
 * advanced in steps), so a day's lease and its renewal run in well under a
 * second, and timing does not depend on how fast the host (or an
 * emulator) is. What the stack's watch (net/dhcp_watch.h) says is checked
 * line by line.
 *
 * The life of one lease: no server (the habitat has no "dhcp": the router
 * drops its DHCP) -> the no-answer line after NET_DHCP_TIMEOUT_MS, not
 * before; the router then serves it (a live update) -> the lease line with
 * the configured address, prefix and gateway; renewal at half the lease
 * (43200 s) -> an ACK and no line, and the address holds across three
 * lease periods; the router stops answering -> the lease ends (86400 s
 * after the last ACK) and the loss is reported; it answers again -> the
 * lease line again.
 */
#include "inst.h"

#include "router.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

extern const struct net_inst_ops a_net_inst;
#define A (&a_net_inst)

#define QLEN 64
#define FMAX 1600

struct queue {
    uint8_t f[QLEN][FMAX];
    size_t len[QLEN];
    unsigned head, n;
};

static struct queue up, down; /* stack -> router, router -> stack */
static struct net_link link;
static struct rtr *r;
static int slot;
static int deaf;            /* the router's answers are lost */
static unsigned acks, naks; /* DHCP answers the router sent */
static char line[256];      /* the watch's last line */
static unsigned lines;      /* lines the watch produced */
static uint32_t line_ms;    /* when the last one came */
static uint32_t now_ms;

void net_port_log(const char *msg)
{
    fprintf(stderr, "lwip: %s\n", msg);
}

void net_port_panic(const char *msg)
{
    fprintf(stderr, "lwip: panic: %s\n", msg);
    abort();
}

static void qpush(struct queue *q, const void *f, size_t len)
{
    unsigned i;

    if (q->n == QLEN || len > FMAX)
        return;
    i = (q->head + q->n++) % QLEN;
    memcpy(q->f[i], f, len);
    q->len[i] = len;
}

static size_t qpop(struct queue *q, void *buf, size_t cap)
{
    size_t len;

    if (!q->n)
        return 0;
    len = q->len[q->head];
    if (len > cap)
        len = cap;
    memcpy(buf, q->f[q->head], len);
    q->head = (q->head + 1) % QLEN;
    q->n--;
    return len;
}

static int send_up(void *ctx, const void *f, size_t len)
{
    (void)ctx;
    qpush(&up, f, len);
    return 0;
}

static size_t recv_down(void *ctx, void *buf, size_t cap)
{
    (void)ctx;
    return qpop(&down, buf, cap);
}

/* The router's frames: only the habitat's slot leads to the stack. A DHCP
 * reply (UDP 67 -> 68) carries the message type first among its options
 * (the router writes it so): count ACKs and NAKs. */
static void emit(void *ctx, int port, const kide_u8 *f, kide_u32 len)
{
    (void)ctx;
    if (port != slot || deaf)
        return;
    if (len > 42 + 243 && f[23] == 17 && f[34] == 0 && f[35] == 67 && f[36] == 0 && f[37] == 68) {
        acks += f[42 + 242] == 5;
        naks += f[42 + 242] == 6;
    }
    qpush(&down, f, len);
}

/* Run until `until` (ms) in steps of step ms: the stack's round, its
 * frames into the router, the router's queues, the watch. */
static void run(uint32_t until, uint32_t step)
{
    uint8_t f[FMAX];
    char said[sizeof line];
    size_t len;

    for (; now_ms < until; now_ms += step) {
        A->poll(now_ms);
        while ((len = qpop(&up, f, sizeof f)) > 0)
            assert_int_equal(rtr_input(r, slot, f, (kide_u32)len, now_ms), 0);
        rtr_poll(r, now_ms, 64);
        if (A->dhcp_check(now_ms, said, sizeof said)) {
            memcpy(line, said, sizeof line);
            line_ms = now_ms;
            lines++;
            print_message("%8u.%03u s: %s\n", now_ms / 1000, now_ms % 1000, line);
        }
    }
}

#define CFG(dhcp)                                                                                  \
    "{\"uplink\":{\"mac\":\"52:54:00:12:34:56\",\"address\":\"10.0.2.15/24\",\"gateway\":"         \
    "\"10.0.2.2\"},\"habitats\":[{\"name\":\"a\",\"mac\":\"02:00:00:00:00:0a\",\"address\":"       \
    "\"10.1.0.2/24\",\"gateway\":\"10.1.0.1\",\"dhcp\":" dhcp "}]}"

#define S(x) ((uint32_t)(x)*1000u)

static void test_dhcp_life(void **state)
{
    static struct rtr_verdicts v;
    struct rtr_error err;
    uint32_t ip, mask, gw, t, acks0;
    (void)state;

    r = calloc(1, sizeof *r);
    assert_non_null(r);
    rtr_init(r, emit, NULL);
    assert_int_equal(rtr_configure(r, CFG("false"), strlen(CFG("false")), 0, &err), 0);
    slot = rtr_slot(r, "a");
    assert_true(slot >= 0);
    link = (struct net_link){.send_frame = send_up, .receive_frame = recv_down};
    memcpy(link.mac, "\x02\x00\x00\x00\x00\x0a", 6);
    assert_int_equal(A->init(&link, NULL, 1), 0);

    /* No server: nothing said before the deadline, the no-answer line at it. */
    run(S(29), 100);
    assert_int_equal(lines, 0);
    run(S(31), 100);
    assert_int_equal(lines, 1);
    assert_string_equal(line, "net: DHCP: no answer in 30 s: give this stack a static address "
                              "(config address \"a.b.c.d/len\", gateway) or have the router "
                              "serve this habitat (habitats[].dhcp: true); still asking");
    assert_int_equal(acks, 0);
    assert_false(A->addr(&ip, &mask, &gw));

    /* The router serves it now: the client, still asking, gets its lease. */
    assert_int_equal(rtr_update(r, CFG("true"), strlen(CFG("true")), now_ms, &v, &err), 0);
    run(S(31 + 120), 100);
    assert_int_equal(lines, 2);
    assert_string_equal(line, "net: DHCP: 10.1.0.2/24 gateway 10.1.0.1");
    assert_int_equal(acks, 1);
    assert_int_equal(naks, 0);
    assert_true(A->addr(&ip, &mask, &gw));
    assert_int_equal(ip, 0x0a010002);
    assert_int_equal(mask, 0xffffff00);
    assert_int_equal(gw, 0x0a010001);

    /* Renewal at half the lease (lwIP's coarse timer: within a minute of
     * it), not before; the address holds and nothing is said. */
    for (t = now_ms; acks == 1 && now_ms < t + S(43200 + 120);)
        run(now_ms + S(1), S(1));
    print_message("%8u.%03u s: renewed (bound at %u s)\n", now_ms / 1000, now_ms % 1000,
                  line_ms / 1000);
    assert_int_equal(acks, 2);
    assert_true(now_ms >= line_ms + S(43200 - 60) && now_ms <= line_ms + S(43200 + 60));
    for (t = now_ms; now_ms < t + S(3 * 86400);)
        run(now_ms + S(60), S(1));
    assert_true(acks >= 2 + 5);
    assert_int_equal(lines, 2);
    assert_true(A->addr(&ip, &mask, &gw));
    assert_int_equal(ip, 0x0a010002);

    /* The router's answers are lost: renewal and rebinding fail, the lease
     * ends at most a day after the last ACK and the loss is reported. */
    deaf = 1;
    acks0 = acks;
    t = now_ms;
    run(now_ms + S(86400 + 120), S(1));
    assert_int_equal(acks, acks0);
    assert_true(line_ms > t);
    assert_true(lines >= 3);
    assert_false(A->addr(&ip, &mask, &gw));
    assert_int_equal(ip, 0);
    assert_non_null(strstr(line, "net: DHCP: "));
    /* Heard again: the lease line once more. */
    deaf = 0;
    t = lines;
    run(now_ms + S(180), 100);
    assert_true(lines > t);
    assert_string_equal(line, "net: DHCP: 10.1.0.2/24 gateway 10.1.0.1");
    assert_true(A->addr(&ip, &mask, &gw));
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dhcp_life)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
