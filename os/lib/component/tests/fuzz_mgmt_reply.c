/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the management client library's handling of replies
 * (mgmt_client.c, and kide_logs_next in core_client.c). The input is a reply
 * as the parent could send it: its words land in the fake UTCB as they would
 * from the kernel, and one operation reads them (REPORT, RESULT, CONFIG,
 * CONTROL, EVENTS, LOGS, or a whole read_all). Whatever came, a call that says
 * OK must hand out only lengths and counts its struct holds, a verdict that is
 * NUL-terminated, and LOGS records that kide_logs_next walks inside the reply
 * and in order to its end; never a crash or undefined behaviour (suite
 * os-component-mgmt-fuzz). */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "rt.h"
#include <kide/mgmt_client.h>

static struct kide_utcb fake_utcb;
struct kide_utcb *rt_utcb(void)
{
    return &fake_utcb;
}

static const uint8_t *reply;
static size_t reply_len;

int kide_msg_call_cap(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel, kide_sel send,
                      unsigned perm)
{
    (void)pt, (void)rcv_sel, (void)send, (void)perm;
    size_t n = reply_len / 8 > KIDE_UTCB_WORDS ? KIDE_UTCB_WORDS : reply_len / 8;
    memcpy(fake_utcb.words, reply, n * 8);
    m->pos = 1;
    m->cap = KIDE_UTCB_WORDS;
    m->rcv = 0;
    m->items = 0;
    m->n = (unsigned)n;
    return n ? (int)(fake_utcb.words[0] & 0xff) : KIDE_BAD_PARAM;
}

int kide_msg_call(struct kide_msg *m, kide_sel pt, kide_sel rcv_sel)
{
    return kide_msg_call_cap(m, pt, rcv_sel, 0, 0);
}

static void walk_logs(const struct kide_mgmt_logs_rep *r)
{
    kide_u64 off = 0, prev = 0;
    struct kide_log_line l;
    const char *t;
    int rc;
    unsigned n = 0;
    while ((rc = kide_logs_next(r, &off, &l, &t)) == 1) {
        assert(off > prev && off <= r->lines.len && off % 8 == 0);
        assert(t >= r->lines.bytes && t + l.len <= r->lines.bytes + r->lines.len);
        assert(l.len <= KIDE_LOG_LINE_MAX);
        prev = off;
        n++;
    }
    assert(rc == 0 || rc == -1);
    assert(n <= KIDE_LOGS_CHUNK_MAX / sizeof(struct kide_log_line));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static union {
        struct kide_mgmt_report_rep report;
        struct kide_mgmt_result_rep result;
        struct kide_mgmt_config_rep config;
        struct kide_mgmt_control_rep control;
        struct kide_mgmt_events_rep events;
        struct kide_mgmt_logs_rep logs;
    } rep;
    static char buf[3 * KIDE_MGMT_CHUNK_MAX + 1];
    if (size < 1)
        return 0;
    unsigned pick = data[0] % 7;
    reply = data + 1;
    reply_len = size - 1;
    struct kide_mgmt_read_req rd = {.offset = 0};
    int st;
    switch (pick) {
    case 0:
        if (kide_mgmt_report(1, &rd, &rep.report) == KIDE_OK)
            assert(rep.report.chunk.len <= KIDE_MGMT_CHUNK_MAX);
        break;
    case 1:
        if (kide_mgmt_result(1, &rd, &rep.result) == KIDE_OK)
            assert(rep.result.chunk.len <= KIDE_MGMT_CHUNK_MAX);
        break;
    case 2:
        if (kide_mgmt_config(1, &rd, &rep.config) == KIDE_OK)
            assert(rep.config.chunk.len <= KIDE_MGMT_CHUNK_MAX);
        break;
    case 3: {
        struct kide_mgmt_control_req req = {.action = KIDE_CTL_STOP};
        KIDE_WIRE_STR(req.child, "talk", 4);
        st = kide_mgmt_control(1, &req, &rep.control);
        assert(memchr(rep.control.verdict.bytes, 0, KIDE_MGMT_VERDICT_MAX));
        if (st == KIDE_OK)
            assert(rep.control.verdict.len < KIDE_MGMT_VERDICT_MAX &&
                   strlen(rep.control.verdict.bytes) <= rep.control.verdict.len);
        break;
    }
    case 4: {
        struct kide_mgmt_events_req req = {.after = 0};
        if (kide_mgmt_events(1, &req, &rep.events) == KIDE_OK)
            assert(rep.events.count <= KIDE_MGMT_EVENTS_MAX);
        break;
    }
    case 5: {
        struct kide_mgmt_logs_req req = {.after = 3};
        KIDE_WIRE_STR(req.name, "flood", 5);
        if (kide_mgmt_logs(1, &req, &rep.logs) == KIDE_OK) {
            assert(rep.logs.lines.len <= KIDE_LOGS_CHUNK_MAX);
            walk_logs(&rep.logs);
        }
        break;
    }
    default: {
        kide_u64 len = 0;
        static const kide_u64 ops[] = {KIDE_MGMT_REPORT, KIDE_MGMT_RESULT, KIDE_MGMT_CONFIG};
        st = kide_mgmt_read_all(1, ops[data[0] / 7 % 3], buf, sizeof(buf), &len);
        if (st == KIDE_OK)
            assert(len < sizeof(buf) && buf[len] == 0);
        break;
    }
    }
    return 0;
}
