/* SPDX-License-Identifier: MIT */
/* hoitaja state report: JSON for the management session, `report:` lines for the console.
 *
 * The glue fills one struct hj_status per child and one hj_habitat_status;
 * this file only formats. The JSON (schema in docs/hoitaja.md) goes through
 * the bounded writer of <kide/json.h>, so a buffer that is too small is an
 * error (KIDE_JSON_ENOSPC), never truncated JSON. Console lines are short
 * (one child per line) to stay under core's LOG limit of 480 bytes.
 */
#include "hoitaja.h"

#include "posix_signal.h"

#include <kide/core.h>
#include <kide/json.h>

const char *hj_state_name(kide_u8 st)
{
    static const char *const names[] = {"starting", "running",    "exited",
                                        "faulted",  "restarting", "stopped"};
    return st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown";
}

const char *hj_fault_reason(kide_u64 vector, char *buf, kide_u64 size)
{
    const char *name = kide_fault_name(vector);
    if (name)
        return name;
    hj_snprintf(buf, size, "exception %lu", vector);
    return buf;
}

static void pair(struct kide_json_writer *w, const char *key, kide_u64 quota, kide_u64 used)
{
    kide_json_key(w, key);
    kide_json_begin_object(w);
    kide_json_member_u64(w, "quota", quota);
    kide_json_member_u64(w, "used", used);
    kide_json_end_object(w);
}

/* "status": the child's published object. It passed hj_status_check, so it
 * parses within the same bounds; were it ever not to, it is left out. */
static void status_json(struct kide_json_writer *w, const char *status)
{
    struct kide_json_tok tok[KIDE_STATUS_TOKENS];
    struct kide_json_doc doc;
    const struct kide_json_limits lim = {.max_depth = HJ_STATUS_DEPTH,
                                         .max_string = HJ_STATUS_STRING};
    if (!status || kide_json_parse(&doc, status, strlen(status), tok, KIDE_STATUS_TOKENS, &lim,
                                   NULL) != KIDE_JSON_OK)
        return;
    kide_json_key(w, "status");
    kide_json_value(w, &doc, 0);
}

kide_u64 hj_end_signal(int posix, int faulted, kide_u64 exit_signal, kide_u64 fault_vector,
                       const char *fault_reason)
{
    if (!posix)
        return 0;
    if (!faulted)
        return exit_signal <= 64 ? exit_signal : 0;
    return fault_reason || fault_vector > 255 ? 0 : posix_fault_signal((unsigned)fault_vector);
}

const char *hj_signal_text(kide_u64 signal, char *buf, kide_u64 size)
{
    if (!signal)
        hj_snprintf(buf, size, "%s", "");
    else
        hj_snprintf(buf, size, " (signal %lu %s)", signal, posix_signal_name((unsigned)signal));
    return buf;
}

static void child_json(struct kide_json_writer *w, const struct hj_status *c)
{
    char rbuf[32];
    kide_json_begin_object(w);
    kide_json_member_string(w, "name", c->name);
    kide_json_member_string(w, "binary", c->binary);
    kide_json_member_bool(w, "devices", c->devices);
    kide_json_member_string(w, "state", hj_state_name(c->state));
    if (c->state == HJ_ST_EXITED) {
        kide_json_member_u64(w, "exit_code", c->exit_code);
    }
    if (c->state == HJ_ST_FAULTED) {
        kide_json_member_object(w, "fault");
        kide_json_member_string(w, "reason",
                                c->fault_reason
                                        ? c->fault_reason
                                        : hj_fault_reason(c->fault_vector, rbuf, sizeof(rbuf)));
        kide_json_member_u64(w, "vector", c->fault_vector);
        kide_json_member_u64(w, "address", c->fault_addr);
        kide_json_member_u64(w, "ip", c->fault_ip);
        kide_json_end_object(w);
    }
    if ((c->state == HJ_ST_EXITED || c->state == HJ_ST_FAULTED) && c->signal) {
        kide_json_member_u64(w, "signal", c->signal);
        kide_json_member_string(w, "signal_name", posix_signal_name((unsigned)c->signal));
    }
    pair(w, "ram", c->ram_quota, c->ram_used);
    pair(w, "caps", c->caps_quota, c->caps_used);
    kide_json_member_object(w, "cpu");
    kide_json_member_u64(w, "ns", c->cpu_ns);
    kide_json_member_u64(w, "quota", c->cpu_quota);
    kide_json_member_u64(w, "priority", c->priority);
    kide_json_member_u64(w, "affinity", c->affinity);
    kide_json_end_object(w);
    if (c->has_ram_node) {
        kide_json_member_u64(w, "ram_node", c->ram_node);
    }
    kide_json_member_u64(w, "restarts", c->restarts);
    kide_json_member_u64(w, "uptime_ns", c->uptime_ns);
    status_json(w, c->status);
    kide_json_end_object(w);
}

