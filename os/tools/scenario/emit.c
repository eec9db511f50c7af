/* SPDX-License-Identifier: MIT */
/* kide-scenario output: init.json, modules.txt and expect.txt from a valid scenario.
 *
 * init.json is built with the kide_json writer of os/lib/json, the same
 * bounded builder the OS uses, into a buffer that doubles until the document
 * fits (the writer reports truncation, so nothing partial is ever written).
 * Every field of docs/formats/hoitaja-config.md is written explicitly, with
 * defaults filled in, so hoitaja never has to guess.
 */
#include "posix_config.h"
#include "scenario.h"
#include "hoitaja.h" /* the validator hoitaja runs at boot (os/hoitaja/config.c) */

#include <kide/json.h>
#include <stdlib.h>
#include <string.h>

static const char *const to_names[] = {"parent", "child", "denied"};
static const char *const restart_names[] = {"never", "on-failure", "always"};

/* Whether plain scalar s[0..len) is a JSON number. */
static bool json_number(const char *s, size_t len)
{
    struct kide_json_tok t[1];
    struct kide_json_doc d;
    return kide_json_parse(&d, s, len, t, 1, NULL, NULL) == 0 && t[0].type == KIDE_JSON_NUMBER;
}

/* `key_seed: generate` (kuori-agent's identity, decision 0019): 32 fresh bytes
 * from the host's /dev/urandom as 64 hex digits, at image build, so no seed is
 * ever in the repository. A failed read poisons the writer (no image). */
static void generated_seed(struct kide_json_writer *w)
{
    unsigned char b[32];
    char hex[65];
    FILE *f = fopen("/dev/urandom", "rb");
    size_t got = f ? fread(b, 1, sizeof b, f) : 0;
    if (f)
        fclose(f);
    if (got != sizeof b) {
        kide_json_string(w, NULL); /* poisons the writer */
        return;
    }
    for (size_t i = 0; i < sizeof b; i++)
        snprintf(hex + 2 * i, 3, "%02x", b[i]);
    kide_json_string(w, hex);
}

static bool is_generate(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           n->data.scalar.length == 8 && !memcmp(n->data.scalar.value, "generate", 8);
}

/* A config value: mappings and lists as objects and arrays, scalars typed by form. */
static void config_value(struct kide_json_writer *w, const yaml_document_t *doc, yaml_node_t *n)
{
    yaml_document_t *d = (yaml_document_t *)doc; /* libyaml's getter is not const-correct */
    if (n->type == YAML_MAPPING_NODE) {
        kide_json_begin_object(w);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(d, p->key);
            /* keys are checked to be scalars by the loader */
            char *key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
            if (!key) {
                kide_json_string(w, NULL); /* poisons the writer: out of memory */
                return;
            }
            kide_json_key(w, key);
            yaml_node_t *v = yaml_document_get_node(d, p->value);
            if (!strcmp(key, "key_seed") && is_generate(v))
                generated_seed(w);
            else
                config_value(w, doc, v);
            free(key);
        }
        kide_json_end_object(w);
        return;
    }
    if (n->type == YAML_SEQUENCE_NODE) {
        kide_json_begin_array(w);
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++)
            config_value(w, doc, yaml_document_get_node(d, *i));
        kide_json_end_array(w);
        return;
    }
    const char *s = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
        kide_json_string_n(w, s, len);
    } else if (len == 0 || (len == 4 && memcmp(s, "null", 4) == 0) || (len == 1 && s[0] == '~')) {
        kide_json_null(w);
    } else if (len == 4 && memcmp(s, "true", 4) == 0) {
        kide_json_bool(w, true);
    } else if (len == 5 && memcmp(s, "false", 5) == 0) {
        kide_json_bool(w, false);
    } else if (json_number(s, len)) {
        kide_json_number_text(w, s, len);
    } else {
        kide_json_string_n(w, s, len);
    }
}

