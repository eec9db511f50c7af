/* SPDX-License-Identifier: MIT */
/* kide-scenario loader: YAML text to a validated struct scn; see scenario.h.
 *
 * libyaml builds the node tree (after a pass over the events that refuses
 * aliases, so a small file cannot expand into a huge one); the loader then
 * walks it once, top-down, checking each mapping against the fields its
 * level allows and each value against its type and range. Checks that need
 * a whole habitat (unique names, route targets, quota sums) run when the
 * habitat's children are all loaded. The first problem ends the load with
 * its line, a message naming the field and the offending value, and a hint.
 */
#include "scenario.h"
#include "hoitaja.h" /* hj_name_check: hoitaja's check of names (os/hoitaja/config.c) */

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Loader state. */
struct ld {
    yaml_document_t *doc;
    struct scn_error *err;
    unsigned cpus; /**< machine.cpus (parsed before the habitat) */
    unsigned numa; /**< machine.numa (parsed before the habitat) */
};

/* Record the first problem at node n (NULL: no line); always returns -1. */
static int __attribute__((format(printf, 4, 5)))
fail(struct ld *c, const yaml_node_t *n, const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
    va_end(ap);
    c->err->line = n ? (int)n->start_mark.line + 1 : 0;
    snprintf(c->err->hint, sizeof(c->err->hint), "%s", hint ? hint : "");
    return -1;
}

static int line_of(const yaml_node_t *n)
{
    return (int)n->start_mark.line + 1;
}

static const char *kind(const yaml_node_t *n)
{
    switch (n->type) {
    case YAML_SCALAR_NODE:
        return "a scalar";
    case YAML_SEQUENCE_NODE:
        return "a list";
    case YAML_MAPPING_NODE:
        return "a mapping";
    default:
        return "nothing";
    }
}

/* Scalar text of n, shortened for messages. */
static const char *text(const yaml_node_t *n)
{
    static char buf[64];
    if (n->type != YAML_SCALAR_NODE)
        return kind(n);
    size_t len = n->data.scalar.length;
    snprintf(buf, sizeof(buf), "%.*s%s", (int)(len > 40 ? 40 : len),
             (const char *)n->data.scalar.value, len > 40 ? "..." : "");
    return buf;
}

static bool is_scalar(const yaml_node_t *n, const char *s)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
           memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/*
 * Check that n is a mapping whose keys are scalars from `allowed` (a
 * NULL-terminated list), each at most once.
 */
static int fields(struct ld *c, yaml_node_t *n, const char *where, const char *field,
                  const char *const *allowed)
{
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, "write it as key: value lines or {key: value}",
                    "%s%s%s must be a mapping, got %s%s%s", where, field ? ": " : "",
                    field ? field : "", n->type == YAML_SCALAR_NODE ? "'" : "", text(n),
                    n->type == YAML_SCALAR_NODE ? "'" : "");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k, "use plain words as keys", "%s: keys must be plain names, got %s",
                        where, kind(k));
        bool known = false;
        for (const char *const *a = allowed; *a && !known; a++)
            known = is_scalar(k, *a);
        if (!known) {
            char hint[200] = "known fields:";
            for (const char *const *a = allowed; *a; a++)
                snprintf(hint + strlen(hint), sizeof(hint) - strlen(hint), "%s %s",
                         a == allowed ? "" : ",", *a);
            return fail(c, k, hint, "%s: unknown field '%s'", where, text(k));
        }
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++)
            if (is_scalar(yaml_document_get_node(c->doc, q->key),
                          (const char *)k->data.scalar.value))
                return fail(c, k, "remove one of them", "%s: field '%s' appears twice", where,
                            text(k));
    }
    return 0;
}

/* Value of field key in mapping n, or NULL. */
static yaml_node_t *member(struct ld *c, yaml_node_t *n, const char *key)
{
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++)
        if (is_scalar(yaml_document_get_node(c->doc, p->key), key))
            return yaml_document_get_node(c->doc, p->value);
    return NULL;
}

/* Required field: its value, or an error. */
static yaml_node_t *need(struct ld *c, yaml_node_t *n, const char *where, const char *key)
{
    yaml_node_t *v = member(c, n, key);
    if (!v)
        fail(c, n, "add the field; docs/formats/scenario.md lists every one",
             "%s: missing required field '%s'", where, key);
    return v;
}

static int scalar(struct ld *c, yaml_node_t *n, const char *where, const char *field)
{
    if (n->type != YAML_SCALAR_NODE)
        return fail(c, n, "write one value, not a list or mapping",
                    "%s: %s must be a single value, got %s", where, field, kind(n));
    if (memchr(n->data.scalar.value, 0, n->data.scalar.length))
        return fail(c, n, "remove the NUL character", "%s: %s contains a NUL character", where,
                    field);
    return 0;
}

/* A name [a-z][a-z0-9-]{0,31} (service: a service name [A-Za-z][A-Za-z0-9_-]{0,31})
 * into out, judged by hoitaja's own check with its words and hint. */
static int a_name(struct ld *c, yaml_node_t *n, const char *where, const char *field, bool service,
                  const char *hint, char *out)
{
    char why[80];
    if (scalar(c, n, where, field))
        return -1;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (hj_name_check(s, len, service, why, sizeof(why)))
        return fail(c, n, hint, "%s: %s '%s' %s", where, field, text(n), why);
    memcpy(out, s, len + 1);
    return 0;
}

