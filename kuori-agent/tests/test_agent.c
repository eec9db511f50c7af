/* SPDX-License-Identifier: MIT */
/* Host tests of kuori-agent's protocol core against the fake habitat
 * (tests/fake_backend.c): every op, the framing, the limits and the
 * behaviour towards slow and silent clients. Suite kuori-agent-unit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"
#include "fake_backend.h"

static struct fake fk;
static struct kagent_backend be;
static struct kagent ag;
static struct kagent_conn conn, conn2;
static struct fake_inst fi;
static struct kagent_installer inst;

/* The last message read, parsed. */
static char msg[1 << 17];
static struct kide_json_tok tok[16384];
static struct kide_json_doc doc;

static int setup_role(enum kagent_role role)
{
    memset(&fk, 0, sizeof fk);
    fk.generation = 3;
    fk.now = 1000000000ull;
    fake_backend(&fk, &be);
    kagent_init(&ag, &be, role, role == KROLE_OPERATOR ? "init" : "tenant-a");
    fake_installer(&fi, &inst);
    ag.inst = &inst;
    kagent_conn_open(&ag, &conn, "alice");
    kagent_conn_open(&ag, &conn2, "bob");
    return 0;
}

static int setup(void **state)
{
    return setup_role(KROLE_TENANT);
}

static int setup_operator(void **state)
{
    return setup_role(KROLE_OPERATOR);
}

static void send_raw(struct kagent_conn *c, const void *p, uint32_t n)
{
    const uint8_t *b = p;
    while (n) {
        uint32_t took = kagent_conn_input(&ag, c, b, n);
        assert_true(took > 0);
        b += took;
        n -= took;
    }
}

static void send_msg(struct kagent_conn *c, const char *json)
{
    uint32_t n = (uint32_t)strlen(json);
    uint8_t h[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    send_raw(c, h, 4);
    send_raw(c, json, n);
}

/* Take the next whole message from c's output: 1 if there was one. */
static int next_msg(struct kagent_conn *c)
{
    uint32_t n;
    const uint8_t *p = kagent_conn_output(c, &n);
    if (n < 4)
        return 0;
    uint32_t len = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    assert_true(len <= KAGENT_REPLY_MAX && 4 + len <= n);
    memcpy(msg, p + 4, len);
    msg[len] = 0;
    kagent_conn_sent(c, 4 + len);
    assert_int_equal(kide_json_parse(&doc, msg, len, tok, 16384, 0, 0), 0);
    return 1;
}

static void expect_msg(struct kagent_conn *c)
{
    if (!next_msg(c))
        fail_msg("no message queued");
}

static int field(const char *path_a, const char *path_b)
{
    int t = kide_json_find(&doc, 0, path_a);
    if (path_b && t >= 0)
        t = kide_json_find(&doc, t, path_b);
    return t;
}

static void expect_ok(struct kagent_conn *c, uint64_t id)
{
    expect_msg(c);
    uint64_t v;
    _Bool ok = 0;
    assert_int_equal(kide_json_get_u64(&doc, field("id", 0), &v), 0);
    assert_int_equal(v, id);
    assert_int_equal(kide_json_get_bool(&doc, field("ok", 0), &ok), 0);
    if (!ok)
        fail_msg("expected ok, got %s", msg);
}

static void expect_error(struct kagent_conn *c, uint64_t id, const char *code)
{
    expect_msg(c);
    uint64_t v;
    assert_int_equal(kide_json_get_u64(&doc, field("id", 0), &v), 0);
    assert_int_equal(v, id);
    if (!kide_json_str_eq(&doc, field("error", "code"), code))
        fail_msg("expected error %s, got %s", code, msg);
}

static void hello(struct kagent_conn *c)
{
    send_msg(c, "{\"op\": \"hello\", \"id\": 1, \"versions\": [1], \"client\": \"test/1\"}");
    expect_ok(c, 1);
}

static void test_hello_first(void **state)
{
    send_msg(&conn, "{\"op\": \"state\", \"id\": 5}");
    expect_error(&conn, 5, "hello-first");
    send_msg(&conn, "{\"op\": \"hello\", \"id\": 6, \"versions\": [2, 3]}");
    expect_error(&conn, 6, "version");
    assert_true(kide_json_type(&doc, field("error", "versions")) == KIDE_JSON_ARRAY);
    send_msg(&conn,
             "{\"op\": \"hello\", \"id\": 7, \"versions\": [1, 2], \"client\": \"kuori/1.0\"}");
    expect_ok(&conn, 7);
    assert_true(kide_json_str_eq(&doc, field("result", "role"), "tenant"));
    assert_true(kide_json_str_eq(&doc, field("result", "habitat"), "tenant-a"));
    assert_true(kide_json_str_eq(&doc, field("result", "client"), "alice"));
    /* A tenant is not offered operator ops. */
    assert_null(strstr(msg, "token-create"));
    assert_non_null(strstr(msg, "\"watch\""));
}

static void test_bad_requests_keep_connection(void **state)
{
    hello(&conn);
    send_msg(&conn, "[1, 2]");
    expect_error(&conn, 0, "bad-request");
    send_msg(&conn, "{\"op\": \"state\"}");
    expect_error(&conn, 0, "bad-request");
    send_msg(&conn, "{\"op\": \"stat\", \"id\": 2}");
    expect_error(&conn, 2, "bad-request");
    assert_non_null(strstr(msg, "unknown op 'stat'"));
    send_msg(&conn, "{\"op\": \"state\", \"id\": 3, \"verbose\": true}");
    expect_error(&conn, 3, "bad-request");
    assert_non_null(strstr(msg, "unknown field 'verbose'"));
    send_msg(&conn, "{\"op\": \"watch\", \"id\": 4, \"hz\": 21}");
    expect_error(&conn, 4, "bad-request");
    assert_non_null(strstr(msg, "'hz'"));
    send_msg(&conn, "{\"op\": \"set\", \"id\": 5, \"component\": \"demo\"}");
    expect_error(&conn, 5, "bad-request");
    send_msg(&conn, "{\"op\": \"set\", \"id\": 6, \"component\": \"demo\", \"ram\": 4097}");
    expect_error(&conn, 6, "bad-request");
    send_msg(&conn, "{\"op\": \"logs\", \"id\": 7}");
    expect_error(&conn, 7, "bad-request");
    assert_non_null(strstr(msg, "needs field 'component'"));
    send_msg(&conn, "{\"op\": \"state\", \"id\": 8, \"id\": 9}");
    expect_error(&conn, 0, "bad-request");
    send_msg(&conn, "{\"op\": \"state\", \"id\": 10}");
    expect_ok(&conn, 10);
}

static void test_too_large_closes(void **state)
{
    hello(&conn);
    uint8_t h[4] = {0, 1, 0, 1}; /* 65537 */
    send_raw(&conn, h, 4);
    expect_error(&conn, 0, "too-large");
    assert_true(conn.closing);
    assert_true(kagent_conn_done(&conn));
    /* The other connection is untouched. */
    hello(&conn2);
    send_msg(&conn2, "{\"op\": \"state\", \"id\": 2}");
    expect_ok(&conn2, 2);
}

static void test_deep_nesting_closes(void **state)
{
    char buf[200];
    strcpy(buf, "{\"op\": \"apply\", \"id\": 2, \"generation\": 4, \"config\": ");
    for (int i = 0; i < 20; i++)
        strcat(buf, "[");
    for (int i = 0; i < 20; i++)
        strcat(buf, "]");
    strcat(buf, "}");
    hello(&conn);
    send_msg(&conn, buf);
    expect_error(&conn, 0, "too-large");
    assert_true(conn.closing);
}

static void test_state(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"state\", \"id\": 2}");
    expect_ok(&conn, 2);
    assert_true(kide_json_str_eq(&doc, field("result", "report") + 2, "tenant-a"));
    uint64_t g;
    assert_int_equal(
            kide_json_get_u64(&doc, kide_json_find(&doc, field("result", "report"), "generation"),
                              &g),
            0);
    assert_int_equal(g, 3);
}

