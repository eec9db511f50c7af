/* SPDX-License-Identifier: MIT */
/* Verbs that change a habitat: start/stop/restart, set, install, habitat, token; and version.
 *
 * Each builds one request from validated arguments, sends it to the one
 * remote and prints the agent's verdict. Quota arguments are KEY=VALUE with
 * KEY one of ram (bytes: 64M), cpu (percent: 30%) and caps (a count); each
 * at most once.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "out.h"
#include "sample.h"
#include "units.h"

/* Send one request to the command's remote and return its result. */
static int call1(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, cJSON *req, cJSON **res,
                 struct kuori_err *e)
{
    struct kuori_conn c;
    int rc = kuori_connect1(ctx, cmd, &c, e);
    if (rc) {
        cJSON_Delete(req);
        return rc;
    }
    rc = kuori_conn_call(&c, req, res, (int)cmd->timeout_ms, e);
    kuori_conn_close(&c);
    return rc;
}

static int is_rejected(const char *verdict)
{
    return verdict && strncmp(verdict, "rejected", 8) == 0;
}

int kuori_print_verdicts(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, const cJSON *res)
{
    static const char *const hdr[] = {"CHILD", "RESULT"};
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(res, "results"), *r;
    struct kuori_table t;
    int rejected = 0;
    cJSON_ArrayForEach(r, list)
    {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "result");
        rejected |= is_rejected(cJSON_IsString(v) ? v->valuestring : NULL);
    }
    if (cmd->fmt != KUORI_FMT_TABLE) {
        kuori_out_value(stdout, cmd->fmt, res);
        return rejected ? KUORI_EXIT_REJECTED : 0;
    }
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(res, "status");
    char status[256]; /* the agent's words */
    snprintf(status, sizeof status, "%s", cJSON_IsString(st) ? st->valuestring : "?");
    kuori_sanitize(status);
    printf("generation %llu: %s\n", (unsigned long long)kuori_num(res, "generation"), status);
    kuori_table_init(&t, 2, hdr);
    cJSON_ArrayForEach(r, list)
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "child");
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, "result");
        const char *cells[] = {cJSON_IsString(c) ? c->valuestring : "?",
                               cJSON_IsString(v) ? v->valuestring : "?"};
        kuori_table_row(&t, cells);
    }
    kuori_table_print(&t, stdout, ctx->color);
    kuori_table_free(&t);
    return rejected ? KUORI_EXIT_REJECTED : 0;
}

int kuori_cmd_lifecycle(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    cJSON *req = kuori_req(cmd->verb->name), *res;
    const cJSON *v;
    int rc;
    cJSON_AddStringToObject(req, "component", cmd->pos[0]);
    if ((rc = call1(ctx, cmd, req, &res, e)))
        return rc;
    v = cJSON_GetObjectItemCaseSensitive(res, "result");
    if (cmd->fmt != KUORI_FMT_TABLE) {
        kuori_out_value(stdout, cmd->fmt, res);
    } else {
        char text[256];
        snprintf(text, sizeof text, "%s", cJSON_IsString(v) ? v->valuestring : "?");
        kuori_sanitize(text);
        printf("%s: %s\n", cmd->pos[0], text);
    }
    rc = is_rejected(cJSON_IsString(v) ? v->valuestring : NULL) ? KUORI_EXIT_REJECTED : 0;
    cJSON_Delete(res);
    return rc;
}

/* KEY=VALUE quota arguments into @p req; @p need_all: ram, cpu and caps all required. */
static int quota_args(const struct kuori_cmd *cmd, int first, cJSON *req, int need_all,
                      struct kuori_err *e)
{
    static const char *const hint = "write ram=64M cpu=30% caps=256 (each at most once)";
    int seen = 0;
    for (int i = first; i < cmd->npos; i++) {
        const char *a = cmd->pos[i], *eq = strchr(a, '=');
        uint64_t v = 0;
        unsigned pct;
        int bit, ok;
        if (!eq)
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint, "'%s' is not KEY=VALUE", a);
        if (!strncmp(a, "ram=", 4)) {
            bit = 1;
            ok = kuori_parse_bytes(eq + 1, &v) == 0 && v > 0;
        } else if (!strncmp(a, "cpu=", 4)) {
            bit = 2;
            ok = kuori_parse_percent(eq + 1, &pct) == 0;
            v = pct;
        } else if (!strncmp(a, "caps=", 5)) {
            bit = 4;
            ok = kuori_parse_uint(eq + 1, 1u << 30, &v) == 0 && v > 0;
        } else {
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint,
                              "unknown quota '%.*s' (ram, cpu, caps)", (int)(eq - a), a);
        }
        if (!ok || (seen & bit))
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint, "invalid or repeated '%s'", a);
        seen |= bit;
        cJSON_AddNumberToObject(req, bit == 1 ? "ram" : bit == 2 ? "cpu" : "caps", (double)v);
    }
    if ((need_all && seen != 7) || !seen)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint,
                          need_all ? "ram, cpu and caps are all required"
                                   : "give at least one of ram, cpu, caps");
    return 0;
}

