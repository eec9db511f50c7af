/* SPDX-License-Identifier: MIT */
/* goa: the goa.yaml schema -- one table that validates and documents.
 *
 * The tables below are the single source of truth for the project format:
 * the validator enforces them and `goa schema` prints them. Validation is a
 * recursive walk over the libyaml document; it stops descending into a value
 * whose type is wrong, but keeps checking its siblings, so one run reports
 * every independent mistake. At most GOA_SCHEMA_MAX_ERRORS are printed.
 */
#include "schema.h"
#include "apt.h"

#include "pathcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>

#define GOA_SCHEMA_MAX_ERRORS 20

static const char *check_name(const char *v)
{
    return goa_valid_name(v) ? NULL : "must match [A-Za-z0-9][A-Za-z0-9._+-]{0,127}";
}

static const char *check_user(const char *v)
{
    return goa_valid_user(v) ? NULL : "must match [a-z0-9][a-z0-9_-]{0,63}";
}

static const char *check_type(const char *v)
{
    if (!strcmp(v, "native") || !strcmp(v, "posix") || !strcmp(v, "library"))
        return NULL;
    return "must be native, posix or library";
}

static const char *check_system(const char *v)
{
    static const char *const ok[] = {"auto", "make", "cmake", "autoconf", "meson", "plain", "none"};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (!strcmp(v, ok[i]))
            return NULL;
    return "must be auto, make, cmake, autoconf, meson, plain or none";
}

static const char *check_sha(const char *v)
{
    return goa_valid_sha256(v) ? NULL : "must be 64 hexadecimal digits";
}

static const char *check_url(const char *v)
{
    if (!strncmp(v, "https://", 8) || !strncmp(v, "http://", 7) || !strncmp(v, "file://", 7))
        return NULL;
    return "must start with https://, http:// or file://";
}

static const char *check_relpath(const char *v)
{
    return goa_path_inside(v) ? NULL : "must be a relative path inside the project";
}

static const char *check_depend(const char *v)
{
    char *s = strdup(v), *parts[6] = {0}, *save = NULL;
    const char *why = "must be user/type/name/version, e.g. kide/src/zlib/1.3.1";
    int n = 0;

    if (!s)
        return "out of memory";
    for (char *t = strtok_r(s, "/", &save); t && n < 6; t = strtok_r(NULL, "/", &save))
        parts[n++] = t;
    if (n == 4 && goa_valid_user(parts[0]) && goa_valid_type(parts[1]) &&
        goa_valid_name(parts[2]) && goa_valid_name(parts[3]))
        why = NULL;
    if (n == 5 && !strcmp(parts[1], "bin") && goa_valid_user(parts[0]) &&
        goa_valid_name(parts[2]) && goa_valid_name(parts[3]) && goa_valid_name(parts[4]))
        why = NULL;
    free(s);
    return why;
}

static const char *check_size(const char *v)
{
    char *end;
    unsigned long long n;

    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno || end == v || n == 0)
        return "must be a size such as 4096, 512K, 16M or 1G";
    if (*end && (strchr("KMG", *end) == NULL || end[1]))
        return "must be a size such as 4096, 512K, 16M or 1G";
    return NULL;
}

static const char *check_strip(const char *v)
{
    long n = strtol(v, NULL, 10);
    return n >= 0 && n <= 16 ? NULL : "must be between 0 and 16";
}

static const char *check_percent(const char *v)
{
    long n = strtol(v, NULL, 10);
    return n >= 0 && n <= 100 ? NULL : "must be between 0 and 100";
}

static const char *check_timeout(const char *v)
{
    long n = strtol(v, NULL, 10);
    return n >= 1 && n <= 86400 ? NULL : "must be between 1 and 86400 seconds";
}

static const char *check_target(const char *v)
{
    return !strcmp(v, "host") || !strcmp(v, "qemu") ? NULL : "must be host or qemu";
}

static const char *check_env(const char *v)
{
    const char *eq = strchr(v, '=');
    return eq && eq != v ? NULL : "must be NAME=value";
}

