/* SPDX-License-Identifier: MIT */
/* Unit tests of the parent and management client libraries (parent_client.c,
 * mgmt_client.c) on the host: real marshalling (msg.c) over a fake UTCB, and a
 * fake parent in kide_msg_call_cap that records the request and answers.
 *
 * Checked: OPEN's strings in order with the label suffix only when given,
 * the no-parent mapping, OK without a result word, the capability that did
 * or did not land; the management replies' checks (a chunk or an event count
 * the words cannot hold), chunked reads and uploads; CONTROL, CONFIG and LOGS
 * words and replies, and the walk over LOGS records (kide_logs_next).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rt.h"
#include <kide/mgmt_client.h>

static struct kide_utcb fake_utcb;
struct kide_utcb *rt_utcb(void)
{
    return &fake_utcb;
}

/* The fake parent: what it saw, what it answers. */
static kide_u64 seen[KIDE_UTCB_WORDS];
static unsigned seen_n, calls;
static kide_sel seen_send;
static kide_u64 answer[KIDE_UTCB_WORDS];
static unsigned answer_n;
static int kernel_status, give_cap;
/* For chunked reads: serve this text, KIDE_MGMT_CHUNK_MAX at a time. */
static const char *text;
static kide_u64 text_len;

static void answer_chunk(kide_u64 op, kide_u64 off)
{
    kide_u64 n = text_len - off < KIDE_MGMT_CHUNK_MAX ? text_len - off : KIDE_MGMT_CHUNK_MAX;
    unsigned k = 0;
    answer[k++] = KIDE_OK;
    answer[k++] = text_len;
    if (op == KIDE_MGMT_REPORT || op == KIDE_MGMT_CONFIG)
        answer[k++] = 7; /* seq, generation */
    answer[k++] = n;
    memset(&answer[k], 0, (n + 7) / 8 * 8);
    memcpy(&answer[k], text + off, n);
    answer_n = k + (unsigned)((n + 7) / 8);
}

int kide_msg_call_cap(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel, kide_sel send,
                      unsigned perm)
{
    (void)pt, (void)perm;
    calls++;
    seen_n = m->n;
    seen_send = send;
    memcpy(seen, m->w, (size_t)m->n * 8);
    m->pos = 1;
    m->cap = KIDE_UTCB_WORDS;
    m->rcv = 0;
    m->items = 0;
    if (kernel_status != KIDE_OK) {
        m->n = 0;
        m->bad = 1;
        return kernel_status;
    }
    if (text &&
        (seen[0] == KIDE_MGMT_REPORT || seen[0] == KIDE_MGMT_RESULT || seen[0] == KIDE_MGMT_CONFIG))
        answer_chunk(seen[0], seen[1]);
    memcpy(fake_utcb.words, answer, (size_t)answer_n * 8);
    m->n = answer_n;
    if (give_cap && rcv_sel)
        m->rcv = rcv_sel, m->items = 1;
    return answer_n ? (int)answer[0] : KIDE_BAD_PARAM;
}

int kide_msg_call(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel)
{
    return kide_msg_call_cap(m, pt, rcv_sel, 0, 0);
}

static int setup(void **state)
{
    (void)state;
    memset(seen, 0, sizeof(seen));
    memset(answer, 0, sizeof(answer));
    answer[0] = KIDE_OK;
    answer_n = 1;
    seen_n = calls = 0;
    seen_send = 0;
    kernel_status = KIDE_OK;
    give_cap = 0;
    text = NULL;
    return 0;
}

static const struct kide_parent_chan parent = {.pt = KIDE_COMP_SEL_PARENT};

static void test_open_words(void **state)
{
    (void)state;
    struct kide_parent_open_req req = {.ram = 4096, .service = "Echo", .args = "x=1"};
    struct kide_parent_open_rep rep;
    kide_sel got = 99;
    answer[1] = 12;
    answer_n = 2;
    give_cap = 1;
    assert_int_equal(kide_parent_open(&parent, &req, 300, &rep, &got), KIDE_OK);
    assert_int_equal(seen[0], KIDE_PARENT_OPEN);
    assert_int_equal(seen[1], 4096);
    assert_int_equal(seen[2], 4);
    assert_memory_equal(&seen[3], "Echo\0\0\0\0", 8);
    assert_int_equal(seen[4], 3);
    assert_int_equal(seen_n, 6); /* no suffix string */
    assert_int_equal(rep.handle, 12);
    assert_int_equal(got, 300);
    /* with a suffix */
    req.label_suffix = "agent";
    kide_parent_open(&parent, &req, 300, &rep, &got);
    assert_int_equal(seen_n, 8);
    assert_int_equal(seen[6], 5);
}