/** Sums over the children. */
struct sums {
    kide_u64 ram_quota, ram_used, caps_quota, caps_used, cpu_ns, cpu_quota, restarts;
};

static void add_up(const struct hj_status *c, unsigned n, struct sums *s)
{
    memset(s, 0, sizeof(*s));
    for (unsigned i = 0; i < n; i++) {
        s->ram_quota += c[i].ram_quota, s->ram_used += c[i].ram_used;
        s->caps_quota += c[i].caps_quota, s->caps_used += c[i].caps_used;
        s->cpu_ns += c[i].cpu_ns, s->cpu_quota += c[i].cpu_quota;
        s->restarts += c[i].restarts;
    }
}

long hj_report_json(const struct hj_habitat_status *h, const struct hj_status *c, unsigned n,
                    char *buf, kide_u64 size)
{
    struct kide_json_writer w;
    struct sums s;
    add_up(c, n, &s);
    kide_json_writer_init(&w, buf, size);
    kide_json_begin_object(&w);
    kide_json_member_string(&w, "habitat", h->label);
    kide_json_member_u64(&w, "generation", h->generation);
    kide_json_member_u64(&w, "seq", h->seq);
    kide_json_member_u64(&w, "time_ns", h->time_ns);
    pair(&w, "ram", h->ram_quota, h->ram_used);
    pair(&w, "caps", h->caps_quota, h->caps_used);
    kide_json_key(&w, "children");
    kide_json_begin_array(&w);
    for (unsigned i = 0; i < n; i++)
        child_json(&w, &c[i]);
    kide_json_end_array(&w);
    kide_json_member_object(&w, "sum");
    pair(&w, "ram", s.ram_quota, s.ram_used);
    pair(&w, "caps", s.caps_quota, s.caps_used);
    kide_json_member_object(&w, "cpu");
    kide_json_member_u64(&w, "ns", s.cpu_ns);
    kide_json_member_u64(&w, "quota", s.cpu_quota);
    kide_json_end_object(&w);
    kide_json_member_u64(&w, "restarts", s.restarts);
    kide_json_end_object(&w);
    kide_json_end_object(&w);
    return kide_json_writer_finish(&w);
}

void hj_report_line(const struct hj_status *c, char *buf, kide_u64 size)
{
    char st[96], rbuf[32], sig[40];
    hj_signal_text(c->signal, sig, sizeof(sig));
    if (c->state == HJ_ST_EXITED)
        hj_snprintf(st, sizeof(st), "exited %lu%s", c->exit_code, sig);
    else if (c->state == HJ_ST_FAULTED)
        hj_snprintf(st, sizeof(st), "faulted (%s)%s",
                    c->fault_reason ? c->fault_reason
                                    : hj_fault_reason(c->fault_vector, rbuf, sizeof(rbuf)),
                    sig);
    else
        hj_snprintf(st, sizeof(st), "%s", hj_state_name(c->state));
    char node[24] = "";
    if (c->has_ram_node)
        hj_snprintf(node, sizeof(node), " ram_node %u", c->ram_node);
    hj_snprintf(buf, size,
                "child %s: %s%s ram %lu/%lu caps %lu/%lu cpu %u%% prio %u cpu_ms %lu restarts %lu "
                "uptime_ms %lu",
                c->name, st, node, c->ram_used, c->ram_quota, c->caps_used, c->caps_quota,
                c->cpu_quota, c->priority, c->cpu_ns / 1000000, c->restarts,
                c->uptime_ns / 1000000);
}

