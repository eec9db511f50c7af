/* SPDX-License-Identifier: MIT */
/* YAML to JSON with libyaml's event parser (see yaml2json.h). */
#include "yaml2json.h"

#include <errno.h>
#include <stdarg.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct conv {
    yaml_parser_t p;
    const char *what;
    int nodes;
    struct kuori_err *e;
};

static int yfail(struct conv *c, size_t line, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int yfail(struct conv *c, size_t line, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return kuori_fail(c->e, KUORI_EXIT_LOCAL, "yaml",
                      "fix the file; 'kuori config -o yaml' "
                      "prints the configuration in force",
                      "%s:%zu: %s", c->what, line + 1, buf);
}

static int matches(const char *re, const char *s)
{
    regex_t r;
    int ok;
    if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
        return 0;
    ok = regexec(&r, s, 0, NULL, 0) == 0;
    regfree(&r);
    return ok;
}

static cJSON *scalar(const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return cJSON_CreateString(v);
    if (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"))
        return cJSON_CreateNull();
    if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
        return cJSON_CreateTrue();
    if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
        return cJSON_CreateFalse();
    if (strlen(v) < 32 && matches("^[-+]?([0-9]+|[0-9]+\\.[0-9]*|\\.[0-9]+)([eE][-+]?[0-9]+)?$", v))
        return cJSON_CreateNumber(strtod(v, NULL));
    return cJSON_CreateString(v);
}

static int node(struct conv *c, yaml_event_t *ev, int depth, cJSON **out);

/* The children of a sequence or mapping until its end event. */
static int children(struct conv *c, cJSON *into, int mapping, int depth)
{
    for (;;) {
        yaml_event_t ev;
        cJSON *key = NULL, *val = NULL;
        int rc;
        if (!yaml_parser_parse(&c->p, &ev))
            return yfail(c, c->p.problem_mark.line, "%s",
                         c->p.problem ? c->p.problem : "syntax error");
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            return 0;
        }
        if (mapping) {
            size_t line = ev.start_mark.line;
            if (ev.type != YAML_SCALAR_EVENT) {
                yaml_event_delete(&ev);
                return yfail(c, line, "%s", "keys must be plain strings");
            }
            key = cJSON_CreateString((const char *)ev.data.scalar.value);
            yaml_event_delete(&ev);
            if (cJSON_GetObjectItemCaseSensitive(into, key->valuestring)) {
                rc = yfail(c, line, "duplicate key \"%s\"", key->valuestring);
                cJSON_Delete(key);
                return rc;
            }
            if (!yaml_parser_parse(&c->p, &ev)) {
                cJSON_Delete(key);
                return yfail(c, c->p.problem_mark.line, "%s",
                             c->p.problem ? c->p.problem : "syntax error");
            }
        }
        rc = node(c, &ev, depth + 1, &val);
        yaml_event_delete(&ev);
        if (rc) {
            cJSON_Delete(key);
            return rc;
        }
        if (mapping)
            cJSON_AddItemToObject(into, key->valuestring, val);
        else
            cJSON_AddItemToArray(into, val);
        cJSON_Delete(key);
    }
}

static int node(struct conv *c, yaml_event_t *ev, int depth, cJSON **out)
{
    size_t line = ev->start_mark.line;
    int rc;
    *out = NULL;
    if (++c->nodes > KUORI_YAML_MAX_NODES)
        return yfail(c, line, "more than %s values", "100000");
    if (depth > KUORI_YAML_MAX_DEPTH)
        return yfail(c, line, "nested deeper than %s levels", "32");
    switch (ev->type) {
    case YAML_ALIAS_EVENT:
        return yfail(c, line, "%s", "anchors and aliases (*name) are not allowed");
    case YAML_SCALAR_EVENT:
        if (ev->data.scalar.anchor)
            return yfail(c, line, "%s", "anchors (&name) are not allowed");
        *out = scalar(ev);
        return 0;
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        int mapping = ev->type == YAML_MAPPING_START_EVENT;
        if ((mapping ? ev->data.mapping_start.anchor : ev->data.sequence_start.anchor))
            return yfail(c, line, "%s", "anchors (&name) are not allowed");
        *out = mapping ? cJSON_CreateObject() : cJSON_CreateArray();
        rc = children(c, *out, mapping, depth);
        if (rc) {
            cJSON_Delete(*out);
            *out = NULL;
        }
        return rc;
    }
    default:
        return yfail(c, line, "%s", "unexpected YAML event");
    }
}

/* Expect an event of @p type (stream/document start or end). */
static int expect(struct conv *c, yaml_event_type_t type, const char *what)
{
    yaml_event_t ev;
    int ok;
    if (!yaml_parser_parse(&c->p, &ev))
        return yfail(c, c->p.problem_mark.line, "%s", c->p.problem ? c->p.problem : "syntax error");
    ok = ev.type == type;
    size_t line = ev.start_mark.line;
    yaml_event_delete(&ev);
    return ok ? 0 : yfail(c, line, "%s", what);
}

int kuori_yaml_to_json(const char *text, size_t len, const char *what, cJSON **out,
                       struct kuori_err *e)
{
    struct conv c = {.what = what, .e = e};
    yaml_event_t ev;
    int rc;
    *out = NULL;
    if (len > KUORI_YAML_MAX_BYTES)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "yaml", "split or shorten the file",
                          "%s is larger than 1 MiB", what);
    if (!yaml_parser_initialize(&c.p))
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    yaml_parser_set_input_string(&c.p, (const unsigned char *)text, len);
    rc = expect(&c, YAML_STREAM_START_EVENT, "not a YAML stream");
    if (!rc)
        rc = expect(&c, YAML_DOCUMENT_START_EVENT, "the file holds no YAML document");
    if (!rc && !yaml_parser_parse(&c.p, &ev))
        rc = yfail(&c, c.p.problem_mark.line, "%s", c.p.problem ? c.p.problem : "syntax error");
    else if (!rc) {
        rc = node(&c, &ev, 0, out);
        yaml_event_delete(&ev);
    }
    if (!rc)
        rc = expect(&c, YAML_DOCUMENT_END_EVENT, "more than one value at the top level");
    if (!rc)
        rc = expect(&c, YAML_STREAM_END_EVENT, "more than one YAML document (---) in the file");
    if (!rc && !cJSON_IsObject(*out))
        rc = kuori_fail(e, KUORI_EXIT_LOCAL, "yaml", "write the configuration as a mapping",
                        "%s: the top level must be a mapping (key: value)", what);
    if (rc) {
        cJSON_Delete(*out);
        *out = NULL;
    }
    yaml_parser_delete(&c.p);
    return rc;
}

int kuori_yaml_file(const char *path, cJSON **out, struct kuori_err *e)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    char *buf;
    size_t n;
    int rc;
    if (!f)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "file", "check the path given to -f",
                          "cannot read %s: %s", path, strerror(errno));
    buf = malloc(KUORI_YAML_MAX_BYTES + 1);
    if (!buf) {
        if (f != stdin)
            fclose(f);
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    }
    n = fread(buf, 1, KUORI_YAML_MAX_BYTES + 1, f);
    if (f != stdin)
        fclose(f);
    rc = kuori_yaml_to_json(buf, n, path, out, e);
    free(buf);
    return rc;
}
