/* SPDX-License-Identifier: MIT */
/* Concurrent jobs over libuv's thread pool (see fleet.h). */
#include "fleet.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uv.h>

static pthread_mutex_t out_mutex = PTHREAD_MUTEX_INITIALIZER;
volatile int kuori_interrupted;
volatile int kuori_at_prompt;

void kuori_out_lock(void)
{
    pthread_mutex_lock(&out_mutex);
}

void kuori_out_unlock(void)
{
    pthread_mutex_unlock(&out_mutex);
}

struct work {
    uv_work_t req;
    struct kuori_job *job;
    kuori_job_fn fn;
};

static void job_work(uv_work_t *req)
{
    struct work *w = req->data;
    struct kuori_job *j = w->job;
    struct kuori_conn c;
    j->rc = kuori_conn_open(&c, &j->t->d, &j->err);
    if (j->rc)
        return;
    snprintf(j->habitat, sizeof j->habitat, "%s", c.habitat);
    snprintf(j->role, sizeof j->role, "%s", c.role);
    j->rc = w->fn(&c, j);
    kuori_conn_close(&c);
}

static void job_done(uv_work_t *req, int status)
{
    struct work *w = req->data;
    if (status == UV_ECANCELED)
        w->job->rc = kuori_fail(&w->job->err, KUORI_EXIT_LOCAL, "cancelled", NULL, "cancelled");
}

int kuori_fleet_run(struct kuori_ctx *ctx, const struct kuori_cmd *cmd,
                    const struct kuori_target *t, int n, struct kuori_job *jobs, kuori_job_fn fn,
                    void *arg)
{
    struct work *w = calloc((size_t)n, sizeof *w);
    uv_loop_t loop;
    int worst = 0;
    if (!w)
        return KUORI_EXIT_LOCAL;
    for (int i = 0; i < n; i++)
        jobs[i] = (struct kuori_job){.t = &t[i], .cmd = cmd, .ctx = ctx, .arg = arg};
    if (n == 1) { /* one remote: no thread needed, and the REPL's terminal stays ours */
        w[0].job = &jobs[0];
        w[0].fn = fn;
        w[0].req.data = &w[0];
        job_work(&w[0].req);
    } else {
        uv_loop_init(&loop);
        for (int i = 0; i < n; i++) {
            w[i].job = &jobs[i];
            w[i].fn = fn;
            w[i].req.data = &w[i];
            uv_queue_work(&loop, &w[i].req, job_work, job_done);
        }
        uv_run(&loop, UV_RUN_DEFAULT);
        uv_loop_close(&loop);
    }
    free(w);
    for (int i = 0; i < n; i++)
        worst = jobs[i].rc > worst ? jobs[i].rc : worst;
    return worst;
}
