/* SPDX-License-Identifier: MIT */
/* fake_backend.c: see fake_backend.h. */
#include "fake_backend.h"

#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>

static kide_u64 f_now(void *ctx)
{
    return ((struct fake *)ctx)->now;
}

static int f_report(void *ctx, char *buf, size_t cap, size_t *len)
{
    struct fake *f = ctx;
    f->reports++;
    unsigned long t = (unsigned long)f->now, g = (unsigned long)f->generation;
    int n = snprintf(
            buf, cap,
            "{\"habitat\": \"tenant-a\", \"generation\": %lu, \"seq\": 3, \"time_ns\": %lu,"
            " \"ram\": {\"quota\": 33554432, \"used\": 9134080}, \"caps\": {\"quota\": 256, "
            "\"used\": 194},"
            " \"children\": ["
            "{\"name\": \"demo\", \"binary\": \"demo\", \"devices\": false, \"state\": \"running\","
            " \"ram\": {\"quota\": 4194304, \"used\": 401408}, \"caps\": {\"quota\": 64, \"used\": "
            "30},"
            " \"cpu\": {\"ns\": %lu, \"quota\": 50, \"priority\": 64, \"affinity\": 0}, "
            "\"restarts\": 0,"
            " \"uptime_ns\": %lu},"
            "{\"name\": \"bad\", \"binary\": \"crash\", \"devices\": false, \"state\": \"faulted\","
            " \"fault\": {\"reason\": \"page fault\", \"vector\": 14, \"address\": 0, \"ip\": 1},"
            " \"ram\": {\"quota\": 2097152, \"used\": 0}, \"caps\": {\"quota\": 64, \"used\": 0},"
            " \"cpu\": {\"ns\": 0, \"quota\": 10, \"priority\": 64, \"affinity\": 1}, "
            "\"restarts\": 2,"
            " \"uptime_ns\": 0}],"
            " \"sum\": {\"ram\": {\"quota\": 6291456, \"used\": 401408}, \"caps\": {\"quota\": 128,"
            " \"used\": 30}, \"cpu\": {\"ns\": %lu, \"quota\": 60}, \"restarts\": 2}}",
            g, t, t / 10, t, t / 10);
    if (n < 0 || (size_t)n >= cap)
        return KAGENT_B_TOOLARGE;
    *len = (size_t)n;
    return KAGENT_B_OK;
}

static int f_config(void *ctx, char *buf, size_t cap, size_t *len, kide_u64 *gen)
{
    struct fake *f = ctx;
    if (f->no_config)
        return KAGENT_B_UNAVAILABLE;
    int n = snprintf(buf, cap,
                     "{\"generation\": %lu, \"children\": ["
                     "{\"name\": \"demo\", \"binary\": \"demo\", \"ram\": 4194304, \"caps\": 64,"
                     " \"cpu\": {\"quota\": 50, \"priority\": 64}, \"routes\": []},"
                     "{\"name\": \"bad\", \"binary\": \"crash\", \"ram\": 2097152, \"caps\": 64,"
                     " \"cpu\": {\"quota\": 10}, \"provides\": [\"Greeting\"],"
                     " \"routes\": [{\"service\": \"Socket\", \"to\": \"parent\"}]}]}",
                     (unsigned long)f->generation);
    if (n < 0 || (size_t)n >= cap)
        return KAGENT_B_TOOLARGE;
    *len = (size_t)n;
    *gen = f->generation;
    return KAGENT_B_OK;
}

static int f_apply(void *ctx, const char *cfg, size_t len, kide_u64 gen, int partial, char *res,
                   size_t cap, size_t *rlen)
{
    struct fake *f = ctx;
    int n;
    f->applies++;
    if (len > sizeof f->last_cfg - 1)
        return KAGENT_B_TOOLARGE;
    memcpy(f->last_cfg, cfg, len);
    f->last_cfg[len] = 0;
    f->last_len = len;
    f->last_partial = partial;
    if (gen != f->generation + 1) {
        n = snprintf(res, cap,
                     "{\"generation\": %lu, \"status\": \"rejected: stale\", "
                     "\"results\": []}",
                     (unsigned long)f->generation);
        *rlen = (size_t)n;
        return KAGENT_B_STALE;
    }
    if (strstr(f->last_cfg, "reject-all")) {
        n = snprintf(res, cap,
                     "{\"generation\": %lu, \"status\": \"rejected: child 'reject-all' "
                     "(line 1, column 2): unknown binary\", \"results\": []}",
                     (unsigned long)f->generation);
        *rlen = (size_t)n;
        return KAGENT_B_INVALID;
    }
    f->generation = gen;
    n = snprintf(res, cap,
                 "{\"generation\": %lu, \"status\": \"done\", \"results\": "
                 "[{\"child\": \"demo\", \"result\": \"applied\"}%s]}",
                 (unsigned long)gen,
                 strstr(f->last_cfg, "too-big") ? ", {\"child\": \"too-big\", \"result\": "
                                                  "\"rejected: quota exceeds the habitat\"}"
                                                : "");
    *rlen = (size_t)n;
    return KAGENT_B_OK;
}

static int f_events(void *ctx, kide_u64 after, struct kide_mgmt_event *ev, unsigned max,
                    unsigned *count, kide_u64 *first, kide_u64 *lost)
{
    struct fake *f = ctx;
    *count = 0;
    *lost = 0;
    *first = 0;
    for (unsigned i = 0; i < f->nev && *count < max; i++)
        if (f->ev[i].seq > after) {
            if (!*count)
                *first = f->ev[i].seq;
            ev[(*count)++] = f->ev[i];
        }
    return KAGENT_B_OK;
}