static void test_open_failures(void **state)
{
    (void)state;
    struct kide_parent_open_req req = {.ram = 0, .service = "Echo", .args = ""};
    struct kide_parent_open_rep rep;
    kide_sel got;
    answer_n = 1; /* OK without the handle word */
    assert_int_equal(kide_parent_open(&parent, &req, 300, &rep, &got), KIDE_BAD_PARAM);
    answer[1] = 3;
    answer_n = 2; /* OK, no capability */
    assert_int_equal(kide_parent_open(&parent, &req, 300, &rep, &got), KIDE_OK);
    assert_int_equal(got, 0);
    kernel_status = KIDE_BAD_CAP; /* no parent portal */
    assert_int_equal(kide_parent_open(&parent, &req, 300, &rep, &got), KIDE_NOT_FOUND);
    assert_int_equal(rep.handle, 0);
    kernel_status = KIDE_OK;
    answer[0] = KIDE_BAD_CAP; /* the parent's own BAD_CAP is not a missing parent */
    answer_n = 1;
    assert_int_equal(kide_parent_open(&parent, &req, 300, &rep, &got), KIDE_BAD_CAP);
    /* the root-portal OPEN does not map BAD_CAP */
    kernel_status = KIDE_BAD_CAP;
    struct kide_srv_open_req sreq = {.ram = 0, .label = "a", .args = ""};
    struct kide_srv_open_rep srep;
    assert_int_equal(kide_srv_open(&parent, &sreq, 300, &srep, &got), KIDE_BAD_CAP);
}

static void test_announce_pending_upgrade(void **state)
{
    (void)state;
    assert_int_equal(kide_parent_announce(&parent, "Echo", 444), KIDE_OK);
    assert_int_equal(seen[0], KIDE_PARENT_ANNOUNCE);
    assert_int_equal(seen_send, 444);
    struct kide_parent_pending_rep p = {.want = 5};
    answer_n = 1; /* no want word: 0 */
    assert_int_equal(kide_parent_pending(&parent, &p), KIDE_OK);
    assert_int_equal(p.want, 0);
    struct kide_parent_upgrade_req up = {.handle = 3, .ram = 8192};
    assert_int_equal(kide_parent_upgrade(&parent, &up), KIDE_OK);
    assert_int_equal(seen_n, 3);
    assert_int_equal(seen[1], 3);
    assert_int_equal(seen[2], 8192);
}

static void test_mgmt_reply_checks(void **state)
{
    (void)state;
    struct kide_mgmt_report_rep r = {.total = 10, .seq = 1};
    r.chunk.len = 10;
    assert_true(kide_mgmt_reply_ok(KIDE_MGMT_REPORT, &r, 3 + 2));
    assert_false(kide_mgmt_reply_ok(KIDE_MGMT_REPORT, &r, 3 + 1)); /* bytes missing */
    r.chunk.len = KIDE_MGMT_CHUNK_MAX + 1;
    assert_false(kide_mgmt_reply_ok(KIDE_MGMT_REPORT, &r, 500));
    r.chunk.len = ~0ull; /* no wrap in the word count */
    assert_false(kide_mgmt_reply_ok(KIDE_MGMT_REPORT, &r, 500));
    struct kide_mgmt_events_rep e = {.count = 2};
    assert_true(kide_mgmt_reply_ok(KIDE_MGMT_EVENTS, &e, 3 + 2 * KIDE_MGMT_EVENT_WORDS));
    assert_false(kide_mgmt_reply_ok(KIDE_MGMT_EVENTS, &e, 3 + 2 * KIDE_MGMT_EVENT_WORDS - 1));
    e.count = KIDE_MGMT_EVENTS_MAX + 1;
    assert_false(kide_mgmt_reply_ok(KIDE_MGMT_EVENTS, &e, 500));
    assert_false(kide_mgmt_reply_ok(KIDE_MGMT_EVENTS, &e, 2));
}

