/* SPDX-License-Identifier: MIT */
/* metrics.c: the state report as Prometheus text exposition format 0.0.4.
 *
 * One family per quantity, each with its HELP and TYPE lines once, samples
 * labelled {habitat, component}; the habitat's sums carry component="" so a
 * query can tell them apart without a second family. Label values come
 * from the report (names are [a-z0-9-], states a fixed set) and are escaped
 * anyway (backslash, quote, newline), since the report is the habitat's.
 * A report that does not fit `cap` is an error, never a truncated page.
 */
#include "kagent.h"

struct mw {
    char *out;
    __SIZE_TYPE__ cap, len;
    int err;
};

static void put(struct mw *m, const char *s, __SIZE_TYPE__ n)
{
    if (m->err || n > m->cap - m->len) {
        m->err = 1;
        return;
    }
    memcpy(m->out + m->len, s, n);
    m->len += n;
}

static void puts_(struct mw *m, const char *s)
{
    put(m, s, strlen(s));
}

static void put_u64(struct mw *m, kide_u64 v)
{
    char b[24];
    int i = 23;
    b[i] = 0;
    do {
        b[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    puts_(m, b + i);
}

/* A label value: string token t of d (or the literal s when t < 0), escaped. */
static void put_label(struct mw *m, const struct kide_json_doc *d, int t, const char *s)
{
    char v[64];
    if (t >= 0 && kide_json_get_string(d, t, v, sizeof v) >= 0)
        s = v;
    else if (t >= 0)
        s = "?";
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            put(m, "\\", 1);
        if (*s == '\n')
            puts_(m, "\\n");
        else
            put(m, s, 1);
    }
}

static kide_u64 num(const struct kide_json_doc *d, int obj, const char *a, const char *b)
{
    kide_u64 v;
    int t = obj >= 0 ? kide_json_find(d, obj, a) : -1;
    if (b && t >= 0)
        t = kide_json_find(d, t, b);
    return t >= 0 && kide_json_get_u64(d, t, &v) == 0 ? v : 0;
}

/** One family: what to print for each child and for the sums. */
enum fam { F_CPU, F_RAM, F_CAPS, F_RESTARTS, F_UP, F_STATE, F_UPTIME };

static const struct {
    const char *name, *type, *help;
} fams[] = {
        {"kide_component_cpu_seconds_total", "counter",
         "CPU time used by the component's threads."},
        {"kide_component_ram_bytes", "gauge", "RAM of the component at core: used and quota."},
        {"kide_component_caps", "gauge",
         "Kernel-memory pages (caps) of the component: used and quota."},
        {"kide_component_restarts_total", "counter", "Restarts of the component by its habitat."},
        {"kide_component_up", "gauge", "1 if the component is running, else 0."},
        {"kide_component_state", "gauge", "The component's state as a label (value always 1)."},
        {"kide_component_uptime_seconds", "gauge", "Time since the component last started."},
};

static void labels(struct mw *m, const struct kide_json_doc *d, int hab, int name, const char *kind)
{
    puts_(m, "{habitat=\"");
    put_label(m, d, hab, "");
    puts_(m, "\",component=\"");
    put_label(m, d, name, "");
    puts_(m, "\"");
    if (kind) {
        puts_(m, ",kind=\"");
        puts_(m, kind);
        puts_(m, "\"");
    }
    puts_(m, "}");
}

/* Seconds with 9 decimals from ns (no floating point in the component). */
static void put_seconds(struct mw *m, kide_u64 ns)
{
    char frac[10];
    put_u64(m, ns / 1000000000ull);
    kide_u64 f = ns % 1000000000ull;
    for (int i = 8; i >= 0; i--, f /= 10)
        frac[i] = (char)('0' + f % 10);
    frac[9] = 0;
    puts_(m, ".");
    puts_(m, frac);
}

/* The samples of family f for one child object ch (or the sums object when ch is sum). */
static void samples(struct mw *m, enum fam f, const struct kide_json_doc *d, int hab, int ch,
                    int is_sum)
{
    int name = is_sum ? -1 : kide_json_find(d, ch, "name");
    int state = is_sum ? -1 : kide_json_find(d, ch, "state");
    if (is_sum && (f == F_UP || f == F_STATE || f == F_UPTIME))
        return;
    puts_(m, fams[f].name);
    switch (f) {
    case F_CPU:
        labels(m, d, hab, name, 0);
        puts_(m, " ");
        put_seconds(m, num(d, ch, "cpu", "ns"));
        break;
    case F_RAM:
    case F_CAPS: {
        const char *acc = f == F_RAM ? "ram" : "caps";
        labels(m, d, hab, name, "used");
        puts_(m, " ");
        put_u64(m, num(d, ch, acc, "used"));
        puts_(m, "\n");
        puts_(m, fams[f].name);
        labels(m, d, hab, name, "quota");
        puts_(m, " ");
        put_u64(m, num(d, ch, acc, "quota"));
        break;
    }
    case F_RESTARTS:
        labels(m, d, hab, name, 0);
        puts_(m, " ");
        put_u64(m, num(d, ch, "restarts", 0));
        break;
    case F_UP:
        labels(m, d, hab, name, 0);
        puts_(m, kide_json_str_eq(d, state, "running") ? " 1" : " 0");
        break;
    case F_STATE:
        labels(m, d, hab, name, 0);
        if (!m->err)
            m->len--; /* reopen the label set (drop its '}') for the state label */
        puts_(m, ",state=\"");
        put_label(m, d, state, "unknown");
        puts_(m, "\"} 1");
        break;
    case F_UPTIME:
        labels(m, d, hab, name, 0);
        puts_(m, " ");
        put_seconds(m, num(d, ch, "uptime_ns", 0));
        break;
    }
    puts_(m, "\n");
}

long kagent_metrics(struct kagent *a, const char *report, __SIZE_TYPE__ rlen, char *out,
                    __SIZE_TYPE__ cap)
{
    struct kide_json_doc d;
    struct mw m = {out, cap, 0, 0};
    if (kide_json_parse(&d, report, rlen, a->tok, KAGENT_REPORT_TOKENS, 0, 0) < 0 ||
        kide_json_type(&d, 0) != KIDE_JSON_OBJECT)
        return -1;
    int hab = kide_json_find(&d, 0, "habitat");
    int children = kide_json_find(&d, 0, "children");
    int sum = kide_json_find(&d, 0, "sum");
    for (unsigned f = 0; f < sizeof fams / sizeof fams[0]; f++) {
        puts_(&m, "# HELP ");
        puts_(&m, fams[f].name);
        puts_(&m, " ");
        puts_(&m, fams[f].help);
        puts_(&m, "\n# TYPE ");
        puts_(&m, fams[f].name);
        puts_(&m, " ");
        puts_(&m, fams[f].type);
        puts_(&m, "\n");
        for (int ch = kide_json_first(&d, children); ch >= 0; ch = kide_json_next(&d, ch))
            if (kide_json_type(&d, ch) == KIDE_JSON_OBJECT)
                samples(&m, (enum fam)f, &d, hab, ch, 0);
        if (kide_json_type(&d, sum) == KIDE_JSON_OBJECT)
            samples(&m, (enum fam)f, &d, hab, sum, 1);
    }
    return m.err ? -1 : (long)m.len;
}
