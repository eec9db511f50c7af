/* SPDX-License-Identifier: MIT */
/* hoitaja configuration: parse, validate and merge (docs/formats/hoitaja-config.md).
 *
 * A configuration is parsed in one pass into a struct hj_config that owns
 * copies of everything it needs; the JSON document and its token array are
 * released before the function returns. Validation happens in two layers:
 * per child while parsing (types, ranges, unknown fields, the nested
 * habitat, recursively, against the child's own quotas) and across children
 * (hj_config_check: unique names, route targets, quota sums), which a merged
 * partial configuration goes through again. The first problem ends the parse
 * with a message naming the child, the field and the place, and a hint.
 *
 * Cost: linear in the document; tokens (24 bytes per JSON value) and the
 * result are allocated from the heap and bounded by HJ_TOKENS_MAX and
 * HJ_CHILDREN_MAX. Invariant: on error the output configuration is empty.
 */
#include "hoitaja.h"

#include <kide/core.h>
#include <kide/json.h>

#include "posix_config.h"

/* One limit: what core passes a component is what hoitaja and kide-scenario accept. */
_Static_assert(HJ_CONFIG_MAX == KIDE_COMP_CONFIG_MAX, "configuration limits differ");
/* Names and service names share str_field's buffers. */
_Static_assert(HJ_SERVICE_MAX == HJ_NAME_MAX, "name buffers differ");
/* A label (a child's path) is what core's info page holds. */
_Static_assert(sizeof(((struct kide_comp_info *)0)->name) == KIDE_LABEL_MAX + 1, "label sizes");
/* A POSIX child's boot modules are what posix_config lists and core lets an owner name. */
_Static_assert(HJ_ROMS_MAX == POSIX_ROMS_MAX && HJ_ROMS_MAX == KIDE_CORE_ROM_MAX, "ROM limits");
_Static_assert(HJ_NAME_MAX == POSIX_NAME_MAX + 1, "ROM name sizes");

/** Parse state: the document and where we are (for messages). */
struct ctx {
    const struct kide_json_doc *doc;
    struct hj_error *err;
    struct hj_place *at; /**< where the error is (never NULL) */
    const char *path;    /**< "demo" or "tenant-a/demo" while inside a child, else NULL */
    const char *prefix;  /**< habitat path for nested children ("tenant-a/"), or "" */
};

/* Replace bytes that could forge or break a console line. */
static void sanitize(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
            *s = '?';
}

static void where(const struct ctx *c, int tok, kide_u32 *line, kide_u32 *col)
{
    kide_u32 off = tok >= 0 && (kide_u32)tok < c->doc->ntok ? c->doc->tok[tok].start : 0;
    /* A string token starts after its quote: point at the quote. */
    if (tok >= 0 && c->doc->tok[tok].type == KIDE_JSON_STRING && off)
        off--;
    *line = 1, *col = 1;
    for (kide_u32 i = 0; i < off && i < c->doc->len; i++) {
        if (c->doc->buf[i] == '\n')
            (*line)++, *col = 1;
        else
            (*col)++;
    }
}

/* Record an error at line/col (0: none) placed by `place` ("child 'x' (line 7,
 * column 14)"), the message itself (what) and a hint; err->what marks where it starts. */
static int record(struct hj_error *err, struct hj_place *at, const char *place, kide_u32 line,
                  kide_u32 col, const char *hint, const char *what)
{
    hj_snprintf(err->msg, sizeof(err->msg), "%s%s", place, place[0] ? ": " : "");
    at->what = (kide_u32)strlen(err->msg);
    hj_snprintf(err->msg + at->what, sizeof(err->msg) - at->what, "%s", what);
    hj_snprintf(err->hint, sizeof(err->hint), "%s", hint);
    at->line = line;
    at->col = col;
    sanitize(err->msg);
    return -1;
}

/* Record an error about token tok: "child 'x' (line L, column C): what" plus a hint;
 * outside a child "habitat 'h' (line L, column C)" in a nested habitat, else the place. */
static int fail(const struct ctx *c, int tok, const char *hint, const char *what)
{
    char place[4 * (HJ_NAME_MAX + 1) + 64];
    kide_u32 line, col;
    where(c, tok, &line, &col);
    if (c->path)
        hj_snprintf(place, sizeof(place), "child '%s%s' (line %u, column %u)", c->prefix, c->path,
                    line, col);
    else if (c->prefix[0])
        hj_snprintf(place, sizeof(place), "habitat '%.*s' (line %u, column %u)",
                    (int)strlen(c->prefix) - 1, c->prefix, line, col);
    else
        hj_snprintf(place, sizeof(place), "line %u, column %u", line, col);
    return record(c->err, c->at, place, line, col, hint, what);
}

/* fail() with a printf-style message (a macro so every format stays a checked literal). */
#define failf(c, tok, hint, ...)                                                                   \
    ({                                                                                             \
        char what_[200];                                                                           \
        hj_snprintf(what_, sizeof(what_), __VA_ARGS__);                                            \
        fail(c, tok, hint, what_);                                                                 \
    })

/* ---- value helpers ---------------------------------------------------------- */

/* What a number counts, for messages in its human form. */
enum unit { U_COUNT, U_BYTES, U_MS };