unsigned hj_report_status_lines(const struct hj_status *c, char *buf, kide_u64 size,
                                void (*out)(void *ctx, const char *line), void *ctx)
{
    if (!c->status)
        return 0;
    kide_u64 len = strlen(c->status);
    int head = hj_snprintf(buf, size, "child %s: status %s", c->name, c->status);
    if (head >= 0 && (kide_u64)head < size) {
        out(ctx, buf);
        return 1;
    }
    /* Too long for one console line: pieces that together are the whole object. */
    kide_u64 room = size > 96 ? size - 96 : 1;
    unsigned n = (unsigned)((len + room - 1) / room);
    for (unsigned i = 0; i < n; i++) {
        kide_u64 off = (kide_u64)i * room, part = len - off < room ? len - off : room;
        hj_snprintf(buf, size, "child %s: status (%u/%u) %.*s", c->name, i + 1, n, (int)part,
                    c->status + off);
        out(ctx, buf);
    }
    return n;
}

_Static_assert(HJ_STATUS_CONSOLE_BYTES >= HJ_STATUS_TEXT_MAX, "the largest status fits a tick");

unsigned hj_status_pick(const kide_u32 *len, const int *fresh, unsigned n, unsigned *next,
                        int *pick)
{
    kide_u64 bytes = 0;
    unsigned waiting = 0, start = n ? *next % n : 0;
    int full = 0;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (start + k) % n;
        pick[i] = 0;
        if (!fresh[i])
            continue;
        if (!full && bytes + len[i] <= HJ_STATUS_CONSOLE_BYTES) {
            pick[i] = 1;
            bytes += len[i];
            *next = (i + 1) % n;
            continue;
        }
        if (!full)
            *next = i; /* first in line next tick */
        full = 1;
        waiting++;
    }
    return waiting;
}

void hj_report_sum_line(const struct hj_habitat_status *h, const struct hj_status *c, unsigned n,
                        char *buf, kide_u64 size)
{
    struct sums s;
    add_up(c, n, &s);
    hj_snprintf(buf, size,
                "habitat %s: generation %lu children %u ram %lu/%lu of %lu caps %lu/%lu of %lu "
                "cpu %lu%% cpu_ms %lu restarts %lu",
                h->label, h->generation, n, s.ram_used, s.ram_quota, h->ram_quota, s.caps_used,
                s.caps_quota, h->caps_quota, s.cpu_quota, s.cpu_ns / 1000000, s.restarts);
}

/* Every byte escaped is at most 6 bytes (\u00XX); 64 covers keys, quotes and numbers. */
kide_u64 hj_result_json_size(const char *status, const struct hj_result *r, unsigned n)
{
    kide_u64 size = 96 + 6 * strlen(status);
    for (unsigned i = 0; i < n; i++)
        size += 64 + 6 * (strlen(r[i].child) + strlen(r[i].text));
    return size;
}

long hj_result_json(kide_u64 generation, const char *status, const struct hj_result *r, unsigned n,
                    char *buf, kide_u64 size)
{
    struct kide_json_writer w;
    kide_json_writer_init(&w, buf, size);
    kide_json_begin_object(&w);
    kide_json_member_u64(&w, "generation", generation);
    kide_json_member_string(&w, "status", status);
    kide_json_key(&w, "results");
    kide_json_begin_array(&w);
    for (unsigned i = 0; i < n; i++) {
        kide_json_begin_object(&w);
        kide_json_member_string(&w, "child", r[i].child);
        kide_json_member_string(&w, "result", r[i].text);
        kide_json_end_object(&w);
    }
    kide_json_end_array(&w);
    kide_json_end_object(&w);
    return kide_json_writer_finish(&w);
}
