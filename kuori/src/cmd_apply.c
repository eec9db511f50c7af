/* SPDX-License-Identifier: MIT */
/* apply -f and diff -f: a habitat YAML file against the configuration in force.
 *
 * Both read the file first (so a YAML error costs no connection), then the
 * agent's config (generation g and the configuration). apply sends the file
 * as generation g + 1: if another admin applied in between, the agent
 * answers stale with the current generation and nothing changes. diff
 * compares structurally (diff.c) and exits like kubectl diff.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "diff.h"
#include "out.h"
#include "sample.h"
#include "yaml2json.h"

/*
 * The file's configuration without "generation": the request carries the
 * generation (hoitaja: "may omit generation"), so a file saved from
 * 'kuori config -o yaml' applies again without editing its generation line.
 */
static int read_file(const struct kuori_cmd *cmd, cJSON **doc, struct kuori_err *e)
{
    const char *file = kuori_flag(cmd, "file");
    int rc;
    if (!file)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "give the file with -f FILE.yaml",
                          "%s needs -f FILE", cmd->verb->name);
    rc = kuori_yaml_file(file, doc, e);
    if (!rc)
        cJSON_DeleteItemFromObjectCaseSensitive(*doc, "generation");
    return rc;
}

/* The configuration in force: *res is the config reply ({generation, config}). */
static int current(struct kuori_conn *c, const struct kuori_cmd *cmd, cJSON **res,
                   struct kuori_err *e)
{
    int rc = kuori_conn_call(c, kuori_req("config"), res, (int)cmd->timeout_ms, e);
    if (!rc && (!cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(*res, "generation")) ||
                !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(*res, "config")))) {
        cJSON_Delete(*res);
        *res = NULL;
        return kuori_fail(e, KUORI_EXIT_SERVER, "protocol", NULL,
                          "%s: the config reply lacks generation or config", c->label);
    }
    return rc;
}

static int stale(struct kuori_err *e, const struct kuori_cmd *cmd, unsigned long long based)
{
    char hint[384], cur[64] = "a newer one";
    if (e->current >= 0)
        snprintf(cur, sizeof cur, "generation %lld", e->current);
    snprintf(hint, sizeof hint,
             "someone applied a change meanwhile: run 'kuori diff -f %s' to see the "
             "configuration in force, merge, then apply again",
             kuori_flag(cmd, "file"));
    return kuori_fail(e, KUORI_EXIT_REJECTED, "stale", hint,
                      "stale generation: you based the change on generation %llu, %s is in force "
                      "now; nothing changed",
                      based, cur);
}

int kuori_cmd_apply(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    struct kuori_conn c;
    cJSON *doc, *cur = NULL, *req, *res = NULL;
    unsigned long long gen;
    int rc = read_file(cmd, &doc, e);
    if (rc)
        return rc;
    if ((rc = kuori_connect1(ctx, cmd, &c, e))) {
        cJSON_Delete(doc);
        return rc;
    }
    rc = current(&c, cmd, &cur, e);
    if (!rc) {
        gen = (unsigned long long)kuori_num(cur, "generation");
        req = kuori_req("apply");
        cJSON_AddItemToObject(req, "config", doc);
        doc = NULL;
        cJSON_AddNumberToObject(req, "generation", (double)(gen + 1));
        cJSON_AddBoolToObject(req, "partial", 0);
        cJSON_AddBoolToObject(req, "dry_run", kuori_flag(cmd, "dry-run") != NULL);
        rc = kuori_conn_call(&c, req, &res, (int)cmd->timeout_ms, e);
        if (rc && !strcmp(e->code, "stale")) {
            rc = stale(e, cmd, gen);
        } else if (!rc) {
            rc = kuori_print_verdicts(ctx, cmd, res);
        }
    }
    kuori_conn_close(&c);
    cJSON_Delete(doc);
    cJSON_Delete(cur);
    cJSON_Delete(res);
    return rc;
}

int kuori_cmd_diff(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    struct kuori_conn c;
    cJSON *doc, *cur = NULL;
    int rc = read_file(cmd, &doc, e), n;
    if (rc)
        return rc;
    if ((rc = kuori_connect1(ctx, cmd, &c, e))) {
        cJSON_Delete(doc);
        return rc;
    }
    rc = current(&c, cmd, &cur, e);
    kuori_conn_close(&c);
    if (!rc) {
        cJSON *cfg = cJSON_GetObjectItemCaseSensitive(cur, "config");
        cJSON_DeleteItemFromObjectCaseSensitive(cfg, "generation");
        if (cmd->fmt != KUORI_FMT_TABLE) {
            cJSON *o = cJSON_CreateObject();
            n = kuori_diff(NULL, cfg, doc, 0);
            cJSON_AddNumberToObject(o, "generation", (double)kuori_num(cur, "generation"));
            cJSON_AddNumberToObject(o, "differences", n);
            kuori_out_value(stdout, cmd->fmt, o);
            cJSON_Delete(o);
        } else {
            n = kuori_diff(stdout, cfg, doc, ctx->color);
        }
        rc = n ? KUORI_EXIT_REJECTED : 0;
    }
    cJSON_Delete(doc);
    cJSON_Delete(cur);
    return rc;
}
