/* SPDX-License-Identifier: MIT */
/* ps, stats and top: component tables from the agent's watch stream.
 *
 * All three open a watch and compute rates from consecutive samples
 * (sample.c). ps takes two samples at 10 Hz and prints one table; stats
 * prints one line per component per sample; top redraws a sorted table. The
 * stream ends when the connection closes; a watch never outlives its command.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmds.h"
#include "fleet.h"
#include "out.h"
#include "sample.h"
#include "units.h"

/* How a watch-based command runs: rate, and when it ends. */
struct watch_opts {
    unsigned hz;
    uint64_t count;   /* samples to show, 0: unbounded */
    long long end_ms; /* kuori_now_ms deadline, 0: none */
};

static int watch_opts(const struct kuori_cmd *cmd, unsigned maxhz, unsigned defhz,
                      struct watch_opts *w, struct kuori_err *e)
{
    const char *hz = kuori_flag(cmd, "hz"), *dur = kuori_flag(cmd, "duration");
    const char *n = kuori_flag(cmd, "count");
    uint64_t v;
    memset(w, 0, sizeof *w);
    w->hz = defhz;
    if (hz && (kuori_parse_uint(hz, maxhz, &v) != 0 || v == 0))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL, "--hz takes 1..%u, not '%s'", maxhz,
                          hz);
    if (hz)
        w->hz = (unsigned)v;
    if (dur && (kuori_parse_duration(dur, &v) != 0 || v == 0))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL,
                          "--duration takes a duration such as 2s or 1m, not '%s'", dur);
    if (dur)
        w->end_ms = kuori_now_ms() + (long long)v;
    if (n && (kuori_parse_uint(n, 1000000, &w->count) != 0 || w->count == 0))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL, "-n takes 1..1000000, not '%s'", n);
    return 0;
}

static int watch_start(struct kuori_conn *c, unsigned hz, long long *id, int timeout_ms,
                       struct kuori_err *e)
{
    cJSON *req = kuori_req("watch"), *res;
    int rc;
    cJSON_AddNumberToObject(req, "hz", hz);
    rc = kuori_conn_stream(c, req, id, &res, timeout_ms, e);
    cJSON_Delete(res);
    return rc;
}

/* The next sample, with a deadline of the timeout plus one period. */
static int watch_sample(struct kuori_conn *c, long long id, const struct kuori_cmd *cmd,
                        unsigned hz, cJSON **s, struct kuori_err *e)
{
    int rc = kuori_conn_next(c, id, s, kuori_now_ms() + (long long)cmd->timeout_ms + 1000 / hz, -1,
                             e);
    if (rc == KUORI_RECV_TIMEOUT)
        return kuori_fail(e, KUORI_EXIT_UNREACHABLE, "timeout", "raise --timeout",
                          "%s: no watch sample within the timeout", c->label);
    return rc;
}

static void cell_pair(char *buf, size_t n, uint64_t used, uint64_t quota, int bytes)
{
    char a[24], b[24];
    if (bytes) {
        kuori_fmt_bytes(used, a, sizeof a);
        kuori_fmt_bytes(quota, b, sizeof b);
    } else {
        snprintf(a, sizeof a, "%llu", (unsigned long long)used);
        snprintf(b, sizeof b, "%llu", (unsigned long long)quota);
    }
    snprintf(buf, n, "%s/%s", a, b);
}

static void cell_cpu(char *buf, size_t n, double pct)
{
    if (pct < 0)
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f", pct);
}