/* A posix value: mappings and lists as objects and arrays, every scalar a string
 * (arguments such as 42 stay text; sizes are strings like "4M" the parser reads). */
static void posix_value(struct kide_json_writer *w, const yaml_document_t *doc, yaml_node_t *n)
{
    yaml_document_t *d = (yaml_document_t *)doc;
    if (n->type == YAML_MAPPING_NODE) {
        kide_json_begin_object(w);
        for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
             p++) {
            yaml_node_t *k = yaml_document_get_node(d, p->key);
            char *key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
            if (!key) {
                kide_json_string(w, NULL); /* poisons the writer: out of memory */
                return;
            }
            kide_json_key(w, key);
            free(key);
            posix_value(w, doc, yaml_document_get_node(d, p->value));
        }
        kide_json_end_object(w);
    } else if (n->type == YAML_SEQUENCE_NODE) {
        kide_json_begin_array(w);
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++)
            posix_value(w, doc, yaml_document_get_node(d, *i));
        kide_json_end_array(w);
    } else {
        kide_json_string_n(w, (const char *)n->data.scalar.value, n->data.scalar.length);
    }
}

static void habitat(struct kide_json_writer *w, const struct scn *s, const struct scn_habitat *h);
static long write_compact(const struct scn *s, char **out);

static void child(struct kide_json_writer *w, const struct scn *s, const struct scn_child *c)
{
    kide_json_begin_object(w);
    kide_json_member_string(w, "name", c->name);
    if (c->binary[0])
        kide_json_member_string(w, "binary", c->binary);
    if (c->posix) {
        kide_json_key(w, "posix");
        posix_value(w, &s->doc, c->posix);
    }
    kide_json_member_u64(w, "ram", c->ram);
    kide_json_member_u64(w, "caps", c->caps);
    kide_json_member_object(w, "cpu");
    kide_json_member_u64(w, "quota", c->cpu_quota);
    kide_json_member_u64(w, "priority", c->cpu_priority);
    if (c->has_affinity) {
        kide_json_member_u64(w, "affinity", c->cpu_affinity);
    }
    kide_json_end_object(w);
    kide_json_key(w, "provides");
    kide_json_begin_array(w);
    for (size_t k = 0; k < c->nprovides; k++)
        kide_json_string(w, c->provides[k]);
    kide_json_end_array(w);
    kide_json_key(w, "routes");
    kide_json_begin_array(w);
    for (size_t k = 0; k < c->nroutes; k++) {
        const struct scn_route *r = &c->routes[k];
        kide_json_begin_object(w);
        kide_json_member_string(w, "service", r->service);
        kide_json_member_string(w, "to", to_names[r->to]);
        if (r->child[0]) {
            kide_json_member_string(w, "child", r->child);
        }
        kide_json_end_object(w);
    }
    kide_json_end_array(w);
    kide_json_member_object(w, "restart");
    kide_json_member_string(w, "policy", restart_names[c->restart]);
    kide_json_member_u64(w, "backoff_ms", c->backoff_ms);
    kide_json_member_u64(w, "max_backoff_ms", c->max_backoff_ms);
    kide_json_end_object(w);
    kide_json_member_u64(w, "heartbeat_ms", c->heartbeat_ms);
    if (c->platform)
        kide_json_member_string(w, "devices", "platform");
    else
        kide_json_member_bool(w, "devices", c->devices);
    if (c->has_ram_node) {
        kide_json_member_u64(w, "ram_node", c->ram_node);
    }
    if (c->args[0]) {
        kide_json_member_string(w, "args", c->args);
    }
    if (c->config_live) {
        kide_json_member_bool(w, "config_live", 1);
    }
    if (c->config) {
        kide_json_key(w, "config");
        config_value(w, &s->doc, c->config);
    } else if (!c->posix) { /* a POSIX child's config is made by hoitaja from posix */
        kide_json_key(w, "config");
        kide_json_begin_object(w);
        kide_json_end_object(w);
    }
    if (c->habitat) {
        kide_json_key(w, "habitat");
        habitat(w, s, c->habitat);
    }
    kide_json_end_object(w);
}

