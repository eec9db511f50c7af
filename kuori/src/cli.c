/* SPDX-License-Identifier: MIT */
/* Parsing a command line against the verb table, help, and resolving remotes (see cli.h). */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "units.h"

char *kuori_seen_components[257];

cJSON *kuori_req(const char *op)
{
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "op", op);
    return r;
}

static const struct kuori_verb *find_verb(const char *name)
{
    for (const struct kuori_verb *v = kuori_verbs; v->name; v++)
        if (strcmp(v->name, name) == 0)
            return v;
    return NULL;
}

/*
 * Look @p opt (without dashes) up in a verb's flag spec "long,s= long2": 1 and
 * *canon, *clen and *takes if found. @p is_short: @p opt is one letter.
 */
static int spec_find(const char *spec, const char *opt, size_t olen, int is_short,
                     const char **canon, size_t *clen, int *takes)
{
    const char *p = spec;
    while (p && *p) {
        const char *end = strchr(p, ' '), *comma, *eq;
        size_t n = end ? (size_t)(end - p) : strlen(p);
        size_t ln;
        eq = memchr(p, '=', n);
        comma = memchr(p, ',', n);
        ln = comma ? (size_t)(comma - p) : eq ? (size_t)(eq - p) : n;
        if ((!is_short && ln == olen && strncmp(p, opt, olen) == 0) ||
            (is_short && comma && comma[1] == opt[0] && olen == 1)) {
            *canon = p;
            *clen = ln;
            *takes = eq != NULL;
            return 1;
        }
        p = end ? end + 1 : NULL;
    }
    return 0;
}

static int usage(struct kuori_err *e, const char *verb, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int usage(struct kuori_err *e, const char *verb, const char *fmt, ...)
{
    char hint[128], msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (verb)
        snprintf(hint, sizeof hint, "'kuori %s --help' shows the usage", verb);
    else
        snprintf(hint, sizeof hint, "'kuori --help' shows the usage");
    return kuori_fail(e, KUORI_EXIT_USAGE, "usage", hint, "%s", msg);
}

/* A global option at argv[*i]; 1 if it was one, -1 on an error. */
static int global_opt(int argc, char **argv, int *i, struct kuori_cmd *cmd, struct kuori_err *e)
{
    const char *a = argv[*i], *val = NULL, *eq = strchr(a, '=');
    static const char *const names[] = {"-o", "--output", "-r", "--remote", "--timeout", NULL};
    size_t n = eq ? (size_t)(eq - a) : strlen(a);
    const char *vn = cmd->verb ? cmd->verb->name : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help"))
        return cmd->help = 1;
    if (!strcmp(a, "--all"))
        return cmd->all = 1;
    int k = 0;
    for (; names[k]; k++)
        if (strlen(names[k]) == n && strncmp(a, names[k], n) == 0)
            break;
    if (!names[k])
        return 0;
    val = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
    if (!val)
        return usage(e, vn, "option %s needs a value", a), -1;
    if (k <= 1) {
        cmd->fmt = kuori_fmt_parse(val);
        if (cmd->fmt < 0)
            return usage(e, vn, "-o takes table, json or yaml, not '%s'", val), -1;
    } else if (k <= 3) {
        cmd->remotes = val;
    } else if (kuori_parse_duration(val, &cmd->timeout_ms) != 0 || cmd->timeout_ms == 0) {
        return usage(e, vn, "--timeout takes a duration such as 500ms, 5s or 1m, not '%s'", val),
               -1;
    }
    return 1;
}

static int verb_opt(int argc, char **argv, int *i, struct kuori_cmd *cmd, struct kuori_err *e)
{
    const char *a = argv[*i], *canon, *eq = strchr(a, '='), *name = a + (a[1] == '-' ? 2 : 1);
    size_t clen, n = eq ? (size_t)(eq - name) : strlen(name);
    int takes;
    if (!cmd->verb || !spec_find(cmd->verb->flags, name, n, a[1] != '-', &canon, &clen, &takes))
        return usage(e, cmd->verb ? cmd->verb->name : NULL, "unknown option '%s'", a);
    if (cmd->nflags == KUORI_MAX_FLAGS)
        return usage(e, cmd->verb->name, "too many options (at most 16): '%s'", a);
    static char names[KUORI_MAX_FLAGS][24];
    snprintf(names[cmd->nflags], sizeof names[0], "%.*s", (int)clen, canon);
    cmd->flag[cmd->nflags] = names[cmd->nflags];
    if (takes) {
        const char *val = eq ? eq + 1 : (*i + 1 < argc ? argv[++*i] : NULL);
        if (!val)
            return usage(e, cmd->verb->name, "option '%s' needs a value", a);
        cmd->val[cmd->nflags] = val;
    } else if (eq) {
        return usage(e, cmd->verb->name, "option '%s' takes no value", a);
    } else {
        cmd->val[cmd->nflags] = "";
    }
    cmd->nflags++;
    return 0;
}

static int positional(const char *a, struct kuori_cmd *cmd, struct kuori_err *e)
{
    if (!cmd->verb) {
        cmd->verb = find_verb(a);
        if (!cmd->verb)
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", "'kuori --help' lists the verbs",
                              "unknown verb '%s'", a);
        return 0;
    }
    if (cmd->verb->subs && !cmd->sub) {
        const char *p = strstr(cmd->verb->subs, a);
        size_t n = strlen(a);
        if (!p || (p != cmd->verb->subs && p[-1] != ' ') || (p[n] && p[n] != ' '))
            return usage(e, cmd->verb->name, "unknown sub-command '%s'", a);
        cmd->sub = a;
        return 0;
    }
    if (cmd->npos == KUORI_MAX_POS)
        return usage(e, cmd->verb->name, "too many arguments at '%s'", a);
    cmd->pos[cmd->npos++] = a;
    return 0;
}

