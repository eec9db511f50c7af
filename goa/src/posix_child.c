/* SPDX-License-Identifier: MIT */
/* goa: the hoitaja child of a posix project, and reading a Kide run's log (posix_child.h). */
#include "posix_child.h"

#include "util.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* A YAML node as JSON: mappings objects, sequences arrays, every scalar a string
 * (argument 42 stays "42"; sizes are strings such as "4M" the parser reads). Keys
 * must be scalars. NULL on a non-scalar key or out of memory. depth bounds nesting. */
static cJSON *to_json(yaml_document_t *d, yaml_node_t *n, int depth)
{
    if (!n || depth > 16)
        return NULL;
    if (n->type == YAML_SCALAR_NODE)
        return cJSON_CreateString((const char *)n->data.scalar.value);
    cJSON *o = n->type == YAML_MAPPING_NODE ? cJSON_CreateObject() : cJSON_CreateArray();
    if (!o)
        return NULL;
    if (n->type == YAML_SEQUENCE_NODE) {
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++) {
            cJSON *e = to_json(d, yaml_document_get_node(d, *i), depth + 1);
            if (!e || !cJSON_AddItemToArray(o, e)) {
                cJSON_Delete(e);
                cJSON_Delete(o);
                return NULL;
            }
        }
        return o;
    }
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        cJSON *v = k && k->type == YAML_SCALAR_NODE
                           ? to_json(d, yaml_document_get_node(d, p->value), depth + 1)
                           : NULL;
        if (!v || !cJSON_AddItemToObject(o, (const char *)k->data.scalar.value, v)) {
            cJSON_Delete(v);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

/* The value of member key of mapping m, or NULL (absent). */
static yaml_node_t *member(yaml_document_t *d, yaml_node_t *m, const char *key)
{
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(d, p->key);
        if (k && k->type == YAML_SCALAR_NODE && !strcmp((const char *)k->data.scalar.value, key))
            return yaml_document_get_node(d, p->value);
    }
    return NULL;
}

/* The runtime file: a mapping holding posix (a mapping). */
static int load_file(const char *file, const char *text, size_t len, cJSON **posix)
{
    static const char *const known[] = {"posix", NULL};
    yaml_parser_t parser;
    yaml_document_t doc;
    int rc = -1;
    if (!yaml_parser_initialize(&parser))
        return goa_error(file, NULL, "out of memory reading it"), -1;
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        goa_error(file, "fix the YAML syntax", "line %zu: %s", parser.problem_mark.line + 1,
                  parser.problem ? parser.problem : "malformed YAML");
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        goa_error(file, "write the child as a mapping: posix: {program: NAME, ...}",
                  "the runtime file must be a mapping");
        goto out;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(&doc, p->key);
        int ok = 0;
        for (int i = 0; known[i] && k && k->type == YAML_SCALAR_NODE; i++)
            ok |= !strcmp((const char *)k->data.scalar.value, known[i]);
        if (!ok) {
            goa_error(file,
                      "the runtime file holds posix: only (ram and caps come from goa.yaml's "
                      "runtime:, the rest goa sets)",
                      "line %zu: unknown field '%s'", k ? k->start_mark.line + 1 : 0,
                      k && k->type == YAML_SCALAR_NODE ? (const char *)k->data.scalar.value : "?");
            goto out;
        }
    }
    yaml_node_t *px = member(&doc, root, "posix");
    if (px && px->type != YAML_MAPPING_NODE) {
        goa_error(file, "write posix: {program: NAME, args: [...], ...} (docs/hoitaja.md)",
                  "line %zu: posix must be a mapping", px->start_mark.line + 1);
        goto out;
    }
    *posix = px ? to_json(&doc, px, 0) : cJSON_CreateObject();
    if (!*posix) {
        goa_error(file, "use plain keys, at most 16 levels deep", "cannot read posix");
        goto out;
    }
    rc = 0;
out:
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

int goa_posix_child(const char *file, const char *text, size_t len, const char *name,
                    char *const *args, struct goa_posix_child *out)
{
    cJSON *posix = NULL;
    memset(out, 0, sizeof(*out));
    if (text ? load_file(file, text, len, &posix) : !(posix = cJSON_CreateObject()))
        goto fail;
    cJSON *prog = cJSON_GetObjectItemCaseSensitive(posix, "program");
    if (!prog && !(prog = cJSON_AddStringToObject(posix, "program", name)))
        goto oom;
    if (!cJSON_IsString(prog)) {
        goa_error(file, "write program: NAME (the boot module holding the program)",
                  "posix.program must be a name");
        goto fail;
    }
    out->program = goa_xstrdup(prog->valuestring);
    if (args && args[0]) {
        cJSON *old = cJSON_GetObjectItemCaseSensitive(posix, "args");
        cJSON *a0 = cJSON_IsArray(old) ? cJSON_GetArrayItem(old, 0) : NULL;
        cJSON *argv = cJSON_CreateArray();
        if (!argv ||
            !cJSON_AddItemToArray(
                    argv, cJSON_CreateString(cJSON_IsString(a0) ? a0->valuestring : out->program)))
            goto oom_argv;
        for (size_t i = 0; args[i]; i++)
            if (!cJSON_AddItemToArray(argv, cJSON_CreateString(args[i])))
                goto oom_argv;
        /* in the file's place, so the object reads as written */
        if (old ? !cJSON_ReplaceItemInObjectCaseSensitive(posix, "args", argv)
                : !cJSON_AddItemToObject(posix, "args", argv))
            goto oom_argv;
        goto print;
    oom_argv:
        cJSON_Delete(argv);
        goto oom;
    }
print:
    if (!(out->posix = cJSON_PrintUnformatted(posix)))
        goto oom;
    cJSON_Delete(posix);
    return 0;
oom:
    goa_error(file, NULL, "out of memory writing the posix object");
fail:
    cJSON_Delete(posix);
    goa_posix_child_free(out);
    return -1;
}

void goa_posix_child_free(struct goa_posix_child *c)
{
    free(c->posix), free(c->program);
    memset(c, 0, sizeof(*c));
}

const char *goa_child_line(const char *child, const char *line)
{
    size_t n = child ? strlen(child) : 0;
    if (n && line[0] == '[' && !strncmp(line + 1, child, n) && line[n + 1] == ']' &&
        line[n + 2] == ' ')
        return line + n + 3;
    return line;
}

int goa_exit_with_code(const char *child, const char *line)
{
    static const char head[] = "[init] exit_with ", tail[] = ": ending the habitat with code ";
    size_t n = strlen(child);
    if (strncmp(line, head, sizeof(head) - 1))
        return -1;
    line += sizeof(head) - 1;
    if (strncmp(line, child, n) || strncmp(line + n, tail, sizeof(tail) - 1))
        return -1;
    line += n + sizeof(tail) - 1;
    char *end;
    long v = strtol(line, &end, 10);
    if (end == line || *end || v < 0 || v > 255)
        return -1;
    return (int)v;
}