static int name(struct ld *c, yaml_node_t *n, const char *where, const char *field, char *out)
{
    return a_name(c, n, where, field, false, HJ_NAME_HINT, out);
}

/* A child's args: one string of at most SCN_ARGS_MAX printable ASCII bytes. */
static int args(struct ld *c, yaml_node_t *n, const char *where, char *out)
{
    if (scalar(c, n, where, "args"))
        return -1;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (len > SCN_ARGS_MAX)
        return fail(c, n, "shorten the arguments (core's info page holds 127 bytes)",
                    "%s: args is %zu bytes, at most %u are allowed", where, len, SCN_ARGS_MAX);
    for (size_t k = 0; k < len; k++)
        if ((unsigned char)s[k] < 0x20 || (unsigned char)s[k] > 0x7e)
            return fail(c, n, "use printable ASCII (space to '~') in args",
                        "%s: args holds the byte 0x%02x at offset %zu", where, (unsigned char)s[k],
                        k);
    memcpy(out, s, len);
    out[len] = 0;
    return 0;
}

/* A service name [A-Za-z][A-Za-z0-9_-]{0,31}, or "*" if star is allowed. */
static int service(struct ld *c, yaml_node_t *n, const char *where, const char *field, bool star,
                   char *out)
{
    if (star && is_scalar(n, "*")) {
        memcpy(out, "*", 2);
        return 0;
    }
    return a_name(c, n, where, field, true,
                  star ? HJ_SERVICE_HINT "; \"*\" matches any other" : HJ_SERVICE_HINT, out);
}

/* Decimal digits s[0..len) into *v; false if empty, not digits, or > max. */
static bool digits(const char *s, size_t len, uint64_t max, uint64_t *v)
{
    if (len == 0)
        return false;
    uint64_t x = 0;
    for (size_t k = 0; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return false;
        unsigned d = (unsigned)(s[k] - '0');
        if (x > (max - d) / 10)
            return false;
        x = x * 10 + d;
    }
    *v = x;
    return true;
}

static int integer(struct ld *c, yaml_node_t *n, const char *where, const char *field, uint64_t min,
                   uint64_t max, uint64_t *out)
{
    if (scalar(c, n, where, field))
        return -1;
    uint64_t v;
    if (!digits((const char *)n->data.scalar.value, n->data.scalar.length, UINT64_MAX, &v) ||
        v < min || v > max) {
        char hint[128];
        snprintf(hint, sizeof(hint), "use a plain integer from %" PRIu64 " to %" PRIu64 " for %s",
                 min, max, field);
        return fail(c, n, hint,
                    "%s: %s must be an integer from %" PRIu64 " to %" PRIu64 ", got '%s'", where,
                    field, min, max, text(n));
    }
    *out = v;
    return 0;
}

static const char *human(uint64_t v, char *buf, size_t size);

/* A size: bytes, or a number with K, M, G or T (powers of 1024), from min to max and a
 * multiple of align (1: any). */
static int size(struct ld *c, yaml_node_t *n, const char *where, const char *field, uint64_t min,
                uint64_t max, uint64_t align, uint64_t *out)
{
    if (scalar(c, n, where, field))
        return -1;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    unsigned shift = 0;
    if (len > 0) {
        switch (s[len - 1]) {
        case 'K':
            shift = 10;
            break;
        case 'M':
            shift = 20;
            break;
        case 'G':
            shift = 30;
            break;
        case 'T':
            shift = 40;
            break;
        }
    }
    uint64_t v;
    if (!digits(s, shift ? len - 1 : len, UINT64_MAX >> shift, &v) || v == 0)
        return fail(c, n,
                    "sizes are a positive integer of bytes or one with K, M, G or T (1024-based)",
                    "%s: %s must be a size like 4M, got '%s'", where, field, text(n));
    v <<= shift;
    char a[32], b[32], hint[160];
    if ((v < min || v > max) && max == UINT64_MAX) {
        snprintf(hint, sizeof(hint), "use a size of at least %s for %s%s", human(min, a, sizeof(a)),
                 field,
                 min == KIDE_MACHINE_RAM_MIN ? " (the kernel, core and the root hoitaja need it)"
                                             : "");
        return fail(c, n, hint, "%s: %s must be at least %s, got '%s'", where, field,
                    human(min, a, sizeof(a)), text(n));
    }
    if (v < min || v > max) {
        snprintf(hint, sizeof(hint), "use a size from %s to %s for %s", human(min, a, sizeof(a)),
                 human(max, b, sizeof(b)), field);
        return fail(c, n, hint, "%s: %s must be from %s to %s, got '%s'", where, field,
                    human(min, a, sizeof(a)), human(max, b, sizeof(b)), text(n));
    }
    if (v % align) {
        snprintf(hint, sizeof(hint), "round %s to a multiple of %s, e.g. %s", field,
                 human(align, a, sizeof(a)), human((v / align + 1) * align, b, sizeof(b)));
        return fail(c, n, hint, "%s: %s %" PRIu64 " is not a multiple of the %" PRIu64 "-byte page",
                    where, field, v, align);
    }
    *out = v;
    return 0;
}