int kuori_parse(int argc, char **argv, struct kuori_cmd *cmd, struct kuori_err *e)
{
    int only_pos = 0, rc;
    memset(cmd, 0, sizeof *cmd);
    cmd->timeout_ms = 5000;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_pos && !strcmp(a, "--")) {
            only_pos = 1;
            continue;
        }
        if (!only_pos && a[0] == '-' && a[1]) {
            int g = global_opt(argc, argv, &i, cmd, e);
            if (g < 0)
                return e->exit;
            if (g == 0 && (rc = verb_opt(argc, argv, &i, cmd, e)))
                return rc;
            continue;
        }
        if ((rc = positional(a, cmd, e)))
            return rc;
    }
    if (cmd->help || !cmd->verb)
        return 0;
    if (cmd->verb->subs && !cmd->sub)
        return usage(e, cmd->verb->name, "'%s' needs a sub-command", cmd->verb->name);
    if (cmd->npos < cmd->verb->min_pos || cmd->npos > cmd->verb->max_pos)
        return usage(e, cmd->verb->name, "wrong number of arguments for '%s'", cmd->verb->name);
    if ((cmd->all || (cmd->remotes && strchr(cmd->remotes, ','))) && !cmd->verb->fleet)
        return usage(e, cmd->verb->name,
                     "'%s' works on one remote; --all and -r a,b are for ps, state, stats "
                     "and events",
                     cmd->verb->name);
    return 0;
}

const char *kuori_flag(const struct kuori_cmd *cmd, const char *name)
{
    const char *v = NULL;
    for (int i = 0; i < cmd->nflags; i++)
        if (strcmp(cmd->flag[i], name) == 0)
            v = cmd->val[i]; /* the last one wins, as with most tools */
    return v;
}

void kuori_help(FILE *f, const struct kuori_verb *v)
{
    if (v) {
        fprintf(f, "kuori %s: %s\n\n%s\n%s", v->name, v->summary, v->help, kuori_global_help);
        return;
    }
    fprintf(f, "kuori: administer Kide habitats through their kuori-agent\n\n"
               "usage: kuori VERB [options]     (kuori alone starts the REPL)\n\nVerbs:\n");
    for (const struct kuori_verb *w = kuori_verbs; w->name; w++)
        fprintf(f, "  %-9s %s\n", w->name, w->summary);
    fprintf(f,
            "\n%s\nExit codes: 0 ok, 1 rejected/differences/stale, 2 usage, 3 unreachable,\n"
            "4 denied (auth, pin, token), 5 agent error, 6 not found, 7 local file.\n"
            "'kuori VERB --help' shows a verb's options; docs/kuori.md has the rest.\n",
            kuori_global_help);
}

int kuori_run(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    if (cmd->help || !cmd->verb) {
        kuori_help(stdout, cmd->verb);
        return 0;
    }
    return cmd->verb->run(ctx, cmd, e);
}