static void test_config(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"config\", \"id\": 2}");
    expect_ok(&conn, 2);
    uint64_t g;
    assert_int_equal(kide_json_get_u64(&doc, field("result", "generation"), &g), 0);
    assert_int_equal(g, 3);
    fk.no_config = 1;
    send_msg(&conn, "{\"op\": \"config\", \"id\": 3}");
    expect_error(&conn, 3, "unavailable");
}

static void test_watch_10hz(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"watch\", \"id\": 2, \"hz\": 10}");
    expect_ok(&conn, 2);
    int samples = 0;
    uint64_t last_cpu = 0, last_seq = 0;
    kide_u64 end = fk.now + 2000000000ull;
    while (fk.now <= end) {
        kide_u64 next = kagent_conn_tick(&ag, &conn, fk.now);
        while (next_msg(&conn)) {
            assert_true(kide_json_str_eq(&doc, field("stream", 0), "watch"));
            int data = field("data", 0);
            uint64_t seq, ns;
            assert_int_equal(kide_json_get_u64(&doc, kide_json_find(&doc, data, "seq"), &seq), 0);
            assert_true(seq > last_seq);
            last_seq = seq;
            int comps = kide_json_find(&doc, data, "components");
            int c0 = kide_json_first(&doc, comps);
            assert_true(kide_json_str_eq(&doc, kide_json_find(&doc, c0, "name"), "demo"));
            assert_int_equal(
                    kide_json_get_u64(
                            &doc, kide_json_find(&doc, kide_json_find(&doc, c0, "cpu"), "ns"), &ns),
                    0);
            assert_true(ns >= last_cpu);
            last_cpu = ns;
            samples++;
        }
        assert_true(next > fk.now);
        fk.now = next;
    }
    assert_true(samples >= 20 && samples <= 21);
    send_msg(&conn, "{\"op\": \"cancel\", \"id\": 3, \"target\": 2}");
    expect_ok(&conn, 3);
    expect_msg(&conn);
    assert_true(kide_json_str_eq(&doc, field("end", 0), "cancelled"));
    send_msg(&conn, "{\"op\": \"cancel\", \"id\": 4, \"target\": 2}");
    expect_error(&conn, 4, "not-found");
}

/* Four clients watching at 10 Hz cost one state report per tick, not four
 * (the agent's CPU while streaming is mostly reading the report). */
static void test_watch_shares_report(void **state)
{
    hello(&conn);
    for (int i = 2; i < 6; i++) {
        char b[80];
        snprintf(b, sizeof b, "{\"op\": \"watch\", \"id\": %d, \"hz\": 10}", i);
        send_msg(&conn, b);
        expect_ok(&conn, (uint64_t)i);
    }
    while (next_msg(&conn))
        ;
    int before = fk.reports, samples = 0;
    kide_u64 end = fk.now + 1000000000ull;
    while (fk.now < end) {
        kide_u64 next = kagent_conn_tick(&ag, &conn, fk.now);
        while (next_msg(&conn))
            samples++;
        fk.now = next;
    }
    assert_true(samples >= 40);
    assert_true(fk.reports - before <= 11);
}