/* The members of a habitat object (the caller opened it). */
static void habitat_members(struct kide_json_writer *w, const struct scn *s,
                            const struct scn_habitat *h)
{
    if (h->exit_with[0]) {
        kide_json_member_string(w, "exit_with", h->exit_with);
    }
    kide_json_key(w, "children");
    kide_json_begin_array(w);
    for (size_t k = 0; k < h->nchildren; k++)
        child(w, s, &h->children[k]);
    kide_json_end_array(w);
}

static void habitat(struct kide_json_writer *w, const struct scn *s, const struct scn_habitat *h)
{
    kide_json_begin_object(w);
    habitat_members(w, s, h);
    kide_json_end_object(w);
}

/* The pretty-printer's output buffer. */
struct out {
    char *buf;
    size_t len, cap;
    bool oom;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->oom)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = (o->len + n + 1) * 2;
        char *bigger = realloc(o->buf, cap);
        if (!bigger) {
            o->oom = true;
            return;
        }
        o->buf = bigger;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

static void newline(struct out *o, unsigned depth)
{
    put(o, "\n", 1);
    for (unsigned k = 0; k < depth; k++)
        put(o, "  ", 2);
}

#define PRETTY_DEPTH 64 /* habitats (4) x 3 levels + config depth (16) fit easily */

/*
 * json[0..n) (compact and valid: the writer's output) laid out for people and for
 * hoitaja's line/column messages: the document, every `habitat` object, every
 * `children` array and every child in it get one member or element per line
 * (two spaces per level); all other values (cpu, routes, restart, config, ...)
 * stay on their member's line with ", " and ": ". So a line number in hoitaja's
 * message names the child's field, and the file is barely larger than compact.
 * Returns a fresh NUL-terminated buffer and its length in *len, or NULL.
 */
static char *pretty(const char *json, size_t n, size_t *len)
{
    struct out o = {0};
    bool expanded[PRETTY_DEPTH + 1] = {false};
    unsigned depth = 0;       /* open containers */
    size_t key = 0, klen = 0; /* the last key string at this level (offset, length) */
    for (size_t i = 0; i < n; i++) {
        char ch = json[i];
        if (ch == '"') { /* a string: copy it whole; remember it if a key follows */
            size_t j = i + 1;
            while (j < n && json[j] != '"')
                j += json[j] == '\\' ? 2 : 1;
            put(&o, json + i, j + 1 - i);
            if (j + 1 < n && json[j + 1] == ':')
                key = i + 1, klen = j - i - 1;
            i = j;
            continue;
        }
        if ((ch == '{' || ch == '[') && depth == PRETTY_DEPTH) {
            free(o.buf); /* deeper than any valid scenario's */
            return NULL;
        }
        if (ch == '{' || ch == '[') {
            bool named = klen && ((klen == 8 && !memcmp(json + key, "children", 8)) ||
                                  (klen == 7 && !memcmp(json + key, "habitat", 7)));
            /* An element of an expanded array is a child (only `children` is one). */
            bool elem = depth && expanded[depth] && json[i - 1] != ':';
            bool wide = depth == 0 || (depth < PRETTY_DEPTH && (named || elem));
            put(&o, &ch, 1);
            klen = 0;
            depth++;
            expanded[depth] = wide && i + 1 < n && json[i + 1] != '}' && json[i + 1] != ']';
            if (expanded[depth])
                newline(&o, depth);
            continue;
        }
        if (ch == '}' || ch == ']') {
            if (expanded[depth])
                newline(&o, depth - 1);
            depth--;
            klen = 0;
            put(&o, &ch, 1);
            continue;
        }
        if (ch == ',') {
            put(&o, ",", 1);
            if (expanded[depth])
                newline(&o, depth);
            else
                put(&o, " ", 1);
            klen = 0;
            continue;
        }
        put(&o, &ch, 1);
        if (ch == ':')
            put(&o, " ", 1);
    }
    if (o.oom || !o.buf) {
        free(o.buf);
        return NULL;
    }
    o.buf[o.len] = 0;
    *len = o.len;
    return o.buf;
}