static int add_target(struct kuori_ctx *ctx, const char *name, struct kuori_target *t,
                      const struct kuori_cmd *cmd, struct kuori_err *e)
{
    struct kuori_remote *r = kuori_config_find(&ctx->cfg, name);
    int rc;
    if (!r)
        return kuori_fail(e, KUORI_EXIT_NOTFOUND, "not-found",
                          "'kuori remote list' shows the remotes; 'kuori remote add' adds one",
                          "no remote called '%s'", name);
    t->r = *r;
    if ((rc = kuori_config_path(&ctx->cfg, r->name, "key.pem", t->key, sizeof t->key, e)) ||
        (rc = kuori_config_path(&ctx->cfg, r->name, "cert.pem", t->cert, sizeof t->cert, e)))
        return rc;
    t->d = (struct kuori_dial){.label = t->r.name,
                               .address = t->r.address,
                               .pin = t->r.pin,
                               .key_path = t->key,
                               .cert_path = t->cert,
                               .timeout_ms =
                                       (int)(cmd->timeout_ms > 600000 ? 600000 : cmd->timeout_ms)};
    return 0;
}

static int split_remotes(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_target *t,
                         int *n, struct kuori_err *e)
{
    char list[1024];
    int rc;
    if (strlen(cmd->remotes) >= sizeof list)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL, "--remote list too long");
    strcpy(list, cmd->remotes);
    for (char *save = NULL, *s = strtok_r(list, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
        for (int i = 0; i < *n; i++)
            if (strcmp(t[i].r.name, s) == 0)
                return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL,
                                  "remote '%s' named twice in --remote", s);
        if (*n == KUORI_REMOTES_MAX)
            return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL, "too many remotes");
        if ((rc = add_target(ctx, s, &t[*n], cmd, e)))
            return rc;
        (*n)++;
    }
    return 0;
}

int kuori_targets(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_target **out,
                  int *n, struct kuori_err *e)
{
    struct kuori_target *t = calloc(KUORI_REMOTES_MAX, sizeof *t);
    int rc = 0;
    *n = 0;
    *out = t;
    if (!t)
        return kuori_fail(e, KUORI_EXIT_LOCAL, "memory", NULL, "out of memory");
    if (cmd->all) {
        for (int i = 0; i < ctx->cfg.n && !rc; i++)
            if (!(rc = add_target(ctx, ctx->cfg.remotes[i].name, &t[*n], cmd, e)))
                (*n)++;
    } else if (cmd->remotes) {
        rc = split_remotes(ctx, cmd, t, n, e);
    } else if (ctx->cfg.current[0]) {
        if (!(rc = add_target(ctx, ctx->cfg.current, &t[0], cmd, e)))
            *n = 1;
    }
    if (!rc && *n == 0)
        rc = kuori_fail(e, KUORI_EXIT_USAGE, "usage",
                        "'kuori remote add NAME ADDRESS --token T' enrols one; 'kuori remote use "
                        "NAME' makes it the default",
                        "no remote given and no current remote");
    if (rc) {
        free(t);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int kuori_connect1(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_conn *c,
                   struct kuori_err *e)
{
    struct kuori_target *t;
    int n, rc = kuori_targets(ctx, cmd, &t, &n, e);
    if (rc)
        return rc;
    rc = kuori_conn_open(c, &t->d, e);
    free(t);
    return rc;
}

void kuori_remember_components(const cJSON *sample)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(sample, "components"), *c;
    int n = 0;
    if (!list)
        list = cJSON_GetObjectItemCaseSensitive(sample, "children");
    if (!cJSON_IsArray(list))
        return;
    for (int i = 0; kuori_seen_components[i]; i++) {
        free(kuori_seen_components[i]);
        kuori_seen_components[i] = NULL;
    }
    cJSON_ArrayForEach(c, list)
    {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(c, "name");
        /* readline lists candidates on the terminal: only names without controls */
        char copy[64];
        if (n < 256 && cJSON_IsString(name) && strlen(name->valuestring) < 64) {
            snprintf(copy, sizeof copy, "%s", name->valuestring);
            kuori_sanitize(copy);
            if (strcmp(copy, name->valuestring) == 0)
                kuori_seen_components[n++] = strdup(name->valuestring);
        }
    }
}
