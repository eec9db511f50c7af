/* SPDX-License-Identifier: MIT */
/* kide-scenario loader: YAML text to a struct scn; see scenario.h.
 *
 * libyaml builds the node tree (after a pass over the events that refuses
 * aliases, so a small file cannot expand into a huge one); the loader then
 * walks it once, top-down, checking each mapping against the fields its
 * level allows and each value against its form: a name, a number, a size
 * like 4M, a duration like 10s, one of a few words. What a value may be
 * (ranges, page alignment, quota sums, nesting, every limit) is hoitaja's
 * validator's to say: scn_load() ends by writing init.json and having it
 * judged (scn_check_init), so the two can never disagree. The machine's own
 * fields, which init.json does not carry, are checked here. The first problem
 * ends the load with its line, a message naming the field and the offending
 * value, and a hint.
 */
#include "scenario.h"
#include "hoitaja.h" /* hj_name_check: hoitaja's check of names (os/hoitaja/config.c) */

#include <kide/json.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* Loader state. */
struct ld {
    yaml_document_t *doc;
    struct scn_error *err;
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

/* A child's binary: a boot module's name or "pkg:<user>/<name>/<version>"
 * (hoitaja's hj_binary_check, the one check of binaries). */
static int binary(struct ld *c, yaml_node_t *n, const char *where, char *out)
{
    char why[200];
    if (scalar(c, n, where, "binary"))
        return -1;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (len > HJ_NAME_MAX || strlen(s) != len || hj_binary_check(s, len, why, sizeof(why))) {
        if (len > HJ_NAME_MAX || strlen(s) != len)
            snprintf(why, sizeof(why), "is %zu bytes (or holds a NUL), at most %u", len,
                     HJ_NAME_MAX);
        return fail(c, n, HJ_BINARY_HINT, "%s: binary '%s' %s", where, text(n), why);
    }
    memcpy(out, s, len + 1);
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

/* A number: decimal digits, no sign, within 64 bits. */
static int integer(struct ld *c, yaml_node_t *n, const char *where, const char *field,
                   uint64_t *out)
{
    if (scalar(c, n, where, field))
        return -1;
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (digits(s, len, UINT64_MAX, out))
        return 0;
    if (len && strspn(s, "0123456789") == len)
        return fail(c, n, "see docs/formats/scenario.md for the field's range",
                    "%s: %s '%s' is too large (more than 64 bits)", where, field, text(n));
    char hint[128];
    snprintf(hint, sizeof(hint), "write %s as decimal digits, without sign, fraction or unit",
             field);
    return fail(c, n, hint, "%s: %s must be an integer, got '%s'", where, field, text(n));
}

/* A machine field's range (the machine is not in init.json: checked here). */
static int in_range(struct ld *c, yaml_node_t *n, const char *field, uint64_t v, uint64_t min,
                    uint64_t max)
{
    if (v >= min && v <= max)
        return 0;
    char hint[128];
    snprintf(hint, sizeof(hint), "use a plain integer from %" PRIu64 " to %" PRIu64 " for %s", min,
             max, field);
    return fail(c, n, hint,
                "machine: %s must be an integer from %" PRIu64 " to %" PRIu64 ", got '%s'", field,
                min, max, text(n));
}

/* A size: bytes, or a number with K, M, G or T (powers of 1024), within 64 bits. */
static int size(struct ld *c, yaml_node_t *n, const char *where, const char *field, uint64_t *out)
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
    if (!digits(s, shift ? len - 1 : len, UINT64_MAX >> shift, &v))
        return fail(c, n,
                    "sizes are an integer of bytes or one with K, M, G or T (1024-based), "
                    "within 64 bits",
                    "%s: %s must be a size like 4M, got '%s'", where, field, text(n));
    *out = v << shift;
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

static int habitat(struct ld *c, yaml_node_t *n, const char *path, int level,
                   struct scn_habitat *h);

static int cpu(struct ld *c, yaml_node_t *n, const char *where, struct scn_child *ch)
{
    static const char *const allowed[] = {"quota", "priority", "affinity", NULL};
    yaml_node_t *q, *p, *a;
    if (fields(c, n, where, "cpu", allowed) || !(q = need(c, n, where, "quota")) ||
        integer(c, q, where, "cpu.quota", &ch->cpu_quota))
        return -1;
    if ((p = member(c, n, "priority")) && integer(c, p, where, "cpu.priority", &ch->cpu_priority))
        return -1;
    if ((a = member(c, n, "affinity"))) {
        if (integer(c, a, where, "cpu.affinity", &ch->cpu_affinity))
            return -1;
        ch->has_affinity = true;
    }
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
    /* hoitaja's default: a max_backoff below the backoff given becomes it */
    if (!v && ch->max_backoff_ms < ch->backoff_ms)
        ch->max_backoff_ms = ch->backoff_ms;
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
    if (fields(c, n, where, "route", allowed) || !(s = need(c, n, where, "service")) ||
        service(c, s, where, "route service", true, r->service) || !(t = need(c, n, where, "to")) ||
        choice(c, t, where, "route to", dests, "parent, child, denied", &to))
        return -1;
    r->to = (enum scn_to)to;
    ch = member(c, n, "child");
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
    }
    return 0;
}

/* One child of the habitat at path ("" for the root, "tenant-a/" below it), at
 * habitat depth level (0: the root habitat). */
static int child(struct ld *c, yaml_node_t *n, const char *path, int level, struct scn_child *ch)
{
    static const char *const allowed[] = {
            "name",   "binary",   "ram",         "caps",    "cpu",    "provides",
            "routes", "restart",  "heartbeat",   "devices", "config", "habitat",
            "args",   "ram_node", "config_live", "posix",   NULL};
    char where[300];
    yaml_node_t *v;
    ch->line = line_of(n);
    ch->backoff_ms = 100;
    ch->max_backoff_ms = 10000;
    ch->cpu_priority = 64;
    ch->args = "";
    if (n->type != YAML_MAPPING_NODE)
        return fail(c, n, "write a child as a mapping with name, binary, ram, caps and cpu",
                    "%schild must be a mapping, got %s", path, kind(n));
    v = member(c, n, "name");
    if (!v)
        return fail(c, n, "give every child a name", "%schild without a name", path);
    if (name(c, v, "child", "name", ch->name))
        return -1;
    snprintf(where, sizeof(where), "child '%s%s'", path, ch->name);
    /* A POSIX child (posix:) runs the runtime: binary is implied. Its posix mapping
     * goes to init.json with every scalar a string; hoitaja's validator (the runtime's
     * own parser, os/posix/config) judges it, and refuses binary and posix together. */
    yaml_node_t *px = member(c, n, "posix");
    if (px) {
        if (px->type != YAML_MAPPING_NODE)
            return fail(c, px, "write posix: {program: NAME, args: [...], ...}",
                        "%s: posix must be a mapping, got %s", where, kind(px));
        if (config(c, px, where, 1))
            return -1;
        ch->posix = px;
    }
    if (fields(c, n, where, NULL, allowed) ||
        ((v = px ? member(c, n, "binary") : need(c, n, where, "binary")) &&
         binary(c, v, where, ch->binary)) ||
        (!px && !v) || !(v = need(c, n, where, "ram")) || size(c, v, where, "ram", &ch->ram) ||
        !(v = need(c, n, where, "caps")) || integer(c, v, where, "caps", &ch->caps) ||
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
        static const char *const words[] = {"false", "true", "platform", NULL};
        int k;
        if (choice(c, v, where, "devices", words, "true, false, platform", &k))
            return -1;
        ch->devices = k >= 1;
        ch->platform = k == 2;
    }
    if ((v = member(c, n, "args"))) {
        if (scalar(c, v, where, "args"))
            return -1;
        ch->args = (const char *)v->data.scalar.value;
    }
    if ((v = member(c, n, "ram_node"))) {
        if (integer(c, v, where, "ram_node", &ch->ram_node))
            return -1;
        ch->has_ram_node = true;
    }
    if ((v = member(c, n, "config_live"))) {
        static const char *const words[] = {"false", "true", NULL};
        int k;
        if (choice(c, v, where, "config_live", words, "true, false", &k))
            return -1;
        ch->config_live = k == 1;
    }
    if ((v = member(c, n, "config"))) {
        if (v->type != YAML_MAPPING_NODE)
            return fail(c, v, "write config: {key: value}", "%s: config must be a mapping, got %s",
                        where, kind(v));
        if (config(c, v, where, 1))
            return -1;
        ch->config = v;
    }
    if (!(v = member(c, n, "habitat")))
        return 0;
    ch->habitat = calloc(1, sizeof(*ch->habitat));
    if (!ch->habitat)
        return fail(c, v, "free memory on the host", "out of memory");
    /* One level deeper than hoitaja allows is enough for its validator to refuse
     * it; what lies below is not read (it keeps the output's nesting bounded). */
    if (level + 1 > (int)KIDE_NEST_MAX)
        return 0;
    char sub[300];
    snprintf(sub, sizeof(sub), "%s%s/", path, ch->name);
    return habitat(c, v, sub, level + 1, ch->habitat);
}

static int habitat(struct ld *c, yaml_node_t *n, const char *path, int level, struct scn_habitat *h)
{
    static const char *const allowed[] = {"children", "exit_with", NULL};
    char where[300];
    snprintf(where, sizeof(where), "%s%s", *path ? "habitat of " : "habitat", path);
    if (*path)
        where[strlen(where) - 1] = 0; /* drop the trailing '/' */
    yaml_node_t *l, *ew;
    if (fields(c, n, where, NULL, allowed) || !(l = need(c, n, where, "children")))
        return -1;
    h->node = n;
    if ((ew = member(c, n, "exit_with")) && name(c, ew, where, "exit_with", h->exit_with))
        return -1;
    if (l->type != YAML_SEQUENCE_NODE)
        return fail(c, l, "write children: [...] (a list of children)",
                    "%s: children must be a list, got %s", where, kind(l));
    size_t cnt = (size_t)(l->data.sequence.items.top - l->data.sequence.items.start);
    h->children = calloc(cnt ? cnt : 1, sizeof(*h->children));
    if (!h->children)
        return fail(c, l, "free memory on the host", "out of memory");
    for (size_t k = 0; k < cnt; k++) {
        yaml_node_t *cn = yaml_document_get_node(c->doc, l->data.sequence.items.start[k]);
        h->nchildren++;
        if (child(c, cn, path, level, &h->children[k]))
            return -1;
    }
    return 0;
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

/* machine.devices or machine.netdevs: a list of QEMU -device / -netdev
 * arguments, each one word of [A-Za-z0-9_.,=:-] (scenario-run.sh passes them
 * as single arguments: no shell, no spaces, no options of their own). */
static int qemu_list(struct ld *c, yaml_node_t *v, const char *field,
                     char out[][SCN_QEMU_ARG_LEN + 1], unsigned *count)
{
    if (v->type != YAML_SEQUENCE_NODE)
        return fail(c, v, "write e.g. devices: [\"virtio-net-pci,netdev=n0\"]",
                    "machine: %s must be a list, got %s", field, kind(v));
    size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if (cnt > SCN_QEMU_ARGS_MAX)
        return fail(c, v, "use fewer entries", "machine: %s has %zu entries, at most %d", field,
                    cnt, SCN_QEMU_ARGS_MAX);
    for (size_t k = 0; k < cnt; k++) {
        yaml_node_t *l = yaml_document_get_node(c->doc, v->data.sequence.items.start[k]);
        if (scalar(c, l, "machine", field))
            return -1;
        size_t len = l->data.scalar.length;
        if (len > SCN_QEMU_ARG_LEN)
            return fail(c, l, "use fewer options in one entry (e.g. fewer hostfwd rules)",
                        "machine: %s entry %zu is %zu bytes, at most %d", field, k + 1, len,
                        SCN_QEMU_ARG_LEN);
        bool ok = len > 0;
        for (size_t i = 0; ok && i < len; i++) {
            unsigned char ch = l->data.scalar.value[i];
            ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                 strchr("_.,=:-", ch);
        }
        if (!ok)
            return fail(c, l, "write one QEMU argument of letters, digits and _.,=:- (no spaces)",
                        "machine: %s entry %zu '%s' is not one QEMU argument", field, k + 1,
                        text(l));
        memcpy(out[k], l->data.scalar.value, len);
        out[k][len] = 0;
        ++*count;
    }
    return 0;
}

/* machine.cpu: a QEMU CPU model with feature flags, one word of
 * [A-Za-z0-9_.,=+-] (scenario-run.sh passes it as the argument of -cpu). */
static int cpu_model(struct ld *c, yaml_node_t *v, struct scn *s)
{
    if (scalar(c, v, "machine", "cpu"))
        return -1;
    size_t len = v->data.scalar.length;
    bool ok = len > 0 && len <= SCN_CPU_MODEL_LEN;
    for (size_t i = 0; ok && i < len; i++) {
        unsigned char ch = v->data.scalar.value[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             (ch && strchr("_.,=+-", ch));
    }
    if (!ok)
        return fail(c, v,
                    "write a QEMU CPU model such as max or qemu64,+rdrand (letters, digits and "
                    "_.,=+-, at most 64 bytes; qemu-system-x86_64 -cpu help lists them)",
                    "machine: cpu '%s' is not a QEMU CPU model", text(v));
    memcpy(s->cpu, v->data.scalar.value, len);
    s->cpu[len] = 0;
    return 0;
}

/* machine.type, cpu, devices and netdevs: the QEMU machine a driver test needs. */
static int machine_qemu(struct ld *c, yaml_node_t *n, struct scn *s)
{
    static const char *const types[] = {"pc", "q35", NULL};
    yaml_node_t *v;
    int t;
    if ((v = member(c, n, "cpu")) && cpu_model(c, v, s))
        return -1;
    if ((v = member(c, n, "type"))) {
        if (choice(c, v, "machine", "type", types, "pc, q35", &t))
            return -1;
        snprintf(s->type, sizeof(s->type), "%s", types[t]);
    }
    if ((v = member(c, n, "devices")) && qemu_list(c, v, "devices", s->devices, &s->ndevices))
        return -1;
    if ((v = member(c, n, "netdevs")) && qemu_list(c, v, "netdevs", s->netdevs, &s->nnetdevs))
        return -1;
    return 0;
}

static int machine(struct ld *c, yaml_node_t *n, struct scn *s)
{
    static const char *const allowed[] = {"cpus", "ram",     "numa",    "type",
                                          "cpu",  "devices", "netdevs", NULL};
    yaml_node_t *v;
    uint64_t cpus, numa = 1;
    char a[32];
    if (fields(c, n, "machine", NULL, allowed) || !(v = need(c, n, "machine", "cpus")) ||
        integer(c, v, "machine", "cpus", &cpus) ||
        in_range(c, v, "cpus", cpus, 1, SCN_MACHINE_CPUS_MAX) ||
        !(v = need(c, n, "machine", "ram")) || size(c, v, "machine", "ram", &s->ram))
        return -1;
    if (s->ram < KIDE_MACHINE_RAM_MIN)
        return fail(c, v,
                    "use a size of at least 32M for ram (the kernel, core and the root hoitaja "
                    "need it)",
                    "machine: ram must be at least %s, got '%s'",
                    human(KIDE_MACHINE_RAM_MIN, a, sizeof(a)), text(v));
    /* NUMA nodes: RAM split evenly, CPU i on node i % numa (docs/formats/scenario.md). */
    if ((v = member(c, n, "numa")) &&
        (integer(c, v, "machine", "numa", &numa) || in_range(c, v, "numa", numa, 1, SCN_NODES_MAX)))
        return -1;
    if (numa > cpus)
        return fail(c, v, "give every node a CPU: numa at most machine.cpus",
                    "machine: numa %" PRIu64 " is more than its %" PRIu64 " CPUs", numa, cpus);
    s->cpus = (unsigned)cpus;
    s->numa = (unsigned)numa;
    return machine_qemu(c, n, s);
}

static int top(struct ld *c, yaml_node_t *n, struct scn *s)
{
    static const char *const allowed[] = {"name", "machine", "habitat", "expect", NULL};
    yaml_node_t *v, *h;
    if (fields(c, n, "scenario", NULL, allowed) || !(v = need(c, n, "scenario", "name")) ||
        name(c, v, "scenario", "name", s->name) || !(v = need(c, n, "scenario", "machine")) ||
        machine(c, v, s) || !(h = need(c, n, "scenario", "habitat")) ||
        habitat(c, h, "", 0, &s->root))
        return -1;
    return (v = member(c, n, "expect")) ? expect(c, v, s) : 0;
}

/* What hoitaja's validator says of the init.json s makes (ranges, sums, nesting,
 * limits), at the YAML line it is about. */
static int judge(struct ld *c, const struct scn *s)
{
    char *json;
    long n = scn_write_init(s, &json);
    if (n < 0)
        return fail(c, NULL, "report this as a bug", "init.json cannot be written: %s",
                    kide_json_strerror((int)n));
    int rc = scn_check_init(s, json, (size_t)n, c->err);
    free(json);
    return rc;
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
    int rc = !root ? fail(&c, NULL, "start from docs/formats/scenario.md", "the file is empty")
             : top(&c, root, s) || judge(&c, s) ? -1
                                                : 0;
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