int kuori_cmd_set(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    cJSON *req = kuori_req("set"), *res;
    int rc;
    cJSON_AddStringToObject(req, "component", cmd->pos[0]);
    if ((rc = quota_args(cmd, 1, req, 0, e))) {
        cJSON_Delete(req);
        return rc;
    }
    if ((rc = call1(ctx, cmd, req, &res, e)))
        return rc;
    rc = kuori_print_verdicts(ctx, cmd, res);
    cJSON_Delete(res);
    return rc;
}

/* USER/pkg/NAME/VERSION: four non-empty segments of [A-Za-z0-9._+-], the second "pkg". */
static int valid_package(const char *p)
{
    const char *seg[5];
    size_t len[5];
    int n = 0;
    for (const char *c = p, *start = p;; c++) {
        if (*c && *c != '/') {
            if (!(isalnum((unsigned char)*c) || strchr("._+-", *c)))
                return 0;
            continue;
        }
        if (n == 4 || c == start || c - start > 64)
            return 0;
        seg[n] = start;
        len[n++] = (size_t)(c - start);
        if (!*c)
            break;
        start = c + 1;
    }
    return n == 4 && len[1] == 3 && strncmp(seg[1], "pkg", 3) == 0;
}

int kuori_cmd_install(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    const char *reg = kuori_flag(cmd, "registry");
    cJSON *req, *res;
    int rc;
    if (!reg)
        reg = getenv("KUORI_REGISTRY");
    if (!valid_package(cmd->pos[0]))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage",
                          "write USER/pkg/NAME/VERSION, as goa "
                          "publish printed it",
                          "'%s' is not a package name", cmd->pos[0]);
    if (!reg || (strncmp(reg, "http://", 7) && strncmp(reg, "https://", 8)) || strlen(reg) > 512)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage",
                          "give --registry http://HOST:PORT (as the agent reaches it) or set "
                          "KUORI_REGISTRY",
                          "no registry URL (http:// or https://)");
    req = kuori_req("install");
    cJSON_AddStringToObject(req, "registry", reg);
    cJSON_AddStringToObject(req, "package", cmd->pos[0]);
    cJSON_AddBoolToObject(req, "start", kuori_flag(cmd, "start") != NULL);
    if ((rc = call1(ctx, cmd, req, &res, e)))
        return rc;
    if (cmd->fmt != KUORI_FMT_TABLE) {
        kuori_out_value(stdout, cmd->fmt, res);
    } else {
        static const char *const keys[] = {"package", "sha256", "component", "result", NULL};
        for (const char *const *k = keys; *k; k++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, *k);
            char text[256];
            snprintf(text, sizeof text, "%s", cJSON_IsString(v) ? v->valuestring : "-");
            kuori_sanitize(text);
            printf("%-10s %s\n", *k, text);
        }
    }
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, "result");
    rc = is_rejected(cJSON_IsString(v) ? v->valuestring : NULL) ? KUORI_EXIT_REJECTED : 0;
    cJSON_Delete(res);
    return rc;
}

int kuori_cmd_habitat(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    int create = !strcmp(cmd->sub, "create"), remove = !strcmp(cmd->sub, "remove"), rc;
    char op[32];
    cJSON *req, *res;
    if (!kuori_valid_name(cmd->pos[0]))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "use 1..32 of [a-z0-9-]",
                          "invalid habitat name '%s'", cmd->pos[0]);
    if (remove && cmd->npos != 1)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL, "habitat remove takes only NAME");
    snprintf(op, sizeof op, "habitat-%s", cmd->sub);
    req = kuori_req(op);
    cJSON_AddStringToObject(req, "name", cmd->pos[0]);
    if (!remove && (rc = quota_args(cmd, 1, req, create, e))) {
        cJSON_Delete(req);
        return rc;
    }
    if ((rc = call1(ctx, cmd, req, &res, e)))
        return rc;
    rc = kuori_print_verdicts(ctx, cmd, res);
    cJSON_Delete(res);
    return rc;
}