long scn_write_init(const struct scn *s, char **out)
{
    long n = write_compact(s, out);
    if (n < 0)
        return n;
    size_t len;
    char *p = pretty(*out, (size_t)n, &len);
    free(*out);
    *out = p;
    return p ? (long)len : KIDE_JSON_ENOSPC;
}

/* ---- hoitaja's message at its YAML line ------------------------------------------ */

/* The search for the YAML node an error in init.json is about: the value at byte
 * `off` (col given) or the first value on the line [off, end) (col 0), found by
 * walking init.json and the YAML tree side by side. */
struct place {
    const struct kide_json_doc *doc;
    yaml_document_t *ydoc;
    uint32_t off, end; /**< the target (end: one past its line when col is 0) */
    bool line_only;    /**< col 0: any value starting on the line */
    bool done;
    yaml_node_t *node; /**< the YAML node found (the nearest one written in the YAML) */
    char who[400];     /**< the child or habitat it belongs to */
};

static bool at_target(const struct place *p, int tok)
{
    const struct kide_json_tok *t = &p->doc->tok[tok];
    uint32_t pos = t->start - (t->type == KIDE_JSON_STRING ? 1 : 0);
    return p->line_only ? pos >= p->off && pos < p->end : pos == p->off;
}

static void found(struct place *p, yaml_node_t *node, const char *who)
{
    p->node = node;
    snprintf(p->who, sizeof(p->who), "%s", who);
    p->done = true;
}

/* The YAML value of key in mapping y (or of its YAML name: heartbeat for
 * heartbeat_ms, backoff for backoff_ms), or NULL. */
static yaml_node_t *ymember(yaml_document_t *d, yaml_node_t *y, const char *key, size_t len)
{
    static const char *const renamed[][2] = {{"heartbeat_ms", "heartbeat"},
                                             {"backoff_ms", "backoff"},
                                             {"max_backoff_ms", "max_backoff"}};
    if (!y || y->type != YAML_MAPPING_NODE)
        return NULL;
    for (int pass = 0; pass < 2; pass++) {
        const char *k = key;
        size_t n = len;
        for (size_t i = 0; pass && i < sizeof(renamed) / sizeof(renamed[0]); i++)
            if (strlen(renamed[i][0]) == len && !memcmp(renamed[i][0], key, len))
                k = renamed[i][1], n = strlen(k);
        for (yaml_node_pair_t *q = y->data.mapping.pairs.start; q < y->data.mapping.pairs.top;
             q++) {
            yaml_node_t *kn = yaml_document_get_node(d, q->key);
            if (kn->type == YAML_SCALAR_NODE && kn->data.scalar.length == n &&
                !memcmp(kn->data.scalar.value, k, n))
                return yaml_document_get_node(d, q->value);
        }
    }
    return NULL;
}

/* Element i of YAML list y, or NULL. */
static yaml_node_t *yitem(yaml_document_t *d, yaml_node_t *y, size_t i)
{
    if (!y || y->type != YAML_SEQUENCE_NODE ||
        i >= (size_t)(y->data.sequence.items.top - y->data.sequence.items.start))
        return NULL;
    return yaml_document_get_node(d, y->data.sequence.items.start[i]);
}