/* A duration: a number with ms, s, m or h, in milliseconds. */
static int duration(struct ld *c, yaml_node_t *n, const char *where, const char *field,
                    uint64_t *out)
{
    if (scalar(c, n, where, field))
        return -1;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length, unit = len;
    while (unit > 0 && !(s[unit - 1] >= '0' && s[unit - 1] <= '9'))
        unit--;
    static const struct {
        const char *suffix;
        uint64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}};
    uint64_t v;
    for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++) {
        if (len - unit == strlen(units[k].suffix) &&
            memcmp(s + unit, units[k].suffix, len - unit) == 0 &&
            digits(s, unit, UINT64_MAX / 3600000, &v)) {
            *out = v * units[k].ms;
            return 0;
        }
    }
    return fail(c, n, "durations are an integer with ms, s, m or h",
                "%s: %s must be a duration like 100ms or 10s, got '%s'", where, field, text(n));
}

/* One of the NULL-terminated words; its index into *out. */
static int choice(struct ld *c, yaml_node_t *n, const char *where, const char *field,
                  const char *const *words, const char *hint, int *out)
{
    if (scalar(c, n, where, field))
        return -1;
    for (int k = 0; words[k]; k++)
        if (is_scalar(n, words[k])) {
            *out = k;
            return 0;
        }
    return fail(c, n, "use one of the listed words", "%s: %s must be one of %s, got '%s'", where,
                field, hint, text(n));
}

/* A boolean: true or false. */
static int boolean(struct ld *c, yaml_node_t *n, const char *where, const char *field, bool *out)
{
    static const char *const words[] = {"false", "true", NULL};
    int k;
    if (choice(c, n, where, field, words, "true, false", &k))
        return -1;
    *out = k == 1;
    return 0;
}

/* Bytes the JSON form of n's text takes with escapes. */
static size_t escaped_len(const yaml_node_t *n)
{
    size_t len = 0;
    for (size_t k = 0; k < n->data.scalar.length; k++) {
        unsigned char ch = n->data.scalar.value[k];
        len += ch == '"' || ch == '\\' ? 2 : ch < 0x20 ? 6 : 1;
    }
    return len;
}

/* A child's config: any mapping; depth is n's container depth (config itself is 1). */
static int config(struct ld *c, yaml_node_t *n, const char *where, int depth)
{
    if (n->type == YAML_SCALAR_NODE) {
        if (escaped_len(n) > 4000)
            return fail(c, n, "pass large data as a file, not inline config",
                        "%s: config string longer than 4000 bytes", where);
        return 0;
    }
    if (depth > SCN_CONFIG_DEPTH)
        return fail(c, n, "flatten the configuration: at most 16 levels of mappings and lists",
                    "%s: config nested deeper than %d levels", where, SCN_CONFIG_DEPTH);
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++)
            if (config(c, yaml_document_get_node(c->doc, *i), where, depth + 1))
                return -1;
        return 0;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
        if (k->type != YAML_SCALAR_NODE)
            return fail(c, k, "use plain words as config keys",
                        "%s: config keys must be strings, got %s", where, kind(k));
        if (memchr(k->data.scalar.value, 0, k->data.scalar.length))
            return fail(c, k, "remove the NUL character", "%s: config key contains a NUL character",
                        where);
        for (yaml_node_pair_t *q = n->data.mapping.pairs.start; q < p; q++) {
            yaml_node_t *o = yaml_document_get_node(c->doc, q->key);
            if (o->data.scalar.length == k->data.scalar.length &&
                memcmp(o->data.scalar.value, k->data.scalar.value, k->data.scalar.length) == 0)
                return fail(c, k, "remove one of them", "%s: config key '%s' appears twice", where,
                            text(k));
        }
        if (config(c, k, where, depth + 1) ||
            config(c, yaml_document_get_node(c->doc, p->value), where, depth + 1))
            return -1;
    }
    return 0;
}

static int habitat(struct ld *c, yaml_node_t *n, const char *path, int level, bool devices,
                   struct scn_habitat *h);

static int cpu(struct ld *c, yaml_node_t *n, const char *where, struct scn_child *ch)
{
    static const char *const allowed[] = {"quota", "priority", "affinity", NULL};
    uint64_t v = 64;
    yaml_node_t *q, *p, *a;
    if (fields(c, n, where, "cpu", allowed) || !(q = need(c, n, where, "quota")) ||
        integer(c, q, where, "cpu.quota", 0, KIDE_CPU_PCT_MAX, &v))
        return -1;
    ch->cpu_quota = (unsigned)v;
    v = 64;
    if ((p = member(c, n, "priority")) &&
        integer(c, p, where, "cpu.priority", 0, KIDE_CPU_PRIO_MAX, &v))
        return -1;
    ch->cpu_priority = (unsigned)v;
    ch->cpu_affinity = -1;
    if ((a = member(c, n, "affinity"))) {
        unsigned max = c->cpus < SCN_CPUS_MAX ? c->cpus : SCN_CPUS_MAX;
        if (integer(c, a, where, "cpu.affinity", 0, max - 1, &v))
            return -1;
        ch->cpu_affinity = (int)v;
    }
    return 0;
}

/* ram_node: as hoitaja's config.c checks it (0..7), and a node the machine has. */
static int ram_node(struct ld *c, yaml_node_t *n, const char *where, struct scn_child *ch)
{
    uint64_t v;
    if (integer(c, n, where, "ram_node", 0, SCN_NODES_MAX - 1, &v))
        return -1;
    if (v >= c->numa)
        return fail(c, n, "give the machine its NUMA nodes, e.g. machine: {numa: 2}",
                    "%s: ram_node %" PRIu64 ", but the machine has %u NUMA node%s", where, v,
                    c->numa, c->numa == 1 ? "" : "s");
    ch->ram_node = (int)v;
    return 0;
}

