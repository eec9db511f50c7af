/* SPDX-License-Identifier: MIT */
/* Component rows and CPU rates from samples (see sample.h). */
#include "sample.h"

#include <stdlib.h>
#include <string.h>

uint64_t kuori_num(const cJSON *o, const char *path)
{
    char key[64];
    const char *dot;
    while (o && (dot = strchr(path, '.'))) {
        size_t n = (size_t)(dot - path);
        if (n >= sizeof key)
            return 0;
        memcpy(key, path, n);
        key[n] = 0;
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        path = dot + 1;
    }
    o = o ? cJSON_GetObjectItemCaseSensitive(o, path) : NULL;
    if (!cJSON_IsNumber(o) || !(o->valuedouble >= 0) || o->valuedouble > 1.8e19)
        return 0;
    return (uint64_t)o->valuedouble;
}

double kuori_cpu_percent(uint64_t ns0, uint64_t ns1, uint64_t t0, uint64_t t1)
{
    uint64_t used = ns1 >= ns0 ? ns1 - ns0 : ns1;
    if (t1 <= t0)
        return 0;
    return (double)used * 100.0 / (double)(t1 - t0);
}

static const cJSON *components(const cJSON *s)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(s, "components");
    if (!c) /* a state report (docs/hoitaja.md) names them children */
        c = cJSON_GetObjectItemCaseSensitive(s, "children");
    return cJSON_IsArray(c) ? c : NULL;
}

static const cJSON *find_comp(const cJSON *list, const char *name)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
            return c;
    }
    return NULL;
}

static void fill_row(struct kuori_row *r, const cJSON *c, const cJSON *pc, uint64_t t0, uint64_t t1)
{
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(c, "state");
    r->state = cJSON_IsString(st) ? st->valuestring : "?";
    r->cpu_ns = kuori_num(c, "cpu.ns");
    r->cpu_quota = kuori_num(c, "cpu.quota");
    r->ram_used = kuori_num(c, "ram.used");
    r->ram_quota = kuori_num(c, "ram.quota");
    r->caps_used = kuori_num(c, "caps.used");
    r->caps_quota = kuori_num(c, "caps.quota");
    r->restarts = kuori_num(c, "restarts");
    r->uptime_ns = kuori_num(c, "uptime_ns");
    r->cpu_pct = pc ? kuori_cpu_percent(kuori_num(pc, "cpu.ns"), r->cpu_ns, t0, t1) : -1;
}

int kuori_sample_rows(const cJSON *prev, const cJSON *cur, struct kuori_row **rows)
{
    const cJSON *list = components(cur), *plist = prev ? components(prev) : NULL, *c;
    uint64_t t0 = prev ? kuori_num(prev, "time_ns") : 0, t1 = kuori_num(cur, "time_ns");
    int n = 0;
    *rows = NULL;
    if (!list)
        return -1;
    *rows = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof **rows);
    if (!*rows)
        return -1;
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        if (!cJSON_IsObject(c) || !cJSON_IsString(name))
            continue; /* not a component: the agent's bug, shown by -o json */
        (*rows)[n].name = name->valuestring;
        fill_row(&(*rows)[n], c, plist ? find_comp(plist, name->valuestring) : NULL, t0, t1);
        n++;
    }
    return n;
}

void kuori_sample_annotate(cJSON *cur, const cJSON *prev)
{
    const cJSON *list = components(cur), *plist = prev ? components(prev) : NULL;
    uint64_t t0 = prev ? kuori_num(prev, "time_ns") : 0, t1 = kuori_num(cur, "time_ns");
    cJSON *c;
    if (!list)
        return;
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        const cJSON *pc =
                plist && cJSON_IsString(name) ? find_comp(plist, name->valuestring) : NULL;
        if (!cJSON_IsObject(c) || cJSON_GetObjectItemCaseSensitive(c, "cpu_percent"))
            continue;
        if (pc) {
            double p = kuori_cpu_percent(kuori_num(pc, "cpu.ns"), kuori_num(c, "cpu.ns"), t0, t1);
            cJSON_AddNumberToObject(c, "cpu_percent", (double)(long long)(p * 10 + 0.5) / 10);
        } else {
            cJSON_AddNullToObject(c, "cpu_percent");
        }
    }
}