static void test_watch_filter(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"watch\", \"id\": 2, \"components\": [\"bad\"]}");
    expect_ok(&conn, 2);
    kagent_conn_tick(&ag, &conn, fk.now);
    expect_msg(&conn);
    int comps = kide_json_find(&doc, field("data", 0), "components");
    assert_int_equal(doc.tok[comps].count, 1);
    assert_non_null(strstr(msg, "\"faulted\""));
}

static void test_streams_limit(void **state)
{
    hello(&conn);
    for (int i = 2; i < 6; i++) {
        char b[80];
        snprintf(b, sizeof b, "{\"op\": \"watch\", \"id\": %d}", i);
        send_msg(&conn, b);
        expect_ok(&conn, (uint64_t)i);
    }
    send_msg(&conn, "{\"op\": \"watch\", \"id\": 6}");
    expect_error(&conn, 6, "busy");
}

static void test_apply(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"apply\", \"id\": 2, \"generation\": 4, \"partial\": true, "
                    "\"config\": {\"children\": [{\"name\": \"too-big\"}]}}");
    expect_ok(&conn, 2);
    assert_non_null(strstr(msg, "\"applied\""));
    assert_non_null(strstr(msg, "rejected: quota exceeds the habitat"));
    assert_int_equal(fk.generation, 4);
    assert_int_equal(fk.last_partial, 1);
    assert_string_equal(fk.last_cfg, "{\"children\": [{\"name\": \"too-big\"}]}");
    /* The same generation again: stale, with the current one. */
    send_msg(&conn, "{\"op\": \"apply\", \"id\": 3, \"generation\": 4, \"config\": {}}");
    expect_error(&conn, 3, "stale");
    uint64_t cur;
    assert_int_equal(kide_json_get_u64(&doc, field("error", "current"), &cur), 0);
    assert_int_equal(cur, 4);
    send_msg(&conn, "{\"op\": \"apply\", \"id\": 4, \"generation\": 5, "
                    "\"config\": {\"children\": [{\"name\": \"reject-all\"}]}}");
    expect_error(&conn, 4, "rejected");
    assert_non_null(strstr(msg, "unknown binary"));
    send_msg(&conn, "{\"op\": \"apply\", \"id\": 5, \"generation\": 5, \"dry_run\": true, "
                    "\"config\": {}}");
    expect_error(&conn, 5, "unavailable");
    assert_int_equal(fk.applies, 3);
}

static void test_two_admins(void **state)
{
    hello(&conn);
    hello(&conn2);
    send_msg(&conn, "{\"op\": \"apply\", \"id\": 2, \"generation\": 4, \"config\": {}}");
    send_msg(&conn2, "{\"op\": \"apply\", \"id\": 2, \"generation\": 4, \"config\": {}}");
    expect_ok(&conn, 2);
    expect_error(&conn2, 2, "stale");
}

static void test_set(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"set\", \"id\": 2, \"component\": \"demo\", \"ram\": 8388608, "
                    "\"cpu\": 30}");
    expect_ok(&conn, 2);
    assert_int_equal(fk.last_partial, 1);
    assert_int_equal(fk.generation, 4);
    assert_string_equal(fk.last_cfg,
                        "{\"children\":[{\"name\":\"demo\",\"binary\":\"demo\",\"ram\":8388608,"
                        "\"caps\":64,\"cpu\":{\"quota\":30,\"priority\":64},\"routes\":[]}]}");
    send_msg(&conn, "{\"op\": \"set\", \"id\": 3, \"component\": \"nope\", \"caps\": 100}");
    expect_error(&conn, 3, "not-found");
    fk.no_config = 1;
    send_msg(&conn, "{\"op\": \"set\", \"id\": 4, \"component\": \"demo\", \"caps\": 100}");
    expect_error(&conn, 4, "unavailable");
}

static void test_control(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"restart\", \"id\": 2, \"component\": \"demo\"}");
    expect_ok(&conn, 2);
    assert_true(kide_json_str_eq(&doc, field("result", "result"), "restarted"));
    send_msg(&conn, "{\"op\": \"stop\", \"id\": 3, \"component\": \"ghost\"}");
    expect_error(&conn, 3, "not-found");
    fk.no_control = 1;
    send_msg(&conn, "{\"op\": \"start\", \"id\": 4, \"component\": \"demo\"}");
    expect_error(&conn, 4, "unavailable");
}

static void test_events_follow(void **state)
{
    fake_event(&fk, KIDE_EV_STARTED, "demo", 0);
    fake_event(&fk, KIDE_EV_EXITED, "demo", 3);
    hello(&conn);
    send_msg(&conn, "{\"op\": \"events\", \"id\": 2, \"follow\": true}");
    expect_ok(&conn, 2);
    assert_int_equal(doc.tok[field("result", "events")].count, 2);
    assert_non_null(strstr(msg, "\"code\":3"));
    uint64_t next;
    assert_int_equal(kide_json_get_u64(&doc, field("result", "next"), &next), 0);
    assert_int_equal(next, 2);
    kagent_conn_tick(&ag, &conn, fk.now);
    assert_false(next_msg(&conn));
    fake_event(&fk, KIDE_EV_FAULTED, "bad", 14);
    kagent_conn_tick(&ag, &conn, fk.now);
    expect_msg(&conn);
    assert_true(kide_json_str_eq(&doc, field("stream", 0), "events"));
    assert_true(kide_json_str_eq(&doc, field("data", "type"), "faulted"));
    send_msg(&conn, "{\"op\": \"events\", \"id\": 3, \"after\": 2}");
    expect_ok(&conn, 3);
    assert_int_equal(doc.tok[field("result", "events")].count, 1);
}