/* Rows of one sample into a ps-style table (REMOTE column if @p remote). */
static void rows_table(struct kuori_table *t, const struct kuori_row *r, int n, const char *remote)
{
    for (int i = 0; i < n; i++) {
        char cpu[16], ram[64], caps[64], rs[24], up[24];
        cell_cpu(cpu, sizeof cpu, r[i].cpu_pct);
        cell_pair(ram, sizeof ram, r[i].ram_used, r[i].ram_quota, 1);
        cell_pair(caps, sizeof caps, r[i].caps_used, r[i].caps_quota, 0);
        snprintf(rs, sizeof rs, "%llu", (unsigned long long)r[i].restarts);
        if (r[i].uptime_ns)
            kuori_fmt_uptime(r[i].uptime_ns, up, sizeof up);
        else
            snprintf(up, sizeof up, "-");
        const char *cells[] = {remote, r[i].name, r[i].state, cpu, ram, caps, rs, up};
        kuori_table_row(t, remote ? cells : cells + 1);
    }
}

static const char *const PS_HDR[] = {"REMOTE", "NAME", "STATE",    "CPU%",
                                     "RAM",    "CAPS", "RESTARTS", "UPTIME"};

/* ps: two samples at 10 Hz; the second, annotated, is the job's result. */
static int ps_job(struct kuori_conn *c, struct kuori_job *j)
{
    cJSON *a = NULL, *b = NULL;
    long long id;
    int rc = watch_start(c, 10, &id, (int)j->cmd->timeout_ms, &j->err);
    if (!rc)
        rc = watch_sample(c, id, j->cmd, 10, &a, &j->err);
    if (!rc)
        rc = watch_sample(c, id, j->cmd, 10, &b, &j->err);
    if (!rc) {
        kuori_sample_annotate(b, a);
        j->result = b;
        b = NULL;
    }
    cJSON_Delete(a);
    cJSON_Delete(b);
    return rc;
}

/* Failed remotes on stderr, one line each; the JSON form of a fleet result. */
static cJSON *fleet_report(struct kuori_job *jobs, int n)
{
    cJSON *all = cJSON_CreateObject(), *list = cJSON_AddArrayToObject(all, "remotes");
    for (int i = 0; i < n; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "remote", jobs[i].t->r.name);
        cJSON_AddBoolToObject(o, "ok", jobs[i].rc == 0);
        if (jobs[i].rc == 0) {
            cJSON_AddItemToObject(o, "result", jobs[i].result);
            jobs[i].result = NULL;
        } else {
            cJSON *err = cJSON_AddObjectToObject(o, "error");
            cJSON_AddStringToObject(err, "code", jobs[i].err.code);
            cJSON_AddStringToObject(err, "message", jobs[i].err.msg);
        }
        cJSON_AddItemToArray(list, o);
    }
    return all;
}

static void print_failures(struct kuori_job *jobs, int n)
{
    for (int i = 0; i < n; i++)
        if (jobs[i].rc)
            kuori_err_print(&jobs[i].err, NULL); /* messages name their remote */
}

/* Run @p fn over the command's remotes and print results: ps and state. */
static int fleet_print(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, kuori_job_fn fn,
                       void (*table)(struct kuori_table *, const cJSON *, const char *))
{
    struct kuori_target *t;
    struct kuori_job *jobs;
    struct kuori_err e;
    int n, rc = kuori_targets(ctx, cmd, &t, &n, &e), ok = 0;
    if (rc) {
        kuori_err_print(&e, NULL);
        return rc;
    }
    jobs = calloc((size_t)n, sizeof *jobs);
    rc = kuori_fleet_run(ctx, cmd, t, n, jobs, fn, NULL);
    for (int i = 0; i < n; i++)
        if (jobs[i].rc == 0 && ++ok)
            kuori_remember_components(jobs[i].result);
    if (cmd->fmt != KUORI_FMT_TABLE && n == 1 && jobs[0].rc == 0) {
        kuori_out_value(stdout, cmd->fmt, jobs[0].result);
    } else if (cmd->fmt != KUORI_FMT_TABLE && n > 1) {
        cJSON *all = fleet_report(jobs, n);
        kuori_out_value(stdout, cmd->fmt, all);
        cJSON_Delete(all);
    } else if (ok) {
        struct kuori_table tab;
        kuori_table_init(&tab, n > 1 ? 8 : 7, n > 1 ? PS_HDR : PS_HDR + 1);
        for (int i = 0; i < n; i++)
            if (jobs[i].rc == 0)
                table(&tab, jobs[i].result, n > 1 ? jobs[i].t->r.name : NULL);
        kuori_table_print(&tab, stdout, ctx->color);
        kuori_table_free(&tab);
    }
    fflush(stdout);
    print_failures(jobs, n);
    for (int i = 0; i < n; i++)
        cJSON_Delete(jobs[i].result);
    free(jobs);
    free(t);
    return rc;
}