/* Any value tok and its YAML counterpart y (NULL: not written; best: the nearest). */
static void walk_value(struct place *p, int tok, yaml_node_t *y, yaml_node_t *best, const char *who)
{
    if (y)
        best = y;
    if (p->done || at_target(p, tok)) {
        if (!p->done)
            found(p, best, who);
        return;
    }
    int type = kide_json_type(p->doc, tok);
    size_t i = 0;
    for (int e = kide_json_first(p->doc, tok); e >= 0 && !p->done; e = kide_json_next(p->doc, e)) {
        if (type == KIDE_JSON_ARRAY) {
            walk_value(p, e, yitem(p->ydoc, y, i++), best, who);
            continue;
        }
        const struct kide_json_tok *k = &p->doc->tok[e];
        walk_value(p, e + 1, ymember(p->ydoc, y, p->doc->buf + k->start, k->end - k->start), best,
                   who);
    }
}

static void walk_habitat(struct place *p, int tok, yaml_node_t *y, yaml_node_t *best,
                         const char *path, const char *who);

/* A child object tok of the habitat at path, y its YAML mapping. */
static void walk_child(struct place *p, int tok, yaml_node_t *y, yaml_node_t *best,
                       const char *path)
{
    char name[SCN_NAME_MAX + 1] = "?", who[400], sub[400];
    if (y)
        best = y;
    if (kide_json_get_string(p->doc, kide_json_find(p->doc, tok, "name"), name, sizeof(name)) < 0)
        snprintf(name, sizeof(name), "?");
    snprintf(who, sizeof(who), "child '%s%s'", path, name);
    if (at_target(p, tok)) {
        found(p, best, who);
        return;
    }
    for (int e = kide_json_first(p->doc, tok); e >= 0 && !p->done; e = kide_json_next(p->doc, e)) {
        const struct kide_json_tok *k = &p->doc->tok[e];
        yaml_node_t *v = ymember(p->ydoc, y, p->doc->buf + k->start, k->end - k->start);
        if (!kide_json_str_eq(p->doc, e, "habitat")) {
            walk_value(p, e + 1, v, best, who);
            continue;
        }
        if (at_target(p, e + 1)) { /* the habitat as a whole is the child's */
            found(p, v ? v : best, who);
            return;
        }
        snprintf(sub, sizeof(sub), "%s%s/", path, name);
        snprintf(who, sizeof(who), "habitat of %s%s", path, name);
        walk_habitat(p, e + 1, v, v ? v : best, sub, who);
    }
}

/* A habitat object tok (path "" for the root, "tenant-a/" below), y its YAML mapping. */
static void walk_habitat(struct place *p, int tok, yaml_node_t *y, yaml_node_t *best,
                         const char *path, const char *who)
{
    if (y)
        best = y;
    if (at_target(p, tok)) {
        found(p, best, who);
        return;
    }
    for (int e = kide_json_first(p->doc, tok); e >= 0 && !p->done; e = kide_json_next(p->doc, e)) {
        const struct kide_json_tok *k = &p->doc->tok[e];
        yaml_node_t *v = ymember(p->ydoc, y, p->doc->buf + k->start, k->end - k->start);
        if (!kide_json_str_eq(p->doc, e, "children") ||
            kide_json_type(p->doc, e + 1) != KIDE_JSON_ARRAY) {
            walk_value(p, e + 1, v, best, who);
            continue;
        }
        if (at_target(p, e + 1)) {
            found(p, v ? v : best, who);
            return;
        }
        size_t i = 0;
        for (int c = kide_json_first(p->doc, e + 1); c >= 0 && !p->done;
             c = kide_json_next(p->doc, c))
            walk_child(p, c, yitem(p->ydoc, v, i++), v ? v : best, path);
    }
}

/* hoitaja's error herr about init.json (json[0..len)) into *err at the YAML line of
 * the value it is about: "child 'h/x': ram must be ...". Returns whether found. */