static void test_mgmt_read_all(void **state)
{
    (void)state;
    static char big[KIDE_MGMT_CHUNK_MAX * 2 + 100], buf[sizeof(big) + 1];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)('a' + i % 26);
    text = big;
    text_len = sizeof(big);
    kide_u64 len = 0;
    assert_int_equal(kide_mgmt_read_all(1, KIDE_MGMT_REPORT, buf, sizeof(buf), &len), KIDE_OK);
    assert_int_equal(len, sizeof(big));
    assert_memory_equal(buf, big, sizeof(big));
    assert_int_equal(buf[len], 0);
    assert_int_equal(calls, 3);
    /* too small a buffer */
    assert_int_equal(kide_mgmt_read_all(1, KIDE_MGMT_RESULT, buf, 100, &len), KIDE_OVERFLOW);
    assert_int_equal(kide_mgmt_read_all(1, KIDE_MGMT_APPLY, buf, 100, &len), KIDE_BAD_PARAM);
    /* A total of 2^64-1 does not wrap the size check (found by fuzz_mgmt_reply). */
    text_len = ~0ull;
    assert_int_equal(kide_mgmt_read_all(1, KIDE_MGMT_REPORT, buf, sizeof(buf), &len),
                     KIDE_OVERFLOW);
}

static void test_mgmt_upload_all(void **state)
{
    (void)state;
    static char cfg[KIDE_MGMT_CHUNK_MAX + 10];
    memset(cfg, '{', sizeof(cfg));
    assert_int_equal(kide_mgmt_upload_all(1, cfg, sizeof(cfg)), KIDE_OK);
    assert_int_equal(calls, 2);
    /* the last chunk: total, offset, 10 bytes in 2 words */
    assert_int_equal(seen[0], KIDE_MGMT_UPLOAD);
    assert_int_equal(seen[1], sizeof(cfg));
    assert_int_equal(seen[2], KIDE_MGMT_CHUNK_MAX);
    assert_int_equal(seen[3], 10);
    assert_int_equal(seen_n, 4 + 2);
}

static void test_mgmt_events_malformed(void **state)
{
    (void)state;
    struct kide_mgmt_events_req req = {.after = 0};
    struct kide_mgmt_events_rep rep;
    answer[1] = 1, answer[2] = 5, answer[3] = 0; /* 5 events claimed, none sent */
    answer_n = 4;
    assert_int_equal(kide_mgmt_events(1, &req, &rep), KIDE_BAD_PARAM);
    kide_sel got;
    give_cap = 1;
    assert_int_equal(kide_mgmt_subscribe(1, 77, &got), KIDE_OK);
    assert_int_equal(got, 77);
}