static void test_logs(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"logs\", \"id\": 2, \"component\": \"demo\", \"follow\": true}");
    expect_ok(&conn, 2);
    assert_int_equal(doc.tok[field("result", "lines")].count, 3);
    fk.now += 1000000000ull;
    kagent_conn_tick(&ag, &conn, fk.now);
    expect_msg(&conn);
    assert_true(kide_json_str_eq(&doc, field("data", "text"), "line 4"));
    assert_false(next_msg(&conn));
    send_msg(&conn, "{\"op\": \"logs\", \"id\": 3, \"component\": \"ghost\"}");
    expect_error(&conn, 3, "not-found");
}

static void test_tenant_denied(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"habitat-remove\", \"id\": 2, \"name\": \"tenant-b\"}");
    expect_error(&conn, 2, "denied");
    send_msg(&conn, "{\"op\": \"token-create\", \"id\": 3, \"habitat\": \"tenant-a\", "
                    "\"ttl_s\": 3600}");
    expect_error(&conn, 3, "denied");
    send_msg(&conn, "{\"op\": \"enrol\", \"id\": 4, \"token\": \"x\", \"name\": \"a\", "
                    "\"csr_spki\": \"AAAA\"}");
    expect_error(&conn, 4, "denied");
    assert_int_equal(fk.applies, 0);
}

static void test_enrol_only(void **state)
{
    kagent_conn_open(&ag, &conn, 0);
    hello(&conn);
    assert_int_equal(kide_json_type(&doc, field("result", "client")), KIDE_JSON_NULL);
    send_msg(&conn, "{\"op\": \"state\", \"id\": 2}");
    expect_error(&conn, 2, "denied");
    send_msg(&conn, "{\"op\": \"enrol\", \"id\": 3, \"token\": \"kide1.x\", \"name\": \"alice\", "
                    "\"csr_spki\": \"AAAA\"}");
    expect_error(&conn, 3, "unavailable");
}

static void test_operator_habitats(void **state)
{
    hello(&conn);
    assert_true(kide_json_str_eq(&doc, field("result", "role"), "operator"));
    send_msg(&conn, "{\"op\": \"habitat-create\", \"id\": 2, \"name\": \"tenant-c\", "
                    "\"ram\": 16777216, \"caps\": 200, \"cpu\": 10}");
    expect_ok(&conn, 2);
    assert_string_equal(fk.last_cfg,
                        "{\"children\":[{\"name\":\"tenant-c\",\"binary\":\"hoitaja\",\"ram\":"
                        "16777216,\"caps\":200,\"cpu\":{\"quota\":10},\"habitat\":{\"children\":"
                        "[]}}]}");
    send_msg(&conn, "{\"op\": \"habitat-remove\", \"id\": 3, \"name\": \"tenant-c\"}");
    expect_ok(&conn, 3);
    assert_string_equal(fk.last_cfg, "{\"children\":[{\"name\":\"tenant-c\",\"remove\":true}]}");
    send_msg(&conn, "{\"op\": \"habitat-resize\", \"id\": 4, \"name\": \"demo\", \"caps\": 99}");
    expect_error(&conn, 4, "not-found");
    send_msg(&conn, "{\"op\": \"habitat-create\", \"id\": 5, \"name\": \"9x\", \"ram\": 16777216, "
                    "\"caps\": 200, \"cpu\": 10}");
    expect_error(&conn, 5, "bad-request");
    send_msg(&conn, "{\"op\": \"token-list\", \"id\": 6}");
    expect_error(&conn, 6, "unavailable");
}

/* A client that never reads: samples are dropped, requests wait, nobody else waits. */
static void test_slow_reader(void **state)
{
    hello(&conn);
    hello(&conn2);
    send_msg(&conn, "{\"op\": \"watch\", \"id\": 2, \"hz\": 20}");
    expect_ok(&conn, 2);
    for (int i = 0; i < 2000; i++) {
        fk.now += 50000000ull;
        kagent_conn_tick(&ag, &conn, fk.now);
    }
    assert_true(conn.streams[0].dropped > 0);
    uint32_t queued;
    kagent_conn_output(&conn, &queued);
    assert_true(queued <= KAGENT_OUT_MAX);
    /* A reply still fits (room kept free). */
    send_msg(&conn, "{\"op\": \"state\", \"id\": 3}");
    kagent_conn_output(&conn, &queued);
    assert_true(queued <= KAGENT_OUT_MAX);
    send_msg(&conn2, "{\"op\": \"state\", \"id\": 3}");
    expect_ok(&conn2, 3);
    /* Reading everything brings the state reply. */
    int found = 0;
    while (next_msg(&conn))
        if (kide_json_find(&doc, 0, "ok") >= 0)
            found = 1;
    assert_true(found);
}

static void test_slow_request_and_idle(void **state)
{
    hello(&conn);
    send_raw(&conn, "\0\0\0\x20{\"op\"", 9);
    fk.now += 9000000000ull;
    kagent_conn_tick(&ag, &conn, fk.now);
    assert_false(conn.closing);
    fk.now += 2000000000ull;
    kagent_conn_tick(&ag, &conn, fk.now);
    assert_true(conn.closing);
    assert_true(kagent_conn_done(&conn));
    hello(&conn2);
    fk.now += 299000000000ull;
    kagent_conn_tick(&ag, &conn2, fk.now);
    assert_false(conn2.closing);
    fk.now += 2000000000ull;
    kagent_conn_tick(&ag, &conn2, fk.now);
    assert_true(conn2.closing);
}