static void token_table(struct kuori_ctx *ctx, const cJSON *res)
{
    static const char *const hdr[] = {"ID", "HABITAT", "STATE", "EXPIRES-IN"};
    struct kuori_table t;
    const cJSON *tok;
    kuori_table_init(&t, 4, hdr);
    cJSON_ArrayForEach(tok, cJSON_GetObjectItemCaseSensitive(res, "tokens"))
    {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(tok, "id");
        const cJSON *h = cJSON_GetObjectItemCaseSensitive(tok, "habitat");
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(tok, "state");
        char exp[24];
        kuori_fmt_uptime(kuori_num(tok, "expires_in_s") * 1000000000ull, exp, sizeof exp);
        const char *cells[] = {cJSON_IsString(id) ? id->valuestring : "?",
                               cJSON_IsString(h) ? h->valuestring : "?",
                               cJSON_IsString(st) ? st->valuestring : "?", exp};
        kuori_table_row(&t, cells);
    }
    kuori_table_print(&t, stdout, ctx->color);
    kuori_table_free(&t);
}

static int token_request(const struct kuori_cmd *cmd, cJSON **req, struct kuori_err *e)
{
    const char *h = kuori_flag(cmd, "habitat"), *ttl = kuori_flag(cmd, "ttl");
    uint64_t ms = 3600000;
    if (!strcmp(cmd->sub, "list")) {
        *req = kuori_req("token-list");
        return cmd->npos ? kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL,
                                      "token list takes no arguments")
                         : 0;
    }
    if (!strcmp(cmd->sub, "revoke")) {
        if (cmd->npos != 1)
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "'kuori token list' shows the ids",
                              "token revoke needs the token's ID");
        *req = kuori_req("token-revoke");
        cJSON_AddStringToObject(*req, "token_id", cmd->pos[0]);
        return 0;
    }
    if (!h || !kuori_valid_name(h))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "give --habitat NAME",
                          "token create needs a valid --habitat");
    if (ttl && (kuori_parse_duration(ttl, &ms) != 0 || ms < 60000 || ms > 86400000))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "write e.g. --ttl 30m or --ttl 1h",
                          "--ttl must be 60s..24h, not '%s'", ttl);
    *req = kuori_req("token-create");
    cJSON_AddStringToObject(*req, "habitat", h);
    cJSON_AddNumberToObject(*req, "ttl_s", (double)(ms / 1000));
    return 0;
}

int kuori_cmd_token(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    cJSON *req = NULL, *res;
    int rc = token_request(cmd, &req, e);
    if (rc) {
        cJSON_Delete(req);
        return rc;
    }
    if ((rc = call1(ctx, cmd, req, &res, e)))
        return rc;
    if (cmd->fmt != KUORI_FMT_TABLE) {
        kuori_out_value(stdout, cmd->fmt, res);
    } else if (!strcmp(cmd->sub, "list")) {
        token_table(ctx, res);
    } else {
        for (const cJSON *v = res->child; v; v = v->next) {
            char *s = cJSON_IsString(v) ? strdup(v->valuestring) : cJSON_PrintUnformatted(v);
            char key[64]; /* the agent's key, too */
            snprintf(key, sizeof key, "%s", v->string ? v->string : "?");
            kuori_sanitize(key);
            kuori_sanitize(s);
            printf("%-13s %s\n", key, s ? s : "?");
            free(s);
        }
    }
    cJSON_Delete(res);
    return 0;
}

int kuori_cmd_version(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    cJSON *o = cJSON_CreateObject();
    struct kuori_conn c;
    int rc = 0;
    cJSON_AddStringToObject(o, "kuori", KUORI_VERSION);
    cJSON_AddNumberToObject(o, "protocol", 1);
    if (cmd->remotes && !(rc = kuori_connect1(ctx, cmd, &c, e))) {
        cJSON *a = cJSON_AddObjectToObject(o, "agent");
        cJSON_AddStringToObject(a, "remote", c.label);
        cJSON_AddStringToObject(a, "habitat", c.habitat);
        cJSON_AddStringToObject(a, "role", c.role);
        cJSON_AddStringToObject(a, "client", c.client);
        kuori_conn_close(&c);
    }
    if (!rc && cmd->fmt != KUORI_FMT_TABLE) {
        kuori_out_value(stdout, cmd->fmt, o);
    } else if (!rc) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "agent");
        printf("kuori %s (protocol 1)\n", KUORI_VERSION);
        if (a)
            printf("agent: remote %s, habitat %s, role %s, client %s\n", c.label, c.habitat, c.role,
                   c.client);
    }
    cJSON_Delete(o);
    return rc;
}

int kuori_cmd_help(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    (void)ctx;
    for (const struct kuori_verb *v = kuori_verbs; cmd->npos && v->name; v++)
        if (!strcmp(v->name, cmd->pos[0])) {
            kuori_help(stdout, v);
            return 0;
        }
    if (cmd->npos)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "'kuori help' lists the verbs",
                          "no verb '%s'", cmd->pos[0]);
    kuori_help(stdout, NULL);
    return 0;
}
