/* SPDX-License-Identifier: MIT */
/* Running one command against several remotes at once (ps, state, stats, events).
 *
 * Each remote is one job on libuv's thread pool (uv_queue_work); a job opens
 * its own connection (with the command's --timeout for connect, handshake and
 * each reply) and runs the verb's function on it. A dead or slow remote
 * therefore costs its own job at most the timeout and never delays the
 * others; the loop ends when every job has. Jobs that print while they run
 * (streams) hold kuori_out_lock around each line so lines never interleave.
 * The pool is sized to the number of remotes (UV_THREADPOOL_SIZE, set by main
 * before libuv starts, at most 64).
 */
#ifndef KUORI_FLEET_H
#define KUORI_FLEET_H

#include "cli.h"

/** One remote's job and its outcome. */
struct kuori_job {
    const struct kuori_target *t; /**< the remote */
    const struct kuori_cmd *cmd;  /**< the command line */
    struct kuori_ctx *ctx;
    void *arg;                  /**< the verb's own state */
    int rc;                     /**< the job's exit code */
    struct kuori_err err;       /**< its error when rc != 0 */
    cJSON *result;              /**< what it produced (for printing after all ended) */
    char habitat[64], role[16]; /**< from the agent's hello */
};

typedef int (*kuori_job_fn)(struct kuori_conn *c, struct kuori_job *j);

/**
 * Run @p fn on every target concurrently; fills @p jobs (n of them). Returns
 * 0 if all succeeded, else the highest exit code of the failed jobs.
 */
int kuori_fleet_run(struct kuori_ctx *ctx, const struct kuori_cmd *cmd,
                    const struct kuori_target *t, int n, struct kuori_job *jobs, kuori_job_fn fn,
                    void *arg);

/** Serialise output lines between jobs. */
void kuori_out_lock(void);
void kuori_out_unlock(void);

/** Set by SIGINT: streams end cleanly. */
extern volatile int kuori_interrupted;
/** 1 while the REPL waits at its prompt: Ctrl-C there ends nothing. */
extern volatile int kuori_at_prompt;

#endif
