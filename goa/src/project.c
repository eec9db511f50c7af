/* SPDX-License-Identifier: MIT */
/* goa: the project file (goa.yaml) -- loading and extraction.
 *
 * Loading is three steps: libyaml builds a document (syntax errors are
 * reported with their line and column), the schema validator checks every
 * field, and only then are values copied into struct goa_project. Because
 * validation came first, extraction can trust types and never fails except
 * for the cross-field rules checked at the end (a source needs a hash).
 */
#include "project.h"

#include "schema.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

void goa_strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

size_t goa_strv_len(char *const *v)
{
    size_t n = 0;

    while (v && v[n])
        n++;
    return n;
}

static yaml_node_t *get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((char *)k->data.scalar.value, key))
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

static char *str(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    yaml_node_t *n = get(d, map, key);

    if (!n || n->type != YAML_SCALAR_NODE)
        return NULL;
    return goa_xstrdup((char *)n->data.scalar.value);
}

static long num(yaml_document_t *d, yaml_node_t *map, const char *key, long dflt)
{
    yaml_node_t *n = get(d, map, key);

    if (!n || n->type != YAML_SCALAR_NODE)
        return dflt;
    if (!strcmp((char *)n->data.scalar.value, "true"))
        return 1;
    if (!strcmp((char *)n->data.scalar.value, "false"))
        return 0;
    return strtol((char *)n->data.scalar.value, NULL, 10);
}

static char **strv(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    yaml_node_t *n = get(d, map, key);
    char **v;
    size_t k = 0;

    if (!n || n->type != YAML_SEQUENCE_NODE)
        return goa_xmalloc(sizeof(char *));
    v = goa_xmalloc(sizeof(char *) *
                    (size_t)(n->data.sequence.items.top - n->data.sequence.items.start + 1));
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *e = yaml_document_get_node(d, *i);
        if (e && e->type == YAML_SCALAR_NODE)
            v[k++] = goa_xstrdup((char *)e->data.scalar.value);
    }
    return v;
}

static void extract_sources(yaml_document_t *d, yaml_node_t *root, struct goa_project *p)
{
    yaml_node_t *n = get(d, root, "sources");
    size_t k = 0;

    if (!n || n->type != YAML_SEQUENCE_NODE)
        return;
    p->sources = goa_xmalloc(sizeof *p->sources * (size_t)(n->data.sequence.items.top -
                                                           n->data.sequence.items.start + 1));
    for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
        yaml_node_t *e = yaml_document_get_node(d, *i);
        struct goa_source *s = &p->sources[k++];
        s->url = str(d, e, "url");
        s->sha256 = str(d, e, "sha256");
        s->tree_sha256 = str(d, e, "tree_sha256");
        s->strip = (int)num(d, e, "strip", 1);
        s->patches = strv(d, e, "patches");
        s->dir = str(d, e, "dir");
        s->debian = str(d, e, "debian");
        s->line = (int)e->start_mark.line + 1;
    }
    p->nsources = k;
}

static void extract(yaml_document_t *d, struct goa_project *p)
{
    yaml_node_t *root = yaml_document_get_root_node(d);
    yaml_node_t *b = get(d, root, "build"), *r = get(d, root, "runtime"), *t = get(d, root, "test");

    p->name = str(d, root, "name");
    p->version = str(d, root, "version");
    p->type = str(d, root, "type");
    p->license = str(d, root, "license");
    p->summary = str(d, root, "summary");
    p->depot_user = str(d, root, "depot_user");
    extract_sources(d, root, p);
    p->build_system = str(d, b, "system");
    if (!p->build_system)
        p->build_system = goa_xstrdup("auto");
    p->build_args = strv(d, b, "args");
    p->build_targets = strv(d, b, "targets");
    p->build_check = strv(d, b, "check");
    p->build_env = strv(d, b, "env");
    p->build_install = (int)num(d, b, "install", -1);
    p->artifacts = strv(d, root, "artifacts");
    p->depends = strv(d, root, "depends");
    p->has_runtime = r != NULL;
    p->runtime.binary = str(d, r, "binary");
    p->runtime.ram = str(d, r, "ram");
    p->runtime.caps = num(d, r, "caps", 0);
    p->runtime.cpu_quota = num(d, r, "cpu_quota", 0);
    p->runtime.requires = strv(d, r, "requires");
    p->runtime.provides = strv(d, r, "provides");
    p->runtime.config = str(d, r, "config");
    p->runtime.rom = strv(d, r, "rom");
    p->runtime.child = str(d, r, "child");
    p->has_test = t != NULL;
    p->test.args = strv(d, t, "args");
    p->test.stdin_file = str(d, t, "stdin");
    p->test.expect = strv(d, t, "expect");
    p->test.exit_code = (int)num(d, t, "exit", 0);
    p->test.timeout = (int)num(d, t, "timeout", 60);
    p->test.target = str(d, t, "target");
    if (!p->test.target)
        p->test.target = goa_xstrdup("host");
}