static bool place_error(const struct scn *s, const char *json, size_t len,
                        const struct hj_error *herr, const struct hj_place *at,
                        struct scn_error *err)
{
    if (!at->line || !s->root.node)
        return false;
    struct place p = {.ydoc = (yaml_document_t *)&s->doc, .line_only = at->col == 0};
    uint32_t line = 1, off = 0;
    for (; off < len && line < at->line; off++)
        line += json[off] == '\n';
    if (line != at->line)
        return false;
    p.end = off;
    while (p.end < len && json[p.end] != '\n')
        p.end++;
    p.off = at->col ? off + at->col - 1 : off;
    size_t ntok = len / 2 + 16;
    struct kide_json_tok *tok = malloc(ntok * sizeof(*tok));
    struct kide_json_doc doc;
    if (tok && kide_json_parse(&doc, json, len, tok, ntok, NULL, NULL) == 0) {
        p.doc = &doc;
        walk_habitat(&p, 0, s->root.node, s->root.node, "", "habitat");
    }
    free(tok);
    if (!p.done || !p.node)
        return false;
    err->line = (int)p.node->start_mark.line + 1;
    snprintf(err->msg, sizeof(err->msg), "%s: %s", p.who, herr->msg + at->what);
    snprintf(err->hint, sizeof(err->hint), "%s", herr->hint);
    return true;
}

int scn_check_init(const struct scn *s, const char *json, size_t len, struct scn_error *err)
{
    memset(err, 0, sizeof(*err));
    if (len > KIDE_CONFIG_MAX) {
        snprintf(err->msg, sizeof(err->msg),
                 "init.json would be %zu bytes, more than the %u a configuration may have", len,
                 KIDE_CONFIG_MAX);
        snprintf(err->hint, sizeof(err->hint),
                 "move children into fewer, smaller entries or shorten their config (the "
                 "limit is 1 MiB, KIDE_CONFIG_MAX)");
        return -1;
    }
    /* The root habitat's quota as the machine leaves it (kide_root_children_ram);
     * its caps are the kernel's to say, so they are not bounded here. */
    struct hj_limits lim = {.ram = kide_root_children_ram(s->ram),
                            .caps = ~0ull >> 1,
                            .cpu = KIDE_CPU_PCT_MAX,
                            .cpus = s->cpus,
                            .home_cpu = 0,
                            .nest = KIDE_NEST_MAX,
                            .nodes = s->numa};
    struct hj_config cfg;
    struct hj_error herr;
    struct hj_place at;
    int rc = hj_config_parse_at(json, len, &lim, 0, &cfg, &herr, &at);
    hj_config_free(&cfg);
    if (rc && !place_error(s, json, len, &herr, &at, err)) {
        snprintf(err->msg, sizeof(err->msg), "hoitaja would refuse init.json: %s", herr.msg);
        snprintf(err->hint, sizeof(err->hint), "%s", herr.hint);
    }
    return rc ? -1 : 0;
}

/* init.json in compact form (the kide_json writer's). */
static long write_compact(const struct scn *s, char **out)
{
    *out = NULL;
    for (size_t size = 4096; size <= ((size_t)64 << 20); size *= 2) {
        char *buf = malloc(size);
        if (!buf)
            return KIDE_JSON_ENOSPC;
        struct kide_json_writer w;
        kide_json_writer_init(&w, buf, size);
        kide_json_begin_object(&w);
        kide_json_member_u64(&w, "generation", 1);
        habitat_members(&w, s, &s->root);
        kide_json_end_object(&w);
        long n = kide_json_writer_finish(&w);
        if (n >= 0) {
            *out = buf;
            return n;
        }
        free(buf);
        if (n != KIDE_JSON_ENOSPC)
            return n;
    }
    return KIDE_JSON_ENOSPC;
}

/* Append name to list[*n] (a copy) unless it is there. -1: out of memory. */
static int add_module(char **list, size_t *n, size_t max, const char *name)
{
    for (size_t j = 0; j < *n; j++)
        if (strcmp(list[j], name) == 0)
            return 0;
    if (*n >= max || !(list[*n] = strdup(name)))
        return -1;
    (*n)++;
    return 0;
}

