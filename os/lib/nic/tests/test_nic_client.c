/* SPDX-License-Identifier: MIT */
/* Unit tests of os/lib/nic's client (nic_client.c) on the host: what it does
 * when its server goes away.
 *
 * The runtime is faked: sessions, calls, attachments, selectors and the
 * semaphore system call are functions here (host/kide/base.h stands in for
 * the base library, so no real system call is made). The fake server's rings
 * are mmap-ed pages; "the server goes away" makes them PROT_NONE, as core's
 * revocation unmaps them from a Kide client, and makes every call answer
 * KIDE_ABORTED (its threads stopped) or KIDE_BAD_CAP (its portal revoked).
 * Any access to the revoked rings then ends the test with SIGSEGV: the
 * checks are that nic_client_check finds the server gone, that no data call
 * touches the rings afterwards, that a wait on its revoked semaphore marks
 * the session lost, and that close and re-open (on the back-off) give a
 * working session on the server's new rings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "nic_client.h"

#define SLOTS 8u

/* ---- the fake runtime and server ---- */
static kide_u64 now_ns = 1000000000ull;
static int gone_status; /* non-zero: every call and semaphore op answers this */
static int open_status; /* kide_session_open's answer */
static unsigned calls, opens, sm_ops;
static void *ring[2]; /* the server's current tx and rx rings */
static kide_u64 ring_bytes;
static kide_sel next_sel = 100;
static kide_u64 words[64];
static kide_sel notified; /* the semaphore the current server was last given */
static int notify_status; /* non-zero: NOTIFY answers this (the server went at once) */

kide_u64 kide_now_ns(void)
{
    return now_ns;
}

