/* SPDX-License-Identifier: MIT */
/* Structural JSON difference (see diff.h). */
#include "diff.h"

#include <stdlib.h>
#include <string.h>

#include "conn.h"

static void value(FILE *f, const cJSON *v)
{
    char *s = cJSON_PrintUnformatted(v);
    if (s) {
        kuori_sanitize(s);
        fputs(s, f);
    }
    free(s);
}

static int line(FILE *f, char mark, const char *path, const cJSON *a, const cJSON *b, int color)
{
    char shown[1024]; /* the path's keys and names may be the agent's: sanitized */
    if (!f)
        return 1;
    snprintf(shown, sizeof shown, "%s", *path ? path : ".");
    kuori_sanitize(shown);
    if (color)
        fputs(mark == '+' ? "\033[32m" : mark == '-' ? "\033[31m" : "\033[33m", f);
    fprintf(f, "%c %s: ", mark, shown);
    value(f, a ? a : b);
    if (a && b) {
        fputs(" -> ", f);
        value(f, b);
    }
    fputs(color ? "\033[0m\n" : "\n", f);
    return 1;
}

static int by_name(const cJSON *arr)
{
    const cJSON *c;
    if (!cJSON_IsArray(arr) || !arr->child)
        return 0;
    cJSON_ArrayForEach(c, arr)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (!cJSON_IsObject(c) || !cJSON_IsString(n))
            return 0;
    }
    return 1;
}

static const cJSON *named(const cJSON *arr, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, arr)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return c;
    }
    return NULL;
}

static int walk(FILE *f, const char *path, const cJSON *a, const cJSON *b, int color, int depth);

/* kind: 'k' object key (path.key), 'n' named element (path[name]), 'i' index (path[i]). */
static int walk_child(FILE *f, const char *path, char kind, const char *key, long idx,
                      const cJSON *a, const cJSON *b, int color, int depth)
{
    char sub[1024];
    if (kind == 'k')
        snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", key);
    else if (kind == 'n')
        snprintf(sub, sizeof sub, "%s[%s]", path, key);
    else
        snprintf(sub, sizeof sub, "%s[%ld]", path, idx);
    if (!a)
        return line(f, '+', sub, NULL, b, color);
    if (!b)
        return line(f, '-', sub, a, NULL, color);
    return walk(f, sub, a, b, color, depth + 1);
}

static int walk_named(FILE *f, const char *path, const cJSON *a, const cJSON *b, int color,
                      int depth)
{
    const cJSON *c;
    int n = 0;
    cJSON_ArrayForEach(c, b)
    {
        const char *nm = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
        n += walk_child(f, path, 'n', nm, 0, named(a, nm), c, color, depth);
    }
    cJSON_ArrayForEach(c, a)
    {
        const char *nm = cJSON_GetObjectItemCaseSensitive(c, "name")->valuestring;
        if (!named(b, nm))
            n += walk_child(f, path, 'n', nm, 0, c, NULL, color, depth);
    }
    return n;
}

static int walk(FILE *f, const char *path, const cJSON *a, const cJSON *b, int color, int depth)
{
    const cJSON *c;
    int n = 0;
    if (depth > 64 || (a->type & 0xff) != (b->type & 0xff) ||
        (!cJSON_IsObject(a) && !cJSON_IsArray(a)))
        return cJSON_Compare(a, b, 1) ? 0 : line(f, '~', path, a, b, color);
    if (cJSON_IsObject(a)) {
        cJSON_ArrayForEach(c, b)
        {
            n += walk_child(f, path, 'k', c->string, 0,
                            cJSON_GetObjectItemCaseSensitive(a, c->string), c, color, depth);
        }
        cJSON_ArrayForEach(c, a)
        {
            if (!cJSON_GetObjectItemCaseSensitive(b, c->string))
                n += walk_child(f, path, 'k', c->string, 0, c, NULL, color, depth);
        }
        return n;
    }
    if (by_name(a) && by_name(b))
        return walk_named(f, path, a, b, color, depth);
    int na = cJSON_GetArraySize(a), nb = cJSON_GetArraySize(b);
    for (int i = 0; i < (na > nb ? na : nb); i++)
        n += walk_child(f, path, 'i', NULL, i, cJSON_GetArrayItem(a, i), cJSON_GetArrayItem(b, i),
                        color, depth);
    return n;
}

int kuori_diff(FILE *f, const cJSON *old, const cJSON *new_, int color)
{
    return walk(f, "", old, new_, color, 0);
}
