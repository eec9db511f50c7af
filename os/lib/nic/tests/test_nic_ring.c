/* SPDX-License-Identifier: MIT */
/* Unit tests of os/lib/nic: the NIC session's packet ring, and the server's
 * side of a session (nic_port.c) against a client's views of its rings.
 *
 * Both sides of one ring in one process: a producer view and a consumer view
 * of the same memory, and a hostile peer simulated by writing the shared
 * header directly. The stress test runs the two sides on two threads with
 * POSIX semaphores standing in for Kide's, and checks order, contents and
 * that wake-ups are batched.
 */
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "nic_port.h"
#include "nic_retry.h"
#include <kide/status.h>
#include "nic_ring.h"

#define SLOTS 8u

struct pair {
    void *mem;
    kide_u64 size;
    struct nic_ring p, c;
};

static void pair_open(struct pair *x, kide_u32 slots, kide_u32 start)
{
    x->size = KIDE_NIC_RING_BYTES(slots);
    x->mem = aligned_alloc(4096, x->size);
    assert_non_null(x->mem);
    assert_int_equal(nic_ring_format(x->mem, x->size, slots), NIC_RING_OK);
    struct kide_nic_ring_hdr *h = x->mem;
    h->prod = h->cons = start;
    assert_int_equal(nic_ring_attach(&x->p, x->mem, x->size, slots, NIC_RING_PRODUCER), 0);
    assert_int_equal(nic_ring_attach(&x->c, x->mem, x->size, slots, NIC_RING_CONSUMER), 0);
}

static void fill(kide_u8 *b, kide_u32 len, kide_u32 seed)
{
    for (kide_u32 i = 0; i < len; i++)
        b[i] = (kide_u8)(seed * 31 + i);
}

static void test_bad_params(void **state)
{
    (void)state;
    static kide_u8 mem[KIDE_NIC_RING_BYTES(8)];
    struct nic_ring r;
    assert_int_equal(nic_ring_format(mem, sizeof(mem), 6), NIC_RING_BAD_PARAM);
    assert_int_equal(nic_ring_format(mem, sizeof(mem), 2), NIC_RING_BAD_PARAM);
    assert_int_equal(nic_ring_format(mem, sizeof(mem), 16), NIC_RING_BAD_PARAM);
    assert_int_equal(nic_ring_format(mem, sizeof(mem), 128), NIC_RING_BAD_PARAM);
    assert_int_equal(nic_ring_format(mem, sizeof(mem), 8), NIC_RING_OK);
    assert_int_equal(nic_ring_attach(&r, mem, sizeof(mem) - 1, 8, NIC_RING_PRODUCER),
                     NIC_RING_BAD_PARAM);
    assert_int_equal(nic_ring_attach(&r, mem, sizeof(mem), 8, 7), NIC_RING_BAD_PARAM);
    assert_int_equal(nic_ring_attach(&r, mem, sizeof(mem), 8, NIC_RING_CONSUMER), NIC_RING_OK);
    assert_int_equal(nic_ring_space(&r), 0); /* the wrong side gets nothing */
}

static void test_roundtrip_and_lengths(void **state)
{
    (void)state;
    struct pair x;
    pair_open(&x, SLOTS, 0);
    kide_u8 in[KIDE_NIC_FRAME_MAX + 1], out[KIDE_NIC_FRAME_MAX];
    fill(in, sizeof(in), 1);
    assert_int_equal(nic_ring_put(&x.p, in, KIDE_NIC_FRAME_MIN - 1), NIC_RING_BAD_LEN);
    assert_int_equal(nic_ring_put(&x.p, in, KIDE_NIC_FRAME_MAX + 1), NIC_RING_BAD_LEN);
    assert_int_equal(nic_ring_put(&x.p, in, KIDE_NIC_FRAME_MIN), NIC_RING_OK);
    assert_int_equal(nic_ring_put(&x.p, in, KIDE_NIC_FRAME_MAX), NIC_RING_OK);
    kide_u32 len;
    /* Not published yet: the consumer sees nothing. */
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_EMPTY);
    assert_int_equal(nic_ring_publish(&x.p), 0);
    assert_int_equal(nic_ring_avail(&x.c), 2);
    assert_int_equal(nic_ring_get(&x.c, out, 10, &len), NIC_RING_BAD_PARAM); /* not taken */
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_OK);
    assert_int_equal(len, KIDE_NIC_FRAME_MIN);
    assert_memory_equal(out, in, len);
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_OK);
    assert_int_equal(len, KIDE_NIC_FRAME_MAX);
    assert_memory_equal(out, in, len);
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_EMPTY);
    free(x.mem);
}