int kide_snprintf(char *buf, kide_u64 size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

kide_sel kide_sel_alloc(unsigned order)
{
    (void)order;
    return next_sel++;
}

void kide_sel_free(kide_sel sel, unsigned order)
{
    (void)sel, (void)order;
}

void kide_cap_drop(kide_sel sel)
{
    (void)sel;
}

int kide_ds_detach(struct kide_env *env, void *addr, kide_u64 pages)
{
    (void)env, (void)addr, (void)pages;
    return KIDE_OK; /* detaching revoked pages touches nothing */
}

static void *server_ring(void)
{
    void *m = mmap(NULL, ring_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(m != MAP_FAILED);
    assert_int_equal(nic_ring_format(m, ring_bytes, SLOTS), NIC_RING_OK);
    return m;
}

int kide_session_open(struct kide_env *env, const char *service, const char *args, kide_u64 ram,
                      struct kide_session *s)
{
    (void)env, (void)service, (void)args, (void)ram;
    opens++;
    if (open_status != KIDE_OK)
        return open_status;
    ring_bytes = KIDE_NIC_RING_BYTES(SLOTS);
    ring[0] = server_ring();
    ring[1] = server_ring();
    gone_status = 0;
    notified = 0; /* a new server knows no semaphore of the client's yet */
    s->pt = 7;
    s->handle = 1;
    return KIDE_OK;
}

void kide_session_close(struct kide_env *env, struct kide_session *s)
{
    (void)env;
    s->pt = 0;
}

void kide_msg_begin(struct kide_msg *m, kide_u64 op)
{
    memset(m, 0, sizeof *m);
    m->w = words;
    m->cap = 64;
    words[0] = op;
    m->n = 1;
}

void kide_msg_put(struct kide_msg *m, kide_u64 v)
{
    if (m->n < m->cap)
        m->w[m->n++] = v;
    else
        m->bad = 1;
}

kide_u64 kide_msg_get(struct kide_msg *m)
{
    if (m->pos >= m->n) {
        m->bad = 1;
        return 0;
    }
    return m->w[m->pos++];
}

/* The server's answer to INFO and SM (RING goes through call_attach). */
int kide_msg_call(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel)
{
    (void)pt;
    calls++;
    if (gone_status) {
        m->n = 0;
        return gone_status;
    }
    kide_u64 op = words[0];
    m->pos = 1;
    m->rcv = 0;
    words[0] = KIDE_OK;
    if (op == KIDE_NIC_INFO) {
        words[1] = 0x563412005402ull, words[2] = 1, words[3] = 1500, words[4] = SLOTS;
        words[5] = KIDE_NIC_SLOT_SIZE;
        m->n = 6;
    } else if (op == KIDE_NIC_SM) {
        m->rcv = rcv_sel;
        m->n = 1;
    } else {
        m->n = 1;
        return KIDE_BAD_PARAM;
    }
    return KIDE_OK;
}

int kide_msg_call_attach(struct kide_msg *m, kide_sel pt, kide_u64 pages, void **addr,
                         kide_u64 *got)
{
    (void)pt, (void)pages;
    calls++;
    if (gone_status)
        return gone_status;
    *addr = ring[words[1] == KIDE_NIC_RING_TX ? 0 : 1];
    *got = ring_bytes / 4096;
    m->n = 2;
    words[0] = KIDE_OK;
    words[1] = *got;
    m->pos = 1;
    return KIDE_OK;
}

/* KIDE_NIC_NOTIFY: the server takes the client's semaphore (recorded). */
int kide_msg_call_cap(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel, kide_sel send,
                      unsigned rights)
{
    (void)pt, (void)rcv_sel, (void)rights;
    calls++;
    if (gone_status) {
        m->n = 0;
        return gone_status;
    }
    assert_int_equal(words[0], KIDE_NIC_NOTIFY);
    if (notify_status)
        return notify_status;
    notified = send;
    words[0] = KIDE_OK;
    m->n = 1;
    m->pos = 1;
    return KIDE_OK;
}

int kide_ctrl_sm(kide_u64 op, kide_sel sm, kide_u64 deadline)
{
    (void)op, (void)sm, (void)deadline;
    sm_ops++;
    return gone_status ? gone_status : KIDE_TIMEOUT;
}

/* The server goes away: its pages are revoked, its calls fail with `st`. */
static void server_gone(int st)
{
    assert_int_equal(mprotect(ring[0], ring_bytes, PROT_NONE), 0);
    assert_int_equal(mprotect(ring[1], ring_bytes, PROT_NONE), 0);
    gone_status = st;
}

static int setup(void **state)
{
    (void)state;
    gone_status = open_status = 0;
    calls = opens = sm_ops = 0;
    notified = 0;
    notify_status = 0;
    return 0;
}

/* Every data call of a lost session answers without touching the rings
 * (which fault) and without calling the server. */
static void expect_untouched(struct nic_client *c)
{
    kide_u8 frame[64] = {0}, buf[KIDE_NIC_SLOT_SIZE];
    kide_u32 len = 0;
    int changed = 1;
    unsigned before = calls;
    assert_true(nic_client_lost(c));
    assert_int_equal(nic_client_send(c, frame, sizeof frame), NIC_RING_BROKEN);
    assert_int_equal(nic_client_recv(c, buf, sizeof buf, &len), NIC_RING_BROKEN);
    nic_client_flush(c);
    assert_int_equal(nic_client_link(c, &changed), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(nic_client_space(c), 0);
    assert_int_equal(nic_client_wait(c, now_ns + 1), KIDE_ABORTED);
    assert_int_equal(nic_client_check(c), KIDE_ABORTED);
    assert_int_equal(calls, before);
}

/* A frame there and back through the server's current rings. */
static void expect_working(struct nic_client *c)
{
    kide_u8 frame[64], buf[KIDE_NIC_SLOT_SIZE];
    kide_u32 len = 0;
    struct nic_ring srv_rx, srv_tx;
    memset(frame, 0x5a, sizeof frame);
    assert_false(nic_client_lost(c));
    assert_int_equal(nic_client_check(c), KIDE_OK);
    assert_int_equal(nic_client_send(c, frame, sizeof frame), NIC_RING_OK);
    nic_client_flush(c);
    assert_int_equal(nic_ring_attach(&srv_rx, ring[0], ring_bytes, SLOTS, NIC_RING_CONSUMER), 0);
    assert_int_equal(nic_ring_get(&srv_rx, buf, sizeof buf, &len), NIC_RING_OK);
    assert_int_equal(len, sizeof frame);
    assert_int_equal(nic_ring_attach(&srv_tx, ring[1], ring_bytes, SLOTS, NIC_RING_PRODUCER), 0);
    assert_int_equal(nic_ring_put(&srv_tx, frame, 60), NIC_RING_OK);
    nic_ring_publish(&srv_tx);
    assert_int_equal(nic_client_recv(c, buf, sizeof buf, &len), NIC_RING_OK);
    assert_int_equal(len, 60);
}

static void test_server_gone(void **state)
{
    static const int gone[] = {KIDE_ABORTED, KIDE_BAD_CAP};
    struct nic_client c;
    (void)state;
    for (unsigned i = 0; i < 2; i++) {
        setup(state);
        assert_int_equal(nic_client_open(NULL, &c, SLOTS), KIDE_OK);
        expect_working(&c);
        server_gone(gone[i]);
        assert_int_equal(nic_client_check(&c), gone[i]);
        expect_untouched(&c);
        nic_client_close(NULL, &c);
        expect_untouched(&c); /* closed: lost as well */
    }
}

/* The semaphore went with the server: a wait finds the session lost; it
 * prepares its wait flags before the down, so the server is checked first. */
static void test_wait_finds_gone(void **state)
{
    struct nic_client c;
    (void)state;
    assert_int_equal(nic_client_open(NULL, &c, SLOTS), KIDE_OK);
    assert_int_equal(nic_client_check(&c), KIDE_OK);
    gone_status = KIDE_ABORTED; /* revoked while the client sleeps; pages still mapped */
    assert_int_equal(nic_client_wait(&c, now_ns + 1000), KIDE_ABORTED);
    server_gone(KIDE_ABORTED);
    expect_untouched(&c);
    nic_client_close(NULL, &c);
}

/* Re-open: at once, then on the back-off while the server is away, then a
 * working session on the new server's rings. */
static void test_reopen(void **state)
{
    struct nic_client c;
    struct nic_retry r;
    (void)state;
    assert_int_equal(nic_client_open(NULL, &c, SLOTS), KIDE_OK);
    server_gone(KIDE_ABORTED);
    assert_int_equal(nic_client_check(&c), KIDE_ABORTED);
    nic_retry_start(&r);
    open_status = KIDE_NOT_FOUND; /* not announced again yet */
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_NOT_FOUND);
    assert_int_equal(opens, 2);
    expect_untouched(&c);
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_BUSY); /* not due */
    assert_int_equal(opens, 2);
    now_ns += NIC_RETRY_MIN_MS * 1000000ull;
    open_status = KIDE_QUOTA; /* the server still holds the old session */
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_QUOTA);
    assert_int_equal(opens, 3);
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_BUSY);
    now_ns += 2 * NIC_RETRY_MIN_MS * 1000000ull;
    open_status = KIDE_OK;
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_OK);
    assert_int_equal(opens, 4);
    expect_working(&c);
    assert_true(nic_retry_due(&r, now_ns)); /* reset: the next loss retries at once */
    nic_client_close(NULL, &c);
}

