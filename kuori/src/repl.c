/* SPDX-License-Identifier: MIT */
/* The REPL (see repl.h).
 *
 * Each line is split into words (no expansion of any kind: nothing from the
 * line or the configuration is ever executed), parsed by kuori_parse and run
 * by kuori_run, exactly as the same words on the command line. The
 * configuration is reloaded before each command, so 'remote use' changes the
 * prompt at once. History: DIR/history (1000 lines). Completion: verbs,
 * sub-verbs, the verb's and the global options, and component names seen in
 * the last ps, state, stats or top.
 */
#include "repl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "fleet.h"

int kuori_split(char *line, char **argv, int max)
{
    int n = 0;
    char *r = line, *w = line;
    for (;;) {
        while (*r == ' ' || *r == '\t')
            r++;
        if (!*r)
            return n;
        if (n == max)
            return -1;
        argv[n++] = w;
        while (*r && *r != ' ' && *r != '\t') {
            if (*r == '\'' || *r == '"') {
                char q = *r++;
                while (*r && *r != q)
                    *w++ = *r++;
                if (!*r)
                    return -1;
                r++;
            } else {
                *w++ = *r++;
            }
        }
        if (*r)
            r++;
        *w++ = 0;
    }
}

/* Completion state: the candidates of the current word. */
static const char *cands[512];
static int ncands;
static char flagbuf[64][32];

static void add_cand(const char *s)
{
    if (ncands < 511)
        cands[ncands++] = s;
}

static void add_flags(const char *spec)
{
    for (const char *p = spec; p && *p;) {
        const char *end = strchr(p, ' ');
        size_t n = end ? (size_t)(end - p) : strlen(p), ln = strcspn(p, ",= ");
        if (ln > n)
            ln = n;
        int k = ncands % 64;
        snprintf(flagbuf[k], sizeof flagbuf[k], "--%.*s", (int)ln, p);
        add_cand(flagbuf[k]);
        p = end ? end + 1 : NULL;
    }
}

static char *generator(const char *text, int state)
{
    static int i;
    size_t len = strlen(text);
    if (!state)
        i = 0;
    while (i < ncands) {
        const char *c = cands[i++];
        if (strncmp(c, text, len) == 0)
            return strdup(c);
    }
    return NULL;
}

static char **complete(const char *text, int start, int end)
{
    static const char *const globals[] = {"--output", "--remote", "--all", "--timeout", "--help"};
    static char subbuf[8][16];
    char line[1024], *words[64];
    const struct kuori_verb *v = NULL;
    int n;
    (void)end;
    rl_attempted_completion_over = 1;
    snprintf(line, sizeof line, "%.*s", start, rl_line_buffer);
    n = kuori_split(line, words, 64);
    ncands = 0;
    for (int i = 0; i < n && !v; i++)
        for (const struct kuori_verb *w = kuori_verbs; w->name; w++)
            if (!strcmp(w->name, words[i]))
                v = w;
    if (!v) {
        for (const struct kuori_verb *w = kuori_verbs; w->name; w++)
            add_cand(w->name);
        add_cand("exit");
    } else if (text[0] == '-') {
        add_flags(v->flags);
        for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
            add_cand(globals[i]);
    } else if (v->subs && n >= 1 && !strcmp(words[n - 1], v->name)) {
        int k = 0;
        for (const char *p = v->subs; *p && k < 8; k++) {
            size_t l = strcspn(p, " ");
            snprintf(subbuf[k], sizeof subbuf[k], "%.*s", (int)l, p);
            add_cand(subbuf[k]);
            p += l + (p[l] == ' ');
        }
    } else {
        for (int i = 0; kuori_seen_components[i]; i++)
            add_cand(kuori_seen_components[i]);
    }
    return rl_completion_matches(text, generator);
}

static void prompt(struct kuori_ctx *ctx, char *buf, size_t n)
{
    const struct kuori_remote *r =
            ctx->cfg.current[0] ? kuori_config_find(&ctx->cfg, ctx->cfg.current) : NULL;
    snprintf(buf, n, "kuori %s:%s> ", r ? r->name : "-", r ? r->habitat : "-");
}

/* One line: split, parse, run, report. */
static int run_line(struct kuori_ctx *ctx, char *line)
{
    char *argv[64];
    struct kuori_cmd cmd;
    struct kuori_err e;
    int n = kuori_split(line, argv, 64), rc;
    kuori_err_clear(&e);
    if (n < 0) {
        fprintf(stderr, "kuori: unbalanced quotes or more than 64 words\n");
        return KUORI_EXIT_USAGE;
    }
    if (n == 0)
        return 0;
    kuori_interrupted = 0;
    rc = kuori_config_load(&ctx->cfg, &e);
    if (!rc)
        rc = kuori_parse(n, argv, &cmd, &e);
    if (!rc)
        rc = kuori_run(ctx, &cmd, &e);
    if (rc && e.msg[0])
        kuori_err_print(&e, NULL);
    return rc;
}

int kuori_history_keeps(const char *line)
{
    /* Any mention, also `--token=...` or a token pasted after a typo: a
     * line left out of the history costs nothing, a token kept in it is a
     * credential on disk. */
    return strstr(line, "--token") == NULL && strstr(line, "kide1.") == NULL;
}

int kuori_repl(struct kuori_ctx *ctx)
{
    char hist[1100], p[128];
    int rc = 0;
    struct kuori_err e;
    snprintf(hist, sizeof hist, "%s/history", ctx->cfg.dir);
    ctx->interactive = 1;
    rl_readline_name = "kuori";
    rl_attempted_completion_function = complete;
    using_history();
    stifle_history(1000);
    read_history(hist);
    for (;;) {
        char *line;
        if (kuori_config_load(&ctx->cfg, &e) != 0)
            ctx->cfg.n = 0;
        prompt(ctx, p, sizeof p);
        kuori_at_prompt = 1;
        line = readline(p);
        kuori_at_prompt = 0;
        kuori_interrupted = 0;
        if (!line)
            break;
        if (!strcmp(line, "exit") || !strcmp(line, "quit")) {
            free(line);
            break;
        }
        if (line[strspn(line, " \t")] && kuori_history_keeps(line)) {
            add_history(line);
            if (mkdir(ctx->cfg.dir, 0700) == 0 || errno == EEXIST)
                write_history(hist);
        }
        rc = run_line(ctx, line);
        kuori_interrupted = 0; /* a Ctrl-C that ended a stream is spent */
        free(line);
    }
    return rc;
}