/* The config portal (KIDE_CFG_*) and the status, as the parent and the child send them. */
static void test_live_config_clients(void **state)
{
    (void)state;
    struct kide_cfg_chunk_req cr = {.total = 10, .offset = 4, .chunk = "abcdef", .len = 6};
    assert_int_equal(kide_cfg_chunk(&parent, &cr), KIDE_OK);
    assert_int_equal(seen[0], KIDE_CFG_CHUNK);
    assert_int_equal(seen[1], 10);
    assert_int_equal(seen[2], 4);
    assert_int_equal(seen[3], 6);
    assert_memory_equal(&seen[4], "abcdef", 6);
    cr.len = KIDE_CFG_CHUNK_MAX + 1; /* refused before anything is sent */
    calls = 0;
    assert_int_equal(kide_cfg_chunk(&parent, &cr), KIDE_BAD_PARAM);
    assert_int_equal(calls, 0);
    /* The verdict: a rejection with its reason. */
    struct kide_cfg_apply_req ar = {.total = 10};
    struct kide_cfg_apply_rep rep;
    answer[0] = KIDE_INVALID;
    answer[1] = 6;
    memcpy(&answer[2], "nobody", 6);
    answer_n = 3;
    assert_int_equal(kide_cfg_apply(&parent, &ar, &rep), KIDE_INVALID);
    assert_int_equal(seen[0], KIDE_CFG_APPLY);
    assert_int_equal(seen[1], 10);
    assert_string_equal(rep.text, "nobody");
    /* OK without a note, and a reason longer than KIDE_VERDICT_MAX: "" (never cut). */
    answer[0] = KIDE_OK;
    answer_n = 1;
    assert_int_equal(kide_cfg_apply(&parent, &ar, &rep), KIDE_OK);
    assert_string_equal(rep.text, "");
    answer[0] = KIDE_INVALID;
    answer[1] = KIDE_VERDICT_MAX + 1;
    memset(&answer[2], 'x', KIDE_VERDICT_MAX + 8);
    answer_n = 2 + (KIDE_VERDICT_MAX + 8) / 8;
    assert_int_equal(kide_cfg_apply(&parent, &ar, &rep), KIDE_INVALID);
    assert_string_equal(rep.text, "");
    /* A length word that promises more than came. */
    answer[1] = 400;
    answer_n = 3;
    assert_int_equal(kide_cfg_apply(&parent, &ar, &rep), KIDE_INVALID);
    assert_string_equal(rep.text, "");
    /* Registration sends the portal; the status is one string. */
    answer[0] = KIDE_OK;
    answer_n = 1;
    assert_int_equal(kide_parent_config_portal(&parent, 555), KIDE_OK);
    assert_int_equal(seen[0], KIDE_PARENT_CONFIG_PORTAL);
    assert_int_equal(seen_send, 555);
    assert_int_equal(kide_parent_status(&parent, "{\"a\":1}"), KIDE_OK);
    assert_int_equal(seen[0], KIDE_PARENT_STATUS);
    assert_int_equal(seen[1], 7);
    assert_memory_equal(&seen[2], "{\"a\":1}", 7);
    kernel_status = KIDE_BAD_CAP; /* no parent */
    assert_int_equal(kide_parent_status(&parent, "{}"), KIDE_NOT_FOUND);
}