/* Cross-field rules the per-field schema cannot express. */
static int check_rules(const struct goa_project *p, const char *file)
{
    int bad = 0;

    for (size_t i = 0; i < p->nsources; i++) {
        const struct goa_source *s = &p->sources[i];
        if (!s->sha256 && !s->tree_sha256) {
            fprintf(stderr,
                    "goa: %s:%d: source '%s' has neither sha256 nor tree_sha256\n"
                    "hint: add the archive's SHA-256 (sha256sum FILE) or its tree hash (goa hash "
                    "DIR)\n",
                    file, s->line, s->url);
            bad++;
        }
    }
    return bad;
}

int goa_project_parse(const char *data, size_t len, const char *file, struct goa_project *p)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1;

    memset(p, 0, sizeof *p);
    if (!yaml_parser_initialize(&parser)) {
        goa_error(file, NULL, "cannot initialise the YAML parser");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        fprintf(stderr,
                "goa: %s:%zu:%zu: malformed YAML: %s%s%s\n"
                "hint: fix the syntax at that line (indentation, quotes, a missing ':')\n",
                file, parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
                parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        return -1;
    }
    if (goa_schema_validate(&doc, goa_schema_project, file) == 0) {
        extract(&doc, p);
        p->file = goa_xstrdup(file);
        if (check_rules(p, file) == 0)
            rc = 0;
        else
            goa_project_free(p);
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

int goa_project_load(const char *dir, struct goa_project *p)
{
    char *file = goa_fmt("%s/goa.yaml", dir);
    char *data = NULL;
    size_t len;
    int rc = -1;

    if (goa_read_file(file, &data, &len)) {
        goa_error(file,
                  "run goa in a project directory (or pass -C DIR), or create one with 'goa new'",
                  "cannot read the project file: %m");
        goto out;
    }
    if (goa_project_parse(data, len, file, p))
        goto out;
    /* Absolute, so children that change directory can use project paths. */
    p->dir = realpath(dir, NULL);
    if (!p->dir)
        p->dir = goa_xstrdup(dir);
    rc = 0;
out:
    free(data);
    free(file);
    return rc;
}

static void free_source(struct goa_source *s)
{
    free(s->url);
    free(s->sha256);
    free(s->tree_sha256);
    free(s->debian);
    goa_strv_free(s->patches);
    free(s->dir);
}

void goa_project_free(struct goa_project *p)
{
    for (size_t i = 0; i < p->nsources; i++)
        free_source(&p->sources[i]);
    free(p->sources);
    free(p->dir);
    free(p->file);
    free(p->name);
    free(p->version);
    free(p->type);
    free(p->license);
    free(p->summary);
    free(p->depot_user);
    free(p->build_system);
    goa_strv_free(p->build_args);
    goa_strv_free(p->build_targets);
    goa_strv_free(p->build_check);
    goa_strv_free(p->build_env);
    goa_strv_free(p->artifacts);
    goa_strv_free(p->depends);
    free(p->runtime.binary);
    free(p->runtime.ram);
    goa_strv_free(p->runtime.requires);
    goa_strv_free(p->runtime.provides);
    free(p->runtime.config);
    goa_strv_free(p->runtime.rom);
    free(p->runtime.child);
    goa_strv_free(p->test.args);
    free(p->test.stdin_file);
    goa_strv_free(p->test.expect);
    free(p->test.target);
    memset(p, 0, sizeof *p);
}