static void test_full_and_space(void **state)
{
    (void)state;
    struct pair x;
    pair_open(&x, SLOTS, 0);
    kide_u8 f[64] = {0};
    assert_int_equal(nic_ring_space(&x.p), SLOTS);
    for (kide_u32 i = 0; i < SLOTS; i++)
        assert_int_equal(nic_ring_put(&x.p, f, sizeof(f)), NIC_RING_OK);
    assert_int_equal(nic_ring_put(&x.p, f, sizeof(f)), NIC_RING_EMPTY);
    assert_null(nic_ring_alloc(&x.p));
    assert_int_equal(nic_ring_commit(&x.p, 60), NIC_RING_BAD_PARAM); /* nothing allocated */
    nic_ring_publish(&x.p);
    kide_u32 len;
    kide_u8 out[64];
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_OK);
    /* Consumed but not released: still full for the producer. */
    assert_int_equal(nic_ring_space(&x.p), 0);
    nic_ring_publish(&x.c);
    assert_int_equal(nic_ring_space(&x.p), 1);
    kide_u8 *d = nic_ring_alloc(&x.p);
    assert_non_null(d);
    assert_int_equal(nic_ring_commit(&x.p, 3), NIC_RING_BAD_LEN);
    assert_int_equal(nic_ring_commit(&x.p, 60), NIC_RING_OK);
    free(x.mem);
}

/* Many frames through a small ring whose indices start just below 2^32. */
static void test_wrap_around(void **state)
{
    (void)state;
    struct pair x;
    pair_open(&x, 4, 0xfffffff0u);
    kide_u8 in[200], out[200];
    kide_u32 sent = 0, got = 0, len;
    while (got < 20000) {
        while (sent < 20000 && sent - got < 4) {
            kide_u32 n = KIDE_NIC_FRAME_MIN + sent % 180;
            fill(in, n, sent);
            assert_int_equal(nic_ring_put(&x.p, in, n), NIC_RING_OK);
            sent++;
        }
        nic_ring_publish(&x.p);
        while (nic_ring_get(&x.c, out, sizeof(out), &len) == NIC_RING_OK) {
            kide_u32 n = KIDE_NIC_FRAME_MIN + got % 180;
            assert_int_equal(len, n);
            fill(in, n, got);
            assert_memory_equal(in, out, n);
            got++;
        }
        nic_ring_publish(&x.c);
    }
    assert_false(x.p.broken || x.c.broken);
    free(x.mem);
}

static void test_hostile_consumer(void **state)
{
    (void)state;
    struct pair x;
    pair_open(&x, SLOTS, 100);
    kide_u8 f[20] = {0};
    for (int i = 0; i < 3; i++)
        nic_ring_put(&x.p, f, sizeof(f));
    nic_ring_publish(&x.p);
    struct kide_nic_ring_hdr *h = x.mem;
    h->cons = 104; /* frees more than was published */
    assert_int_equal(nic_ring_space(&x.p), 0);
    assert_true(x.p.broken);
    assert_int_equal(nic_ring_put(&x.p, f, sizeof(f)), NIC_RING_BROKEN);
    assert_int_equal(nic_ring_publish(&x.p), 0);
    free(x.mem);

    pair_open(&x, SLOTS, 100);
    for (int i = 0; i < 3; i++)
        nic_ring_put(&x.p, f, sizeof(f));
    nic_ring_publish(&x.p);
    h = x.mem;
    h->cons = 102;
    assert_int_equal(nic_ring_space(&x.p), SLOTS - 1);
    h->cons = 101; /* takes a slot back */
    assert_int_equal(nic_ring_space(&x.p), 0);
    assert_true(x.p.broken);
    free(x.mem);
}