static int restart(struct ld *c, yaml_node_t *n, const char *where, struct scn_child *ch)
{
    static const char *const allowed[] = {"policy", "backoff", "max_backoff", NULL};
    static const char *const policies[] = {"never", "on-failure", "always", NULL};
    yaml_node_t *p, *v;
    int pol;
    if (fields(c, n, where, "restart", allowed) || !(p = need(c, n, where, "policy")) ||
        choice(c, p, where, "restart.policy", policies, "never, on-failure, always", &pol))
        return -1;
    ch->restart = (enum scn_restart)pol;
    if ((v = member(c, n, "backoff")) && duration(c, v, where, "restart.backoff", &ch->backoff_ms))
        return -1;
    if ((v = member(c, n, "max_backoff")) &&
        duration(c, v, where, "restart.max_backoff", &ch->max_backoff_ms))
        return -1;
    if (ch->backoff_ms == 0)
        return fail(c, n, "use a backoff of 1ms or more",
                    "%s: restart.backoff must be at least 1ms", where);
    if (ch->max_backoff_ms < ch->backoff_ms)
        return fail(c, n, "raise max_backoff or lower backoff",
                    "%s: restart.max_backoff (%" PRIu64 "ms) is below restart.backoff (%" PRIu64
                    "ms)",
                    where, ch->max_backoff_ms, ch->backoff_ms);
    return 0;
}

static int provides(struct ld *c, yaml_node_t *n, const char *where, struct scn_child *ch)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, "write provides: [Timer]", "%s: provides must be a list, got %s", where,
                    kind(n));
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    ch->provides = calloc(cnt ? cnt : 1, sizeof(*ch->provides));
    if (!ch->provides)
        return fail(c, n, "free memory on the host", "out of memory");
    for (size_t k = 0; k < cnt; k++) {
        yaml_node_t *s = yaml_document_get_node(c->doc, n->data.sequence.items.start[k]);
        if (service(c, s, where, "provides", false, ch->provides[k]))
            return -1;
        for (size_t j = 0; j < k; j++)
            if (strcmp(ch->provides[j], ch->provides[k]) == 0)
                return fail(c, s, "list each service once", "%s: service '%s' is provided twice",
                            where, ch->provides[k]);
        ch->nprovides++;
    }
    return 0;
}

static int route(struct ld *c, yaml_node_t *n, const char *where, struct scn_route *r)
{
    static const char *const allowed[] = {"service", "to", "child", NULL};
    static const char *const dests[] = {"parent", "child", "denied", NULL};
    yaml_node_t *s, *t, *ch;
    int to;
    r->line = line_of(n);
    if (fields(c, n, where, "route", allowed) || !(s = need(c, n, where, "service")) ||
        service(c, s, where, "route service", true, r->service) || !(t = need(c, n, where, "to")) ||
        choice(c, t, where, "route to", dests, "parent, child, denied", &to))
        return -1;
    r->to = (enum scn_to)to;
    ch = member(c, n, "child");
    if (r->to == SCN_TO_CHILD && !ch)
        return fail(c, n, "name the sibling: {service: Timer, to: child, child: timer}",
                    "%s: route for %s goes to a child but names none", where, r->service);
    if (r->to != SCN_TO_CHILD && ch)
        return fail(c, ch, "use to: child, or drop 'child'",
                    "%s: route for %s names a child but goes to %s", where, r->service, dests[to]);
    return ch ? name(c, ch, where, "route child", r->child) : 0;
}

static int routes(struct ld *c, yaml_node_t *n, const char *where, struct scn_child *ch)
{
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(c, n, "write routes: [{service: Timer, to: parent}]",
                    "%s: routes must be a list, got %s", where, kind(n));
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    ch->routes = calloc(cnt ? cnt : 1, sizeof(*ch->routes));
    if (!ch->routes)
        return fail(c, n, "free memory on the host", "out of memory");
    for (size_t k = 0; k < cnt; k++) {
        yaml_node_t *r = yaml_document_get_node(c->doc, n->data.sequence.items.start[k]);
        if (route(c, r, where, &ch->routes[k]))
            return -1;
        ch->nroutes++;
        for (size_t j = 0; j < k; j++) {
            if (strcmp(ch->routes[j].service, "*") == 0)
                return fail(c, r, "put the \"*\" route last",
                            "%s: route for %s comes after the \"*\" route and is never used", where,
                            ch->routes[k].service);
            if (strcmp(ch->routes[j].service, ch->routes[k].service) == 0)
                return fail(c, r, "keep one route per service", "%s: service %s is routed twice",
                            where, ch->routes[k].service);
        }
    }
    return 0;
}

/*
 * One child of the habitat at path ("" for the root, "tenant-a/" below it).
 * devices: whether that habitat holds the device right it could pass on
 * (core gives it to the root habitat; a nested one has it with devices: true).
 */