/* A tick with a clock older than the connection's last activity (the caller read the
 * clock before the connection moved) is no timeout. */
static void test_tick_with_older_clock(void **state)
{
    hello(&conn);
    kagent_conn_tick(&ag, &conn, fk.now - 1);
    assert_false(conn.closing);
    send_raw(&conn, "\0\0\0\x20{", 5);
    kagent_conn_tick(&ag, &conn, fk.now - 1000);
    assert_false(conn.closing);
}

static void test_pipelined_bytewise(void **state)
{
    /* Two requests in one write, delivered a byte at a time. */
    const char *a = "{\"op\": \"hello\", \"id\": 1, \"versions\": [1]}";
    const char *b = "{\"op\": \"state\", \"id\": 2}";
    uint8_t buf[256];
    uint32_t n = 0, la = (uint32_t)strlen(a), lb = (uint32_t)strlen(b);
    buf[n++] = 0, buf[n++] = 0, buf[n++] = 0, buf[n++] = (uint8_t)la;
    memcpy(buf + n, a, la), n += la;
    buf[n++] = 0, buf[n++] = 0, buf[n++] = 0, buf[n++] = (uint8_t)lb;
    memcpy(buf + n, b, lb), n += lb;
    for (uint32_t i = 0; i < n; i++)
        send_raw(&conn, buf + i, 1);
    expect_ok(&conn, 1);
    expect_ok(&conn, 2);
}

/* A token from token-create into tok_text. */
static char tok_text[KTOK_TEXT_MAX], tok_id[9];
static struct kagent_crypto crypto;

static void create_token(const char *habitat, uint64_t id)
{
    char b[160];
    snprintf(b, sizeof b,
             "{\"op\": \"token-create\", \"id\": %lu, \"habitat\": \"%s\", "
             "\"ttl_s\": 3600}",
             (unsigned long)id, habitat);
    send_msg(&conn, b);
    expect_ok(&conn, id);
    assert_true(kide_json_get_string(&doc, field("result", "token"), tok_text, sizeof tok_text) >
                0);
    assert_int_equal(kide_json_get_string(&doc, field("result", "id"), tok_id, sizeof tok_id), 8);
}

/* Enrol on a fresh enrolment connection (conn2) with tok_text; SPKI: 91 bytes. */
static void enrol(uint64_t id, const char *spki64)
{
    char b[600];
    kagent_conn_open(&ag, &conn2, 0);
    hello(&conn2);
    snprintf(b, sizeof b,
             "{\"op\": \"enrol\", \"id\": %lu, \"token\": \"%s\", \"name\": "
             "\"alice\", \"csr_spki\": \"%s\"}",
             (unsigned long)id, tok_text, spki64);
    send_msg(&conn2, b);
}

static char spki64[200];

static void make_spki(void)
{
    kide_u8 spki[91];
    memset(spki, 7, sizeof spki);
    spki[0] = 0x30;
    assert_true(kb64_encode(spki, sizeof spki, spki64, sizeof spki64) > 0);
}

static void test_tokens_enrol(void **state)
{
    fake_crypto(&crypto);
    kagent_set_crypto(&ag, &crypto);
    make_spki();
    hello(&conn);
    create_token("init", 2);
    assert_int_equal(strncmp(tok_text, "kide1.init.", 11), 0);
    assert_int_equal(strlen(tok_text), 11 + 32 + 1 + 32);
    send_msg(&conn, "{\"op\": \"token-list\", \"id\": 3}");
    expect_ok(&conn, 3);
    assert_non_null(strstr(msg, "\"state\":\"valid\""));
    assert_non_null(strstr(msg, tok_id));
    assert_null(strstr(msg, tok_text + 11)); /* the secret is never listed */
    /* A bad key does not burn the token. */
    enrol(2, "AAAA");
    expect_error(&conn2, 2, "bad-request");
    enrol(3, spki64);
    expect_ok(&conn2, 3);
    char cert64[200], fp[80];
    kide_u8 cert[200];
    assert_true(kide_json_get_string(&doc, field("result", "certificate"), cert64, sizeof cert64) >
                0);
    long n = kb64_decode(cert64, cert, sizeof cert - 1);
    assert_true(n > 0);
    cert[n] = 0;
    assert_string_equal((char *)cert, "CERT(alice,init)");
    assert_true(kide_json_get_string(&doc, field("result", "agent_fingerprint"), fp, sizeof fp) >
                0);
    assert_int_equal(strncmp(fp, "sha256:", 7), 0);
    /* Used: refused, and the list says so. */
    enrol(4, spki64);
    expect_error(&conn2, 4, "token");
    send_msg(&conn, "{\"op\": \"token-list\", \"id\": 4}");
    expect_ok(&conn, 4);
    assert_non_null(strstr(msg, "\"state\":\"used\""));
    /* Revoked: refused. */
    create_token("init", 5);
    char b[80];
    snprintf(b, sizeof b, "{\"op\": \"token-revoke\", \"id\": 6, \"token_id\": \"%s\"}", tok_id);
    send_msg(&conn, b);
    expect_ok(&conn, 6);
    enrol(7, spki64);
    expect_error(&conn2, 7, "token");
    /* Expired: refused. */
    create_token("init", 8);
    fk.now += 3601ull * 1000000000ull;
    enrol(9, spki64);
    expect_error(&conn2, 9, "token");
    /* Tampered secret or pin: refused. */
    create_token("init", 10);
    tok_text[12] ^= 1;
    enrol(11, spki64);
    expect_error(&conn2, 11, "token");
    /* Another habitat's token on this agent: refused. */
    send_msg(&conn, "{\"op\": \"token-create\", \"id\": 12, \"habitat\": \"tenant-a\", "
                    "\"ttl_s\": 60}");
    expect_error(&conn, 12, "unavailable"); /* tenant-a's agent has not registered */
    kide_u8 other[32];
    memset(other, 9, sizeof other);
    assert_int_equal(ktok_register(&ag.tokens, "tenant-a", other), 0);
    create_token("tenant-a", 13);
    enrol(14, spki64);
    expect_error(&conn2, 14, "token");
    send_msg(&conn, "{\"op\": \"token-revoke\", \"id\": 15, \"token_id\": \"00000000\"}");
    expect_error(&conn, 15, "not-found");
}