static void test_hostile_producer(void **state)
{
    (void)state;
    struct pair x;
    pair_open(&x, SLOTS, 7);
    struct kide_nic_ring_hdr *h = x.mem;
    kide_u8 out[64];
    kide_u32 len;
    h->prod = 7 + SLOTS + 1; /* more frames than slots */
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_BROKEN);
    assert_int_equal(nic_ring_wait_prepare(&x.c), 0);
    free(x.mem);

    pair_open(&x, SLOTS, 7);
    h = x.mem;
    kide_u8 f[20] = {0};
    nic_ring_put(&x.p, f, sizeof(f));
    nic_ring_put(&x.p, f, sizeof(f));
    nic_ring_publish(&x.p);
    assert_int_equal(nic_ring_avail(&x.c), 2);
    h->prod = 8; /* backwards */
    assert_int_equal(nic_ring_avail(&x.c), 0);
    assert_true(x.c.broken);
    free(x.mem);
}

static void test_hostile_length(void **state)
{
    (void)state;
    struct pair x;
    pair_open(&x, SLOTS, 0);
    kide_u8 f[40], out[KIDE_NIC_FRAME_MAX];
    fill(f, sizeof(f), 9);
    nic_ring_put(&x.p, f, sizeof(f));
    nic_ring_put(&x.p, f, sizeof(f));
    nic_ring_publish(&x.p);
    struct kide_nic_slot *s = (void *)((kide_u8 *)x.mem + KIDE_NIC_RING_HDR_SIZE);
    s[0].len = 0xffffffffu;
    kide_u32 len;
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_BAD_LEN);
    assert_int_equal(x.c.bad_len, 1);
    assert_int_equal(nic_ring_get(&x.c, out, sizeof(out), &len), NIC_RING_OK);
    assert_int_equal(len, sizeof(f));
    assert_memory_equal(out, f, sizeof(f));
    assert_false(x.c.broken);
    free(x.mem);
}

static void test_wait_flags(void **state)
{
    (void)state;
    struct pair x;
    pair_open(&x, SLOTS, 0);
    kide_u8 f[20] = {0};
    /* An empty ring: the consumer would block; the producer's publish must wake it. */
    assert_int_equal(nic_ring_wait_prepare(&x.c), 1);
    nic_ring_put(&x.p, f, sizeof(f));
    assert_int_equal(nic_ring_publish(&x.p), 1);
    nic_ring_wait_done(&x.c);
    /* Nobody waits: no wake-up, and nothing new: none either. */
    nic_ring_put(&x.p, f, sizeof(f));
    assert_int_equal(nic_ring_publish(&x.p), 0);
    assert_int_equal(nic_ring_publish(&x.p), 0);
    /* Frames are there: the consumer must not block. */
    assert_int_equal(nic_ring_wait_prepare(&x.c), 0);
    assert_int_equal(((struct kide_nic_ring_hdr *)x.mem)->cons_wait, 0);
    free(x.mem);
}

/* ---- two threads ------------------------------------------------------------- */
#define STRESS_FRAMES 200000u

struct stress {
    struct pair x;
    sem_t to_consumer, to_producer;
    unsigned long ups;
    unsigned long bad;
};

static void *producer(void *arg)
{
    struct stress *s = arg;
    kide_u8 f[128];
    for (kide_u32 seq = 0; seq < STRESS_FRAMES;) {
        kide_u8 *d = nic_ring_alloc(&s->x.p);
        if (!d) {
            if (nic_ring_publish(&s->x.p))
                __atomic_add_fetch(&s->ups, 1, __ATOMIC_RELAXED), sem_post(&s->to_consumer);
            if (nic_ring_wait_prepare(&s->x.p)) {
                sem_wait(&s->to_producer);
                nic_ring_wait_done(&s->x.p);
            }
            continue;
        }
        kide_u32 n = KIDE_NIC_FRAME_MIN + seq % 100;
        fill(f, n, seq);
        memcpy(d, &seq, 4);
        memcpy(d + 4, f + 4, n - 4);
        nic_ring_commit(&s->x.p, n);
        seq++;
        if (seq % 16 == 0 || seq == STRESS_FRAMES)
            if (nic_ring_publish(&s->x.p))
                __atomic_add_fetch(&s->ups, 1, __ATOMIC_RELAXED), sem_post(&s->to_consumer);
    }
    return 0;
}

