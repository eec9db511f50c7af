/* SPDX-License-Identifier: MIT */
/* kuori: the host CLI and REPL of Kide's management plane (docs/kuori.md).
 *
 * kuori VERB ... runs one command; kuori alone starts the REPL. Data goes to
 * stdout, messages to stderr, and the exit code says what happened
 * (err.h, docs/kuori.md "Exit codes").
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fleet.h"
#include "out.h"
#include "repl.h"

/* The first Ctrl-C ends a stream cleanly (its loop polls the flag at least once a
 * second); a second one ends kuori at once. */
static void on_sigint(int sig)
{
    (void)sig;
    if (kuori_at_prompt)
        return;
    if (kuori_interrupted)
        _exit(130);
    kuori_interrupted = 1;
}

/* Verbs with a stream loop that checks kuori_interrupted. */
static int streams(const struct kuori_cmd *cmd)
{
    static const char *const names[] = {"events", "logs", "stats", "top", NULL};
    for (const char *const *n = names; cmd->verb && *n; n++)
        if (strcmp(cmd->verb->name, *n) == 0)
            return 1;
    return 0;
}

/* Verbs that run without a readable configuration. */
static int needs_config(const struct kuori_cmd *cmd)
{
    if (cmd->help || !cmd->verb)
        return 0;
    return strcmp(cmd->verb->name, "help") != 0 &&
           (strcmp(cmd->verb->name, "version") != 0 || cmd->remotes);
}

int main(int argc, char **argv)
{
    struct kuori_ctx ctx;
    struct kuori_cmd cmd;
    struct kuori_err e;
    struct sigaction sa = {.sa_handler = on_sigint};
    int rc;
    memset(&ctx, 0, sizeof ctx);
    kuori_err_clear(&e);
    signal(SIGPIPE, SIG_IGN);
    setenv("UV_THREADPOOL_SIZE", "64", 0); /* fleet jobs block on their connection */
    ctx.color = kuori_out_color(stdout);
    if ((rc = kuori_config_dir(&ctx.cfg, &e)))
        goto out;
    if (argc == 1) {
        /* In the REPL Ctrl-C ends the running stream, not kuori; readline installs
         * its own handler while it reads a line and restores this one. */
        sigaction(SIGINT, &sa, NULL);
        if ((rc = kuori_config_load(&ctx.cfg, &e)))
            goto out;
        return kuori_repl(&ctx);
    }
    if ((rc = kuori_parse(argc - 1, argv + 1, &cmd, &e)))
        goto out;
    if (streams(&cmd))
        sigaction(SIGINT, &sa, NULL);
    if (needs_config(&cmd) && (rc = kuori_config_load(&ctx.cfg, &e)))
        goto out;
    rc = kuori_run(&ctx, &cmd, &e);
out:
    fflush(stdout);
    if (rc && e.msg[0])
        kuori_err_print(&e, NULL);
    return rc;
}
