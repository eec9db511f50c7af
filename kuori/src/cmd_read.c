/* SPDX-License-Identifier: MIT */
/* config, events and logs: reading the habitat, once or following.
 *
 * events works on several remotes (fleet.c); events -f and logs -f are
 * streams that end on Ctrl-C (the connection closes, so the agent drops the
 * stream), or when the agent ends them. Text from the agent (log lines,
 * reasons) is printed with control characters replaced: a component cannot
 * drive the operator's terminal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmds.h"
#include "fleet.h"
#include "out.h"
#include "sample.h"
#include "units.h"

int kuori_cmd_config(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    struct kuori_conn c;
    cJSON *res;
    int rc = kuori_connect1(ctx, cmd, &c, e);
    if (rc)
        return rc;
    rc = kuori_conn_call(&c, kuori_req("config"), &res, (int)cmd->timeout_ms, e);
    kuori_conn_close(&c);
    if (rc)
        return rc;
    if (cmd->fmt == KUORI_FMT_JSON) {
        kuori_out_json(stdout, res);
    } else {
        /* table and yaml: the configuration itself, as apply -f takes it back */
        const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(res, "config");
        printf("# generation %llu\n", (unsigned long long)kuori_num(res, "generation"));
        kuori_out_yaml(stdout, cfg ? cfg : res);
    }
    cJSON_Delete(res);
    return 0;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* One event as a line: SEQ TIME TYPE COMPONENT DETAIL. */
static void event_line(const char *remote, const cJSON *ev)
{
    char detail[512] = "", comp[96], type[40], t[24];
    size_t used = 0;
    static const char *const extra[] = {"code", "reason", "vector",     "address", "restarts",
                                        "ram",  "cpu",    "generation", NULL};
    for (const char *const *k = extra; *k; k++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(ev, *k);
        char *s = v ? cJSON_PrintUnformatted(v) : NULL;
        if (s && used < sizeof detail)
            used += (size_t)snprintf(detail + used, sizeof detail - used, "%s%s=%s",
                                     used ? " " : "", *k, s);
        free(s);
    }
    snprintf(comp, sizeof comp, "%s", str(ev, "component") ? str(ev, "component") : "-");
    snprintf(type, sizeof type, "%s", str(ev, "type") ? str(ev, "type") : "?");
    kuori_sanitize(detail);
    kuori_sanitize(comp);
    kuori_sanitize(type);
    kuori_fmt_uptime(kuori_num(ev, "time_ns"), t, sizeof t);
    if (remote)
        printf("%-12s ", remote);
    printf("%-6llu %-9s %-10s %-16s %s\n", (unsigned long long)kuori_num(ev, "seq"), t, type, comp,
           detail);
}

static void print_event(struct kuori_job *j, const cJSON *ev, int multi)
{
    kuori_out_lock();
    if (j->cmd->fmt == KUORI_FMT_TABLE) {
        event_line(multi ? j->t->r.name : NULL, ev);
    } else {
        cJSON *copy = cJSON_Duplicate(ev, 1);
        if (multi)
            cJSON_AddStringToObject(copy, "remote", j->t->r.name);
        kuori_out_value(stdout, j->cmd->fmt, copy);
        cJSON_Delete(copy);
    }
    fflush(stdout);
    kuori_out_unlock();
}

static int events_job(struct kuori_conn *c, struct kuori_job *j)
{
    const char *after = kuori_flag(j->cmd, "after");
    int follow = kuori_flag(j->cmd, "follow") != NULL, multi = *(int *)j->arg;
    cJSON *req = kuori_req("events"), *res, *ev;
    uint64_t a = 0;
    long long id;
    int rc;
    if (after)
        kuori_parse_uint(after, 9007199254740991ull, &a); /* checked by the caller */
    cJSON_AddNumberToObject(req, "after", (double)a);
    cJSON_AddBoolToObject(req, "follow", follow);
    if ((rc = kuori_conn_stream(c, req, &id, &res, (int)j->cmd->timeout_ms, &j->err)))
        return rc;
    if (!follow && j->cmd->fmt != KUORI_FMT_TABLE && !multi) {
        kuori_out_value(stdout, j->cmd->fmt, res);
    } else {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(res, "events");
        cJSON_ArrayForEach(ev, list) print_event(j, ev, multi);
        if (kuori_num(res, "lost"))
            fprintf(stderr, "kuori: %s: %llu events were lost (the agent's ring overflowed)\n",
                    c->label, (unsigned long long)kuori_num(res, "lost"));
    }
    cJSON_Delete(res);
    while (follow && !rc && !kuori_interrupted) {
        rc = kuori_conn_next(c, id, &ev, kuori_now_ms() + 1000, -1, &j->err);
        if (rc == KUORI_RECV_TIMEOUT) {
            rc = 0;
            continue;
        }
        if (!rc)
            print_event(j, ev, multi);
        cJSON_Delete(ev);
    }
    return rc;
}