static void *consumer(void *arg)
{
    struct stress *s = arg;
    kide_u8 f[128], out[KIDE_NIC_FRAME_MAX];
    kide_u32 expect = 0, len;
    while (expect < STRESS_FRAMES) {
        int rc = nic_ring_get(&s->x.c, out, sizeof(out), &len);
        if (rc == NIC_RING_EMPTY) {
            if (nic_ring_publish(&s->x.c))
                __atomic_add_fetch(&s->ups, 1, __ATOMIC_RELAXED), sem_post(&s->to_producer);
            if (nic_ring_wait_prepare(&s->x.c)) {
                sem_wait(&s->to_consumer);
                nic_ring_wait_done(&s->x.c);
            }
            continue;
        }
        kide_u32 seq;
        memcpy(&seq, out, 4);
        kide_u32 n = KIDE_NIC_FRAME_MIN + expect % 100;
        fill(f, n, expect);
        if (rc != NIC_RING_OK || seq != expect || len != n || memcmp(out + 4, f + 4, n - 4))
            s->bad++;
        expect++;
        if (expect % 8 == 0 && nic_ring_publish(&s->x.c))
            __atomic_add_fetch(&s->ups, 1, __ATOMIC_RELAXED), sem_post(&s->to_producer);
    }
    return 0;
}

static void test_two_threads(void **state)
{
    (void)state;
    struct stress s = {0};
    pair_open(&s.x, 32, 0xffff0000u);
    sem_init(&s.to_consumer, 0, 0);
    sem_init(&s.to_producer, 0, 0);
    pthread_t tp, tc;
    assert_int_equal(pthread_create(&tc, 0, consumer, &s), 0);
    assert_int_equal(pthread_create(&tp, 0, producer, &s), 0);
    pthread_join(tp, 0);
    pthread_join(tc, 0);
    assert_int_equal(s.bad, 0);
    assert_false(s.x.p.broken || s.x.c.broken);
    /* Batched: far fewer wake-ups than frames. */
    assert_true(s.ups < STRESS_FRAMES / 4);
    print_message("two threads: %u frames, %lu wake-ups\n", STRESS_FRAMES, s.ups);
    sem_destroy(&s.to_consumer);
    sem_destroy(&s.to_producer);
    free(s.x.mem);
}

/* The server's side of one session (nic_port.c): the client's views are plain
 * rings on the same memory. Frames both ways with their counters, a full rx
 * ring, a bad tx length skipped, a link change, then a client index out of
 * range: counted once, nothing read, never waited on. */