static int child(struct ld *c, yaml_node_t *n, const char *path, int level, bool devices,
                 struct scn_child *ch)
{
    static const char *const allowed[] = {"name",     "binary",  "ram",     "caps",      "cpu",
                                          "provides", "routes",  "restart", "heartbeat", "devices",
                                          "config",   "habitat", "args",    "ram_node",  NULL};
    char where[300];
    yaml_node_t *v;
    ch->line = line_of(n);
    ch->backoff_ms = 100;
    ch->max_backoff_ms = 10000;
    ch->cpu_priority = 64;
    ch->cpu_affinity = -1;
    ch->ram_node = -1;
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, "write a child as a mapping with name, binary, ram, caps and cpu",
                    "%schild must be a mapping, got %s", path, kind(n));
    v = member(c, n, "name");
    if (!v)
        return fail(c, n, "give every child a name", "%schild without a name", path);
    if (name(c, v, "child", "name", ch->name))
        return -1;
    snprintf(where, sizeof(where), "child '%s%s'", path, ch->name);
    if (fields(c, n, where, NULL, allowed) || !(v = need(c, n, where, "binary")) ||
        name(c, v, where, "binary", ch->binary) || !(v = need(c, n, where, "ram")) ||
        size(c, v, where, "ram", KIDE_RAM_MIN, KIDE_RAM_MAX, KIDE_RAM_ALIGN, &ch->ram) ||
        !(v = need(c, n, where, "caps")) ||
        integer(c, v, where, "caps", KIDE_CAPS_MIN, KIDE_CAPS_MAX, &ch->caps) ||
        !(v = need(c, n, where, "cpu")) || cpu(c, v, where, ch))
        return -1;
    if ((v = member(c, n, "provides")) && provides(c, v, where, ch))
        return -1;
    if ((v = member(c, n, "routes")) && routes(c, v, where, ch))
        return -1;
    if ((v = member(c, n, "restart")) && restart(c, v, where, ch))
        return -1;
    if ((v = member(c, n, "heartbeat")) && duration(c, v, where, "heartbeat", &ch->heartbeat_ms))
        return -1;
    if ((v = member(c, n, "devices"))) {
        if (boolean(c, v, where, "devices", &ch->devices))
            return -1;
        if (ch->devices && !devices) {
            /* path is "tenant-a/": the habitat without its trailing '/' */
            return fail(c, v,
                        "set devices: true on the habitat's own child entry too: a habitat "
                        "can only pass on a device right it holds",
                        "%s: devices: true, but its habitat '%.*s' has no device right", where,
                        (int)strlen(path) - 1, path);
        }
    }
    if ((v = member(c, n, "args")) && args(c, v, where, ch->args))
        return -1;
    if ((v = member(c, n, "ram_node")) && ram_node(c, v, where, ch))
        return -1;
    if ((v = member(c, n, "config"))) {
        if (v->type != YAML_MAPPING_NODE)
            return fail(c, v, "write config: {key: value}", "%s: config must be a mapping, got %s",
                        where, kind(v));
        if (config(c, v, where, 1))
            return -1;
        ch->config = v;
    }
    v = member(c, n, "habitat");
    bool manager = strcmp(ch->binary, "hoitaja") == 0;
    if (v && !manager)
        return fail(c, v, "a nested habitat is run by binary: hoitaja",
                    "%s: habitat is only allowed with binary hoitaja", where);
    if (!v && manager)
        return fail(c, n, "add habitat: {children: [...]}",
                    "%s: binary hoitaja needs a habitat section", where);
    if (!v)
        return 0;
    if (level + 1 > (int)SCN_MAX_NESTING)
        return fail(c, v, "flatten the habitat tree: at most 4 habitats inside each other",
                    "%s: habitats nested deeper than %u levels", where, SCN_MAX_NESTING);
    ch->habitat = calloc(1, sizeof(*ch->habitat));
    if (!ch->habitat)
        return fail(c, v, "free memory on the host", "out of memory");
    char sub[300];
    snprintf(sub, sizeof(sub), "%s%s/", path, ch->name);
    return habitat(c, v, sub, level + 1, ch->devices, ch->habitat);
}

/* Human form of a byte count for messages: 36M, 1536K, 100. */
static const char *human(uint64_t v, char *buf, size_t size)
{
    if (v && v % (1ull << 40) == 0)
        snprintf(buf, size, "%" PRIu64 "T", v >> 40);
    else if (v && v % (1u << 30) == 0)
        snprintf(buf, size, "%" PRIu64 "G", v >> 30);
    else if (v && v % (1u << 20) == 0)
        snprintf(buf, size, "%" PRIu64 "M", v >> 20);
    else if (v && v % (1u << 10) == 0)
        snprintf(buf, size, "%" PRIu64 "K", v >> 10);
    else
        snprintf(buf, size, "%" PRIu64, v);
    return buf;
}

static const struct scn_child *find_child(const struct scn_habitat *h, const char *nm)
{
    for (size_t k = 0; k < h->nchildren; k++)
        if (strcmp(h->children[k].name, nm) == 0)
            return &h->children[k];
    return NULL;
}

/* Route targets exist in the same habitat, are not the child itself, and provide the service. */
static int check_routes(struct ld *c, yaml_node_t *hn, const char *path,
                        const struct scn_habitat *h)
{
    for (size_t k = 0; k < h->nchildren; k++) {
        const struct scn_child *ch = &h->children[k];
        for (size_t r = 0; r < ch->nroutes; r++) {
            const struct scn_route *rt = &ch->routes[r];
            if (rt->to != SCN_TO_CHILD)
                continue;
            const struct scn_child *t = find_child(h, rt->child);
            if (!t || t == ch) {
                fail(c, NULL, "a route can only go to a sibling in the same habitat",
                     "child '%s%s': route for %s goes to %s '%s'", path, ch->name, rt->service,
                     t ? "itself," : "unknown child", rt->child);
                c->err->line = rt->line;
                return -1;
            }
            bool has = strcmp(rt->service, "*") == 0;
            for (size_t p = 0; p < t->nprovides && !has; p++)
                has = strcmp(t->provides[p], rt->service) == 0;
            if (!has) {
                fail(c, NULL, "add the service to the target's provides, or fix the route",
                     "child '%s%s': route for %s goes to child '%s', which does not provide %s",
                     path, ch->name, rt->service, t->name, rt->service);
                c->err->line = rt->line;
                return -1;
            }
        }
    }
    (void)hn;
    return 0;
}