static void ps_table(struct kuori_table *t, const cJSON *sample, const char *remote)
{
    struct kuori_row *rows;
    int n = kuori_sample_rows(NULL, sample, &rows);
    if (n > 0) {
        /* the cpu_percent annotated into the sample is the rate */
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(sample, "components"), *c;
        if (!list)
            list = cJSON_GetObjectItemCaseSensitive(sample, "children");
        cJSON_ArrayForEach(c, list)
        {
            const cJSON *nm = cJSON_GetObjectItemCaseSensitive(c, "name");
            const cJSON *p = cJSON_GetObjectItemCaseSensitive(c, "cpu_percent");
            for (int i = 0; i < n && cJSON_IsString(nm); i++)
                if (strcmp(rows[i].name, nm->valuestring) == 0)
                    rows[i].cpu_pct = cJSON_IsNumber(p) ? p->valuedouble : -1;
        }
        rows_table(t, rows, n, remote);
    }
    free(rows);
}

int kuori_cmd_ps(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    (void)e;
    return fleet_print(ctx, cmd, ps_job, ps_table);
}

static int state_job(struct kuori_conn *c, struct kuori_job *j)
{
    cJSON *res;
    int rc = kuori_conn_call(c, kuori_req("state"), &res, (int)j->cmd->timeout_ms, &j->err);
    if (rc)
        return rc;
    j->result = cJSON_DetachItemFromObjectCaseSensitive(res, "report");
    cJSON_Delete(res);
    if (!cJSON_IsObject(j->result))
        return kuori_fail(&j->err, KUORI_EXIT_SERVER, "protocol", NULL,
                          "%s: the state reply has no report object", c->label);
    return 0;
}

int kuori_cmd_state(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    (void)e;
    return fleet_print(ctx, cmd, state_job, ps_table);
}

/* stats: a line per component per sample; the first sample only sets the baseline. */
static void stats_lines(struct kuori_job *j, cJSON *prev, cJSON *cur)
{
    struct kuori_row *rows;
    int n = kuori_sample_rows(prev, cur, &rows);
    kuori_out_lock();
    if (j->cmd->fmt != KUORI_FMT_TABLE) {
        kuori_sample_annotate(cur, prev);
        cJSON_AddStringToObject(cur, "remote", j->t->r.name);
        kuori_out_value(stdout, j->cmd->fmt, cur);
    }
    for (int i = 0; i < n && j->cmd->fmt == KUORI_FMT_TABLE; i++) {
        char ram[64], caps[64];
        /* name and state are the agent's strings: never raw to the terminal */
        char *name = strdup(rows[i].name), *state = strdup(rows[i].state);
        kuori_sanitize(name);
        kuori_sanitize(state);
        cell_pair(ram, sizeof ram, rows[i].ram_used, rows[i].ram_quota, 1);
        cell_pair(caps, sizeof caps, rows[i].caps_used, rows[i].caps_quota, 0);
        printf("%-12s %-16s %-10s %6.1f %8llu%% %-16s %-10s %llu\n", j->t->r.name,
               name ? name : "?", state ? state : "?", rows[i].cpu_pct,
               (unsigned long long)rows[i].cpu_quota, ram, caps,
               (unsigned long long)rows[i].restarts);
        free(name);
        free(state);
    }
    fflush(stdout);
    kuori_out_unlock();
    free(rows);
}