static int f_control(void *ctx, enum kagent_control what, const char *comp, char *verdict,
                     size_t cap)
{
    struct fake *f = ctx;
    if (f->no_control)
        return KAGENT_B_UNAVAILABLE;
    if (strcmp(comp, "demo") && strcmp(comp, "bad"))
        return KAGENT_B_NOTFOUND;
    snprintf(verdict, cap, "%s",
             what == KAGENT_START  ? "started"
             : what == KAGENT_STOP ? "stopped"
                                   : "restarted");
    return KAGENT_B_OK;
}

static int f_logs(void *ctx, const char *comp, kide_u64 after, unsigned tail, char *buf, size_t cap,
                  size_t *len, kide_u64 *lost)
{
    struct fake *f = ctx;
    if (f->no_control)
        return KAGENT_B_UNAVAILABLE;
    if (strcmp(comp, "demo"))
        return KAGENT_B_NOTFOUND;
    /* Two lines, seq 1 and 2, one more per second of clock. */
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "[");
    kide_u64 last = 2 + f->now / 1000000000ull;
    int firstl = 1;
    for (kide_u64 s = after + 1; s <= last && n < cap - 100; s++) {
        n += (size_t)snprintf(buf + n, cap - n,
                              "%s{\"seq\": %lu, \"time_ns\": %lu, \"text\": "
                              "\"line %lu\"}",
                              firstl ? "" : ",", (unsigned long)s, (unsigned long)s * 1000,
                              (unsigned long)s);
        firstl = 0;
    }
    n += (size_t)snprintf(buf + n, cap - n, "]");
    *len = n;
    *lost = 0;
    (void)tail;
    return KAGENT_B_OK;
}

static const char *f_why(void *ctx)
{
    return "the fake habitat cannot";
}

void fake_backend(struct fake *f, struct kagent_backend *be)
{
    be->ctx = f;
    be->now_ns = f_now;
    be->report = f_report;
    be->config = f_config;
    be->apply = f_apply;
    be->events = f_events;
    be->control = f_control;
    be->logs = f_logs;
    be->why = f_why;
}

void fake_event(struct fake *f, kide_u64 type, const char *child, kide_u64 a)
{
    if (f->nev >= sizeof f->ev / sizeof f->ev[0])
        return;
    struct kide_mgmt_event *e = &f->ev[f->nev++];
    memset(e, 0, sizeof *e);
    e->seq = f->nev;
    e->type = type;
    e->time_ns = f->now;
    e->a = a;
    snprintf(e->child, sizeof e->child, "%s", child);
}

static unsigned char counter;

static void c_random(void *ctx, void *out, size_t n)
{
    for (size_t i = 0; i < n; i++)
        ((unsigned char *)out)[i] = counter++;
}

static void c_sha256(const void *data, size_t n, kide_u8 out[32])
{
    SHA256(data, n, out);
}

static int c_issue(void *ctx, const kide_u8 *spki, size_t n, const char *cn, const char *org,
                   kide_u8 *out, size_t cap, size_t *len)
{
    if (n != 91 || spki[0] != 0x30)
        return -2;
    int k = snprintf((char *)out, cap, "CERT(%s,%s)", cn, org);
    if (k < 0 || (size_t)k >= cap)
        return -3;
    *len = (size_t)k;
    return 0;
}

void fake_crypto(struct kagent_crypto *c)
{
    memset(c, 0, sizeof *c);
    c->random = c_random;
    c->sha256 = c_sha256;
    c->issue = c_issue;
    SHA256((const unsigned char *)"the agent's certificate", 23, c->fp);
}

static int fi_pkg(void *ctx, const struct kinst_registry *reg, const char *path,
                  struct kinst_pkg *out, char *err, size_t cap)
{
    struct fake_inst *fi = ctx;
    fi->pkg_calls++;
    fi->last_reg = *reg;
    if (fi->pkg_status) {
        snprintf(err, cap, "fake refusal of %s", path);
        return fi->pkg_status;
    }
    memset(out->sha256, 0xab, sizeof out->sha256);
    snprintf(out->archives, sizeof out->archives, "%s", fi->archives);
    snprintf(out->binary, sizeof out->binary, "hello");
    out->ram = 2097152;
    out->caps = 64;
    out->cpu = 10;
    out->nrequires = fi->nrequires;
    for (unsigned i = 0; i < fi->nrequires; i++)
        snprintf(out->requires[i], sizeof out->requires[i], "%s", fi->requires[i]);
    return KINST_OK;
}

static int fi_bin(void *ctx, const struct kinst_registry *reg, const char *path, const char *binary,
                  const char *store_name, kide_u8 sha256[32], char *err, size_t cap)
{
    struct fake_inst *fi = ctx;
    (void)reg;
    fi->bin_calls++;
    snprintf(fi->last_bin, sizeof fi->last_bin, "%s", path);
    snprintf(fi->last_binary, sizeof fi->last_binary, "%s", binary);
    snprintf(fi->last_store, sizeof fi->last_store, "%s", store_name);
    if (fi->bin_status) {
        snprintf(err, cap, "signature does not verify with any configured key of user tester");
        return fi->bin_status;
    }
    memset(sha256, 0x5a, 32);
    fi->stored++;
    return KINST_OK;
}

void fake_installer(struct fake_inst *fi, struct kagent_installer *in)
{
    memset(fi, 0, sizeof *fi);
    fi->archives = "tester/src/hello/1.0\ntester/bin/x86_64/hello/1.0\n";
    in->ctx = fi;
    in->pkg = fi_pkg;
    in->bin = fi_bin;
}