static const char *check_debian(const char *v)
{
    char *p = goa_debian_pool_path(v);
    free(p);
    return p ? NULL : "must be a Debian source file name, <package>_<version>.orig.tar.<ext>";
}

static const struct goa_field source_fields[] = {
        {"url", GOA_T_STR, true, NULL, check_url, "upstream URL of the archive"},
        {"sha256", GOA_T_STR, false, NULL, check_sha, "SHA-256 of the archive bytes"},
        {"tree_sha256", GOA_T_STR, false, NULL, check_sha,
         "tree hash of the extracted sources (see docs/formats/tree-hash.md)"},
        {"strip", GOA_T_INT, false, NULL, check_strip,
         "leading path components to drop (default 1)"},
        {"patches", GOA_T_STRLIST, false, NULL, check_relpath,
         "patches applied with patch -p1, in order"},
        {"dir", GOA_T_STR, false, NULL, check_relpath,
         "destination below src/ (default src/ itself)"},
        {"debian", GOA_T_STR, false, NULL, check_debian,
         "Debian source file carrying these bytes (expat_2.5.0.orig.tar.gz): fetched from the "
         "Debian archive of apt's configuration before upstream"},
        {NULL, 0, false, NULL, NULL, NULL},
};

static const struct goa_field build_fields[] = {
        {"system", GOA_T_STR, false, NULL, check_system,
         "build system (default auto: detected from the sources)"},
        {"args", GOA_T_STRLIST, false, NULL, NULL,
         "extra arguments to configure, cmake, meson or make"},
        {"targets", GOA_T_STRLIST, false, NULL, NULL, "make targets (make and plain only)"},
        {"check", GOA_T_STRLIST, false, NULL, NULL,
         "shell commands goa check runs in the build tree instead of the build system's suite "
         "(make check or test, ctest, meson test)"},
        {"env", GOA_T_STRLIST, false, NULL, check_env,
         "extra NAME=value environment for the build"},
        {"install", GOA_T_BOOL, false, NULL, NULL,
         "run the install step (default: yes except for make and plain)"},
        {NULL, 0, false, NULL, NULL, NULL},
};

static const struct goa_field runtime_fields[] = {
        {"binary", GOA_T_STR, true, NULL, NULL, "binary started by the runtime"},
        {"ram", GOA_T_STR, false, NULL, check_size, "RAM quota (4096, 512K, 16M, 1G)"},
        {"caps", GOA_T_INT, false, NULL, NULL, "capability quota"},
        {"cpu_quota", GOA_T_INT, false, NULL, check_percent, "CPU quota in percent (0: no limit)"},
        {"requires", GOA_T_STRLIST, false, NULL, NULL,
         "services the component needs (LOG, ROM, Timer, ...)"},
        {"provides", GOA_T_STRLIST, false, NULL, NULL, "services the component provides"},
        {"config", GOA_T_STR, false, NULL, NULL, "configuration handed to the component"},
        {"rom", GOA_T_STRLIST, false, NULL, NULL, "extra ROM modules from the package"},
        {"child", GOA_T_STR, false, NULL, check_relpath,
         "posix projects: file holding the hoitaja child goa boots on Kide (posix: and quotas)"},
        {NULL, 0, false, NULL, NULL, NULL},
};

static const struct goa_field test_fields[] = {
        {"args", GOA_T_STRLIST, false, NULL, NULL, "program arguments"},
        {"stdin", GOA_T_STR, false, NULL, check_relpath, "file fed to standard input"},
        {"expect", GOA_T_STRLIST, false, NULL, NULL, "lines the log must contain, in order"},
        {"exit", GOA_T_INT, false, NULL, NULL, "expected exit code (default 0)"},
        {"timeout", GOA_T_INT, false, NULL, check_timeout,
         "seconds before the run is killed (default 60)"},
        {"target", GOA_T_STR, false, NULL, check_target, "backend: host or qemu (default host)"},
        {NULL, 0, false, NULL, NULL, NULL},
};