static int habitat(struct ld *c, yaml_node_t *n, const char *path, int level, bool devices,
                   struct scn_habitat *h)
{
    static const char *const allowed[] = {"children", "exit_with", NULL};
    char where[300];
    snprintf(where, sizeof(where), "%s%s", *path ? "habitat of " : "habitat", path);
    if (*path)
        where[strlen(where) - 1] = 0; /* drop the trailing '/' */
    yaml_node_t *l, *ew;
    if (fields(c, n, where, NULL, allowed) || !(l = need(c, n, where, "children")))
        return -1;
    if ((ew = member(c, n, "exit_with")) && name(c, ew, where, "exit_with", h->exit_with))
        return -1;
    if (l->type != YAML_SEQUENCE_NODE)
        return fail(c, l, "write children: [...] (a list of children)",
                    "%s: children must be a list, got %s", where, kind(l));
    size_t cnt = (size_t)(l->data.sequence.items.top - l->data.sequence.items.start);
    if (cnt > KIDE_CHILDREN_MAX)
        return fail(c, l, "split the habitat into nested habitats", "%s: more than %u children",
                    where, KIDE_CHILDREN_MAX);
    h->children = calloc(cnt ? cnt : 1, sizeof(*h->children));
    if (!h->children)
        return fail(c, l, "free memory on the host", "out of memory");
    for (size_t k = 0; k < cnt; k++) {
        yaml_node_t *cn = yaml_document_get_node(c->doc, l->data.sequence.items.start[k]);
        h->nchildren++;
        if (child(c, cn, path, level, devices, &h->children[k]))
            return -1;
        for (size_t j = 0; j < k; j++)
            if (strcmp(h->children[j].name, h->children[k].name) == 0)
                return fail(c, cn, "names must be unique within a habitat",
                            "child '%s%s': name already used on line %d", path, h->children[k].name,
                            h->children[j].line);
    }
    if (ew && !find_child(h, h->exit_with))
        return fail(c, ew, "name one of this habitat's children, or drop exit_with",
                    "%s: exit_with names '%s', which is not a child", where, h->exit_with);
    return check_routes(c, n, path, h);
}

/* The CPU a child runs on: its cpu.affinity, or its habitat's CPU. */
static unsigned cpu_of(const struct scn_child *ch, unsigned home)
{
    return ch->cpu_affinity >= 0 ? (unsigned)ch->cpu_affinity : home;
}

/* Sessions stay on one CPU (IPC never crosses CPUs): a route to a sibling on
 * another CPU, or to the parent from another CPU than the habitat's (except
 * the habitat's own management session, Hoitaja), cannot work. */
static int check_cpu_routes(struct ld *c, const struct scn_habitat *h, const char *path,
                            unsigned home)
{
    for (size_t k = 0; k < h->nchildren; k++) {
        const struct scn_child *ch = &h->children[k];
        unsigned mine = cpu_of(ch, home);
        /* A nested habitat's quota is a share of its own CPU: placing a child on
         * another would hand out time the habitat was never given. */
        if (*path && mine != home) {
            fail(c, NULL, "only the root habitat places children on other CPUs",
                 "child '%s%s': cpu.affinity %u, but its habitat runs on cpu %u", path, ch->name,
                 mine, home);
            c->err->line = ch->line;
            return -1;
        }
        for (size_t r = 0; r < ch->nroutes; r++) {
            const struct scn_route *rt = &ch->routes[r];
            const struct scn_child *t = rt->to == SCN_TO_CHILD ? find_child(h, rt->child) : NULL;
            if (t && cpu_of(t, home) != mine) {
                fail(c, NULL, "put both on one CPU (cpu.affinity)",
                     "child '%s%s': route for %s goes to child '%s' on cpu %u from cpu %u: "
                     "sessions cannot cross CPUs yet",
                     path, ch->name, rt->service, t->name, cpu_of(t, home), mine);
                c->err->line = rt->line;
                return -1;
            }
            if (rt->to == SCN_TO_PARENT && mine != home && strcmp(rt->service, "Hoitaja")) {
                fail(c, NULL,
                     "put the child on the habitat's CPU, or route only Hoitaja to the parent",
                     "child '%s%s': route for %s goes to the parent from cpu %u (the habitat "
                     "runs on cpu %u): sessions cannot cross CPUs yet",
                     path, ch->name, rt->service, mine, home);
                c->err->line = rt->line;
                return -1;
            }
        }
    }
    return 0;
}

/* *sum += add if the result stays at most max; else *sum becomes the true sum
 * (saturated at UINT64_MAX, never wrapped) and the result is false. */
static bool add_within(uint64_t *sum, uint64_t add, uint64_t max)
{
    bool ok = *sum <= max && add <= max - *sum;
    *sum = add > UINT64_MAX - *sum ? UINT64_MAX : *sum + add;
    return ok;
}

/* A nested habitat child ch has room for its own hoitaja; what it leaves the children
 * (as hoitaja's validator computes it, with one page of configuration: the check of
 * the written init.json in scn_check_init counts the real one). */
