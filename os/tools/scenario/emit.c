/* SPDX-License-Identifier: MIT */
/* kide-scenario output: init.json, modules.txt and expect.txt from a valid scenario.
 *
 * init.json is built with the kide_json writer of os/lib/json, the same
 * bounded builder the OS uses, into a buffer that doubles until the document
 * fits (the writer reports truncation, so nothing partial is ever written).
 * Every field of docs/formats/hoitaja-config.md is written explicitly, with
 * defaults filled in, so hoitaja never has to guess.
 */
#include "scenario.h"

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
            free(key);
            config_value(w, doc, yaml_document_get_node(d, p->value));
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

static void habitat(struct kide_json_writer *w, const struct scn *s, const struct scn_habitat *h);

static void child(struct kide_json_writer *w, const struct scn *s, const struct scn_child *c)
{
    kide_json_begin_object(w);
    kide_json_member_string(w, "name", c->name);
    kide_json_member_string(w, "binary", c->binary);
    kide_json_member_u64(w, "ram", c->ram);
    kide_json_member_u64(w, "caps", c->caps);
    kide_json_member_object(w, "cpu");
    kide_json_member_u64(w, "quota", c->cpu_quota);
    kide_json_member_u64(w, "priority", c->cpu_priority);
    if (c->cpu_affinity >= 0) {
        kide_json_member_u64(w, "affinity", (uint64_t)c->cpu_affinity);
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
        if (r->to == SCN_TO_CHILD) {
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
    kide_json_member_bool(w, "devices", c->devices);
    if (c->ram_node >= 0) {
        kide_json_member_u64(w, "ram_node", (uint64_t)c->ram_node);
    }
    if (c->args[0]) {
        kide_json_member_string(w, "args", c->args);
    }
    kide_json_key(w, "config");
    if (c->config) {
        config_value(w, &s->doc, c->config);
    } else {
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

long scn_write_init(const struct scn *s, char **out)
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

/* Append the distinct binaries of h (and its habitats) to list[*n]. */
static void binaries(const struct scn_habitat *h, const char **list, size_t *n, size_t max)
{
    for (size_t k = 0; k < h->nchildren; k++) {
        const struct scn_child *c = &h->children[k];
        bool seen = false;
        for (size_t j = 0; j < *n && !seen; j++)
            seen = strcmp(list[j], c->binary) == 0;
        if (!seen && *n < max)
            list[(*n)++] = c->binary;
        if (c->habitat)
            binaries(c->habitat, list, n, max);
    }
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
    size_t max = count_children(&s->root) + 1, n = 1;
    const char **list = calloc(max, sizeof(*list));
    if (!list)
        return -1;
    list[0] = "hoitaja";
    binaries(&s->root, list, &n, max);
    fprintf(f, "hoitaja init.json\n");
    for (size_t k = 1; k < n; k++)
        fprintf(f, "%s\n", list[k]);
    free(list);
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