const struct goa_field goa_schema_project[] = {
        {"name", GOA_T_STR, true, NULL, check_name, "depot name of the project"},
        {"version", GOA_T_STR, true, NULL, check_name, "depot version (exact, e.g. 3.44.2)"},
        {"type", GOA_T_STR, true, NULL, check_type, "native, posix or library"},
        {"license", GOA_T_STR, false, NULL, NULL, "SPDX licence expression"},
        {"summary", GOA_T_STR, false, NULL, NULL, "one-line description"},
        {"depot_user", GOA_T_STR, false, NULL, check_user,
         "depot user the archives are exported as"},
        {"sources", GOA_T_MAPLIST, false, source_fields, NULL, "source archives to import"},
        {"build", GOA_T_MAP, false, build_fields, NULL, "how to build"},
        {"artifacts", GOA_T_STRLIST, false, NULL, check_relpath,
         "built files that go into the bin archive"},
        {"depends", GOA_T_STRLIST, false, NULL, check_depend,
         "depot archives needed, user/type/name/version"},
        {"runtime", GOA_T_MAP, false, runtime_fields, NULL, "how the package is started"},
        {"test", GOA_T_MAP, false, test_fields, NULL, "how goa test judges a run"},
        {NULL, 0, false, NULL, NULL, NULL},
};

/** Validation state: the document, the file name and the error count. */
struct vstate {
    yaml_document_t *doc; /**< the document being checked */
    const char *file;     /**< file name for messages */
    int errors;           /**< problems found so far */
    long visits;          /**< nodes visited; bounds alias bombs */
};

static void report(struct vstate *vs, yaml_node_t *n, const char *hint, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

static void report(struct vstate *vs, yaml_node_t *n, const char *hint, const char *fmt, ...)
{
    va_list ap;

    if (vs->errors++ >= GOA_SCHEMA_MAX_ERRORS)
        return;
    fprintf(stderr, "goa: %s:%zu:%zu: ", vs->file, n->start_mark.line + 1,
            n->start_mark.column + 1);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    if (hint)
        fprintf(stderr, "hint: %s\n", hint);
}

static const char *tname(enum goa_ftype t)
{
    switch (t) {
    case GOA_T_STR:
        return "a string";
    case GOA_T_INT:
        return "an integer";
    case GOA_T_BOOL:
        return "true or false";
    case GOA_T_STRLIST:
        return "a list of strings";
    case GOA_T_MAP:
        return "a mapping";
    case GOA_T_MAPLIST:
        return "a list of mappings";
    }
    return "?";
}

static void check_map(struct vstate *vs, yaml_node_t *map, const struct goa_field *fields,
                      const char *where);

static void check_scalar(struct vstate *vs, yaml_node_t *n, const struct goa_field *f,
                         const char *key)
{
    const char *v = (const char *)n->data.scalar.value;
    const char *why;
    char *end;

    if (f->type == GOA_T_INT) {
        errno = 0;
        strtol(v, &end, 10);
        if (errno || end == v || *end) {
            report(vs, n, NULL, "'%s' must be an integer, not '%s'", key, v);
            return;
        }
    }
    if (f->type == GOA_T_BOOL && strcmp(v, "true") && strcmp(v, "false")) {
        report(vs, n, NULL, "'%s' must be true or false, not '%s'", key, v);
        return;
    }
    if (f->check && (why = f->check(v)))
        report(vs, n, NULL, "'%s' %s", key, why);
}

static void check_value(struct vstate *vs, yaml_node_t *n, const struct goa_field *f,
                        const char *key)
{
    /* Defensive: aliases let a small file name the same node many times. */
    if (++vs->visits == 100000)
        report(vs, n, "do not use YAML aliases to repeat large parts",
               "the file expands to too many values");
    if (vs->visits >= 100000)
        return;
    switch (f->type) {
    case GOA_T_STR:
    case GOA_T_INT:
    case GOA_T_BOOL:
        if (n->type != YAML_SCALAR_NODE) {
            report(vs, n, NULL, "'%s' must be %s", key, tname(f->type));
            return;
        }
        check_scalar(vs, n, f, key);
        return;
    case GOA_T_MAP:
        if (n->type != YAML_MAPPING_NODE) {
            report(vs, n, NULL, "'%s' must be %s", key, tname(f->type));
            return;
        }
        check_map(vs, n, f->sub, key);
        return;
    case GOA_T_STRLIST:
    case GOA_T_MAPLIST:
        if (n->type != YAML_SEQUENCE_NODE) {
            report(vs, n, NULL, "'%s' must be %s", key, tname(f->type));
            return;
        }
        for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top;
             i++) {
            yaml_node_t *e = yaml_document_get_node(vs->doc, *i);
            if (!e)
                continue;
            if (f->type == GOA_T_MAPLIST) {
                if (e->type != YAML_MAPPING_NODE)
                    report(vs, e, NULL, "each entry of '%s' must be a mapping", key);
                else
                    check_map(vs, e, f->sub, key);
            } else if (e->type != YAML_SCALAR_NODE) {
                report(vs, e, NULL, "each entry of '%s' must be a string", key);
            } else if (f->check) {
                const char *why = f->check((const char *)e->data.scalar.value);
                if (why)
                    report(vs, e, NULL, "entry of '%s' %s", key, why);
            }
        }
        return;
    }
}