static int habitat_left(struct ld *c, const struct scn_child *ch, const char *who, uint64_t *ram,
                        uint64_t *caps)
{
    char a[32], b[32];
    uint64_t own = kide_hab_ram_overhead(ch->ram, 1);
    if (ch->ram <= own || ch->caps < KIDE_HAB_CAPS_OVERHEAD + KIDE_CAPS_MIN) {
        fail(c, NULL, "give the habitat more: its hoitaja keeps about 1M of ram and 48 caps",
             "%s: ram %s and caps %" PRIu64 " leave its children nothing: its hoitaja keeps %s "
             "and %u caps, a child needs at least %u caps",
             who, human(ch->ram, a, sizeof(a)), ch->caps, human(own, b, sizeof(b)),
             KIDE_HAB_CAPS_OVERHEAD, KIDE_CAPS_MIN);
        c->err->line = ch->line;
        return -1;
    }
    *ram = ch->ram - own;
    *caps = ch->caps - KIDE_HAB_CAPS_OVERHEAD;
    return 0;
}

/* Quota sums of habitat h (on CPU home) fit into ram/caps (caps 0: not checked) and,
 * per CPU, cpu.quota into 100: on home, percent of the habitat's share; on every
 * other CPU, percent of that whole CPU. The first child that takes a sum past its
 * bound is named, with the sum so far (sums never wrap). */
static int check_sums(struct ld *c, const struct scn_habitat *h, const char *path, int line,
                      const char *owner, uint64_t ram, uint64_t caps, unsigned home)
{
    uint64_t sram = 0, scaps = 0, scpu[SCN_CPUS_MAX] = {0};
    char a[32], b[32], d[32];
    const char *hint =
            *path ? "lower the children's quotas or raise the habitat's (its hoitaja "
                    "keeps about 1M of ram and 48 caps for itself)"
                  : "lower the children's quotas or give the machine more ram (the "
                    "kernel, core and the root hoitaja keep an eighth and 9M, at least a "
                    "quarter)";
    if (check_cpu_routes(c, h, path, home))
        return -1;
    for (size_t k = 0; k < h->nchildren; k++) {
        const struct scn_child *ch = &h->children[k];
        if (!add_within(&sram, ch->ram, ram)) {
            fail(c, NULL, hint,
                 "child '%s%s': the children's ram adds up to %s with its %s, more "
                 "than %s (%s)",
                 path, ch->name, human(sram, a, sizeof(a)), human(ch->ram, d, sizeof(d)),
                 *path ? "what the habitat's ram leaves them"
                       : "what the machine's ram leaves them",
                 human(ram, b, sizeof(b)));
            c->err->line = ch->line;
            return -1;
        }
        if (caps && !add_within(&scaps, ch->caps, caps)) {
            fail(c, NULL, hint,
                 "child '%s%s': the children's caps add up to %" PRIu64 " with its %" PRIu64
                 ", more than the %" PRIu64 " the habitat's caps leave them",
                 path, ch->name, scaps, ch->caps, caps);
            c->err->line = ch->line;
            return -1;
        }
        scpu[cpu_of(ch, home) % SCN_CPUS_MAX] += ch->cpu_quota;
        if (ch->habitat) {
            char sub[300], who[340];
            uint64_t ram_left, caps_left;
            snprintf(sub, sizeof(sub), "%s%s/", path, ch->name);
            snprintf(who, sizeof(who), "child '%s%s'", path, ch->name);
            if (habitat_left(c, ch, who, &ram_left, &caps_left) ||
                check_sums(c, ch->habitat, sub, ch->line, who, ram_left, caps_left,
                           cpu_of(ch, home)))
                return -1;
        }
    }
    int rc = 0;
    for (unsigned k = 0; !rc && k < SCN_CPUS_MAX; k++) {
        if (scpu[k] <= KIDE_CPU_PCT_MAX)
            continue;
        if (k == home)
            rc = fail(c, NULL, hint, "%s: children's cpu quotas (%" PRIu64 "%%) exceed 100%%",
                      owner, scpu[k]);
        else
            rc = fail(c, NULL, "lower the cpu quotas of the children placed on that CPU",
                      "%s: children's cpu quotas on cpu %u (%" PRIu64
                      "%%) exceed 100%% (the whole CPU)",
                      owner, k, scpu[k]);
    }
    if (rc)
        c->err->line = line;
    return rc;
}

static int expect(struct ld *c, yaml_node_t *n, struct scn *s)
{
    static const char *const allowed[] = {"log", "exit", "timeout", NULL};
    static const char *const exits[] = {"none", "success", "failure", NULL};
    yaml_node_t *v;
    int e = SCN_EXIT_NONE;
    s->has_expect = true;
    s->expect_timeout_ms = 60000;
    if (fields(c, n, "expect", NULL, allowed))
        return -1;
    if ((v = member(c, n, "exit")) &&
        choice(c, v, "expect", "exit", exits, "success, failure, none", &e))
        return -1;
    s->expect_exit = (enum scn_exit)e;
    if ((v = member(c, n, "timeout")) && duration(c, v, "expect", "timeout", &s->expect_timeout_ms))
        return -1;
    if (!(v = member(c, n, "log")))
        return 0;
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "write log: [\"line\", ...]",
                    "expect: log must be a list of lines, got %s", kind(v));
    size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    s->expect_log = calloc(cnt ? cnt : 1, sizeof(char *));
    if (!s->expect_log)
        return fail(c, v, "free memory on the host", "out of memory");
    for (size_t k = 0; k < cnt; k++) {
        yaml_node_t *l = yaml_document_get_node(c->doc, v->data.sequence.items.start[k]);
        if (scalar(c, l, "expect", "log line"))
            return -1;
        if (memchr(l->data.scalar.value, '\n', l->data.scalar.length) ||
            memchr(l->data.scalar.value, '\r', l->data.scalar.length) || l->data.scalar.length == 0)
            return fail(c, l, "write one expected line per entry",
                        "expect: log line %zu must be one non-empty line", k + 1);
        s->expect_log[k] = strdup((const char *)l->data.scalar.value);
        if (!s->expect_log[k])
            return fail(c, l, "free memory on the host", "out of memory");
        s->nexpect_log++;
    }
    return 0;
}

