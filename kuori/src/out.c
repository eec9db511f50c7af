/* SPDX-License-Identifier: MIT */
/* Tables, JSON and YAML output (see out.h). */
#include "out.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"

int kuori_out_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc)
        return 0;
    return isatty(fileno(f));
}

int kuori_fmt_parse(const char *s)
{
    if (strcmp(s, "table") == 0)
        return KUORI_FMT_TABLE;
    if (strcmp(s, "json") == 0)
        return KUORI_FMT_JSON;
    if (strcmp(s, "yaml") == 0)
        return KUORI_FMT_YAML;
    return -1;
}

void kuori_table_init(struct kuori_table *t, int ncols, const char *const *hdr)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols > KUORI_TABLE_COLS ? KUORI_TABLE_COLS : ncols;
    for (int i = 0; i < t->ncols; i++)
        t->hdr[i] = hdr[i];
}

/* A copy with control characters replaced: cells often come from the agent. */
static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "-");
    if (!d)
        abort(); /* out of memory while printing: nothing sensible is left to do */
    kuori_sanitize(d);
    return d;
}

void kuori_table_row(struct kuori_table *t, const char *const *cells)
{
    if (t->nrows == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->cells = realloc(t->cells, (size_t)t->cap * (size_t)t->ncols * sizeof(char *));
        if (!t->cells)
            abort();
    }
    for (int i = 0; i < t->ncols; i++)
        t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i]);
    t->nrows++;
}

static struct {
    int col, numeric, desc, ncols;
} sort_key;

static int cmp_rows(const void *a, const void *b)
{
    const char *const *ra = a, *const *rb = b;
    const char *x = ra[sort_key.col], *y = rb[sort_key.col];
    int r;
    if (sort_key.numeric) {
        double dx = strtod(x, NULL), dy = strtod(y, NULL);
        r = dx < dy ? -1 : dx > dy;
    } else {
        r = strcmp(x, y);
    }
    if (r == 0 && sort_key.col != 0)
        r = strcmp(ra[0], rb[0]);
    return sort_key.desc ? -r : r;
}

void kuori_table_sort(struct kuori_table *t, int col, int numeric, int desc)
{
    char **rows;
    if (col < 0 || col >= t->ncols || t->nrows < 2)
        return;
    /* qsort moves whole rows: copy them into row-sized blocks via an index. */
    rows = malloc((size_t)t->nrows * (size_t)t->ncols * sizeof(char *));
    if (!rows)
        abort();
    memcpy(rows, t->cells, (size_t)t->nrows * (size_t)t->ncols * sizeof(char *));
    sort_key.col = col;
    sort_key.numeric = numeric;
    sort_key.desc = desc;
    sort_key.ncols = t->ncols;
    qsort(rows, (size_t)t->nrows, (size_t)t->ncols * sizeof(char *), cmp_rows);
    memcpy(t->cells, rows, (size_t)t->nrows * (size_t)t->ncols * sizeof(char *));
    free(rows);
}

/* One cell padded to @p width and two spaces; the last column (width -1) unpadded. */
static void cell(FILE *f, const char *s, int width)
{
    if (width < 0)
        fputs(s, f);
    else
        fprintf(f, "%-*s  ", width, s);
}

void kuori_table_print(const struct kuori_table *t, FILE *f, int color)
{
    size_t w[KUORI_TABLE_COLS];
    for (int c = 0; c < t->ncols; c++) {
        w[c] = strlen(t->hdr[c]);
        for (int r = 0; r < t->nrows; r++) {
            size_t l = strlen(t->cells[r * t->ncols + c]);
            w[c] = l > w[c] ? l : w[c];
        }
    }
    if (color)
        fputs("\033[1m", f);
    for (int c = 0; c < t->ncols; c++)
        cell(f, t->hdr[c], c + 1 < t->ncols ? (int)w[c] : -1);
    fputs(color ? "\033[0m\n" : "\n", f);
    for (int r = 0; r < t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++)
            cell(f, t->cells[r * t->ncols + c], c + 1 < t->ncols ? (int)w[c] : -1);
        fputc('\n', f);
    }
}