static int stats_job(struct kuori_conn *c, struct kuori_job *j)
{
    const struct watch_opts *w = j->arg;
    cJSON *prev = NULL, *cur = NULL;
    long long id;
    uint64_t shown = 0;
    int watch = kuori_flag(j->cmd, "watch") != NULL;
    int rc = watch_start(c, w->hz, &id, (int)j->cmd->timeout_ms, &j->err);
    while (!rc && !kuori_interrupted) {
        rc = watch_sample(c, id, j->cmd, w->hz, &cur, &j->err);
        if (rc)
            break;
        if (prev) {
            stats_lines(j, prev, cur);
            shown++;
        }
        cJSON_Delete(prev);
        prev = cur;
        cur = NULL;
        if ((!watch && shown) || (w->count && shown >= w->count) ||
            (w->end_ms && kuori_now_ms() >= w->end_ms))
            break;
    }
    cJSON_Delete(prev);
    return rc;
}

int kuori_cmd_stats(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    struct kuori_target *t;
    struct kuori_job *jobs;
    struct watch_opts w;
    int n, rc;
    /* one-shot stats needs two samples: take them 100 ms apart unless --hz says otherwise */
    unsigned defhz = kuori_flag(cmd, "watch") ? 1 : 10;
    if ((rc = watch_opts(cmd, 20, defhz, &w, e)) || (rc = kuori_targets(ctx, cmd, &t, &n, e)))
        return rc;
    if (cmd->fmt == KUORI_FMT_TABLE)
        printf("%-12s %-16s %-10s %6s %9s %-16s %-10s %s\n", "REMOTE", "COMPONENT", "STATE", "CPU%",
               "CPU-QUOTA", "RAM", "CAPS", "RESTARTS");
    fflush(stdout);
    jobs = calloc((size_t)n, sizeof *jobs);
    rc = kuori_fleet_run(ctx, cmd, t, n, jobs, stats_job, &w);
    print_failures(jobs, n);
    free(jobs);
    free(t);
    return rc;
}

/* top */
static int sort_key; /* 0 cpu, 1 ram, 2 name: top runs on the main thread only */

static int cmp_row(const void *a, const void *b)
{
    const struct kuori_row *x = a, *y = b;
    if (sort_key == 0 && x->cpu_pct != y->cpu_pct)
        return x->cpu_pct < y->cpu_pct ? 1 : -1;
    if (sort_key == 1 && x->ram_used != y->ram_used)
        return x->ram_used < y->ram_used ? 1 : -1;
    return strcmp(x->name, y->name);
}

static void top_frame(struct kuori_ctx *ctx, struct kuori_conn *c, cJSON *prev, cJSON *cur,
                      int screen)
{
    static const char *const keys[] = {"cpu", "ram", "name"};
    struct kuori_row *rows;
    struct kuori_table t;
    int n = kuori_sample_rows(prev, cur, &rows);
    char ram[64], caps[64];
    if (n < 0)
        return;
    qsort(rows, (size_t)n, sizeof *rows, cmp_row);
    cell_pair(ram, sizeof ram, kuori_num(cur, "habitat.ram.used"),
              kuori_num(cur, "habitat.ram.quota"), 1);
    cell_pair(caps, sizeof caps, kuori_num(cur, "habitat.caps.used"),
              kuori_num(cur, "habitat.caps.quota"), 0);
    if (screen)
        fputs("\033[H\033[2J", stdout);
    printf("kuori top  %s:%s  generation %llu  sample %llu  ram %s  caps %s  sort %s%s\n", c->label,
           c->habitat, (unsigned long long)kuori_num(cur, "generation"),
           (unsigned long long)kuori_num(cur, "seq"), ram, caps, keys[sort_key],
           screen ? "  (q quit, c/m/n sort)" : "");
    kuori_table_init(&t, 7, PS_HDR + 1);
    rows_table(&t, rows, n, NULL);
    kuori_table_print(&t, stdout, ctx->color);
    kuori_table_free(&t);
    if (!screen)
        putchar('\n');
    fflush(stdout);
    free(rows);
}