static void test_port(void **state)
{
    (void)state;
    kide_u64 size = KIDE_NIC_RING_BYTES(SLOTS);
    void *txm = aligned_alloc(4096, size), *rxm = aligned_alloc(4096, size);
    struct nic_ring ctx, crx; /* the client: tx producer, rx consumer */
    struct nic_port port;
    const kide_u8 *d;
    kide_u8 f[100], in[100];
    kide_u32 len;
    assert_non_null(txm);
    assert_non_null(rxm);
    nic_ring_format(txm, size, SLOTS);
    nic_ring_format(rxm, size, SLOTS);
    assert_int_equal(nic_port_init(&port, txm, rxm, size, SLOTS, 1), NIC_RING_OK);
    assert_int_equal(nic_ring_attach(&ctx, txm, size, SLOTS, NIC_RING_PRODUCER), NIC_RING_OK);
    assert_int_equal(nic_ring_attach(&crx, rxm, size, SLOTS, NIC_RING_CONSUMER), NIC_RING_OK);
    assert_int_equal(((struct kide_nic_ring_hdr *)rxm)->link_up, 1);

    /* client to server: one frame, one with a bad length, one more */
    fill(f, sizeof f, 1);
    assert_int_equal(nic_ring_put(&ctx, f, sizeof f), NIC_RING_OK);
    assert_int_equal(nic_ring_put(&ctx, f, 60), NIC_RING_OK);
    ctx.slot[1].len = 5; /* the client lies about the second */
    nic_ring_publish(&ctx);
    assert_int_equal(nic_port_peek(&port, &d, &len), NIC_RING_OK);
    assert_int_equal(len, sizeof f);
    assert_memory_equal(d, f, sizeof f);
    nic_port_next(&port, 1);
    assert_int_equal(nic_port_peek(&port, &d, &len), NIC_RING_EMPTY); /* bad one skipped */
    assert_int_equal(port.st.tx_frames, 1);
    assert_int_equal(port.st.tx_bad, 1);

    /* server to client until the rx ring is full; the caller counts the drop */
    for (kide_u32 i = 0; i < SLOTS; i++)
        assert_int_equal(nic_port_put(&port, f, sizeof f), NIC_RING_OK);
    assert_int_equal(nic_port_put(&port, f, sizeof f), NIC_RING_EMPTY);
    nic_port_drop(&port);
    assert_int_equal(port.st.rx_frames, SLOTS);
    assert_int_equal(port.st.rx_dropped, 1);
    nic_port_link(&port, 0);
    assert_int_equal(nic_port_publish(&port), 1); /* a link change always wakes */
    assert_int_equal(((struct kide_nic_ring_hdr *)rxm)->link_up, 0);
    assert_int_equal(((struct kide_nic_ring_hdr *)rxm)->link_gen, 1);
    assert_int_equal(nic_ring_get(&crx, in, sizeof in, &len), NIC_RING_OK);
    assert_memory_equal(in, f, sizeof f);
    assert_int_equal(nic_port_publish(&port), 0);

    /* a client index out of range: broken, counted once, never ready */
    ((struct kide_nic_ring_hdr *)txm)->prod = ctx.own + SLOTS + 3;
    assert_int_equal(nic_port_peek(&port, &d, &len), NIC_RING_EMPTY);
    assert_int_equal(nic_port_peek(&port, &d, &len), NIC_RING_EMPTY);
    assert_int_equal(port.st.ring_bad, 1);
    assert_true(port.tx.broken);
    free(txm);
    free(rxm);
}

/* A lost session: which statuses say the server is gone, and the re-open
 * back-off (at once, then 20 ms doubling to 1 s, never spinning, reset by a
 * success). */
static void test_retry(void **state)
{
    (void)state;
    struct nic_retry r = {0};
    assert_true(nic_retry_gone(KIDE_ABORTED));
    assert_true(nic_retry_gone(KIDE_BAD_CAP));
    assert_false(nic_retry_gone(KIDE_OK));
    assert_false(nic_retry_gone(KIDE_TIMEOUT));
    assert_false(nic_retry_gone(KIDE_QUOTA)); /* the server answered: it is there */
    nic_retry_start(&r);
    assert_true(nic_retry_due(&r, 0));
    kide_u64 now = 5000000000ull, want = NIC_RETRY_MIN_MS;
    for (int i = 0; i < 12; i++) {
        nic_retry_failed(&r, now);
        assert_false(nic_retry_due(&r, now));
        assert_false(nic_retry_due(&r, now + want * 1000000ull - 1));
        assert_true(nic_retry_due(&r, now + want * 1000000ull));
        now += want * 1000000ull;
        want = want * 2 > NIC_RETRY_MAX_MS ? NIC_RETRY_MAX_MS : want * 2;
    }
    assert_int_equal(r.wait_ms, NIC_RETRY_MAX_MS);
    nic_retry_start(&r);
    assert_true(nic_retry_due(&r, now));
    nic_retry_failed(&r, now);
    assert_true(nic_retry_due(&r, now + NIC_RETRY_MIN_MS * 1000000ull));
    struct nic_retry z = {0}; /* zeroed: due, and its first wait is the minimum */
    nic_retry_failed(&z, 0);
    assert_false(nic_retry_due(&z, NIC_RETRY_MIN_MS * 1000000ull - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_bad_params),
            cmocka_unit_test(test_roundtrip_and_lengths),
            cmocka_unit_test(test_full_and_space),
            cmocka_unit_test(test_wrap_around),
            cmocka_unit_test(test_hostile_consumer),
            cmocka_unit_test(test_hostile_producer),
            cmocka_unit_test(test_hostile_length),
            cmocka_unit_test(test_wait_flags),
            cmocka_unit_test(test_two_threads),
            cmocka_unit_test(test_port),
            cmocka_unit_test(test_retry),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