static void known_list(const struct goa_field *fields, char *buf, size_t len)
{
    size_t off = 0;

    buf[0] = '\0';
    for (const struct goa_field *f = fields; f->name && off < len; f++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s",
                                off ? ", " : "known fields: ", f->name);
}

static void check_map(struct vstate *vs, yaml_node_t *map, const struct goa_field *fields,
                      const char *where)
{
    char known[512];
    size_t nf = 0;

    while (fields[nf].name)
        nf++;
    bool seen[32] = {false};

    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = yaml_document_get_node(vs->doc, p->key);
        yaml_node_t *v = yaml_document_get_node(vs->doc, p->value);
        if (!k || !v)
            continue;
        if (k->type != YAML_SCALAR_NODE) {
            report(vs, k, NULL, "keys in '%s' must be plain strings", where);
            continue;
        }
        const char *key = (const char *)k->data.scalar.value;
        size_t i;
        for (i = 0; i < nf; i++)
            if (!strcmp(fields[i].name, key))
                break;
        if (i == nf) {
            known_list(fields, known, sizeof known);
            report(vs, k, known, "unknown field '%s' in %s", key, where);
            continue;
        }
        if (seen[i]) {
            report(vs, k, NULL, "field '%s' appears twice in %s", key, where);
            continue;
        }
        seen[i] = true;
        check_value(vs, v, &fields[i], key);
    }
    for (size_t i = 0; i < nf; i++)
        if (fields[i].required && !seen[i])
            report(vs, map, fields[i].doc, "missing required field '%s' in %s", fields[i].name,
                   where);
}

int goa_schema_validate(yaml_document_t *doc, const struct goa_field *schema, const char *file)
{
    struct vstate vs = {doc, file, 0, 0};
    yaml_node_t *root = yaml_document_get_root_node(doc);

    if (!root) {
        fprintf(stderr,
                "goa: %s: the file is empty\nhint: start from 'goa new' or see "
                "docs/formats/project.md\n",
                file);
        return 1;
    }
    if (root->type != YAML_MAPPING_NODE) {
        report(&vs, root, "see docs/formats/project.md for the format",
               "the top level must be a mapping of fields");
        return vs.errors;
    }
    check_map(&vs, root, schema, "the project");
    if (vs.errors > GOA_SCHEMA_MAX_ERRORS)
        fprintf(stderr, "goa: %s: %d more problems not shown\n", file,
                vs.errors - GOA_SCHEMA_MAX_ERRORS);
    return vs.errors;
}

void goa_schema_print(const struct goa_field *schema, int indent)
{
    for (const struct goa_field *f = schema; f->name; f++) {
        printf("%*s%-*s %-18s %s%s\n", indent, "", 14 - indent > 4 ? 14 - indent : 4, f->name,
               tname(f->type), f->required ? "(required) " : "", f->doc);
        if (f->sub)
            goa_schema_print(f->sub, indent + 2);
    }
}