/* A POSIX child's boot modules: the runtime, then what its posix object names
 * (program, stdin's and the rom mounts' modules) as the runtime's own parser
 * lists them (posix_config.roms). The scenario was validated: it parses. */
static int posix_modules(const struct scn *s, const struct scn_child *c, char **list, size_t *n,
                         size_t max)
{
    static struct kide_json_tok toks[4096];
    static struct posix_config pc;
    char err[200], buf[64 * 1024];
    struct kide_json_writer w;
    struct kide_json_doc doc;
    kide_json_writer_init(&w, buf, sizeof(buf));
    posix_value(&w, &s->doc, c->posix);
    long len = kide_json_writer_finish(&w);
    if (add_module(list, n, max, HJ_POSIX_BINARY) || len < 0 ||
        kide_json_parse(&doc, buf, (size_t)len, toks, 4096, NULL, NULL) ||
        posix_config_parse(&doc, 0, &pc, err, sizeof(err)))
        return -1;
    for (kide_u32 k = 0; k < pc.nroms; k++)
        if (add_module(list, n, max, pc.roms[k]))
            return -1;
    return 0;
}

/* Append the distinct boot modules of h (and its habitats) to list[*n]. */
static int binaries(const struct scn *s, const struct scn_habitat *h, char **list, size_t *n,
                    size_t max)
{
    for (size_t k = 0; k < h->nchildren; k++) {
        const struct scn_child *c = &h->children[k];
        if (c->posix ? posix_modules(s, c, list, n, max)
                     : !hj_binary_is_pkg(c->binary) && /* packages: installed at run time */
                               add_module(list, n, max, c->binary))
            return -1;
        if (c->habitat && binaries(s, c->habitat, list, n, max))
            return -1;
    }
    return 0;
}

/* Upper bound of the children in h and below. */
static size_t count_children(const struct scn_habitat *h)
{
    size_t n = h->nchildren;
    for (size_t k = 0; k < h->nchildren; k++)
        if (h->children[k].habitat)
            n += count_children(h->children[k].habitat);
    return n;
}

int scn_write_modules(const struct scn *s, FILE *f)
{
    /* a child names at most its binary, or the runtime and HJ_ROMS_MAX modules */
    size_t max = (count_children(&s->root) + 1) * (HJ_ROMS_MAX + 1), n = 0;
    char **list = calloc(max, sizeof(*list));
    if (!list)
        return -1;
    int rc = add_module(list, &n, max, "hoitaja") || binaries(s, &s->root, list, &n, max) ? -1 : 0;
    if (!rc) {
        fprintf(f, "hoitaja init.json\n");
        for (size_t k = 1; k < n; k++)
            fprintf(f, "%s\n", list[k]);
    }
    for (size_t k = 0; k < n; k++)
        free(list[k]);
    free(list);
    return rc || ferror(f) ? -1 : 0;
}

int scn_write_qemu(const struct scn *s, FILE *f)
{
    if (s->type[0])
        fprintf(f, "type %s\n", s->type);
    if (s->cpu[0])
        fprintf(f, "cpu %s\n", s->cpu);
    for (unsigned k = 0; k < s->ndevices; k++)
        fprintf(f, "device %s\n", s->devices[k]);
    for (unsigned k = 0; k < s->nnetdevs; k++)
        fprintf(f, "netdev %s\n", s->netdevs[k]);
    return ferror(f) ? -1 : 0;
}

int scn_write_expect(const struct scn *s, FILE *f)
{
    static const char *const exits[] = {"none", "success", "failure"};
    fprintf(f, "timeout_ms %llu\n", (unsigned long long)s->expect_timeout_ms);
    fprintf(f, "exit %s\n", exits[s->expect_exit]);
    for (size_t k = 0; k < s->nexpect_log; k++)
        fprintf(f, "log %s\n", s->expect_log[k]);
    return ferror(f) ? -1 : 0;
}