static void test_tokens_without_crypto(void **state)
{
    hello(&conn);
    send_msg(&conn, "{\"op\": \"token-list\", \"id\": 2}");
    expect_error(&conn, 2, "unavailable");
    kagent_conn_open(&ag, &conn2, 0);
    hello(&conn2);
    send_msg(&conn2, "{\"op\": \"enrol\", \"id\": 3, \"token\": \"x\", \"name\": \"a\", "
                     "\"csr_spki\": \"AAAA\"}");
    expect_error(&conn2, 3, "unavailable");
}

/* A tenant's agent checks the token's form, habitat and pin itself, but consuming it
 * needs the authority (KuoriToken): unavailable in this version. */
static void test_tenant_enrol_needs_authority(void **state)
{
    fake_crypto(&crypto);
    kagent_set_crypto(&ag, &crypto);
    make_spki();
    char sec[33], pin[33];
    kide_u8 s16[16];
    memset(s16, 1, sizeof s16);
    ktok_hex(s16, 16, sec);
    ktok_hex(crypto.fp, 16, pin);
    snprintf(tok_text, sizeof tok_text, "kide1.tenant-a.%s.%s", sec, pin);
    enrol(2, spki64);
    expect_error(&conn2, 2, "unavailable");
    snprintf(tok_text, sizeof tok_text, "kide1.tenant-b.%s.%s", sec, pin);
    enrol(3, spki64);
    expect_error(&conn2, 3, "token");
}

static int consume_rc;
static int fake_consume(const kide_u8 hash[32])
{
    (void)hash;
    return consume_rc;
}

/* A tenant's agent with the authority reachable: consumed there, or refused there. */
static void test_tenant_enrol_through_authority(void **state)
{
    fake_crypto(&crypto);
    kagent_set_crypto(&ag, &crypto);
    ag.token_consume = fake_consume;
    make_spki();
    char sec[33], pin[33];
    kide_u8 s16[16];
    memset(s16, 1, sizeof s16);
    ktok_hex(s16, 16, sec);
    ktok_hex(crypto.fp, 16, pin);
    snprintf(tok_text, sizeof tok_text, "kide1.tenant-a.%s.%s", sec, pin);
    consume_rc = 0;
    enrol(2, spki64);
    expect_ok(&conn2, 2);
    assert_non_null(strstr(msg, "\"habitat\":\"tenant-a\""));
    consume_rc = -1;
    enrol(3, spki64);
    expect_error(&conn2, 3, "token");
    consume_rc = -2;
    enrol(4, spki64);
    expect_error(&conn2, 4, "unavailable");
}

static void test_label_habitat(void **state)
{
    char h[33];
    assert_int_equal(ktok_label_habitat("tenant-a/kuori-agent", h, sizeof h), 0);
    assert_string_equal(h, "tenant-a");
    assert_int_equal(ktok_label_habitat("kuori-agent", h, sizeof h), -1);
    assert_int_equal(ktok_label_habitat("a/b/kuori-agent", h, sizeof h), -1);
    assert_int_equal(ktok_label_habitat("/x", h, sizeof h), -1);
    assert_int_equal(ktok_label_habitat("a/", h, sizeof h), -1);
    assert_int_equal(ktok_label_habitat("9a/x", h, sizeof h), -1);
    assert_int_equal(ktok_label_habitat("A/x", h, sizeof h), -1);
    assert_int_equal(ktok_label_habitat("abc/x", h, 3), -1);
}

static void test_base64(void **state)
{
    char out[16];
    kide_u8 bin[16];
    assert_int_equal(kb64_encode((const kide_u8 *)"ab", 2, out, sizeof out), 4);
    assert_string_equal(out, "YWI=");
    assert_int_equal(kb64_decode("YWI=", bin, sizeof bin), 2);
    assert_int_equal(memcmp(bin, "ab", 2), 0);
    assert_int_equal(kb64_decode("YWJj", bin, sizeof bin), 3);
    assert_int_equal(kb64_decode("YWJ=", bin, sizeof bin), -1); /* non-canonical */
    assert_int_equal(kb64_decode("YW==YWI=", bin, sizeof bin), -1);
    assert_int_equal(kb64_decode("YWI", bin, sizeof bin), -1);
    assert_int_equal(kb64_decode("Y WI=", bin, sizeof bin), -1);
    assert_int_equal(kb64_decode("YWJj", bin, 2), -1);
    assert_int_equal(kb64_encode((const kide_u8 *)"abc", 3, out, 4), -1);
}