int kuori_cmd_events(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    const char *after = kuori_flag(cmd, "after");
    struct kuori_target *t;
    struct kuori_job *jobs;
    uint64_t a;
    int n, rc, multi;
    if (after && kuori_parse_uint(after, 9007199254740991ull, &a) != 0)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL,
                          "--after takes a sequence number, not '%s'", after);
    if ((rc = kuori_targets(ctx, cmd, &t, &n, e)))
        return rc;
    multi = n > 1;
    if (cmd->fmt == KUORI_FMT_TABLE)
        printf("%s%-6s %-9s %-10s %-16s %s\n", multi ? "REMOTE       " : "", "SEQ", "TIME", "TYPE",
               "COMPONENT", "DETAIL");
    fflush(stdout);
    jobs = calloc((size_t)n, sizeof *jobs);
    rc = kuori_fleet_run(ctx, cmd, t, n, jobs, events_job, &multi);
    for (int i = 0; i < n; i++)
        if (jobs[i].rc)
            kuori_err_print(&jobs[i].err, NULL); /* messages name their remote */
    free(jobs);
    free(t);
    return rc;
}

static void print_line(const struct kuori_cmd *cmd, const cJSON *line)
{
    if (cmd->fmt != KUORI_FMT_TABLE) {
        kuori_out_value(stdout, cmd->fmt, line);
        return;
    }
    const char *text = str(line, "text");
    char *copy = strdup(text ? text : "");
    if (!copy)
        return;
    kuori_sanitize(copy);
    puts(copy);
    fflush(stdout);
    free(copy);
}

int kuori_cmd_logs(struct kuori_ctx *ctx, const struct kuori_cmd *cmd, struct kuori_err *e)
{
    const char *tail = kuori_flag(cmd, "tail");
    int follow = kuori_flag(cmd, "follow") != NULL, rc;
    uint64_t n = 100;
    struct kuori_conn c;
    cJSON *req, *res, *line;
    long long id;
    if (tail && kuori_parse_uint(tail, 1000, &n) != 0)
        return kuori_fail(e, KUORI_EXIT_USAGE, "usage", NULL, "--tail takes 0..1000, not '%s'",
                          tail);
    if ((rc = kuori_connect1(ctx, cmd, &c, e)))
        return rc;
    req = kuori_req("logs");
    cJSON_AddStringToObject(req, "component", cmd->pos[0]);
    cJSON_AddNumberToObject(req, "tail", (double)n);
    cJSON_AddBoolToObject(req, "follow", follow);
    rc = kuori_conn_stream(&c, req, &id, &res, (int)cmd->timeout_ms, e);
    if (!rc && !follow && cmd->fmt != KUORI_FMT_TABLE) {
        kuori_out_value(stdout, cmd->fmt, res);
    } else if (!rc) {
        cJSON_ArrayForEach(line, cJSON_GetObjectItemCaseSensitive(res, "lines"))
                print_line(cmd, line);
        if (kuori_num(res, "lost"))
            fprintf(stderr, "kuori: %llu earlier lines were lost (the log ring overflowed)\n",
                    (unsigned long long)kuori_num(res, "lost"));
    }
    cJSON_Delete(res);
    while (follow && !rc && !kuori_interrupted) {
        rc = kuori_conn_next(&c, id, &line, kuori_now_ms() + 1000, -1, e);
        if (rc == KUORI_RECV_TIMEOUT) {
            rc = 0;
            continue;
        }
        if (!rc)
            print_line(cmd, line);
        cJSON_Delete(line);
    }
    kuori_conn_close(&c);
    return rc;
}