static int machine(struct ld *c, yaml_node_t *n, struct scn *s)
{
    static const char *const allowed[] = {"cpus", "ram", "numa", NULL};
    yaml_node_t *v;
    uint64_t cpus, numa = 1;
    if (fields(c, n, "machine", NULL, allowed) || !(v = need(c, n, "machine", "cpus")) ||
        integer(c, v, "machine", "cpus", 1, 64, &cpus) || !(v = need(c, n, "machine", "ram")) ||
        size(c, v, "machine", "ram", KIDE_MACHINE_RAM_MIN, UINT64_MAX, 1, &s->ram))
        return -1;
    /* NUMA nodes: RAM split evenly, CPU i on node i % numa (docs/formats/scenario.md). */
    if ((v = member(c, n, "numa")) && integer(c, v, "machine", "numa", 1, SCN_NODES_MAX, &numa))
        return -1;
    if (numa > cpus)
        return fail(c, v, "give every node a CPU: numa at most machine.cpus",
                    "machine: numa %" PRIu64 " is more than its %" PRIu64 " CPUs", numa, cpus);
    s->cpus = (unsigned)cpus;
    c->cpus = s->cpus;
    s->numa = c->numa = (unsigned)numa;
    return 0;
}

static int top(struct ld *c, yaml_node_t *n, struct scn *s)
{
    static const char *const allowed[] = {"name", "machine", "habitat", "expect", NULL};
    yaml_node_t *v, *h;
    if (fields(c, n, "scenario", NULL, allowed) || !(v = need(c, n, "scenario", "name")) ||
        name(c, v, "scenario", "name", s->name) || !(v = need(c, n, "scenario", "machine")) ||
        machine(c, v, s) || !(h = need(c, n, "scenario", "habitat")) ||
        habitat(c, h, "", 0, true /* core grants init the device right */, &s->root))
        return -1;
    if ((v = member(c, n, "expect")) && expect(c, v, s))
        return -1;
    /* The root habitat runs on CPU 0 with all of it; 100% per CPU. */
    return check_sums(c, &s->root, "", line_of(h), "habitat", kide_root_children_ram(s->ram), 0, 0);
}

/* Refuse aliases and more than one document before building the tree. */
static int prescan(struct ld *c, const char *text, size_t len)
{
    yaml_parser_t p;
    yaml_event_t ev;
    int docs = 0, rc = 0;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    for (bool done = false; !done && rc == 0;) {
        if (!yaml_parser_parse(&p, &ev)) {
            c->err->line = (int)p.problem_mark.line + 1;
            snprintf(c->err->msg, sizeof(c->err->msg), "malformed YAML: %s%s%s",
                     p.problem ? p.problem : "parse error", p.context ? " " : "",
                     p.context ? p.context : "");
            snprintf(c->err->hint, sizeof(c->err->hint), "check the indentation and quoting");
            rc = -1;
            break;
        }
        yaml_node_t at = {.start_mark = ev.start_mark};
        if (ev.type == YAML_ALIAS_EVENT)
            rc = fail(c, &at, "write the value out instead of using *alias",
                      "YAML aliases are not supported");
        if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1)
            rc = fail(c, &at, "keep one scenario per file", "more than one YAML document");
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

int scn_load(struct scn *s, const char *text, size_t len, struct scn_error *err)
{
    struct ld c = {.doc = &s->doc, .err = err};
    memset(s, 0, sizeof(*s));
    memset(err, 0, sizeof(*err));
    if (prescan(&c, text, len))
        return -1;
    yaml_parser_t p;
    yaml_parser_initialize(&p);
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    int ok = yaml_parser_load(&p, &s->doc);
    yaml_parser_delete(&p);
    if (!ok)
        return fail(&c, NULL, "check the indentation and quoting", "malformed YAML");
    s->have_doc = true;
    yaml_node_t *root = yaml_document_get_root_node(&s->doc);
    int rc = root ? top(&c, root, s)
                  : fail(&c, NULL, "start from docs/formats/scenario.md", "the file is empty");
    if (rc)
        scn_free(s);
    return rc;
}

static void free_habitat(struct scn_habitat *h)
{
    for (size_t k = 0; h->children && k < h->nchildren; k++) {
        struct scn_child *ch = &h->children[k];
        free(ch->provides);
        free(ch->routes);
        if (ch->habitat)
            free_habitat(ch->habitat);
        free(ch->habitat);
    }
    free(h->children);
}

void scn_free(struct scn *s)
{
    free_habitat(&s->root);
    for (size_t k = 0; k < s->nexpect_log; k++)
        free(s->expect_log[k]);
    free(s->expect_log);
    if (s->have_doc)
        yaml_document_delete(&s->doc);
    memset(s, 0, sizeof(*s));
}