static void test_token_parse(void **state)
{
    struct ktok_parsed t;
    const char *good = "kide1.tenant-a.000102030405060708090a0b0c0d0e0f."
                       "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
    assert_int_equal(ktok_parse(good, &t), 0);
    assert_string_equal(t.habitat, "tenant-a");
    assert_int_equal(t.secret[15], 15);
    assert_int_equal(t.pin[0], 0xf0);
    assert_int_equal(ktok_parse("kide2.tenant-a.00", &t), -1);
    assert_int_equal(ktok_parse("kide1..000102030405060708090a0b0c0d0e0f."
                                "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                                &t),
                     -1);
    assert_int_equal(ktok_parse("kide1.Tenant.000102030405060708090a0b0c0d0e0f."
                                "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                                &t),
                     -1);
    assert_int_equal(ktok_parse("kide1.t.000102030405060708090a0b0c0d0e0F."
                                "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff",
                                &t),
                     -1);
    assert_int_equal(ktok_parse("kide1.t.000102030405060708090a0b0c0d0e0f."
                                "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0",
                                &t),
                     -1);
}

#define INSTALL(id, pkg, start)                                                                    \
    "{\"op\": \"install\", \"id\": " #id ", \"registry\": \"http://10.0.2.2:17650\", "             \
    "\"package\": \"" pkg "\", \"start\": " #start "}"

static void test_install_start(void **state)
{
    hello(&conn);
    fi.nrequires = 3;
    fi.requires[0] = "Greeting"; /* a sibling provides it */
    fi.requires[1] = "Socket";   /* the habitat routes it to its parent */
    fi.requires[2] = "Block";    /* nowhere in the habitat: denied */
    send_msg(&conn, INSTALL(2, "tester/pkg/hello/1.0", true));
    expect_ok(&conn, 2);
    assert_true(kide_json_str_eq(&doc, field("result", "package"), "tester/pkg/hello/1.0"));
    assert_true(kide_json_str_eq(&doc, field("result", "component"), "hello"));
    assert_true(kide_json_str_eq(&doc, field("result", "result"), "done"));
    assert_non_null(strstr(msg, "\"sha256\":\"5a5a5a"));
    assert_non_null(strstr(msg, "\"denied\":[\"Block\"]"));
    assert_int_equal(fi.last_reg.ip, 0x0a000202);
    assert_int_equal(fi.last_reg.port, 17650);
    assert_string_equal(fi.last_reg.host, "10.0.2.2:17650");
    assert_string_equal(fi.last_bin, "tester/bin/x86_64/hello/1.0");
    assert_string_equal(fi.last_binary, "hello");
    assert_string_equal(fi.last_store, "tester/hello/1.0");
    assert_int_equal(fk.generation, 4);
    assert_int_equal(fk.last_partial, 1);
    assert_string_equal(fk.last_cfg,
                        "{\"children\":[{\"name\":\"hello\",\"binary\":\"pkg:tester/hello/1.0\","
                        "\"ram\":2097152,\"caps\":64,\"cpu\":{\"quota\":10},\"routes\":["
                        "{\"service\":\"Pkg\",\"to\":\"child\",\"child\":\"kuori-agent\"},"
                        "{\"service\":\"Greeting\",\"to\":\"child\",\"child\":\"bad\"},"
                        "{\"service\":\"Socket\",\"to\":\"parent\"}]}]}");
    /* Without start: stored, nothing applied. */
    send_msg(&conn, INSTALL(3, "tester/pkg/hello/1.0", false));
    expect_ok(&conn, 3);
    assert_true(kide_json_str_eq(&doc, field("result", "result"), "installed"));
    assert_int_equal(kide_json_type(&doc, field("result", "component")), KIDE_JSON_NULL);
    assert_int_equal(fk.applies, 1);
}

static void test_install_refused(void **state)
{
    hello(&conn);
    /* A tampered bin archive: the installer's verification refuses it; nothing starts. */
    fi.bin_status = KINST_REFUSED;
    send_msg(&conn, INSTALL(2, "tester/pkg/hello/1.0", true));
    expect_error(&conn, 2, "rejected");
    assert_non_null(strstr(msg, "tester/bin/x86_64/hello/1.0: signature does not verify"));
    assert_int_equal(fi.stored, 0);
    assert_int_equal(fk.applies, 0);
    /* A tampered pkg archive: the bin archive is never fetched. */
    fi.pkg_status = KINST_REFUSED;
    fi.bin_calls = 0;
    send_msg(&conn, INSTALL(3, "tester/pkg/hello/1.0", true));
    expect_error(&conn, 3, "rejected");
    assert_non_null(strstr(msg, "tester/pkg/hello/1.0: fake refusal"));
    assert_int_equal(fi.bin_calls, 0);
    static const struct {
        int st;
        const char *code, *text;
    } errs[] = {
            {KINST_UNREACHABLE, "unavailable", "install: tester/pkg/hello/1.0: fake"},
            {KINST_NOTFOUND, "not-found", "fake refusal"},
            {KINST_TOOBIG, "too-large", "fake refusal"},
            {KINST_QUOTA, "unavailable", "quota: fake refusal"},
            {KINST_ERROR, "internal", "fake refusal"},
    };
    for (unsigned i = 0; i < sizeof errs / sizeof errs[0]; i++) {
        fi.pkg_status = errs[i].st;
        send_msg(&conn, INSTALL(4, "tester/pkg/hello/1.0", true));
        expect_error(&conn, 4, errs[i].code);
        assert_non_null(strstr(msg, errs[i].text));
    }
    /* A pkg archive that lists no bin archive of its own. */
    fi.pkg_status = 0;
    fi.archives = "tester/src/hello/1.0\ntester/bin/x86_64/other/1.0\n";
    send_msg(&conn, INSTALL(5, "tester/pkg/hello/1.0", true));
    expect_error(&conn, 5, "rejected");
    assert_non_null(strstr(msg, "lists no tester/bin/x86_64/hello/1.0"));
    assert_int_equal(fi.bin_calls, 0);
    assert_int_equal(fk.applies, 0);
}

static void test_install_requests(void **state)
{
    hello(&conn);
    static const char *const bad[] = {
            INSTALL(2, "tester/bin/hello/1.0", true),
            INSTALL(2, "tester/pkg/hello", true),
            INSTALL(2, "Tester/pkg/hello/1.0", true),
            INSTALL(2, "tester/pkg/he_llo/1.0", true),
            INSTALL(2, "tester/pkg/hello/1.0/x", true),
            INSTALL(2, "tester/pkg/hello/.1", true),
            INSTALL(2, "tester/pkg/hello-with-a-name-longer-than-32x/1", true),
            INSTALL(2, "tester/pkg/hello-long-name/1.0.0", true), /* pkg:... over 31 bytes */
    };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        send_msg(&conn, bad[i]);
        expect_error(&conn, 2, "bad-request");
    }
    static const char *const urls[] = {
            "https://10.0.2.2:1", "http://10.0.2.2",      "http://10.0.2.256:80",
            "http://host:80",     "http://10.0.2.2:0",    "http://10.0.2.2:65536",
            "http://10.0.2:80",   "http://10.0.2.2:80/x", "http://010.0.2.2:80",
    };
    char req[512];
    for (unsigned i = 0; i < sizeof urls / sizeof urls[0]; i++) {
        snprintf(req, sizeof req,
                 "{\"op\": \"install\", \"id\": 3, \"registry\": \"%s\", \"package\": "
                 "\"tester/pkg/hello/1.0\"}",
                 urls[i]);
        send_msg(&conn, req);
        expect_error(&conn, 3, "bad-request");
    }
    assert_int_equal(fi.pkg_calls, 0);
    /* An agent without a store says so. */
    ag.inst = 0;
    send_msg(&conn, INSTALL(4, "tester/pkg/hello/1.0", true));
    expect_error(&conn, 4, "unavailable");
    /* hoitaja rejects the whole change: stored, not started, its text verbatim. */
    ag.inst = &inst;
    fi.archives = "tester/bin/x86_64/reject-all/1.0";
    send_msg(&conn, "{\"op\": \"install\", \"id\": 5, \"registry\": \"http://10.0.2.2:17650/\", "
                    "\"package\": \"tester/pkg/reject-all/1.0\", \"start\": true}");
    expect_error(&conn, 5, "rejected");
    assert_non_null(strstr(msg, "stored, not started: rejected: child 'reject-all'"));
    assert_int_equal(fi.stored, 1);
}

static void test_names(void **state)
{
    assert_string_equal(kagent_op_name(KOP_HAB_CREATE), "habitat-create");
    assert_string_equal(kagent_op_name(KOP_CANCEL), "cancel");
    assert_string_equal(kagent_err_name(KERR_INTERNAL), "internal");
    assert_string_equal(kagent_err_name(KERR_HELLO_FIRST), "hello-first");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup(test_hello_first, setup),
            cmocka_unit_test_setup(test_bad_requests_keep_connection, setup),
            cmocka_unit_test_setup(test_too_large_closes, setup),
            cmocka_unit_test_setup(test_deep_nesting_closes, setup),
            cmocka_unit_test_setup(test_state, setup),
            cmocka_unit_test_setup(test_config, setup),
            cmocka_unit_test_setup(test_watch_10hz, setup),
            cmocka_unit_test_setup(test_watch_filter, setup),
            cmocka_unit_test_setup(test_watch_shares_report, setup),
            cmocka_unit_test_setup(test_streams_limit, setup),
            cmocka_unit_test_setup(test_apply, setup),
            cmocka_unit_test_setup(test_two_admins, setup),
            cmocka_unit_test_setup(test_set, setup),
            cmocka_unit_test_setup(test_control, setup),
            cmocka_unit_test_setup(test_events_follow, setup),
            cmocka_unit_test_setup(test_logs, setup),
            cmocka_unit_test_setup(test_tenant_denied, setup),
            cmocka_unit_test_setup(test_enrol_only, setup),
            cmocka_unit_test_setup(test_operator_habitats, setup_operator),
            cmocka_unit_test_setup(test_slow_reader, setup),
            cmocka_unit_test_setup(test_slow_request_and_idle, setup),
            cmocka_unit_test_setup(test_tick_with_older_clock, setup),
            cmocka_unit_test_setup(test_pipelined_bytewise, setup),
            cmocka_unit_test_setup(test_tokens_enrol, setup_operator),
            cmocka_unit_test_setup(test_tokens_without_crypto, setup_operator),
            cmocka_unit_test_setup(test_tenant_enrol_needs_authority, setup),
            cmocka_unit_test_setup(test_tenant_enrol_through_authority, setup),
            cmocka_unit_test_setup(test_install_start, setup),
            cmocka_unit_test_setup(test_install_refused, setup),
            cmocka_unit_test_setup(test_install_requests, setup),
            cmocka_unit_test(test_label_habitat),
            cmocka_unit_test(test_base64),
            cmocka_unit_test(test_token_parse),
            cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests_name("kuori-agent-unit", tests, NULL, NULL);
}