/* v as people write it: 64T, 1028K or 4097 (bytes); 24h, 10s or 150ms; 42. */
static const char *human(kide_u64 v, enum unit u, char *buf, kide_u64 size)
{
    static const struct {
        enum unit u;
        kide_u64 div;
        const char *sfx;
    } forms[] = {{U_BYTES, 1ull << 40, "T"}, {U_BYTES, 1ull << 30, "G"},
                 {U_BYTES, 1ull << 20, "M"}, {U_BYTES, 1ull << 10, "K"},
                 {U_MS, 3600000, "h"},       {U_MS, 60000, "m"},
                 {U_MS, 1000, "s"},          {U_MS, 1, "ms"}};
    for (unsigned i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
        if (forms[i].u == u && v && v % forms[i].div == 0) {
            hj_snprintf(buf, size, "%lu%s", v / forms[i].div, forms[i].sfx);
            return buf;
        }
    hj_snprintf(buf, size, "%lu%s", v, u == U_MS ? "ms" : "");
    return buf;
}

/* An integer field in lo..hi; the message names the range and the value given,
 * in the unit's human form (sizes as 4K..64T, periods as 1ms..24h). */
static int uint_field(const struct ctx *c, int tok, const char *field, kide_u64 lo, kide_u64 hi,
                      enum unit u, kide_u64 *out)
{
    char what[200], hint[192], a[32], b[32], g[48];
    kide_u64 v;
    int num = kide_json_type(c->doc, tok) == KIDE_JSON_NUMBER &&
              kide_json_get_u64(c->doc, tok, &v) == 0;
    if (num && v >= lo && v <= hi) {
        *out = v;
        return 0;
    }
    if (num) {
        human(v, u, g, sizeof(g));
    } else { /* the value as written (a string with its quotes), shortened */
        const struct kide_json_tok *t = &c->doc->tok[tok];
        kide_u32 s = t->start - (t->type == KIDE_JSON_STRING),
                 e = t->end + (t->type == KIDE_JSON_STRING);
        if (t->type == KIDE_JSON_OBJECT || t->type == KIDE_JSON_ARRAY)
            hj_snprintf(g, sizeof(g), "%s", t->type == KIDE_JSON_OBJECT ? "an object" : "an array");
        else
            hj_snprintf(g, sizeof(g), "%.*s%s", (int)(e - s > 24 ? 24 : e - s), c->doc->buf + s,
                        e - s > 24 ? "..." : "");
    }
    if (u == U_COUNT)
        hj_snprintf(what, sizeof(what), "%s must be an integer from %lu to %lu, got %s", field, lo,
                    hi, g);
    else
        hj_snprintf(what, sizeof(what), "%s must be from %s to %s%s, got %s", field,
                    human(lo, u, a, sizeof(a)), human(hi, u, b, sizeof(b)),
                    u == U_BYTES ? " bytes" : "", g);
    if (!num)
        hj_snprintf(hint, sizeof(hint),
                    "write %s as a plain integer (no sign, fraction or exponent) from %lu to %lu",
                    field, lo, hi);
    else if (u == U_COUNT)
        hj_snprintf(hint, sizeof(hint), "use a value from %lu to %lu for %s", lo, hi, field);
    else
        hj_snprintf(hint, sizeof(hint), "use a value from %lu (%s) to %lu (%s) %s for %s", lo,
                    human(lo, u, a, sizeof(a)), hi, human(hi, u, b, sizeof(b)),
                    u == U_BYTES ? "bytes" : "milliseconds", field);
    return fail(c, tok, hint, what);
}

/* A child's ram: KIDE_RAM_MIN..KIDE_RAM_MAX bytes in whole pages (core's accounts
 * count pages; it refuses anything else with BAD_PARAM at start). */
static int ram_field(const struct ctx *c, int tok, kide_u64 *out)
{
    char a[32], hint[160];
    if (uint_field(c, tok, "ram", KIDE_RAM_MIN, KIDE_RAM_MAX, U_BYTES, out))
        return -1;
    if (*out % KIDE_RAM_ALIGN == 0)
        return 0;
    kide_u64 up = (*out / KIDE_RAM_ALIGN + 1) * KIDE_RAM_ALIGN;
    hj_snprintf(hint, sizeof(hint), "round ram to a multiple of 4K (%u bytes), e.g. %s (%lu)",
                KIDE_RAM_ALIGN, human(up, U_BYTES, a, sizeof(a)), up);
    return failf(c, tok, hint, "ram %lu is not a multiple of the %u-byte page", *out,
                 KIDE_RAM_ALIGN);
}

static int lower(char ch)
{
    return ch >= 'a' && ch <= 'z';
}

static int letter(char ch)
{
    return lower(ch) || (ch >= 'A' && ch <= 'Z');
}

int hj_name_check(const char *s, kide_u64 len, int service, char *why, kide_u64 size)
{
    kide_u64 max = service ? HJ_SERVICE_MAX : HJ_NAME_MAX;
    if (len == 0) {
        hj_snprintf(why, size, "is empty");
        return -1;
    }
    if (len > max) {
        hj_snprintf(why, size, "is %lu bytes, at most %lu", len, max);
        return -1;
    }
    if (service ? !letter(s[0]) : !lower(s[0])) {
        hj_snprintf(why, size, "must start with a%s letter", service ? "" : " lowercase");
        return -1;
    }
    for (kide_u64 i = 1; i < len; i++) {
        char ch = s[i];
        int ok = service ? letter(ch) || ch == '_' : lower(ch);
        if (ok || (ch >= '0' && ch <= '9') || ch == '-')
            continue;
        if ((unsigned char)ch > 0x20 && (unsigned char)ch < 0x7f)
            hj_snprintf(why, size, "holds '%c' at offset %lu, which a %sname cannot", ch, i,
                        service ? "service " : "");
        else
            hj_snprintf(why, size, "holds the byte 0x%02x at offset %lu, which a %sname cannot",
                        (unsigned char)ch, i, service ? "service " : "");
        return -1;
    }
    return 0;
}

int hj_binary_is_pkg(const char *binary)
{
    return binary[0] == 'p' && binary[1] == 'k' && binary[2] == 'g' && binary[3] == ':';
}

/* One part of a package name, s[0..len): [a-z][a-z0-9-]* (version: any of
 * [0-9A-Za-z.+_-], starting with a letter or digit). */
static int pkg_part(const char *s, kide_u64 len, int version)
{
    if (!len)
        return -1;
    for (kide_u64 i = 0; i < len; i++) {
        char ch = s[i];
        int alnum = lower(ch) || (ch >= '0' && ch <= '9');
        if (version ? !(alnum || (ch >= 'A' && ch <= 'Z') ||
                        (i && (ch == '.' || ch == '+' || ch == '_' || ch == '-')))
                    : !(lower(ch) || (i && ((ch >= '0' && ch <= '9') || ch == '-'))))
            return -1;
    }
    return 0;
}

int hj_binary_check(const char *s, kide_u64 len, char *why, kide_u64 size)
{
    if (len < 4 || !hj_binary_is_pkg(s))
        return hj_name_check(s, len, 0, why, size);
    if (len > HJ_PKG_BINARY_MAX) {
        hj_snprintf(why, size, "is %lu bytes, at most %u for a package", len, HJ_PKG_BINARY_MAX);
        return -1;
    }
    /* user / name / version: exactly two slashes after the prefix */
    kide_u64 part[3] = {4, 0, 0}, n = 1;
    for (kide_u64 i = 4; i < len; i++) {
        if (s[i] != '/')
            continue;
        if (n == 3) {
            n = 4;
            break;
        }
        part[n++] = i + 1;
    }
    int bad = n != 3;
    for (kide_u64 k = 0; !bad && k < 3; k++) {
        kide_u64 end = k < 2 ? part[k + 1] - 1 : len;
        bad = pkg_part(s + part[k], end - part[k], k == 2);
    }
    if (bad) {
        hj_snprintf(why, size,
                    "is not a package name pkg:<user>/<name>/<version> (user and name: a "
                    "lowercase letter, then a-z, 0-9 or '-'; version: letters, digits, . + _ -)");
        return -1;
    }
    return 0;
}

/* A string field checked by hj_name_check (service: a service name); out has
 * HJ_NAME_MAX+1 bytes (HJ_SERVICE_MAX is the same). */
static int str_field(const struct ctx *c, int tok, const char *field, int service, const char *form,
                     char *out)
{
    char what[200], why[80], buf[HJ_NAME_MAX + 2];
    out[0] = 0;
    if (kide_json_type(c->doc, tok) != KIDE_JSON_STRING) {
        hj_snprintf(what, sizeof(what), "%s must be a string of the form %s", field, form);
        return fail(c, tok, service ? HJ_SERVICE_HINT : HJ_NAME_HINT, what);
    }
    /* Too long for buf: its length as written (escapes count as written). */
    int n = kide_json_get_string(c->doc, tok, buf, sizeof(buf));
    kide_u64 len = n >= 0 ? (kide_u64)n : c->doc->tok[tok].end - c->doc->tok[tok].start;
    if (n >= 0 && (size_t)n != strlen(buf))
        hj_snprintf(why, sizeof(why), "holds a NUL byte");
    if ((n >= 0 && (size_t)n != strlen(buf)) ||
        hj_name_check(buf, n >= 0 ? len : HJ_NAME_MAX + 1, service, why, sizeof(why))) {
        if (n < 0)
            hj_snprintf(why, sizeof(why), "is %lu bytes, at most %u", len, HJ_NAME_MAX);
        hj_snprintf(what, sizeof(what), "%s '%.*s%s' %s", field, n < 0 || len > 40 ? 40 : (int)len,
                    n >= 0 ? buf : c->doc->buf + c->doc->tok[tok].start,
                    len > 40 || n < 0 ? "..." : "", why);
        return fail(c, tok, service ? HJ_SERVICE_HINT : HJ_NAME_HINT, what);
    }
    memcpy(out, buf, len + 1);
    return 0;
}

/* The binary field: a boot module's name or a package (hj_binary_check). */
static int binary_field(const struct ctx *c, int tok, char *out)
{
    char what[200], why[200], buf[HJ_NAME_MAX + 2];
    out[0] = 0;
    int n = kide_json_type(c->doc, tok) == KIDE_JSON_STRING
                    ? kide_json_get_string(c->doc, tok, buf, sizeof(buf))
                    : -2;
    if (n == -2)
        return fail(c, tok, HJ_BINARY_HINT, "binary must be a string");
    if (n < 0) {
        hj_snprintf(what, sizeof(what), "binary is longer than %u bytes", HJ_NAME_MAX);
        return fail(c, tok, HJ_BINARY_HINT, what);
    }
    if ((size_t)n != strlen(buf) || hj_binary_check(buf, (kide_u64)n, why, sizeof(why))) {
        if ((size_t)n != strlen(buf))
            hj_snprintf(why, sizeof(why), "holds a NUL byte");
        hj_snprintf(what, sizeof(what), "binary '%.40s' %s", buf, why);
        return fail(c, tok, HJ_BINARY_HINT, what);
    }
    memcpy(out, buf, (size_t)n + 1);
    return 0;
}

/* Every key of object obj must be in the NULL-terminated list `known`. */
static int known_fields(const struct ctx *c, int obj, const char *const *known, const char *hint)
{
    for (int k = kide_json_first(c->doc, obj); k >= 0; k = kide_json_next(c->doc, k)) {
        int ok = 0;
        for (unsigned i = 0; known[i] && !ok; i++)
            ok = kide_json_str_eq(c->doc, k, known[i]);
        if (!ok) {
            char key[48];
            if (kide_json_get_string(c->doc, k, key, sizeof(key)) < 0)
                hj_snprintf(key, sizeof(key), "(too long)");
            return failf(c, k, hint, "unknown field '%s'", key);
        }
    }
    return 0;
}

static int need(const struct ctx *c, int obj, const char *key, int *tok)
{
    *tok = kide_json_find(c->doc, obj, key);
    if (*tok < 0)
        return failf(c, obj, "add the field; docs/formats/hoitaja-config.md lists every one",
                     "missing required field '%s'", key);
    return 0;
}

static int want_type(const struct ctx *c, int tok, int type, const char *field, const char *as)
{
    if (kide_json_type(c->doc, tok) == type)
        return 0;
    char what[160];
    hj_snprintf(what, sizeof(what), "%s must be %s", field, as);
    return fail(c, tok, "see docs/formats/hoitaja-config.md for the field's form", what);
}

/* Canonical JSON text of value tok into a fresh heap buffer. */
static int canonical(const struct ctx *c, int tok, char **out, kide_u32 *len)
{
    const struct kide_json_tok *t = &c->doc->tok[tok];
    kide_u32 end = c->doc->tok[t->skip - 1].end;
    /* Canonical output is never longer than the source except for escapes the
     * writer adds; 6x (every byte as \u00XX) bounds it. */
    kide_u64 span = end - t->start + 2;
    for (kide_u64 size = span + 64; size <= 6 * span + 64; size = 6 * span + 64 + 1) {
        char *buf = hj_malloc(size);
        if (!buf)
            return fail(c, tok, "give hoitaja more RAM", "out of memory copying the object");
        struct kide_json_writer w;
        kide_json_writer_init(&w, buf, size);
        kide_json_value_sorted(&w, c->doc, tok);
        long n = kide_json_writer_finish(&w);
        if (n >= 0) {
            *out = buf;
            *len = (kide_u32)n;
            return 0;
        }
        hj_free(buf);
        if (n != KIDE_JSON_ENOSPC)
            return fail(c, tok, "simplify the object", "the object cannot be copied");
    }
    return fail(c, tok, "simplify the object", "the object cannot be copied");
}

/* ---- child parts ------------------------------------------------------------ */

static int parse_cpu(const struct ctx *c, int tok, const struct hj_limits *lim,
                     struct hj_child_cfg *ch)
{
    static const char *const known[] = {"quota", "priority", "affinity", NULL};
    kide_u64 v;
    int q;
    if (want_type(c, tok, KIDE_JSON_OBJECT, "cpu", "an object like {\"quota\": 10}") ||
        known_fields(c, tok, known, "cpu has the fields quota, priority and affinity") ||
        need(c, tok, "quota", &q) ||
        uint_field(c, q, "cpu.quota", 0, KIDE_CPU_PCT_MAX, U_COUNT, &v))
        return -1;
    ch->cpu_quota = (kide_u32)v;
    ch->priority = HJ_PRIO_DEF;
    int p = kide_json_find(c->doc, tok, "priority");
    if (p >= 0) {
        if (uint_field(c, p, "cpu.priority", 0, KIDE_CPU_PRIO_MAX, U_COUNT, &v))
            return -1;
        ch->priority = (kide_u32)v;
    }
    ch->affinity = lim->home_cpu;
    int a = kide_json_find(c->doc, tok, "affinity");
    if (a >= 0) {
        kide_u32 cpus = lim->cpus ? lim->cpus : 1;
        if (uint_field(c, a, "cpu.affinity", 0, HJ_CPUS_MAX - 1, U_COUNT, &v))
            return -1;
        if (v >= cpus)
            return failf(c, a, "use a CPU index below the machine's CPU count (machine.cpus)",
                         "cpu.affinity %lu, but the machine has %u CPU%s", v, cpus,
                         cpus == 1 ? "" : "s");
        ch->affinity = (kide_u32)v;
    }
    return 0;
}

static int parse_provides(const struct ctx *c, int tok, struct hj_child_cfg *ch)
{
    if (want_type(c, tok, KIDE_JSON_ARRAY, "provides", "an array of service names"))
        return -1;
    if (c->doc->tok[tok].count > HJ_PROVIDES_MAX)
        return failf(c, tok, "split the services over several children",
                     "provides lists more than %u services", HJ_PROVIDES_MAX);
    for (int e = kide_json_first(c->doc, tok); e >= 0; e = kide_json_next(c->doc, e)) {
        char *s = ch->provides[ch->nprovides];
        if (str_field(c, e, "a provided service", 1, "[A-Za-z][A-Za-z0-9_-]{0,31}", s))
            return -1;
        for (kide_u32 i = 0; i < ch->nprovides; i++)
            if (!strcmp(ch->provides[i], s))
                return failf(c, e, "list each service once", "provides lists '%s' twice", s);
        ch->nprovides++;
    }
    return 0;
}

static int parse_route(const struct ctx *c, int tok, struct hj_child_cfg *ch)
{
    static const char *const known[] = {"service", "to", "child", NULL};
    struct hj_route *r = &ch->routes[ch->nroutes];
    int s, t, k = kide_json_find(c->doc, tok, "child");
    where(c, tok, &r->line, &r->col);
    if (want_type(c, tok, KIDE_JSON_OBJECT, "a route", "an object {\"service\", \"to\"}") ||
        known_fields(c, tok, known, "a route has the fields service, to and child") ||
        need(c, tok, "service", &s) || need(c, tok, "to", &t))
        return -1;
    if (kide_json_str_eq(c->doc, s, "*"))
        r->service[0] = '*', r->service[1] = 0;
    else if (str_field(c, s, "route service", 1, "[A-Za-z][A-Za-z0-9_-]{0,31} or \"*\"",
                       r->service))
        return -1;
    if (kide_json_str_eq(c->doc, t, "parent"))
        r->to = HJ_TO_PARENT;
    else if (kide_json_str_eq(c->doc, t, "child"))
        r->to = HJ_TO_CHILD;
    else if (kide_json_str_eq(c->doc, t, "denied"))
        r->to = HJ_TO_DENIED;
    else
        return fail(c, t, "route to \"parent\", \"child\" (with \"child\": name) or \"denied\"",
                    "route 'to' must be \"parent\", \"child\" or \"denied\"");
    if (r->to == HJ_TO_CHILD && k < 0)
        return failf(c, tok, "name the sibling: {\"to\": \"child\", \"child\": \"timer\"}",
                     "route '%s' goes to a child but names none (no 'child')", r->service);
    if (r->to != HJ_TO_CHILD && k >= 0)
        return failf(c, k, "drop 'child' or route \"to\": \"child\"",
                     "route '%s' names a 'child' but does not go to one", r->service);
    if (k >= 0 && str_field(c, k, "route child", 0, "[a-z][a-z0-9-]{0,31}", r->child))
        return -1;
    for (kide_u32 i = 0; i < ch->nroutes; i++) {
        if (!strcmp(ch->routes[i].service, "*"))
            return failf(c, tok, "move the \"*\" route to the end",
                         "route '%s' follows the \"*\" route and can never match", r->service);
        if (!strcmp(ch->routes[i].service, r->service))
            return failf(c, s, "keep one route per service", "two routes for service '%s'",
                         r->service);
    }
    ch->nroutes++;
    return 0;
}

static int parse_routes(const struct ctx *c, int tok, struct hj_child_cfg *ch)
{
    if (want_type(c, tok, KIDE_JSON_ARRAY, "routes", "an array of route objects"))
        return -1;
    if (c->doc->tok[tok].count > HJ_ROUTES_MAX)
        return failf(c, tok, "use a \"*\" route for the rest", "more than %u routes",
                     HJ_ROUTES_MAX);
    for (int e = kide_json_first(c->doc, tok); e >= 0; e = kide_json_next(c->doc, e))
        if (parse_route(c, e, ch))
            return -1;
    return 0;
}

static int parse_restart(const struct ctx *c, int tok, struct hj_child_cfg *ch)
{
    static const char *const known[] = {"policy", "backoff_ms", "max_backoff_ms", NULL};
    int p, b, m;
    if (want_type(c, tok, KIDE_JSON_OBJECT, "restart", "an object like {\"policy\": \"always\"}") ||
        known_fields(c, tok, known, "restart has the fields policy, backoff_ms, max_backoff_ms") ||
        need(c, tok, "policy", &p))
        return -1;
    if (kide_json_str_eq(c->doc, p, "never"))
        ch->policy = HJ_RESTART_NEVER;
    else if (kide_json_str_eq(c->doc, p, "on-failure"))
        ch->policy = HJ_RESTART_ON_FAILURE;
    else if (kide_json_str_eq(c->doc, p, "always"))
        ch->policy = HJ_RESTART_ALWAYS;
    else
        return fail(c, p, "use \"never\", \"on-failure\" or \"always\"",
                    "restart.policy must be \"never\", \"on-failure\" or \"always\"");
    b = kide_json_find(c->doc, tok, "backoff_ms");
    m = kide_json_find(c->doc, tok, "max_backoff_ms");
    if (b >= 0 && uint_field(c, b, "restart.backoff_ms", 1, KIDE_MS_MAX, U_MS, &ch->backoff_ms))
        return -1;
    if (ch->max_backoff_ms < ch->backoff_ms)
        ch->max_backoff_ms = ch->backoff_ms;
    if (m >= 0 &&
        uint_field(c, m, "restart.max_backoff_ms", 0, KIDE_MS_MAX, U_MS, &ch->max_backoff_ms))
        return -1;
    if (ch->max_backoff_ms < ch->backoff_ms) {
        char a[32], b2[32];
        return failf(c, m, "raise restart.max_backoff_ms or lower restart.backoff_ms",
                     "restart.max_backoff_ms %s is below restart.backoff_ms %s",
                     human(ch->max_backoff_ms, U_MS, a, sizeof(a)),
                     human(ch->backoff_ms, U_MS, b2, sizeof(b2)));
    }
    return 0;
}

static int parse_habitat(const struct ctx *c, int ctok, int tok, const struct hj_limits *lim,
                         struct hj_child_cfg *ch);

static const char *const child_fields[] = {
        "name",   "binary",   "ram",         "caps",         "cpu",     "provides",
        "routes", "restart",  "config",      "heartbeat_ms", "devices", "habitat",
        "args",   "ram_node", "config_live", "posix",        NULL};
static const char *const partial_fields[] = {
        "name",   "binary",   "ram",         "caps",         "cpu",     "provides",
        "routes", "restart",  "config",      "heartbeat_ms", "devices", "habitat",
        "args",   "ram_node", "config_live", "remove",       "posix",   NULL};
#define CHILD_HINT                                                                                 \
    "known fields: name, binary, ram, caps, cpu, provides, routes, restart, heartbeat_ms, "        \
    "devices, config, config_live, habitat, args, ram_node, posix"

/* A child's args: a string of at most HJ_ARGS_MAX printable ASCII bytes. */
static int parse_args(const struct ctx *c, int tok, struct hj_child_cfg *ch)
{
    char buf[HJ_ARGS_MAX + 2];
    if (kide_json_type(c->doc, tok) != KIDE_JSON_STRING)
        return fail(c, tok, "write the arguments as one string: \"args\": \"-v 3\"",
                    "args must be a string");
    int n = kide_json_get_string(c->doc, tok, buf, sizeof(buf));
    if (n < 0 || (kide_u32)n > HJ_ARGS_MAX) {
        /* Too long for buf: without escapes its length is the text's. */
        const struct kide_json_tok *t = &c->doc->tok[tok];
        kide_u64 len = n >= 0 ? (kide_u64)n : t->end - t->start;
        int escaped = 0;
        for (kide_u32 i = t->start; n < 0 && i < t->end; i++)
            escaped |= c->doc->buf[i] == '\\';
        if (escaped)
            return failf(c, tok, "shorten the arguments (core's info page holds 127 bytes)",
                         "args is more than %u bytes", HJ_ARGS_MAX);
        return failf(c, tok, "shorten the arguments (core's info page holds 127 bytes)",
                     "args is %lu bytes, at most %u", len, HJ_ARGS_MAX);
    }
    for (int i = 0; i < n; i++)
        if ((unsigned char)buf[i] < 0x20 || (unsigned char)buf[i] > 0x7e)
            return failf(c, tok, "use printable ASCII (space to '~') in args",
                         "args holds the byte 0x%02x at offset %d", (unsigned char)buf[i], i);
    memcpy(ch->args, buf, (kide_u32)n + 1);
    return 0;
}

/* A POSIX child's `posix` object (token tok of child ctok): checked once here with the
 * runtime's own parser (os/posix/config), so a bad one is refused with its message
 * before anything starts; the child runs binary "posix" with config {"posix": ...}
 * and names the program and its ROM modules for KIDE_OWN_ROM. */
static int parse_posix(const struct ctx *c, int ctok, int tok, struct hj_child_cfg *ch)
{
    int b = kide_json_find(c->doc, ctok, "binary");
    if (b >= 0)
        return fail(c, b,
                    "a POSIX child runs the runtime 'posix': drop binary (or drop posix for a "
                    "native program)",
                    "a child has either binary or posix, not both");
    struct posix_config *pc = hj_malloc(sizeof(*pc));
    if (!pc)
        return fail(c, tok, "give hoitaja more RAM", "out of memory checking posix");
    char msg[200];
    if (posix_config_parse(c->doc, tok, pc, msg, sizeof(msg))) {
        int at = pc->err_token >= 0 ? pc->err_token : tok;
        hj_free(pc);
        return fail(c, at,
                    "fix the posix object (docs/hoitaja.md, \"POSIX children\", lists every "
                    "field and its default)",
                    msg);
    }
    ch->nroms = pc->nroms;
    for (kide_u32 i = 0; i < pc->nroms; i++)
        memcpy(ch->roms[i], pc->roms[i], strlen(pc->roms[i]) + 1);
    hj_free(pc);
    memcpy(ch->binary, HJ_POSIX_BINARY, sizeof(HJ_POSIX_BINARY));
    ch->posix = 1;
    /* config = {"posix": <the object, canonical>} */
    char *inner;
    kide_u32 len;
    if (canonical(c, tok, &inner, &len))
        return -1;
    static const char head[] = "{\"posix\":";
    kide_u32 hl = sizeof(head) - 1;
    if (!(ch->config = hj_malloc((kide_u64)hl + len + 2))) {
        hj_free(inner);
        return fail(c, tok, "give hoitaja more RAM", "out of memory copying posix");
    }
    memcpy(ch->config, head, hl);
    memcpy(ch->config + hl, inner, len);
    memcpy(ch->config + hl + len, "}", 2);
    ch->config_len = hl + len + 1;
    hj_free(inner);
    return 0;
}

static int parse_child(struct ctx *c, int tok, const struct hj_limits *lim, unsigned flags,
                       struct hj_child_cfg *ch)
{
    int v;
    kide_u64 u;
    ch->backoff_ms = HJ_BACKOFF_DEF;
    ch->max_backoff_ms = HJ_MAX_BACKOFF_DEF;
    ch->priority = HJ_PRIO_DEF;
    if (want_type(c, tok, KIDE_JSON_OBJECT, "a child", "an object") || need(c, tok, "name", &v) ||
        str_field(c, v, "name", 0, "[a-z][a-z0-9-]{0,31}", ch->name))
        return -1;
    kide_u32 col;
    where(c, tok, &ch->line, &col);
    c->path = ch->name;
    /* Its label, the path from the root habitat, is what core and hoitaja name it
     * by (core's info page holds KIDE_LABEL_MAX bytes): deep habitats of long
     * names would otherwise cut it. */
    kide_u64 label = strlen(c->prefix) + strlen(ch->name);
    if (label > KIDE_LABEL_MAX)
        return failf(c, v, "shorten the names of the child or of the habitats around it",
                     "its label (the path named above) is %lu bytes, at most %u", label,
                     KIDE_LABEL_MAX);
    /* Only partial configurations know "remove". */
    if (known_fields(c, tok, (flags & HJ_PARSE_PARTIAL) ? partial_fields : child_fields,
                     CHILD_HINT))
        return -1;
    int rm = kide_json_find(c->doc, tok, "remove");
    if (rm >= 0) {
        _Bool b;
        if (kide_json_get_bool(c->doc, rm, &b) < 0)
            return fail(c, rm, "write \"remove\": true", "remove must be true or false");
        if (b) {
            if (c->doc->tok[tok].count != 2)
                return fail(c, tok,
                            "a removal names only the child: {\"name\": x, \"remove\": true}",
                            "a removed child carries other fields");
            ch->remove = 1;
            return 0;
        }
    }
    int px = kide_json_find(c->doc, tok, "posix");
    if (px >= 0 ? parse_posix(c, tok, px, ch)
                : need(c, tok, "binary", &v) || binary_field(c, v, ch->binary))
        return -1;
    if (px < 0 && !strcmp(ch->binary, HJ_POSIX_BINARY))
        return fail(c, v, "describe the program with posix: {program: NAME, ...} instead of binary",
                    "binary 'posix' is the POSIX runtime, which needs a posix object");
    if (need(c, tok, "ram", &v) || ram_field(c, v, &ch->ram) || need(c, tok, "caps", &v) ||
        uint_field(c, v, "caps", HJ_CAPS_MIN, HJ_CAPS_MAX, U_COUNT, &ch->caps) ||
        need(c, tok, "cpu", &v) || parse_cpu(c, v, lim, ch))
        return -1;
    if ((v = kide_json_find(c->doc, tok, "provides")) >= 0 && parse_provides(c, v, ch))
        return -1;
    if ((v = kide_json_find(c->doc, tok, "routes")) >= 0 && parse_routes(c, v, ch))
        return -1;
    if ((v = kide_json_find(c->doc, tok, "restart")) >= 0 && parse_restart(c, v, ch))
        return -1;
    if (hj_binary_is_pkg(ch->binary)) {
        const struct hj_route *r = hj_route_find(ch, "Pkg");
        if (!r || r->to == HJ_TO_DENIED)
            return failf(c, kide_json_find(c->doc, tok, "binary"),
                         "add a route {service: Pkg, to: <the package store>} to the child",
                         "binary '%s' is a package, but the child has no route for service Pkg",
                         ch->binary);
    }
    if ((v = kide_json_find(c->doc, tok, "heartbeat_ms")) >= 0) {
        if (uint_field(c, v, "heartbeat_ms", 0, KIDE_MS_MAX, U_MS, &u))
            return -1;
        ch->heartbeat_ms = u;
    }
    if ((v = kide_json_find(c->doc, tok, "devices")) >= 0) {
        /* "platform": the device right and PCI configuration (the platform driver). */
        if (kide_json_str_eq(c->doc, v, "platform"))
            ch->devices = ch->platform = 1;
        else if (kide_json_get_bool(c->doc, v, &ch->devices) < 0)
            return fail(c, v,
                        "write \"devices\": true, \"devices\": false or \"devices\": "
                        "\"platform\" (the platform driver only)",
                        "devices must be true, false or \"platform\"");
        if (ch->devices && lim->no_devices)
            return failf(c, v,
                         "set \"devices\": true on the habitat's own entry too: a habitat can "
                         "only pass on a device right it holds",
                         "devices: true, but its habitat '%.*s' has no device right",
                         (int)strlen(c->prefix) - (c->prefix[0] ? 1 : 0), c->prefix);
    }
    if ((v = kide_json_find(c->doc, tok, "args")) >= 0 && parse_args(c, v, ch))
        return -1;
    /* Whether the node exists is core's to say at start (KIDE_OWN_RAM_NODE), unless
     * the limits know the machine's nodes (kide-scenario's do). */
    if ((v = kide_json_find(c->doc, tok, "ram_node")) >= 0) {
        if (uint_field(c, v, "ram_node", 0, HJ_NODES_MAX - 1, U_COUNT, &u))
            return -1;
        if (lim->nodes && u >= lim->nodes)
            return failf(c, v,
                         "use a NUMA node the machine has (a scenario gives it nodes with "
                         "machine: {numa: N})",
                         "ram_node %lu, but the machine has %u NUMA node%s", u, lim->nodes,
                         lim->nodes == 1 ? "" : "s");
        ch->ram_node = (kide_u32)u;
        ch->has_ram_node = 1;
    }
    if ((v = kide_json_find(c->doc, tok, "config")) >= 0) {
        if (ch->posix)
            return fail(c, v,
                        "write the program's settings into posix (args, env, mounts); the "
                        "runtime's config is made from it",
                        "a POSIX child takes no config");
        if (want_type(c, v, KIDE_JSON_OBJECT, "config", "an object") ||
            canonical(c, v, &ch->config, &ch->config_len))
            return -1;
    } else if (!ch->posix) {
        if (!(ch->config = hj_malloc(3)))
            return fail(c, tok, "give hoitaja more RAM", "out of memory");
        memcpy(ch->config, "{}", 3);
        ch->config_len = 2;
    }
    int is_hab = !strcmp(ch->binary, "hoitaja");
    if ((v = kide_json_find(c->doc, tok, "config_live")) >= 0) {
        if (kide_json_get_bool(c->doc, v, &ch->config_live) < 0)
            return fail(c, v, "write \"config_live\": true or false",
                        "config_live must be true or false");
        if (ch->config_live && ch->posix)
            return fail(c, v, "leave config_live out: a changed posix object restarts the program",
                        "config_live on a POSIX child (the runtime reads posix only at start)");
        if (ch->config_live && is_hab)
            return fail(c, v,
                        "reconfigure a habitat through its own management session (service "
                        "Hoitaja) and leave config_live out",
                        "config_live on a habitat (binary \"hoitaja\")");
    }
    v = kide_json_find(c->doc, tok, "habitat");
    if (is_hab && v < 0)
        return fail(c, tok, "describe the nested habitat: \"habitat\": {\"children\": [...]}",
                    "a child with binary \"hoitaja\" needs a 'habitat'");
    if (!is_hab && v >= 0)
        return fail(c, v, "only children with binary \"hoitaja\" are habitats",
                    "'habitat' on a child that is not a hoitaja");
    if (v >= 0 && parse_habitat(c, tok, v, lim, ch))
        return -1;
    return 0;
}

/* ---- whole documents ---------------------------------------------------------- */

static int parse_tree(struct ctx *c, int root, const struct hj_limits *lim, unsigned flags,
                      struct hj_config *out);
static int check(const struct hj_config *c, const struct hj_limits *lim, struct hj_error *err,
                 struct hj_place *at);

/* Validate the nested habitat against what the child's quotas leave its children
 * once its own hoitaja took its share (kide_hab_ram_overhead, KIDE_HAB_CAPS_OVERHEAD:
 * what that hoitaja finds at boot), keep its canonical text. */
static int parse_habitat(const struct ctx *c, int ctok, int tok, const struct hj_limits *lim,
                         struct hj_child_cfg *ch)
{
    char a[32], b[32];
    if (want_type(c, tok, KIDE_JSON_OBJECT, "habitat", "an object {\"children\": [...]}"))
        return -1;
    if (!lim->nest)
        return failf(c, tok, "flatten the habitat tree: at most 4 habitats inside each other",
                     "habitats nested more than %u deep", HJ_NEST_MAX);
    if (canonical(c, tok, &ch->habitat, &ch->habitat_len))
        return -1;
    kide_u64 ram_own = kide_hab_ram_overhead(ch->ram, ch->habitat_len);
    if (ch->ram <= ram_own)
        return failf(c, kide_json_find(c->doc, ctok, "ram"),
                     "give the habitat more ram: its hoitaja keeps about 1M for itself",
                     "ram %s leaves its children nothing: the habitat's hoitaja keeps %s",
                     human(ch->ram, U_BYTES, a, sizeof(a)), human(ram_own, U_BYTES, b, sizeof(b)));
    if (ch->caps < KIDE_HAB_CAPS_OVERHEAD + HJ_CAPS_MIN)
        return failf(c, kide_json_find(c->doc, ctok, "caps"),
                     "give the habitat more caps: its hoitaja keeps 48 for itself",
                     "caps %lu leaves its children less than %u: the habitat's hoitaja keeps %u",
                     ch->caps, HJ_CAPS_MIN, KIDE_HAB_CAPS_OVERHEAD);
    char prefix[4 * (HJ_NAME_MAX + 1) + 8];
    hj_snprintf(prefix, sizeof(prefix), "%s%s/", c->prefix, ch->name);
    struct ctx sub = {.doc = c->doc, .err = c->err, .at = c->at, .path = NULL, .prefix = prefix};
    struct hj_limits sl = {.ram = ch->ram - ram_own,
                           .caps = ch->caps - KIDE_HAB_CAPS_OVERHEAD,
                           .cpu = 100,
                           .cpus = lim->cpus,
                           .home_cpu = ch->affinity,
                           .nest = lim->nest - 1,
                           .no_devices = !ch->devices,
                           .nodes = lim->nodes};
    struct hj_config nested = {0};
    int rc = parse_tree(&sub, tok, &sl, HJ_PARSE_NO_GEN, &nested);
    hj_config_free(&nested);
    return rc ? -1 : 0;
}

static int parse_tree(struct ctx *c, int root, const struct hj_limits *lim, unsigned flags,
                      struct hj_config *out)
{
    static const char *const known[] = {"generation", "children", "exit_with", NULL};
    int v;
    if (want_type(c, root, KIDE_JSON_OBJECT, "the configuration", "a JSON object") ||
        known_fields(c, root, known, "a habitat has the fields generation, children and exit_with"))
        return -1;
    v = kide_json_find(c->doc, root, "exit_with");
    int ew = v;
    if (v >= 0 &&
        str_field(c, v, "exit_with", 0, "[a-z][a-z0-9-]{0,31} (a child's name)", out->exit_with))
        return -1;
    v = kide_json_find(c->doc, root, "generation");
    if (v < 0 && !(flags & HJ_PARSE_NO_GEN))
        return need(c, root, "generation", &v);
    if (v >= 0 && uint_field(c, v, "generation", 1, ~0ull >> 1, U_COUNT, &out->generation))
        return -1;
    if (need(c, root, "children", &v) ||
        want_type(c, v, KIDE_JSON_ARRAY, "children", "an array of child objects"))
        return -1;
    kide_u32 n = c->doc->tok[v].count;
    if (n > HJ_CHILDREN_MAX)
        return failf(c, v, "split the children into nested habitats", "more than %u children",
                     HJ_CHILDREN_MAX);
    if (n && !(out->child = hj_malloc(n * sizeof(*out->child))))
        return fail(c, v, "give hoitaja more RAM", "out of memory for the children");
    if (n)
        memset(out->child, 0, n * sizeof(*out->child));
    for (int e = kide_json_first(c->doc, v); e >= 0; e = kide_json_next(c->doc, e)) {
        out->nchildren++;
        int rc = parse_child(c, e, lim, flags, &out->child[out->nchildren - 1]);
        c->path = NULL;
        if (rc)
            return -1;
    }
    /* Here with its place; hj_config_check checks it again after a merge. */
    if (ew >= 0 && !(flags & HJ_PARSE_PARTIAL) && hj_config_find(out, out->exit_with) < 0)
        return failf(c, ew, "name one of the children in exit_with, or drop it",
                     "exit_with names '%s', which is not a child", out->exit_with);
    if (flags & HJ_PARSE_PARTIAL) {
        for (kide_u32 i = 0; i < out->nchildren; i++)
            for (kide_u32 j = 0; j < i; j++)
                if (!strcmp(out->child[i].name, out->child[j].name)) {
                    char place[4 * (HJ_NAME_MAX + 1) + 32];
                    hj_snprintf(place, sizeof(place), "child '%s%s' (line %u)", c->prefix,
                                out->child[i].name, out->child[i].line);
                    return record(c->err, c->at, place, out->child[i].line, 0,
                                  "a partial configuration names each child once", "named twice");
                }
        return 0;
    }
    if (check(out, lim, c->err, c->at)) {
        /* Cross checks know no token; prefix the habitat path of nested ones. */
        if (c->prefix[0]) {
            char m[sizeof(c->err->msg)], hab[sizeof(m)];
            hj_snprintf(m, sizeof(m), "%s", c->err->msg);
            hj_snprintf(hab, sizeof(hab), "%s", c->prefix);
            hab[strlen(hab) - 1] = 0; /* the prefix ends with '/' */
            hj_snprintf(c->err->msg, sizeof(c->err->msg), "habitat '%s': %s", hab, m);
            c->at->what += (kide_u32)(strlen(c->err->msg) - strlen(m));
        }
        return -1;
    }
    return 0;
}

int hj_config_parse(const char *buf, kide_u64 len, const struct hj_limits *lim, unsigned flags,
                    struct hj_config *out, struct hj_error *err)
{
    return hj_config_parse_at(buf, len, lim, flags, out, err, NULL);
}

int hj_config_parse_at(const char *buf, kide_u64 len, const struct hj_limits *lim, unsigned flags,
                       struct hj_config *out, struct hj_error *err, struct hj_place *at)
{
    struct hj_place none;
    struct kide_json_doc doc;
    struct kide_json_error jerr;
    int rc = -1;
    memset(out, 0, sizeof(*out));
    err->msg[0] = err->hint[0] = 0;
    if (!at)
        at = &none;
    at->line = at->col = at->what = 0;
    if (len > HJ_CONFIG_MAX) {
        hj_snprintf(err->msg, sizeof(err->msg), "configuration of %lu bytes exceeds %lu", len,
                    (kide_u64)HJ_CONFIG_MAX);
        hj_snprintf(err->hint, sizeof(err->hint), "split it into nested habitats");
        return -1;
    }
    kide_u64 ntok = len / 2 + 16;
    if (ntok > HJ_TOKENS_MAX)
        ntok = HJ_TOKENS_MAX;
    struct kide_json_tok *tok = hj_malloc(ntok * sizeof(*tok));
    if (!tok) {
        hj_snprintf(err->msg, sizeof(err->msg), "out of memory for %lu JSON tokens", ntok);
        hj_snprintf(err->hint, sizeof(err->hint), "give hoitaja more RAM");
        return -1;
    }
    if (kide_json_parse(&doc, buf, len, tok, ntok, NULL, &jerr) < 0) {
        kide_json_error_format(&jerr, err->msg, sizeof(err->msg));
        hj_snprintf(err->hint, sizeof(err->hint), "%s",
                    jerr.code == KIDE_JSON_ETOKENS
                            ? "the configuration has too many values; split it into habitats"
                            : "fix the JSON syntax there (strict JSON: no comments, no trailing "
                              "commas, no duplicate keys)");
        goto out;
    }
    struct ctx c = {.doc = &doc, .err = err, .at = at, .path = NULL, .prefix = ""};
    rc = parse_tree(&c, 0, lim, flags, out);
out:
    hj_free(tok);
    if (rc)
        hj_config_free(out);
    return rc;
}

/* ---- cross checks, merge, copies -------------------------------------------------- */

/* An error about child ch (NULL: the habitat) at line/col of the configuration (line
 * 0: the child's own line): "child 'x' (line L): what". */
static int check_msg(struct hj_error *err, struct hj_place *at, const struct hj_child_cfg *ch,
                     kide_u32 line, kide_u32 col, const char *hint, const char *what)
{
    char place[HJ_NAME_MAX + 32] = "";
    if (ch && !line)
        line = ch->line, col = 0;
    if (ch)
        hj_snprintf(place, sizeof(place), "child '%s' (line %u)", ch->name, line);
    return record(err, at, place, ch ? line : 0, col, hint, what);
}

/* check_msg() at the child's line, with a printf-style message. */
#define check_fail(err, ch, hint, ...)                                                             \
    ({                                                                                             \
        char what_[200];                                                                           \
        hj_snprintf(what_, sizeof(what_), __VA_ARGS__);                                            \
        check_msg(err, at, ch, 0, 0, hint, what_);                                                 \
    })

/* check_msg() at route rt of ch. */
#define route_fail(err, ch, rt, hint, ...)                                                         \
    ({                                                                                             \
        char what_[200];                                                                           \
        hj_snprintf(what_, sizeof(what_), __VA_ARGS__);                                            \
        check_msg(err, at, ch, (rt)->line, (rt)->col, hint, what_);                                \
    })

int hj_generation_ok(kide_u64 current, kide_u64 gen)
{
    return gen == current + 1 && gen > current;
}

int hj_config_find(const struct hj_config *c, const char *name)
{
    for (kide_u32 i = 0; i < c->nchildren; i++)
        if (!strcmp(c->child[i].name, name))
            return (int)i;
    return -1;
}

int hj_add_within(kide_u64 *sum, kide_u64 add, kide_u64 max)
{
    if (*sum > max || add > max - *sum) {
        /* Saturate: the message shows the sum, never a wrapped one. */
        *sum = add > ~0ull - *sum ? ~0ull : *sum + add;
        return -1;
    }
    *sum += add;
    return 0;
}

int hj_config_check(const struct hj_config *c, const struct hj_limits *lim, struct hj_error *err)
{
    struct hj_place at;
    return check(c, lim, err, &at);
}

/* hj_config_check, saying where the error is (*at). */
static int check(const struct hj_config *c, const struct hj_limits *lim, struct hj_error *err,
                 struct hj_place *at)
{
    kide_u64 ram = 0, caps = 0, cpu[HJ_CPUS_MAX] = {0};
    kide_u32 cpus = lim->cpus ? lim->cpus : 1;
    char a[32], b[32], d[32];
    for (kide_u32 i = 0; i < c->nchildren; i++) {
        const struct hj_child_cfg *ch = &c->child[i];
        for (kide_u32 j = 0; j < i; j++)
            if (!strcmp(c->child[j].name, ch->name))
                return check_fail(err, ch, "give every child of a habitat its own name",
                                  "the name is used twice");
        /* Placement comes from the configuration or, merged, from the parse of a
         * partial one: check it here too. */
        if (ch->affinity >= cpus || ch->affinity >= HJ_CPUS_MAX)
            return check_fail(err, ch, "use a CPU index below the machine's CPU count",
                              "cpu.affinity %u, but the machine has %u CPUs", ch->affinity, cpus);
        /* A nested habitat's quota is a share of its own CPU (core refuses too). */
        if (lim->nest < HJ_NEST_MAX && ch->affinity != lim->home_cpu)
            return check_fail(err, ch, "only the root habitat places children on other CPUs",
                              "cpu.affinity %u, but this habitat runs on cpu %u", ch->affinity,
                              lim->home_cpu);
        for (kide_u32 r = 0; r < ch->nroutes; r++) {
            const struct hj_route *rt = &ch->routes[r];
            /* IPC never crosses CPUs: a child on another CPU than the habitat cannot
             * reach the habitat's parent (only the habitat's own management session). */
            if (rt->to == HJ_TO_PARENT && ch->affinity != lim->home_cpu &&
                strcmp(rt->service, "Hoitaja"))
                return route_fail(err, ch, rt,
                                  "put the child on the habitat's CPU, or route only Hoitaja "
                                  "to the parent",
                                  "route '%s' to the parent from cpu %u (the habitat runs on "
                                  "cpu %u): sessions cannot cross CPUs yet",
                                  rt->service, ch->affinity, lim->home_cpu);
            if (rt->to != HJ_TO_CHILD)
                continue;
            int s = hj_config_find(c, rt->child);
            if (s < 0)
                return route_fail(err, ch, rt, "route to an existing sibling",
                                  "route '%s' to missing sibling '%s'", rt->service, rt->child);
            if ((kide_u32)s == i)
                return route_fail(err, ch, rt, "a child cannot serve itself; route elsewhere",
                                  "route '%s' to itself ('%s')", rt->service, rt->child);
            if (strcmp(rt->service, "*") && !hj_provides(&c->child[s], rt->service))
                return route_fail(err, ch, rt, "add the service to the sibling's provides",
                                  "route '%s' to sibling '%s', which does not provide it",
                                  rt->service, rt->child);
            if (c->child[s].affinity != ch->affinity)
                return route_fail(err, ch, rt, "put both on one CPU (cpu.affinity)",
                                  "route '%s' to '%s' on cpu %u from cpu %u: sessions cannot "
                                  "cross CPUs yet",
                                  rt->service, rt->child, c->child[s].affinity, ch->affinity);
        }
        /* Sums stop at the first child that takes them past the habitat's
         * quota; each term is below 2^47, so they cannot wrap on the way. */
        if (hj_add_within(&ram, ch->ram, lim->ram))
            return check_fail(err, ch,
                              "lower the children's ram or give the habitat more (a nested "
                              "habitat's hoitaja keeps about 1M of its own; the root habitat "
                              "has what the machine leaves)",
                              "the children's ram adds up to %s with its %s, more than the "
                              "habitat's %s",
                              human(ram, U_BYTES, a, sizeof(a)),
                              human(ch->ram, U_BYTES, d, sizeof(d)),
                              human(lim->ram, U_BYTES, b, sizeof(b)));
        if (hj_add_within(&caps, ch->caps, lim->caps))
            return check_fail(err, ch,
                              "lower the children's caps or give the habitat more (a nested "
                              "habitat's hoitaja keeps 48 of its own)",
                              "the children's caps add up to %lu with its %lu, more than the "
                              "habitat's %lu",
                              caps, ch->caps, lim->caps);
        kide_u32 k = ch->affinity, max = k == lim->home_cpu ? lim->cpu : 100;
        cpu[k] += ch->cpu_quota;
        if (cpu[k] > max)
            return check_fail(err, ch, "lower the children's cpu.quota on that CPU",
                              "the children's cpu.quota adds up to %lu%% on cpu %u with its "
                              "%u%%, more than %s (%u%%)",
                              cpu[k], k, ch->cpu_quota,
                              k == lim->home_cpu ? "the habitat's share" : "the whole CPU", max);
    }
    if (c->exit_with[0] && hj_config_find(c, c->exit_with) < 0)
        return check_fail(err, NULL, "name one of the children in exit_with, or drop it",
                          "exit_with names '%s', which is not a child", c->exit_with);
    return 0;
}

void hj_child_cfg_free(struct hj_child_cfg *c)
{
    hj_free(c->config);
    hj_free(c->habitat);
    c->config = c->habitat = NULL;
}

static char *dup_bytes(const char *s, kide_u32 len)
{
    char *p = hj_malloc((kide_u64)len + 1);
    if (p) {
        memcpy(p, s, len);
        p[len] = 0;
    }
    return p;
}

int hj_child_cfg_copy(struct hj_child_cfg *dst, const struct hj_child_cfg *src)
{
    *dst = *src;
    dst->config = dst->habitat = NULL;
    if (src->config && !(dst->config = dup_bytes(src->config, src->config_len)))
        return -1;
    if (src->habitat && !(dst->habitat = dup_bytes(src->habitat, src->habitat_len))) {
        hj_child_cfg_free(dst);
        return -1;
    }
    return 0;
}

void hj_config_free(struct hj_config *c)
{
    for (kide_u32 i = 0; i < c->nchildren; i++)
        hj_child_cfg_free(&c->child[i]);
    hj_free(c->child);
    c->child = NULL;
    c->nchildren = 0;
}

int hj_config_merge(const struct hj_config *cur, const struct hj_config *part,
                    const struct hj_limits *lim, struct hj_config *out, struct hj_error *err)
{
    struct hj_place place, *at = &place;
    kide_u32 max = cur->nchildren + part->nchildren;
    memset(out, 0, sizeof(*out));
    out->generation = part->generation;
    /* A partial configuration changes exit_with only when it names one. */
    memcpy(out->exit_with, part->exit_with[0] ? part->exit_with : cur->exit_with,
           sizeof(out->exit_with));
    if (max && !(out->child = hj_malloc(max * sizeof(*out->child))))
        return check_fail(err, NULL, "give hoitaja more RAM", "out of memory merging");
    /* Running children keep their order; replaced ones take their new form. */
    for (kide_u32 i = 0; i < cur->nchildren; i++) {
        int p = hj_config_find(part, cur->child[i].name);
        if (p >= 0 && part->child[p].remove)
            continue;
        const struct hj_child_cfg *src = p >= 0 ? &part->child[p] : &cur->child[i];
        if (hj_child_cfg_copy(&out->child[out->nchildren], src))
            goto oom;
        out->nchildren++;
    }
    for (kide_u32 i = 0; i < part->nchildren; i++) {
        const struct hj_child_cfg *ch = &part->child[i];
        if (hj_config_find(cur, ch->name) >= 0)
            continue;
        if (ch->remove) {
            hj_config_free(out);
            return check_fail(err, ch, "remove only children that exist",
                              "cannot remove '%s': no such child", ch->name);
        }
        if (hj_child_cfg_copy(&out->child[out->nchildren], ch))
            goto oom;
        out->nchildren++;
    }
    if (out->nchildren > HJ_CHILDREN_MAX) {
        hj_config_free(out);
        return check_fail(err, NULL, "split the children into nested habitats",
                          "more than %u children", HJ_CHILDREN_MAX);
    }
    if (hj_config_check(out, lim, err)) {
        hj_config_free(out);
        return -1;
    }
    return 0;
oom:
    hj_config_free(out);
    return check_fail(err, NULL, "give hoitaja more RAM", "out of memory merging");
}