/* A client that sleeps on its own semaphore (nic_client_notify) gives it to
 * the new server on a re-open: else it would sleep through the new server's
 * frames until some timeout. Given while the session is lost, it is kept for
 * the re-open too. */
static void test_reopen_notifies(void **state)
{
    struct nic_client c;
    struct nic_retry r;
    (void)state;
    assert_int_equal(nic_client_open(NULL, &c, SLOTS), KIDE_OK);
    assert_int_equal(nic_client_notify(&c, 77), KIDE_OK);
    assert_int_equal(notified, 77);
    server_gone(KIDE_BAD_CAP);
    assert_int_equal(nic_client_check(&c), KIDE_BAD_CAP);
    assert_int_equal(nic_client_notify(&c, 78), KIDE_ABORTED); /* lost: remembered only */
    nic_client_close(NULL, &c);
    nic_retry_start(&r);
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_OK);
    assert_int_equal(notified, 78);
    expect_working(&c);
    nic_client_close(NULL, &c);
}

/* A re-open whose new server is gone again before it took the semaphore:
 * the re-open fails with that status, the session counts as lost (nothing
 * touches its rings), and the next re-open on the back-off still gives the
 * remembered semaphore. */
static void test_reopen_notify_fails(void **state)
{
    struct nic_client c;
    struct nic_retry r;
    (void)state;
    assert_int_equal(nic_client_open(NULL, &c, SLOTS), KIDE_OK);
    assert_int_equal(nic_client_notify(&c, 77), KIDE_OK);
    server_gone(KIDE_ABORTED);
    assert_int_equal(nic_client_check(&c), KIDE_ABORTED);
    nic_retry_start(&r);
    notify_status = KIDE_ABORTED;
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_ABORTED);
    assert_true(nic_client_lost(&c));
    assert_int_equal(notified, 0);
    notify_status = 0;
    now_ns += NIC_RETRY_MIN_MS * 1000000ull;
    assert_int_equal(nic_client_reopen(NULL, &c, SLOTS, &r), KIDE_OK);
    assert_int_equal(notified, 77);
    expect_working(&c);
    nic_client_close(NULL, &c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_server_gone, setup),
            cmocka_unit_test_setup(test_wait_finds_gone, setup),
            cmocka_unit_test_setup(test_reopen, setup),
            cmocka_unit_test_setup(test_reopen_notifies, setup),
            cmocka_unit_test_setup(test_reopen_notify_fails, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