static void test_mgmt_control_config(void **state)
{
    (void)state;
    struct kide_mgmt_control_req req = {.action = KIDE_CTL_RESTART};
    struct kide_mgmt_control_rep rep;
    KIDE_WIRE_STR(req.child, "talk", 4);
    answer[0] = KIDE_OK, answer[1] = 1, answer[2] = 9;
    memcpy(&answer[3], "restarted", 9);
    answer_n = 5;
    assert_int_equal(kide_mgmt_control(1, &req, &rep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_MGMT_CONTROL);
    assert_int_equal(seen[1], KIDE_CTL_RESTART);
    assert_int_equal(seen[2], 4);
    assert_memory_equal(&seen[3], "talk", 4);
    assert_int_equal(seen_n, 4); /* op, action, length, one word of name */
    assert_int_equal(rep.done, 1);
    assert_string_equal(rep.verdict.bytes, "restarted");
    /* A verdict longer than the words that came, or than the field. */
    answer[2] = 100;
    assert_int_equal(kide_mgmt_control(1, &req, &rep), KIDE_BAD_PARAM);
    answer[2] = KIDE_MGMT_VERDICT_MAX;
    answer_n = 3 + KIDE_MGMT_VERDICT_MAX / 8;
    assert_int_equal(kide_mgmt_control(1, &req, &rep), KIDE_BAD_PARAM);
    assert_int_equal(rep.verdict.bytes[KIDE_MGMT_VERDICT_MAX - 1], 0);
    /* CONFIG through read_all: its chunks and its generation word. */
    static char conf[KIDE_MGMT_CHUNK_MAX + 50], buf[sizeof(conf) + 1];
    memset(conf, 'c', sizeof(conf));
    text = conf;
    text_len = sizeof(conf);
    calls = 0;
    kide_u64 len = 0;
    assert_int_equal(kide_mgmt_read_all(1, KIDE_MGMT_CONFIG, buf, sizeof(buf), &len), KIDE_OK);
    assert_int_equal(len, sizeof(conf));
    assert_memory_equal(buf, conf, sizeof(conf));
    assert_int_equal(calls, 2);
    struct kide_mgmt_read_req rr = {.offset = 0};
    struct kide_mgmt_config_rep cr;
    assert_int_equal(kide_mgmt_config(1, &rr, &cr), KIDE_OK);
    assert_int_equal(cr.generation, 7);
    text = NULL;
}

/* A LOGS reply of records (seq, time, len, text) as core and hoitaja send it. */
static unsigned put_line(kide_u64 *w, unsigned k, kide_u64 seq, const char *s)
{
    kide_u64 n = strlen(s);
    w[k++] = seq, w[k++] = 1000 + seq, w[k++] = n;
    memset(&w[k], 0, (n + 7) / 8 * 8);
    memcpy(&w[k], s, n);
    return k + (unsigned)((n + 7) / 8);
}

static void test_mgmt_logs(void **state)
{
    (void)state;
    static struct kide_mgmt_logs_rep rep;
    struct kide_mgmt_logs_req req = {.after = 5};
    KIDE_WIRE_STR(req.name, "flood", 5);
    unsigned k = 5;
    k = put_line(answer, k, 6, "talker: line 6");
    k = put_line(answer, k, 7, "");
    k = put_line(answer, k, 8, "twelve bytes");
    answer[0] = KIDE_OK, answer[1] = 3, answer[2] = 2, answer[3] = 9, answer[4] = (k - 5) * 8;
    answer_n = k;
    assert_int_equal(kide_mgmt_logs(1, &req, &rep), KIDE_OK);
    assert_int_equal(seen[0], KIDE_MGMT_LOGS);
    assert_int_equal(seen[1], 5);
    assert_int_equal(seen[2], 0);
    assert_int_equal(seen[3], 5);
    assert_int_equal(seen_n, 5);
    assert_int_equal(rep.count, 3);
    assert_int_equal(rep.lost, 2);
    assert_int_equal(rep.next, 9);
    kide_u64 off = 0;
    struct kide_log_line l;
    const char *t;
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), 1);
    assert_int_equal(l.seq, 6);
    assert_int_equal(l.time_ns, 1006);
    assert_memory_equal(t, "talker: line 6", 14);
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), 1);
    assert_int_equal(l.len, 0);
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), 1);
    assert_memory_equal(t, "twelve bytes", 12);
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), 0);
    assert_int_equal(off, rep.lines.len);
    /* Records that do not fit the lines: a cut header, a text past the end, too long. */
    rep.lines.len = 16;
    off = 0;
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), -1);
    rep.lines.len = 32;
    off = 0;
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), -1); /* 14 bytes need 16 */
    kide_u64 *w = (kide_u64 *)rep.lines.bytes;
    w[2] = KIDE_LOG_LINE_MAX + 1;
    rep.lines.len = KIDE_LOGS_CHUNK_MAX;
    off = 0;
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), -1);
    off = KIDE_LOGS_CHUNK_MAX + 8;
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), -1);
    rep.lines.len = KIDE_LOGS_CHUNK_MAX + 1;
    off = 0;
    assert_int_equal(kide_logs_next(&rep, &off, &l, &t), -1);
    /* A reply whose lines claim more words than came. */
    answer[4] = 4000;
    assert_int_equal(kide_mgmt_logs(1, &req, &rep), KIDE_BAD_PARAM);
    answer[4] = KIDE_LOGS_CHUNK_MAX + 8;
    answer_n = 505;
    assert_int_equal(kide_mgmt_logs(1, &req, &rep), KIDE_BAD_PARAM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_open_words, setup),
            cmocka_unit_test_setup(test_open_failures, setup),
            cmocka_unit_test_setup(test_announce_pending_upgrade, setup),
            cmocka_unit_test_setup(test_mgmt_reply_checks, setup),
            cmocka_unit_test_setup(test_mgmt_read_all, setup),
            cmocka_unit_test_setup(test_mgmt_upload_all, setup),
            cmocka_unit_test_setup(test_mgmt_events_malformed, setup),
            cmocka_unit_test_setup(test_live_config_clients, setup),
            cmocka_unit_test_setup(test_mgmt_control_config, setup),
            cmocka_unit_test_setup(test_mgmt_logs, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