void kuori_table_free(struct kuori_table *t)
{
    for (int i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    t->cells = NULL;
    t->nrows = t->cap = 0;
}

/* cJSON's text, with the C1 controls it leaves raw (U+0080..U+009F as 0xc2 0x80..0x9f,
 * CSI or OSC to some terminals) written as \u00XX escapes. That byte pair occurs only
 * inside strings, where the escape means the same. */
static void put_json_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s, n = (unsigned char)s[1];
        if (c == 0xc2 && n >= 0x80 && n <= 0x9f) {
            fprintf(f, "\\u%04x", n);
            s++;
        } else {
            fputc(*s, f);
        }
    }
}

void kuori_out_json(FILE *f, const cJSON *v)
{
    char *s = cJSON_PrintUnformatted(v);
    if (!s)
        abort();
    put_json_text(f, s);
    fputc('\n', f);
    free(s);
}

static void yaml_scalar(FILE *f, const cJSON *v)
{
    if (cJSON_IsString(v) || cJSON_IsNumber(v) || cJSON_IsBool(v) || cJSON_IsNull(v)) {
        char *s = cJSON_PrintUnformatted(v); /* JSON scalars are valid YAML flow scalars */
        if (!s)
            abort();
        put_json_text(f, s); /* YAML's double quotes take \u00XX as well */
        free(s);
    } else if (cJSON_IsArray(v)) {
        fputs("[]", f);
    } else {
        fputs("{}", f);
    }
}

static int plain_key(const char *k)
{
    if (!*k || isdigit((unsigned char)*k))
        return 0;
    for (; *k; k++)
        if (!(isalnum((unsigned char)*k) || *k == '_' || *k == '-'))
            return 0;
    return 1;
}

static void yaml_key(FILE *f, const char *k)
{
    if (plain_key(k)) {
        fputs(k, f);
    } else {
        cJSON *s = cJSON_CreateString(k);
        yaml_scalar(f, s);
        cJSON_Delete(s);
    }
}

static int is_block(const cJSON *v)
{
    return (cJSON_IsObject(v) || cJSON_IsArray(v)) && v->child;
}

/* Emit @p v at @p indent; the caller has already written any "key:" or "- ". */
static void yaml_node(FILE *f, const cJSON *v, int indent, int inline_first)
{
    int first = 1;
    for (const cJSON *c = v->child; c; c = c->next, first = 0) {
        if (!(first && inline_first))
            fprintf(f, "%*s", indent, "");
        if (cJSON_IsArray(v)) {
            fputs("- ", f);
            if (is_block(c) && cJSON_IsObject(c)) {
                yaml_node(f, c, indent + 2, 1);
                continue;
            }
            if (is_block(c)) {
                fputc('\n', f);
                yaml_node(f, c, indent + 2, 0);
                continue;
            }
        } else {
            yaml_key(f, c->string);
            fputc(':', f);
            if (is_block(c)) {
                fputc('\n', f);
                yaml_node(f, c, cJSON_IsArray(c) ? indent : indent + 2, 0);
                continue;
            }
            fputc(' ', f);
        }
        yaml_scalar(f, c);
        fputc('\n', f);
    }
}

void kuori_out_yaml(FILE *f, const cJSON *v)
{
    if (is_block(v)) {
        yaml_node(f, v, 0, 0);
    } else {
        yaml_scalar(f, v);
        fputc('\n', f);
    }
}

void kuori_out_value(FILE *f, int fmt, const cJSON *v)
{
    if (fmt == KUORI_FMT_YAML) {
        fputs("---\n", f);
        kuori_out_yaml(f, v);
    } else {
        kuori_out_json(f, v);
    }
    fflush(f);
}