/* A key pressed in top; 1 means quit. */
static int top_key(void)
{
    char ch;
    if (read(STDIN_FILENO, &ch, 1) != 1)
        return 1;
    if (ch == 'q' || ch == 'Q' || ch == 3)
        return 1;
    sort_key = ch == 'c' ? 0 : ch == 'm' ? 1 : ch == 'n' ? 2 : sort_key;
    return 0;
}

static int top_loop(struct kuori_ctx *ctx, struct kuori_conn *c, const struct kuori_cmd *cmd,
                    const struct watch_opts *w, int screen, struct kuori_err *e)
{
    cJSON *prev = NULL, *cur = NULL;
    long long id;
    uint64_t shown = 0;
    int rc = watch_start(c, w->hz, &id, (int)cmd->timeout_ms, e);
    while (!rc && !kuori_interrupted) {
        long long deadline = kuori_now_ms() + (long long)cmd->timeout_ms + 1000 / w->hz;
        if (w->end_ms && deadline > w->end_ms)
            deadline = w->end_ms;
        rc = kuori_conn_next(c, id, &cur, deadline, screen ? STDIN_FILENO : -1, e);
        if (rc == KUORI_RECV_EXTRA) {
            rc = 0;
            if (top_key())
                break;
            if (prev)
                top_frame(ctx, c, NULL, prev, screen);
            continue;
        }
        if (rc == KUORI_RECV_TIMEOUT && w->end_ms && kuori_now_ms() >= w->end_ms) {
            rc = 0;
            break;
        }
        if (rc == KUORI_RECV_TIMEOUT)
            rc = kuori_fail(e, KUORI_EXIT_UNREACHABLE, "timeout", "raise --timeout",
                            "%s: no watch sample within the timeout", c->label);
        if (rc)
            break;
        if (prev) {
            kuori_remember_components(cur);
            kuori_sample_annotate(cur, prev);
            if (cmd->fmt != KUORI_FMT_TABLE)
                kuori_out_value(stdout, cmd->fmt, cur);
            else
                top_frame(ctx, c, prev, cur, screen);
            shown++;
        }
        cJSON_Delete(prev);
        prev = cur;
        cur = NULL;
        if ((w->count && shown >= w->count) || (w->end_ms && kuori_now_ms() >= w->end_ms))
            break;
    }
    cJSON_Delete(prev);
    return rc;
}

int kuori_cmd_top(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    const char *sort = kuori_flag(cmd, "sort");
    struct kuori_conn c;
    struct watch_opts w;
    struct termios old, raw;
    int rc, screen = cmd->fmt == KUORI_FMT_TABLE && isatty(STDOUT_FILENO) && isatty(STDIN_FILENO);
    sort_key = 0;
    if (sort && strcmp(sort, "cpu") && strcmp(sort, "ram") && strcmp(sort, "name"))
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL,
                          "--sort takes cpu, ram or name, not '%s'", sort);
    if (sort)
        sort_key = sort[0] == 'c' ? 0 : sort[0] == 'r' ? 1 : 2;
    if ((rc = watch_opts(cmd, 10, 2, &w, e)) || (rc = kuori_connect1(ctx, cmd, &c, e)))
        return rc;
    if (screen && tcgetattr(STDIN_FILENO, &old) == 0) {
        raw = old;
        raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
        tcsetattr(STDIN_FILENO, TCSANOW, &raw);
        fputs("\033[?1049h\033[?25l", stdout); /* alternate screen, hide the cursor */
    } else {
        screen = 0;
    }
    rc = top_loop(ctx, &c, cmd, &w, screen, e);
    if (screen) {
        fputs("\033[?25h\033[?1049l", stdout);
        fflush(stdout);
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
    }
    kuori_conn_close(&c);
    return rc;
}
